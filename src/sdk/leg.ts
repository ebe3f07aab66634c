/**
 * A leg's parameters and the pure helpers that mirror the escrow contract: leg id, hashlock,
 * EIP-712 typed data. No I/O; checked against `test/vectors/leg-ids.json`.
 */
import { AbiCoder, TypedDataEncoder, ZeroAddress, keccak256, sha256, type TypedDataDomain } from "ethers";

import { checkAddress, checkBytes32 } from "./bytes";
import { packTimelocks, type Timelocks } from "./timelocks";

/** The native coin, as the contract names it in `token` and `premiumToken`. */
export const NATIVE = ZeroAddress;

/** The escrow's EIP-712 domain name. */
export const ESCROW_DOMAIN_NAME = "HedgeSwapEscrow";

/** The escrow version (and EIP-712 domain version) these helpers implement. */
export const ESCROW_VERSION = "1.0.0";

/** A leg's stored state, as `legState(legId)` returns it (`IHedgeSwapEscrow.LegState`). */
export enum LegState {
  /** Never created, or finished: redeemed or settled legs are deleted. */
  None = 0,
  /** The redeemer's premium is in; the principal is not. */
  PremiumDeposited = 1,
  /** The principal is locked (and the premium, if any). */
  Escrowed = 2,
  /** Cooperatively aborted; kept as a tombstone so the abort signature cannot be replayed. */
  Aborted = 3,
}

/**
 * A leg as the contract takes it (`IHedgeSwapEscrow.Leg`): the `timelocks` word is packed.
 * Amounts are in the asset's smallest unit.
 */
export interface LegStruct {
  readonly escrower: string;
  readonly redeemer: string;
  readonly hashlock: string;
  readonly token: string;
  readonly amount: bigint;
  readonly timelocks: bigint;
  readonly premiumToken: string;
  readonly premiumAmount: bigint;
}

/** A leg with its deadlines unpacked, as planners build it. */
export interface LegTerms extends Omit<LegStruct, "timelocks"> {
  readonly timelocks: Timelocks;
}

/** Where a leg lives: the chain and the escrow contract, which together form the EIP-712 domain. */
export interface EscrowLocation {
  readonly chainId: bigint;
  readonly escrow: string;
}

/** A leg together with where it lives, and its id there: what actions and calldata builders take. */
export interface LocatedLeg {
  readonly at: EscrowLocation;
  readonly leg: LegStruct;
  /** `legId(leg, at)`. */
  readonly id: string;
}

/** Pairs a leg with its escrow and computes its id. */
export function locateLeg(leg: LegStruct, at: EscrowLocation): LocatedLeg {
  const location = { chainId: BigInt(at.chainId), escrow: checkAddress("escrow", at.escrow) };
  return { at: location, leg, id: legId(leg, location) };
}

/** The EIP-712 `Leg` type, nested in the cooperative-abort message. */
export const LEG_TYPES = {
  Leg: [
    { name: "escrower", type: "address" },
    { name: "redeemer", type: "address" },
    { name: "hashlock", type: "bytes32" },
    { name: "token", type: "address" },
    { name: "amount", type: "uint256" },
    { name: "timelocks", type: "uint256" },
    { name: "premiumToken", type: "address" },
    { name: "premiumAmount", type: "uint256" },
  ],
} as const;

/** The EIP-712 type the redeemer signs to allow a cooperative abort. */
export const ABORT_TYPES = {
  CooperativeAbort: [{ name: "leg", type: "Leg" }],
  Leg: LEG_TYPES.Leg,
} as const;

/** Packs a leg's deadlines into the contract's form. */
export function toLegStruct(terms: LegTerms): LegStruct {
  return { ...terms, timelocks: packTimelocks(terms.timelocks) };
}

/** The EIP-712 domain of an escrow deployment. */
export function escrowDomain(at: EscrowLocation): TypedDataDomain {
  return { name: ESCROW_DOMAIN_NAME, version: ESCROW_VERSION, chainId: at.chainId, verifyingContract: checkAddress("escrow", at.escrow) };
}

function typedLeg(leg: LegStruct): Record<string, unknown> {
  return { ...leg };
}

/**
 * The leg id the contract computes: `keccak256(abi.encode(chainId, escrow, escrower, redeemer,
 * hashlock, token, amount, timelocks, premiumToken, premiumAmount))`, without the last two words when
 * both are zero (a plain leg).
 */
export function legId(leg: LegStruct, at: EscrowLocation): string {
  const types = ["uint256", "address", "address", "address", "bytes32", "address", "uint256", "uint256"];
  const values: unknown[] = [at.chainId, at.escrow, leg.escrower, leg.redeemer, leg.hashlock, leg.token, leg.amount, leg.timelocks];
  if (leg.premiumAmount !== 0n || BigInt(leg.premiumToken) !== 0n) {
    types.push("address", "uint256");
    values.push(leg.premiumToken, leg.premiumAmount);
  }
  return keccak256(AbiCoder.defaultAbiCoder().encode(types, values));
}

/** The EIP-712 digest the redeemer signs to allow the cooperative abort of `leg`. */
export function abortDigest(leg: LegStruct, at: EscrowLocation): string {
  return TypedDataEncoder.hash(escrowDomain(at), copyTypes(ABORT_TYPES), { leg: typedLeg(leg) });
}

/** The typed data (domain, types, message) a wallet signs to allow the cooperative abort of `leg`. */
export function abortTypedData(leg: LegStruct, at: EscrowLocation) {
  return { domain: escrowDomain(at), types: copyTypes(ABORT_TYPES), message: { leg: typedLeg(leg) } };
}

/** `sha256(secret)` for a 32-byte secret given as 0x-prefixed hex. */
export function hashlockOf(secret: string): string {
  return sha256(checkBytes32("secret", secret));
}

/** A mutable deep copy of a constant EIP-712 type table (ethers wants mutable arrays). @internal */
export function copyTypes<T extends Record<string, readonly { name: string; type: string }[]>>(types: T) {
  const out: Record<string, { name: string; type: string }[]> = {};
  for (const [k, v] of Object.entries(types)) out[k] = v.map((f) => ({ ...f }));
  return out;
}
