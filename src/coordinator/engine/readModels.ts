/**
 * Read models: what the API and the metrics show of the coordinator, read from the store and the
 * engine's memory (swap lists and details, counts by status, chain gauges, the nearest deadline).
 * Nothing here changes state.
 */
import { PremiumMode, unpackTimelocks } from "../../sdk";
import type { LegDetail, StepDetail, SwapDetail, SwapFilter } from "../api/port";
import { isFinal, type SwapStatus } from "../domain/status";
import type { ChainGauge } from "../metrics";
import type { SwapRow } from "../store/types";
import { planOf, type EngineContext } from "./context";

/** Swaps from the store, filtered and paged. */
export function listSwaps(ctx: Pick<EngineContext, "store">, filter: SwapFilter = {}): SwapRow[] {
  const all = ctx.store.listSwaps({ ...(filter.active ? { activeOnly: true } : {}), ...(filter.status ? { status: filter.status } : {}) });
  const rows = filter.active === false ? all.filter((r) => isFinal(r.status)) : all;
  const kind = filter.kind ? rows.filter((r) => r.kind === filter.kind) : rows;
  const offset = filter.offset ?? 0;
  return kind.slice(offset, offset + (filter.limit ?? 100));
}

/** A swap with its legs, schedule (deadlines, time left on each chain's clock, transactions) and events. */
export function swapDetail(ctx: EngineContext, id: string): SwapDetail | undefined {
  const row = ctx.store.getSwap(id);
  if (!row) return undefined;
  const plan = planOf(ctx, row);
  const txs = ctx.store.txsOfSwap(id);
  const chainName = (chainId: bigint) => ctx.chains.get(chainId.toString())?.name ?? chainId.toString();
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
      outcome: ctx.outcomes.get(l.id) ?? null,
    };
  });
  const steps: StepDetail[] = plan.steps.map((s) => {
    const leg = s.leg === "A" ? plan.legA : plan.legB;
    const head = ctx.heads.get(leg.at.chainId.toString());
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
  return { swap: row, legs, steps, transactions: txs, events: ctx.store.events(id) };
}

/** Seconds (chain clock) to the nearest deadline of a step some active swap still waits for; -1 when none. */
export function nearestDeadline(ctx: Pick<EngineContext, "active" | "heads">): number {
  const NEXT: Partial<Record<SwapStatus, number>> = { accepted: 0, premiumB: 1, premiumA: 2, escrowedA: 3, escrowedB: 4, committed: 4, redeemedB: 5 };
  let best: bigint | undefined;
  for (const a of ctx.active.values()) {
    const k = NEXT[a.row.status];
    if (k === undefined) continue;
    const step = a.plan.steps[k]!;
    const leg = step.leg === "A" ? a.plan.legA : a.plan.legB;
    const head = ctx.heads.get(leg.at.chainId.toString());
    if (!head) continue;
    const left = step.deadline - head.timestamp;
    if (best === undefined || left < best) best = left;
  }
  return best === undefined ? -1 : Number(best);
}

/** Each chain's head of the last round (none when it failed) and processed tip, for the metrics. */
export function chainGauges(ctx: Pick<EngineContext, "chains" | "heads" | "store">): ChainGauge[] {
  return [...ctx.chains].map(([id, c]) => {
    const head = ctx.heads.get(id);
    let tip: { blockNumber: number } | undefined;
    try {
      tip = ctx.store.getTip(id);
    } catch {
      tip = undefined; // the store is closed (a scrape after stop)
    }
    return { chain: c.name, ...(head ? { head } : {}), ...(tip ? { processed: tip.blockNumber } : {}) };
  });
}

/** How many swaps the store holds in each status, for the metrics (empty when the store cannot be read). */
export function countByStatus(ctx: Pick<EngineContext, "store" | "log">): Partial<Record<SwapStatus, number>> {
  const counts: Partial<Record<SwapStatus, number>> = {};
  try {
    for (const r of ctx.store.listSwaps()) counts[r.status] = (counts[r.status] ?? 0) + 1;
  } catch (err) {
    ctx.log.warn({ err }, "swap counts unavailable for the metrics");
  }
  return counts;
}
