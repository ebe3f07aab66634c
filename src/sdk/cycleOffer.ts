/**
 * The offer of a hedged cycle (`PROTOCOLS.md` §7): the terms all n parties sign (EIP-712) before any
 * transaction — the parties in cycle order (P0 the leader), the hashlock, T0, Δ and one struct per arc
 * (chain, escrow, asset, amount, premium). Hashing, signing, offline ECDSA verification and JSON forms;
 * ERC-1271 verification on chain is in `./cycleOfferSignatures`.
 */
import type { Signer, TypedDataDomain } from "ethers";

import { checkAddress, checkBytes32 } from "./bytes";
import { InvalidArgumentError, InvalidOfferSignatureError } from "./errors";
import { copyTypes } from "./leg";
import { messageToJson, recoverTypedSigner, signTyped, typedDataOf, typedDigest, type TypedMessageKind } from "./typedData";

/** One arc's terms in a cycle offer. Arc i is paid by `parties[i]` to `parties[(i + 1) mod n]`. */
export interface CycleOfferArc {
  readonly chainId: bigint;
  readonly escrow: string;
  /** The principal's asset (`NATIVE` for the chain's coin) and amount. */
  readonly token: string;
  readonly amount: bigint;
  /** The hedge premium the arc's redeemer deposits: asset and amount (§7: `c_0 + … + c_i`). */
  readonly premiumToken: string;
  readonly premiumAmount: bigint;
}

/** An n-party cycle offer. Every premium is a hedge (options stay two-party, §4). */
export interface CycleOffer {
  /** P0 (the leader, who alone knows s) … P(n−1), in cycle order. */
  readonly parties: readonly string[];
  readonly hashlock: string;
  /** T0, unix seconds: every deadline is `start + k * delta`. */
  readonly start: bigint;
  /** Δ, seconds. */
  readonly delta: bigint;
  /** Arc 0 … arc n−1. */
  readonly arcs: readonly CycleOfferArc[];
}

/** A cycle offer with every party's EIP-712 signature: `signatures[i]` is `parties[i]`'s. */
export interface SignedCycleOffer {
  readonly offer: CycleOffer;
  readonly signatures: readonly string[];
}

/** The EIP-712 domain of cycle offers: chain-independent (every arc's chain is in the message). */
export const CYCLE_OFFER_DOMAIN: TypedDataDomain = Object.freeze({ name: "HedgeSwap Cycle Offer", version: "1" });

/** The EIP-712 types of a cycle offer: the arcs as an array of `CycleArc` structs. */
export const CYCLE_OFFER_TYPES = {
  CycleOffer: [
    { name: "parties", type: "address[]" },
    { name: "hashlock", type: "bytes32" },
    { name: "start", type: "uint64" },
    { name: "delta", type: "uint64" },
    { name: "arcs", type: "CycleArc[]" },
  ],
  CycleArc: [
    { name: "chainId", type: "uint256" },
    { name: "escrow", type: "address" },
    { name: "token", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "premiumToken", type: "address" },
    { name: "premiumAmount", type: "uint256" },
  ],
} as const;

/** The cycle offer as an EIP-712 message kind. */
const CYCLE_OFFER_KIND: TypedMessageKind<CycleOffer, "CycleOffer"> = {
  domain: CYCLE_OFFER_DOMAIN,
  primaryType: "CycleOffer",
  types: () => copyTypes(CYCLE_OFFER_TYPES),
  message: (offer) => ({ parties: [...offer.parties], hashlock: offer.hashlock, start: offer.start, delta: offer.delta, arcs: offer.arcs.map((a) => ({ ...a })) }),
};

/** The typed data (domain, types, primaryType, message) a wallet signs for `offer`. */
export function cycleOfferTypedData(offer: CycleOffer) {
  return typedDataOf(CYCLE_OFFER_KIND, offer);
}

/** The EIP-712 digest of `offer`; also the cycle's id. */
export function cycleOfferDigest(offer: CycleOffer): string {
  return typedDigest(CYCLE_OFFER_KIND, offer);
}

/** Signs `offer` with `signer` (ECDSA over the EIP-712 digest; a wallet shows the typed fields). */
export async function signCycleOffer(signer: Signer, offer: CycleOffer): Promise<string> {
  return signTyped(CYCLE_OFFER_KIND, signer, offer, "signCycleOffer");
}

/** The address whose ECDSA signature `signature` is over `offer`, or null when it is malformed. */
export function recoverCycleOfferSigner(offer: CycleOffer, signature: string): string | null {
  return recoverTypedSigner(CYCLE_OFFER_KIND, offer, signature);
}

/**
 * Checks that `signed.signatures` holds exactly one signature per party (`InvalidArgumentError`, field
 * `signatures`, otherwise) and returns them as strings; a missing (non-string) entry is an
 * `InvalidOfferSignatureError` for its party.
 */
