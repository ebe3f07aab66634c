/**
 * Cooperative aborts (`PROTOCOLS.md` §2): the consents of the held redeemers, each after its durable
 * vow (the leader never reveals, the follower never escrows leg B), and the escrower's abort, sent only
 * with a consent the escrow will accept. The order and the refusals are documented on
 * `Coordinator.requestAbort`.
 */
import {
  LegState,
  abortTx,
  findRevealedSecret,
  getLegStates,
  signCooperativeAbort,
  verifyAbortConsent,
  type SwapPlan,
} from "../../sdk";
import type { AbortResult } from "../api/port";
import { isFinal, type SwapStatus } from "../domain/status";
import {
  AbortNotPossibleError,
  CounterLegEscrowedError,
  CounterLegRedeemedError,
  InvalidAbortConsentError,
  LegNotAbortableError,
  RevealCommittedError,
  SwapFinalError,
  UnknownSwapError,
} from "../errors";
import { planOf, type EngineContext } from "./context";
import { emitEvents, recordEvent } from "./eventFeed";

/** The statuses in which the leader has committed to reveal the secret: no consent to abort leg B any more. */
const COMMITTED: ReadonlySet<string> = new Set<SwapStatus>(["committed", "redeemedB", "completed"]);

/** Leg B as the follower's abort rule reads it (see `requestAbort`). */
interface CounterLeg {
  readonly final: LegState;
  readonly latest: LegState;
  /** Leg B was redeemed (the secret is out), on chain or as this coordinator saw it. */
  readonly redeemed: boolean;
  /** This coordinator has an escrow of leg B signed or sent and not yet final. */
  readonly pendingEscrow: boolean;
}

/** A cooperative abort of one leg, in the one safe order (see `Coordinator.requestAbort`). */
export async function requestAbort(ctx: EngineContext, id: string, legName: "A" | "B", redeemerSignature?: string): Promise<AbortResult> {
  const row = ctx.store.getSwap(id);
  if (!row) throw new UnknownSwapError(id);
  if (isFinal(row.status)) throw new SwapFinalError(id, row.status);
  const plan = planOf(ctx, row);
  // Cooperative aborts follow §3's two-party consent order; a cycle's arcs abort by their deadlines only.
  if (!plan) throw new AbortNotPossibleError("cooperative aborts are for two-party swaps; a cycle's arcs settle after their deadlines", { swapId: id, leg: legName, parties: row.parties });
  const leg = legName === "A" ? plan.legA : plan.legB;
  const chain = ctx.chains.get(leg.at.chainId.toString())!;
  const state = Number(await chain.escrow.contract.legState(leg.id)) as LegState;
  if (state !== LegState.PremiumDeposited && state !== LegState.Escrowed) throw new LegNotAbortableError(id, legName, LegState[state]);
  const redeemer = ctx.parties.find((p) => p.wallet.address === leg.leg.redeemer);
  const escrower = ctx.parties.find((p) => p.wallet.address === leg.leg.escrower);
  if (!redeemer && !escrower) throw new AbortNotPossibleError("this coordinator holds neither party of the leg", { swapId: id, leg: legName });
  const result: { signature?: string; txHash?: string } = {};
  if (redeemer) {
    // Leg B's redeemer is the leader, leg A's the follower: each vows before it signs.
    if (legName === "B") forswearReveal(ctx, id);
    else await forswearEscrowB(ctx, id, plan, state);
    result.signature = await signCooperativeAbort(chain.wallet(redeemer.wallet), leg);
    recordEvent(ctx, id, chain.chainId.toString(), "abort.consented", { leg: legName });
  }
  if (escrower) {
    const consent = redeemerSignature ?? result.signature;
    if (!consent) throw new AbortNotPossibleError("the escrower's abort needs the redeemer's consent signature", { swapId: id, leg: legName });
    const check = await verifyAbortConsent(chain.provider, leg, consent);
    if (!check.valid) throw new InvalidAbortConsentError(id, legName, leg.leg.redeemer, check.recovered, check.scheme);
    const tx = await ctx.senders.get(chain.chainId.toString())!.send(escrower.wallet, { swapId: id, leg: legName, action: "abort", step: "abort" }, abortTx(leg, consent));
    result.txHash = tx.hash;
    recordEvent(ctx, id, chain.chainId.toString(), "abort.sent", { leg: legName, hash: tx.hash, scheme: check.scheme });
  }
  emitEvents(ctx);
  return result;
}

/**
 * The leader's vow before it consents to the abort of leg B: `neverReveal`, written with its event in
 * one transaction (synchronously: no round can commit in between). Throws `RevealCommittedError`
 * when the leader has committed or the secret is out.
 */
