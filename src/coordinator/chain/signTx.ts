/**
 * EIP-1559 (type 2) transaction signing for the sender's batch calls, built from ethers' signing key
 * and keccak and `@ethereumjs/rlp`. It produces exactly the bytes of ethers' `Wallet.signTransaction`
 * (the tests compare them), about ten times faster on a 25 KB batch: ethers' RLP encoder turns the
 * calldata into an array of numbers and back to hex twice per signature, which is most of the 30 ms it
 * takes per 100-leg batch.
 */
import { RLP } from "@ethereumjs/rlp";
import { keccak256, type SigningKey } from "ethers";

import { InvalidArgumentError } from "../../sdk/errors";

/** The fields of an EIP-1559 transaction with an empty access list. */
export interface Eip1559Fields {
  readonly chainId: bigint;
  readonly nonce: number;
  readonly maxPriorityFeePerGas: bigint;
  readonly maxFeePerGas: bigint;
  readonly gasLimit: bigint;
  /** The callee: 20 bytes of 0x-prefixed hex (any case). */
  readonly to: string;
  readonly value: bigint;
  /** The calldata: 0x-prefixed hex. */
  readonly data: string;
}

/** A signed transaction: its serialisation (as `eth_sendRawTransaction` takes it) and its hash. */
export interface SignedRaw {
  readonly raw: string;
  readonly hash: string;
}

const TYPE_2 = Uint8Array.of(2);
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

function bytes(field: string, hex: string, length?: number): Uint8Array {
  if (typeof hex !== "string" || !HEX.test(hex) || (length !== undefined && hex.length !== 2 + 2 * length)) {
    throw new InvalidArgumentError(field, length === undefined ? "must be 0x-prefixed hex of whole bytes" : `must be ${length} bytes of 0x-prefixed hex`, hex);
  }
  return Buffer.from(hex.slice(2), "hex");
}

function quantity(field: string, n: bigint | number): bigint {
  const v = typeof n === "number" ? (Number.isSafeInteger(n) ? BigInt(n) : -1n) : n;
  if (typeof v !== "bigint" || v < 0n || v >= 1n << 256n) throw new InvalidArgumentError(field, "must be a whole number from 0 to 2^256 - 1", n);
  return v;
}

/** Signs `f` with `key`. Throws the SDK's `InvalidArgumentError` for a malformed field. */
export function signEip1559(key: SigningKey, f: Eip1559Fields): SignedRaw {
  const fields = [
    quantity("chainId", f.chainId),
    quantity("nonce", f.nonce),
    quantity("maxPriorityFeePerGas", f.maxPriorityFeePerGas),
    quantity("maxFeePerGas", f.maxFeePerGas),
    quantity("gasLimit", f.gasLimit),
    bytes("to", f.to, 20),
    quantity("value", f.value),
    bytes("data", f.data),
    [],
  ];
  const unsigned = Buffer.concat([TYPE_2, RLP.encode(fields)]);
  const sig = key.sign(keccak256(unsigned));
  const signed = Buffer.concat([TYPE_2, RLP.encode([...fields, BigInt(sig.yParity), BigInt(sig.r), BigInt(sig.s)])]);
  return { raw: "0x" + signed.toString("hex"), hash: keccak256(signed) };
}
