/**
 * The round phases a coordinator logs at debug level (engine/round.ts: `pollMs`, `legStatesMs`,
 * `decideMs`, `sendMs`, `rssMiB`), summarised over the rounds logged between `from` and `to` (wall ms):
 * what one round costs while the coordinator drives, phase by phase. Run a benchmark with
 * HEDGESWAP_BENCH_LOG_LEVEL=debug to get them (debug logging costs some CPU itself).
 */
import { readFileSync } from "node:fs";

import { percentile } from "./procfs";

const PHASES = ["pollMs", "legStatesMs", "decideMs", "sendMs"] as const;

export interface RoundProfile {
  rounds: number;
  /** Per phase and for the whole round: p50, p99, max, mean (ms). */
  ms: Record<string, { p50?: number; p99?: number; max?: number; mean?: number }>;
  maxRssMiB?: number;
}

export function roundProfile(logPath: string, from: number, to: number): RoundProfile {
  const rows: Record<string, number>[] = [];
  for (const line of readFileSync(logPath, "utf8").split("\n")) {
    if (!line.includes('"msg":"round"')) continue;
    try {
      const r = JSON.parse(line) as Record<string, number>;
      if (r.time! >= from && r.time! <= to) rows.push(r);
    } catch {
      /* a line cut at the process's end */
    }
  }
  const stats = (v: number[]) => ({ p50: percentile(v, 50), p99: percentile(v, 99), max: v.length ? Math.max(...v) : undefined, mean: v.length ? Math.round(v.reduce((a, b) => a + b, 0) / v.length) : undefined });
  const ms: RoundProfile["ms"] = {};
  for (const p of PHASES) ms[p] = stats(rows.map((r) => r[p] ?? 0));
  ms.totalMs = stats(rows.map((r) => PHASES.reduce((s, p) => s + (r[p] ?? 0), 0)));
  return { rounds: rows.length, ms, ...(rows.length ? { maxRssMiB: Math.max(...rows.map((r) => r.rssMiB ?? 0)) } : {}) };
}
