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

/** This coordinator holds neither party of the leg, or the escrower's abort lacks the redeemer's consent. */
export class AbortNotPossibleError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown>) {
    super("ABORT_NOT_POSSIBLE", reason, details);
  }
}

/** The redeemer's abort consent does not recover to the leg's redeemer. */
export class InvalidAbortConsentError extends HedgeSwapError {
  constructor(swapId: string, leg: string, expected: string, recovered: string | null) {
    super("INVALID_ABORT_SIGNATURE", "the abort consent is not the redeemer's signature", { swapId, leg, expected, recovered });
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
