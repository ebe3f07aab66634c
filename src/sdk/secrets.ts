/**
 * Swap secrets: 32 random bytes from the platform CSPRNG, or derived from a seed and an index so that
 * a party who loses its local state can re-derive every secret it ever used (see `./recovery`).
 */
import { computeHmac, concat, getBytes, hexlify, randomBytes, sha256, toBeHex, toUtf8Bytes, type BytesLike } from "ethers";

import { InvalidArgumentError } from "./errors";
import { checkBytes32 } from "./bytes";

/** The domain-separation label of derived secrets; part of the derivation, never change it. */
export const SECRET_DERIVATION_LABEL = "hedgeswap/secret/v1";

/** A fresh 32-byte secret from the platform's CSPRNG (`crypto.getRandomValues` in browsers). */
export function randomSecret(): string {
  return hexlify(randomBytes(32));
}

/** A fresh 32-byte seed for `deriveSecret`; store it like a wallet's seed. */
export function randomSeed(): string {
  return hexlify(randomBytes(32));
}

/** Why a seed is refused (`InvalidArgumentError` with field "seed" and one of these reasons). */
export const SEED_RULES = { notBytes: "must be bytes or 0x-prefixed hex", tooShort: "must be at least 32 bytes" } as const;

/**
 * The key bytes of a seed, by the rule `deriveSecret` applies: bytes, or a 0x-prefixed hex string with
 * an even number of digits (either case), at least 32 bytes long. `InvalidArgumentError` (field "seed",
 * a reason of `SEED_RULES`) otherwise. Other callers (the coordinator's configuration) check seeds with it.
 */
export function seedBytes(seed: BytesLike): Uint8Array {
  let key: Uint8Array;
  try {
    key = getBytes(seed);
  } catch {
    throw new InvalidArgumentError("seed", SEED_RULES.notBytes, seed);
  }
  if (key.length < 32) throw new InvalidArgumentError("seed", SEED_RULES.tooShort, hexlify(key));
  return key;
}

/**
 * The secret number `index` of `seed`: `HMAC-SHA256(seed, "hedgeswap/secret/v1" ‖ uint64be(index))`.
 * Deterministic, so the same seed re-derives every secret; distinct indexes give unrelated secrets.
 *
 * @param seed - at least 32 bytes of key material (e.g. from `randomSeed()`).
 * @param index - a non-negative integer below 2^64; use each index for one swap only.
 */
export function deriveSecret(seed: BytesLike, index: bigint | number): string {
  const key = seedBytes(seed);
  if (typeof index !== "bigint" && !Number.isSafeInteger(index)) throw new InvalidArgumentError("index", "must be an integer in [0, 2^64)", index);
  const i = BigInt(index);
  if (i < 0n || i >= 1n << 64n) throw new InvalidArgumentError("index", "must be an integer in [0, 2^64)", i);
  return computeHmac("sha256", key, concat([toUtf8Bytes(SECRET_DERIVATION_LABEL), toBeHex(i, 8)]));
}

/**
 * Re-derives the secrets of indexes `[from, from + count)` and returns them by hashlock
 * (`sha256(secret)` → `{ secret, index }`), for matching legs found on chain.
 */
export function secretsByHashlock(seed: BytesLike, count: number, from = 0): Map<string, { secret: string; index: bigint }> {
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError("count", "must be a non-negative integer", count);
  const out = new Map<string, { secret: string; index: bigint }>();
  for (let k = 0; k < count; k++) {
    const index = BigInt(from + k);
    const secret = deriveSecret(seed, index);
    out.set(sha256(secret), { secret, index });
  }
  return out;
}

/** True when `secret` opens `hashlock` (`sha256(secret) == hashlock`); both must be 32 bytes. */
export function opens(secret: string, hashlock: string): boolean {
  return sha256(checkBytes32("secret", secret)) === checkBytes32("hashlock", hashlock);
}
