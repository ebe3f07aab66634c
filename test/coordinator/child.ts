/**
 * A coordinator in its own process (`src/coordinator/cli.ts run`), as production runs it, so tests can
 * kill it with SIGKILL and start it again on the same data directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/** A running coordinator process and how it ended. */
export interface CoordinatorProcess {
  readonly child: ChildProcess;
  /** Resolves with the signal (e.g. "SIGKILL") or exit code when the process ends. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Writes `config` to `<dataDir>/<name>.json` and starts `cli.ts run` on it (logs to `<dataDir>/<name>.log`). */
export function startCoordinatorProcess(config: Record<string, unknown>, name: string, extraArgs: string[] = []): CoordinatorProcess {
  const dir = config.dataDir as string;
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  const log = openSync(join(dir, `${name}.log`), "a");
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join(ROOT, "src", "coordinator", "cli.ts"), "run", "--config", path, ...extraArgs], {
    cwd: ROOT,
    stdio: ["ignore", log, log],
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, "tsconfig.json") },
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, ended };
}

/** Stops a coordinator process gracefully (SIGTERM) and waits for it. */
export async function stopCoordinatorProcess(p: CoordinatorProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
  await p.ended;
}
