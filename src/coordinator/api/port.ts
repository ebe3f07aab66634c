/**
 * What the HTTP API needs from the coordinator: one narrow interface, so the API is a thin layer
 * (validation, auth, serialisation) over the engine and the store.
 */
import type { SignedCycleOffer, SignedOffer } from "../../sdk";
import type { ArcStatus } from "../domain/arcs";
import type { StoredStatus } from "../domain/phase";
import type { EventRow, LegName, SwapRow, TxRow } from "../store/types";

/** Filters of the swap list. */
export interface SwapFilter {
  readonly status?: StoredStatus;
  readonly kind?: "hedged-swap" | "option";
  /** true: only swaps not in a final status; false: only final ones. */
  readonly active?: boolean;
  readonly limit?: number;
  readonly offset?: number;
}

/** One step of a swap's schedule with its deadline, the time left on its chain's clock and its transaction. */
export interface StepDetail {
  readonly step: number;
  /** Two parties: `leader` or `follower`; a cycle: `P0` (the leader) … `P7`. */
  readonly actor: string;
  readonly party: string;
  /** The arc's name: A, B (two parties' legs), C … H (a cycle's arcs 2 … 7). */
  readonly leg: LegName;
  readonly action: string;
  readonly chain: string;
  readonly deadline: string;
  /** Seconds from the chain's latest block to the deadline (negative once past); null when the chain is unreachable. */
  readonly secondsLeft: number | null;
  /** This coordinator's transaction for the step, if it sent one. */
  readonly tx: { readonly hash: string; readonly status: string; readonly blockNumber: number | null } | null;
}

/** One leg of a swap as the API shows it. */
export interface LegDetail {
  readonly name: LegName;
  readonly chain: string;
  readonly chainId: string;
  readonly escrow: string;
  readonly legId: string;
  readonly escrower: string;
  readonly redeemer: string;
  readonly token: string;
  readonly amount: string;
  readonly premiumToken: string;
  readonly premiumAmount: string;
  readonly premiumMode: "hedge" | "option";
  readonly premiumDeadline: string;
  readonly escrowDeadline: string;
  readonly timeout: string;
  /** How the leg ended, once final ("redeemed", "refunded", "premiumRefunded", "aborted"). */
  readonly outcome: string | null;
}

/** Party i of a swap as the API shows it (P0 is the leader). */
export interface PartyDetail {
  readonly index: number;
  readonly address: string;
  /** This coordinator holds the party's key and drives its steps. */
  readonly held: boolean;
}

/** Arc i of a swap with its status as the chains last showed it. */
export interface ArcDetail {
  readonly index: number;
  readonly leg: LegName;
  readonly chainId: string;
  readonly status: ArcStatus;
}

/** A swap with everything about it. */
export interface SwapDetail {
  readonly swap: SwapRow;
  /** P0 … P(n−1). */
  readonly parties: readonly PartyDetail[];
  /** Arc 0 … n−1, each with its status. */
  readonly arcs: readonly ArcDetail[];
  readonly legs: readonly LegDetail[];
  readonly steps: readonly StepDetail[];
  readonly transactions: readonly TxRow[];
  readonly events: readonly EventRow[];
}

/** The answer to an abort request. */
export interface AbortResult {
  /** The redeemer's EIP-712 consent, when this coordinator holds the leg's redeemer and its rule allows it (give it to the escrower). */
  readonly signature?: string;
  /** The abort transaction, when this coordinator holds the escrower and a valid consent was given. */
  readonly txHash?: string;
}

/** One chain as `GET /health` shows it. */
export interface ChainHealthReport {
  readonly name: string;
  /** Decimal. */
  readonly chainId: string;
  /** The chain id and the escrow (code, VERSION) were checked in this process. */
  readonly connected: boolean;
  /** The last connection attempt, probe or round reached the chain. */
  readonly reachable: boolean;
  /** When `reachable` last changed (ISO 8601); null before the first attempt ended. */
  readonly since: string | null;
  /** The last failure while the chain is not usable; null when it is. */
  readonly lastError: string | null;
  /** Milliseconds to the next connection attempt (0: due, or a probe runs each round); null when the chain is usable. */
  readonly nextRetryInMs: number | null;
}

/**
 * The coordinator's health (`GET /health`, `GET /ready`): `ok` while every chain is connected and
 * reachable, `degraded` while one is not (the process runs and drives what the others allow).
 */
export interface HealthReport {
  /** The process is alive (always true when it answers). */
  readonly ok: true;
  readonly status: "ok" | "degraded";
  readonly chains: readonly ChainHealthReport[];
}

/** The coordinator as the API sees it. */
export interface CoordinatorPort {
  /** Validates and accepts a signed offer (typed `HedgeSwapError` on refusal; nothing sent). */
  submit(signed: SignedOffer): Promise<SwapRow>;
  /** Validates and accepts a signed n-party cycle offer (typed `HedgeSwapError` on refusal; nothing sent). */
  submitCycle?(signed: SignedCycleOffer): Promise<SwapRow>;
  listSwaps(filter: SwapFilter): SwapRow[];
  /** Undefined when there is no such swap. */
  swapDetail(id: string): SwapDetail | undefined;
  /**
   * A cooperative abort of one leg (`PROTOCOLS.md` §2): signs the consent for a leg whose redeemer this
   * coordinator holds, and submits the abort for a leg whose escrower it holds when `redeemerSignature`
   * is given. The consents come in one order only:
   *
   * 1. **The leader first**, to the abort of leg B (it is leg B's redeemer): it records durably that it
   *    will never reveal the secret for this swap before it signs; refused (`REVEAL_COMMITTED`) once it
   *    has committed to reveal or the secret is out.
   * 2. **The follower**, to the abort of leg A (it is leg A's redeemer), **only once its own leg B is
   *    aborted, refunded or was never escrowed** (read on chain B at the final block); while leg B is
   *    escrowed it refuses (`COUNTER_LEG_ESCROWED`): abort leg B with the leader's consent first, then
   *    ask again. A redeemed leg B is refused too (`COUNTER_LEG_REDEEMED`: redeem leg A instead). When
   *    leg B was never escrowed the follower first records durably that it will not escrow it any more.
   *
   * The escrower's side accepts the redeemer's ECDSA signature, or a contract wallet's ERC-1271 one.
   * Typed errors: unknown swap, final swap, leg not abortable, the two refusals above, invalid
   * signature (`INVALID_ABORT_SIGNATURE`), no key. A refusal signs and sends nothing.
   */
  requestAbort(id: string, leg: "A" | "B", redeemerSignature?: string): Promise<AbortResult>;
  /** Calls `listener` with every event appended from now on; returns the unsubscribe function. */
  onEvent(listener: (event: EventRow) => void): () => void;
  /** Per chain connected/reachable and the overall status; without it `GET /health` answers `{ ok: true }` and `GET /ready` 200. */
  health?(): HealthReport;
}
