/**
 * Packing of a leg's three deadlines and premium mode into one `uint256`, mirroring
 * `contracts/types/Timelocks.sol` bit for bit.
 *
 * Layout (low to high): premiumDeadline [0,40), escrowDeadline [40,80), timeout [80,120),
 * premium mode bit 120 (0 hedge, 1 option); every other bit zero.
 */
import { DeadlineOutOfRangeError, InvalidArgumentError, InvalidTimelocksError } from "./errors";

/** What happens to a redeemed leg's premium: back to the redeemer (hedge) or to the escrower (option). */
export enum PremiumMode {
  Hedge = 0,
  Option = 1,
}

/** The unpacked form of a leg's `timelocks` word. Deadlines are unix seconds. */
export interface Timelocks {
  readonly premiumDeadline: bigint;
  readonly escrowDeadline: bigint;
  readonly timeout: bigint;
  readonly mode: PremiumMode;
}

const DEADLINE_BITS = 40n;
const DEADLINE_MASK = (1n << DEADLINE_BITS) - 1n;
const MODE_SHIFT = 120n;

/**
 * Packs deadlines and mode into the contract's `timelocks` word.
 * @throws InvalidArgumentError when `t` is not an object or a deadline is not a bigint;
 *   DeadlineOutOfRangeError for a deadline that does not fit in 40 bits; InvalidTimelocksError for a
 *   mode other than hedge (0) or option (1). Each names the field and the value.
 */
export function packTimelocks(t: Timelocks): bigint {
  if (t === null || typeof t !== "object") throw new InvalidArgumentError("timelocks", "must be an object", t);
  for (const [name, value] of [
    ["premiumDeadline", t.premiumDeadline],
    ["escrowDeadline", t.escrowDeadline],
    ["timeout", t.timeout],
  ] as const) {
    if (typeof value !== "bigint") throw new InvalidArgumentError(name, "must be a bigint (unix seconds)", value);
    if (value < 0n || value > DEADLINE_MASK) throw new DeadlineOutOfRangeError(name, value, DEADLINE_MASK);
  }
  if (t.mode !== PremiumMode.Hedge && t.mode !== PremiumMode.Option) {
    throw new InvalidTimelocksError("mode", "must be hedge (0) or option (1)", t.mode);
  }
  return (
    t.premiumDeadline |
    (t.escrowDeadline << DEADLINE_BITS) |
    (t.timeout << (2n * DEADLINE_BITS)) |
    (BigInt(t.mode) << MODE_SHIFT)
  );
}

/**
 * Unpacks a `timelocks` word.
 * @throws InvalidArgumentError when `word` is not a bigint; InvalidTimelocksError (field `timelocks`, the
 *   word as 0x-hex) when it is negative or has bits set outside the layout.
 */
export function unpackTimelocks(word: bigint): Timelocks {
  if (typeof word !== "bigint") throw new InvalidArgumentError("timelocks", "must be a bigint", word);
  if (word < 0n) throw new InvalidTimelocksError("timelocks", "must not be negative", `-0x${(-word).toString(16)}`);
  if (word >> (MODE_SHIFT + 1n) !== 0n) throw new InvalidTimelocksError("timelocks", "has bits set outside its layout", `0x${word.toString(16)}`);
  return {
    premiumDeadline: word & DEADLINE_MASK,
    escrowDeadline: (word >> DEADLINE_BITS) & DEADLINE_MASK,
    timeout: (word >> (2n * DEADLINE_BITS)) & DEADLINE_MASK,
    mode: (word >> MODE_SHIFT) & 1n ? PremiumMode.Option : PremiumMode.Hedge,
  };
}
