/**
 * `npm run gas`: the plain-HTLC operations (the shortcuts and the general functions), the batch
 * redeems and the credit withdrawals.
 */
import { ethers } from "hardhat";

import { hashlockOf, NATIVE, toLegStruct, type LegStruct } from "../../src/sdk/leg";
import { PremiumMode } from "../../src/sdk/timelocks";
import type { TransferLimitToken } from "../../typechain-types";
import { gasOf, HOUR, increaseTime, noZeroBytes, now, plainLeg, secret, type Ctx } from "./harness";

/**
 * A plain leg three ways: the plain-HTLC shortcuts (`lock`/`lockToken`, `claim`, `refund`), which
 * the `plain.*` keys measure, and the general functions taking the whole leg (`escrow`, `redeem`,
 * `settle`), recorded as `general.*` for comparison.
 */
export async function measurePlain(ctx: Ctx, kind: "native" | "erc20", out: Record<string, number>): Promise<void> {
  const token = kind === "native" ? NATIVE : await ctx.tokenA.getAddress();
  const value = (leg: LegStruct) => (kind === "native" ? leg.amount : 0n);
  const escrowA = ctx.escrow.connect(ctx.alice);
  const escrowB = ctx.escrow.connect(ctx.bob);
  const lock = (leg: LegStruct) =>
    kind === "native"
      ? escrowA.lock(leg.redeemer, leg.hashlock, leg.timelocks, { value: leg.amount })
      : escrowA.lockToken(leg.redeemer, leg.hashlock, leg.token, leg.amount, leg.timelocks);

  // Background leg: the escrow holds this asset before and after every measured operation.
  await lock(await plainLeg(ctx, token, secret()));

  const s1 = secret();
  const leg1 = await plainLeg(ctx, token, s1);
  out[`plain.lock.${kind}`] = await gasOf(lock(leg1));
  out[`plain.redeem.${kind}`] = await gasOf((kind === "native" ? escrowB.claim(leg1.escrower, leg1.amount, leg1.timelocks, s1) : escrowB.claimToken(leg1.escrower, leg1.token, leg1.amount, leg1.timelocks, s1)));

  const s3 = secret();
  const leg3 = await plainLeg(ctx, token, s3);
  out[`general.escrow.plain.${kind}`] = await gasOf(escrowA.escrow(leg3, { value: value(leg3) }));
  out[`general.redeem.plain.${kind}`] = await gasOf(escrowB.redeem(leg3, s3));

  const leg2 = await plainLeg(ctx, token, secret());
  await lock(leg2);
  const leg4 = await plainLeg(ctx, token, secret());
  await lock(leg4);
  await increaseTime(2n * HOUR + 1n);
  out[`plain.refund.${kind}`] = await gasOf((kind === "native" ? escrowA.refund(leg2.redeemer, leg2.hashlock, leg2.amount, leg2.timelocks) : escrowA.refundToken(leg2.redeemer, leg2.hashlock, leg2.token, leg2.amount, leg2.timelocks)));
  out[`general.settle.plain.${kind}`] = await gasOf(escrowA.settle(leg4));
}

/** Ten native plain legs redeemed in one call, through `claimBatch` (`plain.*`) and `redeemBatch` (`general.*`). */
export async function measureBatch(ctx: Ctx, out: Record<string, number>): Promise<void> {
  const escrowA = ctx.escrow.connect(ctx.alice);
  const bg = await plainLeg(ctx, NATIVE, secret());
  await escrowA.lock(bg.redeemer, bg.hashlock, bg.timelocks, { value: bg.amount });
  const legs: LegStruct[] = [];
  const secrets: string[] = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 10; i++) {
      const s = secret();
      const leg = await plainLeg(ctx, NATIVE, s, ethers.parseEther("1") + BigInt(i));
      await escrowA.lock(leg.redeemer, leg.hashlock, leg.timelocks, { value: leg.amount });
      legs.push(leg);
      secrets.push(s);
    }
  }
  const claims = legs.slice(0, 10).map((l, i) => ({ escrower: l.escrower, token: l.token, amount: l.amount, timelocks: l.timelocks, secret: secrets[i]! }));
  out["plain.redeemBatch10.native"] = await gasOf(ctx.escrow.connect(ctx.bob).claimBatch(claims));
  out["general.redeemBatch10.plain.native"] = await gasOf(ctx.escrow.connect(ctx.bob).redeemBatch(legs.slice(10), secrets.slice(10)));
}

/**
 * Withdrawals of a credit the escrow could not push: a hedged leg in a token that refuses transfers
 * above a limit (`TransferLimitToken`, otherwise a plain OpenZeppelin ERC20) pays principal and premium
 * merged, above the limit, so the redeemer is credited. Then a part of the credit is withdrawn
 * (`withdraw(token, to, amount)`; credit left after it) and the rest in full (`withdraw(token, to)`;
 * the credit cleared). The redeemer already holds the token; the escrow keeps some for another leg.
 */
export async function measureWithdraw(ctx: Ctx, out: Record<string, number>): Promise<void> {
  const limit = ethers.parseEther("101");
  const lim: TransferLimitToken = await ethers.deployContract("TransferLimitToken", [limit]);
  const token = await lim.getAddress();
  for (const who of [ctx.alice, ctx.bob]) {
    await lim.mint(await who.getAddress(), ethers.parseEther("1000"));
    await lim.connect(who).approve(await ctx.escrow.getAddress(), ethers.MaxUint256);
  }
  const bg = await plainLeg(ctx, token, secret());
  await ctx.escrow.connect(ctx.alice).escrow(bg);
  const s = secret();
  const t0 = await now();
  const leg = toLegStruct({
    escrower: ctx.aliceAddr,
    redeemer: ctx.bobAddr,
    hashlock: hashlockOf(s),
    token,
    amount: ethers.parseEther("100"),
    premiumToken: token,
    premiumAmount: ethers.parseEther("3"),
    timelocks: {
      premiumDeadline: noZeroBytes(t0 + HOUR),
      escrowDeadline: noZeroBytes(t0 + 2n * HOUR),
      timeout: noZeroBytes(t0 + 4n * HOUR),
      mode: PremiumMode.Hedge,
    },
  });
  await ctx.escrow.connect(ctx.bob).depositPremium(leg);
  await ctx.escrow.connect(ctx.alice).escrow(leg);
  await ctx.escrow.connect(ctx.relayer).redeem(leg, s);
  const credit = await ctx.escrow.credits(ctx.bobAddr, token);
  if (credit !== leg.amount + leg.premiumAmount) throw new Error(`expected a credit of ${leg.amount + leg.premiumAmount}, got ${credit}`);
  const escrowB = ctx.escrow.connect(ctx.bob);
  out["withdraw.partial.erc20"] = await gasOf(escrowB["withdraw(address,address,uint256)"](token, ctx.bobAddr, ethers.parseEther("51.5")));
  out["withdraw.erc20"] = await gasOf(escrowB["withdraw(address,address)"](token, ctx.bobAddr));
}
