/**
 * The protocol's decision rule (`PROTOCOLS.md` §3, §5, §6): what a conforming party may do next, given
 * its roles, what the chains show of both legs, each chain's clock and the safety margins. Pure, no
 * I/O. This module is the only place that decides whether the secret may be revealed: the
 * coordinator's engine and the SDK's `recover` both ask it, so there is no second, looser copy.
 *
 * The rules, as a user reads them:
 * - **Steps 1–4** (premiums, principals) are taken by their party only after the counterparty's
 *   previous step is visible and final, and only while the step can still land before its deadline
 *   with the reaction margin to spare.
 * - **Step 5, the commit** (the leader redeems leg B, revealing s) is taken only when both legs are
 *   escrowed, final, with the agreed terms (a leg's id hashes every term, so the agreed leg's state is
 *   proof of its terms) — or leg B is and leg A can never be any more (its escrow deadline passed on
 *   chain A with no escrow, none on the way: a follower that escrowed leg B out of turn must not take
 *   the leader's premium at leg B's timeout) — and only if the transaction can be mined before leg B's timeout with the
 *   chain's inclusion time + confirmation time + clock skew + reaction margin to spare (the
 *   "reveal margin"). A redeem mined after its deadline reverts but still publishes s in its calldata,
 *   which would let the follower take leg A while leg B is refunded. Past that point the leader takes
 *   the abort branch and never reveals.
 * - **Step 6** (the follower redeems leg A) uses s only once it is visible on a chain: a party's
 *   actions use only what that party knows, even when one process holds both keys. Once s is public a
 *   redeem is always worth sending, so it goes out while leg A's timeout has not passed.
 * - A leader that forswore revealing (it consented to the abort of leg B) takes no step 3, and no step 5
 *   while leg A is at stake (once leg A can never be escrowed, redeeming leg B risks nothing); a
 *   follower that forswore escrowing (it consented to the abort of leg A before escrowing leg B)
 *   takes no step 2 or 4.
 * - **The next step must still fit** (`nextStepCanLand`): a party takes none of steps 1–4 unless its
 *   own next step (k + 2) can still land under the measured clock of that step's chain, even if the
 *   counterparty's step in between (k + 1) comes as late as its deadline. The counterparty's step,
 *   projected onto the next step's chain (its deadline plus the measured offset between the two
 *   chains' clocks, from the latest heads), plus the time to see it (its chain's confirmation time;
 *   none before step 6, which uses s at any depth), the reaction margin, the next chain's inclusion
 *   time and the configured clock skew as measurement slack (before step 5: the whole reveal margin)
 *   must fit before the next step's deadline: D(k+1) + offset + seen + needs ≤ D(k+2). Else the step is reported missed with reason `next-step`: a follower
 *   whose step 6 on chain A could no longer land in time never escrows leg B (step 4), one whose step
 *   4 on chain B could not never deposits its premium on leg A (step 2).
 * - **Settlements**: every leg after its deadline, by the party it pays first, by the other party
 *   after a grace period.
 */
import { LegState } from "./leg";
import type { SwapPlan } from "./plan";

/** How a leg was finished, from its final event. */
export type LegOutcome = "redeemed" | "refunded" | "premiumRefunded" | "aborted";

/** One leg as observed at its chain's final block. */
export interface LegObservation {
  /** `legState(legId)` at the chain's final block. */
  readonly state: LegState;
  /** Set once the event that finished the leg is final. */
  readonly outcome?: LegOutcome;
}

/** The safety figures of one chain (`PROTOCOLS.md` §6), in seconds. */
export interface ChainSafety {
  /** Worst-case time for a transaction to be included under fee spikes. */
  readonly inclusionTime: bigint;
  /** Time for an included transaction to become final: confirmations × block interval. */
  readonly confirmationTime: bigint;
  /** Largest expected difference between this chain's `block.timestamp` and the others'. */
  readonly clockSkew: bigint;
}

/** Every margin the rule applies, in seconds. */
export interface SafetyMargins {
  /** The party's own reaction time (a restart included): no step starts closer than this to its deadline. */
  readonly reaction: bigint;
  /** The figures of leg A's and leg B's chains. */
  readonly chainA: ChainSafety;
  readonly chainB: ChainSafety;
}

