/**
 * The fault suite's scenario table: every fault at every step it can hit (3 to 6), each with and
 * without a restart of the faulted party's coordinator in the middle of the fault, and the rows of
 * the matrix each may end on (`expected.ts`). `npm test` runs one representative of each fault kind;
 * `HEDGESWAP_FAULTS=all` (`npm run test:faults`) runs the whole table.
 */
import { allowedRows, clockJumpRows, walkAwayRows, type FaultStep, type Row, type Timing } from "./expected";

/** The faults, each hitting the party of the step (or, where said, the chain or the other party). */
export type FaultKind =
  /** The party's RPC of the step's chain hangs from its step's broadcast on, for 50% of Δ. */
  | "outage-50"
  /** The same, failing with HTTP 503 instead of hanging, for 90% of Δ. */
  | "outage-90"
  /** The RPC hangs from the broadcast until after the step's deadline (both clocks moved past it). */
  | "outage-past"
  /** The step's transaction reaches the node and is dropped from its mempool (`hardhat_dropTransaction`). */
  | "dropped"
  /** The step's broadcast is answered with its hash and never forwarded (the node lost it). */
  | "swallowed"
  /** A base-fee spike above the fee cap from the step's broadcast until after its deadline. */
  | "spike-past"
  /** A base-fee spike for 50% of Δ while the party holds enough gas coin for normal fees only. */
  | "spike-poor"
  /** A reorganisation deeper than the confirmations removes the step's transaction (escrow or redeem) after the parties took it as final. */
  | "reorg"
  /** The step's party walks away; the other party's settle is removed by a reorganisation deeper than the confirmations. */
  | "reorg-settle"
  /** Chain A's clock jumps past every deadline just before the step (chain B "behind"). */
  | "clock-A-ahead"
  /** Chain B's clock jumps past every deadline just before the step (chain A "behind"). */
  | "clock-B-ahead"
  /** The party's coordinator is restarted while its RPC of the other chain hangs, until past the step's deadline. */
  | "down-restart";

/** Every fault kind, in the table's order. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "outage-50",
  "outage-90",
  "outage-past",
  "dropped",
  "swallowed",
  "spike-past",
  "spike-poor",
  "reorg",
  "reorg-settle",
  "clock-A-ahead",
  "clock-B-ahead",
  "down-restart",
];

/** The steps every fault is tried at. */
export const FAULT_STEPS: readonly FaultStep[] = [3, 4, 5, 6];

/** One run of the suite. */
export interface Scenario {
  /** `<kind>@<step>` and `+restart` when the faulted party's coordinator restarts in the middle of the fault. */
  readonly id: string;
  readonly kind: FaultKind;
  readonly step: FaultStep;
  readonly restart: boolean;
  /** The rows of the matrix the run may end on. */
  readonly rows: readonly Row[];
}

/** How each fault leaves the step's party against its deadline (see `Timing`); clock jumps and walk-aways have their own rows. */
const TIMING: Partial<Record<FaultKind, Timing>> = {
  "outage-50": "in-time",
  "outage-90": "marginal",
  "outage-past": "too-late",
  dropped: "in-time",
  swallowed: "in-time",
  "spike-past": "too-late",
  "spike-poor": "in-time",
  reorg: "in-time",
  "down-restart": "in-time",
};

function rowsOfScenario(kind: FaultKind, step: FaultStep): Row[] {
  if (kind === "clock-A-ahead") return clockJumpRows(step, "A");
  if (kind === "clock-B-ahead") return clockJumpRows(step, "B");
  if (kind === "reorg-settle") return walkAwayRows(step);
  return allowedRows(step, TIMING[kind]!);
}

/** The scenario of `kind` at `step`, with or without the restart. */
export function scenario(kind: FaultKind, step: FaultStep, restart: boolean): Scenario {
  return { id: `${kind}@${step}${restart ? "+restart" : ""}`, kind, step, restart, rows: rowsOfScenario(kind, step) };
}

/** The whole table: every kind × step × with and without restart. */
export function allScenarios(): Scenario[] {
  return FAULT_KINDS.flatMap((kind) => FAULT_STEPS.flatMap((step) => [scenario(kind, step, false), scenario(kind, step, true)]));
}

/**
 * One representative per fault kind, at the step where the kind hurts most (the leader's reveal for
 * faults that can republish it, the follower's escrow for the clock jump that should stop it), some
 * with the restart so both paths run in `npm test`.
 */
export function representativeScenarios(): Scenario[] {
  return [
    scenario("outage-50", 4, false),
    scenario("outage-past", 5, false),
    scenario("outage-90", 5, true),
    scenario("dropped", 3, false),
    scenario("swallowed", 6, true),
    scenario("spike-past", 5, false),
    scenario("spike-poor", 4, false),
    scenario("reorg", 3, false),
    scenario("reorg-settle", 4, true),
    scenario("clock-A-ahead", 4, false),
    scenario("clock-B-ahead", 5, false),
    scenario("down-restart", 6, false),
  ];
}

/**
 * The scenarios to run, from `HEDGESWAP_FAULTS`: unset → the representatives; `all` → the table;
 * otherwise a comma-separated list of ids or kinds (`reorg,outage-past@5+restart`).
 */
export function selectScenarios(env: string | undefined): Scenario[] {
  const value = (env ?? "").trim();
  if (value === "") return representativeScenarios();
  const table = allScenarios();
  if (value === "all") return table;
  const wanted = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const picked = table.filter((s) => wanted.includes(s.id) || wanted.includes(s.kind));
  const unknown = wanted.filter((w) => !table.some((s) => s.id === w || s.kind === w));
  if (unknown.length > 0) throw new Error(`HEDGESWAP_FAULTS: no scenario or kind ${unknown.join(", ")} (kinds: ${FAULT_KINDS.join(", ")})`);
  return picked;
}
