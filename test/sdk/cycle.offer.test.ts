/**
 * The n-party cycle offer (`PROTOCOLS.md` §7): the pinned vector test/vectors/cycle3.json (EIP-712
 * encoding, digest recomputed here by hand from the EIP-712 rules, signatures, leg ids), signing and
 * verifying with n ECDSA signers for n = 2 … 8, wrong, tampered and missing signatures refused, JSON round
 * trips, planFromCycleOffer from a signed offer, and ERC-1271 verification of a contract-wallet party
 * (TestWallet) on Hardhat's in-process network.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "hardhat";
import { AbiCoder, Wallet, concat, keccak256, toUtf8Bytes, zeroPadValue, type ContractRunner } from "ethers";

import {
  CYCLE_OFFER_TYPES,
  InvalidArgumentError,
  InvalidOfferSignatureError,
  NATIVE,
  WrongChainError,
  cycleOfferDigest,
  cycleOfferFromJson,
  cycleOfferToJson,
  cycleOfferTypedData,
  planCycle,
  planFromCycleOffer,
  recoverCycleOfferSigner,
  signCycleOffer,
  signedCycleOfferFromJson,
  signedCycleOfferToJson,
  verifyCycleOfferSignatures,
  verifyCycleOfferSignaturesOnChain,
  type CycleOffer,
  type CycleTerms,
  type HedgeSwapError,
  type SignedCycleOffer,
} from "../../src/sdk";

interface Vector {
  privateKeys: string[];
  offer: Record<string, unknown>;
  encodeType: string;
  digest: string;
  signatures: string[];
  legIds: string[];
}

const VECTOR = JSON.parse(readFileSync(join(__dirname, "..", "vectors", "cycle3.json"), "utf8")) as Vector;
const WALLETS = Array.from({ length: 8 }, (_, i) => new Wallet("0x" + (i + 1).toString(16).padStart(2, "0").repeat(32)));
const SECRET = "0x" + "5a".repeat(32);
const T0 = 1_900_000_000n;
const D = 3600n;
const NOW = T0 - 1000n;
const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

function cycleTerms(parties: readonly string[], chainIds: readonly bigint[], escrow = ESCROW, start = T0): CycleTerms {
  const n = parties.length;
  return {
    leader: parties[0]!, secret: SECRET, start, delta: D, compensations: parties.map(() => 1n),
    arcs: parties.map((p, i) => ({ from: p, to: parties[(i + 1) % n]!, chainId: chainIds[i]!, escrow, token: NATIVE, amount: 100n })),
  };
}

function expectError<T extends HedgeSwapError>(fn: () => unknown, cls: new (...a: never[]) => T, code: string, details: Record<string, unknown> = {}): T {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an error").to.be.instanceOf(cls);
  const err = caught as T;
  expect(err.code).to.equal(code);
  expect(err.details).to.deep.include(details);
  return err;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

/** The EIP-712 digest of a cycle offer, from the EIP-712 rules directly (arrays: keccak of the concatenated encodings). */
function digestByHand(offer: CycleOffer): string {
  const abi = AbiCoder.defaultAbiCoder();
  const arcType = "CycleArc(uint256 chainId,address escrow,address token,uint256 amount,address premiumToken,uint256 premiumAmount)";
  const offerType = "CycleOffer(address[] parties,bytes32 hashlock,uint64 start,uint64 delta,CycleArc[] arcs)" + arcType;
  const arcHash = (a: CycleOffer["arcs"][number]) =>
    keccak256(abi.encode(["bytes32", "uint256", "address", "address", "uint256", "address", "uint256"], [keccak256(toUtf8Bytes(arcType)), a.chainId, a.escrow, a.token, a.amount, a.premiumToken, a.premiumAmount]));
  const partiesHash = keccak256(concat(offer.parties.map((p) => zeroPadValue(p, 32))));
  const arcsHash = keccak256(concat(offer.arcs.map(arcHash)));
  const structHash = keccak256(abi.encode(["bytes32", "bytes32", "bytes32", "uint64", "uint64", "bytes32"], [keccak256(toUtf8Bytes(offerType)), partiesHash, offer.hashlock, offer.start, offer.delta, arcsHash]));
  const domain = keccak256(abi.encode(["bytes32", "bytes32", "bytes32"], [keccak256(toUtf8Bytes("EIP712Domain(string name,string version)")), keccak256(toUtf8Bytes("HedgeSwap Cycle Offer")), keccak256(toUtf8Bytes("1"))]));
  return keccak256(concat(["0x1901", domain, structHash]));
}

