/**
 * The two outputs of `npm run gas`: the table of fresh figures against their targets (written to
 * `benchmarks/gas.json`), and under `GAS_CHECK=1` the comparison with the committed snapshot.
 */
import { existsSync, readFileSync } from "node:fs";

import { compareGas } from "./targets";

/** The width of the operation column: the longest name, at least 42 as before. */
function opWidth(ops: readonly string[]): number {
  return Math.max(42, ...ops.map((op) => op.length));
}

/** Prints every fresh figure against its target (`targets`, see `targetsFor`); returns how many targets were missed. */
export function printTargets(fresh: Readonly<Record<string, number>>, targets: Readonly<Record<string, number>>): number {
  let failed = 0;
  const w = opWidth(Object.keys(fresh));
  console.log("operation".padEnd(w), "gas".padStart(9), "target".padStart(9), "");
  for (const [op, gas] of Object.entries(fresh)) {
    const target = targets[op];
    const ok = target === undefined || gas <= target;
    if (!ok) failed++;
    console.log(op.padEnd(w), String(gas).padStart(9), String(target ?? "").padStart(9), target === undefined ? "" : ok ? "ok" : "OVER");
  }
  return failed;
}

/**
 * `GAS_CHECK=1`: the fresh figures against the committed snapshot at `file` (left as it is) and the
 * targets; prints a table and returns whether nothing grew more than `MAX_GROWTH_PERCENT`%, nothing
 * measured before is missing, and every target is met. An operation new since the snapshot only needs
 * its target.
 */
export function checkSnapshot(fresh: Readonly<Record<string, number>>, targets: Readonly<Record<string, number>>, file: string): boolean {
  if (!existsSync(file)) {
    console.error(`${file} does not exist: run \`npm run gas\` and commit it`);
    return false;
  }
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
  const ops = [...new Set([...Object.keys(snapshot), ...Object.keys(fresh)])].sort((a, b) => a.localeCompare(b));
  let failed = 0;
  const w = opWidth(ops);
  console.log("operation".padEnd(w), "snapshot".padStart(9), "now".padStart(9), "change".padStart(8), "target".padStart(9), "");
  for (const op of ops) {
    const [before, now, target] = [snapshot[op], fresh[op], targets[op]];
    const problems = compareGas(before, now, target);
    if (problems.length > 0) failed++;
    const change = before === undefined || now === undefined ? (before === undefined ? "new" : "") : `${(((now - before) / before) * 100).toFixed(2)}%`;
    const status = problems.length > 0 ? problems.join(", ").toUpperCase() : "ok";
    console.log(op.padEnd(w), String(before ?? "").padStart(9), String(now ?? "").padStart(9), change.padStart(8), String(target ?? "").padStart(9), status);
  }
  console.log(`\ncompared with benchmarks/gas.json (not rewritten); ${failed} problem(s)`);
  return failed === 0;
}
