/**
 * One EIP-712 message kind (a domain, its types and how a value becomes the message) and the four
 * things done with it: the typed data a wallet shows, the digest, an ECDSA signature, the signer
 * recovered from one. The two-party offer and the cycle offer are both built on it.
 */
import { TypedDataEncoder, verifyTypedData, type Signer, type TypedDataDomain } from "ethers";

import { RunnerError } from "./errors";

/** An EIP-712 message kind. */
export interface TypedMessageKind<T, P extends string> {
  readonly domain: TypedDataDomain;
  readonly primaryType: P;
  /** A fresh, mutable copy of the types (ethers' encoder may keep references). */
  types(): Record<string, { name: string; type: string }[]>;
  message(value: T): Record<string, unknown>;
}

/** The typed data (domain, types, primaryType, message) a wallet signs for `value`. */
export function typedDataOf<T, P extends string>(kind: TypedMessageKind<T, P>, value: T) {
  return { domain: { ...kind.domain }, types: kind.types(), primaryType: kind.primaryType, message: kind.message(value) };
}

/** The EIP-712 digest of `value`. */
export function typedDigest<T, P extends string>(kind: TypedMessageKind<T, P>, value: T): string {
  return TypedDataEncoder.hash(kind.domain, kind.types(), kind.message(value));
}

/** Signs `value` with `signer`; `operation` names the caller in the `RunnerError` of a signer that cannot sign typed data. */
export async function signTyped<T, P extends string>(kind: TypedMessageKind<T, P>, signer: Signer, value: T, operation: string): Promise<string> {
  if (typeof signer.signTypedData !== "function") throw new RunnerError("signer", operation);
  return signer.signTypedData(kind.domain, kind.types(), kind.message(value));
}

/** The address whose ECDSA signature `signature` is over `value`, or null when it is malformed. */
export function recoverTypedSigner<T, P extends string>(kind: TypedMessageKind<T, P>, value: T, signature: string): string | null {
  try {
    return verifyTypedData(kind.domain, kind.types(), kind.message(value), signature);
  } catch {
    return null;
  }
}

/** `value`'s message as JSON-safe values (bigints as decimal strings), for files and HTTP bodies. */
export function messageToJson<T, P extends string>(kind: TypedMessageKind<T, P>, value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(kind.message(value), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}
