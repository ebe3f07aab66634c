/**
 * Fault injection (`faults.crashAt`): the process kills itself at a named point (`recorded:<step>`,
 * `sent:<step>`, `final:<step>`). Inside a round's transaction the crash waits until it is committed.
 */
import type { EngineContext } from "./context";

/** Reaches the crash point `where:step`: SIGKILL when it is the configured one (deferred inside a round's transaction). */
export function crashPoint(ctx: Pick<EngineContext, "config" | "log" | "deferCrash" | "haltRound">, where: string, step: string): void {
  if (ctx.deferCrash) {
    // Inside the round's transaction: stop changing anything more, commit, then crash.
    if (ctx.config.faults.crashAt === `${where}:${step}`) ctx.haltRound = true;
    ctx.deferCrash.push([where, step]);
    return;
  }
  if (ctx.config.faults.crashAt === `${where}:${step}`) {
    ctx.log.warn({ crashAt: ctx.config.faults.crashAt }, "fault injection: SIGKILL");
    process.kill(process.pid, "SIGKILL");
  }
}