/** Margins of a chain with no delays at all (only the reaction margin counts). */
export const NO_CHAIN_DELAY: ChainSafety = Object.freeze({ inclusionTime: 0n, confirmationTime: 0n, clockSkew: 0n });

/**
 * The time a transaction that reveals s needs before its deadline on a chain: inclusion time +
 * confirmation time + clock skew + reaction margin.
 */
export function revealMargin(chain: ChainSafety, reaction: bigint): bigint {
  return chain.inclusionTime + chain.confirmationTime + chain.clockSkew + reaction;
}

/** Everything the rule looks at, for one swap and one process (which may hold one role or both). */
export interface PartyView {
  readonly plan: SwapPlan;
  /** The roles whose keys this process holds. */
  readonly roles: { readonly leader: boolean; readonly follower: boolean };
  readonly legA: LegObservation;
  readonly legB: LegObservation;
  /** Each chain's clock: the timestamp of its latest block. */
  readonly timeA: bigint;
  readonly timeB: bigint;
  /** The leader's own secret: known to the leader role only, never used by the follower role. */
  readonly leaderSecret?: string;
  /** The secret as seen on a chain (revealed by a redeem, at any depth): usable by every role. */
  readonly revealedSecret?: string;
  /**
   * Chain A's clock minus chain B's, seconds, as measured (each chain's newest block against the local
   * time it was first seen); default `timeA − timeB`, which overstates the gap when one chain has mined
   * no block for a while.
   */
  readonly clockOffset?: bigint;
  /** The leader consented to the abort of leg B: it will never reveal s (no step 3 or 5). */
  readonly noReveal?: boolean;
  /** The follower consented to the abort of leg A: it will not escrow leg B (no step 2 or 4). */
  readonly noEscrow?: boolean;
  /** Open transactions of this process for the swap, as `${action}:${leg}`. */
  readonly pending: ReadonlySet<string>;
  readonly margins: SafetyMargins;
  /** Seconds after a deadline before settling a leg whose payout goes to the other party. */
  readonly settleGrace: bigint;
  /** Take no protocol step above this one (test and demo switch). */
  readonly haltAfterStep?: number;
}

/** A protocol step (1–6) or a settlement. */
export type IntentStep = 1 | 2 | 3 | 4 | 5 | 6 | "settle";

/** One action to take now. */
export interface Intent {
  readonly step: IntentStep;
  readonly leg: "A" | "B";
  readonly action: "depositPremium" | "escrow" | "redeem" | "settle";
  /** Which held role sends it. */
  readonly as: "leader" | "follower";
  /** Step 5: the leader's commit decision, to be recorded durably before the transaction is sent. */
  readonly commit?: boolean;
  /** The secret a redeem presents (the leader's own for step 5, the revealed one for step 6). */
  readonly secret?: string;
}

/** Why a step the process would take is not taken. */
export interface Missed {
  readonly step: IntentStep;
  /**
   * `deadline`: it can no longer land in time; `reveal-margin`: a reveal could be mined too late;
   * `next-step`: the step could land, but the party's own next step (on the other chain, under that
   * chain's measured clock) could not (`nextStepCanLand`).
   */
  readonly reason: "deadline" | "reveal-margin" | "next-step";
  /** The deadline of `step` itself. */
  readonly deadline: bigint;
  /** Reason `next-step` only: the next step that could not land, its deadline and the measured clock offset. */
  readonly next?: NextStepMiss;
}

/** The next own step a `next-step` miss is about (see `nextStepCanLand`). */
export interface NextStepMiss {
  /** The party's next own step (k + 2). */
  readonly step: 3 | 4 | 5 | 6;
  /** Its deadline, on its chain's clock. */
  readonly deadline: bigint;
  /** Measured offset, seconds: the next step's chain clock minus the in-between step's chain clock (0 on one chain). */
  readonly offset: bigint;
}

/** What the rule returns. */
export interface PartyDecision {
  readonly intents: readonly Intent[];
  /** Steps the process would take but can no longer take safely. */
  readonly missed: readonly Missed[];
}

