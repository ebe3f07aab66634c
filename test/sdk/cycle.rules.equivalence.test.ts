/**
 * The two-party decision rule is the n = 2 case of the cycle rule: `decideNext`, `mayReveal`,
 * `legAClosed`, `nextStepCanLand` and `stepDeadline` of src/sdk/rules.ts are adapters over
 * src/sdk/cycleRules.ts. This property test asserts that on random two-party views they return exactly
 * what the pre-generalisation implementation returned (its frozen copy: fixtures/twoPartyRuleReference.ts),
 * and that the random views reach every step, every settlement and every kind of miss.
 */
import { expect } from "chai";
import fc from "fast-check";
import { Wallet } from "ethers";

import {
  LegState,
  NEXT_OWN_STEP,
  STEP_CHAIN,
  cycleNextOwnStep,
  cycleStepSlots,
  decideNext,
  legAClosed,
  mayReveal,
  nextStepCanLand,
  planHedgedSwap,
  planOption,
  stepDeadline,
  type ChainSafety,
  type LegObservation,
  type LegOutcome,
  type PartyView,
  type SwapPlan,
  type SwapTerms,
} from "../../src/sdk";
import { NEXT_OWN_STEP_REF, STEP_CHAIN_REF, decideNextRef, legAClosedRef, mayRevealRef, nextStepCanLandRef, stepDeadlineRef } from "./fixtures/twoPartyRuleReference";

const T0 = 1_900_000_000n;
const SECRET = "0x" + "5a".repeat(32);
const OTHER = "0x" + "a5".repeat(32);
/** How many random views each property draws. */
const RUNS = 6000;

function terms(delta: bigint): SwapTerms {
  return {
    leader: new Wallet("0x" + "11".repeat(32)).address,
    follower: new Wallet("0x" + "22".repeat(32)).address,
    secret: SECRET,
    start: T0,
    delta,
    legA: { chainId: 1n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 100n, premiumAmount: 1n },
    legB: { chainId: 2n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", amount: 100n, premiumAmount: 3n },
  };
}

/** A few plans of different Δ (the rule only reads their deadlines), a hedged swap and an option. */
const PLANS: SwapPlan[] = [
  planHedgedSwap(terms(10n), { now: T0, minDelta: 1n }),
  planHedgedSwap(terms(40n), { now: T0, minDelta: 1n }),
  planOption(terms(120n), { now: T0, minDelta: 1n }),
  planHedgedSwap(terms(3600n), { now: T0, minDelta: 1n }),
];

const OUTCOMES: (LegOutcome | undefined)[] = [undefined, "redeemed", "refunded", "premiumRefunded", "aborted"];
const leg: fc.Arbitrary<LegObservation> = fc
  .record({
    state: fc.constantFrom(LegState.None, LegState.PremiumDeposited, LegState.Escrowed, LegState.Aborted),
    // Mostly a leg still open (no outcome), so that the steps are reached often.
    outcome: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom(...OUTCOMES), weight: 2 }),
  })
  .map(({ state, outcome }) => (outcome === undefined ? { state } : { state, outcome }));

const chain: fc.Arbitrary<ChainSafety> = fc.record({
  inclusionTime: fc.bigInt({ min: 0n, max: 12n }),
  confirmationTime: fc.bigInt({ min: 0n, max: 12n }),
  clockSkew: fc.bigInt({ min: 0n, max: 8n }),
});

const PENDING_KEYS = ["depositPremium", "escrow", "redeem", "settle"].flatMap((a) => [`${a}:A`, `${a}:B`]).concat(["escrow:0", "redeem:1", "junk"]);

/** A random two-party view: times near one of the deadlines T0 + kΔ (k = 0 … 7) on each chain, independently. */
const view: fc.Arbitrary<PartyView> = fc
  .record({
    plan: fc.constantFrom(...PLANS),
    roles: fc.record({ leader: fc.boolean(), follower: fc.boolean() }),
    legA: leg,
    legB: leg,
    kA: fc.integer({ min: 0, max: 7 }),
    kB: fc.integer({ min: 0, max: 7 }),
    jitterA: fc.integer({ min: -60, max: 60 }),
    jitterB: fc.integer({ min: -60, max: 60 }),
    leaderSecret: fc.option(fc.constant(SECRET), { nil: undefined }),
    revealedSecret: fc.option(fc.constantFrom(SECRET, OTHER), { nil: undefined }),
    clockOffset: fc.option(fc.oneof(fc.bigInt({ min: -12n, max: 12n }), fc.bigInt({ min: -200n, max: 200n })), { nil: undefined }),
    noReveal: fc.option(fc.boolean(), { nil: undefined }),
    noEscrow: fc.option(fc.boolean(), { nil: undefined }),
    pending: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.subarray(PENDING_KEYS, { maxLength: 3 }), weight: 1 }),
    reaction: fc.bigInt({ min: 0n, max: 20n }),
    chainA: chain,
    chainB: chain,
    settleGrace: fc.bigInt({ min: 0n, max: 30n }),
    haltAfterStep: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined, freq: 2 }),
  })
  .map((r): PartyView => {
    const delta = r.plan.offer.delta;
    return {
      plan: r.plan,
      roles: r.roles,
      legA: r.legA,
      legB: r.legB,
      timeA: T0 + BigInt(r.kA) * delta + BigInt(r.jitterA),
      timeB: T0 + BigInt(r.kB) * delta + BigInt(r.jitterB),
      ...(r.leaderSecret !== undefined ? { leaderSecret: r.leaderSecret } : {}),
      ...(r.revealedSecret !== undefined ? { revealedSecret: r.revealedSecret } : {}),
      ...(r.clockOffset !== undefined ? { clockOffset: r.clockOffset } : {}),
      ...(r.noReveal !== undefined ? { noReveal: r.noReveal } : {}),
      ...(r.noEscrow !== undefined ? { noEscrow: r.noEscrow } : {}),
      pending: new Set(r.pending),
      margins: { reaction: r.reaction, chainA: r.chainA, chainB: r.chainB },
      settleGrace: r.settleGrace,
      ...(r.haltAfterStep !== undefined ? { haltAfterStep: r.haltAfterStep } : {}),
    };
  });

