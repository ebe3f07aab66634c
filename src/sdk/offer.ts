/**
 * The swap offer: the terms both parties sign (EIP-712) before any transaction — parties, chains,
 * escrows, assets, amounts, premiums and their modes, the start T0, the step Δ and the hashlock. The
 * planners turn an offer into legs and deadlines; the coordinator accepts only offers signed by both.
 */
import type { Signer, TypedDataDomain } from "ethers";

import { checkAddress, checkBytes32 } from "./bytes";
import { InvalidArgumentError, InvalidOfferSignatureError } from "./errors";
import { copyTypes } from "./leg";
import { messageToJson, recoverTypedSigner, signTyped, typedDataOf, typedDigest, type TypedMessageKind } from "./typedData";
import { PremiumMode } from "./timelocks";

/** One leg's terms in an offer. Leg A is the leader's principal, leg B the follower's. */
export interface OfferLeg {
  readonly chainId: bigint;
  readonly escrow: string;
  /** The principal's asset (`NATIVE` for the chain's coin) and amount. */
  readonly token: string;
  readonly amount: bigint;
  /** The premium the leg's redeemer deposits: asset, amount and mode. */
  readonly premiumToken: string;
  readonly premiumAmount: bigint;
  readonly premiumMode: PremiumMode;
}

/**
 * A two-party swap offer (`PROTOCOLS.md` §3, §4). The leader knows the secret and escrows leg A's
 * principal; the follower escrows leg B's. Leg B's premium mode says what it is: hedge → hedged swap,
 * option → HTLC option (the leader is the option's buyer).
 */
export interface SwapOffer {
  readonly leader: string;
  readonly follower: string;
  readonly hashlock: string;
  /** T0, unix seconds: every deadline is `start + k * delta`. */
  readonly start: bigint;
  /** Δ, seconds. */
  readonly delta: bigint;
  readonly legA: OfferLeg;
  readonly legB: OfferLeg;
}

/** An offer with both parties' EIP-712 signatures. */
export interface SignedOffer {
  readonly offer: SwapOffer;
  readonly signatures: { readonly leader: string; readonly follower: string };
}

/** The kind of swap an offer describes, from leg B's premium mode. */
export type SwapKind = "hedged-swap" | "option";

/** The EIP-712 domain of offers: chain-independent, since an offer spans two chains (both are in the message). */
export const OFFER_DOMAIN: TypedDataDomain = Object.freeze({ name: "HedgeSwap Offer", version: "1" });

/** The EIP-712 types of an offer. */
export const OFFER_TYPES = {
  SwapOffer: [
    { name: "leader", type: "address" },
    { name: "follower", type: "address" },
    { name: "hashlock", type: "bytes32" },
    { name: "start", type: "uint64" },
    { name: "delta", type: "uint64" },
    { name: "legA", type: "OfferLeg" },
    { name: "legB", type: "OfferLeg" },
  ],
  OfferLeg: [
    { name: "chainId", type: "uint256" },
    { name: "escrow", type: "address" },
    { name: "token", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "premiumToken", type: "address" },
    { name: "premiumAmount", type: "uint256" },
    { name: "premiumMode", type: "uint8" },
  ],
} as const;

/** The kind of swap `offer` describes. */
export function offerKind(offer: SwapOffer): SwapKind {
  return offer.legB.premiumMode === PremiumMode.Option ? "option" : "hedged-swap";
}

/** The two-party offer as an EIP-712 message kind. */
const OFFER_KIND: TypedMessageKind<SwapOffer, "SwapOffer"> = {
  domain: OFFER_DOMAIN,
  primaryType: "SwapOffer",
  types: () => copyTypes(OFFER_TYPES),
  message: (offer) => {
    const leg = (l: OfferLeg) => ({ ...l, premiumMode: Number(l.premiumMode) });
    return { ...offer, legA: leg(offer.legA), legB: leg(offer.legB) };
  },
};

/** The typed data (domain, types, primaryType, message) a wallet signs for `offer`. */
export function offerTypedData(offer: SwapOffer) {
  return typedDataOf(OFFER_KIND, offer);
}

/** The EIP-712 digest of `offer`; also the swap's id. */
export function offerDigest(offer: SwapOffer): string {
  return typedDigest(OFFER_KIND, offer);
}

