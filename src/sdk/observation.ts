/**
 * What the decision rules (`./rules` for two parties, `./cycleRules` for cycles) look at, below both: a
 * leg as observed at its chain's final block, the safety figures of a chain (`PROTOCOLS.md` §6) and the
 * reveal margin. Pure, no I/O. `./rules` re-exports every name, so existing imports keep working.
 */
import { LegState } from "./leg";

/** How a leg was finished, from its final event. */
export type LegOutcome = "redeemed" | "refunded" | "premiumRefunded" | "aborted";

/** One leg as observed at its chain's final block. */
export interface LegObservation {
  /** `legState(legId)` at the chain's final block. */
  readonly state: LegState;
  /** Set once the event that finished the leg is final. */
  readonly outcome?: LegOutcome;
}

/** The safety figures of one chain (`PROTOCOLS.md` §6), in seconds. */
export interface ChainSafety {
  /** Worst-case time for a transaction to be included under fee spikes. */
  readonly inclusionTime: bigint;
  /** Time for an included transaction to become final: confirmations × block interval. */
  readonly confirmationTime: bigint;
  /** Largest expected difference between this chain's `block.timestamp` and the others'. */
  readonly clockSkew: bigint;
}

/** Margins of a chain with no delays at all (only the reaction margin counts). */
export const NO_CHAIN_DELAY: ChainSafety = Object.freeze({ inclusionTime: 0n, confirmationTime: 0n, clockSkew: 0n });

/**
 * Conservative chain figures for a chain nobody described (the coordinator's defaults: a minute to be
 * included, one 12-second block to be final, 15 seconds of clock skew).
 */
export const DEFAULT_CHAIN_SAFETY: ChainSafety = Object.freeze({ inclusionTime: 60n, confirmationTime: 12n, clockSkew: 15n });

/** The default reaction margin, seconds (the coordinator's `reactionMargin` default). */
export const DEFAULT_REACTION_MARGIN = 30n;

/**
 * The time a transaction that reveals s needs before its deadline on a chain: inclusion time +
 * confirmation time + clock skew + reaction margin.
 */
export function revealMargin(chain: ChainSafety, reaction: bigint): bigint {
  return chain.inclusionTime + chain.confirmationTime + chain.clockSkew + reaction;
}

/** True when the leg was escrowed (still escrowed, or finished by a redeem or refund). */
export function wasEscrowed(l: LegObservation): boolean {
  return l.state === LegState.Escrowed || l.outcome === "redeemed" || l.outcome === "refunded";
}

/** True when the leg was created (a premium or principal went in), whatever happened since. */
export function wasCreated(l: LegObservation): boolean {
  return l.state !== LegState.None || l.outcome !== undefined;
}
