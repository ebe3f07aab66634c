/**
 * One local chain: a `hardhat node` child process on 127.0.0.1 with its own chain id and port, and
 * the controls tests and the demo need (time travel, mining, snapshots, pausing the process).
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { JsonRpcProvider, Network, getAddress, parseEther, toQuantity } from "ethers";

import { InvalidArgumentError } from "../sdk/errors";
import { DevnetError } from "./errors";
import { hardhatCli, repoRoot } from "./paths";
import { freePort } from "./ports";
import { hasExited, spawnNode, stopChild, waitReady } from "./process";

export { DEV_MNEMONIC, devAccounts } from "./accounts";

/** An extra account to fund once the node is up (`hardhat_setBalance`). */
export interface FundedAccount {
  readonly address: string;
  /** Wei; 10000 ETH when omitted, like Hardhat's own accounts. */
  readonly balance?: bigint;
}

/** How to start a node. */
export interface StartNodeOptions {
  /** The chain id (`HEDGESWAP_CHAIN_ID`, read by hardhat.config.ts); local chains use 31337 or 31330–31399. */
  readonly chainId: bigint;
  /** The port on 127.0.0.1; a free one when omitted. */
  readonly port?: number;
  /** Extra accounts to fund, besides Hardhat's 20 development accounts (see `devAccounts`). */
  readonly accounts?: readonly FundedAccount[];
  /** When set, a block is also mined every this many ms (`evm_setIntervalMining`); automine stays on. */
  readonly blockIntervalMs?: number;
  /** Where the node's output goes; `<tmpdir>/hedgeswap-devnet/node-<chainId>-<port>.log` when omitted. */
  readonly logFile?: string;
  /** How long to wait for the node to answer; 60 s when omitted. */
  readonly readyTimeoutMs?: number;
}

/** A running local chain. */
export interface DevNode {
  readonly chainId: bigint;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** A provider with a static network and no request cache (time travel makes cached answers wrong). */
  readonly provider: JsonRpcProvider;
  readonly pid: number;
  readonly logFile: string;
  /** Milliseconds from spawn until the node answered `eth_chainId`. */
  readonly startupMs: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Freezes the process (SIGSTOP): requests hang until `resume`. */
  pause(): void;
  /** Lets a paused process run again (SIGCONT). */
  resume(): void;
  /** Moves the clock forward by `seconds` and mines a block (`evm_increaseTime` + `evm_mine`). */
  increaseTime(seconds: number | bigint): Promise<void>;
  /** Sets the timestamp of the next block (`evm_setNextBlockTimestamp`); it must exceed the latest one. */
  setNextTimestamp(timestamp: number | bigint): Promise<void>;
  /** Mines `blocks` blocks (`hardhat_mine`). */
  mine(blocks?: number | bigint): Promise<void>;
  /** The timestamp of the latest block. */
  latestTimestamp(): Promise<bigint>;
  /** Takes a snapshot of the chain (`evm_snapshot`); returns its id. */
  snapshot(): Promise<string>;
  /** Goes back to a snapshot (`evm_revert`), which is then used up; throws when the id is unknown. */
  revert(id: string): Promise<void>;
}

const DEFAULT_BALANCE = parseEther("10000");

function checkInteger(field: string, value: number | bigint, min: bigint): bigint {
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new InvalidArgumentError(field, "must be an integer", value);
  const n = BigInt(value);
  if (n < min) throw new InvalidArgumentError(field, `must be at least ${min}`, value);
  return n;
}

class HardhatNode implements DevNode {
  readonly url: string;
  readonly provider: JsonRpcProvider;
  readonly pid: number;
  #stopping: Promise<void> | undefined;

