/**
 * Premium pricing (`PROTOCOLS.md` §3, §4): a Cox–Ross–Rubinstein binomial pricer for the HTLC option's
 * fee, and suggested hedge premiums `p_a`, `p_b` from the locked values, their lock-up times and a rate.
 * Pure: the maths in JS `number`, token amounts in `bigint` (rounded up, so nobody is under-paid).
 */
import { InvalidArgumentError, NonPositiveAmountError, PremiumRelationError } from "./errors";

/** Seconds in the 365-day year the rates and volatilities of this module are quoted per. */
export const SECONDS_PER_YEAR = 365n * 86_400n;

/** The most steps `crrPrice` accepts (time grows with the square of the steps). */
export const MAX_CRR_STEPS = 100_000;

/** Inputs of `crrPrice`. Rates are annual and continuously compounded. */
export interface CrrParams {
  /** Price of the underlying now (> 0). */
  readonly spot: number;
  /** Strike price (> 0). */
  readonly strike: number;
  /** Annualised volatility σ (> 0), e.g. `0.8` for 80%. */
  readonly volatility: number;
  /** Time to expiry in years (> 0). */
  readonly years: number;
  /** Risk-free rate r of the strike's currency. */
  readonly rate: number;
  /** Number of tree steps, an integer in [1, `MAX_CRR_STEPS`]. */
  readonly steps: number;
  /** The right to buy (`call`) or to sell (`put`) the underlying at the strike. */
  readonly type: "call" | "put";
  /** `european` (at expiry only, the default) or `american` (at any node). */
  readonly exercise?: "european" | "american";
  /** Carry q: dividend or foreign yield of the underlying (default 0). */
  readonly carry?: number;
}

/**
 * Cox–Ross–Rubinstein binomial price of a vanilla option: `u = e^{σ√dt}`, `d = 1/u`,
 * `p = (e^{(r−q)dt} − d)/(u − d)`, discounting each step by `e^{−r dt}`. O(steps²) time, O(steps) memory.
 * @throws InvalidArgumentError for a non-finite or out-of-range input, or when `p` is not in (0, 1)
 *   (the tree is not arbitrage-free: too few steps or too low a volatility for `r − q`).
 */
export function crrPrice(params: CrrParams): number {
  const spot = positiveNumber("spot", params.spot);
  const strike = positiveNumber("strike", params.strike);
  const sigma = positiveNumber("volatility", params.volatility);
  const years = positiveNumber("years", params.years);
  const rate = finiteNumber("rate", params.rate);
  const carry = finiteNumber("carry", params.carry ?? 0);
  const steps = params.steps;
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_CRR_STEPS) {
    throw new InvalidArgumentError("steps", `must be an integer in [1, ${MAX_CRR_STEPS}]`, steps);
  }
  if (params.type !== "call" && params.type !== "put") {
    throw new InvalidArgumentError("type", 'must be "call" or "put"', params.type);
  }
  const exercise = params.exercise ?? "european";
  if (exercise !== "european" && exercise !== "american") {
    throw new InvalidArgumentError("exercise", 'must be "european" or "american"', exercise);
  }
  const dt = years / steps;
  const jump = sigma * Math.sqrt(dt); // ln u
  const u = Math.exp(jump);
  const d = 1 / u;
  const p = (Math.exp((rate - carry) * dt) - d) / (u - d);
  if (!(p > 0 && p < 1)) {
    const why = "the tree is not arbitrage-free for these inputs (p must be in (0, 1)); use more steps or a higher volatility";
    throw new InvalidArgumentError("rate - carry", why, p);
  }
  const discount = Math.exp(-rate * dt);
  const [up, down] = [discount * p, discount * (1 - p)];
  const sign = params.type === "call" ? 1 : -1;
  const payoff = (i: number, j: number) => Math.max(sign * (spot * Math.exp(jump * (2 * j - i)) - strike), 0);
  // values[j]: the option at the node with j up-moves of the current step.
  const values = new Float64Array(steps + 1);
  for (let j = 0; j <= steps; j++) values[j] = payoff(steps, j);
  for (let i = steps - 1; i >= 0; i--) {
    for (let j = 0; j <= i; j++) {
      const held = up * (values[j + 1] as number) + down * (values[j] as number);
      values[j] = exercise === "american" ? Math.max(held, payoff(i, j)) : held;
    }
  }
  const price = values[0] as number;
  if (!Number.isFinite(price)) {
    throw new InvalidArgumentError("volatility", "too large for the tree: node prices overflow", sigma);
  }
  return price;
}

/** Inputs of `optionFee`. */
export interface OptionFeeParams {
  /** Amount of asset B (smallest units) Alice has the right to receive: `b`. */
  readonly notional: bigint;
  /** K/S: the agreed price of B in A over B's market price in A (default 1, at the money; > 1 out of it). */
  readonly strikeRatio?: number;
  /** Annualised volatility of B's price in A (for two volatile assets, of their ratio). */
  readonly volatility: number;
  /** The option's window in seconds: from when the fee is agreed until leg B's timeout. */
  readonly windowSeconds: bigint;
  /** Annual continuously compounded risk-free rate of asset A (the strike's currency). */
  readonly rate: number;
  /** Tree steps (default 500). */
  readonly steps?: number;
}

