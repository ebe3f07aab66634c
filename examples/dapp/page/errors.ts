/**
 * The page's own errors (as `HedgeSwapError`s, so that the SDK's actions pass them through unchanged)
 * and `explain`, which turns any failure — the page's, the SDK's typed errors, a wallet's EIP-1193
 * error, a failed fetch — into the title and text the user reads. Every path that shows one of these
 * has sent nothing on chain (the checks run before the wallet is asked to send).
 */
import { EscrowRevertError, HedgeSwapError } from "../../../src/sdk";

/** The user refused a request in the wallet (EIP-1193 error 4001). */
export class UserRejectedError extends HedgeSwapError {
  constructor(what: string) {
    super("USER_REJECTED", `you rejected the ${what} in your wallet`, { what, eip1193: 4001 });
  }
}

/** The wallet is not on the chain a step must be sent on, and did not switch to it. */
export class WrongNetworkError extends HedgeSwapError {
  constructor(expected: { name: string; chainId: bigint }, actual: bigint, reason: string) {
    super("WRONG_NETWORK", `your wallet is on chain ${actual}, and this must be sent on chain ${expected.name} (id ${expected.chainId}): ${reason}`, {
      expected: expected.chainId,
      actual,
      chain: expected.name,
    });
  }
}

/** No injected wallet (`window.ethereum`), or none connected yet. */
export class NoWalletError extends HedgeSwapError {
  constructor(reason: string) {
    super("NO_WALLET", reason);
  }
}

/** The account holds too little of an asset (or has too small an allowance) for a step. */
export class InsufficientFundsError extends HedgeSwapError {
  constructor(what: "balance" | "allowance", p: { chain: string; symbol: string; needed: string; available: string; step: string }) {
    super(
      what === "balance" ? "INSUFFICIENT_BALANCE" : "INSUFFICIENT_ALLOWANCE",
      what === "balance"
        ? `you hold ${p.available} ${p.symbol} on chain ${p.chain}; ${p.step} needs ${p.needed} ${p.symbol}`
        : `the escrow on chain ${p.chain} may spend ${p.available} of your ${p.symbol}; ${p.step} needs ${p.needed}: approve it, or choose "permit or approve"`,
      { ...p },
    );
  }
}

/** Bob's coordinator API or the maker endpoint cannot be reached. */
export class ApiUnreachableError extends HedgeSwapError {
  constructor(url: string, reason: string) {
    super("COORDINATOR_UNREACHABLE", `Bob's coordinator API at ${url} is unreachable (${reason})`, { url });
  }
}

/** The counterparty refused (an HTTP answer with a code). */
export class CounterpartyRefusedError extends HedgeSwapError {
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super("COUNTERPARTY_REFUSED", `Bob refused the offer: ${code}: ${message}`, { status, refusal: code, ...details });
  }
}

/** A pasted offer is not one: not JSON, or a field of the wrong shape, or not this account's swap. */
export class MalformedOfferError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super("MALFORMED_OFFER", reason, details);
  }
}

/** A form field of the page holds something it cannot use. */
export class InvalidInputError extends HedgeSwapError {
  constructor(field: string, reason: string, value: string) {
    super("INVALID_INPUT", `${field} ${reason}`, { field, value });
  }
}

/** The rule (`decideNext`) does not allow the step now. */
export class StepNotAllowedError extends HedgeSwapError {
  constructor(step: string, reason: string) {
    super("STEP_NOT_ALLOWED", `${step} is not allowed now: ${reason}`, { step });
  }
}

/** The secrets cannot be re-derived: the wallet's seed signature differs from the one the swaps were made with. */
export class SeedMismatchError extends HedgeSwapError {
  constructor() {
    super("SEED_MISMATCH", "your wallet signed the seed message differently than when this swap was made, so the page cannot re-derive its secret (a wallet with non-deterministic signatures?)");
  }
}

/** The code of an EIP-1193 error anywhere in the cause chain (ethers wraps it in `info.error` or `error`). */
export function rpcCode(e: unknown, depth = 0): number | undefined {
  if (e === null || typeof e !== "object" || depth > 6) return undefined;
  const o = e as { code?: unknown; info?: { error?: unknown }; error?: unknown; cause?: unknown };
  if (typeof o.code === "number") return o.code;
  if (o.code === "ACTION_REJECTED") return 4001;
  return rpcCode(o.info?.error, depth + 1) ?? rpcCode(o.error, depth + 1) ?? rpcCode(o.cause, depth + 1);
}

