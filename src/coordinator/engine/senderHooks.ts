/**
 * The engine's side of the senders' hooks (`SenderHooks`): a sender's reports into the trail and the
 * log, and the resend guard, asked before an open transaction goes again.
 */
import type { Head } from "../chain/client";
import type { ResendVerdict } from "../chain/sender";
import type { TxRow } from "../store/types";
import { openActionsBySwap, type EngineContext } from "./context";
import { resendVerdict, type GuardScope } from "./resendGuard";
import { senderLogLine } from "./senderLog";
import { cycleMargins, cycleView } from "./cycleView";

/**
 * A sender's report, into the trail and the log at the level it deserves: a reveal reverted or not
 * mined, a cap that stops a bump — errors; a cancel, a failed broadcast — warnings (each repeated
 * warning at most every 30 s); the rest at info.
 */
export function senderEvent(ctx: EngineContext, chainId: string, kind: string, data: Record<string, unknown>): void {
  ctx.store.appendEvent({ swapId: null, chainId, kind, data });
  const line = senderLogLine(kind, data, chainId, ctx.limiter);
  if (!line) return;
  const fields = { chain: ctx.chains.get(chainId)?.name, chainId, ...data, ...(line.suppressed ? { suppressed: line.suppressed } : {}) };
  ctx.log[line.level](fields, line.msg);
}

/**
 * The resend guard the senders ask before an open transaction goes again: the decision rule on
 * what the chains show now (see `engine/resendGuard.ts`).
 */
export function guard(ctx: EngineContext, chainId: string, row: TxRow, head: Head, scope: GuardScope): ResendVerdict {
  const c = ctx.chains.get(chainId)!.config;
  const safety = { inclusionTime: BigInt(Math.ceil(c.inclusionTime)), confirmationTime: BigInt(Math.ceil(c.confirmations * c.blockInterval)), clockSkew: BigInt(Math.ceil(c.clockSkew)) };
  const pendingOf = (swapId: string) => pendingThisRound(ctx).get(swapId) ?? new Set<string>();
  const verdict = resendVerdict(row, ctx.store.txMembers(row.id), head.timestamp, safety, {
    isActive: (id) => ctx.active.has(id),
    revealed: (id) => ctx.active.get(id)?.revealed !== undefined,
    // The reveal's deadline: the timeout of the last arc (two parties: leg B).
    revealDeadline: (id) => ctx.active.get(id)?.legs.at(-1)!.terms.timelocks.timeout,
    // Two-party swaps and cycles alike: the rule's n-generic view (a two-party swap is a 2-cycle).
    cycleView: (id, pending, margins) => {
      const active = ctx.active.get(id);
      if (!active) return undefined;
      const heads = active.legs.map((l) => ctx.heads.get(l.at.chainId.toString()));
      if (heads.some((h) => h === undefined)) return undefined;
      return cycleView(ctx, active, pending(pendingOf(id)), margins(cycleMargins(ctx, active)), heads);
    },
  }, scope);
  if (verdict === "cancel" && row.deadline !== null && head.timestamp > BigInt(row.deadline)) {
    ctx.log.warn({ chain: ctx.chains.get(chainId)!.name, hash: row.hash, step: row.action, deadline: row.deadline, chainTime: head.timestamp.toString() }, "an open transaction's deadline has passed");
  }
  return verdict;
}

/** The open actions (`${action}:${leg}`) of every swap, read once per round. */
function pendingThisRound(ctx: EngineContext): Map<string, Set<string>> {
  if (ctx.pendingCache) return ctx.pendingCache;
  return (ctx.pendingCache = openActionsBySwap(ctx.store.openTxMembers()));
}
