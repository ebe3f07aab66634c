/**
 * Steps the rule would take but can no longer take safely: each reported once per swap, step and
 * reason, as a `deadline.unreachable` event, a metric and a warning that says what was not sent and why.
 */
import type { EngineContext } from "./context";
import { recordEvent } from "./eventFeed";

/** A missed step as both rules (two-party and cycle) report it. */
export interface MissedStep {
  readonly step: number | string;
  readonly reason: "deadline" | "reveal-margin" | "next-step";
  readonly deadline: bigint;
  readonly next?: { readonly step: number; readonly deadline: bigint; readonly offset: bigint };
}

/** Reports each missed step of a swap once (per reason: a next-step refusal that clears must not hide a later miss of the deadline itself). */
export function reportMissed(ctx: EngineContext, swapId: string, missed: readonly MissedStep[]): void {
  for (const { step, reason, deadline, next } of missed) {
    const key = `${swapId}:${step}:${reason}`;
    if (ctx.missedReported.has(key)) continue;
    ctx.missedReported.add(key);
    const nextData = next ? { nextStep: String(next.step), nextDeadline: next.deadline.toString(), clockOffset: next.offset.toString() } : {};
    recordEvent(ctx, swapId, null, "deadline.unreachable", { step: String(step), reason, deadline: deadline.toString(), ...nextData });
    ctx.metrics.deadlinesMissed.inc({ reason });
    if (reason === "reveal-margin") ctx.log.warn({ swapId, step, deadline: String(deadline) }, "the reveal could be mined after its deadline: not revealing the secret (abort branch)");
    else if (reason === "next-step") ctx.log.warn({ swapId, step, deadline: String(deadline), ...nextData }, "step not sent: the party's next step could not land in time under the other chain's clock");
    else ctx.log.warn({ swapId, step }, "a step can no longer land before its deadline; not sent");
  }
}
