/**
 * The coordinator: polls every chain (transactions reconciled, logs watched from the persisted tip),
 * then, for every unfinished swap, observes both legs at the final block, asks `decide` what to do,
 * records status changes through the transition table, and sends the actions of the parties it holds.
 * Every decision is written before it is acted on; a restart re-reads the chains and carries on.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { sha256 } from "ethers";
import pino, { type Logger } from "pino";

import {
  HedgeSwapError,
  LegState,
  deriveSecret,
  depositPremiumTx,
  escrowTx,
  offerFromJson,
  offerToJson,
  planFromOffer,
  redeemTx,
  settleTx,
  type PlannedLeg,
  type SignedOffer,
  type SwapPlan,
  type TxRequest,
} from "../../sdk";
import { resolveParties, type CoordinatorConfig, type PartyKeys } from "../config";
import { ChainClient, type Head } from "../chain/client";
import { TxSender } from "../chain/sender";
import { ChainWatcher, type LegEvent } from "../chain/watcher";
import { HAPPY_PATH, isFinal, type SwapStatus } from "../domain/status";
import { openSqliteStore } from "../store";
import type { CoordinatorStore, SwapRow } from "../store/types";
import { admitOffer } from "./accept";
import { decide, type Intent, type LegOutcome } from "./decide";

/** The step whose completion each status marks (for `final:<step>` crash points). */
const STEP_OF_STATUS: Partial<Record<SwapStatus, string>> = { premiumB: "1", premiumA: "2", escrowedA: "3", escrowedB: "4", redeemedB: "5", completed: "6" };

const OUTCOME_OF: Partial<Record<LegEvent["kind"], LegOutcome>> = { redeemed: "redeemed", refunded: "refunded", premiumRefunded: "premiumRefunded", aborted: "aborted" };

interface Active {
  row: SwapRow;
  plan: SwapPlan;
  secret?: string;
}

