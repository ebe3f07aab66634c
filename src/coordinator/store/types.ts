/**
 * What the coordinator persists, behind one interface (`CoordinatorStore`) so that a server database
 * can replace SQLite later. Rows are plain JSON-safe values: bigints as decimal strings, times as unix
 * milliseconds (local clock, for the record only — deadlines are always judged by chain clocks).
 */
import { HedgeSwapError } from "../../sdk";
import type { ArcStatus } from "../domain/arcs";
import type { StoredStatus } from "../domain/phase";

/** One swap the coordinator drives. */
export interface SwapRow {
  /** The offer's EIP-712 digest (0x-hex, lower case). */
  readonly id: string;
  /** `offerToJson(offer)` of the SDK. */
  readonly offer: Record<string, unknown>;
  /** Every party's EIP-712 signature: leader and follower, or (a cycle) one per party in party order. */
  readonly signatures: { readonly leader: string; readonly follower: string } | readonly string[];
  readonly kind: "hedged-swap" | "option";
  /** The offer's hashlock, lower case (unique among swaps: a reused hashlock is refused). */
  readonly hashlock: string;
  /** Which parties' keys this coordinator holds. */
  readonly roles: { readonly leader: boolean; readonly follower: boolean };
  /** For the leader: the index of the secret under the coordinator's seed (the secret itself is never stored). */
  readonly secretIndex: number | null;
  /** The two-party status name (n = 2), or a larger cycle's label (`premiums@2`, `escrows@5`, `revealed`, …; `domain/phase.ts`). */
  readonly status: StoredStatus;
  /** A short label of the final outcome (e.g. "completed", "S3"), set when the swap ends. */
  readonly outcome: string | null;
  /** A secret seen revealed on chain (valid for the hashlock), once seen. */
  readonly revealedSecret: string | null;
  /**
   * The leader's vow, written before it signed its consent to abort leg B: it never reveals the secret
   * for this swap (no step 3, no step 5). Once set it is never cleared.
   */
  readonly neverReveal: boolean;
  /**
   * The follower's vow, written before it signed its consent to abort leg A while leg B was not
   * escrowed: it never escrows leg B for this swap (no step 2, no step 4). Once set it is never cleared.
   */
  readonly neverEscrow: boolean;
  /** n: the swap is a cycle of this many parties and arcs (2 for a two-party swap: arc 0 is leg A, arc 1 leg B). */
  readonly parties: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Party i of a swap: P0 is the leader (for two parties, P1 is the follower). */
export interface PartyRow {
  readonly swapId: string;
  readonly index: number;
  readonly address: string;
  /** This coordinator holds the party's key and drives its steps. */
  readonly held: boolean;
}

/** Arc i of a swap: the leg P_i → P_{i+1 mod n} on its chain, with its status as the chains last showed it. */
export interface ArcRow {
  readonly swapId: string;
  readonly index: number;
  readonly chainId: string;
  readonly status: ArcStatus;
  readonly updatedAt: number;
}

/** The parties and arcs of a new swap: `insertSwap` derives them from a two-party offer when they are not given. */
export interface NewCycle {
  readonly parties: readonly { readonly address: string; readonly held: boolean }[];
  /** Arc i's chain id (decimal). */
  readonly arcChains: readonly string[];
}

/** A new swap row (status `accepted`), optionally with its parties and arcs. */
export type NewSwap = Omit<SwapRow, "status" | "outcome" | "revealedSecret" | "neverReveal" | "neverEscrow" | "parties" | "createdAt" | "updatedAt"> & {
  readonly cycle?: NewCycle;
};

/** An arc's name in transaction rows: arc 0 … 7 is A … H (a two-party swap's legs A and B are arcs 0 and 1). */
export type LegName = "A" | "B" | "C" | "D" | "E" | "F" | "G" | "H";

/** The names of arcs 0 … 7. */
export const LEG_NAMES: readonly LegName[] = ["A", "B", "C", "D", "E", "F", "G", "H"];

/** What a transaction is for. */
export type TxAction = "depositPremium" | "escrow" | "redeem" | "settle" | "abort" | "approve" | "withdraw" | "cancel";

/** Where a transaction is. `signed` rows are recorded before broadcast. */
export type TxStatus = "signed" | "sent" | "mined" | "reverted" | "replaced" | "dropped";

/** An outgoing transaction, recorded (signed) before it is broadcast. */
export interface TxRow {
  readonly id: number;
  readonly swapId: string;
  readonly chainId: string;
  readonly account: string;
  readonly nonce: number;
  readonly action: TxAction;
  readonly leg: LegName;
  readonly to: string;
  readonly data: string;
  readonly value: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  readonly gasLimit: string;
  /** The signed raw transaction (rebroadcast after a restart) and its hash. */
  readonly raw: string;
  readonly hash: string;
  readonly status: TxStatus;
  readonly blockNumber: number | null;
  /** How many times this (swap, leg, action) has been signed: 1 for the first, +1 per fee bump. */
  readonly attempt: number;
  /**
   * The deadline of the step this transaction takes, on its chain's clock (unix seconds, decimal; the
   * earliest of a batch's legs), or null for actions without one. Every resend is checked against it.
   */
  readonly deadline: string | null;
  /** The calldata reveals the secret (the leader's step-5 redeem): never sent again once it could land too late. */
  readonly reveals: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A new transaction row (the store assigns `id`, `createdAt`, `updatedAt`; `deadline` and `reveals` default to none). */
export type NewTx = Omit<TxRow, "id" | "createdAt" | "updatedAt" | "blockNumber" | "deadline" | "reveals"> & {
  readonly blockNumber?: number | null;
  readonly deadline?: string | null;
  readonly reveals?: boolean;
};

/** A swap leg a transaction acts on (a batched redeem or settle covers several). */
export interface TxMember {
  readonly swapId: string;
  readonly leg: LegName;
}

/** A leg with an open (signed or sent) transaction, and what the transaction does. */
export interface OpenTxMember extends TxMember {
  readonly action: TxAction;
  readonly chainId: string;
}

/** One row of the append-only event trail. */
export interface EventRow {
  readonly id: number;
  readonly swapId: string | null;
  readonly chainId: string | null;
  readonly at: number;
  readonly kind: string;
  readonly data: Record<string, unknown>;
}

/** A new event (the store assigns `id` and, unless given, `at`). */
export type NewEvent = Omit<EventRow, "id" | "at"> & { readonly at?: number };

/** The last block of a chain whose logs have been processed (final under the confirmation depth). */
export interface ChainTip {
  readonly chainId: string;
  readonly blockNumber: number;
  readonly blockHash: string;
}

/** A final tip the watcher passed, kept to find how deep a reorganisation went. */
export interface BlockCheckpoint {
  readonly blockNumber: number;
  readonly blockHash: string;
}

/** Fields a transition may set along with the status. */
export interface SwapPatch {
  readonly outcome?: string | null;
  readonly revealedSecret?: string | null;
  /** Sets the leader's vow never to reveal the secret (it cannot be cleared: the database refuses). */
  readonly neverReveal?: true;
  /** Sets the follower's vow never to escrow leg B (it cannot be cleared: the database refuses). */
  readonly neverEscrow?: true;
}

/** Thrown by `insertSwap` when the id or the hashlock is already known. */
export class DuplicateSwapError extends HedgeSwapError {
  constructor(
    readonly swapId: string,
    readonly field: "id" | "hashlock",
  ) {
    super("DUPLICATE_SWAP", `a swap with the same ${field} already exists`, { swapId, field });
  }
}

/** The coordinator's persistence. Every method is synchronous and atomic. */
export interface CoordinatorStore {
  /**
   * Inserts a new swap (status `accepted`), its parties and arcs (each arc `open`) and its `accepted`
   * event in one transaction; `DuplicateSwapError` if id or hashlock exists. Without `cycle` the offer
   * must be a two-party offer (leader, follower, legA, legB), from which the 2-cycle is derived.
   */
  insertSwap(row: NewSwap, event: NewEvent): SwapRow;
  getSwap(id: string): SwapRow | undefined;
  /** The swap with this hashlock (lower case), if any. */
  getSwapByHashlock(hashlock: string): SwapRow | undefined;
  /** The ids of the swaps not in a final status (cheap: no row is decoded). */
  activeSwapIds(): string[];
  /** All swaps, or only those not in a final status; oldest first. */
  listSwaps(filter?: { readonly activeOnly?: boolean; readonly status?: StoredStatus }): SwapRow[];
  /**
   * Moves a swap to `to` (checked against the transition table; `IllegalTransitionError` otherwise),
   * applies `patch` and appends `event`, all in one transaction. Moving to the current status is a
   * no-op that returns the row unchanged and writes nothing.
   */
  transition(id: string, to: StoredStatus, event: NewEvent, patch?: SwapPatch): SwapRow;
  /** Sets fields without a status change, with an event, in one transaction (the vows of an abort consent are written this way). */
  patchSwap(id: string, patch: SwapPatch, event: NewEvent): SwapRow;
  /**
   * Rewinds a swap after a reorganisation removed leg events its status came from: to an earlier `to`
   * (checked against `REOPENINGS`; `IllegalTransitionError` otherwise), clearing the outcome, with
   * `event`, in one transaction.
   */
  reopenSwap(id: string, to: StoredStatus, event: NewEvent): SwapRow;

