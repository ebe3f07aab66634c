/**
 * Each arc's status in the store (`swap_arcs`), kept as the chains show it: every round, after the
 * swap's own status, an arc whose final state moved is recorded with an `arc.status` event (through
 * the arc table; a move back, which only a reorganisation causes, as a reopening).
 */
import { LegState, type LegObservation } from "../../sdk";
import { ARC_TRANSITIONS, arcStatusOf, type ArcStatus } from "../domain/arcs";
import type { Active, EngineContext } from "./context";

/** The arcs' statuses last recorded, per swap (read from the store once). */
const recorded = new WeakMap<Active, ArcStatus[]>();

/** Records every arc of `active` whose status changed (each arc's chain clock in `times`; 0 when unknown). */
export function syncArcs(ctx: EngineContext, active: Active, times: readonly bigint[]): void {
  let known = recorded.get(active);
  if (!known) recorded.set(active, (known = ctx.store.arcsOf(active.row.id).map((a) => a.status)));
  for (const [i, leg] of active.legs.entries()) {
    const state = ctx.legStates.get(leg.id);
    if (!state || known[i] === undefined) continue;
    const outcome = ctx.outcomes.get(leg.id);
    const o: LegObservation = { state: state.state, ...(outcome ? { outcome } : {}) };
    // A clock not read this round cannot tell "expired" from "open": leave such an arc as it is.
    if (times[i] === 0n && o.state === LegState.None && o.outcome === undefined) continue;
    const to = arcStatusOf(o, leg.terms.timelocks, times[i]!);
    const from = known[i]!;
    if (to === from) continue;
    const reopen = !ARC_TRANSITIONS[from].includes(to);
    ctx.store.setArcStatus(active.row.id, i, to, { swapId: active.row.id, chainId: leg.at.chainId.toString(), kind: reopen ? "arc.reopened" : "arc.status", data: { arc: i, leg: leg.name, from, to } }, { reopen });
    known[i] = to;
  }
}
