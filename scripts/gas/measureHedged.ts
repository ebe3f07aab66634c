/**
 * `npm run gas`: the two-party hedged swap (PROTOCOLS.md §3), step by step and in total, and the
 * batched creation of ten hedged legs.
 */
import { ethers } from "hardhat";

import { hashlockOf, NATIVE, toLegStruct, type LegStruct } from "../../src/sdk/leg";
import { PremiumMode } from "../../src/sdk/timelocks";
import { deployEscrow, gasOf, HOUR, noZeroBytes, now, plainLeg, secret, type Ctx } from "./harness";

/**
 * The six transactions of a two-party hedged swap (PROTOCOLS.md §3), both legs of one kind. The two
 * chains are two escrow deployments: leg A on the shared `ctx.escrow`, leg B on a fresh one (ERC-20:
 * tokenA on A, tokenB on B). Records `hedged.step<k>.*.<kind>` and `hedged.swap.<kind>.total`.
 */
export async function measureHedged(ctx: Ctx, kind: "native" | "erc20", out: Record<string, number>): Promise<void> {
  const [escrowOnA, escrowOnB] = [ctx.escrow, await deployEscrow()];
  const tokA = kind === "native" ? NATIVE : await ctx.tokenA.getAddress();
  const tokB = kind === "native" ? NATIVE : await ctx.tokenB.getAddress();
  if (kind === "erc20") {
    await ctx.tokenB.connect(ctx.alice).approve(await escrowOnB.getAddress(), ethers.MaxUint256);
    await ctx.tokenB.connect(ctx.bob).approve(await escrowOnB.getAddress(), ethers.MaxUint256);
  }
  const s = secret();
  const h = hashlockOf(s);
  const a = ethers.parseEther("100");
  const b = ethers.parseEther("100");
  const pa = ethers.parseEther("2");
  const pb = ethers.parseEther("1");
  const delta = HOUR;
  const t0 = await now();
  const legA = toLegStruct({
    escrower: ctx.aliceAddr,
    redeemer: ctx.bobAddr,
    hashlock: h,
    token: tokA,
    amount: a,
    premiumToken: tokA,
    premiumAmount: pb,
    timelocks: {
      premiumDeadline: noZeroBytes(t0 + 2n * delta),
      escrowDeadline: noZeroBytes(t0 + 3n * delta),
      timeout: noZeroBytes(t0 + 6n * delta),
      mode: PremiumMode.Hedge,
    },
  });
  const legB = toLegStruct({
    escrower: ctx.bobAddr,
    redeemer: ctx.aliceAddr,
    hashlock: h,
    token: tokB,
    amount: b,
    premiumToken: tokB,
    premiumAmount: pa + pb,
    timelocks: {
      premiumDeadline: noZeroBytes(t0 + delta),
      escrowDeadline: noZeroBytes(t0 + 4n * delta),
      timeout: noZeroBytes(t0 + 5n * delta),
      mode: PremiumMode.Hedge,
    },
  });
  // Background legs keep both escrows holding both assets.
  for (const [esc, tok] of [
    [escrowOnA, tokA],
    [escrowOnB, tokB],
  ] as const) {
    const bg = await plainLeg(ctx, tok, secret());
    await esc.connect(ctx.alice).escrow(bg, { value: tok === NATIVE ? bg.amount : 0n });
  }
  const v = (x: bigint) => ({ value: kind === "native" ? x : 0n });
  const steps = [
    await gasOf(escrowOnB.connect(ctx.alice).depositPremium(legB, v(legB.premiumAmount))),
    await gasOf(escrowOnA.connect(ctx.bob).depositPremium(legA, v(legA.premiumAmount))),
    await gasOf(escrowOnA.connect(ctx.alice).escrow(legA, v(a))),
    await gasOf(escrowOnB.connect(ctx.bob).escrow(legB, v(b))),
    await gasOf(escrowOnB.connect(ctx.alice).redeem(legB, s)),
    await gasOf(escrowOnA.connect(ctx.bob).redeem(legA, s)),
  ];
  const names = ["depositPremium", "depositPremium2", "escrow", "escrow2", "redeem", "redeem2"];
  steps.forEach((g, i) => (out[`hedged.step${i + 1}.${names[i]}.${kind}`] = g));
  out[`hedged.swap.${kind}.total`] = steps.reduce((x, y) => x + y, 0);
}

/**
 * Step 1 and step 2 of ten hedged legs in one call each (`depositPremiumBatch` by their redeemer,
 * then `escrowBatch` by their escrower), every premium and principal in one asset, with a per-leg
 * figure (total / 10, rounded) to set against `hedged.step1.depositPremium.*` and
 * `hedged.step3.escrow.*`.
 */
export async function measureBatchCreate(ctx: Ctx, kind: "native" | "erc20", out: Record<string, number>): Promise<void> {
  const token = kind === "native" ? NATIVE : await ctx.tokenA.getAddress();
  // Background leg: the escrow holds this asset before and after the measured operations.
  const bg = await plainLeg(ctx, token, secret());
  await ctx.escrow.connect(ctx.alice).escrow(bg, { value: kind === "native" ? bg.amount : 0n });
  const t0 = await now();
  const legs: LegStruct[] = [];
  for (let i = 0; i < 10; i++) {
    legs.push(
      toLegStruct({
        escrower: ctx.aliceAddr,
        redeemer: ctx.bobAddr,
        hashlock: hashlockOf(secret()),
        token,
        amount: ethers.parseEther("100") + BigInt(i),
        premiumToken: token,
        premiumAmount: ethers.parseEther("1") + BigInt(i),
        timelocks: {
          premiumDeadline: noZeroBytes(t0 + HOUR),
          escrowDeadline: noZeroBytes(t0 + 2n * HOUR),
          timeout: noZeroBytes(t0 + 4n * HOUR),
          mode: PremiumMode.Hedge,
        },
      }),
    );
  }
  const sum = (f: (leg: LegStruct) => bigint) => ({ value: kind === "native" ? legs.reduce((x, leg) => x + f(leg), 0n) : 0n });
  const deposit = await gasOf(ctx.escrow.connect(ctx.bob).depositPremiumBatch(legs, sum((leg) => leg.premiumAmount)));
  const escrow = await gasOf(ctx.escrow.connect(ctx.alice).escrowBatch(legs, sum((leg) => leg.amount)));
  out[`hedged.depositPremiumBatch10.${kind}`] = deposit;
  out[`hedged.depositPremiumBatch10.${kind}.perLeg`] = Math.round(deposit / legs.length);
  out[`hedged.escrowBatch10.${kind}`] = escrow;
  out[`hedged.escrowBatch10.${kind}.perLeg`] = Math.round(escrow / legs.length);
}
