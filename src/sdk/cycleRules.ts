/**
 * The decision rule of hedged cycles (`PROTOCOLS.md` §7, with §5 and §6): what a conforming process may
 * do next in an n-party cycle, given the parties whose keys it holds, what the chains show of every arc,
 * each chain's clock and the safety margins. Pure, no I/O. The two-party rule of `./rules` is this rule
 * with n = 2 (arc 0 is leg A, arc 1 leg B, party 0 the leader, party 1 the follower): `decideNext`,
 * `mayReveal`, `legAClosed` and `nextStepCanLand` there are thin adapters over the functions here, so
 * there is one rule, not a second copy per n.
 *
 * Arc i is the leg P_i → P_{i+1 mod n}: P_i escrows it, P_{i+1} deposits its premium and redeems it. The
 * rules, as a user reads them:
 * - **Premium steps k = 1 … n**: P_{(n−k+1) mod n} deposits the premium of arc n−k (the leader first, on
 *   arc n−1; then backwards), only once the premium of arc n−k+1 is in (k > 1; exactly: that arc is in
 *   state `PremiumDeposited` at its final block), and only while the arc is not created yet.
 * - **Escrow steps n+1+i**: P_i escrows arc i once arc i's premium is in, and for i = 0 every other arc's
 *   premium is in (deposited or escrowed), for i > 0 arc i−1 is escrowed.
 * - No premium or escrow step is taken once an arc was aborted, or once arc n−1 was redeemed (the commit
 *   is on chain).
 * - **The reveal, step 2n+1** (the leader redeems arc n−1, revealing s) is taken only when arc n−1 is
 *   escrowed at its final block and arc 0 is too — or can never be any more (`arc0Closed`) — and only if
 *   the redeem can be mined before arc n−1's timeout with the reveal margin of its chain to spare
 *   (`mayRevealCycle`), or s is public anyway.
 * - **Redeem steps 2n+1+j** (P_{n−j} redeems arc n−1−j) use s only once it is visible on a chain (a
 *   party's actions use only what that party knows), at any depth, while the arc's timeout has not passed.
 * - **Vows**: a leader that forswore revealing (`noReveal`) takes no escrow of arc 0 and no reveal while
 *   arc 0 is at stake; a party in `noEscrow` deposits no premium and escrows nothing.
 * - **The next step must still fit** (`cycleNextStepCanLand`): a party takes no premium or escrow step
 *   unless its own next step can still land if the step it waits for comes as late as its deadline.
 * - **Settlements**: an arc with only its premium past its escrow deadline pays its redeemer P_{i+1}; an
 *   escrowed arc past its timeout pays its escrower P_i. The party paid settles at once, the arc's other
 *   party after `settleGrace`.
 *
 * Every step k's deadline is read from its arc's timelocks (premium deadline, escrow deadline or timeout,
 * `cycleStepDeadline`), which a plan derives as `start + kΔ`.
 */
import { checkCycleSize, cycleStepSlots, type CycleStepSlot } from "./cycleSchedule";
import { InvalidArgumentError } from "./errors";
import { LegState } from "./leg";
import { revealMargin, wasCreated, wasEscrowed, type ChainSafety, type LegObservation } from "./observation";
import type { Timelocks } from "./timelocks";

/** Every margin the cycle rule applies, in seconds. */
export interface CycleMargins {
  /** The process's own reaction time (a restart included): no step starts closer than this to its deadline. */
  readonly reaction: bigint;
  /** The figures of each arc's chain, arc 0 first. */
  readonly chains: readonly ChainSafety[];
}

/** An arc as the rule needs it: its deadlines (a `PlannedArc` of a `CyclePlan`, or a `PlannedLeg`, fits). */
export interface CycleViewArc {
  readonly terms: { readonly timelocks: Timelocks };
}

