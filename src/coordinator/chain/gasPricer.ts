/**
 * Gas limits for the sender's transactions, at little cost to the node: one estimate per shape (items
 * of one `gasKey` share it), a per-leg price for batches whose legs cost alike (`GasProbe`, learned
 * from a one- and a two-leg estimate), and simulations (`eth_call`) sampled per shape.
 */
import { toQuantity } from "ethers";

import type { TxRequest } from "../../sdk";
import type { ChainClient } from "./client";

/**
 * How to price a batch of legs that all cost alike (same function, escrow and assets per leg): the
 * same call over its first leg and over its first two legs is estimated, and a batch of `legs` legs
 * costs `one + (legs - 1) × (two - one)`. Two one- and two-leg estimates cost the node a small
 * fraction of estimating a 100-leg batch (a binary search of many executions of the whole batch).
 */
export interface GasProbe {
  /** Batches with the same key share the per-leg price: function, escrow and per-leg assets. */
  readonly key: string;
  /** The batch's number of legs. */
  readonly legs: number;
  /** The same call over the batch's first leg. */
  readonly one: TxRequest;
  /** The same call over the batch's first two legs. */
  readonly two: TxRequest;
}

/** What the pricer needs of an item to send. */
export interface PricedItem {
  readonly req: TxRequest;
  /**
   * Transactions with the same key cost about the same gas (same function, same assets, same batch
   * size): the first is estimated, later ones reuse that estimate.
   */
  readonly gasKey?: string;
  /** A batch whose legs all cost alike: priced from its first legs instead of estimated whole (takes precedence over `gasKey`). */
  readonly probe?: GasProbe;
}

/** One item's checks before signing: its gas limit base and (when `sample`) its simulation. */
export interface Preflight {
  readonly gas: Promise<bigint>;
  readonly simulated: Promise<unknown>;
  /** Whether this item's simulation counts as its shape's sample. */
  readonly sample: boolean;
}

/** A per-leg gas price learned from a probe. */
interface LegPrice {
  readonly one: bigint;
  readonly perLeg: bigint;
}

/** The shape an item shares its gas price and its simulation sample with (none: priced and simulated alone). */
export function shapeOf(item: PricedItem): string | undefined {
  return item.probe ? `probe:${item.probe.key}` : item.gasKey;
}

/** Prices and simulates one chain's transactions. */
export class GasPricer {
  readonly #gasCache = new Map<string, bigint>();
  readonly #estimating = new Map<string, Promise<bigint>>();
  readonly #prices = new Map<string, LegPrice>();
  readonly #pricing = new Map<string, Promise<LegPrice>>();

  constructor(private readonly chain: ChainClient) {}

  /** Forgets every shared estimate and price (after a revert: one may have been too low). */
  forget(): void {
    this.#gasCache.clear();
    this.#prices.clear();
  }

  /** `req` as the node's JSON-RPC takes it. */
  #call(from: string, req: TxRequest): Record<string, string> {
    // Raw JSON-RPC: the calldata is already hex, and ethers' request formatting re-encodes it byte by
    // byte (tens of milliseconds for a 100-leg batch). Reverts still come back as CALL_EXCEPTION with
    // their data, which toHedgeSwapError decodes.
    return { from, to: req.to, data: req.data, value: toQuantity(req.value) };
  }

  /** Simulates `item` at the latest block. */
  simulate(from: string, item: PricedItem): Promise<unknown> {
    return this.chain.provider.send("eth_call", [this.#call(from, item.req), "latest"]);
  }

  async #estimate(from: string, req: TxRequest): Promise<bigint> {
    return BigInt((await this.chain.provider.send("eth_estimateGas", [this.#call(from, req)])) as string);
  }

  /**
   * One item's checks before signing: its gas limit base, and (when `sample`) its simulation. Priced
   * items (`probe`) take their shape's per-leg price, learned once from two small estimates. Items of
   * one `gasKey` share one estimate (a binary search of many executions on the node), which also
   * simulates the first; if that estimate fails (its own call reverts), each estimates for itself.
   */
  preflight(from: string, item: PricedItem, sample: boolean): Preflight {
    const simulate = () => this.simulate(from, item);
    const estimate = () => this.#estimate(from, item.req);
    const probe = item.probe;
    if (probe) {
      const priced = this.#priceOf(from, probe).then(
        (p) => ({ gas: p.one + p.perLeg * BigInt(probe.legs - 1), own: false }),
        // A probe that reverts: the batch is estimated whole (and refused, if it reverts as well).
        async () => ({ gas: await estimate(), own: true }),
      );
      return { gas: priced.then((p) => p.gas), simulated: priced.then((p) => (p.own || !sample ? undefined : simulate())), sample };
    }
    const key = item.gasKey;
    if (key === undefined) {
      const own = estimate();
      return { gas: own, simulated: own, sample };
    }
    const cached = this.#gasCache.get(key);
    if (cached !== undefined) return { gas: Promise.resolve(cached), simulated: sample ? simulate() : Promise.resolve(), sample };
    const leader = this.#estimating.get(key);
    if (leader) {
      const shared = leader.then(
        (gas) => ({ gas, own: false }),
        async () => ({ gas: await estimate(), own: true }),
      );
      return { gas: shared.then((s) => s.gas), simulated: shared.then((s) => (s.own || !sample ? undefined : simulate())), sample };
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
    // The estimate simulates this item: it counts as its shape's sample.
    return { gas: first, simulated: first, sample: true };
  }

  /** The per-leg price of `probe`'s shape: cached, being learned, or learned now from its one- and two-leg calls. */
  #priceOf(from: string, probe: GasProbe): Promise<LegPrice> {
    const known = this.#prices.get(probe.key);
    if (known) return Promise.resolve(known);
    const pending = this.#pricing.get(probe.key);
    if (pending) return pending;
    const learning = Promise.all([this.#estimate(from, probe.one), this.#estimate(from, probe.two)]).then(([one, two]) => {
      const price = { one, perLeg: two > one ? two - one : 0n };
      this.#prices.set(probe.key, price);
      return price;
    });
    this.#pricing.set(probe.key, learning);
    learning.then(
      () => this.#pricing.delete(probe.key),
      () => this.#pricing.delete(probe.key),
    );
    return learning;
  }
}
