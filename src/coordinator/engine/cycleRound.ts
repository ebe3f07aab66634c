/**
 * One round's part for an n-party cycle (`PROTOCOLS.md` §7): the rule's view from every arc's chain,
 * `decideCycle`, the status moves, and the held parties' intents added to the round's work. While an
 * arc's chain is down only what depends on nothing but a fresh chain goes out: redeems with a secret
 * already public and settlements.
 */
import type { CycleIntent } from "../../sdk";
import type { CycleActive, EngineContext } from "./context";
import { syncArcs } from "./arcSync";
import { cycleMargins, cycleView } from "./cycleView";
import { decideCycle } from "./decideCycle";
import { reportMissed } from "./missedSteps";
import { planStep } from "./planStep";
import { moveTo } from "./statusMoves";
import type { RoundWork } from "./work";

/** Advances one cycle this round. */
export function advanceCycle(ctx: EngineContext, active: CycleActive, pending: ReadonlySet<string>, work: RoundWork): void {
  const chainIds = active.legs.map((l) => l.at.chainId.toString());
  const fresh = chainIds.map((id) => ctx.heads.has(id));
  if (!fresh.some(Boolean)) return;
  const heads = chainIds.map((id) => ctx.heads.get(id) ?? ctx.health.lastHead(id));
  const view = cycleView(ctx, active, pending, cycleMargins(ctx, active), heads);
  if (!view) return;
  const decision = decideCycle(view, active.row.status);
  const n = active.plan.n;
  if (!fresh.every(Boolean)) {
    if (ctx.haltRound) return;
    // Degraded: a redeem with a secret already public, or a settlement, on a chain polled this round.
    for (const intent of decision.intents) {
      const safe = intent.action === "settle" || (intent.action === "redeem" && typeof intent.step === "number" && intent.step > 2 * n + 1);
      if (safe && fresh[intent.arc]) planCycleIntent(ctx, active, intent, work);
    }
    return;
  }
  moveTo(ctx, active, decision.status, decision.outcome);
  syncArcs(ctx, active, view.times);
  reportMissed(ctx, active.row.id, decision.missed);
  if (ctx.haltRound) return;
  for (const intent of decision.intents) planCycleIntent(ctx, active, intent, work);
}

/** Adds a cycle intent to this round's work, on its arc's chain, sent by the party it names. */
function planCycleIntent(ctx: EngineContext, active: CycleActive, intent: CycleIntent, work: RoundWork): void {
  const { plan } = active;
  const deadline = typeof intent.step === "number" ? plan.steps[intent.step - 1]!.deadline : undefined;
  planStep(ctx, active, active.legs[intent.arc]!, plan.parties[intent.party]!, {
    action: intent.action,
    step: intent.step,
    ...(intent.commit ? { commit: true } : {}),
    ...(intent.secret !== undefined ? { secret: intent.secret } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    reveals: intent.step === 2 * plan.n + 1 && active.revealed === undefined,
  }, work);
}
