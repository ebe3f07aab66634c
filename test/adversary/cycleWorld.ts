/**
 * The adversarial suite's world for three-party hedged cycles (`PROTOCOLS.md` §7, n = 3): three real
 * `hardhat node` chains (arc i on chain i) started once, the escrow and one plain ERC-20 on each, the
 * three parties funded to §7's start (P0: 100 T0 and 3 T2; P1: 1 T0 and 100 T1; P2: 2 T1 and 100 T2)
 * plus a hostile float of 500 of every token for every party (baits, out-of-order legs; the conforming
 * party's float is never touched, so its balance is compared exactly), every allowance given, then
 * automine off and one snapshot per chain that every run reverts to (same input, same blocks).
 */
import { MaxUint256, Wallet } from "ethers";

import { erc20Interface } from "../../src/sdk";
import { deployToken, devAccounts, startDevnet, type DevNode, type Devnet } from "../../src/devnet";
import { MINT, U, hex, rpc } from "./world";

export const N = 3;
/** The hostile float of every token each party holds on top of §7's start. */
export const FLOAT = 500n * U;

export interface CycleChain {
  readonly index: number;
  readonly name: string;
  readonly node: DevNode;
  readonly url: string;
  readonly chainId: bigint;
  readonly escrow: string;
  readonly deploymentBlock: number;
  readonly token: string;
  base: { number: number; ts: bigint };
  snapshot: string;
}

export interface AdvCycleWorld {
  readonly devnet: Devnet;
  readonly chains: readonly CycleChain[];
  /** P0 (the leader), P1, P2. */
  readonly parties: readonly Wallet[];
  readonly deployer: Wallet;
}

async function send(node: DevNode, from: Wallet, tx: { to: string; data: string }): Promise<void> {
  const r = await from.connect(node.provider).sendTransaction({ ...tx, gasLimit: 3_000_000n });
  const receipt = await r.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`setup transaction ${r.hash} failed`);
}

/** §7's start for a = 100, c = 1: party p's holdings of chain i's token (whole units). */
export function startUnits(p: number, i: number): bigint {
  if (p === i) return 100n;
  if ((i + 1) % N === p) return BigInt(i + 1);
  return 0n;
}

export async function startAdversaryCycleWorld(firstChainId = 31393n): Promise<AdvCycleWorld> {
  const devnet = await startDevnet({ chains: Array.from({ length: N }, (_, i) => ({ name: `C${i}`, chainId: firstChainId + BigInt(i) })) });
  const accounts = devAccounts(N + 1) as Wallet[];
  const deployer = accounts[0]!;
  const parties = accounts.slice(1);
  try {
    const chains: CycleChain[] = [];
    for (let i = 0; i < N; i++) {
      const c = devnet.chain(`C${i}`);
      const token = await deployToken(c.node, deployer, `Cycle ${i}`, `CY${i}`);
      for (const [p, who] of parties.entries()) {
        await send(c.node, deployer, { to: token, data: MINT.encodeFunctionData("mint", [who.address, startUnits(p, i) * U + FLOAT]) });
        await send(c.node, who, { to: token, data: erc20Interface.encodeFunctionData("approve", [c.escrow, MaxUint256]) });
      }
      await c.node.provider.send("evm_setAutomine", [false]);
      const latest = await c.node.provider.getBlock("latest");
      chains.push({ index: i, name: c.name, node: c.node, url: c.node.url, chainId: c.node.chainId, escrow: c.escrow, deploymentBlock: c.deploymentBlock, token, base: { number: latest!.number, ts: BigInt(latest!.timestamp) }, snapshot: "" });
    }
    // All clocks start together: one block at the same timestamp on each chain.
    const ts = chains.reduce((m, c) => (c.base.ts > m ? c.base.ts : m), 0n) + 1n;
    for (const c of chains) {
      await rpc(c.url, "evm_mine", [hex(ts)]);
      c.base = { number: c.base.number + 1, ts };
      c.snapshot = await rpc<string>(c.url, "evm_snapshot");
    }
    return { devnet, chains, parties, deployer };
  } catch (e) {
    await devnet.stop();
    throw e;
  }
}

/** Back to the snapshot on every chain (and a fresh snapshot for the next run). */
export async function resetCycleWorld(w: AdvCycleWorld): Promise<void> {
  for (const c of w.chains) {
    if ((await rpc<boolean>(c.url, "evm_revert", [c.snapshot])) !== true) throw new Error(`evm_revert refused on chain ${c.name}`);
    c.snapshot = await rpc<string>(c.url, "evm_snapshot");
  }
}
