/**
 * The engine's pure core for a swap of any size (`PROTOCOLS.md` §3, §7; two parties are the 2-cycle
 * of legs A and B): from the rule's view and the recorded status, the swap's status (one transition
 * table for every n, `domain/phase.ts`), the final outcome's label and the actions to take now. The
 * actions are the SDK rule's (`decideCycleNext`), the same rule `recover` asks. No I/O.
 */
import { LegState, decideCycleNext, type CycleIntent, type CycleMissed, type CycleView, type LegObservation } from "../../sdk";
import { cycleStatusOf } from "../domain/arcs";
import { parseStoredStatus, storedStatus, type CycleStatus, type StoredStatus } from "../domain/phase";

/**
 * The label of a finished swap, from how each leg ended: the matrix ids (S0–S5), "completed", the
 * option's "exercised"/"abandoned", and "aborted" once a leg was cooperatively aborted and neither
 * was redeemed (the other leg aborted too, refunded, its premium refunded, or never created; each
 * leg's own outcome stays in `GET /swaps/:id`). Anything else: `A:<outcome> B:<outcome>`.
 */
export function outcomeLabel(kind: "hedged-swap" | "option", a: LegObservation, b: LegObservation): string {
  const o = (l: LegObservation) => l.outcome ?? (l.state === LegState.Aborted ? "aborted" : "never");
  const key = `${o(a)}/${o(b)}`;
  if ((o(a) === "aborted" || o(b) === "aborted") && o(a) !== "redeemed" && o(b) !== "redeemed") return "aborted";
  const table: Record<string, string> = {
    "redeemed/redeemed": kind === "option" ? "exercised" : "completed",
    "never/never": "S0",
    "never/premiumRefunded": "S1",
    "premiumRefunded/premiumRefunded": "S2",
    "refunded/premiumRefunded": "S3",
    "refunded/refunded": kind === "option" ? "abandoned" : "S4",
    "refunded/redeemed": "S5",
  };
  return table[key] ?? `A:${o(a)} B:${o(b)}`;
}

/** What `decideSwap` returns. */
export interface CycleDecision {
  readonly status: StoredStatus;
  readonly outcome?: string;
  readonly intents: readonly CycleIntent[];
  readonly missed: readonly CycleMissed[];
}

/**
 * The label of a finished cycle: `completed` when every arc was redeemed; for two parties the
 * scenario matrix's ids (S0–S5, "aborted"); else each arc's end in arc order, e.g.
 * `0:refunded 1:redeemed 2:redeemed` (a leg never created reads `never`).
 */
export function cycleOutcomeLabel(observed: readonly LegObservation[], kind: "hedged-swap" | "option" = "hedged-swap"): string {
  if (observed.length === 2) return outcomeLabel(kind, observed[0]!, observed[1]!);
  const end = (l: LegObservation) => l.outcome ?? (l.state === LegState.Aborted ? "aborted" : "never");
  if (observed.every((l) => l.outcome === "redeemed")) return "completed";
  return observed.map((l, i) => `${i}:${end(l)}`).join(" ");
}

/** The swap's status and the actions to take now, given the status recorded so far (`kind`: a two-party option's outcome labels). */
export function decideSwap(v: CycleView, recorded: StoredStatus, kind: "hedged-swap" | "option" = "hedged-swap"): CycleDecision {
  const n = v.n;
  const from = parseStoredStatus(n, recorded);
  let status: CycleStatus = cycleStatusOf({ n, start: v.start, delta: v.delta, arcs: v.arcs, observed: v.observed, times: v.times, recorded: from });
  const next = decideCycleNext(v);
  // A leader that can no longer reveal safely takes the abort branch for good (unless already committed).
  const reveal = 2 * n + 1;
  const over = status.phase === "settled" || status.phase === "completed" || status.phase === "revealed";
  if (status.phase !== "committed" && !over && next.missed.some((m) => m.step === reveal && m.reason === "reveal-margin")) status = { phase: "aborting", step: 0 };
  const final = status.phase === "settled" || status.phase === "completed";
  return { status: storedStatus(n, status), ...(final ? { outcome: cycleOutcomeLabel(v.observed, kind) } : {}), intents: next.intents, missed: next.missed };
}
