/**
 * fast-check arbitraries of the adversarial suite's runs, per mode. Times are drawn relative to the
 * swap's deadlines, with the boundaries weighted up: exactly at a deadline, one to three seconds late,
 * and a conforming party waking up from a stall just inside or outside its margins.
 */
import fc from "fast-check";

import type { At, ConsentUse, HostileAction, RunInput, Schedule, Wrong } from "./input";
import type { Mode, Step } from "./oracle";

/** Features a run may leave out (HEDGESWAP_ADVERSARY_EXCLUDE), to look for one kind of failure at a time. */
export type Feature = "capped" | "option" | "consent" | "reorg" | "bait" | "wrong" | "stall" | "late" | "settle" | "skip" | "earlyLoss";

const STEPS = [1, 2, 3, 4, 5, 6] as const;

function before(exclude: ReadonlySet<Feature>): fc.Arbitrary<number> {
  const options: fc.WeightedArbitrary<number>[] = [
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 20 }) },
    { weight: 2, arbitrary: fc.constant(0) },
  ];
  if (!exclude.has("late")) options.push({ weight: 1, arbitrary: fc.integer({ min: -3, max: -1 }) });
  return fc.oneof(...options);
}

function at(exclude: ReadonlySet<Feature>, steps: readonly Step[] = STEPS): fc.Arbitrary<At> {
  return fc.record({ step: fc.constantFrom(...steps), before: before(exclude) });
}

const wrong: fc.Arbitrary<Wrong> = fc.constantFrom("amount", "deadline", "asset", "escrow");

function step(s: Step, exclude: ReadonlySet<Feature>, allowWrong: boolean): fc.Arbitrary<HostileAction> {
  return fc.record({
    k: fc.constant("step" as const),
    step: fc.constant(s),
    at: fc.record({ step: fc.constant(s), before: before(exclude) }),
    // Without "late", a step sent at its deadline is mined at once (a step mined later is a late step).
    exact: exclude.has("late") ? fc.constant(true) : fc.boolean(),
    wrong: allowWrong ? wrong : fc.constant(undefined),
  });
}

const consentUse: fc.Arbitrary<ConsentUse> = fc.oneof(
  fc.constant({ kind: "now" as const }),
  fc.constant({ kind: "last" as const }),
  fc.record({ kind: fc.constant("after" as const), seconds: fc.integer({ min: 1, max: 30 }) }),
);

function extras(mode: Mode, exclude: ReadonlySet<Feature>): fc.Arbitrary<HostileAction>[] {
  const hostileSteps: Step[] = mode === "bob" ? [1, 3] : [2, 4];
  const out: fc.Arbitrary<HostileAction>[] = [];
  if (!exclude.has("bait")) {
    out.push(
      fc.record({
        k: fc.constant("bait" as const),
        at: at(exclude),
        chain: fc.constantFrom("A" as const, "B" as const),
        amount: fc.constantFrom("wei" as const, "less" as const, "full" as const),
        token: fc.constantFrom("agreed" as const, "agreed" as const, "other" as const),
        escrow: fc.constantFrom("agreed" as const, "agreed" as const, "wrong" as const),
        timeout: fc.constantFrom("short" as const, "legB" as const, "long" as const),
        to: fc.constantFrom("counterparty" as const, "carol" as const),
        reveal: mode === "bob" ? fc.boolean() : fc.constant(false),
      }),
    );
  }
  if (!exclude.has("consent")) {
    out.push(fc.record({ k: fc.constant("consent" as const), at: at(exclude), use: consentUse, frontRun: fc.boolean(), thenRedeemB: fc.boolean() }));
  }
  if (!exclude.has("reorg")) {
    out.push(
      fc.record({
        k: fc.constant("reorg" as const),
        at: at(exclude),
        chain: fc.constantFrom("A" as const, "B" as const),
        doomed: fc.constantFrom("step" as const, "step" as const, "bait" as const, "none" as const),
        looks: fc.constantFrom(1 as const, 2 as const),
      }),
    );
  }
  if (!exclude.has("settle")) out.push(fc.record({ k: fc.constant("settle" as const), at: at(exclude), leg: fc.constantFrom("A" as const, "B" as const) }));
  if (!exclude.has("wrong")) for (const s of hostileSteps) out.push(step(s, exclude, true));
  return out;
}

