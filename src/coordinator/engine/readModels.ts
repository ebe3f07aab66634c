/**
 * Read models: what the API and the metrics show of the coordinator, read from the store and the
 * engine's memory (swap lists and details, counts by status, chain gauges, the nearest deadline).
 * Nothing here changes state.
 */
import { PremiumMode, cycleOfferFromJson, planFromCycleOffer, unpackTimelocks } from "../../sdk";
import type { LegDetail, StepDetail, SwapDetail, SwapFilter } from "../api/port";
import { parseStoredStatus, type StoredStatus } from "../domain/phase";
import { isFinal } from "../domain/status";
import type { ChainGauge } from "../metrics";
import { LEG_NAMES, type SwapRow } from "../store/types";
import { isCycleRow, legsOf, planOf, type EngineContext } from "./context";

/** Swaps from the store, filtered and paged. */
export function listSwaps(ctx: Pick<EngineContext, "store">, filter: SwapFilter = {}): SwapRow[] {
  const all = ctx.store.listSwaps({ ...(filter.active ? { activeOnly: true } : {}), ...(filter.status ? { status: filter.status } : {}) });
  const rows = filter.active === false ? all.filter((r) => isFinal(r.status)) : all;
  const kind = filter.kind ? rows.filter((r) => r.kind === filter.kind) : rows;
  const offset = filter.offset ?? 0;
  return kind.slice(offset, offset + (filter.limit ?? 100));
}

/** A swap with its legs (its arcs), parties, schedule (deadlines, time left on each chain's clock, transactions) and events. */
export function swapDetail(ctx: EngineContext, id: string): SwapDetail | undefined {
  const row = ctx.store.getSwap(id);
  if (!row) return undefined;
  const arcs = legsOf(ctx, row);
  const txs = ctx.store.txsOfSwap(id);
  const chainName = (chainId: bigint) => ctx.chains.get(chainId.toString())?.name ?? chainId.toString();
  const legs: LegDetail[] = arcs.map((l) => {
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
  const steps: StepDetail[] = scheduleOf(ctx, row).map((s) => {
    const leg = arcs[s.arc]!;
    const head = ctx.heads.get(leg.at.chainId.toString());
    const mine = txs.filter((t) => t.leg === leg.name && t.action === s.action);
    const tx = mine.find((t) => t.status === "mined") ?? mine[mine.length - 1];
    return {
      step: s.step,
      actor: s.actor,
      party: s.party,
      leg: leg.name,
      action: s.action,
      chain: chainName(leg.at.chainId),
      deadline: s.deadline.toString(),
      secondsLeft: head ? Number(s.deadline - head.timestamp) : null,
      tx: tx ? { hash: tx.hash, status: tx.status, blockNumber: tx.blockNumber } : null,
    };
  });
  const parties = ctx.store.partiesOf(id).map((p) => ({ index: p.index, address: p.address, held: p.held }));
  const arcStatus = ctx.store.arcsOf(id).map((a) => ({ index: a.index, leg: LEG_NAMES[a.index]!, chainId: a.chainId, status: a.status }));
  return { swap: row, parties, arcs: arcStatus, legs, steps, transactions: txs, events: ctx.store.events(id) };
}

/** One step of a swap's schedule: its number, acting party (two parties: leader/follower; a cycle: P0 … P(n−1)), arc, action and deadline. */
interface ScheduledStep {
  readonly step: number;
  readonly actor: string;
  readonly party: string;
  readonly arc: number;
  readonly action: string;
  readonly deadline: bigint;
}

/** The schedule of a swap of any size, from its plan. */
function scheduleOf(ctx: EngineContext, row: SwapRow): ScheduledStep[] {
  const active = ctx.active.get(row.id);
  const plan = active?.kind === "cycle" ? active.plan : active ? active.plan : isCycleRow(row) ? undefined : planOf(ctx, row);
  if (plan && "legA" in plan) return plan.steps.map((s) => ({ step: s.step, actor: s.actor, party: s.party, arc: s.leg === "A" ? 0 : 1, action: s.action, deadline: s.deadline }));
  const cycle = plan ?? planFromCycleOffer(cycleOfferFromJson(row.offer), { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
  return cycle.steps.map((s) => ({ step: s.step, actor: `P${s.actor}`, party: s.party, arc: s.arc, action: s.action, deadline: s.deadline }));
}

/** Seconds (chain clock) to the nearest deadline of a step some active swap still waits for; -1 when none. */
export function nearestDeadline(ctx: Pick<EngineContext, "active" | "heads">): number {
  let best: bigint | undefined;
  for (const a of ctx.active.values()) {
    const n = a.legs.length;
    let s: ReturnType<typeof parseStoredStatus>;
    try {
      s = parseStoredStatus(n, a.row.status);
    } catch {
      continue;
    }
    // The next step the swap waits for: after premiums@k or escrows@k step k+1; committed waits for the reveal (2n+1), revealed for the last redeem (3n).
    const k = s.phase === "accepted" ? 1 : s.phase === "premiums" || s.phase === "escrows" ? s.step + 1 : s.phase === "committed" ? 2 * n + 1 : s.phase === "revealed" ? 2 * n + 2 : undefined;
    if (k === undefined) continue;
    const deadline = a.kind === "cycle" ? a.plan.steps[k - 1]?.deadline : a.plan.steps[k - 1]?.deadline;
    const arc = a.kind === "cycle" ? a.plan.steps[k - 1]?.arc : a.plan.steps[k - 1]?.leg === "A" ? 0 : 1;
    if (deadline === undefined || arc === undefined) continue;
    const head = ctx.heads.get(a.legs[arc]!.at.chainId.toString());
    if (!head) continue;
    const left = deadline - head.timestamp;
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

/** How many arcs of unfinished swaps are in each status, for the metrics (empty when the store cannot be read). */
export function countArcs(ctx: Pick<EngineContext, "store" | "log">): Partial<Record<string, number>> {
  try {
    return ctx.store.countActiveArcs();
  } catch (err) {
    ctx.log.warn({ err }, "arc counts unavailable for the metrics");
    return {};
  }
}

/** How many swaps the store holds in each status, for the metrics (empty when the store cannot be read). */
export function countByStatus(ctx: Pick<EngineContext, "store" | "log">): Partial<Record<StoredStatus, number>> {
  const counts: Partial<Record<StoredStatus, number>> = {};
  try {
    for (const r of ctx.store.listSwaps()) counts[r.status] = (counts[r.status] ?? 0) + 1;
  } catch (err) {
    ctx.log.warn({ err }, "swap counts unavailable for the metrics");
  }
  return counts;
}
