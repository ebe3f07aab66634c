/** CPU time and peak memory of a process, read from /proc (Linux). */
import { readFileSync } from "node:fs";

/** User + system CPU seconds and peak resident memory (MiB) of `pid`; undefined values when /proc is unreadable. */
export function processUsage(pid: number): { cpuSeconds: number | undefined; peakRssMiB: number | undefined } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuSeconds: ticks / 100, peakRssMiB: hwm ? Math.round((Number(hwm[1]) / 1024) * 10) / 10 : undefined };
  } catch {
    return { cpuSeconds: undefined, peakRssMiB: undefined };
  }
}

/** The p-th percentile (0–100) of `values` (nearest rank); undefined for an empty list. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