describe("cycle rule, n = 2: the two-party rule's adapters equal the frozen pre-generalisation rule", function () {
  this.timeout(120_000);

  it(`decideNext returns exactly the reference's intents and misses on ${RUNS} random views, which reach steps 1–6, both settlers and every kind of miss`, function () {
    const seen = new Set<string>();
    fc.assert(
      fc.property(view, (v) => {
        const got = decideNext(v);
        expect(got).to.deep.equal(decideNextRef(v));
        for (const i of got.intents) seen.add(i.step === "settle" ? `settle:${i.leg}:${i.as}` : `step:${i.step}`);
        for (const m of got.missed) seen.add(`missed:${m.step}:${m.reason}`);
      }),
      { numRuns: RUNS, seed: 20270101 },
    );
    const wanted = [
      ...[1, 2, 3, 4, 5, 6].map((k) => `step:${k}`),
      ...["A", "B"].flatMap((l) => ["leader", "follower"].map((as) => `settle:${l}:${as}`)),
      ...[1, 2, 3, 4].flatMap((k) => [`missed:${k}:deadline`, `missed:${k}:next-step`]),
      "missed:5:reveal-margin",
    ];
    expect(wanted.filter((w) => !seen.has(w)), "outcomes the random views never reached").to.deep.equal([]);
  });

  it(`mayReveal and legAClosed equal the reference on ${RUNS} random views, both true and false`, function () {
    const hits = { reveal: [0, 0], closed: [0, 0] };
    fc.assert(
      fc.property(view, (v) => {
        const reveal = mayReveal(v);
        const closed = legAClosed(v);
        expect(reveal).to.equal(mayRevealRef(v));
        expect(closed).to.equal(legAClosedRef(v));
        hits.reveal[reveal ? 1 : 0]!++;
        hits.closed[closed ? 1 : 0]!++;
      }),
      { numRuns: RUNS, seed: 20270102 },
    );
    expect(hits.reveal.every((h) => h > 0) && hits.closed.every((h) => h > 0), JSON.stringify(hits)).to.equal(true);
  });

  it(`nextStepCanLand (steps 1–4) and stepDeadline (steps 1–6) equal the reference on ${RUNS} random views, with fits and refusals for every step`, function () {
    const fits = new Set<string>();
    fc.assert(
      fc.property(view, (v) => {
        for (const k of [1, 2, 3, 4] as const) {
          const got = nextStepCanLand(v, k);
          expect(got).to.deep.equal(nextStepCanLandRef(v, k));
          fits.add(`${k}:${got.ok}`);
        }
        for (const k of [1, 2, 3, 4, 5, 6] as const) expect(stepDeadline(v.plan, k)).to.equal(stepDeadlineRef(v.plan, k));
      }),
      { numRuns: RUNS, seed: 20270103 },
    );
    expect([...fits].sort()).to.deep.equal(["1:false", "1:true", "2:false", "2:true", "3:false", "3:true", "4:false", "4:true"]);
  });

  it("STEP_CHAIN and NEXT_OWN_STEP are the reference's and the cycle schedule's for n = 2 (arc 0 = leg A, arc 1 = leg B)", function () {
    expect(STEP_CHAIN).to.deep.equal(STEP_CHAIN_REF);
    expect(NEXT_OWN_STEP).to.deep.equal(NEXT_OWN_STEP_REF);
    for (const slot of cycleStepSlots(2)) expect(STEP_CHAIN[slot.step as 1], `step ${slot.step}`).to.equal(slot.arc === 0 ? "A" : "B");
    for (const k of [1, 2, 3, 4] as const) expect(cycleNextOwnStep(2, k)).to.deep.equal(NEXT_OWN_STEP[k]);
  });
});
