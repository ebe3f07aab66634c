/**
 * Outgoing transactions of one chain: nonces under a per-account lock, every transaction signed and
 * recorded in the store before it is broadcast (so a restart rebroadcasts instead of forgetting),
 * reconciliation with receipts, and fee bumping of transactions stuck for too many blocks. Batches are
 * priced per leg and sampled for simulation, so a step of many batches costs the node little before
 * its block.
 */
import type { Wallet } from "ethers";

import { TransactionFailedError, toHedgeSwapError, type TxRequest } from "../../sdk";
import type { HedgeSwapError } from "../../sdk";
import type { CoordinatorStore, NewTx, TxAction, TxMember, TxRow } from "../store/types";
import { TxGasCapError } from "../errors";
import type { ChainClient, Head } from "./client";
import { bumpFees, cancelFees, initialFees, worstCaseShare, type Fees, type FeePolicy } from "./fees";
import { GasPricer, shapeOf, type PricedItem } from "./gasPricer";
import { signEip1559 } from "./signTx";

export type { GasProbe } from "./gasPricer";
export type { FeePolicy } from "./fees";

interface SignedTx {
  readonly tx: NewTx;
  readonly members?: readonly TxMember[];
}

/** A node's refusal of a transaction whose fees are below what the next block needs. */
function isUnderpriced(e: unknown): boolean {
  const msg = String((e as Error)?.message ?? e).toLowerCase();
  return msg.includes("too low") || msg.includes("underpriced") || msg.includes("fee cap") || msg.includes("maxfeepergas");
}

/**
 * Whether a broadcast failed because the node answered with a refusal (a JSON-RPC error: too little
 * coin for the gas, a gas limit over its cap, a malformed transaction) rather than because the request
 * may not have reached it (timeout, network or HTTP failure) or a fee too low (bumped instead).
 */
function isRefusal(e: unknown): boolean {
  // The SDK's TransactionFailedError wraps the provider's error.
  const inner = e instanceof TransactionFailedError ? e.cause : e;
  const code = (inner as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || ["TIMEOUT", "NETWORK_ERROR", "SERVER_ERROR", "BAD_DATA"].includes(code)) return false;
  return !isUnderpriced(inner);
}

/** What a transaction is for, as the engine names it. */
export interface TxPurpose {
  readonly swapId: string;
  readonly leg: "A" | "B";
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

/** For how many blocks after one of this chain's transactions reverted every batch is simulated before it is signed. */
export const SIMULATE_ALL_BLOCKS_AFTER_REVERT = 50;

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

/** The gas of a 0-value transfer to an account without code. */
const CANCEL_GAS = 21_000n;

/** Sends and tracks the coordinator's transactions on one chain. */
export class TxSender {
  readonly #locks = new Map<string, Promise<unknown>>();
  /** hash → head number when broadcast (in memory; after a restart the clock starts again). */
  readonly #sentAt = new Map<string, number>();
  readonly #rebroadcast = new Set<number>();
  /** Rows whose bump the fee cap or the gas budget stopped (logged once each). */
  readonly #stuckAtCap = new Set<number>();
  readonly #pricer: GasPricer;
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
  }

