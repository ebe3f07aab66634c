/**
 * The fault suite's model of what each run must end with: the rows of the scenario matrix
 * (`PROTOCOLS.md` §3) a run may end on, from the fault, the step it hits and whether the fault lets
 * the step's party act in time. Pure: no chain, no coordinator. The rows' holdings come from the
 * adversarial suite's oracle (`holdingsAfter` over `ROWS`), so both suites read the matrix one way.
 *
 * The rule (§5, §6): a transient fault costs a conforming party at most the row of "a party that
 * could not act in time": when the fault leaves the step's party enough time after it ends (the §6
 * margins: inclusion time + confirmations × block interval + clock skew + reaction margin), the run
 * must end as S6; when it does not (the fault outlasts the step's deadline), it ends on S(k-1), the
 * row where the party stopped, and the other party ends as that row says. Between the two (a fault
 * that ends inside the margins) either row is allowed, never another.
 */
import { ROWS, holdingsAfter, type Terms } from "../adversary/oracle";

/** The steps a fault hits (steps 1 and 2 are premiums; the suite starts at the first principal). */
export type FaultStep = 3 | 4 | 5 | 6;
/** A matrix row, by index: S0 … S6. */
export type Row = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Which party takes each step. */
export const STEP_PARTY: Readonly<Record<FaultStep, "alice" | "bob">> = { 3: "alice", 4: "bob", 5: "alice", 6: "bob" };
/** The chain each step lands on. */
export const STEP_CHAIN: Readonly<Record<FaultStep, "A" | "B">> = { 3: "A", 4: "B", 5: "B", 6: "A" };

/** The matrix swap of the suite (a = b = 100, p_b = 1, the leader's deposit p_a + p_b = 3), in whole units. */
export const MATRIX_TERMS: Terms = {
  start: 0n,
  delta: 1n,
  legA: { principal: 100n, premium: 1n, option: false },
  legB: { principal: 100n, premium: 3n, option: false },
};

/** Whole-unit holdings of both parties on both chains. */
export interface Holdings {
  readonly aliceAPR: bigint;
  readonly aliceBAN: bigint;
  readonly bobAPR: bigint;
  readonly bobBAN: bigint;
}

/** The holdings of matrix row `row` (S0 … S6). */
export function rowHoldings(row: Row): Holdings {
  const [a, b] = ROWS[row]!;
  const h = holdingsAfter(MATRIX_TERMS, a, b);
  return { aliceAPR: h.alice.A, aliceBAN: h.alice.B, bobAPR: h.bob.A, bobBAN: h.bob.B };
}

/** The matrix rows these holdings are (S1 and S2 hold the same; the lowest index first); empty when none. */
export function rowsOf(h: Holdings): Row[] {
  const same = (x: Holdings) => x.aliceAPR === h.aliceAPR && x.aliceBAN === h.aliceBAN && x.bobAPR === h.bobAPR && x.bobBAN === h.bobBAN;
  return ([0, 1, 2, 3, 4, 5, 6] as Row[]).filter((r) => same(rowHoldings(r)));
}

/** How a fault leaves the step's party placed against the step's deadline. */
export type Timing =
  /** The fault ends with at least the §6 margins left before the deadline: the party must act (S6). */
  | "in-time"
  /** The fault ends inside the margins: the party may or may not land the step (S6 or S(k-1)). */
  | "marginal"
  /** The fault outlasts the deadline: the step cannot land (S(k-1)). */
  | "too-late";

/** The rows a run may end on when a fault of this timing hits step `step` and no one deviates. */
export function allowedRows(step: FaultStep, timing: Timing): Row[] {
  const stopped = (step - 1) as Row;
  if (timing === "in-time") return [6];
  if (timing === "too-late") return [stopped];
  return [stopped, 6];
}

/**
 * The rows of a clock jump: one chain's clock jumped past every deadline of the swap on it (≥ 6Δ)
 * just before step `step`, the other chain's clock at the start of step `step`'s window. Steps on
 * the jumped chain cannot land any more; a conforming party takes no step whose own next step would
 * have to land on the jumped chain (the follower does not escrow leg B when it cannot redeem leg A).
 *
 * - chain A ahead: step 3 cannot land (S2); step 4 must not be taken, its step 6 cannot land (S3);
 *   step 5 is taken, the leader redeems leg B, the follower cannot redeem leg A (S5); step 6 cannot land (S5).
 * - chain B ahead: step 3 may be taken or not (the follower cannot escrow leg B after it: S3; or S2);
 *   step 4 cannot land (S3); step 5 cannot land (S4, and the secret stays unpublished); step 6 lands (S6).
 */
export function clockJumpRows(step: FaultStep, ahead: "A" | "B"): Row[] {
  if (ahead === "A") return ({ 3: [2], 4: [3], 5: [5], 6: [5] } as Record<FaultStep, Row[]>)[step];
  return ({ 3: [2, 3], 4: [3], 5: [4], 6: [6] } as Record<FaultStep, Row[]>)[step];
}

/** A party walks away before step `step` (it takes no step from `step` on): the run ends as S(step-1). */
export function walkAwayRows(step: FaultStep): Row[] {
  return [(step - 1) as Row];
}

/** "S3", "S1/S2", …: a row list for messages. */
export function rowNames(rows: readonly Row[]): string {
  return rows.length === 0 ? "no row" : rows.map((r) => `S${r}`).join("/");
}
