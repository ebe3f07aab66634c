/**
 * A small executable model of `PROTOCOLS.md` §7 (multi-party hedged cycles) on top of §2's payout rules,
 * written from the protocol text only (it imports nothing from the SDK, so it can judge the SDK's rule).
 *
 * What it models:
 * - the 3n steps of §7 in order (premiums backwards from the leader's on arc n−1, escrows forwards from
 *   arc 0, the leader's reveal on arc n−1, then the redeems backwards), each taken by its party only if
 *   the "only if" column holds at that point; a middle party redeems once s is visible anywhere;
 * - one deviator `d` with a stop point `k`: d takes none of its steps numbered above k (its redeems
 *   included); everybody else conforms;
 * - settlement of every arc by someone after all deadlines (hedge mode, §2): never escrowed → the premium
 *   back to its depositor (the arc's redeemer); escrowed and redeemed → principal and premium to the
 *   redeemer; escrowed, not redeemed → principal and premium to the escrower.
 *
 * The order in which steps are taken in time does not matter to the final holdings: each step's condition
 * names only earlier steps, so evaluating the steps in their numbered order gives the same outcome as
 * any schedule that respects the conditions.
 */

/** The action of a step. */
export type ModelAction = "depositPremium" | "escrow" | "redeem";

/** One of the 3n steps: its number (1 … 3n; its deadline is T0 + step·Δ), the party, the arc, the action. */
export interface ModelStep {
  readonly step: number;
  readonly party: number;
  readonly arc: number;
  readonly action: ModelAction;
}

/** How an arc ends once settled. */
export type ArcOutcome = "none" | "premiumRefunded" | "redeemed" | "refunded";

/** Who deviates and after which step (0: takes no step at all). */
export interface Deviation {
  readonly party: number;
  /** The deviator takes no step numbered above this one (0 … 3n−1). */
  readonly afterStep: number;
}

/** The cycle's terms as the model needs them. */
export interface ModelTerms {
  readonly n: number;
  /** a_i, the principal of arc i. */
  readonly principals: readonly bigint[];
  /** The premium of arc i (`c_0 + … + c_i`); see `premiumsOf`. */
  readonly premiums: readonly bigint[];
  /** The asset of arc i's principal; default `T<i>`. */
  readonly principalAssets?: readonly string[];
  /** The asset of arc i's premium; default the principal's. */
  readonly premiumAssets?: readonly string[];
}

/** Amounts per asset label. */
export type Ledger = Record<string, bigint>;

/** What the model computes for one run. */
export interface ModelResult {
  /** Holdings per party before the first step: P_i holds a_i of arc i's asset and the premium of arc i−1. */
  readonly start: readonly Ledger[];
  /** Holdings per party after every deadline and every settlement. */
  readonly final: readonly Ledger[];
  /** The steps that were taken, in order. */
  readonly taken: readonly ModelStep[];
  /** Each arc's end. */
  readonly outcomes: readonly ArcOutcome[];
}

/** §7's 3n steps of an n-cycle, in order. */
export function modelSteps(n: number): ModelStep[] {
  checkN(n);
  const steps: ModelStep[] = [];
  for (let k = 1; k <= n; k++) steps.push({ step: k, party: (n - k + 1) % n, arc: n - k, action: "depositPremium" });
  for (let i = 0; i < n; i++) steps.push({ step: n + 1 + i, party: i, arc: i, action: "escrow" });
  steps.push({ step: 2 * n + 1, party: 0, arc: n - 1, action: "redeem" });
  for (let j = 1; j < n; j++) steps.push({ step: 2 * n + 1 + j, party: n - j, arc: n - 1 - j, action: "redeem" });
  return steps;
}

/** §7's premium rule: arc i carries `c_0 + … + c_i`. */
export function premiumsOf(compensations: readonly bigint[]): bigint[] {
  let sum = 0n;
  return compensations.map((c) => (sum += c));
}

/** Every deviation of an n-cycle: each party × stop after step 0 … 3n−1 (3n·n of them). */
export function allDeviations(n: number): Deviation[] {
  checkN(n);
  const out: Deviation[] = [];
  for (let party = 0; party < n; party++) for (let afterStep = 0; afterStep < 3 * n; afterStep++) out.push({ party, afterStep });
  return out;
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 2 || n > 8) throw new Error(`n must be an integer in 2..8, got ${n}`);
}

function assetsOf(t: ModelTerms): { principal: string[]; premium: string[] } {
  const principal = Array.from({ length: t.n }, (_, i) => t.principalAssets?.[i] ?? `T${i}`);
  const premium = Array.from({ length: t.n }, (_, i) => t.premiumAssets?.[i] ?? principal[i]!);
  return { principal, premium };
}

function add(l: Ledger, asset: string, amount: bigint): void {
  l[asset] = (l[asset] ?? 0n) + amount;
}

