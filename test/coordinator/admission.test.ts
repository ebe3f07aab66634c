/**
 * Bad input refused before any transaction: a tampered offer, an offer signed by one party only, a
 * wrong chain id, an unknown escrow, Δ below the safe minimum, too little balance or allowance, a
 * duplicate swap — each with its typed error, nothing recorded, nothing sent, nothing moved.
 */
import { expect } from "chai";
import { Wallet } from "ethers";

import {
  DeltaTooSmallError,
  InvalidOfferSignatureError,
  UnknownChainError,
  UnknownDeploymentError,
  signOffer,
  type SignedOffer,
  type SwapOffer,
} from "../../src/sdk";
import { ConfigError, parseConfig } from "../../src/coordinator/config";
import { InsufficientFundsError, OfferRefusedError } from "../../src/coordinator/engine/accept";
import type { Coordinator } from "../../src/coordinator/engine/coordinator";
import { DuplicateSwapError } from "../../src/coordinator/store/types";
import { U, coordinator, expectHoldings, freshTokens, partyConfig, signedOffer, startWorld, type Tokens, type World } from "./world";

describe("coordinator: admission refuses bad input before any transaction", function () {
  this.timeout(120_000);
  let w: World;
  let tokens: Tokens;
  let alice: Coordinator;

  before(async function () {
    w = await startWorld();
    tokens = await freshTokens(w);
    alice = coordinator(partyConfig(w, "alice"));
    await alice.init();
  });
  after(async function () {
    await alice?.stop();
    await w?.devnet.stop();
  });

  async function sign(offer: SwapOffer): Promise<SignedOffer> {
    return { offer, signatures: { leader: await signOffer(w.alice, offer), follower: await signOffer(w.bob, offer) } };
  }

  /** Submits `signed`, expects the error class and code, and checks that nothing happened. */
  async function refused(signed: SignedOffer, cls: abstract new (...args: never[]) => Error, code: string): Promise<Record<string, unknown>> {
    const nonceA = await w.A.node.provider.getTransactionCount(w.alice.address);
    const nonceB = await w.B.node.provider.getTransactionCount(w.alice.address);
    const swaps = alice.store.listSwaps().length;
    const err = await alice.submit(signed).then(() => expect.fail("accepted"), (e: unknown) => e);
    expect(err).to.be.instanceOf(cls);
    expect((err as { code: string }).code).to.equal(code);
    expect(alice.store.listSwaps().length, "a swap was recorded").to.equal(swaps);
    expect(alice.store.openTxs(), "a transaction was recorded").to.deep.equal([]);
    expect(await w.A.node.provider.getTransactionCount(w.alice.address)).to.equal(nonceA);
    expect(await w.B.node.provider.getTransactionCount(w.alice.address)).to.equal(nonceB);
    await expectHoldings(w, tokens, { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n });
    return (err as { details: Record<string, unknown> }).details;
  }

  it("a tampered offer (an amount changed after signing)", async function () {
    const { signed } = await signedOffer(w, tokens);
    const tampered = { ...signed, offer: { ...signed.offer, legB: { ...signed.offer.legB, amount: 90n * U } } };
    expect(await refused(tampered, InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE")).to.include({ party: "leader" });
  });

  it("an offer signed by one party only", async function () {
    const { signed } = await signedOffer(w, tokens);
    const one = { ...signed, signatures: { leader: signed.signatures.leader, follower: signed.signatures.leader } };
    expect(await refused(one, InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE")).to.include({ party: "follower" });
  });

  it("a wrong chain id", async function () {
    const { signed } = await signedOffer(w, tokens);
    const offer = { ...signed.offer, legB: { ...signed.offer.legB, chainId: 31399n } };
    expect(await refused(await sign(offer), UnknownChainError, "UNKNOWN_CHAIN")).to.include({ chainId: 31399n });
  });

  it("an unknown escrow address", async function () {
    const { signed } = await signedOffer(w, tokens);
    const offer = { ...signed.offer, legA: { ...signed.offer.legA, escrow: Wallet.createRandom().address } };
    await refused(await sign(offer), UnknownDeploymentError, "UNKNOWN_DEPLOYMENT");
  });

  it("Δ below the safe minimum of the configured chains", async function () {
    const { signed } = await signedOffer(w, tokens, "hedged-swap", 9n);
    expect(await refused(signed, DeltaTooSmallError, "DELTA_TOO_SMALL")).to.include({ delta: 9n, minDelta: 10n });
  });

  it("too little balance", async function () {
    const { signed } = await signedOffer(w, tokens);
    const offer = { ...signed.offer, legA: { ...signed.offer.legA, amount: 150n * U } };
    expect(await refused(await sign(offer), InsufficientFundsError, "INSUFFICIENT_FUNDS")).to.include({ what: "balance", needed: 150n * U, available: 100n * U });
  });

  it("offers submitted together must fit the funds together: the one that no longer fits is refused, naming the summed need", async function () {
    const first = await signedOffer(w, tokens);
    const second = await signedOffer(w, tokens);
    const swaps = alice.store.listSwaps().length;
    const results = await alice.submitMany([first.signed, second.signed], 1);
    expect("row" in results[0]!).to.equal(true);
    const refusal = (results[1] as { error: unknown }).error;
    expect(refusal).to.be.instanceOf(InsufficientFundsError);
    // Each offer alone fits Alice's 3 BAN premium budget and 100 APR; two need 6 BAN and 200 APR.
    expect((refusal as InsufficientFundsError).details).to.include({ what: "balance", token: tokens.BAN, needed: 6n * U, available: 3n * U });
    expect(alice.store.listSwaps().length).to.equal(swaps + 1);
    expect(alice.store.getSwap(second.plan.id)).to.equal(undefined);
    expect(alice.store.openTxs()).to.deep.equal([]);
    await expectHoldings(w, tokens, { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n });
  });

  it("too little allowance", async function () {
    const unapproved = await freshTokens(w, false);
    const { signed } = await signedOffer(w, unapproved);
    const saved = tokens;
    tokens = unapproved;
    try {
      expect(await refused(signed, InsufficientFundsError, "INSUFFICIENT_FUNDS")).to.include({ what: "allowance", available: 0n });
    } finally {
      tokens = saved;
    }
  });

  it("a hashlock that is not one of the leader's secrets", async function () {
    const { signed } = await signedOffer(w, tokens);
    const offer = { ...signed.offer, hashlock: "0x" + "ab".repeat(32) };
    await refused(await sign(offer), OfferRefusedError, "OFFER_REFUSED");
  });

  it("a duplicate swap, and another offer reusing its hashlock", async function () {
    const { signed } = await signedOffer(w, tokens);
    const row = await alice.submit(signed);
    expect(row.status).to.equal("accepted");
    expect((await refused(signed, DuplicateSwapError, "DUPLICATE_SWAP")).field).to.equal("id");
    const sameLock = { ...signed.offer, delta: signed.offer.delta + 1n };
    expect((await refused(await sign(sameLock), DuplicateSwapError, "DUPLICATE_SWAP")).field).to.equal("hashlock");
  });

  it("a configuration with errors is refused with every problem listed", function () {
    let err: unknown;
    try {
      parseConfig({ dataDir: "", chains: [{ name: "A", chainId: "x", rpcUrl: "not a url", escrow: "0x12" }], parties: [] });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const issues = String((err as ConfigError).details.issues);
    for (const path of ["dataDir", "chains.0.chainId", "chains.0.rpcUrl", "chains.0.escrow", "parties"]) expect(issues).to.include(path);
  });
});
