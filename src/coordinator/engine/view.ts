/**
 * The decision rule's view of a swap (`SwapView`), built from what the engine holds in memory: this
 * round's heads, the legs' final states and outcomes, the chains' measured clock offset and configured
 * safety figures. Pure: no I/O.
 */
import { NO_CHAIN_DELAY, type ChainSafety, type SafetyMargins, type SwapPlan } from "../../sdk";
import type { Head } from "../chain/client";
import type { SwapStatus } from "../domain/status";
import type { EngineContext, SwapActive } from "./context";
import type { SwapView } from "./decide";

/** What the view is built from. */
export type ViewSources = Pick<EngineContext, "legStates" | "outcomes" | "heads" | "clocks" | "config" | "chains">;

/**
 * The rule's view of a swap from this round's heads and the legs' final states, with the open actions
 * `pending` and the margins `margins`; undefined while a chain's head or a leg's state is unknown.
 */
export function swapView(src: ViewSources, active: SwapActive, pending: ReadonlySet<string>, margins: SafetyMargins, heads?: { readonly A: Head | undefined; readonly B: Head | undefined }): SwapView | undefined {
  const { plan } = active;
  const stateA = src.legStates.get(plan.legA.id);
  const stateB = src.legStates.get(plan.legB.id);
  if (!stateA || !stateB) return undefined;
  // This round's heads, or (degraded mode) the ones given, of which one may be missing: its clock
  // reads 0, and only the answers that do not depend on it are used.
  const headA = heads ? heads.A : src.heads.get(plan.legA.at.chainId.toString());
  const headB = heads ? heads.B : src.heads.get(plan.legB.at.chainId.toString());
  if (!heads && (!headA || !headB)) return undefined;
  return {
    plan,
    roles: active.row.roles,
    // A two-party swap's row holds a two-party status name.
    status: active.row.status as SwapStatus,
    legA: { state: stateA.state, ...(src.outcomes.has(plan.legA.id) ? { outcome: src.outcomes.get(plan.legA.id)! } : {}) },
    legB: { state: stateB.state, ...(src.outcomes.has(plan.legB.id) ? { outcome: src.outcomes.get(plan.legB.id)! } : {}) },
    timeA: headA?.timestamp ?? 0n,
    timeB: headB?.timestamp ?? 0n,
    ...(active.leaderSecret ? { leaderSecret: active.leaderSecret } : {}),
    ...(active.revealed ? { revealedSecret: active.revealed } : {}),
    ...clockOffset(src, plan),
    ...(active.row.neverReveal ? { noReveal: true } : {}),
    ...(active.row.neverEscrow ? { noEscrow: true } : {}),
    pending,
    margins,
    settleGrace: BigInt(src.config.settleGrace),
    ...(src.config.faults.haltAfterStep !== undefined ? { haltAfterStep: src.config.faults.haltAfterStep } : {}),
  };
}

/** Chain A's clock over chain B's as measured this round (`ClockMonitor.skew`), when both were. */
function clockOffset(src: Pick<ViewSources, "clocks">, plan: SwapPlan): { clockOffset?: bigint } {
  const skew = src.clocks.skew(plan.legA.at.chainId.toString(), plan.legB.at.chainId.toString());
  return skew === undefined ? {} : { clockOffset: BigInt(Math.round(skew)) };
}

/** The safety margins of the rule for a swap's two chains, from the chains' configured figures (`PROTOCOLS.md` §6). */
export function safetyMargins(src: Pick<ViewSources, "chains" | "config">, plan: SwapPlan): SafetyMargins {
  const of = (chainId: bigint): ChainSafety => {
    const c = src.chains.get(chainId.toString())?.config;
    if (!c) return NO_CHAIN_DELAY;
    return { inclusionTime: BigInt(Math.ceil(c.inclusionTime)), confirmationTime: BigInt(Math.ceil(c.confirmations * c.blockInterval)), clockSkew: BigInt(Math.ceil(c.clockSkew)) };
  };
  return { reaction: BigInt(src.config.reactionMargin), chainA: of(plan.legA.at.chainId), chainB: of(plan.legB.at.chainId) };
}
