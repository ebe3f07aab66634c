/**
 * The coordinator's event trail, written and handed on: an event appended to the store (chain and
 * transaction events also into the log), and the events appended since the last hand-over delivered
 * to the subscribers of `Coordinator.onEvent`.
 */
import type { EngineContext } from "./context";

/** Appends an event to the trail; chain and transaction events are also logged at info. */
export function recordEvent(ctx: Pick<EngineContext, "store" | "log">, swapId: string | null, chainId: string | null, kind: string, data: Record<string, unknown>): void {
  ctx.store.appendEvent({ swapId, chainId, kind, data });
  if (kind.startsWith("chain.") || kind.startsWith("tx.")) ctx.log.info({ chainId, swapId, ...data }, kind);
}

/** Hands every event appended since the last call to the listeners (a failing listener is logged and skipped). */
export function emitEvents(ctx: Pick<EngineContext, "store" | "log" | "listeners" | "lastEmitted">): void {
  if (ctx.listeners.size === 0) {
    // Nobody listens: skip decoding the round's events.
    ctx.lastEmitted = ctx.store.lastEventId();
    return;
  }
  for (;;) {
    const batch = ctx.store.eventsSince(ctx.lastEmitted, 1000);
    if (batch.length === 0) return;
    ctx.lastEmitted = batch[batch.length - 1]!.id;
    for (const e of batch) {
      for (const l of ctx.listeners) {
        try {
          l(e);
        } catch (err) {
          ctx.log.warn({ err }, "an event listener failed");
        }
      }
    }
  }
}
