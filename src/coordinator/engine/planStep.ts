/**
 * One step the rule decided, into the round's work: sent by the held party it names, on its leg's
 * chain; a commit (the leader's reveal) is made durable first. Shared by two-party swaps and cycles.
 */
import type { Active, EngineContext } from "./context";
import { moveTo } from "./statusMoves";
import type { BatchAction, RoundWork, WorkLeg } from "./work";

/** What the rule decided for one leg. */
export interface PlannedStep {
  readonly action: BatchAction;
  /** The protocol step (1 … 3n) or "settle". */
  readonly step: number | "settle";
  /** The leader's commit decision: recorded (`committed`) before the transaction is added. */
  readonly commit?: boolean;
  /** The secret a redeem presents. */
  readonly secret?: string;
  /** The step's deadline on the leg's chain clock (none for settlements). */
  readonly deadline?: bigint;
  /** The redeem reveals a secret not yet public. */
  readonly reveals?: boolean;
}

/** Adds `s` on `leg` to this round's work, sent by the held party at `sender`; nothing when the party is not held or the commit was refused. */
export function planStep(ctx: EngineContext, active: Active, leg: WorkLeg, sender: string, s: PlannedStep, work: RoundWork): void {
  const party = ctx.parties.find((p) => p.wallet.address === sender);
  if (!party) return;
  if (s.commit && active.row.status !== "committed") {
    // The commit decision is durable before the secret leaves this process.
    moveTo(ctx, active, "committed");
    if ((active.row.status as string) !== "committed") return;
  }
  work.add(leg.at.chainId.toString(), party, s.action, {
    swapId: active.row.id,
    leg,
    step: String(s.step),
    ...(s.action === "redeem" ? { secret: s.secret! } : {}),
    ...(s.deadline !== undefined ? { deadline: s.deadline } : {}),
    ...(s.reveals ? { reveals: true } : {}),
  });
}
