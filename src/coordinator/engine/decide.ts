/**
 * The engine's pure core: from what the chains show (each leg's state at the final block, the final
 * events that finished it, each chain's clock) and what this coordinator holds (roles, secret, open
 * transactions), the swap's status and the next actions. No I/O; every rule of `PROTOCOLS.md` §3–§5
 * that a conforming party follows is here, and the tests drive it directly.
 */
import { LegState, type SwapPlan } from "../../sdk";
import type { SwapStatus } from "../domain/status";

/** How a leg was finished, from its final event. */
export type LegOutcome = "redeemed" | "refunded" | "premiumRefunded" | "aborted";

/** One leg as observed. */
export interface LegObservation {
  /** `legState(legId)` at the chain's final block. */
  readonly state: LegState;
  /** Set once the event that finished the leg is final. */
  readonly outcome?: LegOutcome;
}

/** Everything `decide` looks at. */
export interface SwapView {
  readonly plan: SwapPlan;
  readonly roles: { readonly leader: boolean; readonly follower: boolean };
  readonly status: SwapStatus;
  readonly legA: LegObservation;
  readonly legB: LegObservation;
  /** Each chain's clock: the timestamp of its latest block. */
  readonly timeA: bigint;
  readonly timeB: bigint;
  /** The secret, when known (the leader's own, or revealed on a chain). */
  readonly secret?: string;
  /** Open transactions of this coordinator for the swap, as `${action}:${leg}`. */
  readonly pending: ReadonlySet<string>;
  /** Seconds an action needs to land before its deadline. */
  readonly margin: bigint;
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
  /** Which held party sends it. */
  readonly as: "leader" | "follower";
  /** Step 5: the leader's commit decision, recorded durably before the transaction is sent. */
  readonly commit?: boolean;
}

/** What `decide` returns. */
export interface Decision {
  readonly status: SwapStatus;
  /** The final outcome's label when the swap is over (matrix ids S0–S5, "completed", option outcomes). */
  readonly outcome?: string;
  readonly intents: readonly Intent[];
  /** Steps this coordinator should take but can no longer land before their deadlines. */
  readonly missed: readonly IntentStep[];
}

const created = (l: LegObservation) => l.state !== LegState.None || l.outcome !== undefined;
const escrowed = (l: LegObservation) => l.state === LegState.Escrowed || l.outcome === "redeemed" || l.outcome === "refunded";

/** True when nothing more can happen to the leg: finished, or never created and past its premium deadline. */
function legFinal(l: LegObservation, premiumDeadline: bigint, now: bigint): boolean {
  return l.outcome !== undefined || l.state === LegState.Aborted || (l.state === LegState.None && now > premiumDeadline);
}

/** The label of a finished swap, from how each leg ended. */
export function outcomeLabel(kind: SwapPlan["kind"], a: LegObservation, b: LegObservation): string {
  const o = (l: LegObservation) => l.outcome ?? (l.state === LegState.Aborted ? "aborted" : "never");
  const key = `${o(a)}/${o(b)}`;
  const table: Record<string, string> = {
    "redeemed/redeemed": kind === "option" ? "exercised" : "completed",
    "never/never": "S0",
    "never/premiumRefunded": "S1",
    "premiumRefunded/premiumRefunded": "S2",
    "refunded/premiumRefunded": "S3",
    "refunded/refunded": kind === "option" ? "abandoned" : "S4",
    "refunded/redeemed": "S5",
  };
  return table[key] ?? `A:${o(a)} B:${o(b)}`;
}

/** The swap's status and the actions to take now. */
export function decide(v: SwapView): Decision {
  const { plan, legA, legB, timeA, timeB } = v;
  const tA = plan.legA.terms.timelocks;
  const tB = plan.legB.terms.timelocks;
  const d = (k: number) => plan.offer.start + BigInt(k) * plan.offer.delta;

  const finalA = legFinal(legA, tA.premiumDeadline, timeA);
  const finalB = legFinal(legB, tB.premiumDeadline, timeB);
  let status: SwapStatus;
  let outcome: string | undefined;
  if (finalA && finalB) {
    outcome = outcomeLabel(plan.kind, legA, legB);
    status = legA.outcome === "redeemed" && legB.outcome === "redeemed" ? "completed" : "settled";
  } else if (legB.outcome === "redeemed") {
    status = legA.outcome === "redeemed" ? "completed" : "redeemedB";
  } else {
    const missed =
      (!created(legB) && timeB > d(1)) ||
      (!created(legA) && timeA > d(2)) ||
      (!escrowed(legA) && timeA > d(3)) ||
      (!escrowed(legB) && timeB > d(4)) ||
      timeB > d(5);
    if (missed) status = "aborting";
    else if (v.status === "committed") status = "committed";
    else if (escrowed(legB)) status = "escrowedB";
    else if (escrowed(legA)) status = "escrowedA";
    else if (created(legA)) status = "premiumA";
    else if (created(legB)) status = "premiumB";
    else status = "accepted";
  }

  const intents: Intent[] = [];
  const missed: IntentStep[] = [];
  const allowed = (step: number) => v.haltAfterStep === undefined || step <= v.haltAfterStep;
  const want = (i: Intent, time: bigint, deadline: bigint) => {
    if (!v.roles[i.as] || !allowed(i.step as number) || v.pending.has(`${i.action}:${i.leg}`)) return;
    if (time + v.margin <= deadline) intents.push(i);
    else if (!missed.includes(i.step)) missed.push(i.step);
  };

  if (status !== "aborting" && status !== "settled" && status !== "completed") {
    if (legB.state === LegState.None && !created(legB) && timeB <= d(1)) {
      want({ step: 1, leg: "B", action: "depositPremium", as: "leader" }, timeB, d(1));
    }
    if (legB.state === LegState.PremiumDeposited && legA.state === LegState.None && !created(legA) && timeA <= d(2)) {
      want({ step: 2, leg: "A", action: "depositPremium", as: "follower" }, timeA, d(2));
    }
    if (legA.state === LegState.PremiumDeposited && (legB.state === LegState.PremiumDeposited || legB.state === LegState.Escrowed) && timeA <= d(3)) {
      want({ step: 3, leg: "A", action: "escrow", as: "leader" }, timeA, d(3));
    }
    if (legA.state === LegState.Escrowed && legB.state === LegState.PremiumDeposited && timeB <= d(4)) {
      want({ step: 4, leg: "B", action: "escrow", as: "follower" }, timeB, d(4));
    }
  }
  // Step 5, the commit: only when both legs are escrowed and final; the leader knows the secret.
  if (legA.state === LegState.Escrowed && legB.state === LegState.Escrowed && v.secret !== undefined && v.roles.leader && timeB <= d(5)) {
    want({ step: 5, leg: "B", action: "redeem", as: "leader", commit: true }, timeB, d(5));
  }
  // Step 6: a revealed secret is used at once.
  if (v.secret !== undefined && legA.state === LegState.Escrowed && timeA <= d(6)) {
    want({ step: 6, leg: "A", action: "redeem", as: "follower" }, timeA, d(6));
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
  return { status, ...(outcome ? { outcome } : {}), intents, missed };
}