/** Everything the cycle rule looks at, for one cycle and one process (which may hold several parties' keys). */
export interface CycleView {
  /** The number of parties and arcs, 2 … 8. */
  readonly n: number;
  /** Arc 0 … arc n−1 (a `CyclePlan`'s `arcs` fit). */
  readonly arcs: readonly CycleViewArc[];
  /** The agreed T0 and Δ (the arcs' deadlines are `start + kΔ`; the rule reads them from the timelocks). */
  readonly start: bigint;
  readonly delta: bigint;
  /** The indices of the parties whose keys this process holds (0: the leader). */
  readonly held: ReadonlySet<number>;
  /** Arc i as observed at its chain's final block. */
  readonly observed: readonly LegObservation[];
  /** Arc i's chain clock: the timestamp of its latest block. */
  readonly times: readonly bigint[];
  /**
   * Arc i's chain clock minus arc 0's chain clock, seconds, as measured (each chain's newest block against
   * the local time it was first seen); default `times[i] − times[0]`, which overstates a gap when a chain
   * has mined no block for a while.
   */
  readonly clockOffsets?: readonly bigint[];
  /** The leader's own secret: used by the leader (party 0) only, for the reveal. */
  readonly leaderSecret?: string;
  /** The secret as seen on a chain (revealed by a redeem, at any depth): usable by every party. */
  readonly revealedSecret?: string;
  /** The leader vowed never to reveal s (it consented to an abort): no escrow of arc 0, no reveal while arc 0 is at stake. */
  readonly noReveal?: boolean;
  /** Parties that vowed never to escrow (they consented to an abort): no premium deposit, no escrow. */
  readonly noEscrow?: ReadonlySet<number>;
  /** Open transactions of this process for the cycle, as `${action}:${arcIndex}`, e.g. `escrow:0`. */
  readonly pending: ReadonlySet<string>;
  readonly margins: CycleMargins;
  /** Seconds after a deadline before settling an arc whose payout goes to its other party. */
  readonly settleGrace: bigint;
  /** Take no protocol step above this one (test and demo switch; settlements are not held back). */
  readonly haltAfterStep?: number;
}

/** One action to take now. */
export interface CycleIntent {
  /** The protocol step, 1 … 3n, or `"settle"`. */
  readonly step: number | "settle";
  readonly arc: number;
  readonly action: "depositPremium" | "escrow" | "redeem" | "settle";
  /** The held party that sends it. */
  readonly party: number;
  /** The reveal (step 2n+1): the leader's commit decision, to be recorded durably before the transaction is sent. */
  readonly commit?: boolean;
  /** The secret a redeem presents (the leader's own for the reveal, the revealed one after it). */
  readonly secret?: string;
}

/** The next own step a `next-step` miss is about (see `cycleNextStepCanLand`). */
export interface CycleNextStepMiss {
  readonly step: number;
  /** Its deadline, on its chain's clock. */
  readonly deadline: bigint;
  /** Measured offset, seconds: the next step's chain clock minus the in-between step's chain clock (0 on one arc). */
  readonly offset: bigint;
}

/** Why a step the process would take is not taken. */
export interface CycleMissed {
  readonly step: number;
  /**
   * `deadline`: it can no longer land in time; `reveal-margin`: a reveal could be mined too late;
   * `next-step`: the step could land, but the party's own next step could not (`cycleNextStepCanLand`).
   */
  readonly reason: "deadline" | "reveal-margin" | "next-step";
  /** The deadline of `step` itself. */
  readonly deadline: bigint;
  /** Reason `next-step` only: the next step that could not land. */
  readonly next?: CycleNextStepMiss;
}

/** What `decideCycleNext` returns. */
export interface CycleDecision {
  readonly intents: readonly CycleIntent[];
  /** Steps the process would take but can no longer take safely. */
  readonly missed: readonly CycleMissed[];
}

/** What `cycleNextStepCanLand` found, with its figures (seconds; times on the next step's chain clock). */
export interface CycleNextStepCheck extends CycleNextStepMiss {
  /** True when the next step still fits before its deadline. */
  readonly ok: boolean;
  /** The step the party waits for before its next one (`step − 1`). */
  readonly between: number;
  /** The latest moment, on the next step's chain, at which the party may have to start its next step. */
  readonly startBy: bigint;
  /** The time the next step needs from then on: reaction + inclusion + skew, or the reveal margin before the reveal. */
  readonly needs: bigint;
}

function entry<T>(list: readonly T[] | undefined, i: number, field: string): T {
  const value = Array.isArray(list) ? list[i] : undefined;
  if (value === undefined) throw new InvalidArgumentError(field, `has no entry for arc ${i}`, Array.isArray(list) ? list.length : list);
  return value;
}

function checkLength(field: string, list: unknown, n: number): void {
  if (!Array.isArray(list) || list.length !== n) throw new InvalidArgumentError(field, `must hold one entry per arc (${n})`, Array.isArray(list) ? list.length : list);
}

