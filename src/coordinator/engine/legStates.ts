/**
 * What the coordinator knows of each leg at the final block: read from the event trail on start, from
 * the chain once per leg, then kept current by the watchers' final events (ordered by block and log
 * index); and the secret, learnt from any redeem on a watched escrow.
 */
import { sha256 } from "ethers";

import { LegState, getLegStates } from "../../sdk";
import type { LegEvent } from "../chain/watcher";
import type { EngineContext } from "./context";
import type { LegOutcome } from "./decide";
import { recordEvent } from "./eventFeed";
import { voidLegsAbove } from "./reorg";

/** A leg's state right after each kind of event. */
const STATE_AFTER: Record<LegEvent["kind"], LegState> = {
  premiumDeposited: LegState.PremiumDeposited,
  escrowed: LegState.Escrowed,
  locked: LegState.Escrowed,
  redeemed: LegState.None,
  refunded: LegState.None,
  premiumRefunded: LegState.None,
  aborted: LegState.Aborted,
};

const OUTCOME_OF: Partial<Record<LegEvent["kind"], LegOutcome>> = { redeemed: "redeemed", refunded: "refunded", premiumRefunded: "premiumRefunded", aborted: "aborted" };

/** A leg voided by a reorganisation recorded in the trail and not read again since: its chain, the rewind point and that event. */
export interface VoidedLeg {
  readonly chainId: string;
  readonly block: number;
  readonly reorgEvent: number;
}

/**
 * On start, every leg's state, chain, swap and outcome from the event trail. Returns the legs whose
 * events a recorded reorganisation voided and that no later event settled (legId → where).
 */
export function replayEventTrail(ctx: EngineContext): Map<string, VoidedLeg> {
  // The event trail holds every final leg event up to each chain's tip, in chain order: it gives each
  // leg's state without asking the chains; the watcher replays what came after the tip.
  // A reorganisation recorded in the trail voids the leg events above its rewind point: those legs are
  // read again from their chain, and a swap they had finished is reopened (if a crash came first).
  const trail = [...ctx.store.eventsOfKind("leg."), ...ctx.store.eventsOfKind("chain.reorg")].sort((a, b) => a.id - b.id);
  const voided = new Map<string, VoidedLeg>();
  for (const e of trail) {
    if (e.kind === "chain.reorg") {
      if (e.chainId === null) continue;
      const block = Number(e.data.rewoundTo);
      for (const legId of voidLegsAbove(ctx, e.chainId, block)) voided.set(legId, { chainId: e.chainId, block, reorgEvent: e.id });
      continue;
    }
    if (typeof e.data.legId !== "string") continue;
    const kind = e.kind.slice(4) as LegEvent["kind"];
    if (e.chainId !== null) ctx.legChain.set(e.data.legId, e.chainId);
    if (e.swapId !== null) ctx.legSwap.set(e.data.legId, e.swapId);
    const o = OUTCOME_OF[kind];
    if (o) ctx.outcomes.set(e.data.legId, o);
    const state = STATE_AFTER[kind];
    if (state !== undefined && typeof e.data.blockNumber === "number") {
      ctx.legStates.set(e.data.legId, { state, block: e.data.blockNumber, index: Number.MAX_SAFE_INTEGER });
      voided.delete(e.data.legId);
    }
  }
  return voided;
}

/** Reads, once per leg, its state at the final block (in bulk, per chain); final events keep it current afterwards. */
export async function initLegStates(ctx: EngineContext): Promise<void> {
  const unknown = new Map<string, string[]>();
  for (const active of ctx.active.values()) {
    for (const leg of active.legs) {
      if (ctx.legStates.has(leg.id)) continue;
      const chainId = leg.at.chainId.toString();
      let ids = unknown.get(chainId);
      if (!ids) unknown.set(chainId, (ids = []));
      ids.push(leg.id);
    }
  }
  await Promise.all(
    [...unknown].map(async ([chainId, ids]) => {
      const chain = ctx.chains.get(chainId)!;
      const head = ctx.heads.get(chainId);
      if (!head) return;
      const block = chain.finalBlock(head);
      try {
        const states = await getLegStates(chain.provider, chain.at, ids, { blockTag: block });
        for (const [k, id] of ids.entries()) setLegState(ctx, id, states[k]!, block, Number.MAX_SAFE_INTEGER);
      } catch (e) {
        ctx.log.warn({ chain: chain.name, legs: ids.length, err: e }, "leg states not read; retrying next round");
      }
    }),
  );
}

/** Sets a leg's state unless a later one (block, then log index) is known. */
function setLegState(ctx: Pick<EngineContext, "legStates">, legId: string, state: LegState, block: number, index: number): void {
  const known = ctx.legStates.get(legId);
  if (known && (known.block > block || (known.block === block && known.index >= index))) return;
  ctx.legStates.set(legId, { state, block, index });
}

/** A watcher's final leg event: the leg's state, chain, swap and outcome, and a `leg.<kind>` event in the trail. */
export function onFinalEvent(ctx: EngineContext, chainId: string, e: LegEvent): void {
  const ref = ctx.legs.get(e.legId);
  if (!ref) return;
  const state = STATE_AFTER[e.kind];
  const known = ctx.legStates.get(e.legId);
  if (known && (known.block > e.log.blockNumber || (known.block === e.log.blockNumber && known.index >= e.log.index))) return;
  setLegState(ctx, e.legId, state, e.log.blockNumber, e.log.index);
  ctx.legChain.set(e.legId, chainId);
  ctx.legSwap.set(e.legId, ref.swapId);
  const outcome = OUTCOME_OF[e.kind];
  if (outcome) ctx.outcomes.set(e.legId, outcome);
  recordEvent(ctx, ref.swapId, chainId, `leg.${e.kind}`, { legId: e.legId, leg: ref.leg, txHash: e.log.transactionHash, blockNumber: e.log.blockNumber });
}

/**
 * A secret revealed by any redeem on a watched escrow: the swap's own legs, or any other leg with the
 * swap's hashlock (a counterparty may reveal s on a leg of its own making, on either chain). Once s is
 * public, every held role may use it.
 */
export function onSecret(ctx: EngineContext, secret: string, legId: string): void {
  const ref = ctx.legs.get(legId);
  const swapId = ref?.swapId ?? ctx.byHashlock.get(sha256(secret));
  if (swapId === undefined) return;
  const active = ctx.active.get(swapId);
  if (!active || active.row.revealedSecret) return;
  if (sha256(secret) !== active.hashlock) return;
  active.revealed = secret;
  const where = ref ? { legId, leg: ref.leg } : { legId, leg: null, otherLeg: true };
  active.row = ctx.store.patchSwap(active.row.id, { revealedSecret: secret }, { swapId: active.row.id, chainId: null, kind: "secret.revealed", data: where });
  ctx.log.info({ swapId: active.row.id, ...where }, "secret seen on chain");
}