/** True when the leg was escrowed (still escrowed, or finished by a redeem or refund). */
export function wasEscrowed(l: LegObservation): boolean {
  return l.state === LegState.Escrowed || l.outcome === "redeemed" || l.outcome === "refunded";
}

/** True when the leg was created (a premium or principal went in), whatever happened since. */
export function wasCreated(l: LegObservation): boolean {
  return l.state !== LegState.None || l.outcome !== undefined;
}

/**
 * True when leg A can never be escrowed any more: it was not, this process has no escrow of leg A on
 * the way, and either its escrow deadline or (with no premium in) its premium deadline has passed on
 * chain A by more than the chain's confirmation time (so the final block is past it too). Revealing s
 * then puts nothing of the leader's at stake.
 */
export function legAClosed(v: Pick<PartyView, "plan" | "legA" | "timeA" | "margins" | "pending">): boolean {
  if (wasEscrowed(v.legA) || v.pending.has("escrow:A")) return false;
  const t = v.plan.legA.terms.timelocks;
  const closedAt = wasCreated(v.legA) ? t.escrowDeadline : t.premiumDeadline;
  return v.timeA > closedAt + v.margins.chainA.confirmationTime;
}

/**
 * May the leader reveal s now by redeeming leg B? Only when leg B is escrowed at its final block, leg A
 * is too (or can never be: `legAClosed`), and the redeem can be mined before leg B's timeout with the
 * reveal margin to spare (or s is public anyway). This is the one test of the reveal; `decideNext`
 * applies it.
 */
export function mayReveal(v: Pick<PartyView, "plan" | "legA" | "legB" | "timeA" | "timeB" | "margins" | "pending" | "revealedSecret" | "noReveal">): boolean {
  if (v.legB.state !== LegState.Escrowed) return false;
  // With s public (seen on a chain) a redeem reveals nothing: leg B is taken whatever leg A shows (the
  // follower may have redeemed leg A first, e.g. after a reorganisation removed the leader's redeem).
  if (v.legA.state !== LegState.Escrowed && !legAClosed(v) && v.revealedSecret === undefined) return false;
  const deadline = v.plan.legB.terms.timelocks.timeout;
  if (v.revealedSecret !== undefined) return v.timeB <= deadline;
  // A vow never to reveal (an abort consent for leg B is out) binds while leg A is at stake only: with
  // leg A closed, a reveal that an abort front-runs leaks s harmlessly, and waiting would hand the
  // leader's premium to a follower that never uses the consent.
  if (v.noReveal && !legAClosed(v)) return false;
  return v.timeB + revealMargin(v.margins.chainB, v.margins.reaction) <= deadline;
}

/** The chain each protocol step is taken on (`PROTOCOLS.md` §3). */
export const STEP_CHAIN: Readonly<Record<1 | 2 | 3 | 4 | 5 | 6, "A" | "B">> = Object.freeze({ 1: "B", 2: "A", 3: "A", 4: "B", 5: "B", 6: "A" });

/**
 * For each of steps 1–4: the counterparty's step that comes in between (k + 1) and the party's own
 * next step (k + 2). 2 → 4 and 4 → 6 cross chains; 1 → 3 and 3 → 5 stay on one chain.
 */
export const NEXT_OWN_STEP: Readonly<Record<1 | 2 | 3 | 4, { readonly between: 2 | 3 | 4 | 5; readonly next: 3 | 4 | 5 | 6 }>> = Object.freeze({
  1: { between: 2, next: 3 },
  2: { between: 3, next: 4 },
  3: { between: 4, next: 5 },
  4: { between: 5, next: 6 },
});

/** The deadline of protocol step k (1–6) from the plan's timelocks: d(k) = start + kΔ. */
export function stepDeadline(plan: SwapPlan, step: 1 | 2 | 3 | 4 | 5 | 6): bigint {
  const a = plan.legA.terms.timelocks;
  const b = plan.legB.terms.timelocks;
  return [b.premiumDeadline, a.premiumDeadline, a.escrowDeadline, b.escrowDeadline, b.timeout, a.timeout][step - 1]!;
}