  /** Runs `fn` under the lock of `account` on this chain. */
  async #locked<T>(account: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(account) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.#locks.set(account, next);
    return next;
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
    return this.#locked(signer.address, async () => {
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
          out.set(k, await this.#sign(signer, item.purpose, item.req, { nonce: nonce++, gasLimit: limits[k]!, ...fees }, 1, item.members));
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
        const r = await this.#push(row).then(
          () => ({ status: "fulfilled", value: undefined }) as const,
          (reason: unknown) => ({ status: "rejected", reason }) as const,
        );
        pushed.push(r);
        if (r.status === "rejected" && isRefusal(r.reason)) refusedAt = j;
      }
      const dropped = refusedAt < 0 ? new Map<number, TxRow>() : new Map(this.store.atomically(() => rows.slice(refusedAt).map(([, row]) => [row.id, this.store.updateTx(row.id, { status: "dropped" })] as [number, TxRow])));
      const ok = rows.filter((_, j) => pushed[j]!.status === "fulfilled");
      const marked = new Map(this.#markSent(ok.map(([, row]) => row)).map((r) => [r.id, r]));
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

  async #sign(signer: Wallet, purpose: TxPurpose, req: TxRequest, p: Fees & { nonce: number; gasLimit: bigint }, attempt: number, members?: readonly TxMember[]): Promise<SignedTx> {
    const { raw, hash } = signEip1559(signer.signingKey, {
      chainId: this.chain.chainId,
      nonce: p.nonce,
      to: req.to,
      data: req.data,
      value: req.value,
      gasLimit: p.gasLimit,
      maxFeePerGas: p.maxFeePerGas,
      maxPriorityFeePerGas: p.maxPriorityFeePerGas,
    });
    const tx: NewTx = {
      swapId: purpose.swapId,
      chainId: this.chain.chainId.toString(),
      account: signer.address,
      nonce: p.nonce,
      action: purpose.action,
      leg: purpose.leg,
      to: req.to,
      data: req.data,
      value: req.value.toString(),
      maxFeePerGas: p.maxFeePerGas.toString(),
      maxPriorityFeePerGas: p.maxPriorityFeePerGas.toString(),
      gasLimit: p.gasLimit.toString(),
      raw,
      hash,
      status: "signed",
      attempt,
      deadline: purpose.deadline === undefined ? null : purpose.deadline.toString(),
      reveals: purpose.reveals === true,
    };
    return { tx, ...(members ? { members } : {}) };
  }

  /** Hands a signed transaction to the node; "already known" counts as done. */
  async #push(row: TxRow): Promise<void> {
    try {
      // Raw: ethers' broadcastTransaction parses the signed transaction again and recovers its sender.
      await this.chain.provider.send("eth_sendRawTransaction", [row.raw]);
    } catch (e) {
      const msg = String((e as Error).message ?? e).toLowerCase();
      if (!msg.includes("already known") && !msg.includes("known transaction") && !msg.includes("nonce too low")) {
        this.hooks.log?.("tx.broadcastFailed", { hash: row.hash, action: row.action, step: stepOf(row), reason: msg.slice(0, 200), kept: !isRefusal(e) });
        throw toHedgeSwapError(e, row.action);
      }
    }
  }

  /** Marks broadcast rows `sent` (one durable write), then runs the `sent` crash points. */
  #markSent(rows: readonly TxRow[]): TxRow[] {
    const sent = this.store.atomically(() =>
      rows.map((row) => {
        const updated = this.store.updateTx(row.id, { status: "sent" });
        this.hooks.log?.("tx.sent", { hash: row.hash, action: row.action, leg: row.leg, nonce: row.nonce, attempt: row.attempt });
        return updated;
      }),
    );
    for (const row of rows) {
      this.#sentAt.set(row.hash, -1);
      this.hooks.point?.("sent", stepOf(row));
    }
    return sent;
  }

  async #broadcast(row: TxRow): Promise<TxRow> {
    await this.#push(row);
    return this.#markSent([row])[0]!;
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
        return tx.status === "signed" || !newBlock ? null : this.#receipt(tx.hash);
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
        await this.#cancel(tx, head);
        continue;
      }
      if (tx.status === "signed" && !cancelling) {
        if (!newBlock && this.#rebroadcast.has(tx.id)) continue;
        // Before it goes again, the decision rule is asked too.
        if (guarded && (this.hooks.guard?.(tx, head, "resend") ?? "keep") === "cancel") {
          await this.#cancel(tx, head);
          continue;
        }
        if (!this.#rebroadcast.has(tx.id)) {
          this.#rebroadcast.add(tx.id);
          this.hooks.log?.("tx.rebroadcast", { hash: tx.hash, action: tx.action, nonce: tx.nonce });
        }
        await this.#locked(tx.account, () => this.#broadcast(tx)).catch(async (e: unknown) => {
          // A node that refuses an underpriced transaction outright: re-sign it at today's fees at once.
          if (isUnderpriced(e)) await this.#bump(tx);
          // Refused for good (the node does not hold it): dropped; its legs are decided again.
          else if (isRefusal(e)) {
            this.store.updateTx(tx.id, { status: "dropped" });
            stillOpen.delete(tx.id);
            this.hooks.log?.("tx.dropped", { hash: tx.hash, action: tx.action, step: stepOf(tx), nonce: tx.nonce, reveals: tx.reveals, reason: String((e as Error).message ?? e).slice(0, 200) });
          }
        });
        continue;
      }
      if (!newBlock) continue;
      if ((await usedBy(tx.account)) > tx.nonce) {
        // The nonce is used: by another attempt of ours (perhaps an older, replaced one), or by something else.
        const siblings = this.store.txsWithNonce(tx.chainId, tx.account, tx.nonce).filter((t) => t.id !== tx.id);
        const found = await Promise.all(siblings.map((t) => this.#receipt(t.hash)));
        const landed = siblings.findIndex((_, i) => found[i] !== null && found[i]!.blockNumber <= final);
        if (landed >= 0) {
          this.#settleNonce(siblings[landed]!, found[landed]!.status === 1 ? "mined" : "reverted", found[landed]!.blockNumber, stillOpen);
        } else {
          this.store.updateTx(tx.id, { status: "dropped" });
          stillOpen.delete(tx.id);
          this.hooks.log?.("tx.dropped", { hash: tx.hash, action: tx.action, step: stepOf(tx), nonce: tx.nonce, reveals: tx.reveals, reason: "nonce used by another transaction" });
        }
        continue;
      }
      if (cancelling) continue;
      const since = this.#sentAt.get(tx.hash);
      if (since === undefined || since < 0) {
        this.#sentAt.set(tx.hash, head.number);
        continue;
      }
      if (head.number - since < this.policy.afterBlocks) continue;
      if (guarded && (this.hooks.guard?.(tx, head, "resend") ?? "keep") === "cancel") await this.#cancel(tx, head);
      else await this.#bump(tx);
    }
  }

  /** A receipt's status and block, read raw (ethers' full receipt objects cost more than they give here). */
  async #receipt(hash: string): Promise<{ status: number; blockNumber: number } | null> {
    const r = (await this.chain.provider.send("eth_getTransactionReceipt", [hash])) as { status?: string; blockNumber?: string } | null;
    if (!r || r.blockNumber === undefined || r.blockNumber === null) return null;
    return { status: Number(r.status), blockNumber: Number(r.blockNumber) };
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

  /**
   * The worst case one swap's transactions on this chain have cost so far (mined or reverted rows,
   * gas limit × max fee, a batch's split among its legs), for the gas budget.
   */
  #spent(swapId: string): bigint {
    let total = 0n;
    for (const t of this.store.txsOfSwap(swapId)) {
      if (t.chainId !== this.chain.chainId.toString() || (t.status !== "mined" && t.status !== "reverted")) continue;
      total += worstCaseShare(BigInt(t.gasLimit), BigInt(t.maxFeePerGas), this.store.txMembers(t.id).length);
    }
    return total;
  }

  /**
   * Re-signs a stuck transaction with higher fees, under the chain's fee cap and the gas budget of
   * every swap it acts on (at the cap or the budget: no bump, an error logged once, and the guard goes
   * on deciding each round). The old attempt is marked replaced only once the node took the new one: a
   * replacement the node refuses (too little coin for the higher fees) is dropped and the old one
   * stays open.
   */
  async #bump(tx: TxRow): Promise<void> {
    await this.#locked(tx.account, async () => {
      const wallet = this.#walletFor(tx.account);
      if (!wallet) return;
      const old: Fees = { maxFeePerGas: BigInt(tx.maxFeePerGas), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas) };
      const fees = bumpFees(old, await this.chain.provider.getFeeData(), this.policy);
      const members = this.store.txMembers(tx.id);
      const why = fees === undefined ? "fee-cap" : this.#overBudget(tx, members, fees);
      if (why !== undefined) {
        if (!this.#stuckAtCap.has(tx.id)) {
          this.#stuckAtCap.add(tx.id);
          this.hooks.log?.("fee.capReached", {
            chain: this.chain.name, hash: tx.hash, action: tx.action, step: stepOf(tx), reason: why, maxFeePerGas: tx.maxFeePerGas,
            cap: this.policy.maxFeePerGas?.toString() ?? null, budget: this.policy.swapGasBudget?.toString() ?? null, deadline: tx.deadline,
          });
        }
        return;
      }
      const purpose: TxPurpose = { swapId: tx.swapId, leg: tx.leg, action: tx.action, step: stepOf(tx), ...(tx.deadline !== null ? { deadline: BigInt(tx.deadline) } : {}), ...(tx.reveals ? { reveals: true } : {}) };
      const req: TxRequest = { to: tx.to, data: tx.data, value: BigInt(tx.value) };
      const next = await this.#sign(wallet, purpose, req, { nonce: tx.nonce, gasLimit: BigInt(tx.gasLimit), ...fees! }, tx.attempt + 1, members);
      const row = this.store.insertTx(next.tx, next.members);
      this.hooks.log?.("tx.feeBumped", { old: tx.hash, new: row.hash, nonce: tx.nonce, maxFeePerGas: fees!.maxFeePerGas.toString(), attempt: row.attempt });
      await this.#replaceWith(tx, row);
    });
  }

  /** Which limit a bump to `fees` would break: the gas budget of one of the swaps it acts on, or none. */
  #overBudget(tx: TxRow, members: readonly TxMember[], fees: Fees): "gas-budget" | undefined {
    const budget = this.policy.swapGasBudget;
    if (budget === undefined) return undefined;
    const share = worstCaseShare(BigInt(tx.gasLimit), fees.maxFeePerGas, members.length);
    const swaps = new Set(members.map((m) => m.swapId));
    for (const id of swaps) if (this.#spent(id) + share > budget) return "gas-budget";
    return undefined;
  }

  /**
   * Broadcasts `next`, a same-nonce replacement of `old`; only once the node took it is `old` marked
   * replaced. Refused outright: `next` is dropped and `old` stays open. No answer (a timeout): both stay
   * open, and the nonce's fate decides between them.
   */
  async #replaceWith(old: TxRow, next: TxRow): Promise<void> {
    try {
      await this.#push(next);
    } catch (e) {
      if (isRefusal(e) || isUnderpriced(e)) {
        this.store.updateTx(next.id, { status: "dropped" });
        this.hooks.log?.("tx.replacementRefused", { old: old.hash, new: next.hash, action: next.action, nonce: next.nonce, reason: String((e as Error).message ?? e).slice(0, 200) });
      }
      return;
    }
    this.store.atomically(() => {
      const current = this.store.txsWithNonce(old.chainId, old.account, old.nonce).find((t) => t.id === old.id);
      if (current && (current.status === "sent" || current.status === "signed")) this.store.updateTx(old.id, { status: "replaced" });
    });
    this.#markSent([next]);
  }

  /**
   * Replaces `tx` at once by a same-nonce 0-value transfer to its own account that reveals nothing
   * (the engine's guard said it must never go again: a reveal past its cutoff, or a step the rule no
   * longer takes). The cancel is recorded before it is broadcast and tracked like any transaction:
   * whichever of the two lands decides the nonce.
   */
  async #cancel(tx: TxRow, head: Head): Promise<void> {
    await this.#locked(tx.account, async () => {
      const wallet = this.#walletFor(tx.account);
      if (!wallet) return;
      const fees = cancelFees({ maxFeePerGas: BigInt(tx.maxFeePerGas), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas) }, await this.chain.provider.getFeeData(), this.policy);
      const purpose: TxPurpose = { swapId: tx.swapId, leg: tx.leg, action: "cancel", step: "cancel" };
      const next = await this.#sign(wallet, purpose, { to: tx.account, data: "0x", value: 0n }, { nonce: tx.nonce, gasLimit: CANCEL_GAS, ...fees }, tx.attempt + 1, this.store.txMembers(tx.id));
      const row = this.store.insertTx(next.tx, next.members);
      this.hooks.log?.("tx.cancelling", {
        chain: this.chain.name, old: tx.hash, new: row.hash, action: tx.action, step: stepOf(tx), nonce: tx.nonce, reveals: tx.reveals,
        deadline: tx.deadline, chainTime: head.timestamp.toString(), maxFeePerGas: fees.maxFeePerGas.toString(),
      });
      await this.#replaceWith(tx, row);
    });
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

const STEP_OF: Record<string, string> = { "depositPremium:B": "1", "depositPremium:A": "2", "escrow:A": "3", "escrow:B": "4", "redeem:B": "5", "redeem:A": "6" };

/** The protocol step a transaction row belongs to ("settle" for settlements, "cancel" for cancels). */
export function stepOf(tx: Pick<TxRow, "action" | "leg">): string {
  return STEP_OF[`${tx.action}:${tx.leg}`] ?? tx.action;
}
