/**
 * The coordinator's Prometheus metrics (prom-client), one registry per coordinator: swaps by status,
 * outcomes, time to complete, time left to the nearest pending deadline, RPC errors and latency per
 * chain, transaction retries and fee bumps, premiums earned and paid. Served at `/metrics` by the API.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { SwapStatus } from "./domain/status";

const STATUSES: readonly SwapStatus[] = ["accepted", "premiumB", "premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"];

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

  /** @param countByStatus - read at each scrape: the number of swaps in each status. */
  constructor(countByStatus: () => Partial<Record<SwapStatus, number>>, opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.swaps = new Gauge({
      name: "hedgeswap_swaps",
      help: "Swaps by status",
      labelNames: ["status"],
      registers,
      collect() {
        const counts = countByStatus();
        for (const s of STATUSES) this.set({ status: s }, counts[s] ?? 0);
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
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "hedgeswap_process_" });
  }

  /** The exposition text and its content type, for the API's `/metrics`. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
