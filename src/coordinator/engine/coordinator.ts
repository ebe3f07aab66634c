/**
 * The coordinator: polls every chain (transactions reconciled, logs watched from the persisted tip),
 * then, for every unfinished swap, observes both legs at the final block, asks `decide` what to do,
 * records status changes through the transition table, and sends the actions of the parties it holds.
 * Every decision is written before it is acted on; a restart re-reads the chains and carries on.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import type { Logger } from "pino";

import { cycleOfferToJson, offerToJson, type SignedCycleOffer, type SignedOffer } from "../../sdk";
import { resolveParties, type CoordinatorConfig, type PartyKeys } from "../config";
import { ChainClient } from "../chain/client";
import { TxSender } from "../chain/sender";
import { CoordinatorMetrics } from "../metrics";
import { createLogger } from "../logger";
import { ChainWatcher } from "../chain/watcher";
import { isFinal } from "../domain/status";
import { openSqliteStore } from "../store";
import type { CoordinatorStore, EventRow, SwapRow } from "../store/types";
import type { AbortResult, CoordinatorPort, HealthReport, SwapDetail, SwapFilter } from "../api/port";
import { FundsLedger, admitOffer } from "./accept";
import { admitCycleOffer } from "./acceptCycle";
import { CreditWithdrawals } from "./creditRound";
import { ClockMonitor } from "./clocks";
import { LogLimiter } from "../logLimit";
import { ChainHealth } from "./reachability";
import { legsOf, loadSwap, type EngineContext } from "./context";
import { crashPoint } from "./crashPoint";
import { emitEvents, recordEvent } from "./eventFeed";
import { onFinalEvent, onSecret, replayEventTrail } from "./legStates";
import { onReorg, rewindSwaps } from "./reorg";
import { runRound } from "./round";
import { guard, senderEvent } from "./senderHooks";
import { requestAbort } from "./abortConsent";
import { chainGauges, countArcs, countByStatus, listSwaps, swapDetail } from "./readModels";

/** How far back (finish time) a restart looks for swaps whose credits may still wait: a week. */
const CREDIT_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/** Options for embedding the coordinator (tests, the demo). */
export interface CoordinatorOptions {
  readonly store?: CoordinatorStore;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Also collect the process metrics (CPU, memory, event loop); default true. */
  readonly defaultMetrics?: boolean;
}

/**
 * A running coordinator. The class holds the entry points and the wiring; its parts share one state
 * (`engine/context.ts`): the round (`round.ts`, `roundSend.ts`), leg-state tracking (`legStates.ts`),
 * reorganisations (`reorg.ts`), status moves (`statusMoves.ts`), abort consents (`abortConsent.ts`),
 * the read models (`readModels.ts`), the rule's view (`view.ts`) and the senders' hooks (`senderHooks.ts`).
 */
