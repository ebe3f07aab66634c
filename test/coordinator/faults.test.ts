/**
 * Faults on the way to a swap, on two real `hardhat node` chains: a loopback RPC proxy between Alice's
 * coordinator and chain A that fails for a while (HTTP 503, JSON-RPC errors, hangs); a reorganisation
 * on chain B that removes Bob's escrow while it is still below Alice's confirmation depth; and a
 * base-fee spike on chain B that strands Alice's first transaction until her coordinator bumps it.
 * Every swap still ends exactly as S6, and nothing is revealed on an escrow that disappeared.
 */
import { expect } from "chai";
import { toQuantity } from "ethers";

import { LegState, escrowPrincipal, getLegState, redeem, waitForSecret } from "../../src/sdk";
import { parseConfig, type CoordinatorConfig } from "../../src/coordinator/config";
import { HAPPY_PATH, type SwapStatus } from "../../src/coordinator/domain/status";
import type { Coordinator } from "../../src/coordinator/engine/coordinator";
import { RPC_PROXY_ERROR_CODE, rawRpc, startRpcProxy, type DevNode, type RpcProxy } from "../../src/devnet";
import { coordinator, driveBoth, expectHoldings, finished, freshTokens, partyConfig, partyConfigJson, signedOffer, startWorld, until, type World } from "./world";

const S6 = { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n };
/** Δ of these swaps: room for the outages, the reorganisation and the spike on the chains' clocks. */
const FAULT_DELTA = 40n;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Mines one block on `node` every `everyMs` until stopped (a chain that keeps producing blocks). */
function blockPump(node: DevNode, everyMs = 1000): { stop(): Promise<void> } {
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      await sleep(everyMs);
      if (running) await node.mine().catch((e: unknown) => (failure ??= e));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      if (failure) throw failure;
    },
  };
}