/** Options for embedding the coordinator (tests, the demo). */
export interface CoordinatorOptions {
  readonly store?: CoordinatorStore;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

/** A running coordinator. */
export class Coordinator {
  readonly config: CoordinatorConfig;
  readonly store: CoordinatorStore;
  readonly log: Logger;
  readonly chains = new Map<string, ChainClient>();
  readonly parties: PartyKeys[];
  readonly #senders = new Map<string, TxSender>();
  readonly #watchers = new Map<string, ChainWatcher>();
  readonly #heads = new Map<string, Head>();
  readonly #active = new Map<string, Active>();
  /** legId → swap id and leg name, for events. */
  readonly #legs = new Map<string, { swapId: string; leg: "A" | "B" }>();
  readonly #outcomes = new Map<string, LegOutcome>();
  readonly #missedReported = new Set<string>();
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(config: CoordinatorConfig, opts: CoordinatorOptions = {}) {
    this.config = config;
    this.log = opts.logger ?? pino({ level: config.logLevel, base: { service: "hedgeswap-coordinator" } });
    this.parties = resolveParties(config, opts.env);
    if (opts.store) this.store = opts.store;
    else {
      mkdirSync(config.dataDir, { recursive: true });
      this.store = openSqliteStore(join(config.dataDir, "coordinator.sqlite"));
    }
    for (const c of config.chains) {
      const client = new ChainClient(c);
      const id = c.chainId.toString();
      this.chains.set(id, client);
      const sender = new TxSender(this.store, client, { afterBlocks: config.feeBumpAfterBlocks, percent: config.feeBumpPercent }, {
        point: (where, step) => this.#crashPoint(where, step),
        log: (kind, data) => this.#event(null, id, kind, data),
      });
      for (const p of this.parties) sender.register(p.wallet);
      this.#senders.set(id, sender);
      this.#watchers.set(id, new ChainWatcher(this.store, client, {
        onSecret: (secret, legId) => this.#onSecret(secret, legId),
        onFinalEvent: (e) => this.#onFinalEvent(id, e),
        log: (kind, data) => this.#event(null, id, kind, data),
      }));
    }
  }

  /** Connects every chain (checking chain ids and escrow VERSIONs) and loads unfinished swaps. */
  async init(): Promise<void> {
    for (const c of this.chains.values()) await c.connect();
    for (const e of this.store.events()) {
      if (e.kind.startsWith("leg.") && typeof e.data.legId === "string") {
        const o = OUTCOME_OF[e.kind.slice(4) as LegEvent["kind"]];
        if (o) this.#outcomes.set(e.data.legId, o);
      }
    }
    for (const row of this.store.listSwaps({ activeOnly: true })) this.#load(row);
    this.#event(null, null, "coordinator.started", { swaps: this.#active.size, pid: process.pid });
    this.log.info({ swaps: this.#active.size, chains: [...this.chains.values()].map((c) => c.name) }, "coordinator ready");
  }

  #load(row: SwapRow): Active {
    const plan = planFromOffer(offerFromJson(row.offer), { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
    let secret: string | undefined = row.revealedSecret ?? undefined;
    if (row.roles.leader && row.secretIndex !== null) {
      const seed = this.parties.find((p) => p.wallet.address === plan.offer.leader)?.seed;
      if (seed) secret = deriveSecret(seed, row.secretIndex);
    }
    const active: Active = { row, plan, ...(secret ? { secret } : {}) };
    this.#active.set(row.id, active);
    this.#legs.set(plan.legA.id, { swapId: row.id, leg: "A" });
    this.#legs.set(plan.legB.id, { swapId: row.id, leg: "B" });
    return active;
  }

  /** Validates a signed offer and accepts it (nothing is sent here). Throws a typed error on refusal. */
  async submit(signed: SignedOffer): Promise<SwapRow> {
    const admission = await admitOffer(signed, { config: this.config, chains: this.chains, parties: this.parties, store: this.store });
    const row = this.store.insertSwap(
      {
        id: admission.plan.id,
        offer: offerToJson(admission.plan.offer),
        signatures: signed.signatures,
        kind: admission.plan.kind,
        hashlock: admission.plan.offer.hashlock,
        roles: admission.roles,
        secretIndex: admission.secretIndex,
      },
      { swapId: admission.plan.id, chainId: null, kind: "swap.accepted", data: { kind: admission.plan.kind, roles: admission.roles } },
    );
    this.#load(row);
    this.log.info({ swapId: row.id, kind: row.kind, roles: row.roles }, "swap accepted");
    return row;
  }

  /** Runs the poll loop until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        const started = Date.now();
        await this.tick().catch((e: unknown) => this.log.error({ err: e }, "tick failed"));
        const wait = Math.max(0, this.config.pollIntervalMs - (Date.now() - started));
        await new Promise((r) => setTimeout(r, wait));
      }
    })();
  }

  /** Stops the loop (after the current tick) and closes the store. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    for (const c of this.chains.values()) c.provider.destroy();
    this.store.close();
  }

  /** The swaps not yet final (in memory). */
  activeSwaps(): SwapRow[] {
    return [...this.#active.values()].map((a) => a.row);
  }

  /** One round: every chain polled, every unfinished swap advanced. Chains that fail are skipped this round. */
  async tick(): Promise<void> {
    for (const row of this.store.listSwaps({ activeOnly: true })) if (!this.#active.has(row.id)) this.#load(row);
    for (const [id, chain] of this.chains) {
      try {
        const head = await chain.head();
        this.#heads.set(id, head);
        await this.#senders.get(id)!.reconcile(head);
        await this.#watchers.get(id)!.poll(head);
      } catch (e) {
        this.#heads.delete(id);
        this.#event(null, id, "chain.unreachable", { chain: chain.name, reason: (e as Error).message?.slice(0, 200) });
      }
    }
    for (const active of [...this.#active.values()]) {
      try {
        await this.#advance(active);
      } catch (e) {
        this.log.error({ swapId: active.row.id, err: e }, "swap step failed");
      }
    }
  }

  async #advance(active: Active): Promise<void> {
    const { plan } = active;
    const chainA = this.chains.get(plan.legA.at.chainId.toString())!;
    const chainB = this.chains.get(plan.legB.at.chainId.toString())!;
    const headA = this.#heads.get(chainA.chainId.toString());
    const headB = this.#heads.get(chainB.chainId.toString());
    if (!headA || !headB) return;
    const [stateA, stateB] = await Promise.all([this.#legState(chainA, plan.legA, headA), this.#legState(chainB, plan.legB, headB)]);
    const pending = new Set(this.store.openTxs().filter((t) => t.swapId === active.row.id).map((t) => `${t.action}:${t.leg}`));
    const decision = decide({
      plan,
      roles: active.row.roles,
      status: active.row.status,
      legA: { state: stateA, ...(this.#outcomes.has(plan.legA.id) ? { outcome: this.#outcomes.get(plan.legA.id)! } : {}) },
      legB: { state: stateB, ...(this.#outcomes.has(plan.legB.id) ? { outcome: this.#outcomes.get(plan.legB.id)! } : {}) },
      timeA: headA.timestamp,
      timeB: headB.timestamp,
      ...(active.secret ? { secret: active.secret } : {}),
      pending,
      margin: BigInt(this.config.reactionMargin),
      settleGrace: BigInt(this.config.settleGrace),
      ...(this.config.faults.haltAfterStep !== undefined ? { haltAfterStep: this.config.faults.haltAfterStep } : {}),
    });
    this.#moveTo(active, decision.status, decision.outcome);
    for (const step of decision.missed) {
      const key = `${active.row.id}:${step}`;
      if (this.#missedReported.has(key)) continue;
      this.#missedReported.add(key);
      this.#event(active.row.id, null, "deadline.unreachable", { step: String(step) });
      this.log.warn({ swapId: active.row.id, step }, "a step can no longer land before its deadline; not sent");
    }
    for (const intent of decision.intents) await this.#act(active, intent);
  }

  async #legState(chain: ChainClient, leg: PlannedLeg, head: Head): Promise<LegState> {
    return Number(await chain.escrow.contract.legState(leg.id, { blockTag: chain.finalBlock(head) })) as LegState;
  }

  /**
   * Records the swap's new status. Along the happy path every status in between is written too, one
   * transition each, so each step boundary is crossed (and made durable) on its own.
   */
  #moveTo(active: Active, to: SwapStatus, outcome?: string): void {
    for (const next of this.#path(active.row.status, to)) {
      if (!this.#moveOne(active, next, next === to ? outcome : undefined)) return;
    }
  }

  #path(from: SwapStatus, to: SwapStatus): SwapStatus[] {
    const i = HAPPY_PATH.indexOf(from);
    const j = HAPPY_PATH.indexOf(to);
    if (i < 0 || j < 0 || j <= i) return from === to ? [] : [to];
    return HAPPY_PATH.slice(i + 1, j + 1).filter((s) => s !== "committed" || s === to);
  }

  #moveOne(active: Active, to: SwapStatus, outcome?: string): boolean {
    const from = active.row.status;
    try {
      active.row = this.store.transition(active.row.id, to, { swapId: active.row.id, chainId: null, kind: "swap.status", data: { from, to, ...(outcome ? { outcome } : {}) } }, outcome ? { outcome } : {});
    } catch (e) {
      this.log.warn({ swapId: active.row.id, from, to, err: e }, "status change refused by the transition table");
      return false;
    }
    this.log.info({ swapId: active.row.id, from, to, outcome }, "swap status");
    if (isFinal(to)) this.#active.delete(active.row.id);
    const step = STEP_OF_STATUS[to];
    if (step) this.#crashPoint("final", step);
    return true;
  }

  async #act(active: Active, intent: Intent): Promise<void> {
    const { plan } = active;
    const leg = intent.leg === "A" ? plan.legA : plan.legB;
    const party = this.parties.find((p) => p.wallet.address === plan.offer[intent.as]);
    if (!party) return;
    let req: TxRequest;
    if (intent.action === "depositPremium") req = depositPremiumTx(leg);
    else if (intent.action === "escrow") req = escrowTx(leg);
    else if (intent.action === "redeem") req = redeemTx(leg, active.secret!);
    else req = settleTx(leg);
    if (intent.commit && active.row.status !== "committed") {
      // The commit decision is durable before the secret leaves this process.
      this.#moveTo(active, "committed");
      if ((active.row.status as SwapStatus) !== "committed") return;
    }
    const chainId = leg.at.chainId.toString();
    try {
      const tx = await this.#senders.get(chainId)!.send(party.wallet, { swapId: active.row.id, leg: intent.leg, action: intent.action, step: String(intent.step) }, req);
      this.log.info({ swapId: active.row.id, chain: this.chains.get(chainId)!.name, step: intent.step, action: intent.action, leg: intent.leg, hash: tx.hash }, "transaction sent");
    } catch (e) {
      const err = e instanceof HedgeSwapError ? e : undefined;
      this.#event(active.row.id, chainId, "action.refused", { step: String(intent.step), action: intent.action, leg: intent.leg, code: err?.code ?? "UNKNOWN", reason: (e as Error).message?.slice(0, 300) });
      this.log.warn({ swapId: active.row.id, step: intent.step, err: e }, "action not sent");
    }
  }

  #onSecret(secret: string, legId: string): void {
    const ref = this.#legs.get(legId);
    if (!ref) return;
    const active = this.#active.get(ref.swapId);
    if (!active || active.secret || active.row.revealedSecret) return;
    if (sha256(secret) !== active.plan.offer.hashlock) return;
    active.secret = secret;
    active.row = this.store.patchSwap(active.row.id, { revealedSecret: secret }, { swapId: active.row.id, chainId: null, kind: "secret.revealed", data: { legId, leg: ref.leg } });
    this.log.info({ swapId: active.row.id, leg: ref.leg }, "secret seen on chain");
  }

  #onFinalEvent(chainId: string, e: LegEvent): void {
    if (!e.legId) return;
    const ref = this.#legs.get(e.legId);
    if (!ref) return;
    const outcome = OUTCOME_OF[e.kind];
    if (outcome && this.#outcomes.get(e.legId) === outcome) return;
    if (outcome) this.#outcomes.set(e.legId, outcome);
    this.#event(ref.swapId, chainId, `leg.${e.kind}`, { legId: e.legId, leg: ref.leg, txHash: e.log.transactionHash, blockNumber: e.log.blockNumber });
  }

  #event(swapId: string | null, chainId: string | null, kind: string, data: Record<string, unknown>): void {
    this.store.appendEvent({ swapId, chainId, kind, data });
    if (kind.startsWith("chain.") || kind.startsWith("tx.")) this.log.info({ chainId, swapId, ...data }, kind);
  }

  #crashPoint(where: string, step: string): void {
    if (this.config.faults.crashAt === `${where}:${step}`) {
      this.log.warn({ crashAt: this.config.faults.crashAt }, "fault injection: SIGKILL");
      process.kill(process.pid, "SIGKILL");
    }
  }
}