function checkStep(n: number, step: number, last: number): CycleStepSlot {
  if (!Number.isInteger(step) || step < 1 || step > last) throw new InvalidArgumentError("step", `must be an integer in [1, ${last}]`, step);
  return cycleStepSlots(n)[step - 1]!;
}

/**
 * Refuses a view whose n is outside [2, 8] (`CycleSizeError`) or whose per-arc lists (`arcs`,
 * `observed`, `times`, `margins.chains`, `clockOffsets`) do not hold exactly n entries
 * (`InvalidArgumentError`). `decideCycleNext` calls it.
 */
export function checkCycleView(v: CycleView): void {
  if (v === null || typeof v !== "object") throw new InvalidArgumentError("view", "must be an object", v);
  const n = checkCycleSize(v.n);
  checkLength("arcs", v.arcs, n);
  checkLength("observed", v.observed, n);
  checkLength("times", v.times, n);
  checkLength("margins.chains", v.margins?.chains, n);
  if (v.clockOffsets !== undefined) checkLength("clockOffsets", v.clockOffsets, n);
  if (typeof v.held?.has !== "function") throw new InvalidArgumentError("held", "must be a set of party indices", v.held);
  if (typeof v.pending?.has !== "function") throw new InvalidArgumentError("pending", "must be a set of `${action}:${arc}` keys", v.pending);
}

/**
 * The deadline of step `step` (1 … 3n) from its arc's timelocks (`cycleStepSlots`): a premium step's is
 * its arc's premium deadline, an escrow step's the escrow deadline, a redeem's the timeout; in a plan,
 * `start + step·Δ`. For n = 2 this is `stepDeadline`.
 */
export function cycleStepDeadline(v: Pick<CycleView, "n" | "arcs">, step: number): bigint {
  const n = checkCycleSize(v.n);
  return deadlineOf(v.arcs, checkStep(n, step, 3 * n));
}

function deadlineOf(arcs: readonly CycleViewArc[], slot: CycleStepSlot): bigint {
  const t = entry(arcs, slot.arc, "arcs").terms.timelocks;
  return slot.action === "depositPremium" ? t.premiumDeadline : slot.action === "escrow" ? t.escrowDeadline : t.timeout;
}

/**
 * For a premium or escrow step (1 … 2n): the acting party's own next step and the step it waits for in
 * between (`next − 1`). Party p ≥ 1 takes steps n−p+1, n+1+p and 3n+1−p; the leader 1, n+1 and 2n+1.
 * For n = 2 this is `NEXT_OWN_STEP`.
 */
export function cycleNextOwnStep(n: number, step: number): { readonly between: number; readonly next: number } {
  checkCycleSize(n);
  const slot = checkStep(n, step, 2 * n);
  const p = slot.party;
  const next = slot.action === "depositPremium" ? n + 1 + p : p === 0 ? 2 * n + 1 : 3 * n + 1 - p;
  return { between: next - 1, next };
}

/**
 * True when arc 0 (the leader's outgoing arc) can never be escrowed any more: it was not, this process has
 * no escrow of arc 0 on the way (`escrow:0`), and either its escrow deadline or (with no premium in) its
 * premium deadline has passed on arc 0's chain by more than the chain's confirmation time (so the final
 * block is past it too). Revealing s then puts nothing of the leader's at stake. For n = 2: `legAClosed`.
 */
export function arc0Closed(v: Pick<CycleView, "arcs" | "observed" | "times" | "margins" | "pending">): boolean {
  const o = entry(v.observed, 0, "observed");
  if (wasEscrowed(o) || v.pending.has("escrow:0")) return false;
  const t = entry(v.arcs, 0, "arcs").terms.timelocks;
  const closedAt = wasCreated(o) ? t.escrowDeadline : t.premiumDeadline;
  return entry(v.times, 0, "times") > closedAt + entry(v.margins.chains, 0, "margins.chains").confirmationTime;
}

/**
 * May the leader reveal s now by redeeming arc n−1? Only when arc n−1 is escrowed at its final block,
 * arc 0 is too (or can never be: `arc0Closed`), and the redeem can be mined before arc n−1's timeout with
 * the reveal margin of its chain to spare (`revealMargin`) — or s is public anyway, when only the timeout
 * counts. A `noReveal` vow binds while arc 0 is at stake. For n = 2: `mayReveal`.
 */
