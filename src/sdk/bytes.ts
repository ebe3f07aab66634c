/**
 * Input checks shared by every SDK module: addresses, 32-byte words, amounts. Each returns the
 * normalised value or throws the SDK's typed error naming the field.
 */
import { getAddress, isHexString } from "ethers";

import { InvalidAddressError, InvalidBytes32Error, NonPositiveAmountError, InvalidArgumentError } from "./errors";

/** Returns the EIP-55 checksummed form of `value`; throws `InvalidAddressError` naming `field`. */
export function checkAddress(field: string, value: unknown): string {
  if (typeof value !== "string") throw new InvalidAddressError(field, value);
  try {
    return getAddress(value);
  } catch {
    throw new InvalidAddressError(field, value);
  }
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
