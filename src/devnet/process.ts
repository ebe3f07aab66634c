/**
 * The `hardhat node` child processes: spawning one with its output in a log file, waiting until it
 * answers, stopping it, and killing every one still running when this process exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

import { DevnetError } from "./errors";
import { rawRpc } from "./rpc";

/** Children still running; killed on exit so that a crashed test leaves no node behind. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** How to spawn one node. */
export interface SpawnNodeOptions {
  readonly cli: string;
  readonly root: string;
  readonly port: number;
  readonly chainId: bigint;
  readonly logFile: string;
}

/** The environment of a node: ours without Hardhat/ts-node settings (so it reads the repo's config), plus the chain id. */
function nodeEnv(chainId: bigint): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("HARDHAT_") && !key.startsWith("TS_NODE_")) env[key] = value;
  }
  env["HEDGESWAP_CHAIN_ID"] = chainId.toString();
  env["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true";
  return env;
}

/** Spawns `hardhat node` on 127.0.0.1:`port`, its stdout and stderr written to `logFile` (truncated first). */
export function spawnNode(options: SpawnNodeOptions): ChildProcess {
  const fd = openSync(options.logFile, "w");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [options.cli, "node", "--hostname", "127.0.0.1", "--port", String(options.port)], {
      cwd: options.root,
      env: nodeEnv(options.chainId),
      stdio: ["ignore", fd, fd],
      detached: false,
    });
  } finally {
    closeSync(fd);
  }
  if (!exitHookInstalled) {
    process.on("exit", killAllOnExit);
    exitHookInstalled = true;
  }
  running.add(child);
  child.once("exit", () => running.delete(child));
  child.once("error", () => running.delete(child)); // spawn failure: readiness reports it as an early exit
  // A forgotten node must not keep this process alive; the exit hook kills it.
  child.unref();
  return child;
}

/** True once the child has exited (or was killed). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Stops the child: SIGTERM (and SIGCONT, in case it is paused), then SIGKILL after `graceMs`. Resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (hasExited(child)) return;
  const done = exited(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  child.kill("SIGTERM");
  child.kill("SIGCONT");
  await done;
  clearTimeout(timer);
}

/** The last `lines` lines of a log file ("" when unreadable). */
export function logTail(logFile: string, lines = 25): string {
  try {
    return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What readiness waits for. */
export interface ReadyOptions {
  readonly url: string;
  readonly chainId: bigint;
  readonly logFile: string;
  readonly timeoutMs: number;
  readonly pollMs: number;
}

function startError(child: ChildProcess, reason: string, options: ReadyOptions, extra: Record<string, unknown> = {}): DevnetError {
  const tail = logTail(options.logFile);
  return new DevnetError(
    "DEVNET_NODE_START",
    `hardhat node for chain ${options.chainId} at ${options.url} ${reason}; log ${options.logFile}:\n${tail}\n--`,
    { chainId: options.chainId, url: options.url, logFile: options.logFile, pid: child.pid, ...extra },
  );
}

/**
 * Polls `eth_chainId` until the node answers with the expected id. On an early exit, a wrong chain id
 * or a timeout, kills the child and throws `DevnetError` (`DEVNET_NODE_START`) with the log's tail.
 */
export async function waitReady(child: ChildProcess, options: ReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (hasExited(child)) {
      throw startError(child, `exited before answering (code ${child.exitCode}, signal ${child.signalCode})`, options);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      await stopChild(child, 0);
      throw startError(child, `did not answer eth_chainId within ${options.timeoutMs} ms`, options);
    }
    let answer: unknown;
    try {
      answer = await rawRpc(options.url, "eth_chainId", [], Math.min(1000, remaining));
    } catch {
      answer = undefined; // not listening yet
    }
    if (typeof answer === "string") {
      if (BigInt(answer) === options.chainId) return;
      await stopChild(child, 0);
      throw startError(child, `found another chain on its port (chain id ${BigInt(answer)})`, options, { found: BigInt(answer) });
    }
    await sleep(options.pollMs);
  }
}
