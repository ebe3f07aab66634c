/**
 * The coordinator's credit withdrawals, round by round: the credits of held parties it watches (the
 * assets of their finished swaps), and once per round the withdrawal of what can move (`credits.ts`
 * finds the whole credit or its largest half that a simulation passes). Zero credits stop being
 * watched; a credit nothing can move is reported once (`credit.stuck`).
 */
import { getAddress, type Wallet } from "ethers";
import type { Logger } from "pino";

import type { LocatedLeg } from "../../sdk";
import type { ChainClient } from "../chain/client";
import type { TxSender } from "../chain/sender";
import type { CoordinatorStore, LegName } from "../store/types";
import { creditKeyId, creditKeys, roundCredits, type CreditKey } from "./credits";

/** What the round needs of the coordinator. */
export interface CreditRoundDeps {
  readonly store: CoordinatorStore;
  readonly chains: ReadonlyMap<string, ChainClient>;
  readonly senders: ReadonlyMap<string, TxSender>;
  /** The held parties' wallets. */
  readonly wallets: readonly Wallet[];
  /** True when the chain answered this round. */
  readonly reachable: (chainId: string) => boolean;
  readonly event: (swapId: string, chainId: string, kind: string, data: Record<string, unknown>) => void;
  readonly log: Logger;
}

/** The credits a coordinator watches and withdraws. */
export class CreditWithdrawals {
  /** Watched credits by `creditKeyId`, with the swap their withdrawal is recorded under. */
  readonly #watched = new Map<string, { key: CreditKey; swapId: string; leg: LegName }>();
  readonly #stuckReported = new Set<string>();

  constructor(private readonly deps: CreditRoundDeps) {}

  /** Watches the credit keys of a finished swap's legs (its arcs) for the held parties (each asset a payout of the legs can be in). */
  watch(swapId: string, legs: readonly (LocatedLeg & { readonly name: LegName })[]): void {
    const held = (a: string) => this.deps.wallets.some((w) => w.address === getAddress(a));
    for (const leg of legs) {
      for (const key of creditKeys([leg], held)) {
        const id = creditKeyId(key);
        if (!this.#watched.has(id)) this.#watched.set(id, { key, swapId, leg: leg.name });
      }
    }
  }

  /**
   * One round: each watched key of a reachable chain without a withdrawal on the way is read; a
   * non-zero credit is withdrawn whole when a simulation passes, else in the largest half that passes,
   * and the rest in later rounds.
   */
  async round(): Promise<void> {
    if (this.#watched.size === 0) return;
    const { store, chains, senders, wallets, event, log } = this.deps;
    const open = new Set(store.openTxMembers().filter((m) => m.action === "withdraw").map((m) => `${m.swapId}:${m.leg}`));
    const due = [...this.#watched.entries()].filter(([, c]) => !open.has(`${c.swapId}:${c.leg}`) && this.deps.reachable(c.key.at.chainId.toString()));
    if (due.length === 0) return;
    const found = await roundCredits(chains, due.map(([, c]) => c.key));
    const nonZero = new Set([...found.withdrawals, ...found.stuck, ...found.failed.map((f) => f.key)].map(creditKeyId));
    for (const [id] of due) if (!nonZero.has(id)) this.#watched.delete(id);
    for (const w of found.withdrawals) {
      const watched = this.#watched.get(creditKeyId(w))!;
      const wallet = wallets.find((x) => x.address === w.party)!;
      const chainId = w.at.chainId.toString();
      try {
        const row = await senders.get(chainId)!.send(wallet, { swapId: watched.swapId, leg: watched.leg, action: "withdraw", step: "withdraw" }, w.tx!);
        event(watched.swapId, chainId, "credit.withdrawing", { party: w.party, token: w.token, credit: w.credit.toString(), amount: w.amount!.toString(), hash: row.hash });
        log.info({ swapId: watched.swapId, chain: chains.get(chainId)?.name, token: w.token, credit: w.credit.toString(), amount: w.amount!.toString() }, "withdrawing a credit");
      } catch (e) {
        log.warn({ swapId: watched.swapId, err: e }, "credit withdrawal not sent");
      }
    }
    for (const c of found.stuck) {
      const id = creditKeyId(c);
      if (this.#stuckReported.has(id)) continue;
      this.#stuckReported.add(id);
      const watched = this.#watched.get(id)!;
      event(watched.swapId, c.at.chainId.toString(), "credit.stuck", { party: c.party, token: c.token, credit: c.credit.toString(), simulations: c.simulations });
      log.warn({ swapId: watched.swapId, token: c.token, credit: c.credit.toString() }, "a credit no withdrawal can move (the token refuses every amount tried)");
    }
  }
}
