/**
 * Outgoing transactions of one chain: nonces under a per-account lock, every transaction signed and
 * recorded in the store before it is broadcast (so a restart rebroadcasts instead of forgetting),
 * reconciliation with receipts, and fee bumping of transactions stuck for too many blocks.
 */
import { keccak256, toQuantity, type Wallet } from "ethers";

import { toHedgeSwapError, type TxRequest } from "../../sdk";
import type { HedgeSwapError } from "../../sdk";
import type { CoordinatorStore, NewTx, TxAction, TxMember, TxRow } from "../store/types";

interface SignedTx {
  readonly tx: NewTx;
  readonly members?: readonly TxMember[];
}

/** A node's refusal of a transaction whose fees are below what the next block needs. */
function isUnderpriced(e: unknown): boolean {
  const msg = String((e as Error)?.message ?? e).toLowerCase();
  return msg.includes("too low") || msg.includes("underpriced") || msg.includes("fee cap") || msg.includes("maxfeepergas");
}
import type { ChainClient, Head } from "./client";

/** What a transaction is for, as the engine names it. */
export interface TxPurpose {
  readonly swapId: string;
  readonly leg: "A" | "B";
  readonly action: TxAction;
  /** The protocol step (1–6) or "settle", for crash points and logs. */
  readonly step: string;
}

/** One transaction to send: what for, the request, and the swap legs it covers (batches cover several). */
export interface SendItem {
  readonly purpose: TxPurpose;
  readonly req: TxRequest;
  readonly members?: readonly TxMember[];
  /**
   * Transactions with the same key cost about the same gas (same function, same assets, same batch
   * size): the first is estimated, later ones reuse that estimate and are only simulated once
   * (`eth_call`), which is several times cheaper for the node than `eth_estimateGas`.
   */
  readonly gasKey?: string;
}

/** What became of one item: the recorded row (if any) and the error (if any). */
export interface SendOutcome {
  readonly item: SendItem;
  readonly row?: TxRow;
  readonly error?: HedgeSwapError;
}

/** Hooks the engine gives the sender: crash points and the event log. */
export interface SenderHooks {
  /** Called at `recorded` (row written, not broadcast) and `sent` (broadcast). */
  readonly point?: (where: "recorded" | "sent", step: string) => void;
  readonly log?: (kind: string, data: Record<string, unknown>) => void;
}

/** Fee-bump policy. */
export interface BumpPolicy {
  readonly afterBlocks: number;
  readonly percent: number;
}

/** Sends and tracks the coordinator's transactions on one chain. */
export class TxSender {
  readonly #locks = new Map<string, Promise<unknown>>();
  /** hash → head number when broadcast (in memory; after a restart the clock starts again). */
  readonly #sentAt = new Map<string, number>();
  readonly #rebroadcast = new Set<number>();
  readonly #gasCache = new Map<string, bigint>();
  readonly #estimating = new Map<string, Promise<bigint>>();
  #lastHead = -1;