  /**
   * Records a signed transaction before broadcast, with the swap legs it acts on (default: its own
   * `swapId` and `leg`), in one transaction; returns the row.
   */
  insertTx(tx: NewTx, members?: readonly TxMember[]): TxRow;
  /** The swap legs a transaction acts on. */
  txMembers(txId: number): TxMember[];
  /** Every swap leg with an open transaction: what the engine must not send again. */
  openTxMembers(): OpenTxMember[];
  updateTx(id: number, patch: { readonly status?: TxStatus; readonly blockNumber?: number | null }): TxRow;
  /** Transactions in `signed` or `sent` status (optionally of one chain), oldest first. */
  openTxs(chainId?: string): TxRow[];
  /** Transactions acting on a swap (its own and batches it is part of), oldest first. */
  txsOfSwap(swapId: string): TxRow[];
  /** The highest nonce recorded for (chain, account), or undefined. */
  maxNonce(chainId: string, account: string): number | undefined;

  appendEvent(event: NewEvent): EventRow;
  /** Events, oldest first; of one swap when `swapId` is given. */
  events(swapId?: string): EventRow[];
  /** Events whose kind starts with `prefix` (e.g. "leg."), oldest first. */
  eventsOfKind(prefix: string): EventRow[];
  /** Events with an id above `afterId`, oldest first, at most `limit` (default 1000): for live updates. */
  eventsSince(afterId: number, limit?: number): EventRow[];
  /** The id of the newest event (0 when there is none). */
  lastEventId(): number;