/** Signs `offer` with `signer` (a wallet shows the typed fields). */
export async function signOffer(signer: Signer, offer: SwapOffer): Promise<string> {
  return signTyped(OFFER_KIND, signer, offer, "signOffer");
}

/** The address that signed `offer` with `signature`, or null when the signature is malformed. */
export function recoverOfferSigner(offer: SwapOffer, signature: string): string | null {
  return recoverTypedSigner(OFFER_KIND, offer, signature);
}

/**
 * Checks that the leader and the follower both signed `signed.offer`; throws
 * `InvalidOfferSignatureError` naming the party otherwise. (EOA signatures; a smart-contract party's
 * ERC-1271 signature needs an on-chain check, which this offline helper does not make.)
 */
export function verifyOfferSignatures(signed: SignedOffer): void {
  for (const party of ["leader", "follower"] as const) {
    const expected = checkAddress(`offer.${party}`, signed.offer[party]);
    const recovered = recoverOfferSigner(signed.offer, signed.signatures[party]);
    if (recovered !== expected) throw new InvalidOfferSignatureError(party, expected, recovered);
  }
}

/** An offer as JSON-safe values (bigints as decimal strings), for files and HTTP bodies. */
export function offerToJson(offer: SwapOffer): Record<string, unknown> {
  return messageToJson(OFFER_KIND, offer);
}

function big(field: string, v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if ((typeof v === "string" && /^[0-9]+$/.test(v)) || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) return BigInt(v);
  throw new InvalidArgumentError(field, "must be a non-negative integer (decimal string)", v);
}

function legFromJson(field: string, v: unknown): OfferLeg {
  if (v === null || typeof v !== "object") throw new InvalidArgumentError(field, "must be an object", v);
  const l = v as Record<string, unknown>;
  const mode = Number(l.premiumMode);
  if (mode !== PremiumMode.Hedge && mode !== PremiumMode.Option) {
    throw new InvalidArgumentError(`${field}.premiumMode`, "must be 0 (hedge) or 1 (option)", l.premiumMode);
  }
  return {
    chainId: big(`${field}.chainId`, l.chainId),
    escrow: checkAddress(`${field}.escrow`, l.escrow),
    token: checkAddress(`${field}.token`, l.token),
    amount: big(`${field}.amount`, l.amount),
    premiumToken: checkAddress(`${field}.premiumToken`, l.premiumToken),
    premiumAmount: big(`${field}.premiumAmount`, l.premiumAmount),
    premiumMode: mode,
  };
}

/** Parses an offer from its JSON form, checking every field's shape (typed errors name the field). */
export function offerFromJson(value: unknown): SwapOffer {
  if (value === null || typeof value !== "object") throw new InvalidArgumentError("offer", "must be an object", value);
  const o = value as Record<string, unknown>;
  return {
    leader: checkAddress("offer.leader", o.leader),
    follower: checkAddress("offer.follower", o.follower),
    hashlock: checkBytes32("offer.hashlock", o.hashlock),
    start: big("offer.start", o.start),
    delta: big("offer.delta", o.delta),
    legA: legFromJson("offer.legA", o.legA),
    legB: legFromJson("offer.legB", o.legB),
  };
}

/** A signed offer as JSON-safe values: `{ offer, signatures: { leader, follower } }`. */
export function signedOfferToJson(signed: SignedOffer): Record<string, unknown> {
  return { offer: offerToJson(signed.offer), signatures: { leader: signed.signatures.leader, follower: signed.signatures.follower } };
}

/** Parses a signed offer from its JSON form (signatures are checked by `verifyOfferSignatures`, not here). */
export function signedOfferFromJson(value: unknown): SignedOffer {
  if (value === null || typeof value !== "object") throw new InvalidArgumentError("signed offer", "must be an object", value);
  const v = value as { offer?: unknown; signatures?: { leader?: unknown; follower?: unknown } };
  const sig = (party: "leader" | "follower"): string => {
    const s = v.signatures?.[party];
    if (typeof s !== "string" || !/^0x[0-9a-fA-F]*$/.test(s)) throw new InvalidArgumentError(`signatures.${party}`, "must be a 0x-hex signature", s);
    return s;
  };
  return { offer: offerFromJson(v.offer), signatures: { leader: sig("leader"), follower: sig("follower") } };
}
