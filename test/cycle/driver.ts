/**
 * The seam between the cycle harness and whatever drives a party: the harness moves the clocks and asks
 * every party's driver to act, one after the other, once per round; a driver looks at the chains, sends
 * its party's transactions and resolves once they are mined, reporting what it did. The harness knows
 * nothing of how a driver decides: the SDK driver asks `decideCycleNext`, the reference driver follows
 * §7's table, a coordinator-process driver would hand the round to a coordinator and wait for it.
 *
 * Also here: what the chains show of a cycle (`observeCycle`), read at each chain's latest block (the
 * final block: the chains automine, so confirmation time is 0).
 */
import type { Wallet } from "ethers";

import { LegState, getLegStatus, type CyclePlan, type LegObservation, type LegStatus } from "../../src/sdk";
import type { CycleWorld } from "./world";

/** What a driver gets once per cycle. */
export interface DriverContext {
  readonly world: CycleWorld;
  readonly plan: CyclePlan;
  /** The party's index: 0 is the leader. */
  readonly index: number;
  /** The party's key (connect it to a chain's provider to send there). */
  readonly wallet: Wallet;
  /** The leader's secret: given to party 0 only. */
  readonly secret?: string;
  /** The deviator's stop point: take no protocol step numbered above it. */
  readonly haltAfterStep?: number;
  /** Per-arc margins (seconds) and settle grace the world's rounds are planned for. */
  readonly reaction: bigint;
  readonly settleGrace: bigint;
}

/** One round of a cycle. */
export interface Round {
  /** The Δ slot the clocks are in (1 … 3n), or "end": past every deadline and the settle grace. */
  readonly slot: number | "end";
  /** The chains' view now (cached by the harness until a driver reports an action). */
  observe(): Promise<CycleObservation>;
}

/** One transaction a driver sent (or tried to). */
export interface ActionRecord {
  readonly party: number;
  readonly step: number | "settle";
  readonly arc: number;
  readonly action: "depositPremium" | "escrow" | "redeem" | "settle";
  readonly hash?: string;
  /** Set when sending failed or the transaction reverted. */
  readonly error?: string;
}

/** A step the party would take but no longer can (the rule's `missed`). */
export interface MissedRecord {
  readonly party: number;
  readonly step: number | "settle";
  readonly reason: string;
  readonly deadline: bigint;
}

/** What a driver did in one round. */
export interface ActReport {
  readonly actions: readonly ActionRecord[];
  readonly missed: readonly MissedRecord[];
}

/** Drives one party through one cycle. */
export interface PartyDriver {
  /** Takes the party's actions for this round; resolves once every transaction it sent is mined. */
  act(round: Round): Promise<ActReport>;
  /** Called once after the cycle (also when it failed). */
  close(): Promise<void>;
}

/** Makes a party's driver for one cycle. */
export type DriverFactory = (ctx: DriverContext) => PartyDriver | Promise<PartyDriver>;

/** What the chains show of a cycle. */
export interface CycleObservation {
  /** Arc i's leg, `LegObservation` as the SDK rules take it. */
  readonly legs: readonly LegObservation[];
  /** Arc i's status as `getLegStatus` reads it (outcome events included). */
  readonly statuses: readonly LegStatus[];
  /** Arc i's chain clock: its latest block's timestamp. */
  readonly times: readonly bigint[];
  /** The secret, once a redeem on any arc has revealed it. */
  readonly revealedSecret?: string;
}

/** The `LegObservation` of a status: the stored state, and the outcome of a finished leg. */
export function observationOf(s: LegStatus): LegObservation {
  switch (s.kind) {
    case "absent":
      return { state: LegState.None };
    case "premiumDeposited":
      return { state: LegState.PremiumDeposited };
    case "escrowed":
      return { state: LegState.Escrowed };
    case "aborted":
      return { state: LegState.Aborted, outcome: "aborted" };
    default:
      return { state: LegState.None, outcome: s.kind };
  }
}

/** Reads every arc of `plan` on its chain (events from `fromBlocks[i]` on) and every chain's clock. */
export async function observeCycle(w: CycleWorld, plan: CyclePlan, fromBlocks: readonly number[]): Promise<CycleObservation> {
  const [statuses, times] = await Promise.all([
    Promise.all(plan.arcs.map((a, i) => getLegStatus(w.providers[i]!, a, { fromBlock: fromBlocks[i]! }))),
    Promise.all(plan.arcs.map(async (_, i) => BigInt((await w.providers[i]!.getBlock("latest"))!.timestamp))),
  ]);
  const revealed = statuses.find((s): s is Extract<LegStatus, { kind: "redeemed" }> => s.kind === "redeemed");
  return { legs: statuses.map(observationOf), statuses, times, ...(revealed ? { revealedSecret: revealed.secret } : {}) };
}

/** A short error text for a report. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message.split("\n")[0]}`;
  return String(e);
}
