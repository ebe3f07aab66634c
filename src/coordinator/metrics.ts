/**
 * The coordinator's Prometheus metrics (prom-client), one registry per coordinator: swaps by status
 * (two-party names and larger cycles' labels), the arcs of unfinished swaps by status,
 * outcomes, time to complete, time left to the nearest pending deadline, RPC errors and latency per
 * chain, transaction retries and fee bumps, premiums earned and paid, each chain's head, clock and
 * processed tip, each chain's measured clock offset (against the local clock and the other chains),
 * and the steps that could no longer land before their deadlines. Served at `/metrics`
 * by the API (and read by the dashboard).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import { ARC_TRANSITIONS } from "./domain/arcs";
import type { SwapStatus } from "./domain/status";

const ARC_STATUSES: readonly string[] = Object.keys(ARC_TRANSITIONS);

const STATUSES: readonly SwapStatus[] = ["accepted", "premiumB", "premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"];

/** One chain as the last round saw it (read at each scrape). */
export interface ChainGauge {
  readonly chain: string;
  /** The latest block of the last round; undefined when the chain failed that round (or before the first). */
  readonly head?: { readonly number: number; readonly timestamp: bigint };
  /** The last final block whose logs were processed (the watcher's persisted tip). */
  readonly processed?: number;
}

/** Measured clocks, by chain name (seconds), as `ClockMonitor` (engine/clocks.ts) gives them. */
export interface ClockReadings {
  /** Each chain's clock minus the local clock. */
  offsets(): readonly { readonly chain: string; readonly seconds: number }[];
  /** Each ordered pair: `chain`'s clock minus `other`'s. */
  pairSkews(): readonly { readonly chain: string; readonly other: string; readonly seconds: number }[];
}

