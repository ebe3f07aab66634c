/**
 * Recovery of hedged cycles (`PROTOCOLS.md` §7) and the per-leg verdicts `planRecovery` shares between
 * two-party swaps and cycles. A party of an agreed cycle has two arcs, its outgoing arc (it escrows it)
 * and its incoming arc (it redeems it); both are judged by the cycle rule (`decideCycleNext`) with that
 * party's key alone, so recovery reveals s only under the cycle reveal rule (arcs n−1 and 0 escrowed at
 * their final blocks with the agreed terms, or arc 0 closed; the reveal margin on arc n−1's chain) and
 * redeems an incoming arc only with a secret seen on a chain. Pure.
 */
import { checkAddress } from "./bytes";
import { cycleOfferDigest, type CycleOffer, type SignedCycleOffer } from "./cycleOffer";
import { planFromCycleOffer, type CyclePlan } from "./cyclePlan";
import { decideCycleNext } from "./cycleRules";
import { cycleStepSlots } from "./cycleSchedule";
import { LegState, type LocatedLeg } from "./leg";
import { DEFAULT_CHAIN_SAFETY, DEFAULT_REACTION_MARGIN, type LegObservation } from "./observation";
import type { FoundLeg, RecoveryContext, RecoveryStep } from "./recovery";
import { unpackTimelocks } from "./timelocks";

/** A cycle the party agreed to: its plan, its offer, or its signed offer. */
export type AgreedCycle = CyclePlan | CycleOffer | SignedCycleOffer;

/**
 * The plan of an agreed cycle, or undefined when `a` is not a cycle (a two-party plan or offer). An offer is
 * re-planned without the checks against the current time: it was validated when it was agreed.
 */
