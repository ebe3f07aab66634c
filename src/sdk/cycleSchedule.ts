/**
 * The schedule of a hedged cycle (`PROTOCOLS.md` §7) as pure arithmetic on n and Δ: every arc's three
 * deadlines, the 3n steps (who, which arc, what), the premium rule and each party's lock-up window. The
 * two-party planner (§3) takes its deadlines and steps from here with n = 2: arc 0 is leg A, arc 1 leg B.
 */
import { CycleSizeError, InvalidArgumentError } from "./errors";
import type { StepAction } from "./plan";
import { PremiumMode, type Timelocks } from "./timelocks";

/** The fewest parties of a cycle. */
export const MIN_CYCLE_PARTIES = 2;

/** The most parties of a cycle. */
export const MAX_CYCLE_PARTIES = 8;

/** An arc's deadlines as multiples of Δ after the start T0. */
export interface ArcDeadlineSlots {
  /** `n − i`. */
  readonly premium: bigint;
  /** `n + 1 + i`. */
  readonly escrow: bigint;
  /** `3n − i`. */
  readonly timeout: bigint;
}

/** One of the 3n steps of a cycle, without amounts: step number (its deadline is `T0 + step·Δ`), party index, arc, action. */
export interface CycleStepSlot {
  readonly step: number;
  /** The index of the acting party: 0 is the leader. */
  readonly party: number;
  readonly arc: number;
  readonly action: StepAction;
}

/** Refuses an n outside [2, 8] (`CycleSizeError`) or not an integer (`InvalidArgumentError`). */
export function checkCycleSize(n: number): number {
  if (typeof n !== "number" || !Number.isInteger(n)) throw new InvalidArgumentError("n", "must be an integer", n);
  if (n < MIN_CYCLE_PARTIES || n > MAX_CYCLE_PARTIES) throw new CycleSizeError(n, MIN_CYCLE_PARTIES, MAX_CYCLE_PARTIES);
  return n;
}

function checkArc(n: number, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new InvalidArgumentError("arc", `must be an integer in [0, ${n - 1}]`, i);
}

/** §7's deadlines of arc `i` of an n-cycle, in Δ after T0: premium `(n−i)`, escrow `(n+1+i)`, timeout `(3n−i)`. */
export function arcDeadlineSlots(n: number, i: number): ArcDeadlineSlots {
  checkCycleSize(n);
  checkArc(n, i);
  const [bn, bi] = [BigInt(n), BigInt(i)];
  return { premium: bn - bi, escrow: bn + 1n + bi, timeout: 3n * bn - bi };
}

/** Arc `i`'s timelocks for start `start` and step `delta`: `start + slot·delta` for each slot of `arcDeadlineSlots`. */
export function arcTimelocks(n: number, i: number, start: bigint, delta: bigint, mode: PremiumMode = PremiumMode.Hedge): Timelocks {
  const s = arcDeadlineSlots(n, i);
  return { premiumDeadline: start + s.premium * delta, escrowDeadline: start + s.escrow * delta, timeout: start + s.timeout * delta, mode };
}

/**
 * §7's 3n steps in order: k = 1 … n, party `(n−k+1) mod n` deposits the premium of arc `n−k` (the leader
 * first, on arc n−1); n+1+i, party i escrows arc i; 2n+1, the leader redeems arc n−1 (revealing s);
 * 2n+1+j, party `n−j` redeems its incoming arc `n−1−j`. Step k's deadline is `T0 + kΔ`, which is the
 * premium deadline, escrow deadline or timeout of its arc.
 */
export function cycleStepSlots(n: number): CycleStepSlot[] {
  checkCycleSize(n);
  const steps: CycleStepSlot[] = [];
  for (let k = 1; k <= n; k++) steps.push({ step: k, party: (n - k + 1) % n, arc: n - k, action: "depositPremium" });
  for (let i = 0; i < n; i++) steps.push({ step: n + 1 + i, party: i, arc: i, action: "escrow" });
  steps.push({ step: 2 * n + 1, party: 0, arc: n - 1, action: "redeem" });
  for (let j = 1; j < n; j++) steps.push({ step: 2 * n + 1 + j, party: n - j, arc: n - 1 - j, action: "redeem" });
  return steps;
}

/**
 * §7's premium rule: arc i carries `c_0 + … + c_i`. Returns the n cumulative sums of `compensations`
 * (one per party, P0 first). Does not check the signs (`planCycle` does).
 */
export function cyclePremiums(compensations: readonly bigint[]): bigint[] {
  let sum = 0n;
  return compensations.map((c) => (sum += c));
}

/**
 * Each party's worst-case lock-up window under §7's schedule when each step is taken in its own Δ slot:
 * party j escrows arc j just after `T0 + (n+j)Δ` and, if the deal aborts, gets it back after arc j's timeout
 * `T0 + (3n−j)Δ`, so `(2n − 2j)Δ`. For n = 2 these are `hedgeLockTimes`'s 4Δ (the leader) and 2Δ.
 */
export function cycleLockSeconds(n: number, delta: bigint): bigint[] {
  checkCycleSize(n);
  if (typeof delta !== "bigint" || delta <= 0n) throw new InvalidArgumentError("delta", "must be a positive bigint number of seconds", delta);
  return Array.from({ length: n }, (_, j) => BigInt(2 * n - 2 * j) * delta);
}
