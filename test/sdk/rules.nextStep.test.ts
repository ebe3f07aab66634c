/**
 * Issue 16, defect 3: the decision rule's next-step check (`nextStepCanLand` in src/sdk/rules.ts).
 * Before each of steps 1–4 the party checks that its own next step (k + 2) can still land under that
 * step's chain's measured clock if the counterparty's step in between comes at its deadline:
 * D(k+1) + offset + seen + needs ≤ D(k+2). The defect: chain A's clock 5.75Δ ahead after step 3, and
 * the follower escrowed leg B although its step 6 on chain A could no longer land in time.
 */
import { expect } from "chai";
import { Wallet } from "ethers";

import { LegState, NEXT_OWN_STEP, STEP_CHAIN, decideNext, nextStepCanLand, planHedgedSwap, stepDeadline, type LegObservation, type PartyView, type SafetyMargins, type SwapPlan } from "../../src/sdk";

const T0 = 1_900_000_000n;
/** Δ of the fault suite (test/coordinator/faults.test.ts). */
const D = 40n;
const SECRET = "0x" + "77".repeat(32);
const NONE: LegObservation = { state: LegState.None };
const PREMIUM: LegObservation = { state: LegState.PremiumDeposited };
const ESCROWED: LegObservation = { state: LegState.Escrowed };
/** The coordinator tests' figures: 1 confirmation of 1 s, inclusion 2 s, configured skew 2 s, reaction 3 s. */
const CHAIN = { inclusionTime: 2n, confirmationTime: 1n, clockSkew: 2n };
const MARGINS: SafetyMargins = { reaction: 3n, chainA: CHAIN, chainB: CHAIN };

