/**
 * What one run of the adversarial cycle property is made of (n = 3, `PROTOCOLS.md` §7), and its
 * fast-check arbitraries. One party conforms (its coordinator, in process): the leader P0, P1 or P2,
 * drawn. The two others are hostile and act with raw contract calls at times drawn relative to the
 * cycle's step deadlines (T0 + kΔ, k = 1 … 9), boundaries weighted up (exactly at a deadline, one to
 * three seconds late): their premium and their escrow each on time, early, out of order, exactly at the
 * deadline, late (reverted) or never; redeems with s (the hostile leader knows s, and so do its
 * colluders), at any time, or as soon as they see it (`watch`), or never; bait legs of the hostile
 * leader's own with the cycle's hashlock on any chain, redeemed at once (s public early, elsewhere);
 * settlements of any arc at any time (reverted unless allowed).
 */
import fc from "fast-check";

/** A moment of the run: `before` seconds before T0 + step·Δ (negative: after). */
export interface CycleAt {
  readonly step: number;
  readonly before: number;
}

export type CycleHostileAction =
  /** Party `party`'s agreed premium (on its incoming arc). `exact`: mined at once, in a block at that very second. */
  | { readonly k: "premium"; readonly party: number; readonly at: CycleAt; readonly exact: boolean }
  /** Party `party`'s agreed escrow of its outgoing arc, whatever the other arcs show. */
  | { readonly k: "escrow"; readonly party: number; readonly at: CycleAt; readonly exact: boolean }
  /** Party `party` redeems its incoming arc with s (only if it knows s: the leader, or a colluder of a hostile leader). */
  | { readonly k: "redeem"; readonly party: number; readonly at: CycleAt; readonly exact: boolean }
  /** The hostile leader locks a 1-wei plain leg with the cycle's hashlock on `chain` to a hostile party and redeems it at once. */
  | { readonly k: "bait"; readonly at: CycleAt; readonly chain: number; readonly exact: boolean }
  /** A hostile party settles `arc` (reverted unless its deadline has passed). */
  | { readonly k: "settle"; readonly arc: number; readonly at: CycleAt };

export interface CycleSchedule {
  /** Seconds between two looks of the conforming coordinator, cycled. */
  readonly gaps: readonly number[];
  /** Seconds after the head it saw by which its transactions are mined (1 … inclusionTime + clockSkew), cycled. */
  readonly delays: readonly number[];
  /** Whether a block is mined on every chain right before a look, cycled (else the head may be up to clockSkew old). */
  readonly fresh: readonly boolean[];
}

export interface CycleRunInput {
  /** The conforming party: 0 (the leader), 1 or 2. */
  readonly conforming: number;
  readonly schedule: CycleSchedule;
  readonly hostile: readonly CycleHostileAction[];
  /** Per party (the conforming one's entry unused): seconds after s first goes out (a mempool or a block) until it redeems its incoming arc; null: never. */
  readonly watch: readonly (number | null)[];
}

const N = 3;
/** The premium step of party p (on arc p−1): P0 step 1, P2 step 2, P1 step 3. */
export const premiumStep = (p: number) => ((N - p) % N) + 1;
/** The escrow step of party p (of arc p). */
export const escrowStep = (p: number) => N + 1 + p;

function before(): fc.Arbitrary<number> {
  return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: -1 }) });
}

function at(steps: readonly number[]): fc.Arbitrary<CycleAt> {
  return fc.record({ step: fc.constantFrom(...steps), before: before() });
}

function schedule(): fc.Arbitrary<CycleSchedule> {
  return fc.record({
    gaps: fc.array(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 4, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }), { minLength: 1, maxLength: 4 }),
    delays: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 2, arbitrary: fc.constant(4) }), { minLength: 1, maxLength: 3 }),
    fresh: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), { minLength: 1, maxLength: 3 }),
  });
}

/** The hostile actions of party p (hostile), given whether the leader is hostile too. */
function partyActions(p: number, leaderHostile: boolean): fc.Arbitrary<CycleHostileAction[]> {
  const own = premiumStep(p);
  const premium = fc.option(
    fc.record({ k: fc.constant("premium" as const), party: fc.constant(p), at: at([own, own, own, own + 1]), exact: fc.boolean() }),
    { freq: 8, nil: null },
  );
  // Escrows on time (weighted), or early and out of order: anywhere from step 2 to the step after its own.
  const e = escrowStep(p);
  const escrow = fc.option(
    fc.record({ k: fc.constant("escrow" as const), party: fc.constant(p), at: at([e, e, e, e, e, e, 2, 3, 4, 5, 6, e + 1].filter((s) => s <= 7)), exact: fc.boolean() }),
    { freq: 8, nil: null },
  );
  const redeems = leaderHostile
    ? fc.array(fc.record({ k: fc.constant("redeem" as const), party: fc.constant(p), at: at([4, 5, 6, 7, 7, 8, 9]), exact: fc.boolean() }), { maxLength: 2 })
    : fc.constant([]);
  return fc.tuple(premium, escrow, redeems).map(([a, b, r]) => [...(a ? [a] : []), ...(b ? [b] : []), ...r]);
}

/** The runs of the cycle property (the conforming party drawn, or fixed). */
export function cycleRunInput(conforming?: number): fc.Arbitrary<CycleRunInput> {
  const who = conforming === undefined ? fc.constantFrom(0, 1, 2) : fc.constant(conforming);
  return who.chain((c) => {
    const hostile = [0, 1, 2].filter((p) => p !== c);
    const leaderHostile = c !== 0;
    const extras = fc.array(
      fc.oneof(
        ...(leaderHostile ? [fc.record({ k: fc.constant("bait" as const), at: at([1, 2, 3, 4, 5, 6, 7, 8]), chain: fc.constantFrom(0, 1, 2), exact: fc.boolean() })] : []),
        fc.record({ k: fc.constant("settle" as const), arc: fc.constantFrom(0, 1, 2), at: at([3, 4, 5, 6, 7, 8, 9]) }),
      ),
      { maxLength: 3 },
    );
    return fc.record({
      conforming: fc.constant(c),
      schedule: schedule(),
      hostile: fc.tuple(...hostile.map((p) => partyActions(p, leaderHostile)), extras).map((lists) => lists.flat()),
      watch: fc.tuple(...[0, 1, 2].map((p) => (p === c ? fc.constant(null) : fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })), { freq: 6, nil: null })))),
    });
  });
}