  constructor(
    private readonly store: CoordinatorStore,
    private readonly chain: ChainClient,
    private readonly policy: BumpPolicy,
    private readonly hooks: SenderHooks = {},
  ) {}

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
   * Sends several transactions from one account in one go. Every item is simulated first; the gas
   * limits come from one estimate per shape (or the cache), the nonce and fees are read alongside, and
   * the transactions are signed while the node still runs the simulations. Only those whose simulation
   * passed are kept (re-signed with consecutive nonces if one failed), recorded in one durable write,
   * then all broadcast. One outcome per item, in order.
   */
  async sendMany(wallet: Wallet, items: readonly SendItem[]): Promise<SendOutcome[]> {
    const signer = this.chain.wallet(wallet);
    return this.#locked(signer.address, async () => {
      const [nonce0, fees] = await Promise.all([this.#nextNonce(signer.address), this.chain.provider.getFeeData()]);
      const checks = items.map((i) => this.#preflight(signer.address, i));
      const gases = await Promise.allSettled(checks.map((c) => c.gas));
      const limits = gases.map((g, k) => (g.status === "fulfilled" ? (g.value * (items[k]!.gasKey === undefined ? 12n : 13n)) / 10n + 10_000n : undefined));
      const maxPriorityFeePerGas = fees.maxPriorityFeePerGas ?? 1_000_000_000n;
      const maxFeePerGas = fees.maxFeePerGas ?? (fees.gasPrice ?? 1_000_000_000n) * 2n;
      const signAll = async (order: readonly number[]) => {
        const out = new Map<number, SignedTx>();
        let nonce = nonce0;
        for (const k of order) {
          const item = items[k]!;
          out.set(k, await this.#sign(signer, item.purpose, item.req, { nonce: nonce++, gasLimit: limits[k]!, maxFeePerGas, maxPriorityFeePerGas }, 1, item.members));
        }
        return out;
      };
      const candidates = items.map((_, k) => k).filter((k) => limits[k] !== undefined);
      let signed = await signAll(candidates);
      const simulations = await Promise.allSettled(checks.map((c) => c.simulated));
      const outcomes: SendOutcome[] = items.map((item, k) => {
        const g = gases[k]!;
        const sim = simulations[k]!;
        const reason = g.status === "rejected" ? g.reason : sim.status === "rejected" ? sim.reason : undefined;
        return reason === undefined ? { item } : { item, error: toHedgeSwapError(reason, item.purpose.action) };
      });
      const passing = candidates.filter((k) => !outcomes[k]!.error);
      if (passing.length === 0) return outcomes;
      if (passing.length !== candidates.length) signed = await signAll(passing);
      const rows: [number, TxRow][] = this.store.atomically(() => passing.map((k) => [k, this.store.insertTx(signed.get(k)!.tx, signed.get(k)!.members)] as [number, TxRow]));
      for (const [k] of rows) this.hooks.point?.("recorded", outcomes[k]!.item.purpose.step);
      // One after the other, in nonce order: a node that cannot queue a future nonce (Hardhat while
      // automining, some RPC providers) refuses a transaction that overtakes its predecessor.
      const pushed: PromiseSettledResult<void>[] = [];
      for (const [, row] of rows) {
        pushed.push(
          await this.#push(row).then(
            () => ({ status: "fulfilled", value: undefined }) as const,
            (reason: unknown) => ({ status: "rejected", reason }) as const,
          ),
        );
      }
      const ok = rows.filter((_, j) => pushed[j]!.status === "fulfilled");
      const marked = new Map(this.#markSent(ok.map(([, row]) => row)).map((r) => [r.id, r]));
      for (const [j, [k, row]] of rows.entries()) {
        const r = pushed[j]!;
        outcomes[k] = r.status === "fulfilled" ? { item: outcomes[k]!.item, row: marked.get(row.id)! } : { item: outcomes[k]!.item, row, error: toHedgeSwapError(r.reason, row.action) };
      }
      return outcomes;
    });
  }

  /**
   * One item's checks before signing: its gas limit base, and its simulation. Items of one key share
   * one estimate (a binary search of many executions on the node): the first estimates, which also
   * simulates it; the others take that estimate and are simulated once each (`eth_call`); if that
   * estimate fails (its own call reverts), each estimates for itself. A cached estimate needs only the
   * simulation.
   */
  #preflight(from: string, item: SendItem): { gas: Promise<bigint>; simulated: Promise<unknown> } {
    // Raw JSON-RPC: the calldata is already hex, and ethers' request formatting re-encodes it byte by
    // byte (tens of milliseconds for a 100-leg batch). Reverts still come back as CALL_EXCEPTION with
    // their data, which toHedgeSwapError decodes.
    const call = { from, to: item.req.to, data: item.req.data, value: toQuantity(item.req.value) };
    const provider = this.chain.provider;
    const simulate = () => provider.send("eth_call", [call, "latest"]);
    const estimate = async () => BigInt((await provider.send("eth_estimateGas", [call])) as string);
    const key = item.gasKey;
    if (key === undefined) {
      const own = estimate();
      return { gas: own, simulated: own };
    }
    const cached = this.#gasCache.get(key);
    if (cached !== undefined) return { gas: Promise.resolve(cached), simulated: simulate() };
    const leader = this.#estimating.get(key);
    if (leader) {
      const shared = leader.then(
        (gas) => ({ gas, own: false }),
        async () => ({ gas: await estimate(), own: true }),
      );
      return { gas: shared.then((s) => s.gas), simulated: shared.then((s) => (s.own ? undefined : simulate())) };
    }
    const first = estimate().then((gas) => {
      this.#gasCache.set(key, gas);
      return gas;
    });
    this.#estimating.set(key, first);
    first.then(
      () => this.#estimating.delete(key),
      () => this.#estimating.delete(key),
    );
    return { gas: first, simulated: first };
  }

  async #nextNonce(account: string): Promise<number> {
    const pending = await this.chain.provider.getTransactionCount(account, "pending");
    const open = this.store.openTxs(this.chain.chainId.toString()).filter((t) => t.account === account);
    const highestOpen = open.reduce((m, t) => Math.max(m, t.nonce), -1);
    return Math.max(pending, highestOpen + 1);
  }

