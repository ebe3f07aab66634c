/**
 * The fault tools of the devnet on a real `hardhat node` with interval mining and automine off: the
 * RPC proxy's method-filtered hang, its swallowed request and its hooks; and the chain faults (a
 * reorganisation deeper than a depth, a clock jump, a base fee held on every block, a dropped pending
 * transaction).
 */
import { expect } from "chai";
import { Wallet, keccak256, parseEther, parseUnits } from "ethers";

import {
  devAccounts,
  dropPending,
  holdBaseFee,
  jumpClock,
  rawRpc,
  reorg,
  reorgPoint,
  setGasCoin,
  startHardhatNode,
  startRpcProxy,
  useIntervalMining,
  waitDepth,
  type DevNode,
  type RpcCall,
} from "../../src/devnet";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("devnet: fault tools on an interval-mined chain (RPC proxy modes and hooks, reorganisation, clock jump, fee spike, dropped transaction)", function () {
  this.timeout(120_000);
  let node: DevNode;
  const [, sender] = devAccounts(2) as [Wallet, Wallet];

  before(async function () {
    node = await startHardhatNode({ chainId: 31371n });
    await useIntervalMining(node, 1000);
  });
  after(async function () {
    await node?.stop();
  });

  /** A signed 0-value self-transfer at the next nonce, priced for fees up to `maxFee`. */
  async function selfTransfer(maxFee = parseUnits("50", "gwei")): Promise<string> {
    const nonce = await node.provider.getTransactionCount(sender.address, "pending");
    return sender.signTransaction({ to: sender.address, value: 0n, nonce, gasLimit: 21_000n, maxFeePerGas: maxFee, maxPriorityFeePerGas: 1n, chainId: node.chainId, type: 2 });
  }

  it("with automine off, blocks come every second and a transaction waits for the next one", async function () {
    const h0 = await node.provider.getBlockNumber();
    const hash = (await rawRpc(node.url, "eth_sendRawTransaction", [await selfTransfer()])) as string;
    expect(await node.provider.getTransactionReceipt(hash), "mined at once (automine is on)").to.equal(null);
    await waitDepth(node, hash, 1, 10_000);
    await sleep(2100);
    expect(await node.provider.getBlockNumber()).to.be.greaterThanOrEqual(h0 + 2);
  });

  it("hangs only the chosen methods (eth_sendRawTransaction): reads still pass, the hung call is dropped when the mode changes", async function () {
    const proxy = await startRpcProxy(node.url);
    try {
      proxy.setMode("timeout", { methods: ["eth_sendRawTransaction"] });
      expect(proxy.modeMethods).to.deep.equal(["eth_sendRawTransaction"]);
      expect(BigInt((await rawRpc(proxy.url, "eth_chainId")) as string)).to.equal(node.chainId);
      const raw = await selfTransfer();
      let settled: string | undefined;
      const hanging = rawRpc(proxy.url, "eth_sendRawTransaction", [raw], 30_000).then(
        () => (settled = "answered"),
        () => (settled = "dropped"),
      );
      await sleep(1500);
      expect(settled, "the hung sendRawTransaction was answered").to.equal(undefined);
      expect(await node.provider.getTransaction(keccak256(raw)), "the hung transaction reached the node").to.equal(null);
      // The same filter with error mode: the chosen method fails, the others pass.
      proxy.setMode("error", { methods: ["eth_sendRawTransaction"] });
      await hanging;
      expect(settled).to.equal("dropped");
      const refused = await rawRpc(proxy.url, "eth_sendRawTransaction", [raw]).then(
        () => "answered",
        (e: Error) => e.message,
      );
      expect(refused).to.match(/injected|Unexpected|JSON|503/i);
      expect(BigInt((await rawRpc(proxy.url, "eth_blockNumber")) as string)).to.be.greaterThan(0n);
      expect(() => proxy.setMode("pass", { methods: ["eth_chainId"] })).to.throw(/failing mode/);
      proxy.setMode("pass");
      expect(proxy.modeMethods).to.equal(undefined);
      expect(await rawRpc(proxy.url, "eth_sendRawTransaction", [raw])).to.equal(keccak256(raw));
      await waitDepth(node, keccak256(raw), 1, 10_000);
    } finally {
      await proxy.close();
    }
  });

  it("swallows the next eth_sendRawTransaction: answered with its hash, never forwarded; the one after passes", async function () {
    const proxy = await startRpcProxy(node.url);
    try {
      proxy.swallowNext("eth_sendRawTransaction");
      const raw = await selfTransfer();
      expect(await rawRpc(proxy.url, "eth_sendRawTransaction", [raw])).to.equal(keccak256(raw));
      expect(proxy.swallowed().map((c) => c.method)).to.deep.equal(["eth_sendRawTransaction"]);
      await sleep(2100);
      expect(await node.provider.getTransaction(keccak256(raw)), "the swallowed transaction reached the node").to.equal(null);
      expect(await rawRpc(proxy.url, "eth_sendRawTransaction", [raw])).to.equal(keccak256(raw));
      await waitDepth(node, keccak256(raw), 1, 10_000);
      // Another method, with a given answer, inside a batch.
      proxy.swallowNext("eth_blockNumber", "0x0");
      const answers = (await (
        await fetch(proxy.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify([
            { jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] },
            { jsonrpc: "2.0", id: 2, method: "eth_blockNumber", params: [] },
          ]),
        })
      ).json()) as { id: number; result: string }[];
      expect(answers[0]).to.deep.include({ id: 1, result: "0x0" });
      expect(BigInt(answers[1]!.result)).to.be.greaterThan(0n);
      expect(proxy.stats.methods["eth_blockNumber(swallowed)"]).to.equal(1);
    } finally {
      await proxy.close();
    }
  });

  it("runs hooks before and after forwarding a method: a hook switches the mode (the call meets it) and another drops the pending transaction it just forwarded", async function () {
    const proxy = await startRpcProxy(node.url);
    try {
      const seen: string[] = [];
      const removeLog = proxy.addHook({ method: "*", before: (c: RpcCall) => void seen.push(c.method) });
      // Before: stop mining so the forwarded transaction stays pending; after: drop it, mine again.
      let dropped: boolean | undefined;
      const removeDrop = proxy.addHook({
        method: "eth_sendRawTransaction",
        before: async () => void (await node.provider.send("evm_setIntervalMining", [0])),
        after: async (c, answer) => {
          dropped = await dropPending(node, answer.result as string);
          expect(c.params[0]).to.be.a("string");
          await node.provider.send("evm_setIntervalMining", [1000]);
        },
      });
      const raw = await selfTransfer();
      expect(await rawRpc(proxy.url, "eth_sendRawTransaction", [raw])).to.equal(keccak256(raw));
      expect(dropped).to.equal(true);
      await sleep(2100);
      expect(await node.provider.getTransaction(keccak256(raw)), "the dropped transaction is still known").to.equal(null);
      removeDrop();
      expect(seen).to.include("eth_sendRawTransaction");

      // A before-hook that switches the proxy to hang: the very call that triggered it hangs.
      const removeHang = proxy.addHook({ method: "eth_sendRawTransaction", before: () => proxy.setMode("timeout") });
      const hung = await rawRpc(proxy.url, "eth_sendRawTransaction", [raw], 800).then(
        () => "answered",
        (e: Error) => e.name,
      );
      expect(hung).to.equal("TimeoutError");
      removeHang();
      removeLog();
      proxy.setMode("pass");
      expect(await rawRpc(proxy.url, "eth_sendRawTransaction", [raw])).to.equal(keccak256(raw));
      await waitDepth(node, keccak256(raw), 1, 10_000);
    } finally {
      await proxy.close();
    }
  });

  it("reorganises deeper than 2 blocks: the transaction is gone, the new branch is longer", async function () {
    const point = await reorgPoint(node);
    const hash = (await rawRpc(node.url, "eth_sendRawTransaction", [await selfTransfer()])) as string;
    await waitDepth(node, hash, 3, 15_000);
    const abandoned = await node.provider.getBlockNumber();
    const removed = await reorg(point);
    expect(removed).to.be.greaterThanOrEqual(3);
    expect(await node.provider.getTransactionReceipt(hash)).to.equal(null);
    expect(await node.provider.getTransaction(hash), "the reorganised transaction is back in the mempool").to.equal(null);
    expect(await node.provider.getBlockNumber()).to.be.greaterThan(abandoned);
    // Interval mining goes on on the new branch.
    const h = await node.provider.getBlockNumber();
    await sleep(2100);
    expect(await node.provider.getBlockNumber()).to.be.greaterThan(h);
  });

  it("jumps the clock forward while blocks keep coming", async function () {
    const before = await node.latestTimestamp();
    await jumpClock(node, 1000);
    expect(await node.latestTimestamp()).to.be.greaterThanOrEqual(before + 1000n);
    await sleep(1500);
    expect(await node.latestTimestamp()).to.be.greaterThan(before + 1000n);
  });

  it("holds a base-fee spike on every block under interval mining; a poor account cannot pay it, then the fee goes back", async function () {
    const spike = parseUnits("10000", "gwei");
    const held = await holdBaseFee(node, spike);
    const poor = Wallet.createRandom().connect(node.provider);
    try {
      await sleep(3500);
      const head = await node.provider.getBlockNumber();
      for (let n = head - 2; n <= head; n++) expect((await node.provider.getBlock(n))!.baseFeePerGas! >= (spike * 7n) / 8n, `block ${n} under the spike`).to.equal(true);
      // Enough coin for a 21,000-gas transfer at 100 gwei, not at the spike.
      await setGasCoin(node, poor.address, 21_000n * parseUnits("100", "gwei"));
      const refused = await poor.sendTransaction({ to: poor.address, value: 0n, gasLimit: 21_000n, maxFeePerGas: spike * 2n, maxPriorityFeePerGas: 1n }).then(
        () => "accepted",
        (e: Error) => e.message,
      );
      expect(refused).to.match(/insufficient funds|enough funds/i);
    } finally {
      await held.release(parseUnits("1", "gwei"));
    }
    await sleep(1500);
    expect((await node.provider.getBlock("latest"))!.baseFeePerGas! <= parseUnits("1", "gwei")).to.equal(true);
    await setGasCoin(node, poor.address, parseEther("1"));
  });
});