export function cycleSignatureList(signed: SignedCycleOffer): string[] {
  const n = signed.offer.parties.length;
  if (!Array.isArray(signed.signatures) || signed.signatures.length !== n) {
    throw new InvalidArgumentError("signatures", `must hold one signature per party (${n})`, Array.isArray(signed.signatures) ? signed.signatures.length : signed.signatures);
  }
  return signed.offer.parties.map((p, i) => {
    const s: unknown = signed.signatures[i];
    if (typeof s !== "string") throw new InvalidOfferSignatureError(`P${i}`, checkAddress(`offer.parties[${i}]`, p), null);
    return s;
  });
}

/**
 * Checks, offline, that every party signed `signed.offer` with ECDSA: `signatures[i]` must recover to
 * `parties[i]`. Throws `InvalidOfferSignatureError` naming the first failing party (`P<i>`, expected,
 * recovered) — a wrong, malformed or missing signature — or `InvalidArgumentError` for a signature list of
 * the wrong length. A contract-wallet party (ERC-1271) needs `verifyCycleOfferSignaturesOnChain`.
 */
export function verifyCycleOfferSignatures(signed: SignedCycleOffer): void {
  const signatures = cycleSignatureList(signed);
  signed.offer.parties.forEach((p, i) => {
    const expected = checkAddress(`offer.parties[${i}]`, p);
    const recovered = recoverCycleOfferSigner(signed.offer, signatures[i]!);
    if (recovered !== expected) throw new InvalidOfferSignatureError(`P${i}`, expected, recovered);
  });
}

/** A cycle offer as JSON-safe values (bigints as decimal strings), for files and HTTP bodies. */
export function cycleOfferToJson(offer: CycleOffer): Record<string, unknown> {
  return messageToJson(CYCLE_OFFER_KIND, offer);
}

function big(field: string, v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if ((typeof v === "string" && /^[0-9]+$/.test(v)) || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) return BigInt(v);
  throw new InvalidArgumentError(field, "must be a non-negative integer (decimal string)", v);
}

function arcFromJson(field: string, v: unknown): CycleOfferArc {
  if (v === null || typeof v !== "object") throw new InvalidArgumentError(field, "must be an object", v);
  const a = v as Record<string, unknown>;
  return {
    chainId: big(`${field}.chainId`, a.chainId),
    escrow: checkAddress(`${field}.escrow`, a.escrow),
    token: checkAddress(`${field}.token`, a.token),
    amount: big(`${field}.amount`, a.amount),
    premiumToken: checkAddress(`${field}.premiumToken`, a.premiumToken),
    premiumAmount: big(`${field}.premiumAmount`, a.premiumAmount),
  };
}

/** Parses a cycle offer from its JSON form, checking every field's shape (typed errors name the field). */
export function cycleOfferFromJson(value: unknown): CycleOffer {
  if (value === null || typeof value !== "object") throw new InvalidArgumentError("offer", "must be an object", value);
  const o = value as Record<string, unknown>;
  if (!Array.isArray(o.parties)) throw new InvalidArgumentError("offer.parties", "must be an array", o.parties);
  if (!Array.isArray(o.arcs)) throw new InvalidArgumentError("offer.arcs", "must be an array", o.arcs);
  return {
    parties: (o.parties as unknown[]).map((p, i) => checkAddress(`offer.parties[${i}]`, p)),
    hashlock: checkBytes32("offer.hashlock", o.hashlock),
    start: big("offer.start", o.start),
    delta: big("offer.delta", o.delta),
    arcs: (o.arcs as unknown[]).map((a, i) => arcFromJson(`offer.arcs[${i}]`, a)),
  };
}

/** A signed cycle offer as JSON-safe values: `{ offer, signatures: [...] }`. */
export function signedCycleOfferToJson(signed: SignedCycleOffer): Record<string, unknown> {
  return { offer: cycleOfferToJson(signed.offer), signatures: [...signed.signatures] };
}

/** Parses a signed cycle offer from its JSON form (signatures are checked by the verifiers, not here). */
export function signedCycleOfferFromJson(value: unknown): SignedCycleOffer {
  if (value === null || typeof value !== "object") throw new InvalidArgumentError("signed offer", "must be an object", value);
  const v = value as { offer?: unknown; signatures?: unknown };
  if (!Array.isArray(v.signatures)) throw new InvalidArgumentError("signatures", "must be an array of 0x-hex signatures", v.signatures);
  const signatures = (v.signatures as unknown[]).map((s, i) => {
    if (typeof s !== "string" || !/^0x[0-9a-fA-F]*$/.test(s)) throw new InvalidArgumentError(`signatures[${i}]`, "must be a 0x-hex signature", s);
    return s;
  });
  return { offer: cycleOfferFromJson(v.offer), signatures };
}
