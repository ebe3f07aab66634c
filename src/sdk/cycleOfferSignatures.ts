/**
 * Verifying every party's signature of a cycle offer on chain, as OpenZeppelin's
 * `SignatureChecker.isValidSignatureNow` would: a party without code must have signed the offer's
 * EIP-712 digest with ECDSA; a party with code (an ERC-1271 contract wallet) must answer
 * `isValidSignature(digest, signature)` with `0x1626ba7e`.
 */
import { Interface, isHexString, type BlockTag, type ContractRunner } from "ethers";

import { checkAddress } from "./bytes";
import { ERC1271_MAGIC_VALUE } from "./consent";
import { cycleOfferDigest, cycleSignatureList, recoverCycleOfferSigner, type SignedCycleOffer } from "./cycleOffer";
import { providerOf } from "./deployments";
import { InvalidOfferSignatureError, WrongChainError } from "./errors";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
/** The magic value as the ABI encodes a returned `bytes4`: left-aligned in one word. */
const MAGIC_WORD = ERC1271_MAGIC_VALUE + "00".repeat(28);

/** How one party's signature was judged. */
export interface CycleSignatureCheck {
  readonly party: string;
  /** `ecdsa` (no code at the party's address on the chain asked) or `erc1271`. */
  readonly scheme: "ecdsa" | "erc1271";
  /** The chain the party was judged on: the chain of the arc it pays (arc i for party i). */
  readonly chainId: bigint;
}

/** Options of `verifyCycleOfferSignaturesOnChain`. */
export interface VerifyCycleSignaturesOptions {
  /** The block to judge at (the code and the ERC-1271 call); default latest. */
  readonly blockTag?: BlockTag;
}

/**
 * Checks every party's signature of `signed.offer`: party i on the chain of arc i (the arc it pays, where
 * its wallet escrows), through `runnerFor(chainId)`, which must be on that chain (`WrongChainError`).
 * Without code at the party's address the ECDSA signer must be the party; with code the party's
 * `isValidSignature(cycleOfferDigest(offer), signature)` must return the magic value (a revert or any other
 * answer is a refusal). Throws `InvalidOfferSignatureError` naming the first failing party (`P<i>`, the
 * expected address, the ECDSA signer if any); returns how each was judged. A failing node is thrown as is.
 */
export async function verifyCycleOfferSignaturesOnChain(
  signed: SignedCycleOffer,
  runnerFor: (chainId: bigint) => ContractRunner,
  opts: VerifyCycleSignaturesOptions = {},
): Promise<CycleSignatureCheck[]> {
  const signatures = cycleSignatureList(signed);
  const digest = cycleOfferDigest(signed.offer);
  const blockTag = opts.blockTag ?? "latest";
  const checks: CycleSignatureCheck[] = [];
  for (const [i, p] of signed.offer.parties.entries()) {
    const party = checkAddress(`offer.parties[${i}]`, p);
    const signature = signatures[i]!;
    const arc = signed.offer.arcs[i];
    if (arc === undefined) throw new InvalidOfferSignatureError(`P${i}`, party, null);
    const provider = providerOf(runnerFor(arc.chainId), "verifyCycleOfferSignaturesOnChain");
    const chainId = (await provider.getNetwork()).chainId;
    if (chainId !== arc.chainId) throw new WrongChainError(arc.chainId, chainId);
    const recovered = recoverCycleOfferSigner(signed.offer, signature);
    const code = await provider.getCode(party, blockTag);
    if (code === "0x") {
      if (recovered !== party) throw new InvalidOfferSignatureError(`P${i}`, party, recovered);
      checks.push({ party, scheme: "ecdsa", chainId });
      continue;
    }
    let answer = "0x";
    if (isHexString(signature, true)) {
      try {
        answer = await provider.call({ to: party, data: ERC1271.encodeFunctionData("isValidSignature", [digest, signature]), blockTag });
      } catch (e) {
        if ((e as { code?: unknown }).code !== "CALL_EXCEPTION") throw e;
      }
    }
    if (!(answer.length >= 66 && answer.slice(0, 66).toLowerCase() === MAGIC_WORD)) throw new InvalidOfferSignatureError(`P${i}`, party, recovered);
    checks.push({ party, scheme: "erc1271", chainId });
  }
  return checks;
}
