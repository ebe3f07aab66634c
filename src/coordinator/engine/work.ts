/**
 * A round's work: the legs each held party acts on, per chain and action, turned into transactions.
 * Legs that share a chain, a sending party and an action go into one batch call (`depositPremiumBatch`,
 * `escrowBatch`, `redeemBatch`, `settleBatch`) of at most `batchSize` legs, so a coordinator's cost per
 * swap stays flat as the number of swaps grows. Pure: no I/O.
 */
import {
  PremiumMode,
  depositPremiumBatchTx,
  depositPremiumTx,
  escrowBatchTx,
  escrowTx,
  redeemBatchTx,
  redeemTx,
  settleBatchTx,
  settleTx,
  unpackTimelocks,
  type LocatedLeg,
  type TxRequest,
} from "../../sdk";
import { DEFAULT_BATCH_SIZE, type PartyKeys } from "../config";
import { VIEM_BATCH } from "../chain/batchCalldata";
import type { SendItem } from "../chain/sendTypes";
import type { LegName } from "../store/types";

/** A leg the round acts on: located (escrow, struct, id), with its arc's name (two parties: A, B). */
export type WorkLeg = LocatedLeg & { readonly name: LegName };

/** The default largest number of legs in one batched call (the configuration's `batchSize`; defined in `config.ts`). */
export { DEFAULT_BATCH_SIZE };

/** The protocol actions a round batches. */
export type BatchAction = "depositPremium" | "escrow" | "redeem" | "settle";

/** One leg to act on. */
export interface WorkEntry {
  readonly swapId: string;
  readonly leg: WorkLeg;
  /** The protocol step (1–6; a cycle's 1 … 3n) or "settle". */
  readonly step: string;
  /** The secret, for a redeem. */
  readonly secret?: string;
  /** The step's deadline on the leg's chain clock (none for settlements). */
  readonly deadline?: bigint;
  /** The redeem reveals a secret not yet public (the leader's step 5). */
  readonly reveals?: boolean;
}

/** A transaction to send and the entries it covers. */
export interface WorkItem {
  readonly action: BatchAction;
  readonly item: SendItem;
  readonly entries: readonly WorkEntry[];
}

/** What one party sends on one chain this round. */
export interface PartyWork {
  readonly chainId: string;
  readonly party: PartyKeys;
  readonly legs: Map<BatchAction, WorkEntry[]>;
}

const ORDER: readonly BatchAction[] = ["depositPremium", "escrow", "redeem", "settle"];

/** This round's work, grouped per chain and sending party. */
export class RoundWork {
  readonly #groups = new Map<string, PartyWork>();

  /** Adds one leg to act on. */
  add(chainId: string, party: PartyKeys, action: BatchAction, entry: WorkEntry): void {
    const key = `${chainId}:${party.wallet.address}`;
    let w = this.#groups.get(key);
    if (!w) this.#groups.set(key, (w = { chainId, party, legs: new Map() }));
    let list = w.legs.get(action);
    if (!list) w.legs.set(action, (list = []));
    list.push(entry);
  }

  /** Every (chain, party) group with something to send. */
  groups(): IterableIterator<PartyWork> {
    return this.#groups.values();
  }
}

/** The transactions of one group: per action in protocol order, batches of at most `size` legs. */
export function workItems(w: PartyWork, size = DEFAULT_BATCH_SIZE): WorkItem[] {
  const out: WorkItem[] = [];
  for (const action of ORDER) {
    const list = w.legs.get(action) ?? [];
    for (let i = 0; i < list.length; i += size) out.push(workItem(action, list.slice(i, i + size)));
  }
  return out;
}

/** Who a redeem pays the premium to: the escrower for an option premium, else the redeemer. */
function premiumRecipient(l: WorkLeg): string {
  return unpackTimelocks(l.leg.timelocks).mode === PremiumMode.Option ? l.leg.escrower : l.leg.redeemer;
}

/** What one leg's part of a batch call pays or moves: the assets (and payout recipients) that drive its cost. */
function assetsOf(action: BatchAction, l: WorkLeg): string[] {
  switch (action) {
    case "depositPremium":
      return [l.leg.premiumToken];
    case "escrow":
      return [l.leg.token];
    case "redeem":
      // The payouts (one transfer per asset and recipient) drive the cost.
      return [`${l.leg.token}>${l.leg.redeemer}`, `${l.leg.premiumToken}>${premiumRecipient(l)}`];
    case "settle":
      return [];
  }
}

/** The batch call of `action` over `entries`, encoded by viem (`chain/batchCalldata.ts`). */
function batchTx(action: BatchAction, entries: readonly WorkEntry[]): TxRequest {
  const legs = entries.map((e) => e.leg);
  switch (action) {
    case "depositPremium":
      return depositPremiumBatchTx(legs, VIEM_BATCH);
    case "escrow":
      return escrowBatchTx(legs, VIEM_BATCH);
    case "redeem":
      return redeemBatchTx(entries.map((e) => ({ leg: e.leg, secret: e.secret! })), VIEM_BATCH);
    case "settle":
      return settleBatchTx(legs, VIEM_BATCH);
  }
}

/** The single-leg call of `action` for `e`. */
function singleTx(action: BatchAction, e: WorkEntry): TxRequest {
  switch (action) {
    case "depositPremium":
      return depositPremiumTx(e.leg);
    case "escrow":
      return escrowTx(e.leg);
    case "redeem":
      return redeemTx(e.leg, e.secret!);
    case "settle":
      return settleTx(e.leg);
  }
}

/**
 * One transaction for `entries` (a single-leg call when there is one entry). A batch whose legs all
 * move the same assets is priced per leg (`probe`); a mixed one shares one estimate with batches of
 * its size and asset set (`gasKey`). Settlements differ too much (refund, premium refund, payouts) to
 * share either.
 */
export function workItem(action: BatchAction, entries: readonly WorkEntry[]): WorkItem {
  const first = entries[0]!;
  const single = entries.length === 1;
  const req = single ? singleTx(action, first) : batchTx(action, entries);
  const deadlines = entries.flatMap((e) => (e.deadline === undefined ? [] : [e.deadline]));
  const deadline = deadlines.length === 0 ? undefined : deadlines.reduce((m, d) => (d < m ? d : m));
  const reveals = entries.some((e) => e.reveals === true);
  // A batch carries its earliest deadline, and reveals if any of its legs does.
  const purpose = { swapId: first.swapId, leg: first.leg.name, action, step: first.step, ...(deadline !== undefined ? { deadline } : {}), ...(reveals ? { reveals } : {}) };
  if (single) return { action, item: { purpose, req }, entries };
  const members = entries.map((e) => ({ swapId: e.swapId, leg: e.leg.name }));
  if (action === "settle") return { action, item: { purpose, req, members }, entries };
  const perLeg = entries.map((e) => [...new Set(assetsOf(action, e.leg))].sort().join(","));
  const escrow = first.leg.at.escrow;
  if (perLeg.every((a) => a === perLeg[0])) {
    const probe = { key: `${action}:${escrow}:${perLeg[0]}`, legs: entries.length, one: batchTx(action, entries.slice(0, 1)), two: batchTx(action, entries.slice(0, 2)) };
    return { action, item: { purpose, req, members, probe }, entries };
  }
  const assets = [...new Set(entries.flatMap((e) => assetsOf(action, e.leg)))].sort().join(",");
  return { action, item: { purpose, req, members, gasKey: `${action}:${escrow}:${entries.length}:${assets}` }, entries };
}
