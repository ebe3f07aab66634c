/**
 * `npm run deploy:token -- --network <name>`: deploys a test ERC-20 (`contracts/test/TestToken.sol`,
 * 18 decimals, anyone may mint) for trying the coordinator on your own chains, mints to the holders
 * given, and has each holder the node can sign for (a local `hardhat node`'s development accounts)
 * approve the chain's escrow for it. Settings come from the environment (`hardhat run` takes no
 * arguments of its own):
 *
 *   HEDGESWAP_TOKEN_SYMBOL   the symbol (required), e.g. APR
 *   HEDGESWAP_TOKEN_NAME     the name (default: the symbol)
 *   HEDGESWAP_MINT           holders and whole-token amounts: "0xAlice…=100,0xBob…=1"
 *   HEDGESWAP_ESCROW         the escrow to approve (default: the one `npm run deploy` recorded for this chain)
 *
 * A holder the node cannot sign for (any account on a public chain) is told to approve the escrow
 * itself; the coordinator refuses an offer whose escrower has not (INSUFFICIENT_FUNDS, "allowance").
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import hre from "hardhat";

import { recordPath, type DeploymentRecord } from "./lib/deployEscrow";

/** The holders and amounts of HEDGESWAP_MINT. */
export function parseMint(value: string | undefined): { holder: string; amount: string }[] {
  if (value === undefined || value.trim() === "") return [];
  return value.split(",").map((pair) => {
    const m = /^\s*(0x[0-9a-fA-F]{40})\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*$/.exec(pair);
    if (!m) throw new Error(`HEDGESWAP_MINT: "${pair}" is not <address>=<whole tokens>, e.g. 0x70997970C51812dc3A010C7d01b50e0d17dc79C8=100`);
    return { holder: hre.ethers.getAddress(m[1]!), amount: m[2]! };
  });
}

async function main(): Promise<void> {
  const symbol = process.env.HEDGESWAP_TOKEN_SYMBOL;
  if (!symbol) throw new Error("set HEDGESWAP_TOKEN_SYMBOL (e.g. APR); HEDGESWAP_MINT=<address>=<amount>,... mints to holders");
  const name = process.env.HEDGESWAP_TOKEN_NAME ?? symbol;
  const mints = parseMint(process.env.HEDGESWAP_MINT);
  const { ethers } = hre;
  const chainId = Number((await ethers.provider.getNetwork()).chainId);

  let escrow = process.env.HEDGESWAP_ESCROW;
  if (!escrow) {
    const path = recordPath(process.env.HEDGESWAP_DEPLOYMENTS_DIR ?? join(__dirname, "..", "deployments"), chainId);
    if (existsSync(path)) escrow = (JSON.parse(readFileSync(path, "utf8")) as DeploymentRecord).address;
  }

  const token = await ethers.deployContract("TestToken", [name, symbol]);
  await token.waitForDeployment();
  const address = await token.getAddress();
  console.log(`TestToken ${symbol} (${name}) deployed on chain ${chainId}: ${address}`);

  const signers = new Map((await ethers.getSigners()).map((s) => [s.address, s]));
  for (const { holder, amount } of mints) {
    await (await token.mint(holder, ethers.parseUnits(amount, 18))).wait();
    const signer = signers.get(holder);
    if (escrow && signer) {
      await (await token.connect(signer).approve(escrow, ethers.MaxUint256)).wait();
      console.log(`  minted ${amount} ${symbol} to ${holder}; it approved the escrow ${escrow}`);
    } else {
      const why = escrow ? "the node cannot sign for it" : "no escrow recorded for this chain (npm run deploy, or set HEDGESWAP_ESCROW)";
      console.log(`  minted ${amount} ${symbol} to ${holder}; approve the escrow from it yourself (${why}): approve(${escrow ?? "<escrow>"}, <amount>)`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
