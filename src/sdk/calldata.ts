/**
 * Calldata builders: every escrow call as `{ to, data, value }`, ready for any wallet or sender (the
 * coordinator sends these with its own nonce and fee management). Pure; one ABI encoding for all
 * (ethers' `Interface`), which a batch builder's caller may replace by its own encoder of the same bytes.
 */
import { Interface, ZeroAddress } from "ethers";

import { escrowAbi } from "./abi";
import { checkAddress, checkBytes32 } from "./bytes";
import { CallInputError } from "./errors";
import { NATIVE, type EscrowLocation, type LocatedLeg } from "./leg";

/** A transaction request: target, calldata and native value. */
export interface TxRequest {
  readonly to: string;
  readonly data: string;
  readonly value: bigint;
}

/** An ERC-2612 permit signature split as the escrow's `*WithPermit` functions take it. */
export interface PermitSignature {
  readonly deadline: bigint;
  readonly v: number;
  readonly r: string;
  readonly s: string;
}

/** The escrow's ABI as an ethers `Interface` (built once). */
export const escrowInterface = new Interface(escrowAbi);

/** The ERC-20 (and ERC-2612 / ERC-5267) functions the SDK calls on tokens. */
export const erc20Interface = new Interface([
  "function approve(address spender, uint256 amount) returns (bool)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function balanceOf(address owner) view returns (uint256)",
  "function name() view returns (string)",
  "function nonces(address owner) view returns (uint256)",
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
]);

function call(at: EscrowLocation, fn: string, args: readonly unknown[], value = 0n): TxRequest {
  return { to: at.escrow, data: escrowInterface.encodeFunctionData(fn, args), value };
}

/** The escrow's batch functions. */
export type BatchFunction = "depositPremiumBatch" | "escrowBatch" | "redeemBatch" | "settleBatch";

/**
 * Encodes a batch call's calldata (selector and arguments) from the function's name and its
 * arguments as the builders pass them to ethers' `Interface.encodeFunctionData`; it must give the
 * same bytes. The coordinator passes viem's `encodeFunctionData` (a tenth of the time for hundreds
 * of legs) without the SDK depending on viem.
 */
export type BatchEncoder = (fn: BatchFunction, args: readonly unknown[]) => string;

/** Options of the batch calldata builders. */
export interface BatchOptions {
  /** The calldata encoder; by default ethers' `Interface` over `escrowAbi`. */
  readonly encode?: BatchEncoder;
}

/** A batch call, encoded by `opts.encode` or else by ethers' `Interface`. */
function batchCall(at: EscrowLocation, fn: BatchFunction, args: readonly unknown[], value: bigint, opts: BatchOptions | undefined): TxRequest {
  const data = opts?.encode ? opts.encode(fn, args) : escrowInterface.encodeFunctionData(fn, args);
  return { to: at.escrow, data, value };
}

/** The native value the redeemer sends with `depositPremium`: the premium when it is the native coin. */
export function premiumValue(leg: LocatedLeg): bigint {
  return leg.leg.premiumToken === NATIVE || BigInt(leg.leg.premiumToken) === 0n ? leg.leg.premiumAmount : 0n;
}

/** The native value the escrower sends with `escrow`: the principal when it is the native coin. */
export function principalValue(leg: LocatedLeg): bigint {
  return BigInt(leg.leg.token) === 0n ? leg.leg.amount : 0n;
}

/** `depositPremium(leg)`, sent by the redeemer. */
export function depositPremiumTx(leg: LocatedLeg): TxRequest {
  return call(leg.at, "depositPremium", [leg.leg], premiumValue(leg));
}

/** `depositPremiumWithPermit(leg, ...)`: an ERC-20 premium pulled with an ERC-2612 permit. */
export function depositPremiumWithPermitTx(leg: LocatedLeg, permit: PermitSignature): TxRequest {
  return call(leg.at, "depositPremiumWithPermit", [leg.leg, permit.deadline, permit.v, permit.r, permit.s]);
}

/** `escrow(leg)`, sent by the escrower (also creates a plain leg). */
export function escrowTx(leg: LocatedLeg): TxRequest {
  return call(leg.at, "escrow", [leg.leg], principalValue(leg));
}

/** `escrowWithPermit(leg, ...)`: an ERC-20 principal pulled with an ERC-2612 permit. */
export function escrowWithPermitTx(leg: LocatedLeg, permit: PermitSignature): TxRequest {
  return call(leg.at, "escrowWithPermit", [leg.leg, permit.deadline, permit.v, permit.r, permit.s]);
}

