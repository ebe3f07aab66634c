/**
 * Outgoing transactions of one chain: nonces under a per-account lock, every transaction signed and
 * recorded in the store before it is broadcast (so a restart rebroadcasts instead of forgetting),
 * reconciliation with receipts, and fee bumping of transactions stuck for too many blocks. Batches are
 * priced per leg and sampled for simulation, so a step of many batches costs the node little before
 * its block. Its parts: the per-account lock (`accountLock.ts`), signing into a row (`signedTx.ts`),
 * broadcast and receipts (`broadcaster.ts`), fee bumps and cancels (`replacement.ts`), the reading of
 * a node's refusals (`txRefusals.ts`) and the types the engine shares (`sendTypes.ts`).
 */
import type { Wallet } from "ethers";

import { toHedgeSwapError, type TxRequest } from "../../sdk";
import type { CoordinatorStore, TxMember, TxRow } from "../store/types";
import { TxGasCapError } from "../errors";
import { AccountLocks } from "./accountLock";
import { TxBroadcaster } from "./broadcaster";
import type { ChainClient, Head } from "./client";
import { initialFees, type FeePolicy } from "./fees";
import { GasPricer, shapeOf } from "./gasPricer";
import { TxReplacer } from "./replacement";
import type { SendItem, SendOutcome, SenderHooks, SignedTx, TxPurpose } from "./sendTypes";
import { signTxRow } from "./signedTx";
import { isRefusal, isUnderpriced } from "./txRefusals";
import { stepOf } from "./txSteps";

export type { GasProbe } from "./gasPricer";
export type { FeePolicy } from "./fees";
export type { ResendVerdict, SendItem, SendOutcome, SenderHooks, TxPurpose } from "./sendTypes";
export { stepOf } from "./txSteps";

/** For how many blocks after one of this chain's transactions reverted every batch is simulated before it is signed. */
export const SIMULATE_ALL_BLOCKS_AFTER_REVERT = 50;

/** Sends and tracks the coordinator's transactions on one chain. */
export class TxSender {
  /** Nonces are read, signed and broadcast under the lock of their account. */
  readonly #locks = new AccountLocks();
  readonly #rebroadcast = new Set<number>();
  readonly #pricer: GasPricer;
  readonly #broadcaster: TxBroadcaster;
  /** Fee bumps and cancels (same-nonce replacements). */
  readonly #replacer: TxReplacer;
  /** Every batch is simulated while the head is below this block (set when a transaction reverts). */
  #simulateAllBelow = -1;
  /** The newest head `reconcile` was given. */
  #head = -1;
  #lastHead = -1;

  constructor(
    private readonly store: CoordinatorStore,
    private readonly chain: ChainClient,
    private readonly policy: FeePolicy,
    private readonly hooks: SenderHooks = {},
  ) {
    this.#pricer = new GasPricer(chain);
    this.#broadcaster = new TxBroadcaster(store, chain, hooks);
    this.#replacer = new TxReplacer({ store, chain, policy, hooks, locks: this.#locks, broadcaster: this.#broadcaster, walletFor: (account) => this.#walletFor(account) });
  }

  /**
   * Estimates (a revert surfaces here as the SDK's typed error and nothing is recorded), signs,
   * records the signed transaction, broadcasts it, and marks it sent.
   */
  async send(wallet: Wallet, purpose: TxPurpose, req: TxRequest, members?: readonly TxMember[]): Promise<TxRow> {
    const [outcome] = await this.sendMany(wallet, [{ purpose, req, ...(members ? { members } : {}) }]);
    if (outcome!.error) throw outcome!.error;
    return outcome!.row!;
  }

