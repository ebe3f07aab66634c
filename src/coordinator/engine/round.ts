/**
 * One round of the coordinator: every chain polled (watcher, then the sender's reconciliation), the
 * legs' states read, every unfinished swap advanced (`advanceSwap`: its view, the rule, status moves
 * and intents planned, all in one durable write), then the round's work sent and the credits withdrawn.
 */
import { advanceSwap } from "./advance";
import { loadSwap, openActionsBySwap, type EngineContext } from "./context";
import { crashPoint } from "./crashPoint";
import { emitEvents, recordEvent } from "./eventFeed";
import { initLegStates } from "./legStates";
import { nearestDeadline } from "./readModels";
import { flush } from "./roundSend";
import { RoundWork } from "./work";

/** One round: every chain polled, every unfinished swap advanced. Chains that fail are skipped this round. */
export async function runRound(ctx: EngineContext): Promise<void> {
  const started = performance.now();
  ctx.pendingCache = undefined;
  for (const id of ctx.store.activeSwapIds()) {
    if (ctx.active.has(id)) continue;
    const row = ctx.store.getSwap(id);
    if (row) loadSwap(ctx, row);
  }
  await Promise.all(
    [...ctx.chains].map(async ([id, chain]) => {
      if (!ctx.health.usable(id)) {
        // Not connected yet, or lost: tried in the background, so it never holds up this round.
        ctx.heads.delete(id);
        ctx.health.retry(id);
        return;
      }
      try {
        const head = await chain.head();
        ctx.heads.set(id, head);
        ctx.clocks.observe(id, chain.name, head.timestamp, Date.now());
        ctx.health.seen(id, head);
        // The watcher first: the transactions whose logs it finds final need no receipt.
        const landed = await ctx.watchers.get(id)!.poll(head);
        await ctx.senders.get(id)!.reconcile(head, landed);
        ctx.health.up(id);
      } catch (e) {
        ctx.heads.delete(id);
        ctx.clocks.forget(id);
        ctx.health.down(id, e);
      }
    }),
  );
  checkClocks(ctx);
  const polled = performance.now();
  await initLegStates(ctx);
  const read = performance.now();
  const pending = openActionsBySwap(ctx.store.openTxMembers());
  const work = new RoundWork();
  // Every status change of the round in one durable write; crash points wait until it is committed.
  ctx.deferCrash = [];
  try {
    ctx.store.atomically(() => {
      for (const active of [...ctx.active.values()]) {
        if (ctx.haltRound) break;
        try {
          advanceSwap(ctx, active, pending.get(active.row.id) ?? new Set(), work);
        } catch (e) {
          ctx.log.error({ swapId: active.row.id, err: e }, "swap step failed");
        }
      }
    });
  } finally {
    const points = ctx.deferCrash;
    ctx.deferCrash = undefined;
    for (const [where, step] of points) crashPoint(ctx, where, step);
  }
  if (!ctx.driving) {
    // The first round after start has re-read every unfinished swap from the chains and decided its next step.
    ctx.driving = true;
    recordEvent(ctx, null, null, "coordinator.driving", { swaps: ctx.active.size, decidedMs: Math.round(performance.now() - started) });
  }
  const decided = performance.now();
  await flush(ctx, work);
  await ctx.credits.round();
  const flushed = performance.now();
  ctx.metrics.nearestDeadline.set(nearestDeadline(ctx));
  ctx.metrics.rounds.observe((flushed - started) / 1000);
  if (ctx.log.isLevelEnabled("debug")) {
    const ms = (a: number, b: number) => Math.round(b - a);
    const mem = process.memoryUsage();
    const mib = (n: number) => Math.round(n / 2 ** 20);
    ctx.log.debug(
      { swaps: ctx.active.size, pollMs: ms(started, polled), legStatesMs: ms(polled, read), decideMs: ms(read, decided), sendMs: ms(decided, flushed), rssMiB: mib(mem.rss), heapUsedMiB: mib(mem.heapUsed), heapTotalMiB: mib(mem.heapTotal), externalMiB: mib(mem.external) },
      "round",
    );
  }
  emitEvents(ctx);
}

/**
 * The chains' clocks of this round into the metrics, and a warning (at most one a minute per pair)
 * for each pair whose measured offset exceeds the configured clock skew.
 */
function checkClocks(ctx: EngineContext): void {
  ctx.metrics.setClocks(ctx.clocks);
  for (const w of ctx.clocks.due((cid) => ctx.chains.get(cid)?.config.clockSkew ?? 0, Date.now())) {
    ctx.log.warn({ chain: w.name, other: w.otherName, skewSeconds: w.seconds, boundSeconds: w.bound }, "measured clock skew between chains exceeds the configured bound");
  }
}