/** What `nextStepCanLand` found, with its figures (seconds; times on the next step's chain clock). */
export interface NextStepCheck extends NextStepMiss {
  /** True when the next step still fits before its deadline. */
  readonly ok: boolean;
  /** The counterparty's step in between (k + 1). */
  readonly between: 2 | 3 | 4 | 5;
  /**
   * The latest moment, on the next step's chain, at which the party may have to start its next step:
   * the in-between step's deadline + `offset` + the time to see that step.
   */
  readonly startBy: bigint;
  /** The time the next step needs from then on: reaction + inclusion + skew, or the reveal margin before step 5. */
  readonly needs: bigint;
}

/**
 * Can the party's next own step still land in time if it takes step `step` (1–4) now? The
 * counterparty's step in between, k + 1 on chain Y(k+1), may land as late as its deadline D(k+1).
 * Projected onto the next step's chain Y(k+2) that is D(k+1) + offset, where offset =
 * time[Y(k+2)] − time[Y(k+1)] is the measured difference of the two chains' clocks (their latest
 * heads; 0 on one chain). The party then needs to see that step (the confirmation time of Y(k+1);
 * none before step 6, which uses a secret seen at any depth), then its reaction margin, the inclusion
 * time of Y(k+2) and the configured clock skew (the larger of the two chains') as measurement slack;
 * before step 5, the whole reveal margin of chain B instead (`revealMargin`). The step fits when
 *
 *     D(k+1) + offset + seen + needs ≤ D(k+2).
 *
 * Pure; `decideNext` asks it before each of steps 1–4 and reports a refusal as missed (`next-step`).
 */
export function nextStepCanLand(v: Pick<PartyView, "plan" | "timeA" | "timeB" | "margins" | "clockOffset">, step: 1 | 2 | 3 | 4): NextStepCheck {
  const { between, next } = NEXT_OWN_STEP[step];
  const safety = (c: "A" | "B") => (c === "A" ? v.margins.chainA : v.margins.chainB);
  const yBetween = STEP_CHAIN[between];
  const yNext = STEP_CHAIN[next];
  const aOverB = v.clockOffset ?? v.timeA - v.timeB;
  const offset = yBetween === yNext ? 0n : yNext === "A" ? aOverB : -aOverB;
  const seen = between === 5 ? 0n : safety(yBetween).confirmationTime;
  const skewBetween = safety(yBetween).clockSkew;
  const skewNext = safety(yNext).clockSkew;
  const needs = next === 5 ? revealMargin(safety(yNext), v.margins.reaction) : v.margins.reaction + safety(yNext).inclusionTime + (skewBetween > skewNext ? skewBetween : skewNext);
  const startBy = stepDeadline(v.plan, between) + offset + seen;
  const deadline = stepDeadline(v.plan, next);
  return { ok: startBy + needs <= deadline, step: next, between, deadline, offset, startBy, needs };
}

