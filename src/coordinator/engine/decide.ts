/**
 * The engine's pure core: from what the chains show (each leg's state at the final block, the final
 * events that finished it, each chain's clock) and what this coordinator holds (roles, secrets, open
 * transactions, its durable consents), the swap's status and the next actions. No I/O. What a party
 * may do next is the SDK's decision rule (`decideNext` in `src/sdk/rules.ts`, shared with `recover`);
 * this module adds the coordinator's bookkeeping: the status of the transition table and the outcome
 * label of the scenario matrix.
 */
import { LegState, decideNext, wasCreated, wasEscrowed, type Intent, type LegObservation, type Missed, type PartyView, type SwapPlan } from "../../sdk";
import type { SwapStatus } from "../domain/status";

export type { Intent, IntentStep, LegObservation, LegOutcome, Missed, NextStepMiss } from "../../sdk";

/** Everything `decide` looks at: the SDK rule's view plus the recorded status. */
export interface SwapView extends PartyView {
  readonly status: SwapStatus;
}

/** What `decide` returns. */
export interface Decision {
  readonly status: SwapStatus;
  /** The final outcome's label when the swap is over (matrix ids S0–S5, "completed", option outcomes, "aborted"). */
  readonly outcome?: string;
  readonly intents: readonly Intent[];
  /**
   * Steps this coordinator should take but can no longer take safely: past their deadlines with the
   * margins (`deadline`), a reveal that could be mined too late (`reveal-margin`, which moves the swap
   * to `aborting` for good), or a step whose party's next step could not land under the other chain's
   * measured clock (`next-step`: the step is not sent this round; the status is left to the chains'
   * clocks, since a measured offset can shrink again, e.g. once a stale head moves on).
   */
  readonly missed: readonly Missed[];
}

/** True when nothing more can happen to the leg: finished, or never created and past its premium deadline. */
function legFinal(l: LegObservation, premiumDeadline: bigint, now: bigint): boolean {
  return l.outcome !== undefined || l.state === LegState.Aborted || (l.state === LegState.None && now > premiumDeadline);
}

/**
 * The label of a finished swap, from how each leg ended: the matrix ids (S0–S5), "completed", the
 * option's "exercised"/"abandoned", and "aborted" once a leg was cooperatively aborted and neither
 * was redeemed (the other leg aborted too, refunded, its premium refunded, or never created; each
 * leg's own outcome stays in `GET /swaps/:id`). Anything else: `A:<outcome> B:<outcome>`.
 */
export function outcomeLabel(kind: SwapPlan["kind"], a: LegObservation, b: LegObservation): string {
  const o = (l: LegObservation) => l.outcome ?? (l.state === LegState.Aborted ? "aborted" : "never");
  const key = `${o(a)}/${o(b)}`;
  if ((o(a) === "aborted" || o(b) === "aborted") && o(a) !== "redeemed" && o(b) !== "redeemed") return "aborted";
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
      (!wasCreated(legB) && timeB > d(1)) ||
      (!wasCreated(legA) && timeA > d(2)) ||
      (!wasEscrowed(legA) && timeA > d(3)) ||
      (!wasEscrowed(legB) && timeB > d(4)) ||
      timeB > d(5);
    // A recorded commit stands while leg B's timeout has not passed (the reveal may be on its way).
    if (v.status === "committed" && timeB <= d(5)) status = "committed";
    else if (missed) status = "aborting";
    else if (wasEscrowed(legB)) status = "escrowedB";
    else if (wasEscrowed(legA)) status = "escrowedA";
    else if (wasCreated(legA)) status = "premiumA";
    else if (wasCreated(legB)) status = "premiumB";
    else status = "accepted";
  }
  const next = decideNext(v);
  // A leader that can no longer reveal safely takes the abort branch for good (unless already committed).
  // A `next-step` miss changes no status: the step is withheld this round, and the schedule's own
  // deadlines (above) move the swap to aborting once the step can no longer come at all.
  if (status !== "committed" && next.missed.some((m) => m.step === 5 && m.reason === "reveal-margin") && !isOver(status)) status = "aborting";
  return { status, ...(outcome ? { outcome } : {}), intents: next.intents, missed: next.missed };
}

function isOver(s: SwapStatus): boolean {
  return s === "settled" || s === "completed" || s === "redeemedB";
}
