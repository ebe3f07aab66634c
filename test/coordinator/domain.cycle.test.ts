/**
 * The coordinator's n-generic domain model (`domain/phase.ts`, `domain/arcs.ts`): one transition table
 * for every n whose n = 2 case is the two-party table the store enforces today, and a swap status from
 * the arcs whose n = 2 case is exactly the status `decide()` gives, on random views.
 */
import { expect } from "chai";
import fc from "fast-check";
import { Wallet } from "ethers";

import { InvalidArgumentError, LegState, NO_CHAIN_DELAY, arcTimelocks, planHedgedSwap, type LegObservation, type Timelocks } from "../../src/sdk";
import { decide } from "../../src/coordinator/engine/decide";
import { TRANSITIONS, type SwapStatus } from "../../src/coordinator/domain/status";
import { PHASE_TRANSITIONS, cycleStatuses, mayMove, phaseOfTwoPartyStatus, statusLabel, twoPartyStatus, type CycleStatus } from "../../src/coordinator/domain/phase";
import { ARC_TRANSITIONS, arcStatusOf, cycleStatusOf, furthestStep, isFinalArc, type ArcsView } from "../../src/coordinator/domain/arcs";

const T0 = 1_900_000_000n;
const D = 600n;
const SECRET = "0x" + "77".repeat(32);
const ALL_TWO_PARTY = Object.keys(TRANSITIONS) as SwapStatus[];

