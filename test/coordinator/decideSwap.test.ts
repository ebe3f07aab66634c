/**
 * The engine's pure core for cycles (`engine/decideSwap.ts`) for n = 2 … 8: the status each step of
 * the happy path leads to through the one transition table, the actions of the held parties only, the
 * abort branch when the reveal could land too late, the outcome labels of finished cycles.
 */
import { expect } from "chai";

import { LegState, NO_CHAIN_DELAY, arcTimelocks, type CycleView, type LegObservation } from "../../src/sdk";
import { cycleOutcomeLabel, decideSwap } from "../../src/coordinator/engine/decideSwap";

const T0 = 1_900_000_000n;
const D = 600n;
const S = "0x" + "77".repeat(32);
const NONE: LegObservation = { state: LegState.None };
const PREMIUM: LegObservation = { state: LegState.PremiumDeposited };
const ESCROWED: LegObservation = { state: LegState.Escrowed };
const REDEEMED: LegObservation = { state: LegState.None, outcome: "redeemed" };

function view(n: number, held: number[], observed: LegObservation[], time: bigint, extra: Partial<CycleView> = {}): CycleView {
  return {
    n,
    start: T0,
    delta: D,
    arcs: Array.from({ length: n }, (_, i) => ({ terms: { timelocks: arcTimelocks(n, i, T0, D) } })),
    held: new Set(held),
    observed,
    times: observed.map(() => time),
    pending: new Set(),
    margins: { reaction: 30n, chains: observed.map(() => NO_CHAIN_DELAY) },
    settleGrace: 60n,
    ...extra,
  };
}

describe("coordinator decideSwap() for n = 2 … 8", function () {
  it("walks every step of the happy path: the status after each step, and only the held party's action, for every n and every party", function () {
    for (let n = 2; n <= 8; n++) {
      const obs: LegObservation[] = Array.from({ length: n }, () => NONE);
      const two = n === 2;
      let recorded = "accepted";
      // Premiums backwards from arc n−1 (steps 1 … n), then escrows forwards (steps n+1 … 2n).
      const order: [number, LegObservation][] = [...Array.from({ length: n }, (_, k) => [n - 1 - k, PREMIUM] as [number, LegObservation]), ...Array.from({ length: n }, (_, i) => [i, ESCROWED] as [number, LegObservation])];
      for (const [k, [arc, next]] of order.entries()) {
        const step = k + 1;
        const time = T0 + BigInt(step) * D - 100n;
        const actor = step <= n ? (n - step + 1) % n : step - n - 1;
        for (let p = 0; p < n; p++) {
          const d = decideSwap(view(n, [p], obs, time, p === 0 ? { leaderSecret: S } : {}), recorded as never);
          const mine = d.intents.filter((i) => i.step === step);
          expect(mine.length, `n=${n} step ${step} party ${p}`).to.equal(p === actor ? 1 : 0);
        }
        obs[arc] = next;
        const after = decideSwap(view(n, [0], obs, time + 1n, { leaderSecret: S }), recorded as never);
        const expected = two ? ["premiumB", "premiumA", "escrowedA", "escrowedB"][k]! : step <= n ? `premiums@${step}` : `escrows@${step}`;
        expect(after.status, `n=${n} after step ${step}`).to.equal(expected);
        recorded = after.status;
      }
      // The reveal: the leader's, with its commit.
      const reveal = decideSwap(view(n, [0], obs, T0 + BigInt(2 * n) * D + 1n, { leaderSecret: S }), recorded as never);
      expect(reveal.intents.map((i) => `${i.step}:${i.party}:${i.action}:${i.arc}:${i.commit === true}`)).to.deep.equal([`${2 * n + 1}:0:redeem:${n - 1}:true`]);
      // Arc n−1 redeemed: revealed; every arc redeemed: completed, outcome completed.
      obs[n - 1] = REDEEMED;
      expect(decideSwap(view(n, [1], obs, T0 + BigInt(2 * n + 1) * D, { revealedSecret: S }), "committed" as never).status).to.equal(two ? "redeemedB" : "revealed");
      const done = decideSwap(view(n, [1], obs.map(() => REDEEMED), T0 + BigInt(3 * n) * D, { revealedSecret: S }), (two ? "redeemedB" : "revealed") as never);
      expect(done).to.deep.include({ status: "completed", outcome: "completed" });
    }
  });

  it("moves to aborting for good when the reveal could land after arc n−1's timeout, and a missed premium aborts on its own chain's clock", function () {
    for (const n of [3, 5, 8]) {
      const all = Array.from({ length: n }, () => ESCROWED);
      const late = T0 + BigInt(3 * n - (n - 1)) * D - 10n; // 10 s before arc n−1's timeout, reaction 30 s
      const d = decideSwap(view(n, [0], all, late, { leaderSecret: S }), `escrows@${2 * n}` as never);
      expect(d.status).to.equal("aborting");
      expect(d.missed.map((m) => [m.step, m.reason])).to.deep.include([2 * n + 1, "reveal-margin"]);
      expect(d.intents.filter((i) => i.action === "redeem")).to.deep.equal([]);
      const premiums = Array.from({ length: n }, (_, i) => (i === n - 1 ? PREMIUM : NONE));
      expect(decideSwap(view(n, [1], premiums, T0 + 2n * D + 1n), "premiums@1" as never).status).to.equal("aborting");
    }
  });

  it("labels finished cycles: completed, or each arc's end in arc order; two parties keep the matrix ids", function () {
    expect(cycleOutcomeLabel([REDEEMED, REDEEMED, REDEEMED])).to.equal("completed");
    expect(cycleOutcomeLabel([{ state: LegState.None, outcome: "refunded" }, REDEEMED, NONE])).to.equal("0:refunded 1:redeemed 2:never");
    expect(cycleOutcomeLabel([{ state: LegState.None, outcome: "refunded" }, REDEEMED])).to.equal("S5");
  });
});
