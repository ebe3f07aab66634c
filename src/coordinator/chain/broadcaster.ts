/**
 * Broadcast and receipts of one chain's recorded transactions: a signed row handed to the node, rows
 * marked sent (with their crash points), and a receipt's status and block read raw.
 */
import { toHedgeSwapError } from "../../sdk";
import type { CoordinatorStore, TxRow } from "../store/types";
import type { ChainClient } from "./client";
import type { SenderHooks } from "./sendTypes";
import { isRefusal } from "./txRefusals";
import { stepOf } from "./txSteps";

/** Hands one chain's signed rows to its node and tracks when they went. */
export class TxBroadcaster {
  /** hash → head number when broadcast (in memory; after a restart the clock starts again). */
  readonly sentAt = new Map<string, number>();

  constructor(
    private readonly store: CoordinatorStore,
    private readonly chain: ChainClient,
    private readonly hooks: SenderHooks,
  ) {}

  /** Hands a signed transaction to the node; "already known" counts as done. */
  async push(row: TxRow): Promise<void> {
    try {
      // Raw: ethers' broadcastTransaction parses the signed transaction again and recovers its sender.
      await this.chain.provider.send("eth_sendRawTransaction", [row.raw]);
    } catch (e) {
      const msg = String((e as Error).message ?? e).toLowerCase();
      if (!msg.includes("already known") && !msg.includes("known transaction") && !msg.includes("nonce too low")) {
        this.hooks.log?.("tx.broadcastFailed", { hash: row.hash, action: row.action, step: stepOf(row, this.store.getSwap(row.swapId)?.parties), reason: msg.slice(0, 200), kept: !isRefusal(e) });
        throw toHedgeSwapError(e, row.action);
      }
    }
  }

  /** Marks broadcast rows `sent` (one durable write), then runs the `sent` crash points. */
  markSent(rows: readonly TxRow[]): TxRow[] {
    const sent = this.store.atomically(() =>
      rows.map((row) => {
        const updated = this.store.updateTx(row.id, { status: "sent" });
        this.hooks.log?.("tx.sent", { hash: row.hash, action: row.action, leg: row.leg, nonce: row.nonce, attempt: row.attempt });
        return updated;
      }),
    );
    for (const row of rows) {
      this.sentAt.set(row.hash, -1);
      this.hooks.point?.("sent", stepOf(row, this.store.getSwap(row.swapId)?.parties));
    }
    return sent;
  }

  /** Hands a row to the node and marks it sent. */
  async broadcast(row: TxRow): Promise<TxRow> {
    await this.push(row);
    return this.markSent([row])[0]!;
  }

  /** A receipt's status and block, read raw (ethers' full receipt objects cost more than they give here). */
  async receipt(hash: string): Promise<{ status: number; blockNumber: number } | null> {
    const r = (await this.chain.provider.send("eth_getTransactionReceipt", [hash])) as { status?: string; blockNumber?: string } | null;
    if (!r || r.blockNumber === undefined || r.blockNumber === null) return null;
    return { status: Number(r.status), blockNumber: Number(r.blockNumber) };
  }
}
