/**
 * `npm run deploy:local` (or `npx hardhat run scripts/deploy.ts --network <name>`): deploys the
 * escrow with Ignition unless the chain already has the recorded deployment, and prints the record.
 */
import { join } from "node:path";

import hre from "hardhat";

import { deployEscrow } from "./lib/deployEscrow";

async function main(): Promise<void> {
  const root = process.env.HEDGESWAP_DEPLOYMENTS_DIR ?? join(__dirname, "..", "deployments");
  const { record, deployed } = await deployEscrow(hre, root);
  const verb = deployed ? "deployed" : "already deployed (nothing sent)";
  console.log(`HedgeSwapEscrow ${record.version} ${verb} on chain ${record.chainId}: ${record.address} (block ${record.deploymentBlock})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
