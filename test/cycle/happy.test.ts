/**
 * Happy paths of n = 2 … 5 on real chains with mixed native and ERC-20 arcs (one world of 5 nodes; an
 * n-cycle uses its first n chains and parties), driven by the SDK rule; and the harness's own checks:
 * the §7 reference driver gives the model's holdings too, and a run that does not follow the model is
 * reported (the comparison is not vacuous).
 */
import { expect } from "chai";

import { DELTA, describeRun, runCycle, U, type ArcAssets, type CycleSpec } from "./harness";
import { deviationName, type Deviation } from "./model";
import { referenceDriver } from "./referenceDriver";
import { sdkDriver, sdkDriverFactory } from "./sdkDriver";
import { startCycleWorld, type CycleWorld } from "./world";

/** Arc i's assets: native; ERC-20; native principal with an ERC-20 premium; ERC-20 principal with a native premium. */
const MIX: readonly ArcAssets[] = [{ principal: "native" }, { principal: "token" }, { principal: "native", premium: "token" }, { principal: "token", premium: "native" }];

function spec(n: number): CycleSpec {
  return {
    principals: Array.from({ length: n }, (_, i) => BigInt(100 + 10 * i) * U),
    compensations: Array.from({ length: n }, (_, j) => BigInt(j + 1) * U),
    assets: Array.from({ length: n }, (_, i) => MIX[i % MIX.length]!),
  };
}

describe("cycle happy paths, n = 2 … 5 (real chains, mixed native and ERC-20 arcs)", function () {
  let world: CycleWorld | undefined;

  before(async function () {
    this.timeout(120_000);
    world = await startCycleWorld(5);
  });

  after(async function () {
    this.timeout(60_000);
    await world?.stop();
  });

  for (let n = 2; n <= 5; n++) {
    it(`n = ${n}: every principal swapped, every premium back, exact holdings, in 3n = ${3 * n} steps by the SDK rule`, async function () {
      this.timeout(60_000);
      const run = await runCycle(world!, spec(n), sdkDriver);
      expect(run.failures, describeRun(run)).to.deep.equal([]);
      expect(run.outcomes).to.deep.equal(new Array(n).fill("redeemed"));
      expect(run.actions.filter((a) => a.step !== "settle")).to.have.length(3 * n);
      expect(run.sweeps).to.deep.equal([]);
    });
  }

  describe("late schedule: every step in its own Δ slot, 15 s before its deadline", function () {
    const late = sdkDriverFactory({ ownSlotOnly: true });
    for (let n = 2; n <= 5; n++) {
      it(`n = ${n}: the happy path still completes, exact holdings, each step mined in its own slot`, async function () {
        this.timeout(60_000);
        const run = await runCycle(world!, { ...spec(n), schedule: "late" }, late);
        expect(run.failures, describeRun(run)).to.deep.equal([]);
        expect(run.outcomes).to.deep.equal(new Array(n).fill("redeemed"));
        expect(run.missed, describeRun(run)).to.deep.equal([]);
        const steps = run.actions.filter((a) => a.step !== "settle");
        expect(steps).to.have.length(3 * n);
        for (const a of steps) {
          const receipt = await world!.providers[a.arc]!.getTransactionReceipt(a.hash!);
          const mined = BigInt((await world!.providers[a.arc]!.getBlock(receipt!.blockNumber))!.timestamp);
          const k = BigInt(a.step);
          const [from, to] = [run.plan.offer.start + (k - 1n) * DELTA, run.plan.offer.start + k * DELTA];
          expect(mined > from && mined <= to, `step ${a.step} mined at ${mined}, its slot is (${from}, ${to}]`).to.equal(true);
        }
      });
    }
    // One stop point of each row of §7's n = 3 table.
    const rows: Deviation[] = [
      { party: 0, afterStep: 3 },
      { party: 2, afterStep: 2 },
      { party: 1, afterStep: 3 },
      { party: 0, afterStep: 4 },
      { party: 1, afterStep: 5 },
      { party: 2, afterStep: 6 },
    ];
    for (const d of rows) {
      it(`n = 3, ${deviationName(d)}: exact holdings as the model's`, async function () {
        this.timeout(60_000);
        const run = await runCycle(world!, { ...spec(3), deviation: d, schedule: "late" }, late);
        expect(run.failures, describeRun(run)).to.deep.equal([]);
      });
    }
  });

  it("the §7 reference driver gives the model's holdings too (n = 3 happy path, and P1 escrowing but never redeeming)", async function () {
    this.timeout(60_000);
    for (const deviation of [undefined, { party: 1, afterStep: 5 }]) {
      const run = await runCycle(world!, { ...spec(3), ...(deviation ? { deviation } : {}) }, referenceDriver);
      expect(run.failures, describeRun(run)).to.deep.equal([]);
    }
  });

  it("the final sweep settles what the parties leave: drivers that never settle (n = 3, P2 stops after step 2)", async function () {
    this.timeout(60_000);
    const run = await runCycle(world!, { ...spec(3), deviation: { party: 2, afterStep: 2 } }, sdkDriverFactory({ skipSettlements: true }));
    expect(run.failures, describeRun(run)).to.deep.equal([]);
    expect(run.actions.filter((a) => a.step === "settle")).to.deep.equal([]);
    expect(run.sweeps.map((s) => s.arc)).to.deep.equal([0, 1, 2]);
  });

  it("a run that does not follow the model is reported: drivers that ignore the stop point of P1 (after step 4 of n = 3)", async function () {
    this.timeout(60_000);
    const run = await runCycle(world!, { ...spec(3), deviation: { party: 1, afterStep: 4 } }, (ctx) => sdkDriver({ ...ctx, haltAfterStep: undefined }));
    expect(run.outcomes).to.deep.equal(["redeemed", "redeemed", "redeemed"]);
    expect(run.failures).to.include("arc 1: ended redeemed, the model says premiumRefunded");
    expect(run.failures.some((f) => f.startsWith("P1 C1:token: expected"))).to.equal(true);
  });
});