function plan(delta = D): SwapPlan {
  return planHedgedSwap(
    {
      leader: new Wallet("0x" + "11".repeat(32)).address,
      follower: new Wallet("0x" + "22".repeat(32)).address,
      secret: SECRET,
      start: T0,
      delta,
      legA: { chainId: 1n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 100n, premiumAmount: 1n },
      legB: { chainId: 2n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", amount: 100n, premiumAmount: 3n },
    },
    { now: T0, minDelta: 1n },
  );
}

const at = (k: number, plus = 0n) => T0 + BigInt(k) * D + plus;

function view(p: Partial<PartyView>): PartyView {
  return { plan: plan(), roles: { leader: true, follower: true }, legA: NONE, legB: NONE, timeA: T0 + 1n, timeB: T0 + 1n, pending: new Set(), margins: MARGINS, settleGrace: 5n, ...p };
}

const follower = { leader: false, follower: true } as const;
const leader = { leader: true, follower: false } as const;
const steps = (v: PartyView) => decideNext(v).intents.map((i) => `${i.step}:${i.as}`);

/** The state before each of steps 1–4, both roles held. */
const BEFORE: Record<1 | 2 | 3 | 4, Partial<PartyView>> = {
  1: {},
  2: { legB: PREMIUM },
  3: { legA: PREMIUM, legB: PREMIUM },
  4: { legA: ESCROWED, legB: PREMIUM },
};

describe("decision rule: the party's next step must still land under the other chain's measured clock (issue 16, defect 3)", function () {
  it("the defect: chain A 5.75Δ ahead after step 3 → the follower does not escrow leg B (step 4), reported as next-step with step 6, its deadline and the offset", function () {
    const jump = (23n * D) / 4n; // 5.75Δ = 230 s
    const v = view({ roles: follower, legA: ESCROWED, legB: PREMIUM, timeB: T0 + 4n, timeA: T0 + 4n + jump });
    const d = decideNext(v);
    expect(d.intents).to.deep.equal([]);
    expect(d.missed).to.deep.equal([{ step: 4, reason: "next-step", deadline: at(4), next: { step: 6, deadline: at(6), offset: jump } }]);
    // Step 4 itself could still land on chain B with the reaction margin: only the next step is in the way.
    expect(v.timeB + MARGINS.reaction <= at(4)).to.equal(true);
  });

  it("step 4 → 6 at its boundary: D(5) + offset + reaction + inclusion(A) + skew ≤ D(6), with no confirmation of step 5 (s is used at any depth)", function () {
    // 40 − (3 + 2 + 2) = 33 s of chain A ahead of chain B is the most that still fits.
    const base = { roles: follower, legA: ESCROWED, legB: PREMIUM, timeB: T0 + 4n };
    expect(steps(view({ ...base, timeA: T0 + 4n + 33n }))).to.deep.equal(["4:follower"]);
    expect(decideNext(view({ ...base, timeA: T0 + 4n + 34n })).missed).to.deep.equal([{ step: 4, reason: "next-step", deadline: at(4), next: { step: 6, deadline: at(6), offset: 34n } }]);
    // Chain B's confirmations do not count before step 6; chain A's inclusion time does.
    const slowB = { ...MARGINS, chainB: { ...CHAIN, confirmationTime: 30n } };
    expect(steps(view({ ...base, timeA: T0 + 4n + 33n, margins: slowB }))).to.deep.equal(["4:follower"]);
    const slowA = { ...MARGINS, chainA: { ...CHAIN, inclusionTime: 3n } };
    expect(steps(view({ ...base, timeA: T0 + 4n + 33n, margins: slowA }))).to.deep.equal([]);
  });

  it("step 2 is refused when chain B's clock is far ahead of chain A's (step 4 on B could not land after step 3 at its deadline)", function () {
    // 2 → 4: D(3) + (timeB − timeA) + confirmation(A) + reaction + inclusion(B) + skew ≤ D(4): at most 40 − 8 = 32 s.
    const base = { roles: follower, legB: PREMIUM, timeA: T0 + 5n };
    expect(steps(view({ ...base, timeB: T0 + 5n + 32n }))).to.deep.equal(["2:follower"]);
    const far = decideNext(view({ ...base, timeB: T0 + 5n + 33n }));
    expect(far.intents).to.deep.equal([]);
    expect(far.missed).to.deep.equal([{ step: 2, reason: "next-step", deadline: at(2), next: { step: 4, deadline: at(4), offset: 33n } }]);
    expect(steps(view({ ...base, timeB: T0 + 5n + 3n * D }))).to.deep.equal([]);
  });

  it("normal skews within the configured bound leave every step taken, on the happy path and with either chain ahead or behind", function () {
    for (const skew of [-2n, -1n, 0n, 1n, 2n]) {
      for (const k of [1, 2, 3, 4] as const) {
        const t = T0 + 5n;
        const v = view({ ...BEFORE[k], timeA: t + skew, timeB: t });
        expect(decideNext(v).missed, `step ${k}, chain A ${skew} s ahead`).to.deep.equal([]);
        expect(steps(v), `step ${k}, chain A ${skew} s ahead`).to.have.length(1);
        expect(steps(v)[0]!.startsWith(`${k}:`)).to.equal(true);
      }
    }
    // The next step's chain far behind the other is never in the way (a negative offset leaves it more time).
    expect(steps(view({ ...BEFORE[2], timeA: T0 + 5n, timeB: T0 + 5n - 3n * D }))).to.deep.equal(["2:follower"]);
    expect(steps(view({ ...BEFORE[4], timeA: T0 + 5n, timeB: T0 + 5n + 2n * D }))).to.deep.equal(["4:follower"]);
  });

  it("the same-chain cases (1 → 3 on A, 3 → 5 on B) do not depend on the offset between the chains", function () {
    for (const offset of [-3n * D, -D, 0n, D, 3n * D]) {
      // Step 1 (leader, B): its step 3 is on chain A like the follower's step 2 before it.
      expect(steps(view({ roles: leader, timeB: T0 + 5n, timeA: T0 + 5n + offset })), `step 1, offset ${offset}`).to.deep.equal(["1:leader"]);
      expect(nextStepCanLand(view({ timeB: T0 + 5n, timeA: T0 + 5n + offset }), 1)).to.include({ ok: true, offset: 0n });
      // Step 3 (leader, A): its step 5 is on chain B like the follower's step 4 before it.
      expect(steps(view({ roles: leader, legA: PREMIUM, legB: PREMIUM, timeA: T0 + 5n, timeB: T0 + 5n + offset })), `step 3, offset ${offset}`).to.deep.equal(["3:leader"]);
      expect(nextStepCanLand(view({ timeA: T0 + 5n, timeB: T0 + 5n + offset }), 3)).to.include({ ok: true, offset: 0n });
    }
  });

  it("before step 5 the whole reveal margin counts on top of seeing step 4: a Δ too small for it refuses step 3", function () {
    // 3 → 5: D(4) + confirmation(B) + (inclusion + confirmation + skew + reaction of B) ≤ D(5).
    const tooSlow = { ...MARGINS, chainB: { inclusionTime: 15n, confirmationTime: 9n, clockSkew: 5n } }; // 9 + 15 + 9 + 5 + 3 = 41 > 40
    const justFits = { ...MARGINS, chainB: { inclusionTime: 15n, confirmationTime: 8n, clockSkew: 5n } }; // 8 + 15 + 8 + 5 + 3 = 39
    const v = { roles: leader, legA: PREMIUM, legB: PREMIUM, timeA: T0 + 5n, timeB: T0 + 5n };
    expect(steps(view({ ...v, margins: justFits }))).to.deep.equal(["3:leader"]);
    expect(decideNext(view({ ...v, margins: tooSlow })).missed).to.deep.equal([{ step: 3, reason: "next-step", deadline: at(3), next: { step: 5, deadline: at(5), offset: 0n } }]);
  });

  it("an own step already too late is reported as deadline, not next-step; a step not held or pending is not judged", function () {
    const jump = 6n * D;
    expect(decideNext(view({ roles: follower, legA: ESCROWED, legB: PREMIUM, timeB: at(4, -2n), timeA: at(4, -2n) + jump })).missed).to.deep.equal([{ step: 4, reason: "deadline", deadline: at(4) }]);
    expect(decideNext(view({ roles: leader, legA: ESCROWED, legB: PREMIUM, timeB: T0 + 4n, timeA: T0 + 4n + jump })).missed).to.deep.equal([]);
    expect(decideNext(view({ roles: follower, legA: ESCROWED, legB: PREMIUM, timeB: T0 + 4n, timeA: T0 + 4n + jump, pending: new Set(["escrow:B"]) })).missed).to.deep.equal([]);
  });

  it("leaves steps 5 and 6 and the settlements as they were: chain A far ahead does not stop the follower's step 6 nor the leader's reveal", function () {
    const jump = (23n * D) / 4n;
    const v = view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET, timeB: at(4, 2n), timeA: at(4, 2n) + jump - 4n * D });
    expect(steps(v)).to.deep.equal(["5:leader"]);
    expect(steps({ ...v, revealedSecret: SECRET })).to.deep.equal(["5:leader", "6:follower"]);
  });

  it("nextStepCanLand gives, for each of steps 1–4, the in-between and next step, the offset and the figures of the formula", function () {
    expect(NEXT_OWN_STEP).to.deep.equal({ 1: { between: 2, next: 3 }, 2: { between: 3, next: 4 }, 3: { between: 4, next: 5 }, 4: { between: 5, next: 6 } });
    expect(STEP_CHAIN).to.deep.equal({ 1: "B", 2: "A", 3: "A", 4: "B", 5: "B", 6: "A" });
    const p = plan();
    expect(([1, 2, 3, 4, 5, 6] as const).map((k) => stepDeadline(p, k))).to.deep.equal([1, 2, 3, 4, 5, 6].map((k) => at(k)));
    const margins: SafetyMargins = { reaction: 3n, chainA: { inclusionTime: 2n, confirmationTime: 1n, clockSkew: 2n }, chainB: { inclusionTime: 4n, confirmationTime: 6n, clockSkew: 5n } };
    const v = view({ timeA: T0 + 10n, timeB: T0 + 7n, margins });
    const pick = (k: 1 | 2 | 3 | 4) => {
      const c = nextStepCanLand(v, k);
      return { ok: c.ok, between: c.between, step: c.step, deadline: c.deadline - T0, offset: c.offset, startBy: c.startBy - T0, needs: c.needs };
    };
    expect(pick(1)).to.deep.equal({ ok: true, between: 2, step: 3, deadline: 3n * D, offset: 0n, startBy: 2n * D + 1n, needs: 3n + 2n + 2n });
    // 2 → 4: offset timeB − timeA = −3; seen on A (1 s); inclusion on B (4 s); skew the larger of the two (5 s).
    expect(pick(2)).to.deep.equal({ ok: true, between: 3, step: 4, deadline: 4n * D, offset: -3n, startBy: 3n * D - 3n + 1n, needs: 3n + 4n + 5n });
    // 3 → 5: seen on B (6 s), then the reveal margin of B: 4 + 6 + 5 + 3.
    expect(pick(3)).to.deep.equal({ ok: true, between: 4, step: 5, deadline: 5n * D, offset: 0n, startBy: 4n * D + 6n, needs: 18n });
    // 4 → 6: offset timeA − timeB = +3; nothing to wait for (s at any depth); inclusion on A, skew the larger.
    expect(pick(4)).to.deep.equal({ ok: true, between: 5, step: 6, deadline: 6n * D, offset: 3n, startBy: 5n * D + 3n, needs: 3n + 2n + 5n });
  });
});