/** The parties' holdings before the first step. Every asset of the cycle appears in every ledger (0 when none). */
export function startHoldings(t: ModelTerms): Ledger[] {
  checkTerms(t);
  const { principal, premium } = assetsOf(t);
  const every = [...new Set([...principal, ...premium])];
  const ledgers = Array.from({ length: t.n }, () => Object.fromEntries(every.map((a) => [a, 0n])) as Ledger);
  for (let i = 0; i < t.n; i++) {
    add(ledgers[i]!, principal[i]!, t.principals[i]!);
    add(ledgers[(i + 1) % t.n]!, premium[i]!, t.premiums[i]!);
  }
  return ledgers;
}

function checkTerms(t: ModelTerms): void {
  checkN(t.n);
  if (t.principals.length !== t.n || t.premiums.length !== t.n) throw new Error("one principal and one premium per arc");
}

/** Runs the cycle with at most one deviator (none: the happy path) and settles every arc. */
export function runModel(t: ModelTerms, deviation?: Deviation): ModelResult {
  checkTerms(t);
  const n = t.n;
  if (deviation !== undefined && (deviation.party < 0 || deviation.party >= n || deviation.afterStep < 0 || deviation.afterStep >= 3 * n)) {
    throw new Error(`no such deviation for n = ${n}: ${JSON.stringify(deviation)}`);
  }
  const { principal, premium } = assetsOf(t);
  const start = startHoldings(t);
  const hold = start.map((l) => ({ ...l }));
  const premiumIn = new Array<boolean>(n).fill(false);
  const escrowed = new Array<boolean>(n).fill(false);
  const redeemed = new Array<boolean>(n).fill(false);
  let secretVisible = false;
  const stopped = (s: ModelStep) => deviation !== undefined && s.party === deviation.party && s.step > deviation.afterStep;

  const allowed = (s: ModelStep): boolean => {
    if (s.action === "depositPremium") return s.step === 1 || premiumIn[s.arc + 1]!;
    if (s.action === "escrow") {
      if (!premiumIn[s.arc]) return false;
      return s.arc === 0 ? premiumIn.every(Boolean) : escrowed[s.arc - 1]!;
    }
    // Redeems: the leader's reveal only with arcs n−1 and 0 escrowed; the others once s is visible.
    if (!escrowed[s.arc] || redeemed[s.arc]) return false;
    return s.party === 0 ? escrowed[0]! : secretVisible;
  };

  const taken: ModelStep[] = [];
  for (const s of modelSteps(n)) {
    if (stopped(s) || !allowed(s)) continue;
    taken.push(s);
    const p = hold[s.party]!;
    if (s.action === "depositPremium") {
      add(p, premium[s.arc]!, -t.premiums[s.arc]!);
      premiumIn[s.arc] = true;
    } else if (s.action === "escrow") {
      add(p, principal[s.arc]!, -t.principals[s.arc]!);
      escrowed[s.arc] = true;
    } else {
      redeemed[s.arc] = true;
      secretVisible = true;
    }
  }

  // Settlement after every deadline (§2, hedge mode); a redeem pays out in its own transaction, same result.
  const outcomes: ArcOutcome[] = [];
  for (let i = 0; i < n; i++) {
    const escrower = hold[i]!;
    const redeemer = hold[(i + 1) % n]!;
    if (!escrowed[i]) {
      if (premiumIn[i]) add(redeemer, premium[i]!, t.premiums[i]!);
      outcomes.push(premiumIn[i] ? "premiumRefunded" : "none");
    } else if (redeemed[i]) {
      add(redeemer, principal[i]!, t.principals[i]!);
      add(redeemer, premium[i]!, t.premiums[i]!);
      outcomes.push("redeemed");
    } else {
      add(escrower, principal[i]!, t.principals[i]!);
      add(escrower, premium[i]!, t.premiums[i]!);
      outcomes.push("refunded");
    }
  }
  return { start, final: hold, taken, outcomes };
}

/** Σ over assets of (final − start): a party's net when every asset is valued at 1. */
export function netValue(start: Ledger, final: Ledger): bigint {
  let sum = 0n;
  for (const a of new Set([...Object.keys(start), ...Object.keys(final)])) sum += (final[a] ?? 0n) - (start[a] ?? 0n);
  return sum;
}

/**
 * A party's net in premiums only: its net value minus the principals that changed hands through it
 * (+a_{i−1} when its incoming arc i−1 was redeemed to it, −a_i when its outgoing arc i was redeemed away).
 * Valuing every asset at 1, this is what it gained or lost in premiums whatever the principals are worth.
 */
export function premiumNet(t: ModelTerms, r: ModelResult, party: number): bigint {
  const n = t.n;
  const incoming = (party + n - 1) % n;
  let deal = 0n;
  if (r.outcomes[incoming] === "redeemed") deal += t.principals[incoming]!;
  if (r.outcomes[party] === "redeemed") deal -= t.principals[party]!;
  return netValue(r.start[party]!, r.final[party]!) - deal;
}

/** Short names of a run for test titles: `happy path` or `P1 stops after step 4`. */
export function deviationName(d?: Deviation): string {
  return d === undefined ? "happy path" : `P${d.party} stops after step ${d.afterStep}`;
}
