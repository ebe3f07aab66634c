/**
 * The local multi-chain devnet: real `hardhat node` processes with distinct chain ids, the escrow
 * deployed on each, clocks moved together, processes paused, snapshotted and stopped.
 */
import { expect } from "chai";
import { createServer, type Server, type Socket } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, Wallet, parseEther } from "ethers";

import { DeploymentRegistry, connectEscrow, parseDeploymentRecord } from "../../src/sdk";
import {
  DevnetError,
  devAccounts,
  deployToken,
  freePort,
  isPortFree,
  mintAndApprove,
  rawRpc,
  startDevnet,
  startHardhatNode,
  type Devnet,
  type DevnetChain,
} from "../../src/devnet";

const ERC20 = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address, address) view returns (uint256)",
  "function symbol() view returns (string)",
];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

describe("devnet: two local hardhat nodes", function () {
  let devnet: Devnet;
  let a: DevnetChain;
  let b: DevnetChain;
  let startMs: number;

  before(async function () {
    this.timeout(120_000);
    const t0 = Date.now();
    devnet = await startDevnet({
      chains: [
        { name: "alpha", chainId: 31341n },
        { name: "beta", chainId: 31342n },
      ],
      blockIntervalMs: 1000,
    });
    startMs = Date.now() - t0;
    [a, b] = devnet.chains as [DevnetChain, DevnetChain];
  });

  after(async function () {
    this.timeout(30_000);
    await devnet?.stop();
  });

  it("runs each chain in its own process on its own port, within a minute", async function () {
    expect(devnet.chains.map((c) => c.name)).to.deep.equal(["alpha", "beta"]);
    expect(a.node.port).to.not.equal(b.node.port);
    expect(a.node.pid).to.not.equal(b.node.pid);
    expect(isAlive(a.node.pid) && isAlive(b.node.pid)).to.equal(true);
    expect(startMs).to.be.below(60_000);
    for (const c of devnet.chains) {
      expect(c.node.startupMs).to.be.within(1, 60_000);
      expect(c.node.url).to.equal(`http://127.0.0.1:${c.node.port}`);
      // Output goes to the log file, not to our console.
      expect(readFileSync(c.node.logFile, "utf8")).to.contain(`Started HTTP and WebSocket JSON-RPC server at ${c.node.url}/`);
    }
  });

  it("answers with the configured chain ids", async function () {
    expect((await a.node.provider.getNetwork()).chainId).to.equal(31341n);
    expect(await a.node.provider.send("eth_chainId", [])).to.equal("0x7a6d");
    expect(BigInt((await rawRpc(b.node.url, "eth_chainId")) as string)).to.equal(31342n);
    expect(devnet.chain(31342n)).to.equal(b);
    expect(devnet.chain("alpha")).to.equal(a);
  });

  it("funds Hardhat's development accounts on every chain", async function () {
    const [first, second] = devAccounts(2);
    expect(first?.address).to.equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    expect(second?.address).to.equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    for (const c of devnet.chains) {
      // Account 0 paid for the deployment; account 1 is untouched.
      expect(await c.node.provider.getBalance(second!.address)).to.equal(parseEther("10000"));
      expect(await c.node.provider.getBalance(first!.address)).to.be.below(parseEther("10000"));
    }
  });

  it("deploys the escrow on each chain: code, VERSION 1.0.0, and a record the SDK accepts", async function () {
    for (const c of devnet.chains) {
      expect(await c.node.provider.getCode(c.escrow)).to.not.equal("0x");
      const escrow = new Contract(c.escrow, ["function VERSION() view returns (string)"], c.node.provider);
      expect(await escrow.getFunction("VERSION")()).to.equal("1.0.0");
      const receipt = await c.node.provider.getTransactionReceipt(c.transactionHash);
      expect(receipt?.contractAddress).to.equal(c.escrow);
      expect(receipt?.blockNumber).to.equal(c.deploymentBlock);
    }
    const records = devnet.chains.map((c) => devnet.record(c.name));
    expect(records[0]).to.deep.equal(parseDeploymentRecord(records[0]));
    expect(records.map((r) => r.chainId)).to.deep.equal([31341, 31342]);
    const registry = new DeploymentRegistry(records);
    for (const c of devnet.chains) {
      const handle = await connectEscrow(c.node.provider, { registry });
      expect(handle.at.escrow).to.equal(c.escrow);
      expect(handle.version).to.equal("1.0.0");
      expect(handle.deploymentBlock).to.equal(c.deploymentBlock);
    }
  });

  it("keeps automine on with interval mining: a transaction mines at once, and blocks keep coming", async function () {
    expect(await a.node.provider.send("hardhat_getAutomine", [])).to.equal(true);
    const [, , third] = devAccounts(3);
    const before = await a.node.provider.getBlockNumber();
    const tx = await third!.connect(a.node.provider).sendTransaction({ to: third!.address, value: 1n });
    const receipt = await tx.wait();
    expect(receipt?.blockNumber).to.be.greaterThan(before);
    const afterTx = await a.node.provider.getBlockNumber();
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(await a.node.provider.getBlockNumber()).to.be.greaterThan(afterTx);
  });

  it("deploys a test token, mints to a holder and approves a spender", async function () {
    const [deployer, holder] = devAccounts(2);
    const token = await deployToken(b.node, deployer!, "Beta Dollar", "BUSD");
    await mintAndApprove(b.node, token, holder!, 1234n, b.escrow);
    const erc20 = new Contract(token, ERC20, b.node.provider);
    expect(await erc20.getFunction("symbol")()).to.equal("BUSD");
    expect(await erc20.getFunction("balanceOf")(holder!.address)).to.equal(1234n);
    expect(await erc20.getFunction("allowance")(holder!.address, b.escrow)).to.equal(1234n);
  });

  it("increaseTime moves both clocks by at least the amount and keeps them within 2 s", async function () {
    const before = await Promise.all(devnet.chains.map((c) => c.node.latestTimestamp()));
    await devnet.increaseTime(3600);
    const after = await Promise.all(devnet.chains.map((c) => c.node.latestTimestamp()));
    for (let i = 0; i < after.length; i++) expect(after[i]! - before[i]!).to.be.at.least(3600n);
    const gap = after[0]! > after[1]! ? after[0]! - after[1]! : after[1]! - after[0]!;
    expect(gap <= 2n).to.equal(true, `clocks ${after.join(", ")} differ by ${gap} s`);
    await expect(devnet.increaseTime(0)).to.be.rejectedWith("must be at least 1");
  });

  it("moves one chain's clock and mines on it alone", async function () {
    const t0 = await a.node.latestTimestamp();
    await a.node.increaseTime(100n);
    expect((await a.node.latestTimestamp()) - t0).to.be.at.least(100n);
    await a.node.setNextTimestamp(t0 + 1000n);
    await a.node.mine();
    expect(await a.node.latestTimestamp()).to.equal(t0 + 1000n);
    const n = await a.node.provider.getBlockNumber();
    await a.node.mine(5);
    expect(await a.node.provider.getBlockNumber()).to.be.at.least(n + 5);
  });

  it("reverts to a snapshot, and a snapshot id is used once", async function () {
    const [, holder] = devAccounts(2);
    const token = await deployToken(a.node, devAccounts(1)[0]!, "Alpha", "ALP");
    const erc20 = new Contract(token, ERC20, a.node.provider);
    const id = await a.node.snapshot();
    await mintAndApprove(a.node, token, holder!, 50n, a.escrow);
    expect(await erc20.getFunction("balanceOf")(holder!.address)).to.equal(50n);
    await a.node.revert(id);
    expect(await erc20.getFunction("balanceOf")(holder!.address)).to.equal(0n);
    await expect(a.node.revert(id)).to.be.rejectedWith(DevnetError, "evm_revert refused");
  });

  it("pause() makes requests time out and resume() brings the node back", async function () {
    b.node.pause();
    try {
      let failure: unknown;
      await rawRpc(b.node.url, "eth_chainId", [], 500).catch((e: unknown) => (failure = e));
      expect((failure as Error | undefined)?.name).to.equal("TimeoutError");
      // The other chain is unaffected.
      expect(await rawRpc(a.node.url, "eth_chainId", [], 2000)).to.equal("0x7a6d");
    } finally {
      b.node.resume();
    }
    expect(await rawRpc(b.node.url, "eth_chainId", [], 5000)).to.equal("0x7a6e");
    expect(await b.node.provider.getBlockNumber()).to.be.a("number");
  });

  it("fails clearly, with the log's tail, when a node cannot start, and leaves no process", async function () {
    // Occupy a port with a server that hangs up on every connection.
    const sockets = new Set<Socket>();
    const server: Server = createServer((s) => s.destroy());
    server.on("connection", (s) => sockets.add(s));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      let failure: unknown;
      await startHardhatNode({ chainId: 31343n, port }).catch((e: unknown) => (failure = e));
      expect(failure).to.be.instanceOf(DevnetError);
      const error = failure as DevnetError;
      expect(error.code).to.equal("DEVNET_NODE_START");
      expect(error.message).to.contain("exited before answering").and.to.contain("EADDRINUSE");
      expect(isAlive(error.details["pid"] as number)).to.equal(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("starts a single node on a given port and log file, funding extra accounts", async function () {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "devnet-test-"));
    const logFile = join(dir, "node.log");
    const extra = Wallet.createRandom();
    const accounts = [{ address: extra.address, balance: 7n }, { address: b.escrow }];
    const node = await startHardhatNode({ chainId: 31344n, port, logFile, accounts });
    try {
      expect(node.port).to.equal(port);
      expect(node.logFile).to.equal(logFile);
      expect(readFileSync(logFile, "utf8")).to.contain(`127.0.0.1:${port}`);
      expect(await node.provider.getBalance(extra.address)).to.equal(7n);
      expect(await node.provider.getBalance(b.escrow)).to.equal(parseEther("10000"));
      expect(await node.provider.send("hardhat_getAutomine", [])).to.equal(true);
    } finally {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(isAlive(node.pid)).to.equal(false);
  });

  it("rejects bad options before starting anything", async function () {
    await expect(startDevnet({ chains: [{ name: "x", chainId: 1n }] })).to.be.rejectedWith("must be 31337 or in 31330–31399");
    await expect(
      startDevnet({ chains: [{ name: "x", chainId: 31341n }, { name: "y", chainId: 31341n }] }),
    ).to.be.rejectedWith("chain ids must be distinct");
    await expect(startHardhatNode({ chainId: 31344n, port: 70000 })).to.be.rejectedWith("port");
    expect(() => devnet.chain("gamma")).to.throw("no such chain");
  });

  it("stop() ends the processes and frees the ports; stopping twice is harmless", async function () {
    const nodes = devnet.chains.map((c) => c.node);
    b.node.pause(); // a paused node must stop too
    await devnet.stop();
    for (const node of nodes) {
      expect(isAlive(node.pid)).to.equal(false);
      expect(await isPortFree(node.port)).to.equal(true);
      expect(() => node.pause()).to.throw(DevnetError, "not running");
    }
    await devnet.stop();
  });
});