/** The actions a conforming party takes now, and the steps it can no longer take safely. */
export function decideNext(v: PartyView): PartyDecision {
  const { plan, legA, legB, timeA, timeB } = v;
  const tA = plan.legA.terms.timelocks;
  const tB = plan.legB.terms.timelocks;
  const d = (k: number) => plan.offer.start + BigInt(k) * plan.offer.delta;

  const intents: Intent[] = [];
  const missed: Missed[] = [];
  const allowed = (step: number) => v.haltAfterStep === undefined || step <= v.haltAfterStep;
  const held = (i: Intent) => v.roles[i.as] && allowed(i.step as number) && !v.pending.has(`${i.action}:${i.leg}`);
  const miss = (step: IntentStep, reason: Missed["reason"], deadline: bigint, next?: NextStepMiss) => {
    if (!missed.some((m) => m.step === step)) missed.push({ step, reason, deadline, ...(next ? { next } : {}) });
  };
  const want = (i: Intent, time: bigint, deadline: bigint, margin: bigint) => {
    if (!held(i)) return;
    if (time + margin > deadline) return miss(i.step, "deadline", deadline);
    if (i.step === 1 || i.step === 2 || i.step === 3 || i.step === 4) {
      // Steps 1–4: only if the party's own next step, on its chain's measured clock, can still land.
      const check = nextStepCanLand(v, i.step);
      if (!check.ok) return miss(i.step, "next-step", deadline, { step: check.step, deadline: check.deadline, offset: check.offset });
    }
    intents.push(i);
  };
  const r = v.margins.reaction;
  const aborted = legA.state === LegState.Aborted || legB.state === LegState.Aborted || legA.outcome === "aborted" || legB.outcome === "aborted";

  if (!aborted && legB.outcome !== "redeemed") {
    if (!wasCreated(legB) && timeB <= d(1)) {
      want({ step: 1, leg: "B", action: "depositPremium", as: "leader" }, timeB, d(1), r);
    }
    if (legB.state === LegState.PremiumDeposited && !wasCreated(legA) && timeA <= d(2) && !v.noEscrow) {
      want({ step: 2, leg: "A", action: "depositPremium", as: "follower" }, timeA, d(2), r);
    }
    if (legA.state === LegState.PremiumDeposited && (legB.state === LegState.PremiumDeposited || legB.state === LegState.Escrowed) && timeA <= d(3) && !v.noReveal) {
      want({ step: 3, leg: "A", action: "escrow", as: "leader" }, timeA, d(3), r);
    }
    if (legA.state === LegState.Escrowed && legB.state === LegState.PremiumDeposited && timeB <= d(4) && !v.noEscrow) {
      want({ step: 4, leg: "B", action: "escrow", as: "follower" }, timeB, d(4), r);
    }
  }
  // Step 5, the commit: the leader's own secret, only under `mayReveal`.
  const step5: Intent = { step: 5, leg: "B", action: "redeem", as: "leader", commit: true, ...(v.leaderSecret !== undefined ? { secret: v.leaderSecret } : {}) };
  const sPublic = v.revealedSecret !== undefined;
  if ((legA.state === LegState.Escrowed || legAClosed(v) || sPublic) && legB.state === LegState.Escrowed && v.leaderSecret !== undefined && (!v.noReveal || legAClosed(v) || sPublic) && timeB <= tB.timeout && held(step5)) {
    if (mayReveal(v)) intents.push(step5);
    else miss(5, "reveal-margin", tB.timeout);
  }
  // Step 6: a secret visible on a chain is used at once; the follower never uses the leader's own.
  if (v.revealedSecret !== undefined && legA.state === LegState.Escrowed && timeA <= tA.timeout) {
    want({ step: 6, leg: "A", action: "redeem", as: "follower", secret: v.revealedSecret }, timeA, tA.timeout, 0n);
  }

  // Settlements: every leg after its deadline, by the party it pays first, by anyone after a grace.
  for (const [name, l, t, time] of [["A", legA, tA, timeA], ["B", legB, tB, timeB]] as const) {
    let beneficiary: "leader" | "follower" | undefined;
    let deadline = 0n;
    if (l.state === LegState.PremiumDeposited && time > t.escrowDeadline) {
      beneficiary = name === "A" ? "follower" : "leader";
      deadline = t.escrowDeadline;
    } else if (l.state === LegState.Escrowed && time > t.timeout) {
      beneficiary = name === "A" ? "leader" : "follower";
      deadline = t.timeout;
    }
    if (!beneficiary || v.pending.has(`settle:${name}`)) continue;
    const other = beneficiary === "leader" ? "follower" : "leader";
    if (v.roles[beneficiary]) intents.push({ step: "settle", leg: name, action: "settle", as: beneficiary });
    else if (v.roles[other] && time > deadline + v.settleGrace) intents.push({ step: "settle", leg: name, action: "settle", as: other });
  }
  return { intents, missed };
}

/**
 * Conservative chain figures for a chain nobody described (the coordinator's defaults: a minute to be
 * included, one 12-second block to be final, 15 seconds of clock skew).
 */
export const DEFAULT_CHAIN_SAFETY: ChainSafety = Object.freeze({ inclusionTime: 60n, confirmationTime: 12n, clockSkew: 15n });

/** The default reaction margin, seconds (the coordinator's `reactionMargin` default). */
export const DEFAULT_REACTION_MARGIN = 30n;
