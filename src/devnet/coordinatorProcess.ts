/**
 * A coordinator in its own process (`src/coordinator/cli.ts run`, through ts-node), as production
 * runs it: the demo starts one per party, and the crash tests kill one with SIGKILL and start it again
 * on the same data directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { repoRoot } from "./paths";

/** Coordinator processes still running, killed when this process exits. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A running coordinator process and how it ended. */
export interface CoordinatorProcess {
  readonly child: ChildProcess;
  readonly configPath: string;
  readonly logPath: string;
  /** Resolves with the exit code or signal (e.g. "SIGKILL") when the process ends. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Options of `startCoordinatorProcess`. */
export interface CoordinatorProcessOptions {
  /** Extra arguments after `run --config <file>` (e.g. `--offer <file>`). */
  readonly args?: readonly string[];
  /** Extra environment variables (private keys by name, as the configuration refers to them). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Run the esbuild bundle `dist/coordinator/cli.cjs` (from `npm run build:coordinator`) instead of
   * the TypeScript source through ts-node: faster start, less memory.
   */
  readonly bundle?: boolean;
  /** Extra arguments for node itself (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  readonly nodeArgs?: readonly string[];
}

/** Writes `config` to `<dataDir>/<name>.json` and starts `cli.ts run` on it, logging to `<dataDir>/<name>.log`. */
export function startCoordinatorProcess(config: Record<string, unknown>, name: string, opts: CoordinatorProcessOptions = {}): CoordinatorProcess {
  const root = repoRoot();
  const dir = config.dataDir as string;
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = join(dir, `${name}.log`);
  const log = openSync(logPath, "a");
  const entry = opts.bundle ? [join(root, "dist", "coordinator", "cli.cjs")] : ["-r", "ts-node/register/transpile-only", join(root, "src", "coordinator", "cli.ts")];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entry, "run", "--config", configPath, ...(opts.args ?? [])], {
    cwd: root,
    stdio: ["ignore", log, log],
    env: { ...process.env, TS_NODE_PROJECT: join(root, "tsconfig.json"), ...opts.env },
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    });
  }
  return { child, configPath, logPath, ended };
}

/** Stops a coordinator process gracefully (SIGTERM; SIGKILL after 5 s) and waits for it. */
export async function stopCoordinatorProcess(p: CoordinatorProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), 5000);
  await p.ended;
  clearTimeout(timer);
}
