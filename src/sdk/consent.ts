/**
 * Checking a redeemer's consent to a cooperative abort before relying on it, exactly as the escrow's
 * `abort` will (OpenZeppelin `SignatureChecker.isValidSignatureNow`, v5): a redeemer without code must
 * have signed the EIP-712 abort digest with ECDSA (65 bytes, low `s`, `v` 27 or 28); a redeemer with
 * code (an ERC-1271 contract wallet) must answer `isValidSignature(digest, signature)` with the magic
 * value `0x1626ba7e`. Shared by dApps and the coordinator, so a consent that passes here is one the
 * contract accepts (at the block read).
 */
import { Interface, ZeroAddress, isHexString, recoverAddress, type BlockTag, type ContractRunner } from "ethers";

import { providerOf } from "./deployments";
import { WrongChainError } from "./errors";
import { abortDigest, type LocatedLeg } from "./leg";

/** What ERC-1271's `isValidSignature` returns for a valid signature (its own selector). */
export const ERC1271_MAGIC_VALUE = "0x1626ba7e";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
/** secp256k1n / 2: a larger `s` is the malleable twin, which OpenZeppelin's ECDSA refuses. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
/** The magic value as the ABI encodes a returned `bytes4`: left-aligned in one word. */
const MAGIC_WORD = ERC1271_MAGIC_VALUE + "00".repeat(28);

/**
 * The address whose ECDSA signature `signature` is over the abort digest of `leg`, with OpenZeppelin
 * `ECDSA.tryRecover`'s rules (exactly 65 bytes r‖s‖v, `s` in the lower half, `v` 27 or 28); null when
 * it is not such a signature. Pure: no chain access. Alone it says nothing about contract wallets; use
 * `verifyAbortConsent`.
 */
export function recoverAbortSigner(leg: LocatedLeg, signature: string): string | null {
  if (!isHexString(signature, 65)) return null;
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return null;
  if (BigInt("0x" + signature.slice(66, 130)) > HALF_N) return null;
  try {
    const signer = recoverAddress(abortDigest(leg.leg, leg.at), signature);
    return signer === ZeroAddress ? null : signer;
  } catch {
    return null;
  }
}

/** The verdict of `verifyAbortConsent`. */
export interface AbortConsentCheck {
  /** True when the escrow's `abort` accepts this signature for the leg (as of the block read). */
  readonly valid: boolean;
  /** How it was judged: `ecdsa` (the redeemer has no code) or `erc1271` (the redeemer is a contract). */
  readonly scheme: "ecdsa" | "erc1271";
  /** The ECDSA signer of the abort digest, when the signature recovers to one (whoever it is). */
  readonly recovered: string | null;
}

/** Options of `verifyAbortConsent`. */
export interface VerifyConsentOptions {
  /** The block to judge at (the redeemer's code and the ERC-1271 call); default latest. */
  readonly blockTag?: BlockTag;
}

/**
 * Checks that `signature` is the redeemer's consent to the cooperative abort of `leg`, the way the
 * escrow checks it: ECDSA recovery first (pure); then, on the leg's chain, the redeemer's code: without
 * code the ECDSA signer must be the redeemer; with code the redeemer's `isValidSignature(digest,
 * signature)` (`eth_call`) must return `0x1626ba7e` (a revert or any other answer is a refusal). As
 * in OpenZeppelin v5, an account with code (an ERC-1271 wallet, or an EIP-7702 delegated account) is
 * judged by ERC-1271 only. `runner` must be on the leg's chain (`WrongChainError` otherwise); a failing
 * node is thrown, never reported as an invalid signature.
 */
export async function verifyAbortConsent(runner: ContractRunner, leg: LocatedLeg, signature: string, opts: VerifyConsentOptions = {}): Promise<AbortConsentCheck> {
  const provider = providerOf(runner, "verifyAbortConsent");
  const recovered = recoverAbortSigner(leg, signature);
  const chainId = (await provider.getNetwork()).chainId;
  if (chainId !== leg.at.chainId) throw new WrongChainError(leg.at.chainId, chainId);
  const redeemer = leg.leg.redeemer;
  const blockTag = opts.blockTag ?? "latest";
  const code = await provider.getCode(redeemer, blockTag);
  if (code === "0x") return { valid: recovered === redeemer, scheme: "ecdsa", recovered };
  if (!isHexString(signature, true)) return { valid: false, scheme: "erc1271", recovered };
  let answer: string;
  try {
    answer = await provider.call({ to: redeemer, data: ERC1271.encodeFunctionData("isValidSignature", [abortDigest(leg.leg, leg.at), signature]), blockTag });
  } catch (e) {
    if ((e as { code?: unknown }).code === "CALL_EXCEPTION") return { valid: false, scheme: "erc1271", recovered };
    throw e;
  }
  // As SignatureChecker: at least one word returned, and that word is the magic value.
  return { valid: answer.length >= 66 && answer.slice(0, 66).toLowerCase() === MAGIC_WORD, scheme: "erc1271", recovered };
}
