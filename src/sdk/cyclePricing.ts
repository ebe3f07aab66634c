/**
 * Compensations of a hedged cycle (`PROTOCOLS.md` §7) from one rate: party j's `c_j` is the time value of
 * its principal over its lock-up window `(2n − 2j)Δ`, priced with the two-party pricer
 * (`suggestHedgePremiums`, the same formula and rounding). Pure.
 */
import { cycleLockSeconds } from "./cycleSchedule";
import { InvalidArgumentError } from "./errors";
import { suggestHedgePremiums } from "./pricing";

/** Inputs of `cycleCompensations`. */
export interface CycleCompensationParams {
  /** `a_0 … a_{n−1}`: the principal of arc j, which party j escrows (smallest units of its asset). */
  readonly amounts: readonly bigint[];
  /** Δ, seconds. */
  readonly delta: bigint;
  /** Annual continuously compounded rate (≥ 0) the locked value could have earned. */
  readonly rate: number;
  /** Floors per party (default none; every compensation is at least 1 unit). */
  readonly minimum?: readonly bigint[];
}

/**
 * `c_j = ⌈a_j × (e^{r·t_j} − 1)⌉` with `t_j = (2n − 2j)Δ` (`cycleLockSeconds`), at least `minimum[j]` and
 * at least 1 unit, in the units of arc j's asset. For n = 2, `[c_0, c_1]` is `suggestHedgePremiums`'s
 * `[pB, pA]` over `hedgeLockTimes`: the premiums are then `c_0` on arc 0 and `c_0 + c_1` on arc 1.
 * @throws CycleSizeError for n outside [2, 8]; NonPositiveAmountError or InvalidArgumentError as
 *   `suggestHedgePremiums` does.
 */
export function cycleCompensations(params: CycleCompensationParams): bigint[] {
  if (!Array.isArray(params.amounts)) throw new InvalidArgumentError("amounts", "must be an array", params.amounts);
  const locks = cycleLockSeconds(params.amounts.length, params.delta);
  if (params.minimum !== undefined && (!Array.isArray(params.minimum) || params.minimum.length !== params.amounts.length)) {
    throw new InvalidArgumentError("minimum", "must hold one floor per party", params.minimum);
  }
  return params.amounts.map((a, j) => {
    const lock = locks[j]!;
    const floor = params.minimum?.[j];
    return suggestHedgePremiums({ amountA: a, amountB: a, lockSecondsA: lock, lockSecondsB: lock, rate: params.rate, ...(floor === undefined ? {} : { minimum: { b: floor } }) }).pB;
  });
}
