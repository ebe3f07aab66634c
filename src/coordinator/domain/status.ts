/**
 * A swap's status as the coordinator records it, and the one table of allowed transitions. Every
 * status change goes through `checkTransition` (and the store writes it with an event row in the same
 * database transaction), so no handler can move a swap sideways.
 *
 * Happy path (`PROTOCOLS.md` §3): accepted → premiumB (step 1 final) → premiumA (2) → escrowedA (3)
 * → escrowedB (4) → committed (the leader's durable decision to reveal) → redeemedB (5) → completed (6).
 * A status may skip forward (the follower's coordinator can see steps 1 and 2 final in one look).
 * Abort: any non-final status → aborting (a step was missed; deadlines will settle it) → settled; or
 * aborting → committed when the leader may still redeem leg B (leg A can never be escrowed any more).
 */
import { HedgeSwapError } from "../../sdk";

/** Where a swap is. `completed` and `settled` are final. */
export type SwapStatus =
  | "accepted"
  | "premiumB"
  | "premiumA"
  | "escrowedA"
  | "escrowedB"
  | "committed"
  | "redeemedB"
  | "completed"
  | "aborting"
  | "settled";

/** The statuses of the happy path, in order. */
export const HAPPY_PATH: readonly SwapStatus[] = ["accepted", "premiumB", "premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "completed"];

/** The transition table: for each status, the statuses it may move to. */
export const TRANSITIONS: Readonly<Record<SwapStatus, readonly SwapStatus[]>> = {
  accepted: ["premiumB", "premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"],
  premiumB: ["premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"],
  premiumA: ["escrowedA", "escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"],
  escrowedA: ["escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"],
  escrowedB: ["committed", "redeemedB", "completed", "aborting", "settled"],
  // Once committed, the leader's redeem of leg B is the only way forward; if it cannot land (leg B's
  // timeout passed), the swap is aborting like any other.
  committed: ["redeemedB", "completed", "aborting", "settled"],
  // Step 5 landed: the follower redeems leg A (completed) or lets leg A time out (settled, S5).
  redeemedB: ["completed", "settled"],
  // A step was missed, but the leader may still commit when leg B is escrowed and leg A can never be
  // (the follower escrowed out of turn): see `legAClosed` in the SDK's rule.
  aborting: ["committed", "settled"],
  completed: [],
  settled: [],
};

/** Every status a reorganisation may rewind a swap to: any status that is not final. */
const REWIND_TO: readonly SwapStatus[] = ["accepted", "premiumB", "premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "aborting"];

/**
 * The reopenings: a swap goes back to an earlier status only when a reorganisation deeper than its
 * chain's confirmation depth removed leg events that its status came from (a premium, an escrow, a
 * redeem, a refund or a settle). It goes back to the status it had before the first of them, finished
 * swaps included, and the chains decide from there. This is the only way back, and no handler but the
 * reorganisation's takes it.
 */
export const REOPENINGS: Readonly<Partial<Record<SwapStatus, readonly SwapStatus[]>>> = Object.fromEntries(
  (["premiumB", "premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"] as const).map((s) => [s, REWIND_TO.filter((t) => t !== s)]),
);

/**
 * Throws `IllegalTransitionError` unless `from → to` is a reopening after a reorganisation: for two
 * parties one of `REOPENINGS`; for a larger cycle (recorded labels, `domain/phase.ts`) the same rule:
 * from any status to any other that is not final.
 */
export function checkReopening(swapId: string, from: string, to: string): void {
  if (!mayReopen(from, to)) throw new IllegalTransitionError(swapId, from, to);
}

/** True when a reorganisation may rewind a swap from `from` to `to` (see `checkReopening`). */
export function mayReopen(from: string, to: string): boolean {
  if (from in TRANSITIONS && to in TRANSITIONS) return (REOPENINGS[from as SwapStatus] ?? []).includes(to as SwapStatus);
  return from !== to && !isFinal(to);
}

/** True when no transition leaves `status` (a two-party name, or a larger cycle's label: `completed` and `settled` are final for every n). */
export function isFinal(status: string): boolean {
  return status === "completed" || status === "settled";
}

/** Thrown when a transition is not in the table. */
export class IllegalTransitionError extends HedgeSwapError {
  constructor(
    readonly swapId: string,
    /** The recorded statuses: two-party names, or a larger cycle's labels (`domain/phase.ts`). */
    readonly from: string,
    readonly to: string,
  ) {
    super("ILLEGAL_TRANSITION", "the swap status change is not in the transition table", { swapId, from, to });
  }
}

/** Throws `IllegalTransitionError` unless `from → to` is in the table. */
export function checkTransition(swapId: string, from: SwapStatus, to: SwapStatus): void {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(swapId, from, to);
}