function schedule(exclude: ReadonlySet<Feature>): fc.Arbitrary<Schedule> {
  return fc.record({
    // Mostly 4-6 s between looks (fewer rounds per run), sometimes 2-3 (quick reactions).
    gaps: fc.array(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 4, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }), { minLength: 1, maxLength: 4 }),
    delays: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 2, arbitrary: fc.constant(4) }), { minLength: 1, maxLength: 3 }),
    fresh: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), { minLength: 1, maxLength: 3 }),
    stalls: exclude.has("stall")
      ? fc.constant([])
      : fc.array(
          fc.record({
            until: fc.record({
              step: fc.constantFrom<Step>(1, 2, 3, 4, 5, 5, 5, 5, 6),
              // Wake-ups just around the reaction margin (3 s) and the reveal margin (9 s) come up often.
              before: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(2, 3, 4) }, { weight: 1, arbitrary: fc.constantFrom(8, 9, 10) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 16 }) }),
            }),
            length: fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 20, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 19 }) }),
          }),
          { maxLength: 2 },
        ),
  });
}

/** The runs of one mode. */
export function runInput(mode: Mode, exclude: ReadonlySet<Feature> = new Set()): fc.Arbitrary<RunInput> {
  const agreed: Step[] = mode === "bob" ? [1, 3, 5] : mode === "both" ? [] : [2, 4];
  const extra = extras(mode, exclude);
  const hostile: fc.Arbitrary<HostileAction[]> =
    mode === "both"
      ? fc.constant([])
      : fc
          .tuple(
            // "skip": the counterparty may leave out any of its agreed steps.
            fc.tuple(...agreed.map((s) => (exclude.has("skip") ? step(s, exclude, false) : fc.option(step(s, exclude, false), { freq: 5, nil: null })))),
            extra.length === 0 ? fc.constant([]) : fc.array(fc.oneof(...extra), { maxLength: 4 }),
          )
          .map(([steps, more]) => [...steps.filter((s): s is HostileAction => s !== null), ...more]);
  return fc.record({
      kind: exclude.has("option") ? fc.constant("hedged-swap" as const) : fc.oneof({ weight: 4, arbitrary: fc.constant("hedged-swap" as const) }, { weight: 1, arbitrary: fc.constant("option" as const) }),
      cappedA: exclude.has("capped") ? fc.constant(false) : fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      cappedB: exclude.has("capped") ? fc.constant(false) : fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      schedule: schedule(exclude),
      hostile,
      redeemAfter: mode === "alice" || mode === "recover" ? fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })), { freq: 6, nil: null }) : fc.constant(null),
      // "earlyLoss": Alice may lose her state before her step 3 (then she never escrows leg A).
      loss:
        mode === "recover"
          ? fc.record({ step: exclude.has("earlyLoss") ? fc.constantFrom<Step>(4, 4, 5, 6) : fc.constantFrom<Step>(1, 2, 3, 3, 4, 4, 5, 6), before: fc.integer({ min: -10, max: 19 }) })
          : fc.constant(undefined),
      recoverGap: mode === "recover" ? fc.integer({ min: 2, max: 10 }) : fc.constant(undefined),
  });
}

/**
 * Narrow inputs around one known failure (HEDGESWAP_ADVERSARY_TARGET): to show, on a tree that has it,
 * that the suite's oracle catches it. They only restrict what is generated; the oracle is the same.
 * d1: recovery redeems a bait leg with the swap's hashlock; d2: the commit sent too close to leg B's
 * timeout, mined late; d3: merged payouts above a token's per-transfer limit; d4: the follower's consent
 * to abort leg A while leg B is escrowed; d5: one coordinator with both keys; reverse: the follower
 * escrows leg B although leg A can no longer be escrowed (it skipped its premium); elsewhere: the
 * leader reveals s on a leg other than leg B (a bait of her own), which the follower must use.
 */
