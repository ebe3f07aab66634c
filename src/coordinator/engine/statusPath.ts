/**
 * Which statuses a swap's move crosses, and the protocol step each status marks. Pure: no I/O.
 */
import { HAPPY_PATH, type SwapStatus } from "../domain/status";

/** The step whose completion each status marks (for `final:<step>` crash points). */
export const STEP_OF_STATUS: Partial<Record<SwapStatus, string>> = { premiumB: "1", premiumA: "2", escrowedA: "3", escrowedB: "4", redeemedB: "5", completed: "6" };

/**
 * The statuses a move from `from` to `to` writes, in order: along the happy path every status in
 * between (`committed` only when it is the target); otherwise `to` alone (nothing when equal).
 */
export function statusPath(from: SwapStatus, to: SwapStatus): SwapStatus[] {
  const i = HAPPY_PATH.indexOf(from);
  const j = HAPPY_PATH.indexOf(to);
  if (i < 0 || j < 0 || j <= i) return from === to ? [] : [to];
  return HAPPY_PATH.slice(i + 1, j + 1).filter((s) => s !== "committed" || s === to);
}