/** What the user reads about a failure. */
export interface Explained {
  readonly code: string;
  readonly title: string;
  readonly text: string;
}

const NOTHING = "Nothing was signed or sent.";
const NOTHING_SENT = "Nothing was sent on chain.";

/** Title and text for any failure. */
export function explain(e: unknown): Explained {
  if (!(e instanceof HedgeSwapError) && rpcCode(e) === 4001) return explain(new UserRejectedError("request"));
  if (e instanceof HedgeSwapError) {
    const d = e.details;
    switch (e.code) {
      case "USER_REJECTED":
        return { code: e.code, title: "Request rejected in the wallet", text: `You rejected the ${String(d.what)} in your wallet (EIP-1193 error 4001). ${NOTHING_SENT}` };
      case "WRONG_NETWORK":
      case "WRONG_CHAIN":
        return { code: "WRONG_NETWORK", title: "Wrong network", text: `${cap(e.shortMessage)}. ${NOTHING_SENT}` };
      case "INSUFFICIENT_BALANCE":
      case "INSUFFICIENT_ALLOWANCE":
        return { code: e.code, title: e.code === "INSUFFICIENT_BALANCE" ? "Insufficient balance" : "Insufficient allowance", text: `${cap(e.shortMessage)}. ${NOTHING}` };
      case "DELTA_TOO_SMALL":
        return {
          code: e.code,
          title: "Unsafe Δ",
          text: `Δ = ${String(d.delta)} s is below the smallest safe Δ of ${String(d.minDelta)} s on these chains (inclusion time + confirmations × block interval + clock skew + reaction margin, PROTOCOLS.md §6): the last redeemer would not have time to act. ${NOTHING}`,
        };
      case "DEADLINE_IN_PAST":
      case "HORIZON_EXCEEDED":
      case "DEADLINES_UNORDERED":
      case "PREMIUM_RELATION":
      case "NON_POSITIVE_AMOUNT":
        return { code: e.code, title: "The swap's terms are not safe", text: `${cap(e.message)}. ${NOTHING}` };
      case "INVALID_ARGUMENT":
      case "INVALID_ADDRESS":
      case "INVALID_BYTES32":
      case "UNKNOWN_KEY":
      case "MALFORMED_OFFER":
        return { code: "MALFORMED_OFFER", title: "Malformed offer", text: `The signed offer is malformed: ${e.shortMessage}${d.value !== undefined ? ` (got ${show(d.value)})` : ""}. Nothing was kept. ${NOTHING}` };
      case "INVALID_OFFER_SIGNATURE":
        return { code: e.code, title: "Invalid offer signature", text: `The ${String(d.party)}'s signature does not recover to ${String(d.expected)} (it recovers to ${String(d.recovered)}). ${NOTHING}` };
      case "COORDINATOR_UNREACHABLE":
        return { code: e.code, title: "Coordinator API unreachable", text: `${cap(e.shortMessage)}. Start it (npm run example:dapp) and try again. ${NOTHING}` };
      case "COUNTERPARTY_REFUSED":
        return { code: e.code, title: "Offer refused", text: `${cap(e.shortMessage)}. ${NOTHING_SENT}` };
      case "INVALID_INPUT":
        return { code: e.code, title: "Invalid input", text: `${cap(e.shortMessage)} (got ${show(d.value)}). ${NOTHING}` };
      case "STEP_NOT_ALLOWED":
        return { code: e.code, title: "Step not allowed", text: `${cap(e.shortMessage)}. ${NOTHING_SENT}` };
      case "NO_WALLET":
      case "SEED_MISMATCH":
        return { code: e.code, title: e.code === "NO_WALLET" ? "No wallet" : "Seed mismatch", text: `${cap(e.shortMessage)}.` };
      case "TRANSACTION_FAILED":
        if (rpcCode(e.cause) === 4001) return explain(new UserRejectedError(`${String(d.action)} transaction`));
        return { code: e.code, title: "Transaction failed", text: `${cap(e.shortMessage)}: ${String(d.reason)}.` };
    }
    if (e instanceof EscrowRevertError) return { code: e.code, title: "The escrow refused", text: `${e.message}. The transaction was not mined.` };
    return { code: e.code, title: e.code, text: e.message };
  }
  return { code: "UNEXPECTED", title: "Unexpected error", text: e instanceof Error ? e.message : String(e) };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function show(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : typeof v === "bigint" ? v.toString() : JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
