/**
 * Reorganisations deeper than what was final: what is known of a chain's legs from above the rewind
 * point is dropped and read again, and swaps whose recorded status came from voided leg events are
 * rewound (through the reopening table) and driven again. Used live (the watcher's `chain.reorg`) and
 * on restart (a reorganisation in the event trail that a crash interrupted).
 */
import type { StoredStatus } from "../domain/phase";
import { mayReopen } from "../domain/status";
import { loadSwap, type EngineContext } from "./context";

/**
 * A reorganisation deeper than what was final, back to block `rewoundTo`: the state and outcome of
 * every leg of the chain known from above that block are dropped (and read again at the final block
 * next round), swaps that such an outcome had finished are reopened, every other cached leg state of
 * the chain is re-read too, and transactions mined above the rewind point are checked again (so a
 * step whose block disappeared is sent again).
 */
export function onReorg(ctx: EngineContext, chainId: string, rewoundTo: number): void {
  const voided = voidLegsAbove(ctx, chainId, rewoundTo);
  for (const a of ctx.active.values()) {
    for (const leg of a.legs) if (leg.at.chainId.toString() === chainId) ctx.legStates.delete(leg.id);
  }
  const rewound = rewindSwaps(ctx, voided, chainId, rewoundTo, "reorg");
  const txs = ctx.store.reopenTxsAfter(chainId, rewoundTo);
  ctx.log.warn({ chain: ctx.chains.get(chainId)?.name, rewoundTo, legs: voided.size, swapsRewound: rewound, txsReopened: txs }, "reorganisation deeper than the confirmation depth: outcomes above the rewind point read again");
}

/** Drops what is known of the chain's legs from above `block`; returns their ids. */
export function voidLegsAbove(ctx: Pick<EngineContext, "legStates" | "legChain" | "outcomes">, chainId: string, block: number): Set<string> {
  const out = new Set<string>();
  for (const [legId, known] of ctx.legStates) {
    if (ctx.legChain.get(legId) !== chainId || known.block <= block) continue;
    ctx.legStates.delete(legId);
    ctx.outcomes.delete(legId);
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
export function rewindSwaps(ctx: EngineContext, legIds: ReadonlySet<string>, chainId: string, block: number, why: "reorg" | "restart", since = 0): number {
  let n = 0;
  const swaps = new Set([...legIds].map((l) => ctx.legSwap.get(l)).filter((id): id is string => id !== undefined));
  for (const id of swaps) {
    const row = ctx.store.getSwap(id);
    if (!row) continue;
    const events = ctx.store.events(id);
    if (since > 0 && events.some((e) => e.kind === "swap.reopened" && e.id > since)) continue;
    const firstVoided = events.find((e) => e.kind.startsWith("leg.") && e.chainId === chainId && legIds.has(String(e.data.legId)) && Number(e.data.blockNumber) > block && e.id > 0);
    if (!firstVoided) continue;
    const before = events.filter((e) => e.kind === "swap.status" && e.id < firstVoided.id).pop();
    const to = ((before?.data.to as StoredStatus | undefined) ?? "accepted");
    if (to === row.status || !mayReopen(row.status, to)) continue;
    const next = ctx.store.reopenSwap(id, to, { swapId: id, chainId: null, kind: "swap.reopened", data: { from: row.status, to, outcome: row.outcome, why } });
    const active = ctx.active.get(id);
    if (active) active.row = next;
    else loadSwap(ctx, next);
    ctx.log.error({ swapId: id, from: row.status, to, outcome: row.outcome }, "a swap's outcome vanished in a reorganisation: rewound and driven again");
    n++;
  }
  return n;
}
