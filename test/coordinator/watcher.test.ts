/**
 * The chain watcher against a reorganisation that strikes *during* a poll, on a real `hardhat node`
 * behind the loopback RPC proxy: the chain is reorganised between the watcher's read of the logs and
 * its read of the final block. Logs of the abandoned branch must never be reported final under a tip
 * of the new branch (nothing would be left to tell: the next poll's tip would match the chain).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { NATIVE, depositPremiumTx, hashlockOf, planHedgedSwap } from "../../src/sdk";
import { ChainClient } from "../../src/coordinator/chain/client";
import { ChainWatcher, type LegEvent } from "../../src/coordinator/chain/watcher";
import { resolveChain } from "../../src/coordinator/config";
import { openSqliteStore } from "../../src/coordinator/store";
import { devAccounts, startDevnet, type Devnet } from "../../src/devnet";
import { reorg, reorgPoint } from "../../src/devnet/chainFaults";
import { startRpcProxy, type RpcProxy } from "../../src/devnet/rpcProxy";

describe("chain watcher: a reorganisation during a poll", function () {
  this.timeout(120_000);
  let devnet: Devnet;
  let proxy: RpcProxy;

  before(async function () {
    devnet = await startDevnet({ chains: [{ name: "W", chainId: 31391n }] });
    proxy = await startRpcProxy(devnet.chain("W").node.url);
  });
  after(async function () {
    await proxy?.close();
    await devnet?.stop();
  });

  it("logs read from the abandoned branch are not reported final, and the tip stays on the chain: the vanished premium never counts", async function () {
    const chain = devnet.chain("W");
    const node = chain.node;
    const [, alice, bob] = devAccounts(3);
    const client = new ChainClient(resolveChain({ name: "W", chainId: node.chainId, rpcUrl: proxy.url, escrow: chain.escrow, deploymentBlock: chain.deploymentBlock, confirmations: 1, blockInterval: 1, inclusionTime: 2, clockSkew: 2, rpcTimeoutMs: 3000 } as never));
    await client.connect();
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "hedgeswap-watcher-")), "w.sqlite"));
    const finals: LegEvent[] = [];
    const logged: string[] = [];
    const watcher = new ChainWatcher(store, client, { onSecret: () => undefined, onFinalEvent: (e) => finals.push(e), log: (kind) => logged.push(kind) });
    try {
      // A first poll sets the tip; then the point to reorganise back to.
      await watcher.poll(await client.head());
      const point = await reorgPoint(node);
      // Bob deposits a premium (a leg event), and a block more makes it final.
      const now = BigInt((await node.provider.getBlock("latest"))!.timestamp);
      const plan = planHedgedSwap({ leader: alice!.address, follower: bob!.address, hashlock: hashlockOf("0x" + "42".repeat(32)), start: now, delta: 600n,
        legA: { chainId: node.chainId, escrow: chain.escrow, token: NATIVE, amount: 10n ** 18n, premiumAmount: 10n ** 16n },
        legB: { chainId: 31392n, escrow: chain.escrow, token: NATIVE, amount: 10n ** 18n, premiumAmount: 3n * 10n ** 16n } }, { now, allowSameChain: true });
      await (await bob!.connect(node.provider).sendTransaction(depositPremiumTx(plan.legA))).wait();
      await node.mine(2);
      // The reorganisation strikes after the node answered eth_getLogs (with the premium in it) and
      // before the watcher reads the final block: the premium's block is gone, the new branch longer.
      let struck = false;
      const remove = proxy.addHook({
        method: "eth_getLogs",
        after: async () => {
          if (struck) return;
          struck = true;
          await reorg(point);
        },
      });
      const head = await client.head();
      await watcher.poll(head);
      remove();
      expect(struck, "the reorganisation ran inside the poll").to.equal(true);
      // Two more polls on the new branch.
      await node.mine(1);
      await watcher.poll(await client.head());
      await watcher.poll(await client.head());
      expect(finals.filter((e) => e.legId === plan.legA.id), "the vanished premium reported final").to.deep.equal([]);
      const tip = store.getTip(node.chainId.toString())!;
      expect((await node.provider.getBlock(tip.blockNumber))!.hash, "the tip is a block of the chain").to.equal(tip.blockHash);
      expect(logged).to.include("chain.moved");
    } finally {
      store.close();
      client.provider.destroy();
    }
  });
});
