/**
 * The SDK tests' world: two escrow deployments on the Hardhat network standing for chains A and B,
 * fresh ERC-2612 tokens APR (on "A") and BAN (on "B") minted to the exact balances of the
 * `PROTOCOLS.md` scenario matrix, and a planner for that matrix's swap. Use with `loadFixture`.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import { planHedgedSwap, planOption, type PlanConfig, type SwapPlan, type SwapTerms } from "../../src/sdk/plan";
import { hashlockOf } from "../../src/sdk/leg";
import type { TestToken } from "../../typechain-types";

/** One token unit (18 decimals). */
export const U = 10n ** 18n;
/** Δ of the SDK tests: one hour. */
export const DELTA = 3600n;

export interface World {
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  chainId: bigint;
  escrowA: string;
  escrowB: string;
  apr: TestToken;
  ban: TestToken;
  APR: string;
  BAN: string;
}

/** Deploys both escrows and both tokens; Alice holds 100 APR and 3 BAN, Bob 1 APR and 100 BAN. No approvals. */
export async function world(): Promise<World> {
  const [alice, bob, relayer] = await ethers.getSigners();
  const escrowA = await (await ethers.deployContract("HedgeSwapEscrow")).getAddress();
  const escrowB = await (await ethers.deployContract("HedgeSwapEscrow")).getAddress();
  const apr = await ethers.deployContract("TestToken", ["Apricot", "APR"]);
  const ban = await ethers.deployContract("TestToken", ["Banana", "BAN"]);
  await apr.mint(alice!.address, 100n * U);
  await ban.mint(alice!.address, 3n * U);
  await apr.mint(bob!.address, 1n * U);
  await ban.mint(bob!.address, 100n * U);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return {
    alice: alice!,
    bob: bob!,
    relayer: relayer!,
    chainId,
    escrowA,
    escrowB,
    apr,
    ban,
    APR: await apr.getAddress(),
    BAN: await ban.getAddress(),
  };
}

/** The matrix's terms: a = 100 APR, b = 100 BAN, p_a = 2, p_b = 1 (or fee f = 2 for the option). */
export async function matrixTerms(w: World, secret: string, start?: bigint): Promise<SwapTerms> {
  const t0 = start ?? BigInt(await time.latest());
  return {
    leader: w.alice.address,
    follower: w.bob.address,
    hashlock: hashlockOf(secret),
    start: t0,
    delta: DELTA,
    legA: { chainId: w.chainId, escrow: w.escrowA, token: w.APR, amount: 100n * U, premiumAmount: 1n * U },
    legB: { chainId: w.chainId, escrow: w.escrowB, token: w.BAN, amount: 100n * U, premiumAmount: 3n * U },
  };
}

/** Plan options for one Hardhat network standing for both chains, judged by its clock. */
export async function planConfig(extra: PlanConfig = {}): Promise<PlanConfig> {
  return { allowSameChain: true, now: BigInt(await time.latest()), ...extra };
}

/** Plans the matrix's hedged swap (or option) with `secret`. */
export async function matrixPlan(w: World, secret: string, kind: "hedged-swap" | "option" = "hedged-swap"): Promise<SwapPlan> {
  const terms = await matrixTerms(w, secret);
  return kind === "option" ? planOption(terms, await planConfig()) : planHedgedSwap(terms, await planConfig());
}

/** Asserts Alice's and Bob's exact APR and BAN balances, given in whole units. */
export async function expectHoldings(w: World, units: { aliceAPR: bigint; aliceBAN: bigint; bobAPR: bigint; bobBAN: bigint }): Promise<void> {
  const actual = {
    aliceAPR: await w.apr.balanceOf(w.alice.address),
    aliceBAN: await w.ban.balanceOf(w.alice.address),
    bobAPR: await w.apr.balanceOf(w.bob.address),
    bobBAN: await w.ban.balanceOf(w.bob.address),
  };
  const expected = {
    aliceAPR: units.aliceAPR * U,
    aliceBAN: units.aliceBAN * U,
    bobAPR: units.bobAPR * U,
    bobBAN: units.bobBAN * U,
  };
  expect(actual).to.deep.equal(expected);
}

/** Moves the chain's clock past `deadline` (one second after it) with a mined block. */
export async function passDeadline(deadline: bigint): Promise<void> {
  await time.increaseTo(deadline + 1n);
}
