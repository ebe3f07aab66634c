/**
 * The state a running coordinator's parts share: its services (config, store, log, metrics, chains,
 * senders, watchers) and what it holds in memory of the swaps (active swaps, legs' states and outcomes,
 * this round's heads). One object, built by `Coordinator`, handed to the engine's parts (the round,
 * leg-state tracking, reorganisations, status moves, abort consents, read models) as an explicit
 * context. Also the loading of a swap into memory, which every part that meets a new swap needs.
 */
import type { Logger } from "pino";

import { LegState, cycleOfferFromJson, deriveSecret, offerFromJson, planFromCycleOffer, planFromOffer, type CyclePlan, type LegTerms, type LocatedLeg, type SwapPlan } from "../../sdk";
import type { CoordinatorConfig, PartyKeys } from "../config";
import type { ChainClient, Head } from "../chain/client";
import type { TxSender } from "../chain/sender";
import type { ChainWatcher } from "../chain/watcher";
import type { CoordinatorMetrics } from "../metrics";
import type { LogLimiter } from "../logLimit";
import { LEG_NAMES, type CoordinatorStore, type EventRow, type LegName, type OpenTxMember, type SwapRow } from "../store/types";
import type { ClockMonitor } from "./clocks";
import type { CreditWithdrawals } from "./creditRound";
import type { LegOutcome } from "./decide";
import type { ChainHealth } from "./reachability";

/** One arc of a swap as the engine drives it: arc i is the leg P_i → P_{i+1 mod n} (a two-party swap's legs A and B are arcs 0 and 1). */
export interface EngineLeg extends LocatedLeg {
  readonly name: LegName;
  readonly index: number;
  readonly terms: LegTerms;
}

/** What every unfinished swap in memory has: its row, its arcs, its hashlock and the secrets this process knows. */
interface ActiveBase {
  row: SwapRow;
  /** Arc 0 first (two parties: legs A and B). */
  readonly legs: readonly EngineLeg[];
  /** The hashlock, lower case. */
  readonly hashlock: string;
  /** The leader's own secret, re-derived from its seed (only when this process holds the leader). */
  leaderSecret?: string;
  /** The secret as seen on a chain (usable by every held role). */
  revealed?: string;
}

/** A two-party swap (`PROTOCOLS.md` §3, §4): hedged swap or option, with cooperative aborts. */
export interface SwapActive extends ActiveBase {
  readonly kind: "swap";
  readonly plan: SwapPlan;
}

/** An n-party hedged cycle (`PROTOCOLS.md` §7), of which this process holds the parties in `held`. */
export interface CycleActive extends ActiveBase {
  readonly kind: "cycle";
  readonly plan: CyclePlan;
  readonly held: ReadonlySet<number>;
}

/** An unfinished swap in memory. */
export type Active = SwapActive | CycleActive;

/** A leg's state as of the final block, with the position (block, log index) it was learnt at. */
export interface KnownLegState {
  readonly state: LegState;
  readonly block: number;
  readonly index: number;
}

/** The shared state of the coordinator's parts (see the module comment). */
export interface EngineContext {
  readonly config: CoordinatorConfig;
  readonly store: CoordinatorStore;
  readonly log: Logger;
  readonly metrics: CoordinatorMetrics;
  readonly chains: Map<string, ChainClient>;
  /** Each chain's clock as measured every round, against the local clock and the other chains. */
  readonly clocks: ClockMonitor;
  readonly parties: PartyKeys[];
  readonly senders: Map<string, TxSender>;
  readonly watchers: Map<string, ChainWatcher>;
  /** Which chains are connected and reachable; the others are retried in the background (degraded mode). */
  readonly health: ChainHealth;
  /** Credits of held parties (finished swaps' assets), withdrawn round by round. */
  readonly credits: CreditWithdrawals;
  /** Repeated warnings, written at most every 30 s each. */
  readonly limiter: LogLimiter;
  /** This round's head of each chain polled (none for a chain that failed). */
  readonly heads: Map<string, Head>;
  readonly active: Map<string, Active>;
  /** legId → swap id and leg name, for events. */
  readonly legs: Map<string, { swapId: string; leg: LegName }>;
  readonly outcomes: Map<string, LegOutcome>;
  /** An active swap's id by its hashlock (lower case), to learn a secret revealed on any leg. */
  readonly byHashlock: Map<string, string>;
  /** legId → its state as of the final block, from the chain once and then from final events (ordered by block and log index). */
  readonly legStates: Map<string, KnownLegState>;
  readonly missedReported: Set<string>;
  /** legId → the chain and the swap of its final events (every swap's, finished ones too): a reorganisation reopens them. */
  readonly legChain: Map<string, string>;
  readonly legSwap: Map<string, string>;
  readonly listeners: Set<(e: EventRow) => void>;
  /** The rounds' sends in progress (see `flush`): an abort consent waits for them before it signs. */
  readonly sending: Set<Promise<void>>;
  /** This round's open actions per swap, for the resend guard (read once per round). */
  pendingCache: Map<string, Set<string>> | undefined;
  /** The id of the last event handed to the listeners. */
  lastEmitted: number;
  /** The first round after start has run. */
  driving: boolean;
  /** The crash points reached inside the round's transaction, run once it is committed. */
  deferCrash: [string, string][] | undefined;
  /** A crash point inside the round's transaction was reached: nothing more changes this round. */
  haltRound: boolean;
}

