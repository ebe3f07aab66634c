/**
 * The protocol step of a transaction row, for crash points and logs. Pure: no I/O.
 */
import { LEG_NAMES, type TxRow } from "../store/types";

/**
 * The protocol step a transaction row belongs to in a swap of `parties` parties ("settle" for
 * settlements, "cancel" for cancels): §7's table, arc i being leg `LEG_NAMES[i]` — the premium on arc i
 * is step n−i, its escrow n+1+i, the redeem of arc n−1 (the reveal) 2n+1, the redeem of arc i < n−1
 * 2n+1+(n−1−i). Two parties (the default): premium B 1, premium A 2, escrow A 3, escrow B 4, redeem B 5,
 * redeem A 6.
 */
export function stepOf(tx: Pick<TxRow, "action" | "leg">, parties = 2): string {
  const n = parties;
  const arc = LEG_NAMES.indexOf(tx.leg);
  if (arc < 0 || arc >= n) return tx.action;
  if (tx.action === "depositPremium") return String(n - arc);
  if (tx.action === "escrow") return String(n + 1 + arc);
  if (tx.action === "redeem") return String(arc === n - 1 ? 2 * n + 1 : 2 * n + 1 + (n - 1 - arc));
  return tx.action;
}
