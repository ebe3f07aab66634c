/**
 * Chain faults for tests on a running `hardhat node` whose clock keeps moving: interval mining with
 * automine off (a block every second, as on a real chain), a reorganisation deeper than a given
 * depth, a clock jump of one chain, a base-fee spike held on every block, too little gas coin, and a
 * pending transaction dropped from the mempool.
 *
 * What Hardhat cannot do, and how it is emulated here:
 * - A clock cannot go backward once blocks exist (`evm_setNextBlockTimestamp` must exceed the latest
 *   block). "Chain B runs behind chain A" is emulated by jumping chain A forward instead: every
 *   deadline compares one chain's clock with the others', so only the difference counts.
 * - `evm_revert` throws away the reverted blocks' transactions (they do not return to the mempool):
 *   after a reorganisation the parties must send again what they want on the new branch.
 * - Under interval mining each block's base fee follows from its parent, so a spike set with
 *   `hardhat_setNextBlockBaseFeePerGas` lasts one block; `holdBaseFee` sets it again for every block.
 */
import { toQuantity } from "ethers";

import { InvalidArgumentError } from "../sdk/errors";
import { DevnetError } from "./errors";
import type { DevNode } from "./node";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Turns automine off and mines a block every `intervalMs` (1 s by default): transactions wait for the next block, the clock runs. */
export async function useIntervalMining(node: DevNode, intervalMs = 1000): Promise<void> {
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) throw new InvalidArgumentError("intervalMs", "must be a positive integer", intervalMs);
  await node.provider.send("evm_setAutomine", [false]);
  await node.provider.send("evm_setIntervalMining", [intervalMs]);
}

/** Automine on, interval mining off (setup that should not wait for blocks); `useIntervalMining` goes back. */
export async function useAutomine(node: DevNode): Promise<void> {
  await node.provider.send("evm_setIntervalMining", [0]);
  await node.provider.send("evm_setAutomine", [true]);
}

/** Runs `work` with automine on and interval mining off, then restores interval mining at `intervalMs`. */
export async function withAutomine<T>(nodes: readonly DevNode[], work: () => Promise<T>, intervalMs = 1000): Promise<T> {
  await Promise.all(nodes.map((n) => useAutomine(n)));
  try {
    return await work();
  } finally {
    await Promise.all(nodes.map((n) => useIntervalMining(n, intervalMs)));
  }
}

/** A point to reorganise back to, taken before the event the reorganisation will remove. */
export interface ReorgPoint {
  readonly node: DevNode;
  readonly snapshot: string;
  /** The head when the snapshot was taken. */
  readonly block: number;
}

/** Takes the snapshot a later `reorg` goes back to (`evm_snapshot`). */
export async function reorgPoint(node: DevNode): Promise<ReorgPoint> {
  const snapshot = await node.snapshot();
  return { node, snapshot, block: await node.provider.getBlockNumber() };
}

/**
 * Waits until the block holding `txHash` is `depth` blocks deep (the including block counts as 1),
 * polling every 100 ms; returns that block's number. Throws after `timeoutMs`.
 */
export async function waitDepth(node: DevNode, txHash: string, depth: number, timeoutMs = 60_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const receipt = await node.provider.getTransactionReceipt(txHash);
    if (receipt !== null && (await node.provider.getBlockNumber()) - receipt.blockNumber + 1 >= depth) return receipt.blockNumber;
    await sleep(100);
  }
  throw new DevnetError("DEVNET_RPC", `transaction ${txHash} not ${depth} blocks deep within ${timeoutMs} ms`, { chainId: node.chainId });
}

/**
 * Reorganises the chain back to `point`: `evm_revert`, then mines blocks until the new branch is one
 * block longer than the abandoned one (the abandoned blocks' transactions are gone for good). Returns
 * how many blocks the reorganisation removed. Interval mining goes on as before.
 */
export async function reorg(point: ReorgPoint): Promise<number> {
  const { node } = point;
  const abandonedHead = await node.provider.getBlockNumber();
  await node.revert(point.snapshot);
  const after = await node.provider.getBlockNumber();
  const removed = abandonedHead - after;
  await node.mine(removed + 1);
  return removed;
}

/**
 * Moves one chain's clock forward by `seconds` and mines a block at once (`evm_increaseTime`); the
 * other chains keep their clocks, so this chain now runs ahead of them (the others "behind"). A
 * backward jump is not possible on Hardhat: jump the other chain forward.
 */
export async function jumpClock(node: DevNode, seconds: number | bigint): Promise<void> {
  await node.increaseTime(seconds);
}

/**
 * Moves every chain's clock to at least `timestamp` (one block each at that time, or one second after
 * its latest block when that is later), for tests that skip a stretch of time on all chains together.
 */
export async function clocksTo(nodes: readonly DevNode[], timestamp: bigint): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      // An interval block may come between reading the head and setting the next timestamp: read again.
      for (let attempt = 0; ; attempt++) {
        const latest = await n.latestTimestamp();
        try {
          await n.setNextTimestamp(timestamp > latest ? timestamp : latest + 1n);
          break;
        } catch (e) {
          if (attempt >= 2) throw e;
        }
      }
      await n.mine();
    }),
  );
}

/** A base fee held on every block until `release`. */
export interface HeldBaseFee {
  /** The base fee held, wei. */
  readonly baseFee: bigint;
  /** Stops holding; the next block's base fee is set to `restoreTo` (the base fee before the spike when omitted). Resolves once set. */
  release(restoreTo?: bigint): Promise<void>;
}

/**
 * A fee spike: `hardhat_setNextBlockBaseFeePerGas(baseFee)` for the next block and again, every
 * `everyMs` (100 ms), for each block after it, until released. Under interval mining that keeps every
 * block at (or, when a block comes between two calls, at 7/8 of) the spiked base fee.
 */
export async function holdBaseFee(node: DevNode, baseFee: bigint, everyMs = 100): Promise<HeldBaseFee> {
  if (baseFee <= 0n) throw new InvalidArgumentError("baseFee", "must be positive", baseFee);
  const latest = await node.provider.getBlock("latest");
  const before = latest?.baseFeePerGas ?? 1_000_000_000n;
  const set = (fee: bigint) => node.provider.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(fee)]);
  await set(baseFee);
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      await sleep(everyMs);
      if (running) await set(baseFee).catch((e: unknown) => (failure ??= e));
    }
  })();
  return {
    baseFee,
    async release(restoreTo = before) {
      running = false;
      await loop;
      await set(restoreTo);
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
    },
  };
}

/** Sets `address`'s native coin on the chain (`hardhat_setBalance`), e.g. to too little for spiked fees. */
export async function setGasCoin(node: DevNode, address: string, wei: bigint): Promise<void> {
  await node.provider.send("hardhat_setBalance", [address, toQuantity(wei)]);
}

/** Drops a pending transaction from the node's mempool (`hardhat_dropTransaction`); false when it was not pending (mined, or unknown). */
export async function dropPending(node: DevNode, txHash: string): Promise<boolean> {
  return (await node.provider.send("hardhat_dropTransaction", [txHash])) === true;
}
