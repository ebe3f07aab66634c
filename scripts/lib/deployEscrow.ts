/**
 * Deploys the escrow to the connected network with Hardhat Ignition, once per chain, and records the
 * deployment under `deployments/` in the form the SDK reads. A chain that already has the recorded
 * escrow (same address with code, same VERSION) is left alone; a chain that was reset (a local node
 * restarted) gets a fresh deployment and a new record.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types";

import EscrowModule from "../../ignition/modules/HedgeSwapEscrow";
import type { DeploymentRecord } from "../../src/sdk/deployments";

export type { DeploymentRecord };

/** Chain ids of local development chains, whose records are not committed. */
export function isLocalChain(chainId: number): boolean {
  return chainId === 31337 || (chainId >= 31330 && chainId <= 31399);
}

/** Where the record of `chainId` lives under `root` (the repository's `deployments/` folder). */
export function recordPath(root: string, chainId: number): string {
  return isLocalChain(chainId) ? join(root, "local", `${chainId}.json`) : join(root, `${chainId}.json`);
}

export interface DeployResult {
  record: DeploymentRecord;
  /** False when the recorded deployment was found on chain and reused. */
  deployed: boolean;
}

/** Deploys the escrow unless the chain already has the recorded one; writes the record. */
export async function deployEscrow(hre: HardhatRuntimeEnvironment, root: string): Promise<DeployResult> {
  const { ethers } = hre;
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const path = recordPath(root, chainId);

  if (existsSync(path)) {
    const existing = JSON.parse(readFileSync(path, "utf8")) as DeploymentRecord;
    const code = await ethers.provider.getCode(existing.address);
    if (code !== "0x") {
      const version = await (await ethers.getContractAt("HedgeSwapEscrow", existing.address)).VERSION();
      if (version === existing.version) return { record: existing, deployed: false };
    }
  }

  // Public chains keep one Ignition journal (an interrupted deployment resumes); a local chain gets a
  // fresh one each time, so that a restarted node never meets a stale journal.
  const deploymentId = isLocalChain(chainId) ? `local-${chainId}-${Date.now()}` : `chain-${chainId}`;
  const { escrow } = await hre.ignition.deploy(EscrowModule, { deploymentId, displayUi: false });
  const address = await escrow.getAddress();
  const tx = escrow.deploymentTransaction();
  const receipt = tx ? await tx.wait() : null;
  const hash = receipt?.hash ?? (await findDeploymentTx(hre, address));
  const fullReceipt = await ethers.provider.getTransactionReceipt(hash);
  const record: DeploymentRecord = {
    chainId,
    contract: "HedgeSwapEscrow",
    address,
    deploymentBlock: fullReceipt!.blockNumber,
    transactionHash: hash,
    version: await (await ethers.getContractAt("HedgeSwapEscrow", address)).VERSION(),
    deployedAt: new Date().toISOString(),
  };
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, JSON.stringify(record, null, 2) + "\n");
  return { record, deployed: true };
}

/** Finds the transaction that created `address` by scanning recent blocks (Ignition may not hand it back). */
async function findDeploymentTx(hre: HardhatRuntimeEnvironment, address: string): Promise<string> {
  const latest = await hre.ethers.provider.getBlockNumber();
  for (let n = latest; n >= Math.max(0, latest - 50); n--) {
    const block = await hre.ethers.provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.to === null) {
        const r = await hre.ethers.provider.getTransactionReceipt(tx.hash);
        if (r?.contractAddress?.toLowerCase() === address.toLowerCase()) return tx.hash;
      }
    }
  }
  throw new Error(`no deployment transaction found for ${address} in the last 50 blocks`);
}