const plan2 = planHedgedSwap(
  {
    leader: new Wallet("0x" + "11".repeat(32)).address,
    follower: new Wallet("0x" + "22".repeat(32)).address,
    secret: SECRET,
    start: T0,
    delta: D,
    legA: { chainId: 1n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 100n, premiumAmount: 1n },
    legB: { chainId: 2n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", amount: 100n, premiumAmount: 3n },
  },
  { now: T0 },
);

function arcsOf(n: number): { terms: { timelocks: Timelocks } }[] {
  return Array.from({ length: n }, (_, i) => ({ terms: { timelocks: arcTimelocks(n, i, T0, D) } }));
}

function view(n: number, observed: LegObservation[], times: bigint[], recorded: CycleStatus = { phase: "accepted", step: 0 }): ArcsView {
  return { n, start: T0, delta: D, arcs: arcsOf(n), observed, times, recorded };
}

const NONE: LegObservation = { state: LegState.None };
const PREMIUM: LegObservation = { state: LegState.PremiumDeposited };
const ESCROWED: LegObservation = { state: LegState.Escrowed };
const REDEEMED: LegObservation = { state: LegState.None, outcome: "redeemed" };
const REFUNDED: LegObservation = { state: LegState.None, outcome: "refunded" };

const observation = fc.constantFrom<LegObservation>(
  NONE,
  PREMIUM,
  ESCROWED,
  { state: LegState.Aborted },
  { state: LegState.Aborted, outcome: "aborted" },
  REDEEMED,
  REFUNDED,
  { state: LegState.None, outcome: "premiumRefunded" },
);

describe("coordinator domain: swaps as cycles of arcs", function () {
  describe("the transition table generic over n", function () {
    it("for n = 2 allows exactly the moves of the two-party table, status by status", function () {
      for (const from of ALL_TWO_PARTY) {
        for (const to of ALL_TWO_PARTY) {
          if (from === to) continue;
          const generic = mayMove(2, phaseOfTwoPartyStatus(from), phaseOfTwoPartyStatus(to));
          expect(generic, `${from} → ${to}`).to.equal(TRANSITIONS[from].includes(to));
        }
      }
    });

    it("names every status of a 2-cycle with its two-party name and back", function () {
      const names = cycleStatuses(2).map(twoPartyStatus);
      expect([...names].sort()).to.deep.equal([...ALL_TWO_PARTY].sort());
      for (const s of ALL_TWO_PARTY) expect(twoPartyStatus(phaseOfTwoPartyStatus(s))).to.equal(s);
    });

    it("lists 2n + 6 statuses per n: accepted, n premium steps, n escrow steps, then committed … settled", function () {
      for (let n = 2; n <= 8; n++) {
        const all = cycleStatuses(n);
        expect(all.length).to.equal(1 + 2 * n + 5);
        expect(all.filter((s) => s.phase === "premiums").map((s) => s.step)).to.deep.equal(Array.from({ length: n }, (_, k) => k + 1));
        expect(all.filter((s) => s.phase === "escrows").map((s) => s.step)).to.deep.equal(Array.from({ length: n }, (_, k) => n + 1 + k));
      }
    });

    it("moves forward along the happy path for every n, never back, and leaves final phases never", function () {
      for (let n = 2; n <= 8; n++) {
        const happy = cycleStatuses(n).filter((s) => s.phase !== "aborting" && s.phase !== "settled");
        for (let i = 0; i < happy.length; i++) {
          for (let j = 0; j < happy.length; j++) {
            if (i === j) continue;
            expect(mayMove(n, happy[i]!, happy[j]!), `${n}: ${statusLabel(happy[i]!)} → ${statusLabel(happy[j]!)}`).to.equal(j > i);
          }
        }
        for (const s of cycleStatuses(n)) {
          if (s.phase === "completed" || s.phase === "settled") expect(cycleStatuses(n).some((t) => mayMove(n, s, t))).to.equal(false);
        }
      }
      expect(PHASE_TRANSITIONS.revealed).to.not.include("aborting");
    });

    it("refuses a step outside its phase's range or a size outside [2, 8] with InvalidArgumentError", function () {
      expect(() => mayMove(3, { phase: "premiums", step: 4 }, { phase: "settled", step: 0 })).to.throw(InvalidArgumentError, /step/);
      expect(() => mayMove(3, { phase: "escrows", step: 3 }, { phase: "settled", step: 0 })).to.throw(InvalidArgumentError, /step/);
      expect(() => mayMove(9, { phase: "accepted", step: 0 }, { phase: "settled", step: 0 })).to.throw(InvalidArgumentError, /n/);
      expect(() => phaseOfTwoPartyStatus("nonsense" as SwapStatus)).to.throw(InvalidArgumentError, /status/);
    });
  });

  describe("arc status", function () {
    it("follows the contract's life cycle: open, premium, escrowed, then one final outcome; never created past its premium deadline is expired", function () {
      const t = arcTimelocks(3, 1, T0, D);
      expect(arcStatusOf(NONE, t, t.premiumDeadline)).to.equal("open");
      expect(arcStatusOf(NONE, t, t.premiumDeadline + 1n)).to.equal("expired");
      expect(arcStatusOf(PREMIUM, t, T0)).to.equal("premium");
      expect(arcStatusOf(ESCROWED, t, T0)).to.equal("escrowed");
      expect(arcStatusOf(REDEEMED, t, T0)).to.equal("redeemed");
      expect(arcStatusOf({ state: LegState.Aborted }, t, T0)).to.equal("aborted");
      for (const [from, tos] of Object.entries(ARC_TRANSITIONS)) for (const to of tos) expect(to).to.not.equal(from);
      expect(["redeemed", "refunded", "premiumRefunded", "aborted", "expired"].every((s) => isFinalArc(s as never))).to.equal(true);
    });
  });

  describe("the swap's status from its arcs", function () {
    it("for n = 2 is exactly decide()'s status on random observations, clocks and recorded statuses", function () {
      const times = fc.bigInt({ min: T0 - 10n, max: T0 + 7n * D + 10n });
      fc.assert(
        fc.property(observation, observation, times, times, fc.constantFrom(...ALL_TWO_PARTY.filter((s) => s !== "completed" && s !== "settled")), (legA, legB, timeA, timeB, status) => {
          const expected = decide({
            plan: plan2,
            roles: { leader: true, follower: true },
            status,
            legA,
            legB,
            timeA,
            timeB,
            pending: new Set(),
            margins: { reaction: 0n, chainA: NO_CHAIN_DELAY, chainB: NO_CHAIN_DELAY },
            settleGrace: 0n,
          }).status;
          const generic = cycleStatusOf({
            n: 2,
            start: plan2.offer.start,
            delta: plan2.offer.delta,
            arcs: [plan2.legA, plan2.legB],
            observed: [legA, legB],
            times: [timeA, timeB],
            recorded: phaseOfTwoPartyStatus(status),
          });
          // decide() also moves to aborting when the reveal margin fails; with no margins that never happens here.
          expect(twoPartyStatus(generic)).to.equal(expected);
        }),
        { numRuns: 5000, seed: 13 },
      );
    });

    it("walks a 3-cycle's steps: premiums backwards from arc 2, escrows forwards from arc 0, then revealed and completed", function () {
      const t = (k: number) => T0 + BigInt(k) * D - 1n;
      const at = (k: number) => [t(k), t(k), t(k)];
      expect(cycleStatusOf(view(3, [NONE, NONE, NONE], at(1)))).to.deep.equal({ phase: "accepted", step: 0 });
      expect(cycleStatusOf(view(3, [NONE, NONE, PREMIUM], at(1)))).to.deep.equal({ phase: "premiums", step: 1 });
      expect(cycleStatusOf(view(3, [NONE, PREMIUM, PREMIUM], at(2)))).to.deep.equal({ phase: "premiums", step: 2 });
      expect(cycleStatusOf(view(3, [PREMIUM, PREMIUM, PREMIUM], at(3)))).to.deep.equal({ phase: "premiums", step: 3 });
      expect(cycleStatusOf(view(3, [ESCROWED, PREMIUM, PREMIUM], at(4)))).to.deep.equal({ phase: "escrows", step: 4 });
      expect(cycleStatusOf(view(3, [ESCROWED, ESCROWED, PREMIUM], at(5)))).to.deep.equal({ phase: "escrows", step: 5 });
      expect(cycleStatusOf(view(3, [ESCROWED, ESCROWED, ESCROWED], at(6)))).to.deep.equal({ phase: "escrows", step: 6 });
      expect(cycleStatusOf(view(3, [ESCROWED, ESCROWED, ESCROWED], at(7), { phase: "committed", step: 0 }))).to.deep.equal({ phase: "committed", step: 0 });
      expect(cycleStatusOf(view(3, [ESCROWED, ESCROWED, REDEEMED], at(8)))).to.deep.equal({ phase: "revealed", step: 0 });
      expect(cycleStatusOf(view(3, [REDEEMED, REDEEMED, REDEEMED], at(9)))).to.deep.equal({ phase: "completed", step: 0 });
    });

    it("is aborting once any step is missed on its own arc's chain clock, and settled when every arc is final but not all redeemed", function () {
      // Carol (party 2) deposited her premium on arc 1 (step 2) but the leader's premium on arc 0 never came by step 3.
      const late = T0 + 3n * D + 1n;
      expect(cycleStatusOf(view(3, [NONE, PREMIUM, PREMIUM], [late, T0, T0]))).to.deep.equal({ phase: "aborting", step: 0 });
      // The same on a chain whose clock is still before the deadline: not yet.
      expect(cycleStatusOf(view(3, [NONE, PREMIUM, PREMIUM], [late - 2n, late + 1000n, late + 1000n]))).to.deep.equal({ phase: "premiums", step: 2 });
      // Arc 1 not escrowed by step 5 on chain 1.
      expect(cycleStatusOf(view(3, [ESCROWED, PREMIUM, PREMIUM], [T0, T0 + 5n * D + 1n, T0]))).to.deep.equal({ phase: "aborting", step: 0 });
      // A recorded commit stands until arc 2's timeout (step 7), then it is aborting.
      const committed: CycleStatus = { phase: "committed", step: 0 };
      expect(cycleStatusOf(view(3, [ESCROWED, ESCROWED, ESCROWED], [T0, T0, T0 + 7n * D], committed)).phase).to.equal("committed");
      expect(cycleStatusOf(view(3, [ESCROWED, ESCROWED, ESCROWED], [T0, T0, T0 + 7n * D + 1n], committed)).phase).to.equal("aborting");
      const far = T0 + 10n * D;
      expect(cycleStatusOf(view(3, [REFUNDED, REFUNDED, REFUNDED], [far, far, far]))).to.deep.equal({ phase: "settled", step: 0 });
      expect(cycleStatusOf(view(3, [REFUNDED, REDEEMED, REDEEMED], [far, far, far]))).to.deep.equal({ phase: "settled", step: 0 });
    });

    it("reports the furthest step shown for n up to 8, out-of-order steps included", function () {
      for (let n = 2; n <= 8; n++) {
        const observed = Array.from({ length: n }, () => NONE);
        expect(furthestStep(n, observed)).to.equal(0);
        observed[n - 1] = PREMIUM;
        expect(furthestStep(n, observed)).to.equal(1);
        observed[0] = PREMIUM;
        expect(furthestStep(n, observed)).to.equal(n);
        observed[n - 1] = ESCROWED;
        expect(furthestStep(n, observed)).to.equal(2 * n);
      }
    });

    it("refuses views whose arcs, observations and clocks are not n long", function () {
      expect(() => cycleStatusOf(view(3, [NONE, NONE], [T0, T0, T0]))).to.throw(InvalidArgumentError, /3 arcs/);
    });
  });
});