  getTip(chainId: string): ChainTip | undefined;
  setTip(tip: ChainTip): void;
  /** Records a final tip's hash (replacing one at the same height). */
  addCheckpoint(chainId: string, checkpoint: BlockCheckpoint): void;
  /** The chain's checkpoints at or below `below` (default: all), newest first, at most `limit`. */
  checkpoints(chainId: string, limit: number, below?: number): BlockCheckpoint[];
  /** Forgets the chain's checkpoints above `block` (after a rewind) or, with `keep`, all but the newest `keep`. */
  dropCheckpoints(chainId: string, opts: { readonly above?: number; readonly keep?: number }): void;

  /** Transactions of (chain, account) with this nonce, every attempt, oldest first. */
  txsWithNonce(chainId: string, account: string, nonce: number): TxRow[];
  /**
   * After a reorganisation: rows mined or reverted above `block` on the chain go back to `signed`, to be
   * broadcast again at once (a node answers "already known" or "nonce too low" if it still has them).
   */
  reopenTxsAfter(chainId: string, block: number): number;
  /** Runs `fn` in one database transaction (nested calls join it): one durable write for many changes. */
  atomically<T>(fn: () => T): T;

  /** The swap's parties, P0 first. */
  partiesOf(swapId: string): PartyRow[];
  /** The swap's arcs, arc 0 first. */
  arcsOf(swapId: string): ArcRow[];
  /** How many arcs of unfinished swaps are in each status (for the metrics). */
  countActiveArcs(): Partial<Record<ArcStatus, number>>;
  /**
   * Records arc `index`'s status with `event`, in one transaction: a move in `ARC_TRANSITIONS`, or, with
   * `reopen` (a reorganisation removed the events it came from), any status. The same status is a no-op
   * that writes nothing. `IllegalArcTransitionError` otherwise.
   */
  setArcStatus(swapId: string, index: number, to: ArcStatus, event: NewEvent, opts?: { readonly reopen?: boolean }): ArcRow;

  /** The applied schema version (the number of the last migration). */
  schemaVersion(): number;
  close(): void;
}