describe("coordinator: faults (RPC outage, reorganisation, base-fee spike)", function () {
  this.timeout(180_000);
  let w: World;

  before(async function () {
    w = await startWorld();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  /** Alice's configuration with per-chain overrides (e.g. `{ B: { confirmations: 3 } }`). */
  function aliceConfig(chains: Partial<Record<"A" | "B", Record<string, unknown>>>, extra: Record<string, unknown> = {}): CoordinatorConfig {
    const json = partyConfigJson(w, "alice", extra);
    const patched = (json.chains as Record<string, unknown>[]).map((c) => ({ ...c, ...(chains[c.name as "A" | "B"] ?? {}) }));
    return parseConfig({ ...json, chains: patched });
  }

  const statusOf = (c: Coordinator, id: string) => c.store.getSwap(id)!.status;
  const reached = (c: Coordinator, id: string, status: SwapStatus) => HAPPY_PATH.indexOf(statusOf(c, id) as SwapStatus) >= HAPPY_PATH.indexOf(status);
  /** Every status the swap has been moved to, from its `swap.status` events. */
  const statusesVisited = (c: Coordinator, id: string) => c.store.events(id).filter((e) => e.kind === "swap.status").map((e) => e.data.to as string);

  it("the loopback proxy forwards (counting calls per method, batches too), answers 503, answers JSON-RPC errors (batch-aware) and hangs until the mode changes", async function () {
    const proxy = await startRpcProxy(w.A.node.url);
    const post = (body: unknown, signal?: AbortSignal) =>
      fetch(proxy.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
    try {
      expect(BigInt((await rawRpc(proxy.url, "eth_chainId")) as string)).to.equal(w.A.node.chainId);
      expect(proxy.stats).to.deep.equal({ forwarded: 1, failed: 0, methods: { eth_chainId: 1 } });

      proxy.setMode("error");
      const unavailable = await post({ jsonrpc: "2.0", id: 7, method: "eth_blockNumber", params: [] });
      expect(unavailable.status).to.equal(503);
      expect(await unavailable.json()).to.deep.include({ id: 7 }).and.have.nested.property("error.code", RPC_PROXY_ERROR_CODE);

      proxy.setMode("rpcError");
      const batch = await post([
        { jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] },
        { jsonrpc: "2.0", id: 2, method: "eth_chainId", params: [] },
      ]);
      expect(batch.status).to.equal(200);
      const answers = (await batch.json()) as { id: number; error: { code: number }; result?: unknown }[];
      expect(answers.map((a) => [a.id, a.error.code, a.result])).to.deep.equal([
        [1, RPC_PROXY_ERROR_CODE, undefined],
        [2, RPC_PROXY_ERROR_CODE, undefined],
      ]);

      proxy.setMode("timeout");
      const timedOut = await post({ jsonrpc: "2.0", id: 3, method: "eth_chainId", params: [] }, AbortSignal.timeout(400)).then(
        () => "answered",
        (e: Error) => e.name,
      );
      expect(timedOut).to.equal("TimeoutError");
      let settled: string | undefined;
      const hanging = post({ jsonrpc: "2.0", id: 4, method: "eth_chainId", params: [] }).then(
        () => (settled = "answered"),
        () => (settled = "dropped"),
      );
      await sleep(500);
      expect(settled, "a request in timeout mode was answered").to.equal(undefined);
      proxy.setMode("pass");
      await hanging;
      expect(settled).to.equal("dropped");
      expect(BigInt((await rawRpc(proxy.url, "eth_chainId")) as string)).to.equal(w.A.node.chainId);
      await post([
        { jsonrpc: "2.0", id: 5, method: "eth_blockNumber", params: [] },
        { jsonrpc: "2.0", id: 6, method: "eth_chainId", params: [] },
      ]);
      expect(proxy.stats).to.deep.equal({ forwarded: 3, failed: 4, methods: { eth_chainId: 3, eth_blockNumber: 1 } });
    } finally {
      await proxy.close();
    }
    const refused = await rawRpc(proxy.url, "eth_chainId").then(
      () => "answered",
      () => "refused",
    );
    expect(refused).to.equal("refused");
  });

  it("chain A's RPC fails for a while (503, JSON-RPC errors, hangs): Alice's coordinator waits it out, the swap ends as S6", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens, "hedged-swap", FAULT_DELTA);
    const proxy: RpcProxy = await startRpcProxy(w.A.node.url);
    const alice = coordinator(aliceConfig({ A: { rpcUrl: proxy.url } }));
    const bob = coordinator(partyConfig(w, "bob"));
    try {
      await driveBoth(alice, bob, signed);
      // As soon as step 1 is under way on B, chain A goes dark for Alice (steps 2 and 3 happen on A).
      await until("Alice sent step 1", () => alice.store.txsOfSwap(plan.id).some((t) => t.action === "depositPremium" && t.leg === "B"));
      const failedBefore = proxy.stats.failed;
      const outageStarted = Date.now();
      proxy.setMode("error");
      await sleep(500);
      const statusInOutage = statusOf(alice, plan.id);
      await sleep(1500);
      proxy.setMode("rpcError");
      await sleep(1500);
      proxy.setMode("timeout");
      await sleep(2000);
      expect(statusOf(alice, plan.id), "Alice's status moved while chain A was unreachable").to.equal(statusInOutage);
      expect(alice.store.txsOfSwap(plan.id).filter((t) => t.leg === "A"), "Alice sent on chain A during the outage").to.deep.equal([]);
      proxy.setMode("pass");

      expect(await finished(alice, plan.id, 60_000)).to.equal("completed");
      expect(await finished(bob, plan.id, 60_000)).to.equal("completed");
      await expectHoldings(w, tokens, S6);

      expect(proxy.stats.failed).to.be.greaterThan(failedBefore);
      const outages = alice.store.events().filter((e) => e.kind === "chain.unreachable" && e.chainId === w.A.node.chainId.toString() && e.at >= outageStarted);
      expect(outages.length, "no chain.unreachable event for chain A").to.be.greaterThan(0);
      const reasons = outages.map((e) => String(e.data.reason));
      expect(reasons.some((r) => /503|unavailable/i.test(r)), `no 503 among ${reasons.join(" | ")}`).to.equal(true);
      expect(reasons.some((r) => /timeout/i.test(r)), `no timeout among ${reasons.join(" | ")}`).to.equal(true);
      expect(alice.store.events().some((e) => e.kind === "chain.unreachable" && e.chainId === w.B.node.chainId.toString()), "chain B was reported unreachable").to.equal(false);
    } finally {
      await alice.stop();
      await bob.stop();
      await proxy.close();
    }
  });

  it("a reorganisation on chain B removes Bob's escrow below Alice's confirmation depth: she reveals nothing until it is escrowed again, then S6", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan, secret } = await signedOffer(w, tokens, "hedged-swap", FAULT_DELTA);
    const alice = coordinator(aliceConfig({ B: { confirmations: 3 } }));
    // Bob's coordinator halts after step 2 (it takes step 2 only); the test plays his step 4 (twice) and his step 6 with the SDK.
    const bob = coordinator(partyConfig(w, "bob", { faults: { haltAfterStep: 2 } }));
    const bobOnA = w.bob.connect(w.A.node.provider);
    const bobOnB = w.bob.connect(w.B.node.provider);
    let pump = blockPump(w.B.node); // chain B keeps producing blocks so that Alice's depth of 3 is reached
    try {
      await driveBoth(alice, bob, signed);
      await until("Alice escrowed leg A (step 3)", () => reached(alice, plan.id, "escrowedA"), 60_000);
      await pump.stop();
      expect(statusOf(alice, plan.id)).to.equal("escrowedA");

      // Bob escrows leg B on a branch that will be abandoned: one block, one confirmation of three.
      const snapshot = await w.B.node.snapshot();
      const doomed = await escrowPrincipal(bobOnB, plan.legB);
      expect(await getLegState(w.B.node.provider, plan.legB)).to.equal(LegState.Escrowed);
      await sleep(1500); // ~15 rounds of Alice's coordinator with the escrow at the head
      expect(statusOf(alice, plan.id)).to.equal("escrowedA");

      // The reorganisation: back to before the escrow, then five different (empty) blocks.
      await w.B.node.revert(snapshot);
      await w.B.node.mine(5);
      expect(await w.B.node.provider.getTransactionReceipt(doomed.hash), "the abandoned escrow is still on chain B").to.equal(null);
      expect(await getLegState(w.B.node.provider, plan.legB)).to.equal(LegState.PremiumDeposited);
      await sleep(1500); // Alice looks at the new branch for a while

      const redeemsOfB = alice.store.txsOfSwap(plan.id).filter((t) => t.action === "redeem" && t.leg === "B");
      expect(redeemsOfB, "Alice sent a redeem of leg B (the secret) on an unconfirmed escrow").to.deep.equal([]);
      const visited = statusesVisited(alice, plan.id);
      for (const s of ["escrowedB", "committed", "redeemedB"]) expect(visited, `Alice's swap reached ${s}`).to.not.include(s);
      expect(alice.store.getSwap(plan.id)!.revealedSecret).to.equal(null);
      expect(alice.store.events(plan.id).filter((e) => e.kind === "leg.escrowed" && e.data.leg === "B"), "the abandoned escrow was taken as final").to.deep.equal([]);
      expect(await getLegState(w.B.node.provider, plan.legB)).to.not.equal(LegState.Escrowed);

      // Bob escrows again, for real; blocks keep coming until Alice's depth is reached and she reveals.
      await escrowPrincipal(bobOnB, plan.legB);
      pump = blockPump(w.B.node);
      const revealed = await waitForSecret(bobOnB, plan.legB, { pollInterval: 200, fromBlock: w.B.deploymentBlock });
      expect(revealed).to.equal(secret);
      await redeem(bobOnA, plan.legA, revealed);

      expect(await finished(alice, plan.id, 60_000)).to.equal("completed");
      expect(await finished(bob, plan.id, 60_000)).to.equal("completed");
      await expectHoldings(w, tokens, S6);
      const redeems = alice.store.txsOfSwap(plan.id).filter((t) => t.action === "redeem" && t.leg === "B");
      expect(redeems.map((t) => t.status)).to.deep.equal(["mined"]);
    } finally {
      await pump.stop().catch(() => undefined);
      await alice.stop();
      await bob.stop();
    }
  });

  it("a reorganisation on chain B removes Bob's own final escrow: his coordinator re-reads leg B, sends step 4 again, S6", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens, "hedged-swap", FAULT_DELTA);
    const alice = coordinator(aliceConfig({ B: { confirmations: 3 } }));
    const bobJson = partyConfigJson(w, "bob");
    // Bob waits for 3 confirmations on A (so chain B can be snapshotted before his escrow) but only 1 on B.
    const bob = coordinator(parseConfig({ ...bobJson, chains: (bobJson.chains as Record<string, unknown>[]).map((c) => (c.name === "A" ? { ...c, confirmations: 3 } : c)) }));
    let pump = blockPump(w.B.node);
    const pumpA = blockPump(w.A.node);
    try {
      await driveBoth(alice, bob, signed);
      await until("Alice's escrow of leg A mined", () => alice.store.txsOfSwap(plan.id).some((t) => t.action === "escrow" && t.leg === "A" && t.status === "mined"), 60_000);
      await pump.stop();
      const snapshot = await w.B.node.snapshot();
      await until("Bob's escrow of leg B mined and final for him", () => reached(bob, plan.id, "escrowedB"), 30_000);
      await w.B.node.revert(snapshot);
      await w.B.node.mine(5);
      expect(await getLegState(w.B.node.provider, plan.legB)).to.equal(LegState.PremiumDeposited);
      pump = blockPump(w.B.node);
      expect(await finished(bob, plan.id, 90_000)).to.equal("completed");
      expect(await finished(alice, plan.id, 90_000)).to.equal("completed");
      expect(bob.store.events().some((e) => e.kind === "chain.reorg")).to.equal(true);
      // The row of the escrow that vanished went back to signed and was broadcast again (the same
      // signed bytes, or a bump of them): one escrow of leg B is mined, after the reorganisation.
      const escrowsB = bob.store.txsOfSwap(plan.id).filter((t) => t.action === "escrow" && t.leg === "B");
      expect(escrowsB.filter((t) => t.status === "mined")).to.have.length(1);
      const reorgAt = bob.store.events().find((e) => e.kind === "chain.reorg")!.id;
      expect(bob.store.events().some((e) => e.id > reorgAt && (e.kind === "tx.rebroadcast" || e.kind === "tx.feeBumped") && escrowsB.some((t) => t.hash === e.data.hash || t.hash === e.data.old)), "the vanished escrow was sent again").to.equal(true);
      await expectHoldings(w, tokens, S6);
    } finally {
      await pump.stop();
      await pumpA.stop();
      await alice.stop();
      await bob.stop();
    }
  });

  it("a base-fee spike on chain B strands Alice's step 1: her coordinator bumps the fees and it lands before its deadline, S6", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens, "hedged-swap", FAULT_DELTA);
    const alice = coordinator(partyConfig(w, "alice", { feeBumpAfterBlocks: 2 }));
    const bob = coordinator(partyConfig(w, "bob"));
    const B = w.B.node.provider;
    try {
      await alice.init();
      await bob.init();
      await alice.submit(signed);
      await bob.submit(signed);
      // No automine (an underpriced transaction would be refused at once, never left pending) and no
      // blocks yet: Alice's step 1 waits in the mempool, priced for the current base fee.
      await B.send("evm_setAutomine", [false]);
      await B.send("evm_setIntervalMining", [0]);
      alice.start();
      bob.start();
      await until("Alice's step 1 is pending", () => alice.store.txsOfSwap(plan.id).some((t) => t.action === "depositPremium" && t.leg === "B" && t.status === "sent"));
      const first = alice.store.txsOfSwap(plan.id).find((t) => t.action === "depositPremium" && t.leg === "B")!;
      expect(first.attempt).to.equal(1);
      // The spike: 1000× her max fee, from the next block on; then a block every second.
      const spike = 1000n * BigInt(first.maxFeePerGas);
      const headBefore = await B.getBlockNumber();
      await B.send("hardhat_setNextBlockBaseFeePerGas", ["0x" + spike.toString(16)]);
      await B.send("evm_setIntervalMining", [1000]);

      await until("Alice's step 1 mined", () => alice.store.txsOfSwap(plan.id).some((t) => t.action === "depositPremium" && t.leg === "B" && t.status === "mined"), 30_000);
      expect(await finished(alice, plan.id, 90_000)).to.equal("completed");
      expect(await finished(bob, plan.id, 90_000)).to.equal("completed");
      await expectHoldings(w, tokens, S6);

      const step1 = alice.store.txsOfSwap(plan.id).filter((t) => t.action === "depositPremium" && t.leg === "B");
      const bumped = step1.find((t) => t.status === "mined");
      expect(bumped, `no mined step-1 row: ${JSON.stringify(step1.map((t) => [t.attempt, t.status]))}`).to.not.equal(undefined);
      expect(bumped!.attempt).to.be.greaterThanOrEqual(2);
      expect(bumped!.nonce).to.equal(first.nonce);
      expect(step1.find((t) => t.id === first.id)!.status).to.equal("replaced");
      expect(await B.getTransactionReceipt(first.hash), "the underpriced transaction was mined").to.equal(null);
      const bumps = alice.store.events().filter((e) => e.kind === "tx.feeBumped");
      expect(bumps.map((e) => e.data.old)).to.include(first.hash);

      const deadline = plan.steps.find((s) => s.step === 1)!.deadline;
      const block = (await B.getBlock(bumped!.blockNumber!))!;
      expect(block.baseFeePerGas!, "the block that took the bump was affordable at the first price").to.be.greaterThan(BigInt(first.maxFeePerGas));
      expect(BigInt(block.timestamp) <= deadline, `step 1 landed at ${block.timestamp}, after its deadline ${deadline}`).to.equal(true);
      // Without the bump: even through empty blocks (the base fee falls by 1/8 per block at most, and
      // each block is at least a second later) the first price was not includable before the deadline.
      const spiked = (await B.getBlock(headBefore + 1))!;
      expect(spiked.baseFeePerGas).to.equal(spike);
      let base = spike;
      let blocks = 0n;
      while (base > BigInt(first.maxFeePerGas)) {
        base -= base / 8n;
        blocks++;
      }
      expect(BigInt(spiked.timestamp) + blocks > deadline, `unbumped, step 1 could have landed ${blocks} blocks after the spike, before ${deadline}`).to.equal(true);
      expect(alice.store.events(plan.id).filter((e) => e.kind === "deadline.unreachable")).to.deep.equal([]);
    } finally {
      await B.send("evm_setIntervalMining", [0]).catch(() => undefined);
      await B.send("evm_setAutomine", [true]).catch(() => undefined);
      await alice.stop();
      await bob.stop();
    }
  });
  it("the node refuses Alice's step 1 outright (no coin left for gas): nothing stays signed, the step is decided again, and once funded the swap ends as S6", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens, "hedged-swap", FAULT_DELTA);
    const alice = coordinator(partyConfig(w, "alice"));
    const bob = coordinator(partyConfig(w, "bob"));
    const B = w.B.node.provider;
    const coin = await B.getBalance(w.alice.address);
    try {
      await alice.init();
      await bob.init();
      await alice.submit(signed);
      await bob.submit(signed);
      await B.send("hardhat_setBalance", [w.alice.address, "0x0"]);
      await alice.tick();
      const step1 = () => alice.store.txsOfSwap(plan.id).filter((t) => t.action === "depositPremium" && t.leg === "B");
      expect(step1().map((t) => t.status)).to.deep.equal(["dropped"]);
      const refused = alice.store.events(plan.id).filter((e) => e.kind === "action.refused");
      expect(refused.map((e) => [e.data.action, e.data.leg])).to.deep.equal([["depositPremium", "B"]]);
      expect(String(refused[0]!.data.reason)).to.match(/insufficient funds|doesn't have enough funds/i);
      // Decided again next round (the same transaction, byte for byte: its row is reopened), and
      // refused again while the account is empty; no nonce is held.
      const nonce = step1()[0]!.nonce;
      await alice.tick();
      expect(step1().map((t) => [t.status, t.nonce])).to.deep.equal([["dropped", nonce]]);
      expect(alice.store.events(plan.id).filter((e) => e.kind === "action.refused")).to.have.length(2);

      await B.send("hardhat_setBalance", [w.alice.address, toQuantity(coin)]);
      alice.start();
      bob.start();
      expect(await finished(alice, plan.id)).to.equal("completed");
      expect(await finished(bob, plan.id)).to.equal("completed");
      await expectHoldings(w, tokens, S6);
      expect(step1().filter((t) => t.status === "mined")).to.have.length(1);
    } finally {
      await B.send("hardhat_setBalance", [w.alice.address, toQuantity(coin)]);
      await alice.stop();
      await bob.stop();
    }
  });
});
