/**
 * A swap's status generic over the number of parties n (`PROTOCOLS.md` §7): a **phase** and the
 * furthest protocol **step** the chains show, with one transition table for every n. The two-party
 * statuses the coordinator records today (`SwapStatus`: `premiumB`, `premiumA`, `escrowedA`, …) are
 * the n = 2 names of the same states (`twoPartyStatus`, `phaseOfTwoPartyStatus`), so the existing
 * routes, metrics and databases keep their words while the engine reasons about arcs.
 *
 * Happy path of an n-cycle: accepted → premiums (steps 1 … n, backwards from the leader's premium on
 * arc n−1) → escrows (steps n+1 … 2n, forwards from the leader's escrow of arc 0) → committed (the
 * leader's durable decision to reveal) → revealed (step 2n+1 landed: arc n−1 redeemed) → completed
 * (every arc redeemed). Abort: any status before revealed → aborting → settled; aborting → committed
 * while the leader may still redeem arc n−1 (arc 0 can never be escrowed any more).
 */
import { InvalidArgumentError, MAX_CYCLE_PARTIES, MIN_CYCLE_PARTIES } from "../../sdk";
import type { SwapStatus } from "./status";

/** Where a swap of any size is. `completed` and `settled` are final. */
export type SwapPhase = "accepted" | "premiums" | "escrows" | "committed" | "revealed" | "completed" | "aborting" | "settled";

/**
 * A swap's generic status: its phase and, in the phases `premiums` and `escrows`, the furthest step the
 * chains show (1 … n for premiums, n+1 … 2n for escrows; 0 otherwise).
 */
export interface CycleStatus {
  readonly phase: SwapPhase;
  readonly step: number;
}

/** The phases in happy-path order. */
export const PHASE_ORDER: readonly SwapPhase[] = ["accepted", "premiums", "escrows", "committed", "revealed", "completed"];

/**
 * The phase transition table: for each phase, the phases it may move to. Within `premiums` and
 * `escrows` a move to the same phase is allowed when the step grows (`mayMove` checks it).
 */
export const PHASE_TRANSITIONS: Readonly<Record<SwapPhase, readonly SwapPhase[]>> = {
  accepted: ["premiums", "escrows", "committed", "revealed", "completed", "aborting", "settled"],
  premiums: ["premiums", "escrows", "committed", "revealed", "completed", "aborting", "settled"],
  escrows: ["escrows", "committed", "revealed", "completed", "aborting", "settled"],
  // Once committed, the leader's redeem of arc n−1 is the only way forward; if it cannot land, aborting.
  committed: ["revealed", "completed", "aborting", "settled"],
  // The reveal landed: the others redeem (completed) or an arc times out (settled).
  revealed: ["completed", "settled"],
  aborting: ["committed", "settled"],
  completed: [],
  settled: [],
};

/** Throws `InvalidArgumentError` unless n is an integer in [2, 8]. */
function checkN(n: number): void {
  if (!Number.isInteger(n) || n < MIN_CYCLE_PARTIES || n > MAX_CYCLE_PARTIES) throw new InvalidArgumentError("n", `must be an integer in [${MIN_CYCLE_PARTIES}, ${MAX_CYCLE_PARTIES}]`, n);
}

/** Throws `InvalidArgumentError` unless `s` is a status an n-cycle can be in. */
export function checkCycleStatus(n: number, s: CycleStatus): void {
  checkN(n);
  if (!(s.phase in PHASE_TRANSITIONS)) throw new InvalidArgumentError("phase", "is not a swap phase", s.phase);
  const ok = s.phase === "premiums" ? s.step >= 1 && s.step <= n : s.phase === "escrows" ? s.step >= n + 1 && s.step <= 2 * n : s.step === 0;
  if (!Number.isInteger(s.step) || !ok) throw new InvalidArgumentError("step", `does not fit phase ${s.phase} of a ${n}-party swap`, s.step);
}

/** True when the table allows `from → to` for an n-cycle (a move to the same status is not a move). */
export function mayMove(n: number, from: CycleStatus, to: CycleStatus): boolean {
  checkCycleStatus(n, from);
  checkCycleStatus(n, to);
  if (!PHASE_TRANSITIONS[from.phase].includes(to.phase)) return false;
  return from.phase !== to.phase || to.step > from.step;
}

/** True when no transition leaves the phase. */
export function isFinalPhase(phase: SwapPhase): boolean {
  return PHASE_TRANSITIONS[phase].length === 0;
}

