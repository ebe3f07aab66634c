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
 *
 * One rule, not two: every function here is a thin adapter over the cycle rule of `./cycleRules`
 * (`PROTOCOLS.md` §7) with n = 2 — leg A is arc 0, leg B arc 1, the leader party 0, the follower party 1,
 * and steps 1–6 of §3 are steps 1–6 of §7. The adapters build a `CycleView` from the `PartyView` and map
 * the result back, so their behaviour is the cycle rule's.
 */

import {
  arc0Closed,
  cycleNextStepCanLand,
  cycleStepDeadline,
  decideCycleNext,
  mayRevealCycle,
  type CycleIntent,
  type CycleMissed,
  type CycleView,
} from "./cycleRules";
import type { ChainSafety, LegObservation } from "./observation";
import type { SwapPlan } from "./plan";

export {
  DEFAULT_CHAIN_SAFETY,
  DEFAULT_REACTION_MARGIN,
  NO_CHAIN_DELAY,
  revealMargin,
  wasCreated,
  wasEscrowed,
  type ChainSafety,
  type LegObservation,
  type LegOutcome,
} from "./observation";

/** Every margin the rule applies, in seconds. */
export interface SafetyMargins {
  /** The party's own reaction time (a restart included): no step starts closer than this to its deadline. */
  readonly reaction: bigint;
  /** The figures of leg A's and leg B's chains. */
  readonly chainA: ChainSafety;
  readonly chainB: ChainSafety;
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


/** The two legs as arcs 0 and 1 of a 2-cycle. */
function arcsOf(plan: SwapPlan): CycleView["arcs"] {
  return [plan.legA, plan.legB];
}

function marginsOf(m: SafetyMargins): CycleView["margins"] {
  return { reaction: m.reaction, chains: [m.chainA, m.chainB] };
}

/** `${action}:A` → `${action}:0`, `${action}:B` → `${action}:1`; any other key names no leg and is left out. */
function pendingOf(pending: ReadonlySet<string>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const key of pending) {
    const at = key.lastIndexOf(":");
    const leg = key.slice(at + 1);
    if (at >= 0 && (leg === "A" || leg === "B")) out.add(`${key.slice(0, at)}:${leg === "A" ? 0 : 1}`);
  }
  return out;
}

/** Chain A's and chain B's clocks relative to chain A's: [0, −(A − B)]. */
function clockOffsetsOf(v: Pick<PartyView, "timeA" | "timeB" | "clockOffset">): readonly bigint[] {
  return [0n, -(v.clockOffset ?? v.timeA - v.timeB)];
}

/** The `CycleView` (n = 2: leg A is arc 0, leg B arc 1, the leader party 0, the follower party 1) of a two-party view. */
export function cycleViewOf(v: PartyView): CycleView {
  const held = new Set<number>();
  if (v.roles.leader) held.add(0);
  if (v.roles.follower) held.add(1);
  return {
    n: 2,
    arcs: arcsOf(v.plan),
    start: v.plan.offer.start,
    delta: v.plan.offer.delta,
    held,
    observed: [v.legA, v.legB],
    times: [v.timeA, v.timeB],
    clockOffsets: clockOffsetsOf(v),
    ...(v.leaderSecret !== undefined ? { leaderSecret: v.leaderSecret } : {}),
    ...(v.revealedSecret !== undefined ? { revealedSecret: v.revealedSecret } : {}),
    ...(v.noReveal ? { noReveal: true } : {}),
    ...(v.noEscrow ? { noEscrow: new Set([1]) } : {}),
    pending: pendingOf(v.pending),
    margins: marginsOf(v.margins),
    settleGrace: v.settleGrace,
    ...(v.haltAfterStep !== undefined ? { haltAfterStep: v.haltAfterStep } : {}),
  };
}

/** A 2-cycle's intent in the two-party words (arc 0 → leg A, party 0 → leader). */
export function twoPartyIntent(i: CycleIntent): Intent {
  return {
    step: i.step as IntentStep,
    leg: i.arc === 0 ? "A" : "B",
    action: i.action,
    as: i.party === 0 ? "leader" : "follower",
    ...(i.commit !== undefined ? { commit: i.commit } : {}),
    ...(i.secret !== undefined ? { secret: i.secret } : {}),
  };
}

/** A 2-cycle's missed step in the two-party words. */
export function twoPartyMissed(m: CycleMissed): Missed {
  return {
    step: m.step as IntentStep,
    reason: m.reason,
    deadline: m.deadline,
    ...(m.next ? { next: { step: m.next.step as NextStepMiss["step"], deadline: m.next.deadline, offset: m.next.offset } } : {}),
  };
}

/**
 * True when leg A can never be escrowed any more: it was not, this process has no escrow of leg A on
 * the way, and either its escrow deadline or (with no premium in) its premium deadline has passed on
 * chain A by more than the chain's confirmation time (so the final block is past it too). Revealing s
 * then puts nothing of the leader's at stake.
 */
export function legAClosed(v: Pick<PartyView, "plan" | "legA" | "timeA" | "margins" | "pending">): boolean {
  return arc0Closed({ arcs: arcsOf(v.plan), observed: [v.legA], times: [v.timeA], margins: { reaction: v.margins.reaction, chains: [v.margins.chainA] }, pending: pendingOf(v.pending) });
}

/**
 * May the leader reveal s now by redeeming leg B? Only when leg B is escrowed at its final block, leg A
 * is too (or can never be: `legAClosed`), and the redeem can be mined before leg B's timeout with the
 * reveal margin to spare (or s is public anyway). This is the one test of the reveal; `decideNext`
 * applies it.
 */
export function mayReveal(v: Pick<PartyView, "plan" | "legA" | "legB" | "timeA" | "timeB" | "margins" | "pending" | "revealedSecret" | "noReveal">): boolean {
  return mayRevealCycle({
    n: 2,
    arcs: arcsOf(v.plan),
    observed: [v.legA, v.legB],
    times: [v.timeA, v.timeB],
    margins: marginsOf(v.margins),
    pending: pendingOf(v.pending),
    ...(v.revealedSecret !== undefined ? { revealedSecret: v.revealedSecret } : {}),
    ...(v.noReveal ? { noReveal: true } : {}),
  });
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
  return cycleStepDeadline({ n: 2, arcs: arcsOf(plan) }, step);
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
  const c = cycleNextStepCanLand({ n: 2, arcs: arcsOf(v.plan), times: [v.timeA, v.timeB], clockOffsets: clockOffsetsOf(v), margins: marginsOf(v.margins) }, step);
  return { ok: c.ok, step: c.step as NextStepCheck["step"], between: c.between as NextStepCheck["between"], deadline: c.deadline, offset: c.offset, startBy: c.startBy, needs: c.needs };
}

/** The actions a conforming party takes now, and the steps it can no longer take safely. */
export function decideNext(v: PartyView): PartyDecision {
  const d = decideCycleNext(cycleViewOf(v));
  return { intents: d.intents.map(twoPartyIntent), missed: d.missed.map(twoPartyMissed) };
}
