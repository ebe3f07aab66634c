/**
 * The SDK's actions beyond the happy path: batches, cooperative abort, credits, funding methods, the
 * runner and chain checks, and the EIP-712 digests against what the deployed contract computes.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import {
  CallInputError,
  LegDeadlinePassedError,
  LegWrongSecretError,
  RunnerError,
  TransactionFailedError,
  WrongChainError,
  abortDigest,
  cooperativeAbort,
  depositPremium,
  depositPremiumBatchTx,
  escrowBatchTx,
  escrowContract,
  escrowPrincipal,
  getCredits,
  getLegState,
  getLegStates,
  LegState,
  getLegStatus,
  locateLeg,
  randomSecret,
  redeem,
  redeemBatch,
  redeemBatchTx,
  settleBatch,
  signCooperativeAbort,
  withdrawCredits,
  type LocatedLeg,
} from "../../src/sdk";
import { DELTA, U, matrixPlan, passDeadline, world, type World } from "./world";
import { JsonRpcProvider, type Wallet } from "ethers";
import { LegUnexpectedStateError, NATIVE, hashlockOf, planHedgedSwap, type SwapPlan } from "../../src/sdk";
import { devAccounts, startDevnet, type Devnet } from "../../src/devnet";

async function toStep4(w: World, secret: string, kind: "hedged-swap" | "option" = "hedged-swap") {
  const plan = await matrixPlan(w, secret, kind);
  await depositPremium(w.alice, plan.legB);
  await depositPremium(w.bob, plan.legA);
  await escrowPrincipal(w.alice, plan.legA);
  await escrowPrincipal(w.bob, plan.legB);
  return plan;
}

describe("SDK actions", function () {
  it("leg ids and abort digests equal the deployed contract's hashLeg and hashAbort", async function () {
    const w = await loadFixture(world);
    const plan = await matrixPlan(w, randomSecret());
    for (const leg of [plan.legA, plan.legB]) {
      const escrow = escrowContract(leg.at.escrow, ethers.provider);
      expect(await escrow.hashLeg(leg.leg)).to.equal(leg.id);
      expect(await escrow.hashAbort(leg.leg)).to.equal(abortDigest(leg.leg, leg.at));
    }
  });

  it("cooperative abort: the redeemer signs, the escrower submits, principal and premium go back", async function () {
    const w = await loadFixture(world);
    const plan = await toStep4(w, randomSecret());
    const consent = await signCooperativeAbort(w.alice, plan.legB);
    await cooperativeAbort(w.bob, plan.legB, consent);
    expect((await getLegStatus(w.bob, plan.legB)).kind).to.equal("aborted");
    expect(await w.ban.balanceOf(w.bob.address)).to.equal(100n * U);
    expect(await w.ban.balanceOf(w.alice.address)).to.equal(3n * U);
  });

  it("a second swap on the same escrows: redeemBatch and settleBatch finish two legs in one transaction each", async function () {
    const w = await loadFixture(world);
    await w.apr.mint(w.alice.address, 100n * U);
    await w.apr.mint(w.bob.address, 1n * U);
    const s1 = randomSecret();
    const s2 = randomSecret();
    const p1 = await toStep4(w, s1);
    await w.ban.mint(w.alice.address, 3n * U);
    await w.ban.mint(w.bob.address, 100n * U);
    const p2 = await toStep4(w, s2);
    const batch = await redeemBatch(w.relayer, [
      { leg: p1.legB, secret: s1 },
      { leg: p2.legB, secret: s2 },
    ]);
    expect(batch.receipt?.status).to.equal(1);
    expect(await w.ban.balanceOf(w.alice.address)).to.equal(206n * U);
    await passDeadline(p2.end);
    await settleBatch(w.relayer, [p1.legA, p2.legA]);
    expect(await w.apr.balanceOf(w.alice.address)).to.equal(202n * U);
  });

  it("a payout the recipient's token blocks is credited, then withdrawn with withdrawCredits", async function () {
    const w = await loadFixture(world);
    const token = await ethers.deployContract("BlacklistToken");
    const tokenAddress = await token.getAddress();
    await token.mint(w.alice.address, 10n);
    const plan = await matrixPlan(w, randomSecret());
    const secret = randomSecret();
    const now = plan.offer.start;
    const leg: LocatedLeg = locateLeg(
      { ...plan.legA.leg, hashlock: ethers.sha256(secret), token: tokenAddress, amount: 10n, premiumToken: ethers.ZeroAddress, premiumAmount: 0n, timelocks: plainTimelocks(now) },
      plan.legA.at,
    );
    await escrowPrincipal(w.alice, leg);
    await token.setBlacklisted(w.bob.address, true);
    await redeem(w.relayer, leg, secret);
    expect(await getCredits(w.bob, leg.at, w.bob.address, tokenAddress)).to.equal(10n);
    await withdrawCredits(w.bob, leg.at, tokenAddress, w.relayer.address);
    expect(await token.balanceOf(w.relayer.address)).to.equal(10n);
    expect(await getCredits(w.bob, leg.at, w.bob.address, tokenAddress)).to.equal(0n);
  });

  it("funding: auto falls back to approve for a token without permit; 'permit' on such a token is refused before sending", async function () {
    const w = await loadFixture(world);
    const token = await ethers.deployContract("PlainToken", ["Plain", "PLN"]);
    await token.mint(w.alice.address, 10n);
    const plan = await matrixPlan(w, randomSecret());
    const leg = locateLeg({ ...plan.legA.leg, token: await token.getAddress(), amount: 10n, premiumToken: ethers.ZeroAddress, premiumAmount: 0n, timelocks: plainTimelocks(plan.offer.start) }, plan.legA.at);
    let err: unknown;
    try {
      await escrowPrincipal(w.alice, leg, { funding: "permit" });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(TransactionFailedError);
    expect(await token.allowance(w.alice.address, leg.at.escrow)).to.equal(0n);
    await escrowPrincipal(w.alice, leg);
    expect((await getLegStatus(w.alice, leg)).kind).to.equal("escrowed");
  });

  it("reverts come back as typed errors: a wrong secret, and a redeem after the timeout", async function () {
    const w = await loadFixture(world);
    const plan = await toStep4(w, randomSecret());
    const wrong = randomSecret();
    const e1 = await redeem(w.alice, plan.legB, wrong).catch((e: unknown) => e);
    expect(e1).to.be.instanceOf(LegWrongSecretError);
    expect((e1 as LegWrongSecretError).legId).to.equal(plan.legB.id);
    expect((e1 as LegWrongSecretError).secretHash).to.equal(ethers.sha256(wrong));
    await passDeadline(plan.legB.terms.timelocks.timeout);
    const e2 = await redeem(w.alice, plan.legB, wrong).catch((e: unknown) => e);
    expect(e2).to.be.instanceOf(LegDeadlinePassedError);
    expect((e2 as LegDeadlinePassedError).deadline).to.equal(plan.legB.terms.timelocks.timeout);
  });

  it("batch entry: three swaps' premiums and principals in one transaction per party and step, then one redeem batch per chain", async function () {
    const w = await loadFixture(world);
    await w.apr.mint(w.alice.address, 200n * U);
    await w.ban.mint(w.alice.address, 6n * U);
    await w.apr.mint(w.bob.address, 2n * U);
    await w.ban.mint(w.bob.address, 200n * U);
    await w.apr.connect(w.alice).approve(w.escrowA, ethers.MaxUint256);
    await w.apr.connect(w.bob).approve(w.escrowA, ethers.MaxUint256);
    await w.ban.connect(w.alice).approve(w.escrowB, ethers.MaxUint256);
    await w.ban.connect(w.bob).approve(w.escrowB, ethers.MaxUint256);
    const secrets = [randomSecret(), randomSecret(), randomSecret()];
    const plans = await Promise.all(secrets.map((s) => matrixPlan(w, s)));
    const legsA = plans.map((p) => p.legA);
    const legsB = plans.map((p) => p.legB);
    const steps = [
      [w.alice, depositPremiumBatchTx(legsB)],
      [w.bob, depositPremiumBatchTx(legsA)],
      [w.alice, escrowBatchTx(legsA)],
      [w.bob, escrowBatchTx(legsB)],
    ] as const;
    for (const [who, tx] of steps) {
      expect(tx.value).to.equal(0n);
      await (await who.sendTransaction(tx)).wait();
    }
    for (const leg of [...legsA, ...legsB]) expect(await getLegState(w.alice, leg)).to.equal(LegState.Escrowed);
    const ids = [legsA[0]!.id, ethers.ZeroHash, ...legsA.slice(1).map((l) => l.id)];
    expect(await getLegStates(w.alice, legsA[0]!.at, ids, { chunk: 2 })).to.deep.equal([LegState.Escrowed, LegState.None, LegState.Escrowed, LegState.Escrowed]);
    await redeemBatch(w.alice, legsB.map((leg, i) => ({ leg, secret: secrets[i]! })));
    await redeemBatch(w.bob, legsA.map((leg, i) => ({ leg, secret: secrets[i]! })));
    expect(await w.apr.balanceOf(w.bob.address)).to.equal(3n * 101n * U);
    expect(await w.ban.balanceOf(w.alice.address)).to.equal(3n * 103n * U);
    expect(await w.apr.balanceOf(w.alice.address)).to.equal(0n);
    expect(await w.ban.balanceOf(w.bob.address)).to.equal(0n);
    expect(() => depositPremiumBatchTx([plans[0]!.legA, plans[0]!.legB])).to.throw(CallInputError);
    expect(() => escrowBatchTx([])).to.throw(CallInputError);
  });

  it("a provider where a signer is needed → RunnerError; a leg of another chain → WrongChainError; a mixed batch → CallInputError", async function () {
    const w = await loadFixture(world);
    const plan = await matrixPlan(w, randomSecret());
    const secret = randomSecret();
    expect(await redeem(ethers.provider, plan.legA, secret).catch((e: unknown) => e)).to.be.instanceOf(RunnerError);
    const elsewhere = locateLeg(plan.legA.leg, { chainId: 999n, escrow: plan.legA.at.escrow });
    const err = await redeem(w.alice, elsewhere, secret).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(WrongChainError);
    expect((err as WrongChainError).details).to.include({ expected: 999n, actual: w.chainId });
    expect(() => redeemBatchTx([{ leg: plan.legA, secret }, { leg: plan.legB, secret }])).to.throw(CallInputError);
    expect(() => redeemBatchTx([])).to.throw(CallInputError);
  });
});

function plainTimelocks(now: bigint): bigint {
  return (now + DELTA) * (1n << 40n) + (now + 2n * DELTA) * (1n << 80n);
}

// Back-to-back actions from one signer on a real `hardhat node`, through a default JsonRpcProvider
// (with ethers' 250 ms request cache, which used to hand the second transaction the first one's nonce).
describe("SDK actions: several at once from one signer", function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let provider: JsonRpcProvider;
  let alice: Wallet;
  let bob: Wallet;
  let escrow: string;
  let chainId: bigint;
  let swaps = 0;

  before(async function () {
    devnet = await startDevnet({ chains: [{ name: "A", chainId: 31371n }] });
    const chain = devnet.chain("A");
    provider = new JsonRpcProvider(chain.node.url);
    chainId = chain.node.chainId;
    escrow = chain.escrow;
    const [, a, b] = devAccounts(3);
    alice = a!.connect(provider);
    bob = b!.connect(provider);
  });

  after(async function () {
    provider?.destroy();
    await devnet?.stop();
  });

  /** A fresh hedged swap led by `leader` with native-coin legs and premiums, both legs on the one escrow. */
  async function nativeSwap(leader: string, follower: string): Promise<SwapPlan> {
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    swaps += 1;
    const secret = "0x" + swaps.toString(16).padStart(64, "0");
    return planHedgedSwap(
      {
        leader,
        follower,
        hashlock: hashlockOf(secret),
        start: now,
        delta: DELTA,
        legA: { chainId, escrow, token: NATIVE, amount: 10n ** 18n, premiumAmount: 1_000n },
        legB: { chainId, escrow, token: NATIVE, amount: 10n ** 18n, premiumAmount: 3_000n },
      },
      { now, allowSameChain: true },
    );
  }

  it("a Wallet's premium deposits on two legs sent without waiting both land", async function () {
    const [p1, p2, p3] = [await nativeSwap(alice.address, bob.address), await nativeSwap(alice.address, bob.address), await nativeSwap(alice.address, bob.address)];
    const results = await Promise.all([depositPremium(alice, p1.legB), depositPremium(alice, p2.legB), depositPremium(alice, p3.legB)]);
    expect(new Set(results.map((r) => r.receipt?.status))).to.deep.equal(new Set([1]));
    for (const p of [p1, p2, p3]) expect(await getLegState(provider, p.legB)).to.equal(LegState.PremiumDeposited);
  });

  it("when the second of two back-to-back actions reverts, its typed contract error comes out, not a nonce error", async function () {
    const plan = await nativeSwap(alice.address, bob.address);
    const [first, second] = await Promise.allSettled([depositPremium(alice, plan.legB), depositPremium(alice, plan.legB)]);
    expect(first.status).to.equal("fulfilled");
    expect(second.status).to.equal("rejected");
    const err = (second as PromiseRejectedResult).reason as unknown;
    expect(err, String(err)).to.be.instanceOf(LegUnexpectedStateError);
    expect((err as LegUnexpectedStateError).legId).to.equal(plan.legB.id);
    expect(await getLegState(provider, plan.legB)).to.equal(LegState.PremiumDeposited);
  });

  it("a node-managed signer (the wallet assigns nonces: JsonRpcSigner) is not given a nonce and works back to back", async function () {
    const signer = await provider.getSigner(alice.address);
    const [p1, p2] = [await nativeSwap(alice.address, bob.address), await nativeSwap(alice.address, bob.address)];
    const sent: unknown[] = [];
    const original = signer.sendTransaction.bind(signer);
    signer.sendTransaction = (tx) => {
      sent.push(tx.nonce);
      return original(tx);
    };
    await Promise.all([depositPremium(signer, p1.legB), depositPremium(signer, p2.legB)]);
    expect(sent).to.deep.equal([undefined, undefined]);
    for (const p of [p1, p2]) expect(await getLegState(provider, p.legB)).to.equal(LegState.PremiumDeposited);
  });
});