/**
 * The fair fee `f` of the HTLC option (`PROTOCOLS.md` §4), in the notional's smallest units, rounded up
 * so the writer (Bob) is never under-paid.
 *
 * Mapping: Alice's right to receive `notional` of asset B for a fixed amount of asset A is a call on B
 * struck at the agreed exchange rate K (A per B), worth C(S, K) units of A per unit of B at B's market
 * price S. The tree is homogeneous in (S, K), so in units of B that is C(S, K)/S = C(1, K/S): the fee is
 * `notional × crrPrice(spot 1, strike strikeRatio)` units of B, the asset Alice's deposit on leg B is paid
 * in. `rate` is A's (the strike currency's) rate; B is taken to pay no yield (carry 0).
 *
 * Exercise style: Alice can exercise (reveal s) at any moment until leg B's timeout, so the right is
 * American and is priced as one. With no carry and a rate ≥ 0 an American call is never exercised early
 * and its price equals the European one, so this only matters for a negative rate, where pricing it as
 * European would under-pay the writer.
 * @throws InvalidArgumentError for a bad input; NonPositiveAmountError when `notional` ≤ 0.
 */
export function optionFee(params: OptionFeeParams): bigint {
  const notional = positiveAmount("notional", params.notional);
  const strikeRatio = positiveNumber("strikeRatio", params.strikeRatio ?? 1);
  const windowSeconds = positiveSeconds("windowSeconds", params.windowSeconds);
  const price = crrPrice({
    spot: 1,
    strike: strikeRatio,
    volatility: params.volatility,
    years: Number(windowSeconds) / Number(SECONDS_PER_YEAR),
    rate: params.rate,
    steps: params.steps ?? 500,
    type: "call",
    exercise: "american",
  });
  return mulCeil(notional, price);
}

/** Inputs of `suggestHedgePremiums`. */
export interface HedgePremiumParams {
  /** Alice's principal `a` on chain A (smallest units). */
  readonly amountA: bigint;
  /** Bob's principal `b` on chain B (smallest units). */
  readonly amountB: bigint;
  /** How long `a` may stay locked, in seconds (see `hedgeLockTimes`). */
  readonly lockSecondsA: bigint;
  /** How long `b` may stay locked, in seconds (see `hedgeLockTimes`). */
  readonly lockSecondsB: bigint;
  /** Annual continuously compounded rate (≥ 0) the locked value could have earned. */
  readonly rate: number;
  /** Floors: `a` for `pA` (B's units), `b` for `pB` (A's units). */
  readonly minimum?: { readonly a?: bigint; readonly b?: bigint };
}

/** Suggested hedge premiums: `pA` in B's units, `pB` in A's units. */
export interface HedgePremiums {
  readonly pA: bigint;
  readonly pB: bigint;
}

/**
 * Hedge premiums that pay a walked-away-on party the time value of its locked principal:
 * `pB = ⌈a × (e^{r·tA} − 1)⌉` (Alice's compensation, in A's units) and `pA = ⌈b × (e^{r·tB} − 1)⌉`
 * (Bob's, in B's units), each at least its `minimum` and at least 1 unit.
 * @throws NonPositiveAmountError for an amount ≤ 0; InvalidArgumentError for any other bad input.
 */
export function suggestHedgePremiums(params: HedgePremiumParams): HedgePremiums {
  const amountA = positiveAmount("amountA", params.amountA);
  const amountB = positiveAmount("amountB", params.amountB);
  const yearsA = Number(positiveSeconds("lockSecondsA", params.lockSecondsA)) / Number(SECONDS_PER_YEAR);
  const yearsB = Number(positiveSeconds("lockSecondsB", params.lockSecondsB)) / Number(SECONDS_PER_YEAR);
  const rate = finiteNumber("rate", params.rate);
  if (rate < 0) throw new InvalidArgumentError("rate", "must not be negative", rate);
  const minA = nonNegativeAmount("minimum.a", params.minimum?.a ?? 0n);
  const minB = nonNegativeAmount("minimum.b", params.minimum?.b ?? 0n);
  const growthA = Math.expm1(rate * yearsA);
  const growthB = Math.expm1(rate * yearsB);
  if (!Number.isFinite(growthA) || !Number.isFinite(growthB)) {
    throw new InvalidArgumentError("rate", "too large for the lock-up times: the growth overflows", rate);
  }
  const atLeast = (v: bigint, min: bigint) => (v > min ? v : min > 1n ? min : 1n);
  return { pA: atLeast(mulCeil(amountB, growthB), minA), pB: atLeast(mulCeil(amountA, growthA), minB) };
}

/** Worst-case lock-up times of the two principals under the §3 schedule, in seconds. */
export interface HedgeLockTimes {
  /** Alice's `a` on chain A: 4Δ. */
  readonly lockSecondsA: bigint;
  /** Bob's `b` on chain B: 2Δ. */
  readonly lockSecondsB: bigint;
}

