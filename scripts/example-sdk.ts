/**
 * SDK walkthrough for dApp developers: plan a hedged swap, have both parties sign the offer, execute
 * the six steps through the SDK's actions, and print both legs' state after each step.
 *
 *   npm run example:sdk
 *
 * It runs on Hardhat's in-process network, where two escrow deployments stand for chains A and B (a
 * real two-chain run is `npm run demo`). In a dApp, `alice` and `bob` would be browser-wallet signers
 * (`await new BrowserProvider(window.ethereum).getSigner()`), each connected to its own chain.
 */
import { ethers } from "hardhat";

import {
  depositPremium,
  escrowPrincipal,
  getLegStatus,
  planHedgedSwap,
  randomSecret,
  redeem,
  signOffer,
  suggestHedgePremiums,
  hedgeDeposits,
  hedgeLockTimes,
  verifyOfferSignatures,
  waitForSecret,
  type SwapPlan,
} from "../src/sdk";

const UNIT = 10n ** 18n;
const fmt = (x: bigint) => ethers.formatUnits(x, 18);

async function main(): Promise<void> {
  const [alice, bob] = await ethers.getSigners();
  if (!alice || !bob) throw new Error("the network needs two accounts");

  // Two escrows stand for the two chains; Apricot lives on "A", Banana on "B".
  const escrowA = await (await ethers.deployContract("HedgeSwapEscrow")).getAddress();
  const escrowB = await (await ethers.deployContract("HedgeSwapEscrow")).getAddress();
  const apr = await ethers.deployContract("TestToken", ["Apricot", "APR"]);
  const ban = await ethers.deployContract("TestToken", ["Banana", "BAN"]);
  await apr.mint(alice.address, 100n * UNIT);
  await ban.mint(alice.address, 10n * UNIT);
  await apr.mint(bob.address, 10n * UNIT);
  await ban.mint(bob.address, 100n * UNIT);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

  // 1. Premiums: compensate each side's lock-up at 20% a year (both assets valued 1:1 here).
  const delta = 3600n;
  const { pA, pB } = suggestHedgePremiums({ amountA: 100n * UNIT, amountB: 100n * UNIT, ...hedgeLockTimes(delta), rate: 0.2 });
  const deposits = hedgeDeposits({ pA, pB, pBOnB: pB });
  console.log(`premiums: p_a = ${fmt(pA)} BAN, p_b = ${fmt(pB)} APR -> Bob deposits ${fmt(deposits.onA)} APR on A, Alice ${fmt(deposits.onB)} BAN on B`);

  // 2. Plan: Alice (the leader) knows the secret; every deadline is T0 + kΔ.
  const secret = randomSecret();
  const plan = planHedgedSwap(
    {
      leader: alice.address,
      follower: bob.address,
      secret,
      start: now,
      delta,
      legA: { chainId, escrow: escrowA, token: await apr.getAddress(), amount: 100n * UNIT, premiumAmount: deposits.onA },
      legB: { chainId, escrow: escrowB, token: await ban.getAddress(), amount: 100n * UNIT, premiumAmount: deposits.onB },
    },
    { now, allowSameChain: true },
  );
  for (const s of plan.steps) console.log(`  step ${s.step}: ${s.actor} ${s.action} on leg ${s.leg} by T0+${(s.deadline - now) / delta}Δ`);

  // 3. Both parties sign the offer (EIP-712); each checks the other's signature.
  const signatures = { leader: await signOffer(alice, plan.offer), follower: await signOffer(bob, plan.offer) };
  verifyOfferSignatures({ offer: plan.offer, signatures });
  console.log(`offer ${plan.id} signed by both`);

  // 4. Execute. A token with ERC-2612 is funded with a permit (no separate approve transaction).
  await show("start", plan);
  await depositPremium(alice, plan.legB);
  await show("1. Alice deposited her premium on B", plan);
  await depositPremium(bob, plan.legA);
  await show("2. Bob deposited his premium on A", plan);
  await escrowPrincipal(alice, plan.legA);
  await show("3. Alice escrowed 100 APR on A", plan);
  await escrowPrincipal(bob, plan.legB);
  await show("4. Bob escrowed 100 BAN on B", plan);
  await redeem(alice, plan.legB, secret);
  await show("5. Alice redeemed on B, revealing the secret", plan);
  const revealed = await waitForSecret(bob, plan.legB, { pollInterval: 100 });
  await redeem(bob, plan.legA, revealed);
  await show("6. Bob redeemed on A with the secret read from B", plan);

  for (const [name, who] of [["Alice", alice], ["Bob", bob]] as const) {
    console.log(`${name}: ${fmt(await apr.balanceOf(who.address))} APR, ${fmt(await ban.balanceOf(who.address))} BAN`);
  }
}

async function show(label: string, plan: SwapPlan): Promise<void> {
  const a = await getLegStatus(ethers.provider, plan.legA);
  const b = await getLegStatus(ethers.provider, plan.legB);
  console.log(`${label.padEnd(50)} leg A: ${a.kind.padEnd(16)} leg B: ${b.kind}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