export function mayRevealCycle(v: Pick<CycleView, "n" | "arcs" | "observed" | "times" | "margins" | "pending" | "revealedSecret" | "noReveal">): boolean {
  const last = checkCycleSize(v.n) - 1;
  if (entry(v.observed, last, "observed").state !== LegState.Escrowed) return false;
  // With s public (seen on a chain) a redeem reveals nothing: arc n−1 is taken whatever arc 0 shows.
  if (entry(v.observed, 0, "observed").state !== LegState.Escrowed && !arc0Closed(v) && v.revealedSecret === undefined) return false;
  const deadline = entry(v.arcs, last, "arcs").terms.timelocks.timeout;
  const time = entry(v.times, last, "times");
  if (v.revealedSecret !== undefined) return time <= deadline;
  // A vow never to reveal binds while arc 0 is at stake only: with arc 0 closed, a reveal leaks s harmlessly.
  if (v.noReveal && !arc0Closed(v)) return false;
  return time + revealMargin(entry(v.margins.chains, last, "margins.chains"), v.margins.reaction) <= deadline;
}

/**
 * Can the acting party's next own step still land in time if it takes premium or escrow step `step`
 * (1 … 2n) now? The step it waits for, k' − 1 on arc Y, may land as late as its deadline D(k' − 1).
 * Projected onto the next step's arc Y' that is D(k' − 1) + offset, offset = clockOffsets[Y'] −
 * clockOffsets[Y] (0 when Y = Y'). The party then needs to see that step (the confirmation time of Y's
 * chain; none when it is the reveal or a redeem, whose s is used at any depth), then its reaction margin,
 * the inclusion time of Y' and the larger of the two chains' clock skews; before the reveal, the whole
 * reveal margin of Y' instead. The step fits when
 *
 *     D(k' − 1) + offset + seen + needs ≤ D(k').
 *
 * Pure; `decideCycleNext` asks it before each premium and escrow step. For n = 2: `nextStepCanLand`.
 */
export function cycleNextStepCanLand(v: Pick<CycleView, "n" | "arcs" | "times" | "clockOffsets" | "margins">, step: number): CycleNextStepCheck {
  const n = checkCycleSize(v.n);
  const { between, next } = cycleNextOwnStep(n, step);
  const slots = cycleStepSlots(n);
  const [sBetween, sNext] = [slots[between - 1]!, slots[next - 1]!];
  const [yBetween, yNext] = [sBetween.arc, sNext.arc];
  const clock = (i: number) => (v.clockOffsets ? entry(v.clockOffsets, i, "clockOffsets") : entry(v.times, i, "times") - entry(v.times, 0, "times"));
  const offset = yBetween === yNext ? 0n : clock(yNext) - clock(yBetween);
  const chainBetween = entry(v.margins.chains, yBetween, "margins.chains");
  const chainNext = entry(v.margins.chains, yNext, "margins.chains");
  const seen = between >= 2 * n + 1 ? 0n : chainBetween.confirmationTime;
  const skew = chainBetween.clockSkew > chainNext.clockSkew ? chainBetween.clockSkew : chainNext.clockSkew;
  const needs = next === 2 * n + 1 ? revealMargin(chainNext, v.margins.reaction) : v.margins.reaction + chainNext.inclusionTime + skew;
  const startBy = deadlineOf(v.arcs, sBetween) + offset + seen;
  const deadline = deadlineOf(v.arcs, sNext);
  return { ok: startBy + needs <= deadline, step: next, between, deadline, offset, startBy, needs };
}

/**
 * The actions a conforming process takes now in a hedged cycle, for every party it holds, and the steps
 * it can no longer take safely (see the module's rules). Intents come in step order, then the
 * settlements by arc. Throws `InvalidArgumentError` (or `CycleSizeError`) for a malformed view.
 */
