/** What the benchmarks read while they run: the coordinators' stores, the chains' heads, timings. */
import { join } from "node:path";

import type { JsonRpcProvider } from "ethers";

import { isFinal } from "../../src/coordinator/domain/status";
import { openSqliteStore } from "../../src/coordinator/store";
import type { CoordinatorStore } from "../../src/coordinator/store/types";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (text: string) => console.log(`[bench] ${text}`);

/** Runs `fn` on a party's store (`<dir>/<party>/coordinator.sqlite`), opened and closed around it. */
export function withStore<T>(w: { dir: string }, party: string, fn: (s: CoordinatorStore) => T): T {
  const s = openSqliteStore(join(w.dir, party, "coordinator.sqlite"));
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

/** Watches a chain's head every 25 ms: wall time at which each block number was first seen. */
export function watchBlocks(provider: JsonRpcProvider): { seen: Map<number, number>; stop: () => void } {
  const seen = new Map<number, number>();
  let on = true;
  void (async () => {
    while (on) {
      try {
        const n = await provider.getBlockNumber();
        for (let k = n; k >= 0 && !seen.has(k); k--) seen.set(k, Date.now());
      } catch {
        /* the node is busy; try again */
      }
      await sleep(25);
    }
  })();
  return { seen, stop: () => void (on = false) };
}

/** The time of the party's first `coordinator.driving` event at or after `after` (its first round after admission). */
export async function drivingSince(w: { dir: string }, party: string, after: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const at = withStore(w, party, (s) => s.events().filter((e) => e.kind === "coordinator.driving" && e.at >= after).map((e) => e.at)[0]);
    if (at !== undefined) return at;
    await sleep(100);
  }
  throw new Error(`${party}'s coordinator did not start driving within ${timeoutMs} ms`);
}

/** Waits until every party's store holds `n` swaps in a final status. */
export async function waitAllFinal(w: { dir: string }, parties: readonly string[], n: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    const counts = parties.map((p) => withStore(w, p, (s) => s.listSwaps().filter((r) => isFinal(r.status)).length));
    const line = `final: ${parties.map((p, i) => `${p} ${counts[i]}/${n}`).join(", ")}`;
    if (line !== last) log(line);
    last = line;
    if (counts.every((c) => c === n)) return;
    await sleep(1000);
  }
  throw new Error(`not every swap finished within ${timeoutMs / 1000} s (${last})`);
}

/** Milliseconds the node takes for one call, best of three (the node is idle by then). */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return Math.round(best);
}
