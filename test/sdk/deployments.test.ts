/**
 * Finding the escrow: deployment records (parsed, loaded from a folder like `deployments/`) or an
 * explicit address, checked on chain for code and a supported VERSION before use.
 */
import { expect } from "chai";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import {
  DeploymentRegistry,
  InvalidAddressError,
  InvalidArgumentError,
  UnknownChainError,
  UnknownDeploymentError,
  UnsupportedVersionError,
  WrongChainError,
  connectEscrow,
  parseDeploymentRecord,
} from "../../src/sdk";
import { loadDeployments, readDeploymentRecords } from "../../scripts/lib/deploymentRecords";

async function deployed() {
  const escrow = await ethers.deployContract("HedgeSwapEscrow");
  const future = await ethers.deployContract("FutureEscrow");
  const token = await ethers.deployContract("PlainToken", ["Plain", "PLN"]);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const block = (await escrow.deploymentTransaction()!.wait())!.blockNumber;
  return { escrow: await escrow.getAddress(), future: await future.getAddress(), token: await token.getAddress(), chainId, block };
}

function record(chainId: bigint | number, address: string, block = 1) {
  return { chainId: Number(chainId), contract: "HedgeSwapEscrow", address, deploymentBlock: block, transactionHash: "0x" + "11".repeat(32), version: "1.0.0", deployedAt: "2026-11-25T00:00:00.000Z" };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

describe("SDK deployments", function () {
  it("connects through the registry record of the runner's chain: version and deployment block", async function () {
    const d = await loadFixture(deployed);
    const handle = await connectEscrow(ethers.provider, { registry: new DeploymentRegistry([record(d.chainId, d.escrow, d.block)]) });
    expect(handle.at).to.deep.equal({ chainId: d.chainId, escrow: d.escrow });
    expect(handle.version).to.equal("1.0.0");
    expect(handle.deploymentBlock).to.equal(d.block);
    expect(await handle.contract.VERSION()).to.equal("1.0.0");
  });

  it("connects to an explicit address without any record", async function () {
    const d = await loadFixture(deployed);
    const handle = await connectEscrow(ethers.provider, { address: d.escrow.toLowerCase() });
    expect(handle.at.escrow).to.equal(d.escrow);
    expect(handle.deploymentBlock).to.equal(0);
  });

  it("refuses: no record for the chain, an address without code, a contract without VERSION, an unsupported VERSION, another chain", async function () {
    const d = await loadFixture(deployed);
    expect(await rejection(connectEscrow(ethers.provider, { registry: new DeploymentRegistry([record(5, d.escrow)]) }))).to.be.instanceOf(UnknownChainError);
    const empty = await rejection(connectEscrow(ethers.provider, { address: "0x000000000000000000000000000000000000dEaD" }));
    expect(empty).to.be.instanceOf(UnknownDeploymentError);
    expect((empty as UnknownDeploymentError).shortMessage).to.equal("no contract code at the escrow address");
    expect(await rejection(connectEscrow(ethers.provider, { address: d.token }))).to.be.instanceOf(UnknownDeploymentError);
    const future = await rejection(connectEscrow(ethers.provider, { address: d.future }));
    expect(future).to.be.instanceOf(UnsupportedVersionError);
    expect((future as UnsupportedVersionError).details).to.include({ version: "2.0.0", supported: "1.0.0" });
    const wrong = await rejection(connectEscrow(ethers.provider, { address: d.escrow, chainId: 1n }));
    expect(wrong).to.be.instanceOf(WrongChainError);
    expect(await rejection(connectEscrow(ethers.provider, { address: "0x1234" }))).to.be.instanceOf(InvalidAddressError);
  });

  it("registry: locate checks an explicit escrow against the record; with() replaces a chain's record", function () {
    const a = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const b = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    const registry = new DeploymentRegistry([record(1, a)]);
    expect(registry.locate(1n)).to.deep.equal({ chainId: 1n, escrow: a });
    expect(() => registry.locate(1n, b)).to.throw(UnknownDeploymentError);
    expect(() => registry.locate(2n)).to.throw(UnknownChainError);
    const next = registry.with(record(1, b));
    expect(next.locate(1n).escrow).to.equal(b);
    expect(registry.locate(1n).escrow).to.equal(a);
    expect(next.chainIds()).to.deep.equal([1n]);
  });

  it("parses records strictly and loads a deployments folder (local records win)", function () {
    expect(() => parseDeploymentRecord({ ...record(1, "0x5FbDB2315678afecb367f032d93F642f64180aa3"), chainId: -1 })).to.throw(InvalidArgumentError);
    expect(() => parseDeploymentRecord({ ...record(1, "0x5FbDB2315678afecb367f032d93F642f64180aa3"), contract: "Other" })).to.throw(InvalidArgumentError);
    expect(() => parseDeploymentRecord({ ...record(1, "nope") })).to.throw(InvalidAddressError);
    expect(() => parseDeploymentRecord(null)).to.throw(InvalidArgumentError);

    const root = mkdtempSync(join(tmpdir(), "hedgeswap-deployments-"));
    mkdirSync(join(root, "local"));
    writeFileSync(join(root, "10.json"), JSON.stringify(record(10, "0x5FbDB2315678afecb367f032d93F642f64180aa3")));
    writeFileSync(join(root, "31337.json"), JSON.stringify(record(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")));
    writeFileSync(join(root, "local", "31337.json"), JSON.stringify(record(31337, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")));
    writeFileSync(join(root, "README.md"), "not a record");
    expect(readDeploymentRecords(root).map((r) => r.chainId).sort()).to.deep.equal([10, 31337]);
    expect(loadDeployments(root).locate(31337n).escrow).to.equal("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  });
});
