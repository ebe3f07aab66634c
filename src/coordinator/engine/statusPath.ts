/**
 * Which statuses a swap's move crosses, and the protocol step each status marks, for a cycle of any
 * size (two parties: the two-party names, `premiumB` … `completed`). Pure: no I/O.
 */
import { cycleStatusPath, parseStoredStatus, storedStatus, type CycleStatus, type StoredStatus } from "../domain/phase";

/**
 * The step whose completion a status marks (for `final:<step>` crash points): the step of `premiums@k`
 * and `escrows@k`, 2n+1 for `revealed`, 3n for `completed`. Two parties: premiumB 1, premiumA 2,
 * escrowedA 3, escrowedB 4, redeemedB 5, completed 6.
 */
export function stepOfStatus(n: number, s: CycleStatus): string | undefined {
  if (s.phase === "premiums" || s.phase === "escrows") return String(s.step);
  if (s.phase === "revealed") return String(2 * n + 1);
  if (s.phase === "completed") return String(3 * n);
  return undefined;
}

/**
 * The statuses a move from `from` to `to` writes, in order: along the happy path every status in
 * between (`committed` only when it is the target); otherwise `to` alone (nothing when equal).
 */
export function storedStatusPath(n: number, from: StoredStatus, to: StoredStatus): StoredStatus[] {
  // Most rounds leave most swaps where they are.
  if (from === to) return [];
  return cycleStatusPath(n, parseStoredStatus(n, from), parseStoredStatus(n, to)).map((s) => storedStatus(n, s));
}