  constructor(
    readonly chainId: bigint,
    readonly port: number,
    readonly logFile: string,
    readonly startupMs: number,
    readonly child: ChildProcess,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.pid = child.pid as number;
    const network = new Network(`devnet-${chainId}`, chainId);
    this.provider = new JsonRpcProvider(this.url, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: 250 });
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.provider.destroy();
      await stopChild(this.child);
    })();
    return this.#stopping;
  }

  #signal(signal: NodeJS.Signals): void {
    if (hasExited(this.child) || this.#stopping) {
      throw new DevnetError("DEVNET_NODE_STOPPED", "the node is not running", { chainId: this.chainId, pid: this.pid });
    }
    this.child.kill(signal);
  }

  pause(): void {
    this.#signal("SIGSTOP");
  }

  resume(): void {
    this.#signal("SIGCONT");
  }

  async increaseTime(seconds: number | bigint): Promise<void> {
    await this.provider.send("evm_increaseTime", [toQuantity(checkInteger("seconds", seconds, 0n))]);
    await this.provider.send("evm_mine", []);
  }

  async setNextTimestamp(timestamp: number | bigint): Promise<void> {
    await this.provider.send("evm_setNextBlockTimestamp", [toQuantity(checkInteger("timestamp", timestamp, 0n))]);
  }

  async mine(blocks: number | bigint = 1): Promise<void> {
    await this.provider.send("hardhat_mine", [toQuantity(checkInteger("blocks", blocks, 1n))]);
  }

  async latestTimestamp(): Promise<bigint> {
    const block = await this.provider.getBlock("latest");
    if (block === null) throw new DevnetError("DEVNET_RPC", "the node returned no latest block", { chainId: this.chainId });
    return BigInt(block.timestamp);
  }

  async snapshot(): Promise<string> {
    return String(await this.provider.send("evm_snapshot", []));
  }

  async revert(id: string): Promise<void> {
    if ((await this.provider.send("evm_revert", [id])) !== true) {
      throw new DevnetError("DEVNET_RPC", "evm_revert refused the snapshot id (unknown or already used)", { chainId: this.chainId, id });
    }
  }
}

function checkOptions(options: StartNodeOptions): void {
  const { chainId, port, blockIntervalMs } = options;
  if (typeof chainId !== "bigint" || chainId <= 0n || chainId > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidArgumentError("chainId", "must be a positive bigint below 2^53", chainId);
  }
  if (port !== undefined && (!Number.isSafeInteger(port) || port < 1 || port > 65535)) {
    throw new InvalidArgumentError("port", "must be an integer in 1..65535", port);
  }
  if (blockIntervalMs !== undefined && (!Number.isSafeInteger(blockIntervalMs) || blockIntervalMs <= 0)) {
    throw new InvalidArgumentError("blockIntervalMs", "must be a positive integer", blockIntervalMs);
  }
}

/**
 * Starts `hardhat node` on 127.0.0.1 with `HEDGESWAP_CHAIN_ID` = `chainId` and resolves once it answers
 * `eth_chainId` with that id (polled every 100 ms). Then sets interval mining and funds `accounts` when
 * asked. Throws `DevnetError` (`DEVNET_NODE_START`, with the tail of the log) when the node exits early,
 * answers with another chain id or is not up within the timeout. Every node still running when this
 * process exits is killed.
 */
export async function startHardhatNode(options: StartNodeOptions): Promise<DevNode> {
  checkOptions(options);
  const accounts = (options.accounts ?? []).map((a) => ({
    address: getAddress(a.address),
    balance: checkInteger("balance", a.balance ?? DEFAULT_BALANCE, 0n),
  }));
  const root = repoRoot();
  const port = options.port ?? (await freePort());
  const logFile = options.logFile ?? defaultLogFile(options.chainId, port);
  const started = Date.now();
  const child = spawnNode({ cli: hardhatCli(root), root, port, chainId: options.chainId, logFile });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, { url, chainId: options.chainId, logFile, timeoutMs: options.readyTimeoutMs ?? 60_000, pollMs: 100 });
  const node = new HardhatNode(options.chainId, port, logFile, Date.now() - started, child);
  try {
    if (options.blockIntervalMs !== undefined) await node.provider.send("evm_setIntervalMining", [options.blockIntervalMs]);
    for (const a of accounts) await node.provider.send("hardhat_setBalance", [a.address, toQuantity(a.balance)]);
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

function defaultLogFile(chainId: bigint, port: number): string {
  const dir = join(tmpdir(), "hedgeswap-devnet");
  mkdirSync(dir, { recursive: true });
  return join(dir, `node-${chainId}-${port}.log`);
}