/**
 * Lock-up times implied by the §3 schedule when each step is taken in its own Δ slot (not before the
 * previous step's deadline): Alice escrows `a` just after T0+2Δ and, if Bob walks away, gets it back only
 * after leg A's timeout T0+6Δ → 4Δ; Bob escrows `b` just after T0+3Δ and, if Alice withholds s, gets it back
 * after leg B's timeout T0+5Δ → 2Δ. A party that escrows earlier than its slot locks its principal longer,
 * which these figures do not cover. Spread the result into `suggestHedgePremiums`.
 * @throws InvalidArgumentError when `delta` is not a positive bigint.
 */
export function hedgeLockTimes(delta: bigint): HedgeLockTimes {
  const step = positiveSeconds("delta", delta);
  return { lockSecondsA: 4n * step, lockSecondsB: 2n * step };
}

/** Premium deposits of a swap: `onA` on leg A (Bob's), `onB` on leg B (Alice's). */
export interface PremiumDeposits {
  readonly onA: bigint;
  readonly onB: bigint;
}

/**
 * Deposits of the hedged swap (§3): Bob deposits `pB` on leg A; Alice deposits `pA + pBOnB` on leg B, where
 * `pBOnB` is `p_b` converted by the caller into leg B's premium asset. Alice's deposit covers `p_b` because,
 * when she withholds s, chain A cannot tell that apart from Bob failing to redeem and pays Bob's `p_b` to
 * her; the extra `p_b` on B restores Bob's net to `p_a`. The result satisfies the planners' premium relation
 * (`onB > onA`, compared in units: see `checkPremiumRelation`), which always holds when `pBOnB` is `pB`.
 * @throws NonPositiveAmountError for an amount ≤ 0 (InvalidArgumentError when not a bigint);
 *   PremiumRelationError when a `pBOnB` converted at another rate leaves `onB ≤ onA`.
 */
export function hedgeDeposits(params: { pA: bigint; pB: bigint; pBOnB: bigint }): PremiumDeposits {
  const pA = positiveAmount("pA", params.pA);
  const pB = positiveAmount("pB", params.pB);
  return premiumDeposits(pB, pA + positiveAmount("pBOnB", params.pBOnB));
}

/**
 * Deposits of the HTLC option (§4): Bob's hedge premium `pB` on leg A; Alice's `fee + pBOnB` on leg B (the
 * option fee, which Bob keeps if she lets the option lapse, plus the same cover for Bob's `p_b` as in the
 * hedged swap). The result must satisfy the planners' premium relation (`onB > onA`, compared in units: see
 * `checkPremiumRelation`): Bob's compensation for writing the option must be positive. So a zero `fee` (a
 * deep out-of-the-money option can be worth nothing on the tree) is refused when `pBOnB` is `pB`: charge at
 * least one unit.
 * @throws NonPositiveAmountError when `pB` or `pBOnB` ≤ 0; InvalidArgumentError for a negative `fee`;
 *   PremiumRelationError when `onB ≤ onA`.
 */
export function optionDeposits(params: { fee: bigint; pB: bigint; pBOnB: bigint }): PremiumDeposits {
  const fee = nonNegativeAmount("fee", params.fee);
  const pB = positiveAmount("pB", params.pB);
  return premiumDeposits(pB, fee + positiveAmount("pBOnB", params.pBOnB));
}

/** The deposits, once they satisfy §3's relation `onB > onA` (the check of `checkPremiumRelation`). */
function premiumDeposits(onA: bigint, onB: bigint): PremiumDeposits {
  if (!(onB > onA)) throw new PremiumRelationError(onB, onA);
  return { onA, onB };
}

/** ⌈amount × x⌉ for a finite x ≥ 0, exact: x is split into an integer mantissa over a power of two. */
function mulCeil(amount: bigint, x: number): bigint {
  if (x <= 0) return 0n;
  let mantissa = x;
  let shift = 0n;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2; // exact for a finite double
    shift += 1n;
  }
  const denominator = 1n << shift;
  const product = amount * BigInt(mantissa);
  return (product + denominator - 1n) / denominator;
}

function finiteNumber(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new InvalidArgumentError(field, "must be a finite number", value);
}

function positiveNumber(field: string, value: unknown): number {
  const n = finiteNumber(field, value);
  if (n <= 0) throw new InvalidArgumentError(field, "must be positive", n);
  return n;
}

function positiveAmount(field: string, value: unknown): bigint {
  if (typeof value !== "bigint") throw new InvalidArgumentError(field, "must be a bigint", value);
  if (value <= 0n) throw new NonPositiveAmountError(field, value);
  return value;
}

function nonNegativeAmount(field: string, value: unknown): bigint {
  if (typeof value !== "bigint" || value < 0n) throw new InvalidArgumentError(field, "must be a bigint ≥ 0", value);
  return value;
}

function positiveSeconds(field: string, value: unknown): bigint {
  if (typeof value === "bigint" && value > 0n) return value;
  throw new InvalidArgumentError(field, "must be a positive bigint number of seconds", value);
}