/** Every metric of one coordinator. */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly swaps: Gauge<"status">;
  readonly outcomes: Counter<"outcome">;
  readonly duration: Histogram<"kind">;
  readonly nearestDeadline: Gauge;
  readonly rpcErrors: Counter<"chain">;
  readonly rpcLatency: Histogram<"chain">;
  readonly txSent: Counter<"chain" | "action">;
  readonly txRetries: Counter<"chain">;
  readonly feeBumps: Counter<"chain">;
  readonly premiums: Counter<"direction" | "chain" | "token">;
  readonly rounds: Histogram;
  readonly deadlinesMissed: Counter<"reason">;
  readonly chainUp: Gauge<"chain">;
  readonly chainHead: Gauge<"chain">;
  readonly chainTime: Gauge<"chain">;
  readonly chainProcessed: Gauge<"chain">;
  readonly chainClockOffset: Gauge<"chain">;
  readonly chainClockSkew: Gauge<"chain" | "other">;

  /**
   * @param countByStatus - read at each scrape: the number of swaps in each status.
   * @param opts.chains - read at each scrape: every configured chain's head and processed tip.
   */
  constructor(countByStatus: () => Partial<Record<string, number>>, opts: { defaultMetrics?: boolean; chains?: () => readonly ChainGauge[]; arcs?: () => Partial<Record<string, number>> } = {}) {
    const registers = [this.registry];
    this.swaps = new Gauge({
      name: "hedgeswap_swaps",
      help: "Swaps by status",
      labelNames: ["status"],
      registers,
      collect() {
        const counts = countByStatus();
        // Every two-party status (0 when none), and the labels of larger cycles (premiums@2, revealed, …) present.
        for (const s of new Set([...STATUSES, ...Object.keys(counts)])) this.set({ status: s }, counts[s] ?? 0);
      },
    });
    const arcs = opts.arcs;
    new Gauge({
      name: "hedgeswap_arcs",
      help: "Arcs (legs) of unfinished swaps, by status as the chains last showed it (open, premium, escrowed, redeemed, refunded, premiumRefunded, aborted, expired)",
      labelNames: ["status"],
      registers,
      collect() {
        const counts = arcs?.() ?? {};
        for (const s of new Set([...ARC_STATUSES, ...Object.keys(counts)])) this.set({ status: s }, counts[s] ?? 0);
      },
    });
    this.outcomes = new Counter({ name: "hedgeswap_swap_outcomes_total", help: "Swaps finished, by outcome (completed, exercised, S0-S5, abandoned, ...)", labelNames: ["outcome"], registers });
    this.duration = new Histogram({
      name: "hedgeswap_swap_duration_seconds",
      help: "Wall time from acceptance to a final status",
      labelNames: ["kind"],
      buckets: [5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
      registers,
    });
    this.nearestDeadline = new Gauge({ name: "hedgeswap_nearest_deadline_seconds", help: "Seconds (chain clock) to the nearest deadline of a step still pending; -1 when none", registers });
    this.rpcErrors = new Counter({ name: "hedgeswap_rpc_errors_total", help: "Failed JSON-RPC requests, by chain", labelNames: ["chain"], registers });
    this.rpcLatency = new Histogram({
      name: "hedgeswap_rpc_request_duration_seconds",
      help: "JSON-RPC round-trip time (a batch counts once), by chain",
      labelNames: ["chain"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.txSent = new Counter({ name: "hedgeswap_transactions_sent_total", help: "Transactions broadcast, by chain and action", labelNames: ["chain", "action"], registers });
    this.txRetries = new Counter({ name: "hedgeswap_transaction_retries_total", help: "Transactions broadcast again (after a restart or a failed broadcast)", labelNames: ["chain"], registers });
    this.feeBumps = new Counter({ name: "hedgeswap_fee_bumps_total", help: "Stuck transactions re-signed with higher fees", labelNames: ["chain"], registers });
    this.premiums = new Counter({
      name: "hedgeswap_premiums_total",
      help: "Premiums earned or paid by the parties this coordinator holds, in the token's smallest unit",
      labelNames: ["direction", "chain", "token"],
      registers,
    });
    this.rounds = new Histogram({ name: "hedgeswap_round_duration_seconds", help: "Time of one polling round over every chain and swap", buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    this.deadlinesMissed = new Counter({
      name: "hedgeswap_deadlines_missed_total",
      help: "Steps of held parties that could no longer land before their deadlines (deadline.unreachable), by reason (deadline, reveal-margin, next-step)",
      labelNames: ["reason"],
      registers,
    });
    const chains = opts.chains ?? (() => []);
    const perChain = (name: string, help: string, value: (c: ChainGauge) => number | undefined): Gauge<"chain"> =>
      new Gauge({
        name,
        help,
        labelNames: ["chain"],
        registers,
        collect() {
          this.reset();
          for (const c of chains()) {
            const v = value(c);
            if (v !== undefined) this.set({ chain: c.chain }, v);
          }
        },
      });
    this.chainUp = perChain("hedgeswap_chain_up", "1 when the last round reached the chain's RPC, else 0", (c) => (c.head ? 1 : 0));
    this.chainHead = perChain("hedgeswap_chain_head_block", "The chain's latest block number, as of the last round", (c) => c.head?.number);
    this.chainTime = perChain("hedgeswap_chain_head_timestamp_seconds", "The timestamp of the chain's latest block (the chain's clock), as of the last round", (c) => (c.head ? Number(c.head.timestamp) : undefined));
    this.chainProcessed = perChain("hedgeswap_chain_processed_block", "The last final block whose logs the watcher processed (head minus this is the lag)", (c) => c.processed);
    this.chainClockOffset = new Gauge({
      name: "hedgeswap_chain_clock_offset_seconds",
      help: "The chain's clock (latest head's timestamp) minus the local clock, as of the last round; informational: an idle automine chain's head lags",
      labelNames: ["chain"],
      registers,
    });
    this.chainClockSkew = new Gauge({
      name: "hedgeswap_chain_clock_skew_seconds",
      help: "The chain's clock minus the other chain's, measured from their latest heads (what the decision rule projects steps by), as of the last round",
      labelNames: ["chain", "other"],
      registers,
    });
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "hedgeswap_process_" });
  }

  /** Sets the clock gauges from the round's measured clocks (the engine's `ClockMonitor`): chains not measured are dropped. */
  setClocks(clocks: ClockReadings): void {
    this.chainClockOffset.reset();
    for (const o of clocks.offsets()) this.chainClockOffset.set({ chain: o.chain }, o.seconds);
    this.chainClockSkew.reset();
    for (const s of clocks.pairSkews()) this.chainClockSkew.set({ chain: s.chain, other: s.other }, s.seconds);
  }

  /** The exposition text and its content type, for the API's `/metrics`. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