/** `redeem(leg, secret)`: anyone may send it; the principal goes to the redeemer. */
export function redeemTx(leg: LocatedLeg, secret: string): TxRequest {
  return call(leg.at, "redeem", [leg.leg, checkBytes32("secret", secret)]);
}

function sameEscrow(action: string, legs: readonly LocatedLeg[]): EscrowLocation {
  const first = legs[0];
  if (!first) throw new CallInputError(action, "the batch is empty", {});
  for (const l of legs) {
    if (l.at.chainId !== first.at.chainId || l.at.escrow !== first.at.escrow) {
      throw new CallInputError(action, "every leg of a batch must live in the same escrow", { first: first.id, other: l.id });
    }
  }
  return first.at;
}

/** `redeemBatch(legs, secrets)`: several legs of one escrow in one transaction. */
export function redeemBatchTx(items: readonly { leg: LocatedLeg; secret: string }[], opts?: BatchOptions): TxRequest {
  const at = sameEscrow("redeemBatch", items.map((i) => i.leg));
  return batchCall(at, "redeemBatch", [items.map((i) => i.leg.leg), items.map((i) => checkBytes32("secret", i.secret))], 0n, opts);
}

/** `depositPremiumBatch(legs)`: the redeemer's premiums of several legs of one escrow; the value is the native premiums' sum. */
export function depositPremiumBatchTx(legs: readonly LocatedLeg[], opts?: BatchOptions): TxRequest {
  const at = sameEscrow("depositPremiumBatch", legs);
  return batchCall(at, "depositPremiumBatch", [legs.map((l) => l.leg)], legs.reduce((sum, l) => sum + premiumValue(l), 0n), opts);
}

/** `escrowBatch(legs)`: the escrower's principals of several legs of one escrow; the value is the native principals' sum. */
export function escrowBatchTx(legs: readonly LocatedLeg[], opts?: BatchOptions): TxRequest {
  const at = sameEscrow("escrowBatch", legs);
  return batchCall(at, "escrowBatch", [legs.map((l) => l.leg)], legs.reduce((sum, l) => sum + principalValue(l), 0n), opts);
}

/** `settle(leg)`: anyone, after the leg's deadline. */
export function settleTx(leg: LocatedLeg): TxRequest {
  return call(leg.at, "settle", [leg.leg]);
}

/** `settleBatch(legs)`: several legs of one escrow. */
export function settleBatchTx(legs: readonly LocatedLeg[], opts?: BatchOptions): TxRequest {
  return batchCall(sameEscrow("settleBatch", legs), "settleBatch", [legs.map((l) => l.leg)], 0n, opts);
}

/** `abort(leg, redeemerSignature)`: the escrower, with the redeemer's EIP-712 consent. */
export function abortTx(leg: LocatedLeg, redeemerSignature: string): TxRequest {
  return call(leg.at, "abort", [leg.leg, redeemerSignature]);
}

/** The largest uint256. */
const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * `withdraw(token, to)`: pays the caller's whole credit of `token` (credited payouts that could not be
 * pushed) to `to`. With `amount`, the overload `withdraw(token, to, amount)`: pays that part of the
 * credit and leaves the rest credited, for a credit larger than `token` moves in one transfer (a
 * per-transfer limit). `withdraw` is overloaded, so both are encoded by their full signatures.
 * Throws `CallInputError` for an `amount` that is not a uint256 above 0.
 */
export function withdrawTx(at: EscrowLocation, token: string, to: string, amount?: bigint): TxRequest {
  const args = [checkAddress("token", token), checkAddress("to", to)];
  if (amount === undefined) return call(at, "withdraw(address,address)", args);
  if (typeof amount !== "bigint" || amount <= 0n || amount > MAX_UINT256) {
    throw new CallInputError("withdraw", "the amount of a partial withdrawal must be a uint256 above 0", { amount });
  }
  return call(at, "withdraw(address,address,uint256)", [...args, amount]);
}

/** ERC-20 `approve(spender, amount)` on `token`. */
export function approveTx(token: string, spender: string, amount: bigint): TxRequest {
  if (checkAddress("token", token) === ZeroAddress) throw new CallInputError("approve", "the native coin needs no approval", { token });
  return { to: checkAddress("token", token), data: erc20Interface.encodeFunctionData("approve", [checkAddress("spender", spender), amount]), value: 0n };
}