/** True when the row holds an n-party cycle offer (`parties`, `arcs`) rather than a two-party one. */
export function isCycleRow(row: Pick<SwapRow, "offer">): boolean {
  return Array.isArray((row.offer as { parties?: unknown }).parties);
}

const REPLAN = { skipTimeChecks: true, minDelta: 0n, allowSameChain: true } as const;

/** A row's arcs and its hashlock, from its plan. */
function arcsOf(plan: SwapPlan | CyclePlan): { legs: EngineLeg[]; hashlock: string } {
  if ("legA" in plan) return { legs: [{ ...plan.legA, index: 0 }, { ...plan.legB, index: 1 }], hashlock: plan.offer.hashlock.toLowerCase() };
  return { legs: plan.arcs.map((a) => ({ at: a.at, leg: a.leg, id: a.id, terms: a.terms, index: a.index, name: LEG_NAMES[a.index]! })), hashlock: plan.offer.hashlock.toLowerCase() };
}

/** Loads a swap row into memory: its plan, its secrets, and the indexes of its legs and hashlock. */
export function loadSwap(ctx: EngineContext, row: SwapRow): Active {
  const base = (leader: string, plan: SwapPlan | CyclePlan) => {
    let leaderSecret: string | undefined;
    if (row.roles.leader && row.secretIndex !== null) {
      const seed = ctx.parties.find((p) => p.wallet.address === leader)?.seed;
      if (seed) leaderSecret = deriveSecret(seed, row.secretIndex);
    }
    return { row, ...arcsOf(plan), ...(leaderSecret ? { leaderSecret } : {}), ...(row.revealedSecret ? { revealed: row.revealedSecret } : {}) };
  };
  let active: Active;
  if (isCycleRow(row)) {
    const plan = planFromCycleOffer(cycleOfferFromJson(row.offer), REPLAN);
    const held = new Set(plan.parties.flatMap((p, i) => (ctx.parties.some((k) => k.wallet.address === p) ? [i] : [])));
    active = { kind: "cycle", plan, held, ...base(plan.parties[0]!, plan) };
  } else {
    const plan = planFromOffer(offerFromJson(row.offer), REPLAN);
    active = { kind: "swap", plan, ...base(plan.offer.leader, plan) };
  }
  ctx.active.set(row.id, active);
  for (const leg of active.legs) ctx.legs.set(leg.id, { swapId: row.id, leg: leg.name });
  ctx.byHashlock.set(active.hashlock, row.id);
  return active;
}

/** A swap's arcs (arc 0 first): the active swap's, or made again from its offer. */
export function legsOf(ctx: Pick<EngineContext, "active">, row: SwapRow): readonly EngineLeg[] {
  const active = ctx.active.get(row.id);
  if (active) return active.legs;
  return arcsOf(isCycleRow(row) ? planFromCycleOffer(cycleOfferFromJson(row.offer), REPLAN) : planFromOffer(offerFromJson(row.offer), REPLAN)).legs;
}

/** A two-party swap's plan: the active swap's, or made again from its offer (`undefined` for a cycle). */
export function planOf(ctx: Pick<EngineContext, "active">, row: SwapRow): SwapPlan | undefined {
  const active = ctx.active.get(row.id);
  if (active) return active.kind === "swap" ? active.plan : undefined;
  return isCycleRow(row) ? undefined : planFromOffer(offerFromJson(row.offer), REPLAN);
}

/** The open actions (`${action}:${leg}`) of every swap, from the open transactions' members. */
export function openActionsBySwap(members: readonly OpenTxMember[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const m of members) {
    let set = map.get(m.swapId);
    if (!set) map.set(m.swapId, (set = new Set()));
    set.add(`${m.action}:${m.leg}`);
  }
  return map;
}