export const TARGETS: Record<string, { readonly mode: Mode; readonly arbitrary: fc.Arbitrary<RunInput> }> = (() => {
  const plainSchedule = fc.record({
    gaps: fc.array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 3 }),
    delays: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    fresh: fc.constant([true]),
    stalls: fc.constant([]),
  });
  const agreedStep = (s: Step, min: number, max: number) =>
    fc.record({ k: fc.constant("step" as const), step: fc.constant(s), at: fc.record({ step: fc.constant(s), before: fc.integer({ min, max }) }), exact: fc.boolean(), wrong: fc.constant(undefined) });
  const base = { kind: fc.constant("hedged-swap" as const), cappedA: fc.constant(false), cappedB: fc.constant(false), loss: fc.constant(undefined), recoverGap: fc.constant(undefined) };
  const baitFields = {
    k: fc.constant("bait" as const),
    at: fc.record({ step: fc.constantFrom<Step>(3, 4, 5), before: fc.integer({ min: 1, max: 19 }) }),
    chain: fc.constantFrom("A" as const, "B" as const),
    amount: fc.constantFrom("wei" as const, "less" as const, "full" as const),
    token: fc.constant("agreed" as const),
    escrow: fc.constant("agreed" as const),
    timeout: fc.constantFrom("short" as const, "legB" as const, "long" as const),
    to: fc.constant("counterparty" as const),
    reveal: fc.constant(false),
  };
  const bait = fc.record(baitFields);
  return {
    d1: {
      mode: "recover",
      arbitrary: fc.record({
        ...base,
        schedule: plainSchedule,
        hostile: fc.tuple(agreedStep(2, 6, 19), fc.array(bait, { minLength: 1, maxLength: 3 })).map(([s, b]) => [s, ...b]),
        redeemAfter: fc.integer({ min: 0, max: 3 }),
        loss: fc.record({ step: fc.constantFrom<Step>(4, 5), before: fc.integer({ min: 5, max: 19 }) }),
        recoverGap: fc.integer({ min: 2, max: 8 }),
      }),
    },
    d2: {
      mode: "alice",
      arbitrary: fc.record({
        ...base,
        schedule: fc.record({
          gaps: fc.array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 3 }),
          delays: fc.constant([4]),
          fresh: fc.constant([true]),
          stalls: fc.tuple(fc.record({ until: fc.record({ step: fc.constant<Step>(5), before: fc.integer({ min: 2, max: 4 }) }), length: fc.integer({ min: 24, max: 40 }) })),
        }),
        hostile: fc.tuple(agreedStep(2, 5, 19), agreedStep(4, 1, 19)),
        redeemAfter: fc.integer({ min: 0, max: 5 }),
      }),
    },
    d3: {
      mode: "alice",
      arbitrary: fc.record({ ...base, cappedA: fc.constant(true), cappedB: fc.constant(true), schedule: plainSchedule, hostile: fc.tuple(agreedStep(2, 5, 19), agreedStep(4, 5, 19)), redeemAfter: fc.integer({ min: 0, max: 5 }) }),
    },
    d4: {
      mode: "bob",
      arbitrary: fc.record({
        ...base,
        schedule: plainSchedule,
        hostile: fc.tuple(
          agreedStep(1, 5, 19),
          agreedStep(3, 5, 19),
          fc.record({
            k: fc.constant("consent" as const),
            at: fc.record({ step: fc.constantFrom<Step>(4, 5), before: fc.integer({ min: 0, max: 15 }) }),
            use: fc.constant({ kind: "now" as const }),
            frontRun: fc.constant(false),
            thenRedeemB: fc.constant(true),
          }),
        ),
        redeemAfter: fc.constant(null),
      }),
    },
    d5: { mode: "both", arbitrary: fc.record({ ...base, schedule: plainSchedule, hostile: fc.constant([]), redeemAfter: fc.constant(null) }) },
    elsewhere: {
      mode: "bob",
      arbitrary: fc.record({
        ...base,
        schedule: plainSchedule,
        hostile: fc.tuple(
          agreedStep(1, 5, 19),
          agreedStep(3, 5, 19),
          fc.record({ ...baitFields, at: fc.record({ step: fc.constantFrom<Step>(2, 3, 4, 5), before: fc.integer({ min: 1, max: 19 }) }), to: fc.constantFrom("counterparty" as const, "carol" as const), reveal: fc.constant(true) }),
        ),
        redeemAfter: fc.constant(null),
      }),
    },
    reverse: {
      mode: "alice",
      arbitrary: fc.record({ ...base, schedule: plainSchedule, hostile: fc.tuple(agreedStep(4, 1, 19)), redeemAfter: fc.integer({ min: 0, max: 5 }) }),
    },
  };
})();
