/**
 * The deployment command's logic (scripts/lib/deployEscrow.ts) on the in-process Hardhat network:
 * it deploys with Ignition and writes the record the SDK reads, does nothing when run again, and
 * deploys afresh when the recorded contract is gone (a reset local chain).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import hre, { ethers, network } from "hardhat";

import { deployEscrow, isLocalChain, recordPath, type DeploymentRecord } from "../../scripts/lib/deployEscrow";

describe("deployEscrow (npm run deploy:local)", function () {
  let root: string;

  beforeEach(function () {
    root = mkdtempSync(join(tmpdir(), "hedgeswap-deployments-"));
  });

  afterEach(function () {
    rmSync(root, { recursive: true, force: true });
  });

  it("deploys the escrow and records chain id, address, deployment block and version", async function () {
    const { record, deployed } = await deployEscrow(hre, root);
    expect(deployed).to.equal(true);
    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    const onDisk = JSON.parse(readFileSync(recordPath(root, chainId), "utf8")) as DeploymentRecord;
    expect(onDisk).to.deep.equal(record);
    expect(record.chainId).to.equal(chainId);
    expect(record.contract).to.equal("HedgeSwapEscrow");
    expect(record.version).to.equal("1.0.0");
    expect(await ethers.provider.getCode(record.address)).to.not.equal("0x");
    const receipt = await ethers.provider.getTransactionReceipt(record.transactionHash);
    expect(receipt!.contractAddress).to.equal(record.address);
    expect(record.deploymentBlock).to.equal(receipt!.blockNumber);
  });

  it("does not redeploy when run again: same record, no transaction sent", async function () {
    const first = await deployEscrow(hre, root);
    const blockBefore = await ethers.provider.getBlockNumber();
    const second = await deployEscrow(hre, root);
    expect(second.deployed).to.equal(false);
    expect(second.record).to.deep.equal(first.record);
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
  });

  it("deploys afresh when the recorded contract is no longer on chain (a reset local chain)", async function () {
    const first = await deployEscrow(hre, root);
    await network.provider.send("hardhat_setCode", [first.record.address, "0x"]);
    const again = await deployEscrow(hre, root);
    expect(again.deployed).to.equal(true);
    expect(again.record.address).to.not.equal(first.record.address);
    expect(await ethers.provider.getCode(again.record.address)).to.not.equal("0x");
  });

  it("keeps local chains' records apart from public ones", function () {
    expect(isLocalChain(31337)).to.equal(true);
    expect(isLocalChain(1)).to.equal(false);
    expect(recordPath("/d", 31337)).to.equal(join("/d", "local", "31337.json"));
    expect(recordPath("/d", 10)).to.equal(join("/d", "10.json"));
  });
});
