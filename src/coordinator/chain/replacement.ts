/**
 * Same-nonce replacements of one chain's open transactions: fee bumps of stuck ones (under the chain's
 * fee cap and each swap's gas budget) and cancels (a 0-value self-transfer) of those the engine's guard
 * says must never go again. A replacement counts only once the node took it.
 */
import type { Wallet } from "ethers";

import type { TxRequest } from "../../sdk";
import type { CoordinatorStore, TxMember, TxRow } from "../store/types";
import type { AccountLocks } from "./accountLock";
import type { TxBroadcaster } from "./broadcaster";
import type { ChainClient, Head } from "./client";
import { bumpFees, cancelFees, worstCaseShare, type FeePolicy, type Fees } from "./fees";
import type { SenderHooks, TxPurpose } from "./sendTypes";
import { signTxRow } from "./signedTx";
import { isRefusal, isUnderpriced } from "./txRefusals";
import { stepOf } from "./txSteps";

/** The gas of a 0-value transfer to an account without code. */
const CANCEL_GAS = 21_000n;

/** What the replacer shares with its sender. */
export interface ReplacementDeps {
  readonly store: CoordinatorStore;
  readonly chain: ChainClient;
  readonly policy: FeePolicy;
  readonly hooks: SenderHooks;
  readonly locks: AccountLocks;
  readonly broadcaster: TxBroadcaster;
  /** The registered wallet of an account (none: its rows are not re-signed). */
  walletFor(account: string): Wallet | undefined;
}

/** Bumps and cancels one chain's open transactions. */
export class TxReplacer {
  /** Rows whose bump the fee cap or the gas budget stopped (logged once each). */
  readonly #stuckAtCap = new Set<number>();

  constructor(private readonly deps: ReplacementDeps) {}

  /**
   * Re-signs a stuck transaction with higher fees, under the chain's fee cap and the gas budget of
   * every swap it acts on (at the cap or the budget: no bump, an error logged once, and the guard goes
   * on deciding each round). The old attempt is marked replaced only once the node took the new one: a
   * replacement the node refuses (too little coin for the higher fees) is dropped and the old one
   * stays open.
   */
  async bump(tx: TxRow): Promise<void> {
    const { store, chain, policy, hooks } = this.deps;
    await this.deps.locks.run(tx.account, async () => {
      const wallet = this.deps.walletFor(tx.account);
      if (!wallet) return;
      const old: Fees = { maxFeePerGas: BigInt(tx.maxFeePerGas), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas) };
      const fees = bumpFees(old, await chain.provider.getFeeData(), policy);
      const members = store.txMembers(tx.id);
      const why = fees === undefined ? "fee-cap" : this.#overBudget(tx, members, fees);
      if (why !== undefined) {
        if (!this.#stuckAtCap.has(tx.id)) {
          this.#stuckAtCap.add(tx.id);
          hooks.log?.("fee.capReached", {
            chain: chain.name, hash: tx.hash, action: tx.action, step: stepOf(tx, store.getSwap(tx.swapId)?.parties), reason: why, maxFeePerGas: tx.maxFeePerGas,
            cap: policy.maxFeePerGas?.toString() ?? null, budget: policy.swapGasBudget?.toString() ?? null, deadline: tx.deadline,
          });
        }
        return;
      }
      const purpose: TxPurpose = { swapId: tx.swapId, leg: tx.leg, action: tx.action, step: stepOf(tx, store.getSwap(tx.swapId)?.parties), ...(tx.deadline !== null ? { deadline: BigInt(tx.deadline) } : {}), ...(tx.reveals ? { reveals: true } : {}) };
      const req: TxRequest = { to: tx.to, data: tx.data, value: BigInt(tx.value) };
      const next = await signTxRow(chain.chainId, wallet, purpose, req, { nonce: tx.nonce, gasLimit: BigInt(tx.gasLimit), ...fees! }, tx.attempt + 1, members);
      const row = store.insertTx(next.tx, next.members);
      hooks.log?.("tx.feeBumped", { old: tx.hash, new: row.hash, nonce: tx.nonce, maxFeePerGas: fees!.maxFeePerGas.toString(), attempt: row.attempt });
      await this.#replaceWith(tx, row);
    });
  }

  /**
   * The worst case one swap's transactions on this chain have cost so far (mined or reverted rows,
   * gas limit × max fee, a batch's split among its legs), for the gas budget.
   */
  #spent(swapId: string): bigint {
    const { store, chain } = this.deps;
    let total = 0n;
    for (const t of store.txsOfSwap(swapId)) {
      if (t.chainId !== chain.chainId.toString() || (t.status !== "mined" && t.status !== "reverted")) continue;
      total += worstCaseShare(BigInt(t.gasLimit), BigInt(t.maxFeePerGas), store.txMembers(t.id).length);
    }
    return total;
  }

  /** Which limit a bump to `fees` would break: the gas budget of one of the swaps it acts on, or none. */
  #overBudget(tx: TxRow, members: readonly TxMember[], fees: Fees): "gas-budget" | undefined {
    const budget = this.deps.policy.swapGasBudget;
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
    const { store, hooks, broadcaster } = this.deps;
    try {
      await broadcaster.push(next);
    } catch (e) {
      if (isRefusal(e) || isUnderpriced(e)) {
        store.updateTx(next.id, { status: "dropped" });
        hooks.log?.("tx.replacementRefused", { old: old.hash, new: next.hash, action: next.action, nonce: next.nonce, reason: String((e as Error).message ?? e).slice(0, 200) });
      }
      return;
    }
    store.atomically(() => {
      const current = store.txsWithNonce(old.chainId, old.account, old.nonce).find((t) => t.id === old.id);
      if (current && (current.status === "sent" || current.status === "signed")) store.updateTx(old.id, { status: "replaced" });
    });
    broadcaster.markSent([next]);
  }

  /**
   * Replaces `tx` at once by a same-nonce 0-value transfer to its own account that reveals nothing
   * (the engine's guard said it must never go again: a reveal past its cutoff, or a step the rule no
   * longer takes). The cancel is recorded before it is broadcast and tracked like any transaction:
   * whichever of the two lands decides the nonce.
   */
  async cancel(tx: TxRow, head: Head): Promise<void> {
    const { store, chain, policy, hooks } = this.deps;
    await this.deps.locks.run(tx.account, async () => {
      const wallet = this.deps.walletFor(tx.account);
      if (!wallet) return;
      const fees = cancelFees({ maxFeePerGas: BigInt(tx.maxFeePerGas), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas) }, await chain.provider.getFeeData(), policy);
      const purpose: TxPurpose = { swapId: tx.swapId, leg: tx.leg, action: "cancel", step: "cancel" };
      const next = await signTxRow(chain.chainId, wallet, purpose, { to: tx.account, data: "0x", value: 0n }, { nonce: tx.nonce, gasLimit: CANCEL_GAS, ...fees }, tx.attempt + 1, store.txMembers(tx.id));
      const row = store.insertTx(next.tx, next.members);
      hooks.log?.("tx.cancelling", {
        chain: chain.name, old: tx.hash, new: row.hash, action: tx.action, step: stepOf(tx, store.getSwap(tx.swapId)?.parties), nonce: tx.nonce, reveals: tx.reveals,
        deadline: tx.deadline, chainTime: head.timestamp.toString(), maxFeePerGas: fees.maxFeePerGas.toString(),
      });
      await this.#replaceWith(tx, row);
    });
  }
}
