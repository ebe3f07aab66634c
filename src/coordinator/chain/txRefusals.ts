/**
 * How a node's answer to a broadcast is read: a fee too low (bumped), a refusal (dropped), or no
 * answer at all (kept and broadcast again). Pure: no I/O.
 */
import { TransactionFailedError } from "../../sdk";

/** A node's refusal of a transaction whose fees are below what the next block needs. */
export function isUnderpriced(e: unknown): boolean {
  const msg = String((e as Error)?.message ?? e).toLowerCase();
  return msg.includes("too low") || msg.includes("underpriced") || msg.includes("fee cap") || msg.includes("maxfeepergas");
}

/**
 * Whether a broadcast failed because the node answered with a refusal (a JSON-RPC error: too little
 * coin for the gas, a gas limit over its cap, a malformed transaction) rather than because the request
 * may not have reached it (timeout, network or HTTP failure) or a fee too low (bumped instead).
 */
export function isRefusal(e: unknown): boolean {
  // The SDK's TransactionFailedError wraps the provider's error.
  const inner = e instanceof TransactionFailedError ? e.cause : e;
  const code = (inner as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || ["TIMEOUT", "NETWORK_ERROR", "SERVER_ERROR", "BAD_DATA"].includes(code)) return false;
  return !isUnderpriced(inner);
}
