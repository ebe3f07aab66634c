/**
 * Complete swaps driven only through the SDK on the Hardhat network, two escrow deployments standing
 * for chains A and B: the hedged swap (S6), the option exercised and abandoned, and the S3 and S4
 * deviations of the scenario matrix, each ending in the matrix's exact balances.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import {
  depositPremium,
  escrowPrincipal,
  getLegStatus,
  offerDigest,
  randomSecret,
  redeem,
  settle,
  signOffer,
  verifyOfferSignatures,
  waitForSecret,
  type SwapPlan,
} from "../../src/sdk";
import { expectHoldings, matrixPlan, passDeadline, world, type World } from "./world";

/** Runs steps 1..k of the §3 schedule through the SDK, each party with its own signer. */
async function runSteps(w: World, plan: SwapPlan, secret: string, k: number): Promise<void> {
  if (k >= 1) await depositPremium(w.alice, plan.legB);
  if (k >= 2) await depositPremium(w.bob, plan.legA, { funding: "approve" });
  if (k >= 3) await escrowPrincipal(w.alice, plan.legA);
  if (k >= 4) await escrowPrincipal(w.bob, plan.legB, { funding: "approve" });
  if (k >= 5) await redeem(w.alice, plan.legB, secret);
  if (k >= 6) {
    const revealed = await waitForSecret(w.bob, plan.legB, { pollInterval: 10 });
    await redeem(w.bob, plan.legA, revealed);
  }
}

describe("SDK: complete swaps on two escrows", function () {
  it("hedged swap S6: signed offer, six steps, Alice 0 APR / 103 BAN, Bob 101 APR / 0 BAN", async function () {
    const w = await loadFixture(world);
    const secret = randomSecret();
    const plan = await matrixPlan(w, secret);
    const signatures = { leader: await signOffer(w.alice, plan.offer), follower: await signOffer(w.bob, plan.offer) };
    verifyOfferSignatures({ offer: plan.offer, signatures });
    expect(plan.id).to.equal(offerDigest(plan.offer));

    await runSteps(w, plan, secret, 4);
    expect((await getLegStatus(w.bob, plan.legA)).kind).to.equal("escrowed");
    expect((await getLegStatus(w.bob, plan.legB)).kind).to.equal("escrowed");
    await runSteps2(w, plan, secret);
    const statusA = await getLegStatus(w.bob, plan.legA);
    const statusB = await getLegStatus(w.alice, plan.legB);
    expect(statusA).to.include({ kind: "redeemed", secret });
    expect(statusB).to.include({ kind: "redeemed", secret });
    await expectHoldings(w, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
  });

  it("S3 (Bob never escrows): after every deadline Alice 101 APR / 3 BAN, Bob 0 APR / 100 BAN", async function () {
    const w = await loadFixture(world);
    const secret = randomSecret();
    const plan = await matrixPlan(w, secret);
    await runSteps(w, plan, secret, 3);
    await passDeadline(plan.end);
    await settle(w.relayer, plan.legA);
    await settle(w.relayer, plan.legB);
    expect((await getLegStatus(w.alice, plan.legA)).kind).to.equal("refunded");
    expect((await getLegStatus(w.alice, plan.legB)).kind).to.equal("premiumRefunded");
    await expectHoldings(w, { aliceAPR: 101n, aliceBAN: 3n, bobAPR: 0n, bobBAN: 100n });
  });

  it("S4 (Alice never reveals): after every deadline Alice 101 APR / 0 BAN, Bob 0 APR / 103 BAN", async function () {
    const w = await loadFixture(world);
    const secret = randomSecret();
    const plan = await matrixPlan(w, secret);
    await runSteps(w, plan, secret, 4);
    await passDeadline(plan.end);
    await settle(w.bob, plan.legB);
    await settle(w.alice, plan.legA);
    expect((await getLegStatus(w.bob, plan.legB)).kind).to.equal("refunded");
    await expectHoldings(w, { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n });
  });

  it("option exercised: Alice 0 APR / 100 BAN, Bob 101 APR / 3 BAN (Bob earns the fee)", async function () {
    const w = await loadFixture(world);
    const secret = randomSecret();
    const plan = await matrixPlan(w, secret, "option");
    expect(plan.kind).to.equal("option");
    await runSteps(w, plan, secret, 6);
    await expectHoldings(w, { aliceAPR: 0n, aliceBAN: 100n, bobAPR: 101n, bobBAN: 3n });
  });

  it("option abandoned after step 4: Alice 101 APR / 0 BAN, Bob 0 APR / 103 BAN", async function () {
    const w = await loadFixture(world);
    const secret = randomSecret();
    const plan = await matrixPlan(w, secret, "option");
    await runSteps(w, plan, secret, 4);
    await passDeadline(plan.end);
    await settle(w.relayer, plan.legA);
    await settle(w.relayer, plan.legB);
    await expectHoldings(w, { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n });
  });
});

async function runSteps2(w: World, plan: SwapPlan, secret: string): Promise<void> {
  await redeem(w.alice, plan.legB, secret);
  const revealed = await waitForSecret(w.bob, plan.legB, { pollInterval: 10 });
  expect(revealed).to.equal(secret);
  await redeem(w.bob, plan.legA, revealed);
}
