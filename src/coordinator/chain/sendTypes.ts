/**
 * What the sender and the engine exchange: a transaction's purpose, the items to send, their outcomes,
 * the resend verdict and the engine's hooks. Types only, so the engine (`engine/work.ts`, the resend
 * guard) names them without importing the sender.
 */
import type { HedgeSwapError } from "../../sdk";
import type { LegName, NewTx, TxAction, TxMember, TxRow } from "../store/types";
import type { Head } from "./client";
import type { PricedItem } from "./gasPricer";

/** What a transaction is for, as the engine names it. */
export interface TxPurpose {
  readonly swapId: string;
  readonly leg: LegName;
  readonly action: TxAction;
  /** The protocol step (1–6) or "settle", for crash points and logs. */
  readonly step: string;
  /** The step's deadline on this chain's clock (unix seconds); a batch's earliest. */
  readonly deadline?: bigint;
  /** The calldata reveals a secret not yet public (the leader's step 5). */
  readonly reveals?: boolean;
}

/** One transaction to send: what for, the request, and the swap legs it covers (batches cover several). */
export interface SendItem extends PricedItem {
  readonly purpose: TxPurpose;
  readonly members?: readonly TxMember[];
}

/** What became of one item: the recorded row (if any) and the error (if any). */
export interface SendOutcome {
  readonly item: SendItem;
  readonly row?: TxRow;
  readonly error?: HedgeSwapError;
}

/**
 * The engine's verdict on an open transaction before it is sent again (rebroadcast or fee bump):
 * `keep` (it may go), or `cancel` (it must never go again: it is replaced at once by a same-nonce
 * transaction that does nothing). The engine asks the decision rule: a reveal past its resend cutoff,
 * or a step the rule would no longer take, is cancelled.
 */
export type ResendVerdict = "keep" | "cancel";

/** Hooks the engine gives the sender: crash points, the event log and the resend guard. */
export interface SenderHooks {
  /** Called at `recorded` (row written, not broadcast) and `sent` (broadcast). */
  readonly point?: (where: "recorded" | "sent", step: string) => void;
  readonly log?: (kind: string, data: Record<string, unknown>) => void;
  /** Asked every round for every open transaction before anything is sent again; default `keep`. */
  readonly guard?: (row: TxRow, head: Head, scope: "round" | "resend") => ResendVerdict;
}

/** A signed transaction ready to be recorded, with the swap legs it covers. */
export interface SignedTx {
  readonly tx: NewTx;
  readonly members?: readonly TxMember[];
}
