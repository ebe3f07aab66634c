/**
 * The protocol step of a transaction row, for crash points and logs. Pure: no I/O.
 */
import type { TxRow } from "../store/types";

const STEP_OF: Record<string, string> = { "depositPremium:B": "1", "depositPremium:A": "2", "escrow:A": "3", "escrow:B": "4", "redeem:B": "5", "redeem:A": "6" };

/** The protocol step a transaction row belongs to ("settle" for settlements, "cancel" for cancels). */
export function stepOf(tx: Pick<TxRow, "action" | "leg">): string {
  return STEP_OF[`${tx.action}:${tx.leg}`] ?? tx.action;
}