export class Coordinator implements CoordinatorPort {
  readonly config: CoordinatorConfig;
  readonly store: CoordinatorStore;
  readonly log: Logger;
  readonly metrics: CoordinatorMetrics;
  readonly chains = new Map<string, ChainClient>();
  /** Each chain's clock as measured every round, against the local clock and the other chains. */
  readonly clocks = new ClockMonitor();
  readonly parties: PartyKeys[];
  /** Which chains are connected and reachable; the others are retried in the background (degraded mode). */
  readonly #health = new ChainHealth(this.chains, { event: (chainId, kind, data) => recordEvent(this.#ctx, null, chainId, kind, data), log: () => this.log });
  /** The state the engine's parts share (the hooks below read it once the constructor has made it). */
  readonly #ctx: EngineContext;
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(config: CoordinatorConfig, opts: CoordinatorOptions = {}) {
    this.config = config;
    this.log = opts.logger ?? createLogger(config.logLevel);
    this.parties = resolveParties(config, opts.env);
    if (opts.store) this.store = opts.store;
    else {
      mkdirSync(config.dataDir, { recursive: true });
      this.store = openSqliteStore(join(config.dataDir, "coordinator.sqlite"));
    }
    this.metrics = new CoordinatorMetrics(() => countByStatus(this.#ctx), { defaultMetrics: opts.defaultMetrics ?? true, chains: () => chainGauges(this.#ctx), arcs: () => countArcs(this.#ctx) });
    const senders = new Map<string, TxSender>();
    const watchers = new Map<string, ChainWatcher>();
    const heads: EngineContext["heads"] = new Map();
    for (const c of config.chains) {
      const chain = { chain: c.name };
      const client = new ChainClient(c, { done: (sec) => this.metrics.rpcLatency.observe(chain, sec), failed: () => this.metrics.rpcErrors.inc(chain) });
      const id = c.chainId.toString();
      this.chains.set(id, client);
      const policy = { afterBlocks: config.feeBumpAfterBlocks, percent: config.feeBumpPercent, maxFeePerGas: c.maxFeePerGas, ...(c.swapGasBudget !== undefined ? { swapGasBudget: c.swapGasBudget } : {}) };
      const sender = new TxSender(this.store, client, policy, {
        point: (where, step) => crashPoint(this.#ctx, where, step),
        log: (kind, data) => {
          if (kind === "tx.sent") this.metrics.txSent.inc({ ...chain, action: String(data.action) });
          else if (kind === "tx.feeBumped") this.metrics.feeBumps.inc(chain);
          else if (kind === "tx.rebroadcast") this.metrics.txRetries.inc(chain);
          senderEvent(this.#ctx, id, kind, data);
        },
        guard: (row, head, scope) => guard(this.#ctx, id, row, head, scope),
      });
      for (const p of this.parties) sender.register(p.wallet);
      senders.set(id, sender);
      watchers.set(id, new ChainWatcher(this.store, client, {
        onSecret: (secret, legId) => onSecret(this.#ctx, secret, legId),
        onFinalEvent: (e) => onFinalEvent(this.#ctx, id, e),
        log: (kind, data) => {
          recordEvent(this.#ctx, null, id, kind, data);
          if (kind === "chain.reorg") onReorg(this.#ctx, id, Number(data.rewoundTo));
        },
      }));
    }
    const credits = new CreditWithdrawals({
      store: this.store,
      chains: this.chains,
      senders,
      wallets: this.parties.map((p) => p.wallet),
      reachable: (chainId) => heads.has(chainId),
      event: (swapId, chainId, kind, data) => recordEvent(this.#ctx, swapId, chainId, kind, data),
      log: this.log,
    });
    this.#ctx = {
      config,
      store: this.store,
      log: this.log,
      metrics: this.metrics,
      chains: this.chains,
      clocks: this.clocks,
      parties: this.parties,
      senders,
      watchers,
      health: this.#health,
      credits,
      limiter: new LogLimiter(),
      heads,
      active: new Map(),
      legs: new Map(),
      outcomes: new Map(),
      byHashlock: new Map(),
      legStates: new Map(),
      missedReported: new Set(),
      legChain: new Map(),
      legSwap: new Map(),
      listeners: new Set(),
      sending: new Set(),
      pendingCache: undefined,
      lastEmitted: 0,
      driving: false,
      deferCrash: undefined,
      haltRound: false,
    };
  }

  /**
   * Connects every chain (checking chain ids and escrow VERSIONs, in parallel) and loads unfinished
   * swaps. A configuration error (another chain id, no escrow, a wrong VERSION) throws; a chain that
   * cannot be reached leaves the coordinator degraded: it is connected again in the background (see
   * `engine/reachability.ts`) and the rounds drive what the other chains allow.
   */
  async init(): Promise<void> {
    const ctx = this.#ctx;
    const down = await ctx.health.connectAll();
    const voided = replayEventTrail(ctx);
    for (const row of this.store.listSwaps({ activeOnly: true })) loadSwap(ctx, row);
    // Swaps a reorganisation left ahead of their chains and that were not rewound before the stop.
    for (const [legId, at] of voided) rewindSwaps(ctx, new Set([legId]), at.chainId, at.block, "restart", at.reorgEvent);
    // Credits left by swaps that finished lately (before a restart) are looked at again.
    const since = Date.now() - CREDIT_LOOKBACK_MS;
    for (const row of this.store.listSwaps()) if (isFinal(row.status) && row.updatedAt >= since) ctx.credits.watch(row.id, legsOf(ctx, row));
    recordEvent(ctx, null, null, "coordinator.started", { swaps: ctx.active.size, pid: process.pid, ...(down.length > 0 ? { degraded: down } : {}) });
    ctx.lastEmitted = this.store.lastEventId();
    this.log.info({ swaps: ctx.active.size, chains: [...this.chains.values()].map((c) => c.name) }, "coordinator ready");
    if (down.length > 0) this.log.warn({ unreachable: down }, "starting degraded: driving what the reachable chains allow, connecting the others in the background");
  }

  /**
   * Validates a signed offer and accepts it (nothing is sent here). Throws a typed error on refusal.
   * `funds`: the ledger of a submission of several offers, which must fit the funds together.
   */
  async submit(signed: SignedOffer, funds?: FundsLedger): Promise<SwapRow> {
    const admission = await admitOffer(signed, { config: this.config, chains: this.chains, parties: this.parties, store: this.store, unavailable: (chainId) => this.#health.unavailable(chainId), ...(funds ? { funds } : {}) });
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
    loadSwap(this.#ctx, row);
    this.log.info({ swapId: row.id, kind: row.kind, roles: row.roles }, "swap accepted");
    emitEvents(this.#ctx);
    return row;
  }

  /**
   * Validates a signed n-party cycle offer (`PROTOCOLS.md` §7) and accepts it (nothing is sent here):
   * every check of `admitCycleOffer`, each refusal a typed error. The swap is recorded with its
   * parties (those whose keys this coordinator holds marked) and its arcs, and driven like any other:
   * this process takes only the held parties' steps and watches every arc they depend on.
   */
  async submitCycle(signed: SignedCycleOffer, funds?: FundsLedger): Promise<SwapRow> {
    const admission = await admitCycleOffer(signed, { config: this.config, chains: this.chains, parties: this.parties, store: this.store, unavailable: (chainId) => this.#health.unavailable(chainId), ...(funds ? { funds } : {}) });
    const { plan, held } = admission;
    const roles = { leader: held.includes(0), follower: held.some((i) => i > 0) };
    const row = this.store.insertSwap(
      {
        id: plan.id,
        offer: cycleOfferToJson(plan.offer),
        signatures: [...signed.signatures],
        kind: "hedged-swap",
        hashlock: plan.offer.hashlock.toLowerCase(),
        roles,
        secretIndex: admission.secretIndex,
        cycle: { parties: plan.parties.map((address, i) => ({ address, held: held.includes(i) })), arcChains: plan.arcs.map((a) => a.at.chainId.toString()) },
      },
      { swapId: plan.id, chainId: null, kind: "swap.accepted", data: { kind: "hedged-cycle", parties: plan.n, held } },
    );
    loadSwap(this.#ctx, row);
    this.log.info({ swapId: row.id, parties: plan.n, held }, "cycle accepted");
    emitEvents(this.#ctx);
    return row;
  }

  /**
   * Whether the process drives every chain: each chain's connection and reachability, and `degraded`
   * while any is not connected or not reachable (`GET /health`, `GET /ready`).
   */
  health(): HealthReport {
    return this.#health.report();
  }

  /**
   * Submits many offers, `concurrency` admissions at a time; one result per offer, in order: the
   * accepted row or the refusal. Balances and allowances are read once, and the offers are accepted
   * only as far as the held parties' funds cover all of them together.
   */
  async submitMany(offers: readonly SignedOffer[], concurrency = 16): Promise<({ row: SwapRow } | { error: unknown })[]> {
    return admitAll(offers, concurrency, (o, funds) => this.submit(o, funds));
  }

  /**
   * `submitMany` for signed cycle offers (`submitCycle`): `concurrency` admissions at a time, one
   * result per offer in order, balances and allowances read once and the offers accepted only as far
   * as the held parties' funds cover all of them together.
   */
  async submitManyCycles(offers: readonly SignedCycleOffer[], concurrency = 16): Promise<({ row: SwapRow } | { error: unknown })[]> {
    return admitAll(offers, concurrency, (o, funds) => this.submitCycle(o, funds));
  }

  /** `submitMany` for two-party and cycle offers together (a cycle offer's signatures are a list), one funds ledger for all. */
  async submitOffers(offers: readonly (SignedOffer | SignedCycleOffer)[], concurrency = 16): Promise<({ row: SwapRow } | { error: unknown })[]> {
    return admitAll(offers, concurrency, (o, funds) => (Array.isArray(o.signatures) ? this.submitCycle(o as SignedCycleOffer, funds) : this.submit(o as SignedOffer, funds)));
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
    return [...this.#ctx.active.values()].map((a) => a.row);
  }

  /** One round: every chain polled, every unfinished swap advanced. Chains that fail are skipped this round. */
  async tick(): Promise<void> {
    await runRound(this.#ctx);
  }

  /** Swaps from the store, filtered and paged. */
  listSwaps(filter: SwapFilter = {}): SwapRow[] {
    return listSwaps(this.#ctx, filter);
  }

  /** A swap with its legs, schedule (deadlines, time left on each chain's clock, transactions) and events. */
  swapDetail(id: string): SwapDetail | undefined {
    return swapDetail(this.#ctx, id);
  }

  /**
   * A cooperative abort of one leg (`PROTOCOLS.md` §2), in the one order that is safe for both parties:
   *
   * 1. **The leader consents first**, to the abort of leg B (the leader is leg B's redeemer). Before
   *    the signature leaves this process it records durably that it will never reveal the secret for
   *    this swap (`neverReveal`, with a `reveal.forsworn` event, in one database transaction): no step 3
   *    or 5 afterwards, restarts included. Refused with `REVEAL_COMMITTED` once the leader committed
   *    (`committed`, `redeemedB`, `completed`) or the secret is revealed.
   * 2. **The follower consents** to the abort of leg A (it is leg A's redeemer) **only once its own leg
   *    B is aborted, refunded or was never escrowed**, judged on leg B's chain at the final block (and
   *    at the latest block, and with no escrow of leg B of its own on the way). Otherwise it refuses:
   *    `COUNTER_LEG_ESCROWED` (abort leg B first, with the leader's consent, then ask again) or
   *    `COUNTER_LEG_REDEEMED` (the secret is out: leg A is redeemed, not aborted). When leg B is not
   *    escrowed it first records durably that it will never escrow leg B (`neverEscrow`, with an
   *    `escrow.forsworn` event): no step 2 or 4 afterwards.
   * 3. The escrower's side sends the abort only with a consent the escrow will accept
   *    (`verifyAbortConsent`: the redeemer's ECDSA signature, or for a contract-wallet redeemer its
   *    ERC-1271 `isValidSignature`); `INVALID_ABORT_SIGNATURE` otherwise.
   *
   * A refusal signs and sends nothing. Without that order the leader could get the follower's consent
   * for leg A while leg B is escrowed, abort leg A and still redeem leg B with the secret.
   */
  async requestAbort(id: string, legName: "A" | "B", redeemerSignature?: string): Promise<AbortResult> {
    return requestAbort(this.#ctx, id, legName, redeemerSignature);
  }

  /** Subscribes to every event appended from now on. */
  onEvent(listener: (event: EventRow) => void): () => void {
    this.#ctx.listeners.add(listener);
    return () => this.#ctx.listeners.delete(listener);
  }
}

/**
 * Admits `offers`, `concurrency` at a time, through `one` with one funds ledger for all: one result per
 * offer, in order (the accepted row or the refusal).
 */
async function admitAll<T>(offers: readonly T[], concurrency: number, one: (offer: T, funds: FundsLedger) => Promise<SwapRow>): Promise<({ row: SwapRow } | { error: unknown })[]> {
  const results: ({ row: SwapRow } | { error: unknown })[] = new Array(offers.length);
  const funds = new FundsLedger();
  let next = 0;
  const worker = async () => {
    while (next < offers.length) {
      const k = next++;
      try {
        results[k] = { row: await one(offers[k]!, funds) };
      } catch (error) {
        results[k] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, offers.length) }, worker));
  return results;
}
