/**
 * The state a running coordinator's parts share: its services (config, store, log, metrics, chains,
 * senders, watchers) and what it holds in memory of the swaps (active swaps, legs' states and outcomes,
 * this round's heads). One object, built by `Coordinator`, handed to the engine's parts (the round,
 * leg-state tracking, reorganisations, status moves, abort consents, read models) as an explicit
 * context. Also the loading of a swap into memory, which every part that meets a new swap needs.
 */
import type { Logger } from "pino";

import { LegState, deriveSecret, offerFromJson, planFromOffer, type SwapPlan } from "../../sdk";
import type { CoordinatorConfig, PartyKeys } from "../config";
import type { ChainClient, Head } from "../chain/client";
import type { TxSender } from "../chain/sender";
import type { ChainWatcher } from "../chain/watcher";
import type { CoordinatorMetrics } from "../metrics";
import type { LogLimiter } from "../logLimit";
import type { CoordinatorStore, EventRow, OpenTxMember, SwapRow } from "../store/types";
import type { ClockMonitor } from "./clocks";
import type { CreditWithdrawals } from "./creditRound";
import type { LegOutcome } from "./decide";
import type { ChainHealth } from "./reachability";

/** An unfinished swap in memory: its row, its plan and the secrets this process knows. */
export interface Active {
  row: SwapRow;
  plan: SwapPlan;
  /** The leader's own secret, re-derived from its seed (only when this process holds the leader). */
  leaderSecret?: string;
  /** The secret as seen on a chain (usable by every held role). */
  revealed?: string;
}

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
  readonly legs: Map<string, { swapId: string; leg: "A" | "B" }>;
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

/** Loads a swap row into memory: its plan, its secrets, and the indexes of its legs and hashlock. */
export function loadSwap(ctx: EngineContext, row: SwapRow): Active {
  const plan = planFromOffer(offerFromJson(row.offer), { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
  let leaderSecret: string | undefined;
  if (row.roles.leader && row.secretIndex !== null) {
    const seed = ctx.parties.find((p) => p.wallet.address === plan.offer.leader)?.seed;
    if (seed) leaderSecret = deriveSecret(seed, row.secretIndex);
  }
  const active: Active = { row, plan, ...(leaderSecret ? { leaderSecret } : {}), ...(row.revealedSecret ? { revealed: row.revealedSecret } : {}) };
  ctx.active.set(row.id, active);
  ctx.legs.set(plan.legA.id, { swapId: row.id, leg: "A" });
  ctx.legs.set(plan.legB.id, { swapId: row.id, leg: "B" });
  ctx.byHashlock.set(plan.offer.hashlock.toLowerCase(), row.id);
  return active;
}

/** A swap's plan: the active swap's, or made again from its offer. */
export function planOf(ctx: Pick<EngineContext, "active">, row: SwapRow): SwapPlan {
  return ctx.active.get(row.id)?.plan ?? planFromOffer(offerFromJson(row.offer), { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
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
