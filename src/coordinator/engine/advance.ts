/**
 * One round's part for one swap of any size (`PROTOCOLS.md` §3, §7; a two-party swap is the 2-cycle
 * of legs A and B): the rule's view from every arc's chain, `decideSwap`, the status moves through the
 * one transition table, the arcs' statuses, and the held parties' intents added to the round's work.
 * While an arc's chain is down only what depends on nothing but a fresh chain goes out: redeems with a
 * secret already public and settlements.
 */
import type { CycleIntent } from "../../sdk";
import type { Active, EngineContext } from "./context";
import { syncArcs } from "./arcSync";
import { cycleMargins, cycleView, partyAddress } from "./cycleView";
import { decideSwap } from "./decideSwap";
import { reportMissed } from "./missedSteps";
import { planStep } from "./planStep";
import { degradedIntents } from "./reachability";
import { moveTo } from "./statusMoves";
import type { RoundWork } from "./work";

/** Advances one swap this round. */
export function advanceSwap(ctx: EngineContext, active: Active, pending: ReadonlySet<string>, work: RoundWork): void {
  const chainIds = active.legs.map((l) => l.at.chainId.toString());
  const fresh = chainIds.map((id) => ctx.heads.has(id));
  if (!fresh.some(Boolean)) return;
  // A chain polled this round is fresh. While another is down its view is the last one known: the
  // legs' states from the event trail or an earlier read, its clock from the last head this process
  // saw (none yet: 0, which only the discarded answers about that chain read).
  const heads = chainIds.map((id) => ctx.heads.get(id) ?? ctx.health.lastHead(id));
  const view = cycleView(ctx, active, pending, cycleMargins(ctx, active), heads);
  if (!view) return;
  const decision = decideSwap(view, active.row.status, active.row.kind);
  if (!fresh.every(Boolean)) {
    if (ctx.haltRound) return;
    // Degraded: a redeem with a secret already public, or a settlement, on a chain polled this round; no status moves.
    for (const intent of degradedIntents(decision.intents, fresh)) planIntent(ctx, active, intent, work);
    return;
  }
  moveTo(ctx, active, decision.status, decision.outcome);
  syncArcs(ctx, active, view.times);
  reportMissed(ctx, active.row.id, decision.missed);
  if (ctx.haltRound) return;
  for (const intent of decision.intents) planIntent(ctx, active, intent, work);
}

/** Adds an intent to this round's work, on its arc's chain, sent by the party it names. */
function planIntent(ctx: EngineContext, active: Active, intent: CycleIntent, work: RoundWork): void {
  const n = active.legs.length;
  const deadline = typeof intent.step === "number" ? active.plan.steps[intent.step - 1]!.deadline : undefined;
  planStep(ctx, active, active.legs[intent.arc]!, partyAddress(active, intent.party), {
    action: intent.action,
    step: intent.step,
    ...(intent.commit ? { commit: true } : {}),
    ...(intent.secret !== undefined ? { secret: intent.secret } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    reveals: intent.step === 2 * n + 1 && active.revealed === undefined,
  }, work);
}