export function agreedCyclePlan(a: object): CyclePlan | undefined {
  if ("n" in a && "parties" in a && "arcs" in a) return a as CyclePlan;
  const offer = "offer" in a ? (a.offer as object) : a;
  if (offer === null || typeof offer !== "object" || !("parties" in offer) || !("arcs" in offer)) return undefined;
  return planFromCycleOffer(offer as CycleOffer, { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
}

/** The id of an agreed cycle (its offer's EIP-712 digest), or undefined when `a` is not a cycle. */
export function agreedCycleId(a: object): string | undefined {
  if ("n" in a && "id" in a) return (a as CyclePlan).id;
  const offer = "offer" in a ? (a.offer as object) : a;
  return "parties" in offer && "arcs" in offer ? cycleOfferDigest(offer as CycleOffer) : undefined;
}

/** The located legs of an agreed swap (leg A, leg B) or cycle (arc 0 … n−1). @internal */
export function legsOf(plan: { readonly arcs: readonly LocatedLeg[] } | { readonly legA: LocatedLeg; readonly legB: LocatedLeg }): readonly LocatedLeg[] {
  return "arcs" in plan ? plan.arcs : [plan.legA, plan.legB];
}

/** A found leg as the rule sees it: its state at the chain's final block (default: its found status) and outcome. @internal */
export function observeLeg(leg: FoundLeg | undefined, finalState: LegState | undefined): LegObservation {
  if (!leg) return { state: finalState ?? LegState.None };
  const state = finalState ?? (leg.status.kind === "premiumDeposited" ? LegState.PremiumDeposited : leg.status.kind === "escrowed" ? LegState.Escrowed : leg.status.kind === "aborted" ? LegState.Aborted : LegState.None);
  const k = leg.status.kind;
  return k === "redeemed" || k === "refunded" || k === "premiumRefunded" ? { state, outcome: k } : { state };
}

/** The verdict of a leg the rule takes no step on now: wait for its deadline, or done. @internal */
export function waitOrDone(leg: FoundLeg): RecoveryStep {
  const t = unpackTimelocks(leg.leg.timelocks);
  if (leg.status.kind === "escrowed") return { kind: "wait", leg, until: t.timeout, reason: leg.role === "redeemer" ? "secret not visible on a chain yet" : "counterparty may still redeem" };
  if (leg.status.kind === "premiumDeposited") return { kind: "wait", leg, until: t.escrowDeadline, reason: "principal may still be escrowed" };
  return { kind: "done", leg };
}

/** Why a redeem the rule refused is withheld. @internal */
export function withheldReason(reason: "deadline" | "reveal-margin" | "next-step"): string {
  return reason === "reveal-margin" ? "a redeem revealing the secret could be mined after the leg's timeout: not revealing" : "the step can no longer land before its deadline";
}

/**
 * Judges the account's arcs of one agreed cycle (pure): for party p, its incoming arc p−1 and outgoing arc
 * p, by `decideCycleNext` with held = {p}, the arcs' states at their final blocks, every arc's chain clock,
 * the leader's own secret (party 0 only), a secret seen on a chain, and `noReveal` when the cycle is in
 * `ctx.forsworn`. Returns a verdict per found leg of those arcs (none when the account is not a party). Arcs
 * of other parties are not the account's and are not observed (they count as not created): the rule's
 * redeems, reveal and settlements of the account's arcs look only at the account's arcs, and recovery
 * never takes a premium or escrow step. A chain of another party's arc that was not scanned takes the
 * outgoing arc's clock for the same reason; one of the account's own arcs unscanned makes both wait.
 */
export function judgeCycle(plan: CyclePlan, ctx: RecoveryContext, byId: ReadonlyMap<string, FoundLeg>, finalStates: ReadonlyMap<string, LegState>): Map<string, RecoveryStep> {
  const out = new Map<string, RecoveryStep>();
  const account = checkAddress("account", ctx.account);
  const p = plan.parties.findIndex((x) => checkAddress("party", x) === account);
  if (p < 0) return out;
  const n = plan.n;
  const mine = [(p + n - 1) % n, p];
  const found = (i: number) => byId.get(plan.arcs[i]!.id);
  const clock = (i: number) => ctx.clocks.get(plan.arcs[i]!.at.chainId);
  if (mine.some((i) => clock(i) === undefined)) {
    for (const i of mine) {
      const f = found(i);
      if (f) out.set(f.id, { kind: "wait", leg: f, until: 0n, reason: "a chain of the cycle's arcs of this party was not scanned" });
    }
    return out;
  }
  const hashlock = plan.offer.hashlock.toLowerCase();
  const own = p === 0 ? ctx.own?.get(hashlock) : undefined;
  const revealed = ctx.revealed.get(hashlock);
  const decision = decideCycleNext({
    n,
    arcs: plan.arcs,
    start: plan.offer.start,
    delta: plan.offer.delta,
    held: new Set([p]),
    observed: plan.arcs.map((a, i) => (mine.includes(i) ? observeLeg(found(i), finalStates.get(a.id)) : { state: LegState.None })),
    times: plan.arcs.map((_, i) => clock(i) ?? clock(p)!),
    ...(own !== undefined ? { leaderSecret: own } : {}),
    ...(revealed !== undefined ? { revealedSecret: revealed } : {}),
    ...(p === 0 && ctx.forsworn?.has(plan.id) ? { noReveal: true } : {}),
    pending: new Set(),
    margins: { reaction: ctx.reactionMargin ?? DEFAULT_REACTION_MARGIN, chains: plan.arcs.map((a) => ctx.safety?.get(a.at.chainId) ?? DEFAULT_CHAIN_SAFETY) },
    settleGrace: 0n,
  });
  const slots = cycleStepSlots(n);
  for (const arc of mine) {
    const f = found(arc);
    if (!f) continue;
    const intent = decision.intents.find((i) => i.arc === arc && (i.action === "redeem" || i.action === "settle"));
    const missed = decision.missed.find((m) => slots[m.step - 1]!.action === "redeem" && slots[m.step - 1]!.arc === arc);
    if (intent?.action === "redeem") out.set(f.id, { kind: "redeem", leg: f, secret: intent.secret!, step: intent.step as number, arc, swapId: plan.id });
    else if (intent?.action === "settle") out.set(f.id, { kind: "settle", leg: f });
    else if (missed) out.set(f.id, { kind: "withheld", leg: f, step: missed.step, arc, reason: withheldReason(missed.reason), swapId: plan.id });
    else out.set(f.id, waitOrDone(f));
  }
  return out;
}