describe("SDK cycle offer (§7)", function () {
  describe("the pinned vector test/vectors/cycle3.json", function () {
    const offer = cycleOfferFromJson(VECTOR.offer);

    it("the encoded type, and the digest both from the SDK and recomputed by hand", function () {
      const types = CYCLE_OFFER_TYPES as unknown as Record<string, { name: string; type: string }[]>;
      expect(ethers.TypedDataEncoder.from(JSON.parse(JSON.stringify(types)) as typeof types).encodeType("CycleOffer")).to.equal(VECTOR.encodeType);
      expect(cycleOfferDigest(offer)).to.equal(VECTOR.digest);
      expect(digestByHand(offer)).to.equal(VECTOR.digest);
      expect(ethers.TypedDataEncoder.hash(cycleOfferTypedData(offer).domain, cycleOfferTypedData(offer).types, cycleOfferTypedData(offer).message)).to.equal(VECTOR.digest);
      expect(cycleOfferToJson(offer)).to.deep.equal(VECTOR.offer);
    });

    it("its parties' keys give the pinned signatures (RFC 6979), which verify; its plan has the pinned id and leg ids", async function () {
      const signers = VECTOR.privateKeys.map((k) => new Wallet(k));
      expect(signers.map((s) => s.address)).to.deep.equal(offer.parties);
      expect(await Promise.all(signers.map((s) => signCycleOffer(s, offer)))).to.deep.equal(VECTOR.signatures);
      expect(() => verifyCycleOfferSignatures({ offer, signatures: VECTOR.signatures })).to.not.throw();
      const plan = planFromCycleOffer(offer, { now: NOW });
      expect(plan.id).to.equal(VECTOR.digest);
      expect(plan.arcs.map((a) => a.id)).to.deep.equal(VECTOR.legIds);
      expect(plan.arcs.map((a) => a.leg.premiumAmount)).to.deep.equal([1n, 2n, 3n]);
    });

    it("any change of a field changes the digest", function () {
      const variants: CycleOffer[] = [
        { ...offer, start: offer.start + 1n },
        { ...offer, delta: offer.delta + 1n },
        { ...offer, parties: [offer.parties[1]!, offer.parties[2]!, offer.parties[0]!] },
        { ...offer, arcs: offer.arcs.map((a, i) => (i === 2 ? { ...a, premiumAmount: 4n } : a)) },
        { ...offer, arcs: offer.arcs.slice(0, 2) },
      ];
      const digests = new Set([VECTOR.digest, ...variants.map(cycleOfferDigest)]);
      expect(digests.size).to.equal(variants.length + 1);
    });
  });

  describe("signing and verification with n ECDSA signers", function () {
    for (let n = 2; n <= 8; n++) {
      it(`n = ${n}: every party signs; all verify; planFromCycleOffer of the signed offer (via JSON) is the plan`, async function () {
        const parties = WALLETS.slice(0, n);
        const plan = planCycle(cycleTerms(parties.map((w) => w.address), parties.map((_, i) => BigInt(10 + i))), { now: NOW });
        const signed: SignedCycleOffer = { offer: plan.offer, signatures: await Promise.all(parties.map((w) => signCycleOffer(w, plan.offer))) };
        verifyCycleOfferSignatures(signed);
        parties.forEach((w, i) => expect(recoverCycleOfferSigner(plan.offer, signed.signatures[i]!)).to.equal(w.address));
        const back = signedCycleOfferFromJson(JSON.parse(JSON.stringify(signedCycleOfferToJson(signed))));
        verifyCycleOfferSignatures(back);
        expect(planFromCycleOffer(back.offer, { now: NOW })).to.deep.equal(plan);
      });
    }

    it("a wrong signer, swapped signatures, a tampered offer, a malformed or missing signature → InvalidOfferSignatureError naming the party", async function () {
      const parties = WALLETS.slice(0, 3);
      const offer = planCycle(cycleTerms(parties.map((w) => w.address), [10n, 11n, 12n]), { now: NOW }).offer;
      const sigs = await Promise.all(parties.map((w) => signCycleOffer(w, offer)));
      const byOther = await signCycleOffer(WALLETS[5]!, offer);
      expectError(() => verifyCycleOfferSignatures({ offer, signatures: [sigs[0]!, byOther, sigs[2]!] }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "P1", expected: parties[1]!.address, recovered: WALLETS[5]!.address });
      expectError(() => verifyCycleOfferSignatures({ offer, signatures: [sigs[1]!, sigs[0]!, sigs[2]!] }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "P0", recovered: parties[1]!.address });
      const tampered = { ...offer, arcs: offer.arcs.map((a, i) => (i === 1 ? { ...a, amount: 99n } : a)) };
      expectError(() => verifyCycleOfferSignatures({ offer: tampered, signatures: sigs }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "P0" });
      expectError(() => verifyCycleOfferSignatures({ offer, signatures: [sigs[0]!, sigs[1]!, "0x1234"] }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "P2", recovered: null });
      expectError(() => verifyCycleOfferSignatures({ offer, signatures: [sigs[0]!, undefined as unknown as string, sigs[2]!] }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "P1", recovered: null });
      expectError(() => verifyCycleOfferSignatures({ offer, signatures: sigs.slice(0, 2) }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "signatures", value: 2 });
      expectError(() => signedCycleOfferFromJson({ offer: cycleOfferToJson(offer), signatures: ["0xzz"] }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "signatures[0]" });
    });
  });

  describe("ERC-1271 on Hardhat's network", function () {
    it("a TestWallet party is judged by isValidSignature (its owner's signature of the digest), EOAs by ECDSA; a wrong one is refused; a runner on another chain is WrongChainError", async function () {
      const [owner, bob, carol, mallory] = await ethers.getSigners();
      const wallet = await ethers.deployContract("TestWallet", [owner!.address]);
      const walletAddress = await wallet.getAddress();
      const chainId = (await ethers.provider.getNetwork()).chainId;
      const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const parties = [walletAddress, bob!.address, carol!.address];
      const plan = planCycle(cycleTerms(parties, [chainId, chainId, chainId], ESCROW, latest + 100n), { now: latest, allowSameChain: true });
      const offer = plan.offer;
      const signatures = [await signCycleOffer(owner!, offer), await signCycleOffer(bob!, offer), await signCycleOffer(carol!, offer)];
      const runner = (): ContractRunner => ethers.provider;

      const checks = await verifyCycleOfferSignaturesOnChain({ offer, signatures }, runner);
      expect(checks).to.deep.equal([
        { party: walletAddress, scheme: "erc1271", chainId },
        { party: bob!.address, scheme: "ecdsa", chainId },
        { party: carol!.address, scheme: "ecdsa", chainId },
      ]);
      // Offline ECDSA alone refuses the wallet: its signature recovers to the owner, not to the wallet.
      expectError(() => verifyCycleOfferSignatures({ offer, signatures }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "P0", expected: walletAddress, recovered: owner!.address });

      const wrongWallet = [await signCycleOffer(mallory!, offer), signatures[1]!, signatures[2]!];
      const e1 = (await rejection(verifyCycleOfferSignaturesOnChain({ offer, signatures: wrongWallet }, runner))) as InvalidOfferSignatureError;
      expect(e1).to.be.instanceOf(InvalidOfferSignatureError);
      expect(e1.details).to.deep.include({ party: "P0", expected: walletAddress, recovered: mallory!.address });
      const garbage = ["0x" + "00".repeat(65), signatures[1]!, signatures[2]!];
      expect(await rejection(verifyCycleOfferSignaturesOnChain({ offer, signatures: garbage }, runner))).to.be.instanceOf(InvalidOfferSignatureError);
      const wrongEoa = [signatures[0]!, signatures[2]!, signatures[2]!];
      const e2 = (await rejection(verifyCycleOfferSignaturesOnChain({ offer, signatures: wrongEoa }, runner))) as InvalidOfferSignatureError;
      expect(e2.details).to.deep.include({ party: "P1", expected: bob!.address, recovered: carol!.address });

      const elsewhere = planCycle(cycleTerms(parties, [chainId + 1n, chainId + 2n, chainId + 3n], ESCROW, latest + 100n), { now: latest }).offer;
      const e3 = (await rejection(verifyCycleOfferSignaturesOnChain({ offer: elsewhere, signatures }, runner))) as WrongChainError;
      expect(e3).to.be.instanceOf(WrongChainError);
      expect(e3.details).to.deep.include({ expected: chainId + 1n, actual: chainId });
    });
  });
});
