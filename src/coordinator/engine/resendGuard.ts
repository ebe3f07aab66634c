/**
 * The rule every resend asks (`PROTOCOLS.md` §5, §6): before an open transaction is broadcast again or
 * re-signed with higher fees, is it still a step the decision rule takes? Pure, no I/O.
 *
 * - **A reveal** (the leader's step-5 redeem, while s is not public) is never sent again once it could
 *   land after leg B's timeout: past `deadline − inclusion time − clock skew` on chain B it is replaced
 *   at once by a cancel (a same-nonce transaction that reveals nothing). A redeem mined after its
 *   deadline reverts but publishes s, and anyone could then take leg A while leg B is refunded.
 * - **Any other protocol step** goes again only while the rule (`decideNext`, with no reaction margin
 *   and no confirmation time: the transaction is signed already, only its landing in time counts)
 *   still takes that step for every leg it covers; otherwise it is cancelled, which frees its nonce.
 * - Withdrawals, approvals, aborts and cancels are not protocol steps: they are kept.
 */
import { decideCycleNext, decideNext, type ChainSafety, type CycleMargins, type CycleView, type PartyView, type SafetyMargins } from "../../sdk";
import type { ResendVerdict } from "../chain/sender";
import { LEG_NAMES, type TxMember, type TxRow } from "../store/types";

/** The actions the decision rule takes, whose resends it decides. */
const STEP_ACTIONS: ReadonlySet<string> = new Set(["depositPremium", "escrow", "redeem", "settle"]);

/** What the guard needs to know of the engine's swaps. */
export interface GuardContext {
  /** False once the swap is final (or unknown): any step of it would revert. */
  isActive(swapId: string): boolean;
  /** The secret of the swap is public (seen on a chain). */
  revealed(swapId: string): boolean;
  /** Leg B's timeout (the reveal's deadline) of an active swap, for rows recorded without a deadline. */
  revealDeadline(swapId: string): bigint | undefined;
  /**
   * The rule's view of an active swap with these open actions (`${action}:${leg}`) and margins, or
   * undefined while a leg's state or a chain's clock is not known this round (the guard then keeps the
   * row: it cannot judge it).
   */
  view?(swapId: string, pending: (all: ReadonlySet<string>) => ReadonlySet<string>, margins: (m: SafetyMargins) => SafetyMargins): PartyView | undefined;
  /**
   * The same as the n-generic rule's view (`decideCycleNext`; a two-party swap is a 2-cycle), which the
   * engine gives for every swap; asked first.
   */
  cycleView?(swapId: string, pending: (all: ReadonlySet<string>) => ReadonlySet<string>, margins: (m: CycleMargins) => CycleMargins): CycleView | undefined;
}

/**
 * When the guard is asked: `round`, every round for every open row (only the cheap checks: a reveal
 * past its cutoff, a step of a finished swap); `resend`, before a row is broadcast again or re-signed
 * with higher fees (the decision rule too).
 */
export type GuardScope = "round" | "resend";

/** The margins of a step already signed: only its landing counts (no reaction, nothing to wait for). */
export function landingMargins(m: SafetyMargins): SafetyMargins {
  const land = (c: ChainSafety): ChainSafety => ({ ...c, confirmationTime: 0n });
  return { reaction: 0n, chainA: land(m.chainA), chainB: land(m.chainB) };
}

/** `landingMargins` for a cycle's margins: every arc's chain without confirmation time, no reaction margin. */
export function cycleLandingMargins(m: CycleMargins): CycleMargins {
  return { reaction: 0n, chains: m.chains.map((c) => ({ ...c, confirmationTime: 0n })) };
}

/** The last chain-clock second at which a signed reveal may still be sent: deadline − inclusion time − clock skew. */
export function revealCutoff(deadline: bigint, chain: Pick<ChainSafety, "inclusionTime" | "clockSkew">): bigint {
  return deadline - chain.inclusionTime - chain.clockSkew;
}

/**
 * The verdict on `row` (covering `members`) at chain time `now`, on a chain with the safety figures
 * `chain`: `cancel` when it must never go again, else `keep`. With `scope` `round` the decision rule is
 * not asked (the round's own decisions do not send what is pending; the rule is asked before a resend).
 */
export function resendVerdict(row: Pick<TxRow, "action" | "reveals" | "deadline">, members: readonly TxMember[], now: bigint, chain: ChainSafety, ctx: GuardContext, scope: GuardScope = "resend"): ResendVerdict {
  if (!STEP_ACTIONS.has(row.action)) return "keep";
  for (const m of members) {
    if (!ctx.isActive(m.swapId)) return "cancel";
    if (row.reveals && !ctx.revealed(m.swapId)) {
      const deadline = row.deadline !== null ? BigInt(row.deadline) : ctx.revealDeadline(m.swapId);
      if (deadline !== undefined && now > revealCutoff(deadline, chain)) return "cancel";
    }
    if (scope === "round") continue;
    const key = `${row.action}:${m.leg}`;
    const cycle = ctx.cycleView?.(m.swapId, (all) => new Set([...all].filter((k) => k !== key)), cycleLandingMargins);
    if (cycle !== undefined) {
      const arc = LEG_NAMES.indexOf(m.leg);
      if (!decideCycleNext(cycle).intents.some((i) => i.action === row.action && i.arc === arc)) return "cancel";
      continue;
    }
    const view = ctx.view?.(
      m.swapId,
      (all) => new Set([...all].filter((k) => k !== key)),
      landingMargins,
    );
    if (view === undefined) continue;
    if (!decideNext(view).intents.some((i) => i.action === row.action && i.leg === m.leg)) return "cancel";
  }
  return "keep";
}
