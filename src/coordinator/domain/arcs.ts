/**
 * Per-arc state and the swap's generic status from what the chains show, for a cycle of any size
 * (`PROTOCOLS.md` §7; n = 2 is §3's legs A and B). Pure: the engine reads each arc's leg at its chain's
 * final block and each chain's clock, and these functions say where every arc and the swap stand.
 */
import { HedgeSwapError, InvalidArgumentError, LegState, wasCreated, wasEscrowed, type LegObservation, type Timelocks } from "../../sdk";
import { checkCycleStatus, type CycleStatus } from "./phase";

/** Where one arc (one leg) is. `redeemed`, `refunded`, `premiumRefunded`, `aborted` and `expired` are final. */
export type ArcStatus = "open" | "premium" | "escrowed" | "redeemed" | "refunded" | "premiumRefunded" | "aborted" | "expired";

/**
 * The arc transition table (the contract's rules, §2): a premium or, for a plain leg, the principal
 * creates the leg; an escrowed leg is redeemed, refunded or aborted; a premium-only leg is settled back
 * to its depositor or aborted; a leg never created is `expired` once its premium deadline passed.
 */
export const ARC_TRANSITIONS: Readonly<Record<ArcStatus, readonly ArcStatus[]>> = {
  open: ["premium", "escrowed", "aborted", "expired"],
  premium: ["escrowed", "premiumRefunded", "aborted"],
  escrowed: ["redeemed", "refunded", "aborted"],
  redeemed: [],
  refunded: [],
  premiumRefunded: [],
  aborted: [],
  expired: [],
};

/** An arc's status from its observation at the final block and its chain's clock. */
export function arcStatusOf(o: LegObservation, timelocks: Timelocks, time: bigint): ArcStatus {
  if (o.outcome !== undefined) return o.outcome;
  switch (o.state) {
    case LegState.PremiumDeposited:
      return "premium";
    case LegState.Escrowed:
      return "escrowed";
    case LegState.Aborted:
      return "aborted";
    default:
      return time > timelocks.premiumDeadline ? "expired" : "open";
  }
}

/** Thrown when an arc's status change is not in `ARC_TRANSITIONS` (and is not a reopening after a reorganisation). */
export class IllegalArcTransitionError extends HedgeSwapError {
  constructor(
    readonly swapId: string,
    readonly arc: number,
    readonly from: ArcStatus,
    readonly to: ArcStatus,
  ) {
    super("ILLEGAL_ARC_TRANSITION", "the arc status change is not in the arc transition table", { swapId, arc, from, to });
  }
}

/** Throws `IllegalArcTransitionError` unless `from → to` is in `ARC_TRANSITIONS`. */
export function checkArcTransition(swapId: string, arc: number, from: ArcStatus, to: ArcStatus): void {
  if (!ARC_TRANSITIONS[from].includes(to)) throw new IllegalArcTransitionError(swapId, arc, from, to);
}

/** True when nothing more can happen to the arc. */
export function isFinalArc(s: ArcStatus): boolean {
  return ARC_TRANSITIONS[s].length === 0;
}

/** What `cycleStatusOf` looks at: the cycle's schedule, every arc's observation and chain clock, and the recorded status. */
export interface ArcsView {
  readonly n: number;
  /** T0 and Δ: step k's deadline is `start + k·delta`. */
  readonly start: bigint;
  readonly delta: bigint;
  readonly arcs: readonly { readonly terms: { readonly timelocks: Timelocks } }[];
  /** Arc i's leg at its chain's final block. */
  readonly observed: readonly LegObservation[];
  /** Arc i's chain clock (its latest block's timestamp). */
  readonly times: readonly bigint[];
  /** The status recorded so far (a recorded commit stands while arc n−1's timeout has not passed). */
  readonly recorded: CycleStatus;
}

/** The furthest step the chains show: escrow of arc i is step n+1+i, its premium step n−i; 0 when none. */
export function furthestStep(n: number, observed: readonly LegObservation[]): number {
  let step = 0;
  observed.forEach((o, i) => {
    const s = wasEscrowed(o) ? n + 1 + i : wasCreated(o) ? n - i : 0;
    if (s > step) step = s;
  });
  return step;
}

/**
 * The swap's status from the chains, generic over n (for n = 2 exactly the engine's two-party status):
 * - every arc final: `completed` if every arc was redeemed, else `settled`;
 * - arc n−1 redeemed (the reveal landed): `completed` once every arc is, else `revealed`;
 * - a recorded commit stands while arc n−1's timeout has not passed;
 * - a step missed on its chain's clock (a premium, an escrow, or the reveal past arc n−1's timeout): `aborting`;
 * - else the furthest step shown: `escrows@k`, `premiums@k`, or `accepted`.
 */
export function cycleStatusOf(v: ArcsView): CycleStatus {
  const { n } = v;
  if (v.arcs.length !== n || v.observed.length !== n || v.times.length !== n) {
    throw new InvalidArgumentError("arcs", `a ${n}-party swap needs ${n} arcs, observations and clocks`, { arcs: v.arcs.length, observed: v.observed.length, times: v.times.length });
  }
  checkCycleStatus(n, v.recorded);
  const statuses = v.observed.map((o, i) => arcStatusOf(o, v.arcs[i]!.terms.timelocks, v.times[i]!));
  const d = (k: number) => v.start + BigInt(k) * v.delta;
  if (statuses.every(isFinalArc)) return { phase: statuses.every((s) => s === "redeemed") ? "completed" : "settled", step: 0 };
  const last = n - 1;
  if (v.observed[last]!.outcome === "redeemed") return { phase: v.observed.every((o) => o.outcome === "redeemed") ? "completed" : "revealed", step: 0 };
  let missed = v.times[last]! > d(2 * n + 1);
  for (let k = 1; k <= n && !missed; k++) {
    const arc = n - k;
    missed = !wasCreated(v.observed[arc]!) && v.times[arc]! > d(k);
  }
  for (let i = 0; i < n && !missed; i++) missed = !wasEscrowed(v.observed[i]!) && v.times[i]! > d(n + 1 + i);
  if (v.recorded.phase === "committed" && v.times[last]! <= d(2 * n + 1)) return v.recorded;
  if (missed) return { phase: "aborting", step: 0 };
  const step = furthestStep(n, v.observed);
  if (step > n) return { phase: "escrows", step };
  if (step > 0) return { phase: "premiums", step };
  return { phase: "accepted", step: 0 };
}
