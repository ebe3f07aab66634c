/**
 * How loud each report of a chain's sender is (issue 16's "logs that tell the truth"): a reveal that
 * reverted or was dropped, and a bump stopped at the fee cap, are errors; a cancel is a warning; the
 * warnings that repeat every round (fees capped, a failed broadcast, a refused replacement) are
 * written at most once per interval per chain; everything else is info. Pure: the caller writes.
 */
import type { LogLimiter } from "../logLimit";

/** One log line to write. */
export interface SenderLogLine {
  readonly level: "error" | "warn" | "info";
  readonly msg: string;
  /** Identical lines held back since the last one of this kind (rate-limited kinds only). */
  readonly suppressed?: number;
}

/** The kinds whose warning repeats every round while the condition lasts. */
const REPEATING: Readonly<Record<string, string>> = {
  "fee.capped": "fees capped at the chain's maxFeePerGas",
  "tx.broadcastFailed": "broadcast failed; a signed transaction is kept and broadcast again",
  "tx.replacementRefused": "a replacement was refused by the node; the old transaction stays open",
};

/** The line for the sender's report `kind` with `data` on chain `chainId`, or undefined when rate-limited away. */
export function senderLogLine(kind: string, data: Readonly<Record<string, unknown>>, chainId: string, limiter: LogLimiter): SenderLogLine | undefined {
  if (kind === "tx.reverted" && data.reveals === true) return { level: "error", msg: "a reveal reverted (mined after its deadline?): its calldata made the secret public" };
  if (kind === "tx.dropped" && data.reveals === true) return { level: "error", msg: "a reveal was dropped unmined; the rule decides again" };
  if (kind === "fee.capReached") return { level: "error", msg: "fee bump stopped at the fee cap or the swap's gas budget; the rule decides each round (a reveal that cannot land in time is cancelled)" };
  if (kind === "tx.cancelling") return { level: "warn", msg: data.reveals === true ? "a signed reveal could land after its deadline: replaced by a cancel that reveals nothing" : "a signed step the rule no longer takes: replaced by a cancel" };
  const repeating = REPEATING[kind];
  if (repeating !== undefined) {
    const line = limiter.take(`${kind}:${chainId}`);
    return line ? { level: "warn", msg: repeating, ...(line.suppressed > 0 ? { suppressed: line.suppressed } : {}) } : undefined;
  }
  return { level: "info", msg: kind };
}
