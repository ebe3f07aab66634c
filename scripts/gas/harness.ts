/**
 * The measuring harness of `npm run gas` (scripts/gas.ts): the shared context, the steady-state
 * conventions (a fresh 32-byte secret without zero bytes, deadlines whose low bytes are non-zero) and
 * the helpers every measurement uses (a receipt's gasUsed, a plain leg, a fresh escrow).
 */
import { ethers, network } from "hardhat";
import type { ContractTransactionResponse, Signer } from "ethers";

import { hashlockOf, NATIVE, toLegStruct, type LegStruct } from "../../src/sdk/leg";
import { PremiumMode } from "../../src/sdk/timelocks";
import type { HedgeSwapEscrow, PlainToken } from "../../typechain-types";

/** One hour in seconds: the Δ of the hedged measurements and the plain legs' deadline step. */
export const HOUR = 3600n;
let secretCounter = 0;

/**
 * A fresh 32-byte secret with no zero byte, whose hashlock has no zero byte either (a zero byte in
 * calldata costs 4 gas instead of 16, so this is the conservative case).
 */
export function secret(): string {
  for (;;) {
    secretCounter += 1;
    const bytes = ethers.getBytes(ethers.keccak256(ethers.toUtf8Bytes(`hedgeswap gas ${secretCounter}`)));
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) bytes[i] = 0x5a;
    const candidate = ethers.hexlify(bytes);
    if (!ethers.getBytes(hashlockOf(candidate)).includes(0)) return candidate;
  }
}

/** Whether the four low bytes of `t` are all non-zero (see {@link noZeroBytes}). */
export function hasNoZeroByte(t: bigint): boolean {
  return [0n, 8n, 16n, 24n].every((shift) => ((t >> shift) & 0xffn) !== 0n);
}

/**
 * The first time at or after `t` whose four low bytes are all non-zero. Deadlines come from block
 * times; a zero byte in calldata costs 12 gas less, so avoiding them makes every figure the
 * conservative one and every run identical.
 */
export function noZeroBytes(t: bigint): bigint {
  for (;;) {
    if (hasNoZeroByte(t)) return t;
    t += 1n;
  }
}

/** The latest block's timestamp. */
export async function now(): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

/** The gasUsed of a sent transaction, from its receipt. */
export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

/** Moves the chain's clock `seconds` forward and mines a block. */
export async function increaseTime(seconds: bigint): Promise<void> {
  await network.provider.send("evm_increaseTime", [Number(seconds)]);
  await network.provider.send("evm_mine", []);
}

/** What every measurement shares: the first escrow, two plain ERC-20s (both parties funded, unlimited approvals to `escrow`) and the signers. */
export interface Ctx {
  escrow: HedgeSwapEscrow;
  tokenA: PlainToken;
  tokenB: PlainToken;
  alice: Signer;
  bob: Signer;
  /** Sends the redeems whose payouts are credited (nobody's balance but the recipient's moves). */
  relayer: Signer;
  aliceAddr: string;
  bobAddr: string;
}

/** A plain leg (no premium) from Alice to Bob in `token`, deadlines one and two hours from now. */
export async function plainLeg(ctx: Ctx, token: string, s: string, amount = ethers.parseEther("1.5")): Promise<LegStruct> {
  const t = await now();
  return toLegStruct({
    escrower: ctx.aliceAddr,
    redeemer: ctx.bobAddr,
    hashlock: hashlockOf(s),
    token,
    amount,
    premiumToken: NATIVE,
    premiumAmount: 0n,
    timelocks: {
      premiumDeadline: 0n,
      escrowDeadline: noZeroBytes(t + HOUR),
      timeout: noZeroBytes(t + 2n * HOUR),
      mode: PremiumMode.Hedge,
    },
  });
}

/** A fresh escrow deployment: another "chain" of a multi-chain measurement. */
export async function deployEscrow(): Promise<HedgeSwapEscrow> {
  const c = await ethers.deployContract("HedgeSwapEscrow");
  await c.waitForDeployment();
  return c;
}