  /**
   * Sends several transactions from one account in one go. Gas limits come from one estimate per
   * shape, a per-leg price (`probe`) or the cache; the nonce and fees (under the chain's fee cap) are
   * read alongside. One transaction per shape is simulated (`eth_call`) while all are signed; the
   * others of its shape are simulated too only when that sample fails, or for a while after one of
   * this chain's transactions reverted. (A batch that reverts on chain costs its gas and a block; its
   * legs are decided again.) Only the items whose checks passed are kept (re-signed with consecutive
   * nonces if one failed), recorded in one durable write, then broadcast in nonce order. One outcome
   * per item, in order.
   */
  async sendMany(wallet: Wallet, items: readonly SendItem[]): Promise<SendOutcome[]> {
    const signer = this.chain.wallet(wallet);
    return this.#locks.run(signer.address, async () => {
      // The nonce and fees are read while the gas is priced.
      const account = Promise.all([this.#nextNonce(signer.address), this.chain.provider.getFeeData()]);
      account.catch(() => undefined);
      const everyBatch = this.#head < this.#simulateAllBelow;
      const sampled = new Set<string>();
      const checks = items.map((item) => {
        const shape = shapeOf(item);
        const sample = everyBatch || shape === undefined || !sampled.has(shape);
        if (shape !== undefined) sampled.add(shape);
        return this.#pricer.preflight(signer.address, item, sample);
      });
      const gases = await Promise.allSettled(checks.map((c) => c.gas));
      const [nonce0, suggested] = await account.catch((e: unknown) => {
        for (const c of checks) c.simulated.catch(() => undefined);
        throw e;
      });
      const wanted = gases.map((g, k) => (g.status === "fulfilled" ? (g.value * (shapeOf(items[k]!) === undefined ? 12n : 13n)) / 10n + 10_000n : undefined));
      // Over the chain's per-transaction cap: refused before signing, naming how many legs would fit.
      const cap = BigInt(this.chain.config.maxTxGas);
      const overCap = wanted.map((limit, k) => {
        if (limit === undefined || limit <= cap) return undefined;
        const legs = items[k]!.members?.length ?? 1;
        const fits = Number((BigInt(legs) * cap) / limit);
        return new TxGasCapError(this.chain.name, legs, limit, this.chain.config.maxTxGas, fits);
      });
      const limits = wanted.map((limit, k) => (overCap[k] ? undefined : limit));
      const fees = initialFees(suggested, this.policy);
      if (fees.capped) {
        this.hooks.log?.("fee.capped", { chain: this.chain.name, suggestedMaxFeePerGas: String(suggested.maxFeePerGas ?? suggested.gasPrice ?? 0n), cap: String(this.policy.maxFeePerGas), steps: items.map((i) => i.purpose.step).join(",") });
      }
      const signAll = async (order: readonly number[]) => {
        const out = new Map<number, SignedTx>();
        let nonce = nonce0;
        for (const k of order) {
          const item = items[k]!;
          out.set(k, await signTxRow(this.chain.chainId, signer, item.purpose, item.req, { nonce: nonce++, gasLimit: limits[k]!, ...fees }, 1, item.members));
        }
        return out;
      };
      const candidates = items.map((_, k) => k).filter((k) => limits[k] !== undefined);
      let signed = await signAll(candidates);
      const simulations = await Promise.allSettled(checks.map((c) => c.simulated));
      // A failed sample: its shape's other items are simulated now, before anything is recorded.
      const failed = new Set(items.filter((_, k) => checks[k]!.sample && simulations[k]!.status === "rejected").map(shapeOf));
      const late = await Promise.allSettled(
        items.map((item, k) => (!checks[k]!.sample && limits[k] !== undefined && failed.has(shapeOf(item)) ? this.#pricer.simulate(signer.address, item) : Promise.resolve())),
      );
      const outcomes: SendOutcome[] = items.map((item, k) => {
        if (overCap[k]) return { item, error: overCap[k] };
        const reason = [gases[k]!, simulations[k]!, late[k]!].find((r) => r.status === "rejected")?.reason as unknown;
        return reason === undefined ? { item } : { item, error: toHedgeSwapError(reason, item.purpose.action) };
      });
      const passing = candidates.filter((k) => !outcomes[k]!.error);
      if (passing.length === 0) return outcomes;
      if (passing.length !== candidates.length) signed = await signAll(passing);
      const rows: [number, TxRow][] = this.store.atomically(() => passing.map((k) => [k, this.#record(signed.get(k)!)] as [number, TxRow]));
      for (const [k] of rows) this.hooks.point?.("recorded", outcomes[k]!.item.purpose.step);
      // One after the other, in nonce order: a node that cannot queue a future nonce (Hardhat while
      // automining, some RPC providers) refuses a transaction that overtakes its predecessor.
      // A transaction the node refuses outright is dropped with every one after it (not broadcast:
      // their nonces would wait behind the gap); their legs are decided again next round. One that may
      // not have reached the node (a timeout) stays signed, and `reconcile` broadcasts it again.
      const pushed: PromiseSettledResult<void>[] = [];
      let refusedAt = -1;
      for (const [j, [, row]] of rows.entries()) {
        if (refusedAt >= 0) {
          pushed.push(pushed[refusedAt]!);
          continue;
        }
        const r = await this.#broadcaster.push(row).then(
          () => ({ status: "fulfilled", value: undefined }) as const,
          (reason: unknown) => ({ status: "rejected", reason }) as const,
        );
        pushed.push(r);
        if (r.status === "rejected" && isRefusal(r.reason)) refusedAt = j;
      }
      const dropped = refusedAt < 0 ? new Map<number, TxRow>() : new Map(this.store.atomically(() => rows.slice(refusedAt).map(([, row]) => [row.id, this.store.updateTx(row.id, { status: "dropped" })] as [number, TxRow])));
      const ok = rows.filter((_, j) => pushed[j]!.status === "fulfilled");
      const marked = new Map(this.#broadcaster.markSent(ok.map(([, row]) => row)).map((r) => [r.id, r]));
      for (const [j, [k, row]] of rows.entries()) {
        const r = pushed[j]!;
        outcomes[k] = r.status === "fulfilled" ? { item: outcomes[k]!.item, row: marked.get(row.id)! } : { item: outcomes[k]!.item, row: dropped.get(row.id) ?? row, error: toHedgeSwapError(r.reason, row.action) };
      }
      return outcomes;
    });
  }

  /**
   * Records a signed transaction. The same bytes signed again (a refused, dropped transaction decided
   * again with the same nonce, fees and gas) reopen the dropped row instead.
   */
  #record(s: SignedTx): TxRow {
    const again = this.store.txsWithNonce(s.tx.chainId, s.tx.account, s.tx.nonce).find((t) => t.hash === s.tx.hash && t.status === "dropped");
    if (again) return this.store.updateTx(again.id, { status: "signed" });
    return this.store.insertTx(s.tx, s.members);
  }

  async #nextNonce(account: string): Promise<number> {
    const pending = await this.chain.provider.getTransactionCount(account, "pending");
    const open = this.store.openTxs(this.chain.chainId.toString()).filter((t) => t.account === account);
    const highestOpen = open.reduce((m, t) => Math.max(m, t.nonce), -1);
    return Math.max(pending, highestOpen + 1);
  }

  /**
   * Brings every open transaction of this chain up to date: receipts (mined or reverted); then, for
   * each one still open, the engine's resend guard (a reveal past its cutoff, or a step the rule would
   * no longer take, is replaced by a cancel at once); unsent rows broadcast (after a crash between
   * recording and broadcasting, or a failed broadcast); stuck ones re-signed with higher fees, under
   * the fee cap and the swap's gas budget. `landed` (hash → block, from the watcher) names
   * transactions whose escrow logs are final: they succeeded there, and their receipts (each carrying
   * a batch's logs again) are not fetched.
   */
  async reconcile(head: Head, landed: ReadonlyMap<string, number> = new Map()): Promise<void> {
    this.#head = Math.max(this.#head, head.number);
    const open = this.store.openTxs(this.chain.chainId.toString());
    if (open.length === 0) return;
    // Receipts only change with a new block; unsent rows and the guard are handled every round.
    const newBlock = head.number !== this.#lastHead;
    this.#lastHead = head.number;
    const receipts = await Promise.all(
      open.map((tx) => {
        const block = landed.get(tx.hash.toLowerCase());
        if (block !== undefined) return { status: 1, blockNumber: block };
        return tx.status === "signed" || !newBlock ? null : this.#broadcaster.receipt(tx.hash);
      }),
    );
    // A transaction counts as mined once its block is final, as the watcher counts events: a receipt
    // in a newer block (even one mined after `head` was read) leaves it open, so the engine neither
    // sends its step again before the watcher has seen the step's events nor bumps or drops it.
    const final = this.chain.finalBlock(head);
    const used = new Map<string, Promise<number>>();
    const usedBy = (account: string) => {
      let p = used.get(account);
      if (!p) used.set(account, (p = this.chain.provider.getTransactionCount(account, final)));
      return p;
    };
    const stillOpen = new Set(open.map((t) => t.id));
    // The nonces a cancel is on its way for: read from this round's open rows, not once per row.
    const openCancels = new Set(open.filter((t) => t.action === "cancel").map((t) => `${t.account}:${t.nonce}`));
    this.store.atomically(() => {
      for (const [k, tx] of open.entries()) {
        const receipt = receipts[k];
        if (receipt && receipt.blockNumber <= final && stillOpen.has(tx.id)) this.#settleNonce(tx, receipt.status === 1 ? "mined" : "reverted", receipt.blockNumber, stillOpen);
      }
    });
    for (const [k, tx] of open.entries()) {
      if (!stillOpen.has(tx.id) || receipts[k]) continue;
      // A cancel of this nonce is on its way: the row is never sent again; the nonce's fate decides.
      const cancelling = tx.action !== "cancel" && openCancels.has(`${tx.account}:${tx.nonce}`);
      const guarded = !cancelling && tx.action !== "cancel";
      if (guarded && (this.hooks.guard?.(tx, head, "round") ?? "keep") === "cancel") {
        await this.#replacer.cancel(tx, head);
        continue;
      }
      if (tx.status === "signed" && !cancelling) {
        if (!newBlock && this.#rebroadcast.has(tx.id)) continue;
        // Before it goes again, the decision rule is asked too.
        if (guarded && (this.hooks.guard?.(tx, head, "resend") ?? "keep") === "cancel") {
          await this.#replacer.cancel(tx, head);
          continue;
        }
        if (!this.#rebroadcast.has(tx.id)) {
          this.#rebroadcast.add(tx.id);
          this.hooks.log?.("tx.rebroadcast", { hash: tx.hash, action: tx.action, nonce: tx.nonce });
        }
        await this.#locks.run(tx.account, () => this.#broadcaster.broadcast(tx)).catch(async (e: unknown) => {
          // A node that refuses an underpriced transaction outright: re-sign it at today's fees at once.
          if (isUnderpriced(e)) await this.#replacer.bump(tx);
          // Refused for good (the node does not hold it): dropped; its legs are decided again.
          else if (isRefusal(e)) {
            this.store.updateTx(tx.id, { status: "dropped" });
            stillOpen.delete(tx.id);
            this.hooks.log?.("tx.dropped", { hash: tx.hash, action: tx.action, step: stepOf(tx, this.store.getSwap(tx.swapId)?.parties), nonce: tx.nonce, reveals: tx.reveals, reason: String((e as Error).message ?? e).slice(0, 200) });
          }
        });
        continue;
      }
      if (!newBlock) continue;
      if ((await usedBy(tx.account)) > tx.nonce) {
        // The nonce is used: by another attempt of ours (perhaps an older, replaced one), or by something else.
        const siblings = this.store.txsWithNonce(tx.chainId, tx.account, tx.nonce).filter((t) => t.id !== tx.id);
        const found = await Promise.all(siblings.map((t) => this.#broadcaster.receipt(t.hash)));
        const landed = siblings.findIndex((_, i) => found[i] !== null && found[i]!.blockNumber <= final);
        if (landed >= 0) {
          this.#settleNonce(siblings[landed]!, found[landed]!.status === 1 ? "mined" : "reverted", found[landed]!.blockNumber, stillOpen);
        } else {
          this.store.updateTx(tx.id, { status: "dropped" });
          stillOpen.delete(tx.id);
          this.hooks.log?.("tx.dropped", { hash: tx.hash, action: tx.action, step: stepOf(tx, this.store.getSwap(tx.swapId)?.parties), nonce: tx.nonce, reveals: tx.reveals, reason: "nonce used by another transaction" });
        }
        continue;
      }
      if (cancelling) continue;
      const since = this.#broadcaster.sentAt.get(tx.hash);
      if (since === undefined || since < 0) {
        this.#broadcaster.sentAt.set(tx.hash, head.number);
        continue;
      }
      if (head.number - since < this.policy.afterBlocks) continue;
      if (guarded && (this.hooks.guard?.(tx, head, "resend") ?? "keep") === "cancel") await this.#replacer.cancel(tx, head);
      else await this.#replacer.bump(tx);
    }
  }

  /** Records that `landed` used its nonce; every other attempt with that nonce is replaced. */
  #settleNonce(landed: TxRow, status: "mined" | "reverted", blockNumber: number, stillOpen: Set<number>): void {
    this.store.atomically(() => {
      this.store.updateTx(landed.id, { status, blockNumber });
      for (const other of this.store.txsWithNonce(landed.chainId, landed.account, landed.nonce)) {
        if (other.id !== landed.id && other.status !== "replaced" && other.status !== "dropped") this.store.updateTx(other.id, { status: "replaced" });
      }
    });
    for (const other of this.store.txsWithNonce(landed.chainId, landed.account, landed.nonce)) stillOpen.delete(other.id);
    if (landed.action === "cancel") this.hooks.log?.("tx.cancelled", { hash: landed.hash, nonce: landed.nonce, status, blockNumber });
    if (status === "reverted") {
      // A shared estimate or price may have been too low for this call (it can revert for other
      // reasons too): the next transactions estimate afresh, and every batch is simulated for a while.
      this.#pricer.forget();
      this.#simulateAllBelow = Math.max(this.#simulateAllBelow, blockNumber + SIMULATE_ALL_BLOCKS_AFTER_REVERT);
      this.hooks.log?.("tx.reverted", { hash: landed.hash, action: landed.action, leg: landed.leg, step: stepOf(landed), reveals: landed.reveals, deadline: landed.deadline, blockNumber });
    }
  }

  readonly #walletsByAddress = new Map<string, Wallet>();

  /** Makes `wallet` known for re-signing (fee bumps, cancels) of its open transactions. */
  register(wallet: Wallet): void {
    this.#walletsByAddress.set(wallet.address, this.chain.wallet(wallet));
  }

  #walletFor(account: string): Wallet | undefined {
    return this.#walletsByAddress.get(account);
  }
}
