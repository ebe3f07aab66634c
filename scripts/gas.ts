/**
 * `npm run gas`: gasUsed of every escrow operation, from transaction receipts, in steady state
 * (the escrow already holds the asset for other legs and keeps some after the operation; the
 * recipient already holds the asset; approvals are unlimited and not counted; the secret is 32
 * bytes without a zero byte). Writes `benchmarks/gas.json` (operation -> gas) and prints a table
 * against the targets (the leanest production HTLC, Boltz EtherSwap / ERC20Swap, same compiler
 * settings, or the project's own; the 3-party hedged cycle at most 1.5 × the two-party swap measured
 * in the same run); exits 1 when an operation misses its target.
 *
 * `GAS_CHECK=1 npm run gas` (part of `npm test`): measures the same way but compares with the
 * committed `benchmarks/gas.json` instead of writing it, prints both side by side, and exits 1 when any
 * figure grew more than `MAX_GROWTH_PERCENT` percent (0.5) over the snapshot, a snapshot figure is no longer
 * measured, or a target is missed. Commit a new snapshot (`npm run gas`) only for a change that is
 * meant to cost more.
 *
 * The parts, in scripts/gas/: harness.ts (context, conventions, helpers), measurePlain.ts (plain
 * HTLC, batch redeems, withdrawals), measureHedged.ts (two-party hedged swap, batch creation),
 * measureCycle.ts (3-party hedged cycle), targets.ts (targets and the judging rule), report.ts (tables).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { ethers } from "hardhat";

import type { HedgeSwapEscrow } from "../typechain-types";
import type { Ctx } from "./gas/harness";
import { measureCycle, prepareCycle } from "./gas/measureCycle";
import { measureBatchCreate, measureHedged } from "./gas/measureHedged";
import { measureBatch, measurePlain, measureWithdraw } from "./gas/measurePlain";
import { checkSnapshot, printTargets } from "./gas/report";
import { targetsFor } from "./gas/targets";

export { compareGas, GAS_TARGETS, MAX_GROWTH_PERCENT, RELATIVE_TARGETS, targetsFor } from "./gas/targets";

async function main(): Promise<void> {
  const [alice, bob, relayer] = await ethers.getSigners();
  const factory = await ethers.getContractFactory("HedgeSwapEscrow");
  const deployTx = await factory.deploy();
  const deployReceipt = await deployTx.deploymentTransaction()!.wait();
  const escrow = deployTx as unknown as HedgeSwapEscrow;
  // A plain OpenZeppelin ERC-20, as the anchors' own test token is.
  const tokenA = await ethers.deployContract("PlainToken", ["Apricot", "APR"]);
  const tokenB = await ethers.deployContract("PlainToken", ["Banana", "BAN"]);
  const ctx: Ctx = { escrow, tokenA, tokenB, alice: alice!, bob: bob!, relayer: relayer!, aliceAddr: await alice!.getAddress(), bobAddr: await bob!.getAddress() };
  for (const token of [tokenA, tokenB]) {
    for (const who of [alice!, bob!]) {
      await token.mint(await who.getAddress(), ethers.parseEther("1000000"));
      await token.connect(who).approve(await escrow.getAddress(), ethers.MaxUint256);
    }
  }

  const out: Record<string, number> = { deploy: Number(deployReceipt!.gasUsed) };
  await measurePlain(ctx, "native", out);
  await measurePlain(ctx, "erc20", out);
  await measureBatch(ctx, out);
  await measureHedged(ctx, "native", out);
  await measureHedged(ctx, "erc20", out);
  await measureBatchCreate(ctx, "native", out);
  await measureBatchCreate(ctx, "erc20", out);
  await measureWithdraw(ctx, out);
  // Last: its setup transactions would move the addresses the measurements above deploy to.
  const cycleCtx = await prepareCycle(ctx);
  await measureCycle(cycleCtx, "native", out);
  await measureCycle(cycleCtx, "erc20", out);

  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  const targets = targetsFor(sorted);
  const file = join(__dirname, "..", "benchmarks", "gas.json");
  if (process.env.GAS_CHECK) {
    process.exitCode = checkSnapshot(sorted, targets, file) ? 0 : 1;
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(sorted, null, 2) + "\n");
  const failed = printTargets(sorted, targets);
  console.log(`\nwrote benchmarks/gas.json; ${failed} target(s) missed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