export function decideCycleNext(v: CycleView): CycleDecision {
  checkCycleView(v);
  const { n, observed: o, times } = v;
  const last = n - 1;
  const slots = cycleStepSlots(n);
  const intents: CycleIntent[] = [];
  const missed: CycleMissed[] = [];
  const allowed = (step: number) => v.haltAfterStep === undefined || step <= v.haltAfterStep;
  const held = (i: CycleIntent) => v.held.has(i.party) && allowed(i.step as number) && !v.pending.has(`${i.action}:${i.arc}`);
  const miss = (step: number, reason: CycleMissed["reason"], deadline: bigint, next?: CycleNextStepMiss) => {
    if (!missed.some((m) => m.step === step)) missed.push({ step, reason, deadline, ...(next ? { next } : {}) });
  };
  const want = (i: CycleIntent, deadline: bigint, margin: bigint) => {
    if (!held(i)) return;
    const step = i.step as number;
    if (times[i.arc]! + margin > deadline) return miss(step, "deadline", deadline);
    if (step <= 2 * n) {
      // Premium and escrow steps: only if the party's own next step, on its chain's measured clock, can still land.
      const check = cycleNextStepCanLand(v, step);
      if (!check.ok) return miss(step, "next-step", deadline, { step: check.step, deadline: check.deadline, offset: check.offset });
    }
    intents.push(i);
  };
  const r = v.margins.reaction;
  const vowedNoEscrow = (p: number) => v.noEscrow?.has(p) === true;
  const aborted = o.some((l) => l.state === LegState.Aborted || l.outcome === "aborted");
  // n = 2 kept exactly: only a redeem of arc n−1 (the commit) ends the premium and escrow steps; a redeem of
  // another arc alone leaves them to their own conditions, which then fail for every arc but n−1's premium.
  if (!aborted && o[last]!.outcome !== "redeemed") {
    for (const slot of slots.slice(0, 2 * n)) {
      const { step, arc, party, action } = slot;
      const deadline = deadlineOf(v.arcs, slot);
      if (times[arc]! > deadline || vowedNoEscrow(party)) continue;
      const l = o[arc]!;
      let ready: boolean;
      if (action === "depositPremium") {
        ready = !wasCreated(l) && (step === 1 || o[arc + 1]!.state === LegState.PremiumDeposited);
      } else if (arc === 0) {
        const othersIn = o.every((x, j) => j === 0 || x.state === LegState.PremiumDeposited || x.state === LegState.Escrowed);
        ready = l.state === LegState.PremiumDeposited && othersIn && !v.noReveal;
      } else {
        ready = l.state === LegState.PremiumDeposited && o[arc - 1]!.state === LegState.Escrowed;
      }
      if (ready) want({ step, arc, action, party }, deadline, r);
    }
  }
  // The reveal, step 2n+1: the leader's own secret, only under `mayRevealCycle`.
  const revealStep = 2 * n + 1;
  const reveal: CycleIntent = { step: revealStep, arc: last, action: "redeem", party: 0, commit: true, ...(v.leaderSecret !== undefined ? { secret: v.leaderSecret } : {}) };
  const sPublic = v.revealedSecret !== undefined;
  const closed = arc0Closed(v);
  const timeout = (i: number) => v.arcs[i]!.terms.timelocks.timeout;
  if ((o[0]!.state === LegState.Escrowed || closed || sPublic) && o[last]!.state === LegState.Escrowed && v.leaderSecret !== undefined && (!v.noReveal || closed || sPublic) && times[last]! <= timeout(last) && held(reveal)) {
    if (mayRevealCycle(v)) intents.push(reveal);
    else miss(revealStep, "reveal-margin", timeout(last));
  }
  // Redeem steps 2n+1+j: a secret visible on a chain is used at once; no party uses the leader's own.
  for (const { step, arc, party } of slots.slice(2 * n + 1)) {
    if (v.revealedSecret !== undefined && o[arc]!.state === LegState.Escrowed && times[arc]! <= timeout(arc)) {
      want({ step, arc, action: "redeem", party, secret: v.revealedSecret }, timeout(arc), 0n);
    }
  }
  // Settlements: every arc after its deadline, by the party it pays first, by its other party after a grace.
  for (let arc = 0; arc < n; arc++) {
    const t = v.arcs[arc]!.terms.timelocks;
    const [escrower, redeemer] = [arc, (arc + 1) % n];
    let beneficiary: number | undefined;
    let deadline = 0n;
    if (o[arc]!.state === LegState.PremiumDeposited && times[arc]! > t.escrowDeadline) [beneficiary, deadline] = [redeemer, t.escrowDeadline];
    else if (o[arc]!.state === LegState.Escrowed && times[arc]! > t.timeout) [beneficiary, deadline] = [escrower, t.timeout];
    if (beneficiary === undefined || v.pending.has(`settle:${arc}`)) continue;
    const other = beneficiary === escrower ? redeemer : escrower;
    if (v.held.has(beneficiary)) intents.push({ step: "settle", arc, action: "settle", party: beneficiary });
    else if (v.held.has(other) && times[arc]! > deadline + v.settleGrace) intents.push({ step: "settle", arc, action: "settle", party: other });
  }
  return { intents, missed };
}
