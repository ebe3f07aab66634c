/**
 * The shared fixture of the escrow tests: one escrow, test tokens of every kind, hostile
 * receivers, funded parties, and builders for legs and secrets. Use with `loadFixture`.
 */
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import { hashlockOf, NATIVE, toLegStruct, type LegStruct } from "../../src/sdk/leg";
import { PremiumMode } from "../../src/sdk/timelocks";
import type {
  BlacklistToken,
  FeeOnTransferToken,
  HedgeSwapEscrow,
  NoReturnToken,
  RejectingReceiver,
  ReentrantReceiver,
  TestToken,
  TestWallet,
} from "../../typechain-types";

export { NATIVE, PremiumMode, hashlockOf, toLegStruct };
export type { LegStruct };

/** One hour, the default step Δ of the tests. */
export const DELTA = 3600n;

/** Balances every party starts with, in each test token. */
export const TOKEN_FUNDING = ethers.parseEther("1000000");

export interface Fixture {
  escrow: HedgeSwapEscrow;
  escrowAddress: string;
  /** Apricot (APR) and Banana (BAN): plain ERC-20 + ERC-2612 tokens. */
  apr: TestToken;
  ban: TestToken;
  feeToken: FeeOnTransferToken;
  noReturnToken: NoReturnToken;
  blacklistToken: BlacklistToken;
  rejecting: RejectingReceiver;
  reentrant: ReentrantReceiver;
  /** An ERC-1271 wallet owned by `carol`. */
  wallet: TestWallet;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  others: HardhatEthersSigner[];
}

/** Deploys everything, funds alice, bob and carol with every token and approves the escrow. */
export async function deployFixture(): Promise<Fixture> {
  const [alice, bob, carol, relayer, ...others] = await ethers.getSigners();
  const escrow = await ethers.deployContract("HedgeSwapEscrow");
  const escrowAddress = await escrow.getAddress();
  const apr = await ethers.deployContract("TestToken", ["Apricot", "APR"]);
  const ban = await ethers.deployContract("TestToken", ["Banana", "BAN"]);
  const feeToken = await ethers.deployContract("FeeOnTransferToken");
  const noReturnToken = await ethers.deployContract("NoReturnToken");
  const blacklistToken = await ethers.deployContract("BlacklistToken");
  const rejecting = await ethers.deployContract("RejectingReceiver");
  const reentrant = await ethers.deployContract("ReentrantReceiver");
  const wallet = await ethers.deployContract("TestWallet", [carol!.address]);

  for (const who of [alice!, bob!, carol!]) {
    for (const token of [apr, ban, feeToken, blacklistToken]) {
      await token.mint(who.address, TOKEN_FUNDING);
      await token.connect(who).approve(escrowAddress, ethers.MaxUint256);
    }
    await noReturnToken.mint(who.address, TOKEN_FUNDING);
    await noReturnToken.connect(who).approve(escrowAddress, ethers.MaxUint256);
  }
  return {
    escrow,
    escrowAddress,
    apr,
    ban,
    feeToken,
    noReturnToken,
    blacklistToken,
    rejecting,
    reentrant,
    wallet,
    alice: alice!,
    bob: bob!,
    carol: carol!,
    relayer: relayer!,
    others,
  };
}

let secretCounter = 0;

/** A fresh 32-byte secret (deterministic per test run) and its hashlock. */
export function newSecret(): { secret: string; hashlock: string } {
  secretCounter += 1;
  const secret = ethers.keccak256(ethers.toUtf8Bytes(`hedgeswap test secret ${secretCounter}`));
  return { secret, hashlock: hashlockOf(secret) };
}

/** The latest block's timestamp. */
export async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

/**
 * Sets the timestamp of the *next* block (the one that includes the next transaction), so that
 * a test can act exactly at a deadline or one second after it.
 */
export async function setNextTimestamp(t: bigint): Promise<void> {
  await time.setNextBlockTimestamp(t);
}

/** Mines a block at exactly `t`. */
export async function mineAt(t: bigint): Promise<void> {
  await network.provider.send("evm_setNextBlockTimestamp", [Number(t)]);
  await network.provider.send("evm_mine", []);
}

export interface LegOptions {
  escrower: string;
  redeemer: string;
  hashlock: string;
  token?: string;
  amount?: bigint;
  premiumToken?: string;
  premiumAmount?: bigint;
  mode?: PremiumMode;
  /** Defaults to 0, which a plain leg (premium 0) must have. */
  premiumDeadline?: bigint;
  escrowDeadline: bigint;
  timeout: bigint;
}

/**
 * Builds a leg in the contract's form. Defaults: native coin, 100 ether, no premium, hedge mode,
 * premiumDeadline 0 (a plain leg is canonical: no premium token, premium deadline or option mode).
 */
export function makeLeg(o: LegOptions): LegStruct {
  return toLegStruct({
    escrower: o.escrower,
    redeemer: o.redeemer,
    hashlock: o.hashlock,
    token: o.token ?? NATIVE,
    amount: o.amount ?? ethers.parseEther("100"),
    premiumToken: o.premiumToken ?? NATIVE,
    premiumAmount: o.premiumAmount ?? 0n,
    timelocks: {
      premiumDeadline: o.premiumDeadline ?? 0n,
      escrowDeadline: o.escrowDeadline,
      timeout: o.timeout,
      mode: o.mode ?? PremiumMode.Hedge,
    },
  });
}

/** `msg.value` for a step paying `amount` of `token`. */
export function valueFor(token: string, amount: bigint): { value: bigint } {
  return { value: token === NATIVE ? amount : 0n };
}

/**
 * The two legs of a two-party hedged swap (PROTOCOLS.md §3) on one escrow standing for both
 * chains: leg A (alice -> bob, principal a in `tokenA`, bob's premium p_b) and leg B (bob -> alice,
 * principal b in `tokenB`, alice's premium p_a + p_b), deadlines T0 + kΔ.
 */
export function hedgedSwapLegs(o: {
  alice: string;
  bob: string;
  hashlock: string;
  tokenA: string;
  tokenB: string;
  a: bigint;
  b: bigint;
  pa: bigint;
  pb: bigint;
  t0: bigint;
  delta?: bigint;
  legBMode?: PremiumMode;
}): { legA: LegStruct; legB: LegStruct } {
  const d = o.delta ?? DELTA;
  const legA = makeLeg({
    escrower: o.alice,
    redeemer: o.bob,
    hashlock: o.hashlock,
    token: o.tokenA,
    amount: o.a,
    premiumToken: o.tokenA,
    premiumAmount: o.pb,
    premiumDeadline: o.t0 + 2n * d,
    escrowDeadline: o.t0 + 3n * d,
    timeout: o.t0 + 6n * d,
  });
  const legB = makeLeg({
    escrower: o.bob,
    redeemer: o.alice,
    hashlock: o.hashlock,
    token: o.tokenB,
    amount: o.b,
    premiumToken: o.tokenB,
    premiumAmount: o.pa + o.pb,
    mode: o.legBMode ?? PremiumMode.Hedge,
    premiumDeadline: o.t0 + d,
    escrowDeadline: o.t0 + 4n * d,
    timeout: o.t0 + 5n * d,
  });
  return { legA, legB };
}
