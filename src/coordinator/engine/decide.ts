/**
 * The engine's decision for a two-party swap in the two-party words (legs A and B, leader and
 * follower): the n-generic core (`decideSwap`, which the rounds run for every swap) on the swap as a
 * 2-cycle, its intents and missed steps named as §3 names them. No I/O. What a party may do next is the
 * SDK's decision rule (`decideCycleNext`, of which `decideNext` is the n = 2 case).
 */
import { cycleViewOf, twoPartyIntent, twoPartyMissed, type Intent, type Missed, type PartyView } from "../../sdk";
import type { SwapStatus } from "../domain/status";
import { decideSwap } from "./decideSwap";

export type { Intent, IntentStep, LegObservation, LegOutcome, Missed, NextStepMiss } from "../../sdk";
export { outcomeLabel } from "./decideSwap";

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

/** The swap's status and the actions to take now. */
export function decide(v: SwapView): Decision {
  const d = decideSwap(cycleViewOf(v), v.status, v.plan.kind);
  return { status: d.status as SwapStatus, ...(d.outcome !== undefined ? { outcome: d.outcome } : {}), intents: d.intents.map(twoPartyIntent), missed: d.missed.map(twoPartyMissed) };
}