function forswearReveal(ctx: EngineContext, id: string): void {
  const row = ctx.store.getSwap(id)!;
  const active = ctx.active.get(id);
  const status = active && COMMITTED.has(active.row.status) ? active.row.status : row.status;
  const revealed = row.revealedSecret !== null || active?.revealed !== undefined;
  if (COMMITTED.has(status) || revealed) throw new RevealCommittedError(id, status, revealed);
  if (isFinal(row.status)) throw new SwapFinalError(id, row.status);
  if (row.neverReveal) return;
  const next = ctx.store.patchSwap(id, { neverReveal: true }, { swapId: id, chainId: null, kind: "reveal.forsworn", data: { leg: "B", status } });
  if (active) active.row = next;
  ctx.log.info({ swapId: id }, "the leader consents to abort leg B: it will never reveal the secret for this swap");
}

/**
 * The follower's rule before it consents to the abort of leg A: leg B aborted, refunded or never
 * escrowed. Refuses (`CounterLegEscrowedError`, `CounterLegRedeemedError`) otherwise. Unless leg B is
 * aborted, it then records `neverEscrow` with its event, waits for the sends of every round decided
 * before (one of them may be escrowing leg B), and looks at leg B once more before it lets the
 * consent be signed.
 */
async function forswearEscrowB(ctx: EngineContext, id: string, plan: SwapPlan, stateA: LegState): Promise<void> {
  const first = await counterLeg(ctx, id, plan);
  refuseUnlessCounterLegSafe(id, stateA, first);
  if (first.final === LegState.Aborted) return;
  const row = ctx.store.getSwap(id)!;
  if (isFinal(row.status)) throw new SwapFinalError(id, row.status);
  if (!row.neverEscrow) {
    const next = ctx.store.patchSwap(id, { neverEscrow: true }, { swapId: id, chainId: null, kind: "escrow.forsworn", data: { leg: "B", legB: LegState[first.final] } });
    const active = ctx.active.get(id);
    if (active) active.row = next;
    ctx.log.info({ swapId: id }, "the follower consents to abort leg A: it will never escrow leg B for this swap");
  }
  await Promise.allSettled([...ctx.sending]);
  refuseUnlessCounterLegSafe(id, stateA, await counterLeg(ctx, id, plan));
}

/** Leg B as the follower's rule needs it: its state at the final and the latest block, whether it was redeemed, and an escrow of ours on the way. */
async function counterLeg(ctx: EngineContext, id: string, plan: SwapPlan): Promise<CounterLeg> {
  const chain = ctx.chains.get(plan.legB.at.chainId.toString())!;
  try {
    const head = await chain.head();
    const final = chain.finalBlock(head);
    const [[atFinal], [atLatest]] = await Promise.all([
      getLegStates(chain.provider, chain.at, [plan.legB.id], { blockTag: final }),
      getLegStates(chain.provider, chain.at, [plan.legB.id], { blockTag: head.number }),
    ]);
    const row = ctx.store.getSwap(id)!;
    let redeemed = row.revealedSecret !== null || ctx.active.get(id)?.revealed !== undefined || ctx.outcomes.get(plan.legB.id) === "redeemed";
    if (!redeemed && atFinal === LegState.None) {
      redeemed = (await findRevealedSecret(chain.provider, plan.legB, { fromBlock: chain.config.deploymentBlock, toBlock: head.number })) !== undefined;
    }
    const pendingEscrow = ctx.store.openTxMembers().some((m) => m.swapId === id && m.leg === "B" && m.action === "escrow");
    return { final: atFinal!, latest: atLatest!, redeemed, pendingEscrow };
  } catch (e) {
    throw new AbortNotPossibleError("leg B's state could not be read from its chain; nothing was signed", { swapId: id, leg: "A", chain: chain.name, reason: String((e as Error).message ?? e).slice(0, 200) });
  }
}

/** Refuses the follower's consent while leg B is redeemed, escrowed (final or latest block) or being escrowed by us. Pure. */
function refuseUnlessCounterLegSafe(id: string, stateA: LegState, b: CounterLeg): void {
  if (b.redeemed) throw new CounterLegRedeemedError(id, LegState[stateA], LegState[b.final]);
  if (b.final === LegState.Escrowed || b.latest === LegState.Escrowed || b.pendingEscrow) {
    throw new CounterLegEscrowedError(id, LegState[stateA], LegState[b.final], { legBLatest: LegState[b.latest], pendingEscrow: b.pendingEscrow });
  }
}
