/**
 * The coordinator: polls every chain (transactions reconciled, logs watched from the persisted tip),
 * then, for every unfinished swap, observes both legs at the final block, asks `decide` what to do,
 * records status changes through the transition table, and sends the actions of the parties it holds.
 * Every decision is written before it is acted on; a restart re-reads the chains and carries on.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { sha256 } from "ethers";
import type { Logger } from "pino";

import {
  LegState,
  PremiumMode,
  abortTx,
  findRevealedSecret,
  verifyAbortConsent,
  signCooperativeAbort,
  unpackTimelocks,
  deriveSecret,
  getLegStates,
  offerFromJson,
  offerToJson,
  planFromOffer,
  NO_CHAIN_DELAY,
  type ChainSafety,
  type SafetyMargins,
  type SignedOffer,
  type SwapPlan,
} from "../../sdk";
import { resolveParties, type CoordinatorConfig, type PartyKeys } from "../config";
import { ChainClient, type Head } from "../chain/client";
import { TxSender, type ResendVerdict, type SendOutcome } from "../chain/sender";
import { CoordinatorMetrics, type ChainGauge } from "../metrics";
import { createLogger } from "../logger";
import { ChainWatcher, type LegEvent } from "../chain/watcher";
import { HAPPY_PATH, REOPENINGS, isFinal, type SwapStatus } from "../domain/status";
import { openSqliteStore } from "../store";
import type { CoordinatorStore, EventRow, SwapRow, TxRow } from "../store/types";
import type { AbortResult, CoordinatorPort, HealthReport, LegDetail, StepDetail, SwapDetail, SwapFilter } from "../api/port";
import {
  AbortNotPossibleError,
  CounterLegEscrowedError,
  CounterLegRedeemedError,
  InvalidAbortConsentError,
  LegNotAbortableError,
  RevealCommittedError,
  SwapFinalError,
  TxGasCapError,
  UnknownSwapError,
} from "../errors";
import { FundsLedger, admitOffer } from "./accept";
import { decide, type Intent, type LegOutcome, type SwapView } from "./decide";
import { RoundWork, workItem, workItems, type PartyWork, type WorkItem } from "./work";
import { CreditWithdrawals } from "./creditRound";
import { resendVerdict, type GuardScope } from "./resendGuard";
import { senderLogLine } from "./senderLog";
import { ClockMonitor } from "./clocks";
import { LogLimiter } from "../logLimit";
import { ChainHealth, degradedIntents } from "./reachability";

/** How far back (finish time) a restart looks for swaps whose credits may still wait: a week. */
const CREDIT_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/** The step whose completion each status marks (for `final:<step>` crash points). */
/** How many times one round sends a refused batch again in smaller parts. */
const MAX_SPLITS = 3;

const STEP_OF_STATUS: Partial<Record<SwapStatus, string>> = { premiumB: "1", premiumA: "2", escrowedA: "3", escrowedB: "4", redeemedB: "5", completed: "6" };

/** A leg's state right after each kind of event. */
const STATE_AFTER: Record<LegEvent["kind"], LegState> = {
  premiumDeposited: LegState.PremiumDeposited,
  escrowed: LegState.Escrowed,
  locked: LegState.Escrowed,
  redeemed: LegState.None,
  refunded: LegState.None,
  premiumRefunded: LegState.None,
  aborted: LegState.Aborted,
};

const OUTCOME_OF: Partial<Record<LegEvent["kind"], LegOutcome>> = { redeemed: "redeemed", refunded: "refunded", premiumRefunded: "premiumRefunded", aborted: "aborted" };

/** The statuses in which the leader has committed to reveal the secret: no consent to abort leg B any more. */
const COMMITTED: ReadonlySet<SwapStatus> = new Set<SwapStatus>(["committed", "redeemedB", "completed"]);

/** Leg B as the follower's abort rule reads it (see `requestAbort`). */
interface CounterLeg {
  readonly final: LegState;
  readonly latest: LegState;
  /** Leg B was redeemed (the secret is out), on chain or as this coordinator saw it. */
  readonly redeemed: boolean;
  /** This coordinator has an escrow of leg B signed or sent and not yet final. */
  readonly pendingEscrow: boolean;
}

interface Active {
  row: SwapRow;
  plan: SwapPlan;
  /** The leader's own secret, re-derived from its seed (only when this process holds the leader). */
  leaderSecret?: string;
  /** The secret as seen on a chain (usable by every held role). */
  revealed?: string;
}

/** Options for embedding the coordinator (tests, the demo). */
export interface CoordinatorOptions {
  readonly store?: CoordinatorStore;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Also collect the process metrics (CPU, memory, event loop); default true. */
  readonly defaultMetrics?: boolean;
}