/** Every status of an n-cycle, happy path first (accepted, premiums 1 … n, escrows n+1 … 2n, …), then aborting and settled. */
export function cycleStatuses(n: number): CycleStatus[] {
  checkN(n);
  const out: CycleStatus[] = [{ phase: "accepted", step: 0 }];
  for (let k = 1; k <= n; k++) out.push({ phase: "premiums", step: k });
  for (let k = n + 1; k <= 2 * n; k++) out.push({ phase: "escrows", step: k });
  for (const phase of ["committed", "revealed", "completed", "aborting", "settled"] as const) out.push({ phase, step: 0 });
  return out;
}

const TWO_PARTY: ReadonlyArray<readonly [SwapStatus, CycleStatus]> = [
  ["accepted", { phase: "accepted", step: 0 }],
  ["premiumB", { phase: "premiums", step: 1 }],
  ["premiumA", { phase: "premiums", step: 2 }],
  ["escrowedA", { phase: "escrows", step: 3 }],
  ["escrowedB", { phase: "escrows", step: 4 }],
  ["committed", { phase: "committed", step: 0 }],
  ["redeemedB", { phase: "revealed", step: 0 }],
  ["completed", { phase: "completed", step: 0 }],
  ["aborting", { phase: "aborting", step: 0 }],
  ["settled", { phase: "settled", step: 0 }],
];

/** The two-party status name of a status of a 2-cycle (`premiumB` is step 1, `escrowedB` step 4, `redeemedB` revealed). */
export function twoPartyStatus(s: CycleStatus): SwapStatus {
  checkCycleStatus(2, s);
  return TWO_PARTY.find(([, c]) => c.phase === s.phase && c.step === s.step)![0];
}

/** The generic status of a two-party status name. */
export function phaseOfTwoPartyStatus(status: SwapStatus): CycleStatus {
  const hit = TWO_PARTY.find(([name]) => name === status);
  if (!hit) throw new InvalidArgumentError("status", "is not a two-party swap status", status);
  return hit[1];
}

const HAPPY = new Map<number, readonly CycleStatus[]>();

/** The happy path of an n-cycle (every status but aborting and settled, in order), made once per n. */
function happyPath(n: number): readonly CycleStatus[] {
  let path = HAPPY.get(n);
  if (!path) HAPPY.set(n, (path = cycleStatuses(n).filter((s) => s.phase !== "aborting" && s.phase !== "settled")));
  return path;
}

/** A short label of a status for logs and the API: `premiums@2`, `escrows@5`, or the phase. */
export function statusLabel(s: CycleStatus): string {
  return s.phase === "premiums" || s.phase === "escrows" ? `${s.phase}@${s.step}` : s.phase;
}

/** A status as the store records it for a cycle of three or more parties: the phase, with the step in `premiums` and `escrows`. */
export type CycleLabel = "accepted" | `premiums@${number}` | `escrows@${number}` | "committed" | "revealed" | "completed" | "aborting" | "settled";

/** A status as the store records it: the two-party name for n = 2 (as every release wrote it), the generic label for larger cycles. */
export type StoredStatus = SwapStatus | CycleLabel;

/** The recorded form of a status of an n-cycle: `twoPartyStatus` for n = 2, `statusLabel` otherwise. */
export function storedStatus(n: number, s: CycleStatus): StoredStatus {
  checkCycleStatus(n, s);
  return n === 2 ? twoPartyStatus(s) : (statusLabel(s) as CycleLabel);
}

/** The generic status of a recorded one (`InvalidArgumentError` when it is not a status of an n-cycle). */
export function parseStoredStatus(n: number, recorded: string): CycleStatus {
  if (n === 2) return phaseOfTwoPartyStatus(recorded as SwapStatus);
  const m = /^(premiums|escrows)@([0-9]+)$/.exec(recorded);
  const s: CycleStatus = m ? { phase: m[1] as SwapPhase, step: Number(m[2]) } : { phase: recorded as SwapPhase, step: 0 };
  checkCycleStatus(n, s);
  return s;
}

/** True when the recorded status is final (`completed` or `settled`, for every n). */
export function isFinalStored(recorded: string): boolean {
  return recorded === "completed" || recorded === "settled";
}

/**
 * The statuses a move writes, in order: along the happy path of an n-cycle every status in between
 * (`committed` only when it is the target), so that each step boundary is crossed on its own;
 * otherwise `to` alone (nothing when equal). The n-generic form of the two-party `statusPath`.
 */
export function cycleStatusPath(n: number, from: CycleStatus, to: CycleStatus): CycleStatus[] {
  const happy = happyPath(n);
  const same = (a: CycleStatus, b: CycleStatus) => a.phase === b.phase && a.step === b.step;
  const i = happy.findIndex((s) => same(s, from));
  const j = happy.findIndex((s) => same(s, to));
  if (i < 0 || j < 0 || j <= i) return same(from, to) ? [] : [to];
  return happy.slice(i + 1, j + 1).filter((s) => s.phase !== "committed" || same(s, to));
}
