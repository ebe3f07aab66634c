/**
 * Input checks shared by every SDK module: addresses, 32-byte words, amounts, the keys of input objects.
 * Each returns the normalised value or throws the SDK's typed error naming the field.
 */
import { getAddress, isHexString } from "ethers";

import { InvalidAddressError, InvalidArgumentError, InvalidBytes32Error, NonPositiveAmountError, UnknownKeyError, ZeroAddressError } from "./errors";

/** Returns the EIP-55 checksummed form of `value`; throws `InvalidAddressError` naming `field`. */
export function checkAddress(field: string, value: unknown): string {
  if (typeof value !== "string") throw new InvalidAddressError(field, value);
  try {
    return getAddress(value);
  } catch {
    throw new InvalidAddressError(field, value);
  }
}

/** As `checkAddress`, and refuses the zero address (`ZeroAddressError`): for parties and contracts, not tokens. */
export function checkNonZeroAddress(field: string, value: unknown): string {
  const address = checkAddress(field, value);
  if (BigInt(address) === 0n) throw new ZeroAddressError(field);
  return address;
}

/**
 * Refuses an own enumerable key of `value` that is not in `allowed` (`UnknownKeyError` naming `path` and
 * the key, with the closest allowed key as a suggestion). `value` must be an object; its values are not
 * looked at. A key whose value is `undefined` is still a key: `{ premiumTokn: undefined }` is refused.
 */
export function checkKnownKeys(path: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new UnknownKeyError(path, key, allowed, closest(key, allowed));
  }
}

/**
 * The allowed key closest to `key`: the same but for case, else within edit distance 2, else one that
 * starts `key` or that `key` starts (`escrowAddress` → `escrow`); undefined when none is close.
 */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  const lower = key.toLowerCase();
  for (const candidate of allowed) {
    const c = candidate.toLowerCase();
    const d = c === lower ? 0 : Math.min(editDistance(key, candidate), lower.startsWith(c) || c.startsWith(lower) ? 3 : 4);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/** Returns `value` lower-cased when it is exactly 32 bytes of 0x-prefixed hex; throws `InvalidBytes32Error`. */
export function checkBytes32(field: string, value: unknown): string {
  if (typeof value !== "string" || !isHexString(value, 32)) throw new InvalidBytes32Error(field, value);
  return value.toLowerCase();
}

/** Returns `value` when it is a bigint above zero; throws `NonPositiveAmountError` (or `InvalidArgumentError`). */
export function checkPositive(field: string, value: unknown): bigint {
  if (typeof value !== "bigint") throw new InvalidArgumentError(field, "must be a bigint", value);
  if (value <= 0n) throw new NonPositiveAmountError(field, value);
  return value;
}

/** Returns `value` when it is a bigint at or above zero. */
export function checkNonNegative(field: string, value: unknown): bigint {
  if (typeof value !== "bigint") throw new InvalidArgumentError(field, "must be a bigint", value);
  if (value < 0n) throw new InvalidArgumentError(field, "must not be negative", value);
  return value;
}
