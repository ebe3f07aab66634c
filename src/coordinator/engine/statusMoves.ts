/**
 * A swap's status moves, for a cycle of any size: each through the one transition table
 * (`store.transition`, the new status and its event in one write), along the happy path one status at
 * a time; on a final status the swap leaves memory and its outcome goes into the metrics.
 */
import { PremiumMode, unpackTimelocks } from "../../sdk";
import { parseStoredStatus, type StoredStatus } from "../domain/phase";
import { isFinal } from "../domain/status";
import type { Active, EngineContext } from "./context";
import { crashPoint } from "./crashPoint";
import { stepOfStatus, storedStatusPath } from "./statusPath";

/**
 * Records the swap's new status. Along the happy path every status in between is written too, one
 * transition each, so each step boundary is crossed (and made durable) on its own.
 */
export function moveTo(ctx: EngineContext, active: Active, to: StoredStatus, outcome?: string): void {
  for (const next of storedStatusPath(active.row.parties, active.row.status, to)) {
    if (ctx.haltRound || !moveOne(ctx, active, next, next === to ? outcome : undefined)) return;
  }
}

/** One transition; false when the table refuses it (logged, at most every 30 s per swap and move). */
function moveOne(ctx: EngineContext, active: Active, to: StoredStatus, outcome?: string): boolean {
  const from = active.row.status;
  try {
    active.row = ctx.store.transition(active.row.id, to, { swapId: active.row.id, chainId: null, kind: "swap.status", data: { from, to, ...(outcome ? { outcome } : {}) } }, outcome ? { outcome } : {});
  } catch (e) {
    const line = ctx.limiter.take(`transition:${active.row.id}:${from}:${to}`);
    if (line) ctx.log.warn({ swapId: active.row.id, from, to, err: e, ...(line.suppressed > 0 ? { suppressed: line.suppressed } : {}) }, "status change refused by the transition table");
    return false;
  }
  ctx.log.info({ swapId: active.row.id, from, to, outcome }, "swap status");
  if (isFinal(to)) {
    ctx.active.delete(active.row.id);
    ctx.byHashlock.delete(active.hashlock);
    recordFinal(ctx, active, outcome);
  }
  const step = stepOfStatus(active.row.parties, parseStoredStatus(active.row.parties, to));
  if (step) crashPoint(ctx, "final", step);
  return true;
}

/** On a final status: outcome, duration and premium flows into the metrics; its credits watched. */
function recordFinal(ctx: EngineContext, active: Active, outcome: string | undefined): void {
  ctx.credits.watch(active.row.id, active.legs);
  ctx.metrics.outcomes.inc({ outcome: outcome ?? active.row.status });
  ctx.metrics.duration.observe({ kind: active.row.kind }, Math.max(0, (Date.now() - active.row.createdAt) / 1000));
  for (const leg of active.legs) {
    const o = ctx.outcomes.get(leg.id);
    const option = unpackTimelocks(leg.leg.timelocks).mode === PremiumMode.Option;
    if (!(o === "refunded" || (o === "redeemed" && option))) continue;
    const labels = { chain: ctx.chains.get(leg.at.chainId.toString())?.name ?? leg.at.chainId.toString(), token: leg.leg.premiumToken };
    const amount = Number(leg.leg.premiumAmount);
    if (ctx.parties.some((p) => p.wallet.address === leg.leg.escrower)) ctx.metrics.premiums.inc({ direction: "earned", ...labels }, amount);
    if (ctx.parties.some((p) => p.wallet.address === leg.leg.redeemer)) ctx.metrics.premiums.inc({ direction: "paid", ...labels }, amount);
  }
}
