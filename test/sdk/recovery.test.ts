/**
 * Recovery: a party that kept nothing but its seed (and the escrow addresses) finds every leg it is
 * part of from the escrows' events and finishes it through the SDK — redeeming what it is owed with a
 * re-derived or revealed secret, settling what is past its deadline.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";

import {
  NATIVE,
  PremiumMode,
  deriveSecret,
  depositPremium,
  escrowContract,
  escrowPrincipal,
  findLegs,
  getLegStatus,
  hashlockOf,
  legFromCreationLog,
  legIdOfCreationLog,
  InvalidArgumentError,
  packTimelocks,
  planHedgedSwap,
  randomSeed,
  recover,
  type RecoveryChain,
  type SwapPlan,
} from "../../src/sdk";
import { DELTA, U, expectHoldings, matrixTerms, passDeadline, planConfig, world, type World } from "./world";

async function toStep4(w: World, secret: string): Promise<SwapPlan> {
  const plan = planHedgedSwap(await matrixTerms(w, secret), await planConfig());
  await depositPremium(w.alice, plan.legB);
  await depositPremium(w.bob, plan.legA);
  await escrowPrincipal(w.alice, plan.legA);
  await escrowPrincipal(w.bob, plan.legB);
  return plan;
}

function chainsOf(w: World, runner: World["alice"]): RecoveryChain[] {
  return [
    { runner, at: { chainId: w.chainId, escrow: w.escrowA } },
    { runner, at: { chainId: w.chainId, escrow: w.escrowB } },
  ];
}

describe("SDK recovery", function () {
  it("with only the seed, the leader finds both legs and redeems leg B; the follower redeems leg A with the revealed secret", async function () {
    const w = await loadFixture(world);
    const seed = randomSeed();
    const secret = deriveSecret(seed, 41);
    const plan = await toStep4(w, secret);
    // Everything but the seed and the signed offer is forgotten from here on: no secret, no leg.
    const agreed = [plan.offer];

    const alice = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, seedScan: 64, agreed });
    expect(alice.legs.map((l) => [l.id, l.role, l.status.kind])).to.have.deep.members([
      [plan.legA.id, "escrower", "escrowed"],
      [plan.legB.id, "redeemer", "escrowed"],
    ]);
    expect(alice.steps.map((s) => [s.leg.id, s.kind])).to.have.deep.members([
      [plan.legA.id, "wait"],
      [plan.legB.id, "redeem"],
    ]);
    expect(alice.transactions).to.have.length(1);
    expect(await getLegStatus(w.alice, plan.legB)).to.include({ kind: "redeemed", secret });

    const bob = await recover(chainsOf(w, w.bob), { account: w.bob.address, agreed });
    expect(bob.steps.map((s) => [s.leg.id, s.kind])).to.have.deep.members([
      [plan.legA.id, "redeem"],
      [plan.legB.id, "done"],
    ]);
    await expectHoldings(w, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
  });

  it("a secret beyond the scanned seed range is not found: the leg waits instead", async function () {
    const w = await loadFixture(world);
    const seed = randomSeed();
    const plan = await toStep4(w, deriveSecret(seed, 200));
    const report = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, seedScan: 100, agreed: [plan] });
    expect(report.steps.find((s) => s.leg.id === plan.legB.id)?.kind).to.equal("wait");
    expect(report.transactions).to.have.length(0);
  });

  it("past every deadline (S4), recovery settles both legs of the party: Alice 101 APR / 0 BAN, Bob 0 APR / 103 BAN", async function () {
    const w = await loadFixture(world);
    const seed = randomSeed();
    const plan = await toStep4(w, deriveSecret(seed, 0));
    await passDeadline(plan.end);
    const alice = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, agreed: [plan] });
    expect(alice.steps.map((s) => s.kind)).to.deep.equal(["settle", "settle"]);
    await expectHoldings(w, { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n });
    const bob = await recover(chainsOf(w, w.bob), { account: w.bob.address, agreed: [plan] });
    expect(bob.steps.map((s) => s.kind)).to.deep.equal(["done", "done"]);
    expect(bob.transactions).to.have.length(0);
  });

  it("S3 midway: a premium leg past its escrow deadline is settled, an escrowed leg before its timeout waits", async function () {
    const w = await loadFixture(world);
    const plan = planHedgedSwap(await matrixTerms(w, deriveSecret(randomSeed(), 0)), await planConfig());
    await depositPremium(w.alice, plan.legB);
    await depositPremium(w.bob, plan.legA);
    await escrowPrincipal(w.alice, plan.legA);
    await passDeadline(plan.legB.terms.timelocks.escrowDeadline);
    const bob = await recover(chainsOf(w, w.bob), { account: w.bob.address, agreed: [plan] });
    const byLeg = new Map(bob.steps.map((s) => [s.leg.id, s]));
    expect(byLeg.get(plan.legB.id)?.kind).to.equal("settle");
    const waitA = byLeg.get(plan.legA.id);
    expect(waitA).to.include({ kind: "wait", until: plan.legA.terms.timelocks.timeout });
    expect((await getLegStatus(w.bob, plan.legB)).kind).to.equal("premiumRefunded");
    await passDeadline(plan.end);
    await recover(chainsOf(w, w.alice), { account: w.alice.address, agreed: [plan] });
    await expectHoldings(w, { aliceAPR: 101n, aliceBAN: 3n, bobAPR: 0n, bobBAN: 100n });
  });

  it("a bait leg with the swap's hashlock is reported, never redeemed: the secret stays unrevealed while leg B is not escrowed (defect 1)", async function () {
    const w = await loadFixture(world);
    const seed = randomSeed();
    const secret = deriveSecret(seed, 7);
    const plan = planHedgedSwap(await matrixTerms(w, secret), await planConfig());
    await depositPremium(w.alice, plan.legB);
    await depositPremium(w.bob, plan.legA);
    await escrowPrincipal(w.alice, plan.legA);
    // Bob never escrows leg B; instead he locks 1 wei to Alice on chain B with the swap's hashlock,
    // and a leg B look-alike with one unit less than agreed.
    const now = BigInt(await time.latest());
    const timelocks = packTimelocks({ premiumDeadline: 0n, escrowDeadline: now + DELTA, timeout: now + 2n * DELTA, mode: PremiumMode.Hedge });
    const escrowB = escrowContract(w.escrowB, w.bob);
    await escrowB.lock(w.alice.address, plan.offer.hashlock, timelocks, { value: 1n });
    await w.ban.connect(w.bob).approve(w.escrowB, 99n * U);
    await escrowB.lockToken(w.alice.address, plan.offer.hashlock, w.BAN, 99n * U, timelocks);

    const report = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, seedScan: 16, agreed: [plan.offer] });
    expect(report.transactions).to.have.length(0);
    const baits = report.steps.filter((s) => s.kind === "unrecognised");
    expect(baits).to.have.length(2);
    for (const b of baits) expect(b.leg.leg.hashlock).to.equal(plan.offer.hashlock);
    expect(report.steps.find((s) => s.leg.id === plan.legB.id)).to.include({ kind: "wait" });
    const redeemed = await w.alice.provider.getLogs({ address: w.escrowB, topics: [escrowB.interface.getEvent("LegRedeemed").topicHash], fromBlock: 0 });
    expect(redeemed).to.deep.equal([]);
    // Without any agreed swap nothing is touched either, even with the seed.
    const blind = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, seedScan: 16, agreed: [] });
    expect(blind.transactions).to.have.length(0);
    expect(blind.steps.filter((s) => s.kind === "unrecognised").map((s) => s.leg.id)).to.include.members([plan.legA.id, plan.legB.id]);
  });

  it("the leader withholds the reveal when the redeem could be mined after leg B's timeout (inclusion + confirmations + skew + reaction), and the follower never uses a secret it has not seen (defect 2)", async function () {
    const w = await loadFixture(world);
    const seed = randomSeed();
    const plan = await toStep4(w, deriveSecret(seed, 3));
    const timeoutB = plan.legB.terms.timelocks.timeout;
    // 60 s inclusion + 2 × 12 s confirmations + 15 s skew + 30 s reaction = 129 s; 100 s are left.
    await time.increaseTo(timeoutB - 100n);
    const safety = { inclusionTime: 60n, clockSkew: 15n, blockInterval: 12n };
    const chains = chainsOf(w, w.alice).map((c) => ({ ...c, confirmations: 2, safety }));
    const late = await recover(chains, { account: w.alice.address, seed, seedScan: 8, agreed: [plan], reactionMargin: 30n });
    expect(late.transactions).to.have.length(0);
    expect(late.steps.find((s) => s.leg.id === plan.legB.id)).to.include({ kind: "withheld", step: 5 });
    expect((await getLegStatus(w.alice, plan.legB)).kind).to.equal("escrowed");
    // The follower holds the seed too in this test (it must not matter): no secret on chain, no redeem.
    const bob = await recover(chainsOf(w, w.bob), { account: w.bob.address, seed, seedScan: 8, agreed: [plan] });
    expect(bob.transactions).to.have.length(0);
    expect(bob.steps.find((s) => s.leg.id === plan.legA.id)).to.include({ kind: "wait" });
  });

  it("the leader reveals only once leg B's escrow is final under the chain's confirmations", async function () {
    const w = await loadFixture(world);
    const seed = randomSeed();
    const plan = await toStep4(w, deriveSecret(seed, 5));
    const chains = chainsOf(w, w.alice).map((c) => ({ ...c, confirmations: 2 }));
    const early = await recover(chains, { account: w.alice.address, seed, seedScan: 8, agreed: [plan] });
    expect(early.transactions).to.have.length(0);
    expect(early.steps.find((s) => s.leg.id === plan.legB.id)).to.include({ kind: "wait" });
    await time.increase(1); // one more block: leg B's escrow now has two confirmations
    const final = await recover(chains, { account: w.alice.address, seed, seedScan: 8, agreed: [plan] });
    expect(final.steps.find((s) => s.leg.id === plan.legB.id)).to.include({ kind: "redeem", step: 5 });
    expect((await getLegStatus(w.alice, plan.legB)).kind).to.equal("redeemed");
  });

  it("a swap the leader forswore (it consented to the abort of leg B) is never revealed by recover, even with both legs escrowed", async function () {
    const w = await loadFixture(world);
    const seed = randomSeed();
    const plan = await toStep4(w, deriveSecret(seed, 9));
    const report = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, seedScan: 16, agreed: [plan.offer], forsworn: [plan.id] });
    expect(report.transactions).to.have.length(0);
    expect(report.steps.find((s) => s.leg.id === plan.legB.id)).to.include({ kind: "wait" });
    expect((await getLegStatus(w.alice, plan.legB)).kind).to.equal("escrowed");
  });

  it("withdraws a credit the escrow could not push, in the largest part the token moves (a per-transfer limit below the merged payout)", async function () {
    const w = await loadFixture(world);
    const limited = await ethers.deployContract("TransferLimitToken", [101n * U]);
    const BAN = await limited.getAddress();
    await limited.mint(w.alice.address, 3n * U);
    await limited.mint(w.bob.address, 100n * U);
    await limited.connect(w.alice).approve(w.escrowB, 3n * U);
    await limited.connect(w.bob).approve(w.escrowB, 100n * U);
    const seed = randomSeed();
    const terms = await matrixTerms(w, deriveSecret(seed, 2));
    const plan = planHedgedSwap({ ...terms, legB: { ...terms.legB, token: BAN } }, await planConfig());
    await depositPremium(w.alice, plan.legB);
    await depositPremium(w.bob, plan.legA);
    await escrowPrincipal(w.alice, plan.legA);
    await escrowPrincipal(w.bob, plan.legB);
    // Step 5 pays Alice 100 + 3 in one transfer, above the limit: credited.
    const first = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, seedScan: 8, agreed: [plan] });
    expect(first.steps.find((s) => s.leg.id === plan.legB.id)).to.include({ kind: "redeem", step: 5 });
    expect(first.credits).to.deep.equal([{ at: plan.legB.at, token: BAN.toLowerCase(), credit: 103n * U, amount: (103n * U) / 2n }]);
    const second = await recover(chainsOf(w, w.alice), { account: w.alice.address, seed, seedScan: 8, agreed: [plan] });
    expect(second.credits).to.deep.equal([{ at: plan.legB.at, token: BAN.toLowerCase(), credit: 103n * U - (103n * U) / 2n, amount: 103n * U - (103n * U) / 2n }]);
    expect(await limited.balanceOf(w.alice.address)).to.equal(103n * U);
    expect((await recover(chainsOf(w, w.alice), { account: w.alice.address, agreed: [plan] })).credits).to.deep.equal([]);
  });

  it("recover refuses a call without the list of agreed swaps", async function () {
    const w = await loadFixture(world);
    await expect(recover(chainsOf(w, w.alice), { account: w.alice.address } as unknown as Parameters<typeof recover>[1])).to.be.rejectedWith(InvalidArgumentError);
  });

  it("finds plain legs made with the lock shortcuts (native and token) with the ids the contract uses", async function () {
    const w = await loadFixture(world);
    const now = BigInt(await time.latest());
    const timelocks = packTimelocks({ premiumDeadline: 0n, escrowDeadline: now + DELTA, timeout: now + 2n * DELTA, mode: PremiumMode.Hedge });
    const hashlock = hashlockOf(deriveSecret(randomSeed(), 1));
    const escrow = escrowContract(w.escrowA, w.alice);
    await escrow.lock(w.bob.address, hashlock, timelocks, { value: 5n });
    await w.apr.connect(w.alice).approve(w.escrowA, 7n * U);
    await escrow.lockToken(w.bob.address, hashlock, w.APR, 7n * U, timelocks);
    const found = await findLegs(w.bob, { chainId: w.chainId, escrow: w.escrowA }, w.bob.address);
    expect(found).to.have.length(2);
    for (const leg of found) {
      expect(leg.role).to.equal("redeemer");
      expect(leg.status.kind).to.equal("escrowed");
      expect(await escrow.hashLeg(leg.leg)).to.equal(leg.id);
    }
    expect(found.map((l) => [l.leg.token, l.leg.amount])).to.have.deep.members([
      [NATIVE, 5n],
      [w.APR, 7n * U],
    ]);
    const receipt = await w.alice.provider.getTransactionReceipt(found[0]!.createdAt.txHash);
    expect(legFromCreationLog(receipt!.logs[0]!)).to.deep.equal(found[0]!.leg);
  });

  it("legIdOfCreationLog reads the id the contract uses from each kind of creation log's words, and refuses other logs", async function () {
    const w = await loadFixture(world);
    const at = { chainId: w.chainId, escrow: w.escrowA };
    const plan = await toStep4(w, randomSeed());
    const now = BigInt(await time.latest());
    const timelocks = packTimelocks({ premiumDeadline: 0n, escrowDeadline: now + DELTA, timeout: now + 2n * DELTA, mode: PremiumMode.Hedge });
    const escrow = escrowContract(w.escrowA, w.relayer);
    await escrow.lock(w.bob.address, hashlockOf(randomSeed()), timelocks, { value: 5n });
    await w.apr.mint(w.relayer.address, 7n);
    await w.apr.connect(w.relayer).approve(w.escrowA, 7n);
    await escrow.lockToken(w.bob.address, hashlockOf(randomSeed()), w.APR, 7n, timelocks);
    const logs = await w.alice.provider.getLogs({ address: w.escrowA, fromBlock: 0, toBlock: "latest" });
    const kinds = new Set<string>();
    for (const log of logs) {
      const name = escrow.interface.parseLog(log)!.name;
      if (name === "LegPremiumDeposited" || name === "NativeLegLocked" || name === "LegLocked") {
        kinds.add(name);
        const id = legIdOfCreationLog(log, at);
        expect(id).to.equal(await escrow.hashLeg(legFromCreationLog(log)));
      } else {
        expect(() => legIdOfCreationLog(log, at)).to.throw(InvalidArgumentError);
      }
    }
    expect(legIdOfCreationLog(logs.find((l) => escrow.interface.parseLog(l)!.name === "LegPremiumDeposited")!, at)).to.equal(plan.legA.id);
    expect([...kinds].sort()).to.deep.equal(["LegLocked", "LegPremiumDeposited", "NativeLegLocked"]);
    const premiumLog = logs.find((l) => escrow.interface.parseLog(l)!.name === "LegPremiumDeposited")!;
    expect(() => legIdOfCreationLog({ topics: premiumLog.topics, data: premiumLog.data.slice(0, -64) }, at)).to.throw(/well-formed LegPremiumDeposited/);
  });
});
