/**
 * Errors of the coordinator's requests (beyond the SDK's and admission's): each carries a stable code
 * the HTTP API maps to a status.
 */
import { HedgeSwapError } from "../sdk";

/** No swap with this id. */
export class UnknownSwapError extends HedgeSwapError {
  constructor(swapId: string) {
    super("UNKNOWN_SWAP", "no swap with this id", { swapId });
  }
}

/** The swap is already final; nothing can be changed. */
export class SwapFinalError extends HedgeSwapError {
  constructor(swapId: string, status: string) {
    super("SWAP_FINAL", "the swap is already final", { swapId, status });
  }
}

/** The leg is in no state an abort applies to (not created, or already finished). */
export class LegNotAbortableError extends HedgeSwapError {
  constructor(swapId: string, leg: string, state: string) {
    super("LEG_NOT_ABORTABLE", "the leg cannot be aborted in its current state", { swapId, leg, state });
  }
}

/** This coordinator holds neither party of the leg, or the escrower's abort lacks the redeemer's consent, or a leg state cannot be read. */
export class AbortNotPossibleError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown>) {
    super("ABORT_NOT_POSSIBLE", reason, details);
  }
}

/**
 * The redeemer's abort consent is not valid for the leg: not an ECDSA signature of the redeemer (an
 * account without code), or refused by the redeemer's ERC-1271 `isValidSignature` (a contract wallet).
 * `recovered` is the ECDSA signer of the digest, if the signature recovers to one.
 */
export class InvalidAbortConsentError extends HedgeSwapError {
  constructor(swapId: string, leg: string, expected: string, recovered: string | null, scheme: "ecdsa" | "erc1271" = "ecdsa") {
    super("INVALID_ABORT_SIGNATURE", "the abort consent is not the redeemer's signature", { swapId, leg, expected, recovered, scheme });
  }
}

/**
 * The leader will not consent to an abort of leg B: it has committed to reveal the secret (status
 * `committed`, `redeemedB` or `completed`), or the secret is already revealed, so leg B is (about to
 * be) redeemed. Nothing was signed.
 */
export class RevealCommittedError extends HedgeSwapError {
  constructor(swapId: string, status: string, secretRevealed: boolean) {
    super("REVEAL_COMMITTED", "the leader has committed to reveal the secret (or it is revealed): it no longer consents to abort leg B", {
      swapId,
      leg: "B",
      status,
      secretRevealed,
    });
  }
}

/**
 * The follower will not consent to an abort of leg A while its own leg B is escrowed (or its escrow is
 * on its way): the leader could abort leg A and still redeem leg B with the secret. Get the leader's
 * consent to abort leg B first, abort leg B with it, then ask again. Nothing was signed.
 */
export class CounterLegEscrowedError extends HedgeSwapError {
  /** `legA`, `legB`: the legs' state names (leg B's at its final block); `legBLatest` at the latest block. */
  constructor(swapId: string, legA: string, legB: string, more: { readonly legBLatest: string; readonly pendingEscrow: boolean }) {
    super(
      "COUNTER_LEG_ESCROWED",
      "leg A is aborted only once leg B is aborted, refunded or was never escrowed: leg B is escrowed (or its escrow is on its way), so abort leg B first with the leader's consent, then ask again",
      { swapId, leg: "A", legA, legB, legBLatest: more.legBLatest, pendingEscrow: more.pendingEscrow },
    );
  }
}

/**
 * The follower will not consent to an abort of leg A: leg B was redeemed (the secret is revealed), so
 * the follower redeems leg A with the secret instead. Nothing was signed.
 */
export class CounterLegRedeemedError extends HedgeSwapError {
  constructor(swapId: string, legA: string, legB: string) {
    super("COUNTER_LEG_REDEEMED", "leg B was redeemed and the secret is revealed: leg A is redeemed with it, not aborted", { swapId, leg: "A", legA, legB });
  }
}

/**
 * A batch would need more gas than one transaction may carry on its chain (`maxTxGas`): nothing was
 * signed. `fits` is how many of its legs one transaction can take at the same price per leg.
 */
export class TxGasCapError extends HedgeSwapError {
  constructor(chain: string, legs: number, gasLimit: bigint, cap: number, fits: number) {
    super("TX_GAS_CAP", "the batch needs more gas than one transaction may carry", { chain, legs, gasLimit: gasLimit.toString(), maxTxGas: cap, fits });
  }
}

/**
 * A chain's RPC could not be reached while connecting or polling: a timeout, a refused connection, an
 * HTTP 5xx or a JSON-RPC failure. Not a configuration error: the coordinator runs degraded and retries
 * (see `engine/reachability.ts`). `reason` is the underlying failure's message (cut), kept as `cause`.
 */
export class ChainUnreachableError extends HedgeSwapError {
  constructor(chain: string, reason: string, cause?: unknown) {
    super("CHAIN_UNREACHABLE", "the chain's RPC could not be reached", { chain, reason: reason.slice(0, 300) }, { cause });
  }
}

/**
 * An offer needs a chain this coordinator cannot reach now (never connected since the start, or lost
 * since `since`): refused before any transaction (HTTP 503). Submit it again once `GET /health` shows
 * the chain reachable.
 */
export class ChainUnavailableError extends HedgeSwapError {
  constructor(chain: string, chainId: string, since: number | null, lastError: string | null) {
    super("CHAIN_UNAVAILABLE", "a chain of the offer is unreachable now: nothing was sent; submit it again once the chain is back", {
      chain,
      chainId,
      since: since === null ? null : new Date(since).toISOString(),
      lastError,
    });
  }
}
