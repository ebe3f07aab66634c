/**
 * The n-generic decision rule's view of a swap of any size (`CycleView` of the SDK, `PROTOCOLS.md` §7;
 * a two-party swap is the 2-cycle of legs A and B, its leader party 0, its follower party 1), built
 * from what the engine holds in memory: each arc's final state and outcome, each arc chain's head, the
 * chains' measured clock offsets and configured safety figures. Pure: no I/O.
 */
import { NO_CHAIN_DELAY, type ChainSafety, type CycleMargins, type CycleView, type LegObservation } from "../../sdk";
import type { Head } from "../chain/client";
import { LEG_NAMES } from "../store/types";
import type { Active, EngineContext } from "./context";

/** What the view is built from. */
export type ViewSources = Pick<EngineContext, "legStates" | "outcomes" | "heads" | "clocks" | "config" | "chains">;

/** The safety figures of each arc's chain and the reaction margin (`PROTOCOLS.md` §6). */
export function cycleMargins(src: Pick<ViewSources, "chains" | "config">, active: Active): CycleMargins {
  const of = (chainId: bigint): ChainSafety => {
    const c = src.chains.get(chainId.toString())?.config;
    if (!c) return NO_CHAIN_DELAY;
    return { inclusionTime: BigInt(Math.ceil(c.inclusionTime)), confirmationTime: BigInt(Math.ceil(c.confirmations * c.blockInterval)), clockSkew: BigInt(Math.ceil(c.clockSkew)) };
  };
  return { reaction: BigInt(src.config.reactionMargin), chains: active.legs.map((l) => of(l.at.chainId)) };
}

/** Each arc's leg at its chain's final block; undefined while one is not known. */
export function cycleObservations(src: Pick<ViewSources, "legStates" | "outcomes">, active: Active): LegObservation[] | undefined {
  const out: LegObservation[] = [];
  for (const leg of active.legs) {
    const known = src.legStates.get(leg.id);
    if (!known) return undefined;
    const outcome = src.outcomes.get(leg.id);
    out.push({ state: known.state, ...(outcome ? { outcome } : {}) });
  }
  return out;
}

/** Open actions as the rows name them (`escrow:C`) turned into the rule's arc indexes (`escrow:2`). */
export function arcPending(pending: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const key of pending) {
    const [action, leg] = key.split(":");
    const index = LEG_NAMES.indexOf(leg as (typeof LEG_NAMES)[number]);
    if (action && index >= 0) out.add(`${action}:${index}`);
  }
  return out;
}

/**
 * The rule's view of a cycle with the open actions `pending` (as the rows name them) and `margins`;
 * `heads[i]` is arc i's chain head (a missing one reads 0: only answers that do not depend on it are
 * used); undefined while an arc's state is unknown.
 */
export function cycleView(src: ViewSources, active: Active, pending: ReadonlySet<string>, margins: CycleMargins, heads: readonly (Head | undefined)[]): CycleView | undefined {
  const observed = cycleObservations(src, active);
  if (!observed) return undefined;
  const chain0 = active.legs[0]!.at.chainId.toString();
  const offsets = active.legs.map((l) => (l.at.chainId.toString() === chain0 ? 0 : src.clocks.skew(l.at.chainId.toString(), chain0)));
  return {
    n: active.legs.length,
    arcs: active.legs,
    start: active.plan.offer.start,
    delta: active.plan.offer.delta,
    held: heldParties(active),
    observed,
    times: heads.map((h) => h?.timestamp ?? 0n),
    ...(offsets.every((o) => o !== undefined) ? { clockOffsets: offsets.map((o) => BigInt(Math.round(o!))) } : {}),
    ...(active.leaderSecret ? { leaderSecret: active.leaderSecret } : {}),
    ...(active.revealed ? { revealedSecret: active.revealed } : {}),
    ...(active.row.neverReveal ? { noReveal: true } : {}),
    // The follower's vow (an abort consent for leg A before escrowing leg B): no premium, no escrow.
    ...(active.row.neverEscrow ? { noEscrow: new Set([1]) } : {}),
    pending: arcPending(pending),
    margins,
    settleGrace: BigInt(src.config.settleGrace),
    ...(src.config.faults.haltAfterStep !== undefined ? { haltAfterStep: src.config.faults.haltAfterStep } : {}),
  };
}

/** The parties this process holds: a cycle's held indexes; a two-party swap's roles (leader 0, follower 1). */
export function heldParties(active: Active): ReadonlySet<number> {
  if (active.kind === "cycle") return active.held;
  return new Set([...(active.row.roles.leader ? [0] : []), ...(active.row.roles.follower ? [1] : [])]);
}

/** Party i's address: a cycle's `parties[i]`; a two-party swap's leader (0) or follower (1). */
export function partyAddress(active: Active, i: number): string {
  if (active.kind === "cycle") return active.plan.parties[i]!;
  return i === 0 ? active.plan.offer.leader : active.plan.offer.follower;
}
