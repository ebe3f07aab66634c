/**
 * Packing of a leg's three deadlines and premium mode into one `uint256`, mirroring
 * `contracts/types/Timelocks.sol` bit for bit.
 *
 * Layout (low to high): premiumDeadline [0,40), escrowDeadline [40,80), timeout [80,120),
 * premium mode bit 120 (0 hedge, 1 option); every other bit zero.
 */

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

/** Packs deadlines and mode into the contract's `timelocks` word; throws on a deadline that does not fit. */
export function packTimelocks(t: Timelocks): bigint {
  for (const [name, value] of [
    ["premiumDeadline", t.premiumDeadline],
    ["escrowDeadline", t.escrowDeadline],
    ["timeout", t.timeout],
  ] as const) {
    if (value < 0n || value > DEADLINE_MASK) {
      throw new RangeError(`${name} ${value} does not fit in 40 bits`);
    }
  }
  return (
    t.premiumDeadline |
    (t.escrowDeadline << DEADLINE_BITS) |
    (t.timeout << (2n * DEADLINE_BITS)) |
    (BigInt(t.mode) << MODE_SHIFT)
  );
}

/** Unpacks a `timelocks` word; throws when bits outside the layout are set. */
export function unpackTimelocks(word: bigint): Timelocks {
  if (word < 0n || word >> (MODE_SHIFT + 1n) !== 0n) {
    throw new RangeError(`timelocks word 0x${word.toString(16)} has bits outside its layout`);
  }
  return {
    premiumDeadline: word & DEADLINE_MASK,
    escrowDeadline: (word >> DEADLINE_BITS) & DEADLINE_MASK,
    timeout: (word >> (2n * DEADLINE_BITS)) & DEADLINE_MASK,
    mode: (word >> MODE_SHIFT) & 1n ? PremiumMode.Option : PremiumMode.Hedge,
  };
}