/** A running coordinator. */
export class Coordinator implements CoordinatorPort {
  readonly config: CoordinatorConfig;
  readonly store: CoordinatorStore;
  readonly log: Logger;
  readonly metrics: CoordinatorMetrics;
  readonly chains = new Map<string, ChainClient>();
  /** Each chain's clock as measured every round, against the local clock and the other chains. */
  readonly clocks = new ClockMonitor();
  readonly parties: PartyKeys[];
  readonly #senders = new Map<string, TxSender>();
  readonly #watchers = new Map<string, ChainWatcher>();
  readonly #heads = new Map<string, Head>();
  readonly #active = new Map<string, Active>();
  /** legId → swap id and leg name, for events. */
  readonly #legs = new Map<string, { swapId: string; leg: "A" | "B" }>();
  readonly #outcomes = new Map<string, LegOutcome>();
  /** An active swap's id by its hashlock (lower case), to learn a secret revealed on any leg. */
  readonly #byHashlock = new Map<string, string>();
  /** legId → its state as of the final block, from the chain once and then from final events (ordered by block and log index). */
  readonly #legStates = new Map<string, { state: LegState; block: number; index: number }>();
  readonly #missedReported = new Set<string>();
  /** legId → the chain and the swap of its final events (every swap's, finished ones too): a reorganisation reopens them. */
  readonly #legChain = new Map<string, string>();
  readonly #legSwap = new Map<string, string>();
  /** This round's open actions per swap, for the resend guard (read once per round). */
  #pendingCache: Map<string, Set<string>> | undefined;
  /** Repeated warnings, written at most every 30 s each. */
  readonly #limiter = new LogLimiter();
  /** Credits of held parties (finished swaps' assets), withdrawn round by round. */
  readonly #credits: CreditWithdrawals;
  readonly #listeners = new Set<(e: EventRow) => void>();
  /** The rounds' sends in progress (see `#flush`): an abort consent waits for them before it signs. */
  readonly #sending = new Set<Promise<void>>();
  /** Which chains are connected and reachable; the others are retried in the background (degraded mode). */
  readonly #health = new ChainHealth(this.chains, { event: (chainId, kind, data) => this.#event(null, chainId, kind, data), log: () => this.log });
  #lastEmitted = 0;
  #running = false;
  #driving = false;
  #deferCrash: [string, string][] | undefined;
  #haltRound = false;
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
    this.metrics = new CoordinatorMetrics(() => this.#countByStatus(), { defaultMetrics: opts.defaultMetrics ?? true, chains: () => this.#chainGauges() });
    for (const c of config.chains) {
      const chain = { chain: c.name };
      const client = new ChainClient(c, { done: (sec) => this.metrics.rpcLatency.observe(chain, sec), failed: () => this.metrics.rpcErrors.inc(chain) });
      const id = c.chainId.toString();
      this.chains.set(id, client);
      const policy = { afterBlocks: config.feeBumpAfterBlocks, percent: config.feeBumpPercent, maxFeePerGas: c.maxFeePerGas, ...(c.swapGasBudget !== undefined ? { swapGasBudget: c.swapGasBudget } : {}) };
      const sender = new TxSender(this.store, client, policy, {
        point: (where, step) => this.#crashPoint(where, step),
        log: (kind, data) => {
          if (kind === "tx.sent") this.metrics.txSent.inc({ ...chain, action: String(data.action) });
          else if (kind === "tx.feeBumped") this.metrics.feeBumps.inc(chain);
          else if (kind === "tx.rebroadcast") this.metrics.txRetries.inc(chain);
          this.#senderEvent(id, kind, data);
        },
        guard: (row, head, scope) => this.#guard(id, row, head, scope),
      });
      for (const p of this.parties) sender.register(p.wallet);
      this.#senders.set(id, sender);
      this.#watchers.set(id, new ChainWatcher(this.store, client, {
        onSecret: (secret, legId) => this.#onSecret(secret, legId),
        onFinalEvent: (e) => this.#onFinalEvent(id, e),
        log: (kind, data) => {
          this.#event(null, id, kind, data);
          if (kind === "chain.reorg") this.#onReorg(id, Number(data.rewoundTo));
        },
      }));
    }
    this.#credits = new CreditWithdrawals({
      store: this.store,
      chains: this.chains,
      senders: this.#senders,
      wallets: this.parties.map((p) => p.wallet),
      reachable: (chainId) => this.#heads.has(chainId),
      event: (swapId, chainId, kind, data) => this.#event(swapId, chainId, kind, data),
      log: this.log,
    });
  }

  /**
   * Connects every chain (checking chain ids and escrow VERSIONs, in parallel) and loads unfinished
   * swaps. A configuration error (another chain id, no escrow, a wrong VERSION) throws; a chain that
   * cannot be reached leaves the coordinator degraded: it is connected again in the background (see
   * `engine/reachability.ts`) and the rounds drive what the other chains allow.
   */
  async init(): Promise<void> {
    const down = await this.#health.connectAll();
    // The event trail holds every final leg event up to each chain's tip, in chain order: it gives each
    // leg's state without asking the chains; the watcher replays what came after the tip.
    // A reorganisation recorded in the trail voids the leg events above its rewind point: those legs are
    // read again from their chain, and a swap they had finished is reopened (if a crash came first).
    const trail = [...this.store.eventsOfKind("leg."), ...this.store.eventsOfKind("chain.reorg")].sort((a, b) => a.id - b.id);
    const voided = new Map<string, { chainId: string; block: number; reorgEvent: number }>();
    for (const e of trail) {
      if (e.kind === "chain.reorg") {
        if (e.chainId === null) continue;
        const block = Number(e.data.rewoundTo);
        for (const legId of this.#voidLegsAbove(e.chainId, block)) voided.set(legId, { chainId: e.chainId, block, reorgEvent: e.id });
        continue;
      }
      if (typeof e.data.legId !== "string") continue;
      const kind = e.kind.slice(4) as LegEvent["kind"];
      if (e.chainId !== null) this.#legChain.set(e.data.legId, e.chainId);
      if (e.swapId !== null) this.#legSwap.set(e.data.legId, e.swapId);
      const o = OUTCOME_OF[kind];
      if (o) this.#outcomes.set(e.data.legId, o);
      const state = STATE_AFTER[kind];
      if (state !== undefined && typeof e.data.blockNumber === "number") {
        this.#legStates.set(e.data.legId, { state, block: e.data.blockNumber, index: Number.MAX_SAFE_INTEGER });
        voided.delete(e.data.legId);
      }
    }
    for (const row of this.store.listSwaps({ activeOnly: true })) this.#load(row);
    // Swaps a reorganisation left ahead of their chains and that were not rewound before the stop.
    for (const [legId, at] of voided) this.#rewindSwaps(new Set([legId]), at.chainId, at.block, "restart", at.reorgEvent);
    // Credits left by swaps that finished lately (before a restart) are looked at again.
    const since = Date.now() - CREDIT_LOOKBACK_MS;
    for (const row of this.store.listSwaps()) if (isFinal(row.status) && row.updatedAt >= since) this.#credits.watch(row.id, this.#planOf(row));
    this.#event(null, null, "coordinator.started", { swaps: this.#active.size, pid: process.pid, ...(down.length > 0 ? { degraded: down } : {}) });
    this.#lastEmitted = this.store.lastEventId();
    this.log.info({ swaps: this.#active.size, chains: [...this.chains.values()].map((c) => c.name) }, "coordinator ready");
    if (down.length > 0) this.log.warn({ unreachable: down }, "starting degraded: driving what the reachable chains allow, connecting the others in the background");
  }

  #load(row: SwapRow): Active {
    const plan = planFromOffer(offerFromJson(row.offer), { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
    let leaderSecret: string | undefined;
    if (row.roles.leader && row.secretIndex !== null) {
      const seed = this.parties.find((p) => p.wallet.address === plan.offer.leader)?.seed;
      if (seed) leaderSecret = deriveSecret(seed, row.secretIndex);
    }
    const active: Active = { row, plan, ...(leaderSecret ? { leaderSecret } : {}), ...(row.revealedSecret ? { revealed: row.revealedSecret } : {}) };
    this.#active.set(row.id, active);
    this.#legs.set(plan.legA.id, { swapId: row.id, leg: "A" });
    this.#legs.set(plan.legB.id, { swapId: row.id, leg: "B" });
    this.#byHashlock.set(plan.offer.hashlock.toLowerCase(), row.id);
    return active;
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
    this.#load(row);
    this.log.info({ swapId: row.id, kind: row.kind, roles: row.roles }, "swap accepted");
    this.#emit();
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
    const results: ({ row: SwapRow } | { error: unknown })[] = new Array(offers.length);
    const funds = new FundsLedger();
    let next = 0;
    const worker = async () => {
      while (next < offers.length) {
        const k = next++;
        try {
          results[k] = { row: await this.submit(offers[k]!, funds) };
        } catch (error) {
          results[k] = { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, offers.length) }, worker));
    return results;
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
    const started = performance.now();
    this.#pendingCache = undefined;
    for (const id of this.store.activeSwapIds()) {
      if (this.#active.has(id)) continue;
      const row = this.store.getSwap(id);
      if (row) this.#load(row);
    }
    await Promise.all(
      [...this.chains].map(async ([id, chain]) => {
        if (!this.#health.usable(id)) {
          // Not connected yet, or lost: tried in the background, so it never holds up this round.
          this.#heads.delete(id);
          this.#health.retry(id);
          return;
        }
        try {
          const head = await chain.head();
          this.#heads.set(id, head);
          this.clocks.observe(id, chain.name, head.timestamp, Date.now());
          this.#health.seen(id, head);
          // The watcher first: the transactions whose logs it finds final need no receipt.
          const landed = await this.#watchers.get(id)!.poll(head);
          await this.#senders.get(id)!.reconcile(head, landed);
          this.#health.up(id);
        } catch (e) {
          this.#heads.delete(id);
          this.clocks.forget(id);
          this.#health.down(id, e);
        }
      }),
    );
    this.#checkClocks();
    const polled = performance.now();
    await this.#initLegStates();
    const read = performance.now();
    const pending = new Map<string, Set<string>>();
    for (const m of this.store.openTxMembers()) {
      let set = pending.get(m.swapId);
      if (!set) pending.set(m.swapId, (set = new Set()));
      set.add(`${m.action}:${m.leg}`);
    }
    const work = new RoundWork();
    // Every status change of the round in one durable write; crash points wait until it is committed.
    this.#deferCrash = [];
    try {
      this.store.atomically(() => {
        for (const active of [...this.#active.values()]) {
          if (this.#haltRound) break;
          try {
            this.#advance(active, pending.get(active.row.id) ?? new Set(), work);
          } catch (e) {
            this.log.error({ swapId: active.row.id, err: e }, "swap step failed");
          }
        }
      });
    } finally {
      const points = this.#deferCrash;
      this.#deferCrash = undefined;
      for (const [where, step] of points) this.#crashPoint(where, step);
    }
    if (!this.#driving) {
      // The first round after start has re-read every unfinished swap from the chains and decided its next step.
      this.#driving = true;
      this.#event(null, null, "coordinator.driving", { swaps: this.#active.size, decidedMs: Math.round(performance.now() - started) });
    }
    const decided = performance.now();
    await this.#flush(work);
    await this.#credits.round();
    const flushed = performance.now();
    this.metrics.nearestDeadline.set(this.#nearestDeadline());
    this.metrics.rounds.observe((flushed - started) / 1000);
    if (this.log.isLevelEnabled("debug")) {
      const ms = (a: number, b: number) => Math.round(b - a);
      const mem = process.memoryUsage();
      const mib = (n: number) => Math.round(n / 2 ** 20);
      this.log.debug(
        { swaps: this.#active.size, pollMs: ms(started, polled), legStatesMs: ms(polled, read), decideMs: ms(read, decided), sendMs: ms(decided, flushed), rssMiB: mib(mem.rss), heapUsedMiB: mib(mem.heapUsed), heapTotalMiB: mib(mem.heapTotal), externalMiB: mib(mem.external) },
        "round",
      );
    }
    this.#emit();
  }

  /** Reads, once per leg, its state at the final block (in bulk, per chain); final events keep it current afterwards. */
  async #initLegStates(): Promise<void> {
    const unknown = new Map<string, string[]>();
    for (const active of this.#active.values()) {
      for (const leg of [active.plan.legA, active.plan.legB]) {
        if (this.#legStates.has(leg.id)) continue;
        const chainId = leg.at.chainId.toString();
        let ids = unknown.get(chainId);
        if (!ids) unknown.set(chainId, (ids = []));
        ids.push(leg.id);
      }
    }
    await Promise.all(
      [...unknown].map(async ([chainId, ids]) => {
        const chain = this.chains.get(chainId)!;
        const head = this.#heads.get(chainId);
        if (!head) return;
        const block = chain.finalBlock(head);
        try {
          const states = await getLegStates(chain.provider, chain.at, ids, { blockTag: block });
          for (const [k, id] of ids.entries()) this.#setLegState(id, states[k]!, block, Number.MAX_SAFE_INTEGER);
        } catch (e) {
          this.log.warn({ chain: chain.name, legs: ids.length, err: e }, "leg states not read; retrying next round");
        }
      }),
    );
  }

  #setLegState(legId: string, state: LegState, block: number, index: number): void {
    const known = this.#legStates.get(legId);
    if (known && (known.block > block || (known.block === block && known.index >= index))) return;
    this.#legStates.set(legId, { state, block, index });
  }

  /** Swaps from the store, filtered and paged. */
  listSwaps(filter: SwapFilter = {}): SwapRow[] {
    const all = this.store.listSwaps({ ...(filter.active ? { activeOnly: true } : {}), ...(filter.status ? { status: filter.status } : {}) });
    const rows = filter.active === false ? all.filter((r) => isFinal(r.status)) : all;
    const kind = filter.kind ? rows.filter((r) => r.kind === filter.kind) : rows;
    const offset = filter.offset ?? 0;
    return kind.slice(offset, offset + (filter.limit ?? 100));
  }

  #planOf(row: SwapRow): SwapPlan {
    return this.#active.get(row.id)?.plan ?? planFromOffer(offerFromJson(row.offer), { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
  }

  /** A swap with its legs, schedule (deadlines, time left on each chain's clock, transactions) and events. */
  swapDetail(id: string): SwapDetail | undefined {
    const row = this.store.getSwap(id);
    if (!row) return undefined;
    const plan = this.#planOf(row);
    const txs = this.store.txsOfSwap(id);
    const chainName = (chainId: bigint) => this.chains.get(chainId.toString())?.name ?? chainId.toString();
    const legs: LegDetail[] = [plan.legA, plan.legB].map((l) => {
      const t = unpackTimelocks(l.leg.timelocks);
      return {
        name: l.name,
        chain: chainName(l.at.chainId),
        chainId: l.at.chainId.toString(),
        escrow: l.at.escrow,
        legId: l.id,
        escrower: l.leg.escrower,
        redeemer: l.leg.redeemer,
        token: l.leg.token,
        amount: l.leg.amount.toString(),
        premiumToken: l.leg.premiumToken,
        premiumAmount: l.leg.premiumAmount.toString(),
        premiumMode: t.mode === PremiumMode.Option ? "option" : "hedge",
        premiumDeadline: t.premiumDeadline.toString(),
        escrowDeadline: t.escrowDeadline.toString(),
        timeout: t.timeout.toString(),
        outcome: this.#outcomes.get(l.id) ?? null,
      };
    });
    const steps: StepDetail[] = plan.steps.map((s) => {
      const leg = s.leg === "A" ? plan.legA : plan.legB;
      const head = this.#heads.get(leg.at.chainId.toString());
      const mine = txs.filter((t) => t.leg === s.leg && t.action === s.action);
      const tx = mine.find((t) => t.status === "mined") ?? mine[mine.length - 1];
      return {
        step: s.step,
        actor: s.actor,
        party: s.party,
        leg: s.leg,
        action: s.action,
        chain: chainName(leg.at.chainId),
        deadline: s.deadline.toString(),
        secondsLeft: head ? Number(s.deadline - head.timestamp) : null,
        tx: tx ? { hash: tx.hash, status: tx.status, blockNumber: tx.blockNumber } : null,
      };
    });
    return { swap: row, legs, steps, transactions: txs, events: this.store.events(id) };
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
    const row = this.store.getSwap(id);
    if (!row) throw new UnknownSwapError(id);
    if (isFinal(row.status)) throw new SwapFinalError(id, row.status);
    const plan = this.#planOf(row);
    const leg = legName === "A" ? plan.legA : plan.legB;
    const chain = this.chains.get(leg.at.chainId.toString())!;
    const state = Number(await chain.escrow.contract.legState(leg.id)) as LegState;
    if (state !== LegState.PremiumDeposited && state !== LegState.Escrowed) throw new LegNotAbortableError(id, legName, LegState[state]);
    const redeemer = this.parties.find((p) => p.wallet.address === leg.leg.redeemer);
    const escrower = this.parties.find((p) => p.wallet.address === leg.leg.escrower);
    if (!redeemer && !escrower) throw new AbortNotPossibleError("this coordinator holds neither party of the leg", { swapId: id, leg: legName });
    const result: { signature?: string; txHash?: string } = {};
    if (redeemer) {
      // Leg B's redeemer is the leader, leg A's the follower: each vows before it signs.
      if (legName === "B") this.#forswearReveal(id);
      else await this.#forswearEscrowB(id, plan, state);
      result.signature = await signCooperativeAbort(chain.wallet(redeemer.wallet), leg);
      this.#event(id, chain.chainId.toString(), "abort.consented", { leg: legName });
    }
    if (escrower) {
      const consent = redeemerSignature ?? result.signature;
      if (!consent) throw new AbortNotPossibleError("the escrower's abort needs the redeemer's consent signature", { swapId: id, leg: legName });
      const check = await verifyAbortConsent(chain.provider, leg, consent);
      if (!check.valid) throw new InvalidAbortConsentError(id, legName, leg.leg.redeemer, check.recovered, check.scheme);
      const tx = await this.#senders.get(chain.chainId.toString())!.send(escrower.wallet, { swapId: id, leg: legName, action: "abort", step: "abort" }, abortTx(leg, consent));
      result.txHash = tx.hash;
      this.#event(id, chain.chainId.toString(), "abort.sent", { leg: legName, hash: tx.hash, scheme: check.scheme });
    }
    this.#emit();
    return result;
  }

  /**
   * The leader's vow before it consents to the abort of leg B: `neverReveal`, written with its event in
   * one transaction (synchronously: no round can commit in between). Throws `RevealCommittedError`
   * when the leader has committed or the secret is out.
   */
  #forswearReveal(id: string): void {
    const row = this.store.getSwap(id)!;
    const active = this.#active.get(id);
    const status = active && COMMITTED.has(active.row.status) ? active.row.status : row.status;
    const revealed = row.revealedSecret !== null || active?.revealed !== undefined;
    if (COMMITTED.has(status) || revealed) throw new RevealCommittedError(id, status, revealed);
    if (isFinal(row.status)) throw new SwapFinalError(id, row.status);
    if (row.neverReveal) return;
    const next = this.store.patchSwap(id, { neverReveal: true }, { swapId: id, chainId: null, kind: "reveal.forsworn", data: { leg: "B", status } });
    if (active) active.row = next;
    this.log.info({ swapId: id }, "the leader consents to abort leg B: it will never reveal the secret for this swap");
  }

  /**
   * The follower's rule before it consents to the abort of leg A: leg B aborted, refunded or never
   * escrowed. Refuses (`CounterLegEscrowedError`, `CounterLegRedeemedError`) otherwise. Unless leg B is
   * aborted, it then records `neverEscrow` with its event, waits for the sends of every round decided
   * before (one of them may be escrowing leg B), and looks at leg B once more before it lets the
   * consent be signed.
   */
  async #forswearEscrowB(id: string, plan: SwapPlan, stateA: LegState): Promise<void> {
    const first = await this.#counterLeg(id, plan);
    this.#refuseUnlessCounterLegSafe(id, stateA, first);
    if (first.final === LegState.Aborted) return;
    const row = this.store.getSwap(id)!;
    if (isFinal(row.status)) throw new SwapFinalError(id, row.status);
    if (!row.neverEscrow) {
      const next = this.store.patchSwap(id, { neverEscrow: true }, { swapId: id, chainId: null, kind: "escrow.forsworn", data: { leg: "B", legB: LegState[first.final] } });
      const active = this.#active.get(id);
      if (active) active.row = next;
      this.log.info({ swapId: id }, "the follower consents to abort leg A: it will never escrow leg B for this swap");
    }
    await Promise.allSettled([...this.#sending]);
    this.#refuseUnlessCounterLegSafe(id, stateA, await this.#counterLeg(id, plan));
  }

  /** Leg B as the follower's rule needs it: its state at the final and the latest block, whether it was redeemed, and an escrow of ours on the way. */
  async #counterLeg(id: string, plan: SwapPlan): Promise<CounterLeg> {
    const chain = this.chains.get(plan.legB.at.chainId.toString())!;
    try {
      const head = await chain.head();
      const final = chain.finalBlock(head);
      const [[atFinal], [atLatest]] = await Promise.all([
        getLegStates(chain.provider, chain.at, [plan.legB.id], { blockTag: final }),
        getLegStates(chain.provider, chain.at, [plan.legB.id], { blockTag: head.number }),
      ]);
      const row = this.store.getSwap(id)!;
      let redeemed = row.revealedSecret !== null || this.#active.get(id)?.revealed !== undefined || this.#outcomes.get(plan.legB.id) === "redeemed";
      if (!redeemed && atFinal === LegState.None) {
        redeemed = (await findRevealedSecret(chain.provider, plan.legB, { fromBlock: chain.config.deploymentBlock, toBlock: head.number })) !== undefined;
      }
      const pendingEscrow = this.store.openTxMembers().some((m) => m.swapId === id && m.leg === "B" && m.action === "escrow");
      return { final: atFinal!, latest: atLatest!, redeemed, pendingEscrow };
    } catch (e) {
      throw new AbortNotPossibleError("leg B's state could not be read from its chain; nothing was signed", { swapId: id, leg: "A", chain: chain.name, reason: String((e as Error).message ?? e).slice(0, 200) });
    }
  }

  #refuseUnlessCounterLegSafe(id: string, stateA: LegState, b: CounterLeg): void {
    if (b.redeemed) throw new CounterLegRedeemedError(id, LegState[stateA], LegState[b.final]);
    if (b.final === LegState.Escrowed || b.latest === LegState.Escrowed || b.pendingEscrow) {
      throw new CounterLegEscrowedError(id, LegState[stateA], LegState[b.final], { legBLatest: LegState[b.latest], pendingEscrow: b.pendingEscrow });
    }
  }

  /** Subscribes to every event appended from now on. */
  onEvent(listener: (event: EventRow) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(): void {
    if (this.#listeners.size === 0) {
      // Nobody listens: skip decoding the round's events.
      this.#lastEmitted = this.store.lastEventId();
      return;
    }
    for (;;) {
      const batch = this.store.eventsSince(this.#lastEmitted, 1000);
      if (batch.length === 0) return;
      this.#lastEmitted = batch[batch.length - 1]!.id;
      for (const e of batch) {
        for (const l of this.#listeners) {
          try {
            l(e);
          } catch (err) {
            this.log.warn({ err }, "an event listener failed");
          }
        }
      }
    }
  }

  #advance(active: Active, pending: ReadonlySet<string>, work: RoundWork): void {
    const { plan } = active;
    const idA = plan.legA.at.chainId.toString();
    const idB = plan.legB.at.chainId.toString();
    // A chain polled this round is fresh. While the other is down its view is the last one known: the
    // legs' states from the event trail or an earlier read, its clock from the last head this process
    // saw (none yet: 0, which only the discarded answers about that chain read). With a stale view
    // nothing but `degradedIntents` is taken, and no status moves.
    const fresh = { A: this.#heads.has(idA), B: this.#heads.has(idB) };
    if (!(fresh.A || fresh.B)) return;
    const view = this.#view(active, pending, this.#margins(plan), { A: this.#heads.get(idA) ?? this.#health.lastHead(idA), B: this.#heads.get(idB) ?? this.#health.lastHead(idB) });
    if (!view) return;
    const decision = decide(view);
    if (!fresh.A || !fresh.B) {
      if (this.#haltRound) return;
      for (const intent of degradedIntents(decision.intents, fresh)) this.#plan(active, intent, work);
      return;
    }
    this.#moveTo(active, decision.status, decision.outcome);
    for (const { step, reason, deadline, next } of decision.missed) {
      // Per reason: a next-step refusal that clears must not hide a later miss of the deadline itself.
      const key = `${active.row.id}:${step}:${reason}`;
      if (this.#missedReported.has(key)) continue;
      this.#missedReported.add(key);
      const nextData = next ? { nextStep: String(next.step), nextDeadline: next.deadline.toString(), clockOffset: next.offset.toString() } : {};
      this.#event(active.row.id, null, "deadline.unreachable", { step: String(step), reason, deadline: deadline.toString(), ...nextData });
      this.metrics.deadlinesMissed.inc({ reason });
      if (reason === "reveal-margin") this.log.warn({ swapId: active.row.id, step, deadline: String(deadline) }, "the reveal could be mined after its deadline: not revealing the secret (abort branch)");
      else if (reason === "next-step") this.log.warn({ swapId: active.row.id, step, deadline: String(deadline), ...nextData }, "step not sent: the party's next step could not land in time under the other chain's clock");
      else this.log.warn({ swapId: active.row.id, step }, "a step can no longer land before its deadline; not sent");
    }
    if (this.#haltRound) return;
    for (const intent of decision.intents) this.#plan(active, intent, work);
  }

  /**
   * The rule's view of a swap from this round's heads and the legs' final states, with the open actions
   * `pending` and the margins `margins`; undefined while a chain's head or a leg's state is unknown.
   */
  #view(active: Active, pending: ReadonlySet<string>, margins: SafetyMargins, heads?: { readonly A: Head | undefined; readonly B: Head | undefined }): SwapView | undefined {
    const { plan } = active;
    const stateA = this.#legStates.get(plan.legA.id);
    const stateB = this.#legStates.get(plan.legB.id);
    if (!stateA || !stateB) return undefined;
    // This round's heads, or (degraded mode) the ones given, of which one may be missing: its clock
    // reads 0, and only the answers that do not depend on it are used.
    const headA = heads ? heads.A : this.#heads.get(plan.legA.at.chainId.toString());
    const headB = heads ? heads.B : this.#heads.get(plan.legB.at.chainId.toString());
    if (!heads && (!headA || !headB)) return undefined;
    return {
      plan,
      roles: active.row.roles,
      status: active.row.status,
      legA: { state: stateA.state, ...(this.#outcomes.has(plan.legA.id) ? { outcome: this.#outcomes.get(plan.legA.id)! } : {}) },
      legB: { state: stateB.state, ...(this.#outcomes.has(plan.legB.id) ? { outcome: this.#outcomes.get(plan.legB.id)! } : {}) },
      timeA: headA?.timestamp ?? 0n,
      timeB: headB?.timestamp ?? 0n,
      ...(active.leaderSecret ? { leaderSecret: active.leaderSecret } : {}),
      ...(active.revealed ? { revealedSecret: active.revealed } : {}),
      ...this.#clockOffset(plan),
      ...(active.row.neverReveal ? { noReveal: true } : {}),
      ...(active.row.neverEscrow ? { noEscrow: true } : {}),
      pending,
      margins,
      settleGrace: BigInt(this.config.settleGrace),
      ...(this.config.faults.haltAfterStep !== undefined ? { haltAfterStep: this.config.faults.haltAfterStep } : {}),
    };
  }

  /** Chain A's clock over chain B's as measured this round (`ClockMonitor.skew`), when both were. */
  #clockOffset(plan: SwapPlan): { clockOffset?: bigint } {
    const skew = this.clocks.skew(plan.legA.at.chainId.toString(), plan.legB.at.chainId.toString());
    return skew === undefined ? {} : { clockOffset: BigInt(Math.round(skew)) };
  }

  /** The safety margins of the rule for a swap's two chains, from the chains' configured figures (`PROTOCOLS.md` §6). */
  #margins(plan: SwapPlan): SafetyMargins {
    const of = (chainId: bigint): ChainSafety => {
      const c = this.chains.get(chainId.toString())?.config;
      if (!c) return NO_CHAIN_DELAY;
      return { inclusionTime: BigInt(Math.ceil(c.inclusionTime)), confirmationTime: BigInt(Math.ceil(c.confirmations * c.blockInterval)), clockSkew: BigInt(Math.ceil(c.clockSkew)) };
    };
    return { reaction: BigInt(this.config.reactionMargin), chainA: of(plan.legA.at.chainId), chainB: of(plan.legB.at.chainId) };
  }

  /** Adds an intent to this round's work, per chain and sending party. */
  #plan(active: Active, intent: Intent, work: RoundWork): void {
    const { plan } = active;
    const leg = intent.leg === "A" ? plan.legA : plan.legB;
    const party = this.parties.find((p) => p.wallet.address === plan.offer[intent.as]);
    if (!party) return;
    if (intent.commit && active.row.status !== "committed") {
      // The commit decision is durable before the secret leaves this process.
      this.#moveTo(active, "committed");
      if ((active.row.status as SwapStatus) !== "committed") return;
    }
    const deadline = typeof intent.step === "number" ? plan.steps[intent.step - 1]!.deadline : undefined;
    work.add(leg.at.chainId.toString(), party, intent.action, {
      swapId: active.row.id,
      leg,
      step: String(intent.step),
      ...(intent.action === "redeem" ? { secret: intent.secret! } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
      ...(intent.step === 5 && active.revealed === undefined ? { reveals: true } : {}),
    });
  }

  /**
   * Sends this round's work: per chain and party, batches in one `sendMany`; chains and parties in
   * parallel. A batch refused before it was signed is sent again smaller: in batches that fit the
   * chain's gas cap when it was too big, else leg by leg (its simulation reverted: one leg can no
   * longer take the step), so one leg cannot hold back the others.
   */
  async #flush(work: RoundWork): Promise<void> {
    // Registered in the same synchronous run as the round's decisions (tick calls #flush with no await
    // in between), so an abort consent that waits for #sending waits for every step already decided.
    const sending = Promise.all([...work.groups()].map((w) => this.#sendGroup(w))).then(() => undefined);
    this.#sending.add(sending);
    try {
      await sending;
    } finally {
      this.#sending.delete(sending);
    }
  }

  async #sendGroup(w: PartyWork): Promise<void> {
    const sender = this.#senders.get(w.chainId)!;
    let items = workItems(w, this.config.batchSize);
    for (let attempt = 0; items.length > 0; attempt++) {
      const outcomes = await sender.sendMany(w.party.wallet, items.map((i) => i.item));
      const retry: WorkItem[] = [];
      for (const [k, o] of outcomes.entries()) {
        const { action, entries } = items[k]!;
        if (o.error && !o.row && entries.length > 1 && attempt < MAX_SPLITS) {
          const size = o.error instanceof TxGasCapError ? Math.max(1, Math.floor(Number(o.error.details.fits) * 0.9)) : 1;
          this.log.info({ swapId: o.item.purpose.swapId, chain: this.chains.get(w.chainId)!.name, action: o.item.purpose.action, batch: entries.length, code: o.error.code, into: size }, "batch refused; sending its legs in smaller batches");
          for (let i = 0; i < entries.length; i += size) retry.push(workItem(action, entries.slice(i, i + size)));
        } else this.#reportSend(w.chainId, o, entries.length);
      }
      items = retry;
    }
  }

  #reportSend(chainId: string, o: SendOutcome, size: number): void {
    const chain = this.chains.get(chainId)!;
    const members = o.item.members ?? [{ swapId: o.item.purpose.swapId, leg: o.item.purpose.leg }];
    if (o.error && o.row && (o.row.status === "signed" || o.row.status === "sent")) {
      // Signed and recorded, but the broadcast got no answer: the row is broadcast again each round.
      this.log.warn({ swapId: o.item.purpose.swapId, chain: chain.name, step: o.item.purpose.step, code: o.error.code, batch: size, hash: o.row.hash }, "transaction signed; its broadcast failed and is retried");
    } else if (o.error) {
      for (const m of members) {
        this.#event(m.swapId, chainId, "action.refused", { step: o.item.purpose.step, action: o.item.purpose.action, leg: m.leg, code: o.error.code, reason: o.error.message.slice(0, 300) });
      }
      // The same refusal every round (a leg the rule keeps deciding and the chain keeps refusing): one line per 30 s.
      const line = this.#limiter.take(`refused:${o.item.purpose.swapId}:${o.item.purpose.step}:${o.error.code}`);
      if (line) this.log.warn({ swapId: o.item.purpose.swapId, chain: chain.name, step: o.item.purpose.step, code: o.error.code, batch: size, ...(line.suppressed > 0 ? { suppressed: line.suppressed } : {}) }, "action not sent");
    } else {
      this.log.info({ swapId: o.item.purpose.swapId, chain: chain.name, step: o.item.purpose.step, action: o.item.purpose.action, batch: size, hash: o.row!.hash }, "transaction sent");
    }
  }

  /** Seconds (chain clock) to the nearest deadline of a step some active swap still waits for; -1 when none. */
  #nearestDeadline(): number {
    const NEXT: Partial<Record<SwapStatus, number>> = { accepted: 0, premiumB: 1, premiumA: 2, escrowedA: 3, escrowedB: 4, committed: 4, redeemedB: 5 };
    let best: bigint | undefined;
    for (const a of this.#active.values()) {
      const k = NEXT[a.row.status];
      if (k === undefined) continue;
      const step = a.plan.steps[k]!;
      const leg = step.leg === "A" ? a.plan.legA : a.plan.legB;
      const head = this.#heads.get(leg.at.chainId.toString());
      if (!head) continue;
      const left = step.deadline - head.timestamp;
      if (best === undefined || left < best) best = left;
    }
    return best === undefined ? -1 : Number(best);
  }

  /** Each chain's head of the last round (none when it failed) and processed tip, for the metrics. */
  #chainGauges(): ChainGauge[] {
    return [...this.chains].map(([id, c]) => {
      const head = this.#heads.get(id);
      let tip: { blockNumber: number } | undefined;
      try {
        tip = this.store.getTip(id);
      } catch {
        tip = undefined; // the store is closed (a scrape after stop)
      }
      return { chain: c.name, ...(head ? { head } : {}), ...(tip ? { processed: tip.blockNumber } : {}) };
    });
  }

  #countByStatus(): Partial<Record<SwapStatus, number>> {
    const counts: Partial<Record<SwapStatus, number>> = {};
    try {
      for (const r of this.store.listSwaps()) counts[r.status] = (counts[r.status] ?? 0) + 1;
    } catch (err) {
      this.log.warn({ err }, "swap counts unavailable for the metrics");
    }
    return counts;
  }

  /** On a final status: outcome, duration and premium flows into the metrics; its credits watched. */
  #recordFinal(active: Active, outcome: string | undefined): void {
    this.#credits.watch(active.row.id, active.plan);
    this.metrics.outcomes.inc({ outcome: outcome ?? active.row.status });
    this.metrics.duration.observe({ kind: active.row.kind }, Math.max(0, (Date.now() - active.row.createdAt) / 1000));
    for (const leg of [active.plan.legA, active.plan.legB]) {
      const o = this.#outcomes.get(leg.id);
      const option = unpackTimelocks(leg.leg.timelocks).mode === PremiumMode.Option;
      if (!(o === "refunded" || (o === "redeemed" && option))) continue;
      const labels = { chain: this.chains.get(leg.at.chainId.toString())?.name ?? leg.at.chainId.toString(), token: leg.leg.premiumToken };
      const amount = Number(leg.leg.premiumAmount);
      if (this.parties.some((p) => p.wallet.address === leg.leg.escrower)) this.metrics.premiums.inc({ direction: "earned", ...labels }, amount);
      if (this.parties.some((p) => p.wallet.address === leg.leg.redeemer)) this.metrics.premiums.inc({ direction: "paid", ...labels }, amount);
    }
  }

  /**
   * Records the swap's new status. Along the happy path every status in between is written too, one
   * transition each, so each step boundary is crossed (and made durable) on its own.
   */
  #moveTo(active: Active, to: SwapStatus, outcome?: string): void {
    for (const next of this.#path(active.row.status, to)) {
      if (this.#haltRound || !this.#moveOne(active, next, next === to ? outcome : undefined)) return;
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
      const line = this.#limiter.take(`transition:${active.row.id}:${from}:${to}`);
      if (line) this.log.warn({ swapId: active.row.id, from, to, err: e, ...(line.suppressed > 0 ? { suppressed: line.suppressed } : {}) }, "status change refused by the transition table");
      return false;
    }
    this.log.info({ swapId: active.row.id, from, to, outcome }, "swap status");
    if (isFinal(to)) {
      this.#active.delete(active.row.id);
      this.#byHashlock.delete(active.plan.offer.hashlock.toLowerCase());
      this.#recordFinal(active, outcome);
    }
    const step = STEP_OF_STATUS[to];
    if (step) this.#crashPoint("final", step);
    return true;
  }

  /**
   * A reorganisation deeper than what was final, back to block `rewoundTo`: the state and outcome of
   * every leg of the chain known from above that block are dropped (and read again at the final block
   * next round), swaps that such an outcome had finished are reopened, every other cached leg state of
   * the chain is re-read too, and transactions mined above the rewind point are checked again (so a
   * step whose block disappeared is sent again).
   */
  #onReorg(chainId: string, rewoundTo: number): void {
    const voided = this.#voidLegsAbove(chainId, rewoundTo);
    for (const a of this.#active.values()) {
      for (const leg of [a.plan.legA, a.plan.legB]) if (leg.at.chainId.toString() === chainId) this.#legStates.delete(leg.id);
    }
    const rewound = this.#rewindSwaps(voided, chainId, rewoundTo, "reorg");
    const txs = this.store.reopenTxsAfter(chainId, rewoundTo);
    this.log.warn({ chain: this.chains.get(chainId)?.name, rewoundTo, legs: voided.size, swapsRewound: rewound, txsReopened: txs }, "reorganisation deeper than the confirmation depth: outcomes above the rewind point read again");
  }

  /** Drops what is known of the chain's legs from above `block`; returns their ids. */
  #voidLegsAbove(chainId: string, block: number): Set<string> {
    const out = new Set<string>();
    for (const [legId, known] of this.#legStates) {
      if (this.#legChain.get(legId) !== chainId || known.block <= block) continue;
      this.#legStates.delete(legId);
      this.#outcomes.delete(legId);
      out.add(legId);
    }
    return out;
  }

  /**
   * Rewinds the swaps of `legIds` whose recorded status came from leg events that a reorganisation of
   * `chainId` back to `block` voided: each goes back (through the reopening table) to the status it had
   * before the first voided event, finished swaps included, and is driven again from what the chains
   * show. `since` (on restart): only swaps not rewound after that reorganisation's event.
   */
  #rewindSwaps(legIds: ReadonlySet<string>, chainId: string, block: number, why: "reorg" | "restart", since = 0): number {
    let n = 0;
    const swaps = new Set([...legIds].map((l) => this.#legSwap.get(l)).filter((id): id is string => id !== undefined));
    for (const id of swaps) {
      const row = this.store.getSwap(id);
      if (!row) continue;
      const events = this.store.events(id);
      if (since > 0 && events.some((e) => e.kind === "swap.reopened" && e.id > since)) continue;
      const firstVoided = events.find((e) => e.kind.startsWith("leg.") && e.chainId === chainId && legIds.has(String(e.data.legId)) && Number(e.data.blockNumber) > block && e.id > 0);
      if (!firstVoided) continue;
      const before = events.filter((e) => e.kind === "swap.status" && e.id < firstVoided.id).pop();
      const to = ((before?.data.to as SwapStatus | undefined) ?? "accepted");
      if (to === row.status || !(REOPENINGS[row.status] ?? []).includes(to)) continue;
      const next = this.store.reopenSwap(id, to, { swapId: id, chainId: null, kind: "swap.reopened", data: { from: row.status, to, outcome: row.outcome, why } });
      const active = this.#active.get(id);
      if (active) active.row = next;
      else this.#load(next);
      this.log.error({ swapId: id, from: row.status, to, outcome: row.outcome }, "a swap's outcome vanished in a reorganisation: rewound and driven again");
      n++;
    }
    return n;
  }

  /**
   * A secret revealed by any redeem on a watched escrow: the swap's own legs, or any other leg with the
   * swap's hashlock (a counterparty may reveal s on a leg of its own making, on either chain). Once s is
   * public, every held role may use it.
   */
  #onSecret(secret: string, legId: string): void {
    const ref = this.#legs.get(legId);
    const swapId = ref?.swapId ?? this.#byHashlock.get(sha256(secret));
    if (swapId === undefined) return;
    const active = this.#active.get(swapId);
    if (!active || active.row.revealedSecret) return;
    if (sha256(secret) !== active.plan.offer.hashlock) return;
    active.revealed = secret;
    const where = ref ? { legId, leg: ref.leg } : { legId, leg: null, otherLeg: true };
    active.row = this.store.patchSwap(active.row.id, { revealedSecret: secret }, { swapId: active.row.id, chainId: null, kind: "secret.revealed", data: where });
    this.log.info({ swapId: active.row.id, ...where }, "secret seen on chain");
  }

  #onFinalEvent(chainId: string, e: LegEvent): void {
    const ref = this.#legs.get(e.legId);
    if (!ref) return;
    const state = STATE_AFTER[e.kind];
    const known = this.#legStates.get(e.legId);
    if (known && (known.block > e.log.blockNumber || (known.block === e.log.blockNumber && known.index >= e.log.index))) return;
    this.#setLegState(e.legId, state, e.log.blockNumber, e.log.index);
    this.#legChain.set(e.legId, chainId);
    this.#legSwap.set(e.legId, ref.swapId);
    const outcome = OUTCOME_OF[e.kind];
    if (outcome) this.#outcomes.set(e.legId, outcome);
    this.#event(ref.swapId, chainId, `leg.${e.kind}`, { legId: e.legId, leg: ref.leg, txHash: e.log.transactionHash, blockNumber: e.log.blockNumber });
  }

  /**
   * A sender's report, into the trail and the log at the level it deserves: a reveal reverted or not
   * mined, a cap that stops a bump — errors; a cancel, a failed broadcast — warnings (each repeated
   * warning at most every 30 s); the rest at info.
   */
  #senderEvent(chainId: string, kind: string, data: Record<string, unknown>): void {
    this.store.appendEvent({ swapId: null, chainId, kind, data });
    const line = senderLogLine(kind, data, chainId, this.#limiter);
    if (!line) return;
    const fields = { chain: this.chains.get(chainId)?.name, chainId, ...data, ...(line.suppressed ? { suppressed: line.suppressed } : {}) };
    this.log[line.level](fields, line.msg);
  }

  /**
   * The resend guard the senders ask before an open transaction goes again: the decision rule on
   * what the chains show now (see `engine/resendGuard.ts`).
   */
  #guard(chainId: string, row: TxRow, head: Head, scope: GuardScope): ResendVerdict {
    const c = this.chains.get(chainId)!.config;
    const safety = { inclusionTime: BigInt(Math.ceil(c.inclusionTime)), confirmationTime: BigInt(Math.ceil(c.confirmations * c.blockInterval)), clockSkew: BigInt(Math.ceil(c.clockSkew)) };
    const pendingOf = (swapId: string) => this.#pendingThisRound().get(swapId) ?? new Set<string>();
    const verdict = resendVerdict(row, this.store.txMembers(row.id), head.timestamp, safety, {
      isActive: (id) => this.#active.has(id),
      revealed: (id) => this.#active.get(id)?.revealed !== undefined,
      revealDeadline: (id) => this.#active.get(id)?.plan.legB.terms.timelocks.timeout,
      view: (id, pending, margins) => {
        const active = this.#active.get(id);
        return active ? this.#view(active, pending(pendingOf(id)), margins(this.#margins(active.plan))) : undefined;
      },
    }, scope);
    if (verdict === "cancel" && row.deadline !== null && head.timestamp > BigInt(row.deadline)) {
      this.log.warn({ chain: this.chains.get(chainId)!.name, hash: row.hash, step: row.action, deadline: row.deadline, chainTime: head.timestamp.toString() }, "an open transaction's deadline has passed");
    }
    return verdict;
  }

  /**
   * The chains' clocks of this round into the metrics, and a warning (at most one a minute per pair)
   * for each pair whose measured offset exceeds the configured clock skew.
   */
  #checkClocks(): void {
    this.metrics.setClocks(this.clocks);
    for (const w of this.clocks.due((cid) => this.chains.get(cid)?.config.clockSkew ?? 0, Date.now())) {
      this.log.warn({ chain: w.name, other: w.otherName, skewSeconds: w.seconds, boundSeconds: w.bound }, "measured clock skew between chains exceeds the configured bound");
    }
  }

  /** The open actions (`${action}:${leg}`) of every swap, read once per round. */
  #pendingThisRound(): Map<string, Set<string>> {
    if (this.#pendingCache) return this.#pendingCache;
    const map = new Map<string, Set<string>>();
    for (const m of this.store.openTxMembers()) {
      let set = map.get(m.swapId);
      if (!set) map.set(m.swapId, (set = new Set()));
      set.add(`${m.action}:${m.leg}`);
    }
    return (this.#pendingCache = map);
  }

  #event(swapId: string | null, chainId: string | null, kind: string, data: Record<string, unknown>): void {
    this.store.appendEvent({ swapId, chainId, kind, data });
    if (kind.startsWith("chain.") || kind.startsWith("tx.")) this.log.info({ chainId, swapId, ...data }, kind);
  }

  #crashPoint(where: string, step: string): void {
    if (this.#deferCrash) {
      // Inside the round's transaction: stop changing anything more, commit, then crash.
      if (this.config.faults.crashAt === `${where}:${step}`) this.#haltRound = true;
      this.#deferCrash.push([where, step]);
      return;
    }
    if (this.config.faults.crashAt === `${where}:${step}`) {
      this.log.warn({ crashAt: this.config.faults.crashAt }, "fault injection: SIGKILL");
      process.kill(process.pid, "SIGKILL");
    }
  }
}
