/**
 * The deviation matrix of one n on real chains, shared by matrix3.test.ts and matrix4.test.ts (and their
 * coordinator variants): one world of n `hardhat node`s for every row; each row its own cycle (fresh
 * secret, later start) driven by the SDK driver (or the drivers `opts.drivers` makes), and compared
 * exactly with the model. Rows: the happy path, then every party as deviator ×
 * stop after step 0 … 3n−1.
 */
import { expect } from "chai";

import type { DriverFactory } from "./driver";
import { describeRun, runCycle, type CycleRun, type CycleSpec } from "./harness";
import { allDeviations, deviationName, type Deviation } from "./model";
import { sdkDriver } from "./sdkDriver";
import { startCycleWorld, type CycleWorld } from "./world";

/** What drives the parties of a matrix: a driver factory, made once per world (default: the SDK driver). */
export interface MatrixDrivers {
  readonly factory: DriverFactory;
  /** Called once after the matrix (also when it failed), before the world stops. */
  stop?(): Promise<void>;
  /** A line for the matrix's summary. */
  summary?(): string;
}

/** Options of `defineMatrix`. */
export interface MatrixOptions {
  /** Makes the drivers once the world is up (default: the SDK driver). */
  readonly drivers?: (w: CycleWorld) => MatrixDrivers;
  /** Real-time limit of one row (ms); default 60 000. */
  readonly rowTimeoutMs?: number;
  /** Runs only these of the matrix's rows (default: every row). */
  readonly only?: (d: Deviation | undefined) => boolean;
}

/** The rows of an n-matrix: the happy path first, then 3n·n deviations (3n·n + 1 in all). */
export function matrixRows(n: number): (Deviation | undefined)[] {
  return [undefined, ...allDeviations(n)];
}

/** Declares the mocha tests of the n-matrix for `spec` (its `deviation` is set per row). */
export function defineMatrix(n: number, spec: Omit<CycleSpec, "deviation">, opts: MatrixOptions = {}): void {
  let world: CycleWorld | undefined;
  let drivers: MatrixDrivers | undefined;
  const runs: CycleRun[] = [];
  let began = 0;

  before(async function () {
    this.timeout(120_000);
    began = Date.now();
    world = await startCycleWorld(n);
    drivers = opts.drivers ? opts.drivers(world) : { factory: sdkDriver };
  });

  after(async function () {
    this.timeout(60_000);
    try {
      await drivers?.stop?.();
    } finally {
      await world?.stop();
    }
    if (runs.length > 0) {
      const rows = runs.reduce((s, r) => s + r.ms, 0);
      const sweeps = runs.reduce((s, r) => s + r.sweeps.length, 0);
      const extra = drivers?.summary ? `; ${drivers.summary()}` : "";
      console.log(`      n = ${n} matrix: ${runs.length} rows on ${n} nodes in ${((Date.now() - began) / 1000).toFixed(1)} s (rows ${(rows / 1000).toFixed(1)} s, ${(rows / runs.length / 1000).toFixed(2)} s per row; ${sweeps} arcs left to the final sweep${extra})`);
    }
  });

  const rows = matrixRows(n);
  it(`has ${3 * n * n + 1} rows: ${n} parties × stop after step 0 … ${3 * n - 1}, plus the happy path`, function () {
    expect(rows).to.have.length(3 * n * n + 1);
  });
  for (const d of opts.only ? rows.filter(opts.only) : rows) {
    it(`${deviationName(d)}: exact holdings of every party on every chain, every arc's outcome as the model's`, async function () {
      this.timeout(opts.rowTimeoutMs ?? 60_000);
      const run = await runCycle(world!, { ...spec, ...(d ? { deviation: d } : {}) }, drivers!.factory);
      runs.push(run);
      expect(run.failures, describeRun(run)).to.deep.equal([]);
    });
  }
}