  async #sign(
    signer: Wallet,
    purpose: TxPurpose,
    req: TxRequest,
    p: { nonce: number; gasLimit: bigint; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
    attempt: number,
    members?: readonly TxMember[],
  ): Promise<SignedTx> {
    const raw = await signer.signTransaction({
      type: 2,
      chainId: this.chain.chainId,
      nonce: p.nonce,
      to: req.to,
      data: req.data,
      value: req.value,
      gasLimit: p.gasLimit,
      maxFeePerGas: p.maxFeePerGas,
      maxPriorityFeePerGas: p.maxPriorityFeePerGas,
    });
    const hash = keccak256(raw);
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
        this.hooks.log?.("tx.broadcastFailed", { hash: row.hash, reason: msg.slice(0, 200) });
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
   * Brings every open transaction of this chain up to date: receipts (mined or reverted), unsent rows
   * broadcast (after a crash between recording and broadcasting), stuck ones re-signed with higher fees.
   */
  async reconcile(head: Head): Promise<void> {
    const open = this.store.openTxs(this.chain.chainId.toString());
    if (open.length === 0) return;
    // Receipts only change with a new block; unsent rows are handled every round.
    const newBlock = head.number !== this.#lastHead;
    this.#lastHead = head.number;
    if (!newBlock && !open.some((t) => t.status === "signed")) return;
    const receipts = await Promise.all(open.map((tx) => (tx.status === "signed" && !newBlock ? null : this.#receipt(tx.hash))));
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
    this.store.atomically(() => {
      for (const [k, tx] of open.entries()) {
        const receipt = receipts[k];
        if (receipt && receipt.blockNumber <= final && stillOpen.has(tx.id)) this.#settleNonce(tx, receipt.status === 1 ? "mined" : "reverted", receipt.blockNumber, stillOpen);
      }
    });
    for (const [k, tx] of open.entries()) {
      if (!stillOpen.has(tx.id) || receipts[k]) continue;
      if (tx.status === "signed") {
        if (!this.#rebroadcast.has(tx.id)) {
          this.#rebroadcast.add(tx.id);
          this.hooks.log?.("tx.rebroadcast", { hash: tx.hash, action: tx.action, nonce: tx.nonce });
        }
        await this.#locked(tx.account, () => this.#broadcast(tx)).catch(async (e: unknown) => {
          // A node that refuses an underpriced transaction outright: re-sign it at today's fees at once.
          if (isUnderpriced(e)) await this.#bump(tx);
        });
        continue;
      }
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
          this.hooks.log?.("tx.dropped", { hash: tx.hash, nonce: tx.nonce });
        }
        continue;
      }
      const since = this.#sentAt.get(tx.hash);
      if (since === undefined || since < 0) {
        this.#sentAt.set(tx.hash, head.number);
        continue;
      }
      if (head.number - since >= this.policy.afterBlocks) await this.#bump(tx);
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
    if (status === "reverted") {
      // A shared estimate may have been too low for this call (it can revert for other reasons too):
      // the next transactions estimate afresh.
      this.#gasCache.clear();
      this.hooks.log?.("tx.reverted", { hash: landed.hash, action: landed.action, leg: landed.leg });
    }
  }

  async #bump(tx: TxRow): Promise<void> {
    await this.#locked(tx.account, async () => {
      const fees = await this.chain.provider.getFeeData();
      const raise = (old: bigint) => (old * BigInt(100 + this.policy.percent)) / 100n;
      const maxPriorityFeePerGas = max(raise(BigInt(tx.maxPriorityFeePerGas)), fees.maxPriorityFeePerGas ?? 0n);
      const maxFeePerGas = max(raise(BigInt(tx.maxFeePerGas)), fees.maxFeePerGas ?? 0n, maxPriorityFeePerGas);
      const wallet = this.#walletFor(tx.account);
      if (!wallet) return;
      const purpose: TxPurpose = { swapId: tx.swapId, leg: tx.leg, action: tx.action, step: stepOf(tx) };
      const req: TxRequest = { to: tx.to, data: tx.data, value: BigInt(tx.value) };
      const next = await this.#sign(wallet, purpose, req, { nonce: tx.nonce, gasLimit: BigInt(tx.gasLimit), maxFeePerGas, maxPriorityFeePerGas }, tx.attempt + 1, this.store.txMembers(tx.id));
      const row = this.store.atomically(() => {
        this.store.updateTx(tx.id, { status: "replaced" });
        return this.store.insertTx(next.tx, next.members);
      });
      this.hooks.log?.("tx.feeBumped", { old: tx.hash, new: row.hash, nonce: tx.nonce, maxFeePerGas: maxFeePerGas.toString(), attempt: row.attempt });
      await this.#broadcast(row).catch(() => undefined);
    });
  }

  readonly #walletsByAddress = new Map<string, Wallet>();

  /** Makes `wallet` known for re-signing (fee bumps) of its open transactions. */
  register(wallet: Wallet): void {
    this.#walletsByAddress.set(wallet.address, this.chain.wallet(wallet));
  }

  #walletFor(account: string): Wallet | undefined {
    return this.#walletsByAddress.get(account);
  }
}

function max(...xs: bigint[]): bigint {
  return xs.reduce((m, x) => (x > m ? x : m));
}

const STEP_OF: Record<string, string> = { "depositPremium:B": "1", "depositPremium:A": "2", "escrow:A": "3", "escrow:B": "4", "redeem:B": "5", "redeem:A": "6" };

/** The protocol step a transaction row belongs to ("settle" for settlements). */
export function stepOf(tx: Pick<TxRow, "action" | "leg">): string {
  return STEP_OF[`${tx.action}:${tx.leg}`] ?? tx.action;
}
