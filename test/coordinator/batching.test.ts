/**
 * Batching on two real `hardhat node` chains: swaps submitted together are driven with one batched
 * transaction per party, chain and step (premiums, principals and redeems alike); batches are priced
 * per leg from two small estimates and one batch per step is simulated; a batch that one leg can no
 * longer take is split so that the other legs go on, whether its simulation or the chain refuses it.
 */
import { expect } from "chai";
import { Contract, MaxUint256, toQuantity, type JsonRpcProvider } from "ethers";

import { depositPremium, escrowInterface, type SignedOffer, type SwapPlan } from "../../src/sdk";
import { parseConfig } from "../../src/coordinator/config";
import type { Coordinator } from "../../src/coordinator/engine/coordinator";
import { U, coordinator, finished, freshTokens, partyConfig, partyConfigJson, signedOffer, startWorld, type Tokens, type World } from "./world";

const N = 3;
const TOKEN = ["function balanceOf(address) view returns (uint256)", "function mint(address to, uint256 amount)", "function approve(address spender, uint256 amount) returns (bool)"];

describe("coordinator: batched steps across swaps", function () {
  this.timeout(120_000);
  let w: World;

  before(async function () {
    w = await startWorld();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  /** Fresh tokens for `n` matrix swaps (Alice 100n APR + 3n BAN, Bob n APR + 100n BAN), approved to the escrows. */
  async function tokensFor(n: number): Promise<Tokens> {
    const t = await freshTokens(w);
    const extra = BigInt(n - 1);
    for (const [chain, token, who, perSwap] of [
      [w.A, t.APR, w.alice, 100n * U],
      [w.B, t.BAN, w.alice, 3n * U],
      [w.A, t.APR, w.bob, 1n * U],
      [w.B, t.BAN, w.bob, 100n * U],
    ] as const) {
      const c = new Contract(token, TOKEN, who.connect(chain.node.provider));
      await (await c.getFunction("mint")(who.address, extra * perSwap)).wait();
      await (await c.getFunction("approve")(chain.escrow, MaxUint256)).wait();
    }
    return t;
  }

  async function expectTotals(t: Tokens, n: bigint): Promise<void> {
    const bal = (c: World["A"], token: string, who: string) => new Contract(token, TOKEN, c.node.provider).getFunction("balanceOf")(who) as Promise<bigint>;
    expect({
      aliceAPR: await bal(w.A, t.APR, w.alice.address),
      aliceBAN: await bal(w.B, t.BAN, w.alice.address),
      bobAPR: await bal(w.A, t.APR, w.bob.address),
      bobBAN: await bal(w.B, t.BAN, w.bob.address),
    }).to.deep.equal({ aliceAPR: 0n, aliceBAN: n * 103n * U, bobAPR: n * 101n * U, bobBAN: 0n });
  }

  /** Waits until both coordinators have completed every swap of `offers` (fails on any other end). */
  async function expectAllCompleted(alice: Coordinator, bob: Coordinator, offers: readonly { plan: SwapPlan }[]): Promise<void> {
    for (const o of offers) {
      expect(await finished(alice, o.plan.id), `Alice, swap ${o.plan.id}`).to.equal("completed");
      expect(await finished(bob, o.plan.id), `Bob, swap ${o.plan.id}`).to.equal("completed");
    }
  }

  /** The mined transactions of `c`, each with its function name and the swaps it covers. */
  function minedCalls(c: Coordinator, ids: readonly string[]): Map<string, { fn: string; legs: number }> {
    const calls = new Map<string, { fn: string; legs: number }>();
    for (const id of ids) {
      for (const tx of c.store.txsOfSwap(id)) {
        if (tx.status !== "mined" || calls.has(tx.hash)) continue;
        const fn = escrowInterface.parseTransaction({ data: tx.data })!.name;
        calls.set(tx.hash, { fn, legs: c.store.txMembers(tx.id).length });
      }
    }
    return calls;
  }

  it(`${N} swaps submitted together: each party sends one transaction per step, covering all ${N}; balances exact`, async function () {
    const t = await tokensFor(N);
    const offers = [];
    for (let i = 0; i < N; i++) offers.push(await signedOffer(w, t));
    const alice = coordinator(partyConfig(w, "alice"));
    const bob = coordinator(partyConfig(w, "bob"));
    try {
      await alice.init();
      await bob.init();
      for (const c of [alice, bob]) {
        const results = await c.submitMany(offers.map((o) => o.signed));
        expect(results.every((r) => "row" in r)).to.equal(true);
      }
      alice.start();
      bob.start();
      await expectAllCompleted(alice, bob, offers);
      const ids = offers.map((o) => o.plan.id);
      const byFn = (c: Coordinator) => [...minedCalls(c, ids).values()].sort((x, y) => x.fn.localeCompare(y.fn));
      expect(byFn(alice)).to.deep.equal([
        { fn: "depositPremiumBatch", legs: N },
        { fn: "escrowBatch", legs: N },
        { fn: "redeemBatch", legs: N },
      ]);
      expect(byFn(bob)).to.deep.equal(byFn(alice));
      await expectTotals(t, BigInt(N));
    } finally {
      await alice.stop();
      await bob.stop();
    }
  });

  /** Records the escrow calls `provider` is asked to estimate or simulate: method, function and legs. */
  function spyOnCalls(provider: JsonRpcProvider, escrow: string): { method: string; fn: string; legs: number }[] {
    const seen: { method: string; fn: string; legs: number }[] = [];
    const send = provider.send.bind(provider);
    provider.send = async (method: string, params: unknown[] | Record<string, unknown>) => {
      const call = Array.isArray(params) ? (params[0] as { to?: string; data?: string } | undefined) : undefined;
      if ((method === "eth_call" || method === "eth_estimateGas") && call?.to?.toLowerCase() === escrow.toLowerCase() && call.data) {
        const parsed = escrowInterface.parseTransaction({ data: call.data });
        if (parsed) seen.push({ method, fn: parsed.name, legs: parsed.name.endsWith("Batch") ? (parsed.args[0] as unknown[]).length : 1 });
      }
      return send(method, params);
    };
    return seen;
  }

  /** One block on each chain (a failure, e.g. while a node is busy, is ignored: the next tick mines). */
  const mineBoth = () => {
    for (const c of [w.A, w.B]) void c.node.provider.send("evm_mine", []).catch(() => undefined);
  };

  /**
   * Alice (two confirmations, plus `extra` configuration) and Bob admit `offers` while both chains
   * mine; then Alice deposits the last swap's premium herself, outside her coordinator. It is in the
   * newest block, so still missing in her view while the chain already refuses a second one.
   */
  async function lastPremiumOutsideAliceView(offers: readonly { signed: SignedOffer; plan: SwapPlan }[], extra: Record<string, unknown> = {}): Promise<{ alice: Coordinator; bob: Coordinator; last: SwapPlan }> {
    const json = partyConfigJson(w, "alice", extra);
    for (const c of json.chains as Record<string, unknown>[]) c.confirmations = 2;
    const alice = coordinator(parseConfig(json));
    const bob = coordinator(partyConfig(w, "bob"));
    const miner = setInterval(mineBoth, 250);
    try {
      await alice.init();
      await bob.init();
      await alice.submitMany(offers.map((o) => o.signed));
      await bob.submitMany(offers.map((o) => o.signed));
    } finally {
      clearInterval(miner);
    }
    await new Promise((r) => setTimeout(r, 300)); // let a last evm_mine in flight land
    const last = offers[offers.length - 1]!.plan;
    await depositPremium(w.alice.connect(w.B.node.provider), last.legB);
    return { alice, bob, last };
  }

  it("batches of one shape are priced per leg from a one- and a two-leg estimate, and one of them per step is simulated", async function () {
    const n = 6;
    const t = await tokensFor(n);
    const offers: Awaited<ReturnType<typeof signedOffer>>[] = [];
    for (let i = 0; i < n; i++) offers.push(await signedOffer(w, t));
    const alice = coordinator(partyConfig(w, "alice", { batchSize: 3 }));
    const bob = coordinator(partyConfig(w, "bob"));
    try {
      await alice.init();
      await bob.init();
      // Alice's calls on chain B: step 1 (her premiums) and step 5 (her redeems).
      const calls = spyOnCalls(alice.chains.get(w.B.node.chainId.toString())!.provider, w.B.escrow);
      for (const c of [alice, bob]) await c.submitMany(offers.map((o) => o.signed));
      alice.start();
      bob.start();
      await expectAllCompleted(alice, bob, offers);
      const of = (method: string, fn: string) => calls.filter((c) => c.method === method && c.fn === fn).map((c) => c.legs).sort();
      // The rounds in which Alice sent a step's batches on chain B: her rows of one round are signed in
      // one send (milliseconds apart); two rounds are a poll interval apart. Usually both batches go out
      // in one round; when the chains' blocks split the counterparty's step over two of her polls, two.
      const roundsOf = (action: string) => {
        const rows = new Map(offers.flatMap((o) => alice.store.txsOfSwap(o.plan.id)).filter((r) => r.action === action && r.chainId === w.B.node.chainId.toString() && r.attempt === 1).map((r) => [r.id, r]));
        const at = [...rows.values()].map((r) => r.createdAt).sort((a, b) => a - b);
        return at.filter((t, i) => i === 0 || t - at[i - 1]! > 50).length;
      };
      for (const [fn, action] of [["depositPremiumBatch", "depositPremium"], ["redeemBatch", "redeem"]] as const) {
        expect(of("eth_estimateGas", fn), `${fn} estimates`).to.deep.equal([1, 2]);
        const rounds = roundsOf(action);
        expect(rounds, `${fn} rounds`).to.be.within(1, 2);
        // One simulation per shape and round, of a whole batch of three legs: fewer than the batches when they share a round.
        expect(of("eth_call", fn), `${fn} simulations`).to.deep.equal(Array.from({ length: rounds }, () => 3));
      }
      // Two batches of three legs per step, each priced as one leg plus two more at the second leg's
      // price: every one landed, with a limit between the gas the whole batch needed (estimated at its
      // parent block) and twice that (the 30 % margin, and prices learned while a payout's recipient
      // still had no balance).
      const mined = [...minedCalls(alice, offers.map((o) => o.plan.id)).entries()].filter(([, c]) => c.fn === "depositPremiumBatch" || c.fn === "redeemBatch");
      expect(mined.map(([, c]) => c.legs)).to.deep.equal([3, 3, 3, 3]);
      for (const [hash] of mined) {
        const tx = (await w.B.node.provider.getTransaction(hash))!;
        const receipt = (await w.B.node.provider.getTransactionReceipt(hash))!;
        expect(receipt.status).to.equal(1);
        const needed = BigInt((await w.B.node.provider.send("eth_estimateGas", [{ from: tx.from, to: tx.to, data: tx.data }, toQuantity(receipt.blockNumber - 1)])) as string);
        expect(tx.gasLimit >= needed, `${hash}: limit ${tx.gasLimit} under the ${needed} needed`).to.equal(true);
        expect(tx.gasLimit <= 2n * needed + 10_000n, `${hash}: limit ${tx.gasLimit} far over the ${needed} needed`).to.equal(true);
      }
      await expectTotals(t, BigInt(n));
    } finally {
      await alice.stop();
      await bob.stop();
    }
  });

  it("a batch priced over the chain's per-transaction gas cap is sent as smaller batches that fit; every swap completes", async function () {
    const n = 6;
    const cap = 200_000;
    const t = await tokensFor(n);
    const offers = [];
    for (let i = 0; i < n; i++) offers.push(await signedOffer(w, t));
    const json = partyConfigJson(w, "alice", { batchSize: n });
    for (const c of json.chains as Record<string, unknown>[]) if (c.name === "B") c.maxTxGas = cap;
    const alice = coordinator(parseConfig(json));
    const bob = coordinator(partyConfig(w, "bob"));
    try {
      await alice.init();
      await bob.init();
      for (const c of [alice, bob]) await c.submitMany(offers.map((o) => o.signed));
      alice.start();
      bob.start();
      await expectAllCompleted(alice, bob, offers);
      await expectTotals(t, BigInt(n));
      const onB = [...minedCalls(alice, offers.map((o) => o.plan.id)).entries()].filter(([, c]) => c.fn === "depositPremiumBatch" || c.fn === "depositPremium");
      // Six premiums, in batches (not one by one), none over the cap.
      expect(onB.reduce((sum, [, c]) => sum + c.legs, 0)).to.equal(n);
      expect(onB.length).to.be.greaterThan(1);
      expect(onB.every(([, c]) => c.fn === "depositPremiumBatch" && c.legs >= 2), JSON.stringify(onB)).to.equal(true);
      for (const id of offers.map((o) => o.plan.id)) {
        for (const tx of alice.store.txsOfSwap(id).filter((x) => x.chainId === w.B.node.chainId.toString())) expect(Number(tx.gasLimit)).to.be.at.most(cap);
      }
    } finally {
      await alice.stop();
      await bob.stop();
    }
  });

  it("a batch sent without its own simulation that reverts on chain: its legs are decided again, nothing but the conflicting leg is ever refused, every swap completes", async function () {
    const n = 4;
    const t = await tokensFor(n);
    const offers = [];
    for (let i = 0; i < n; i++) offers.push(await signedOffer(w, t));
    // Batches of two; the conflicting premium is in the second batch, which is not simulated.
    const { alice, bob, last } = await lastPremiumOutsideAliceView(offers, { batchSize: 2 });
    let miner: ReturnType<typeof setInterval> | undefined;
    try {
      await w.B.node.provider.send("evm_setAutomine", [false]);
      let batches;
      try {
        await alice.tick();
        batches = alice.store.openTxs(w.B.node.chainId.toString()).filter((x) => x.action === "depositPremium");
        expect(batches.map((x) => alice.store.txMembers(x.id).map((m) => m.swapId))).to.deep.equal([
          [offers[0]!.plan.id, offers[1]!.plan.id],
          [offers[2]!.plan.id, last.id],
        ]);
        expect(offers.flatMap((o) => alice.store.events(o.plan.id)).filter((e) => e.kind === "action.refused")).to.deep.equal([]);
        await w.B.node.provider.send("evm_mine", []);
      } finally {
        await w.B.node.provider.send("evm_setAutomine", [true]);
      }
      const receipts = await Promise.all(batches.map((b) => w.B.node.provider.getTransactionReceipt(b.hash)));
      expect(receipts.map((r) => r?.status)).to.deep.equal([1, 0]);

      miner = setInterval(mineBoth, 250);
      alice.start();
      bob.start();
      await expectAllCompleted(alice, bob, offers);
      await expectTotals(t, BigInt(n));
      expect(alice.store.txsOfSwap(offers[2]!.plan.id).find((x) => x.hash === batches[1]!.hash)?.status).to.equal("reverted");
      // Swap 2's premium went out again and landed; only the conflicting premium was ever refused.
      const premiums = alice.store.txsOfSwap(offers[2]!.plan.id).filter((x) => x.action === "depositPremium" && x.status === "mined");
      expect(premiums).to.have.length(1);
      const refusedOf = (id: string) => alice.store.events(id).filter((e) => e.kind === "action.refused");
      expect(offers.slice(0, n - 1).flatMap((o) => refusedOf(o.plan.id))).to.deep.equal([]);
      expect(new Set(refusedOf(last.id).map((e) => e.data.action))).to.satisfy((s: Set<unknown>) => s.size === 0 || (s.size === 1 && s.has("depositPremium")));
    } finally {
      clearInterval(miner);
      await alice.stop();
      await bob.stop();
    }
  });

  it("a batch one leg can no longer take is split: that leg is refused, the others are sent, and every swap completes", async function () {
    const t = await tokensFor(N);
    const offers = [];
    for (let i = 0; i < N; i++) offers.push(await signedOffer(w, t));
    const { alice, bob, last } = await lastPremiumOutsideAliceView(offers);
    let miner: ReturnType<typeof setInterval> | undefined;
    try {
      await alice.tick();
      const refused = alice.store.events(last.id).filter((e) => e.kind === "action.refused");
      expect(refused.map((e) => [e.data.action, e.data.leg, e.data.code])).to.deep.equal([["depositPremium", "B", "LegUnexpectedState"]]);
      for (const o of offers.slice(0, N - 1)) {
        const sent = alice.store.txsOfSwap(o.plan.id).filter((x) => x.action === "depositPremium");
        expect(sent.map((x) => escrowInterface.parseTransaction({ data: x.data })!.name)).to.deep.equal(["depositPremium"]);
      }
      miner = setInterval(mineBoth, 250);
      alice.start();
      bob.start();
      await expectAllCompleted(alice, bob, offers);
      await expectTotals(t, BigInt(N));
      // Nothing else was ever refused: a transaction counts as mined only once its block is final, so
      // no step was sent again while the watcher (two confirmations) had not yet seen its events. (The
      // conflicting premium may be refused again until its block is final in Alice's view.)
      const refusedOf = (id: string) => alice.store.events(id).filter((e) => e.kind === "action.refused");
      expect(offers.slice(0, N - 1).flatMap((o) => refusedOf(o.plan.id))).to.deep.equal([]);
      const lastRefused = refusedOf(last.id).map((e) => e.data.action);
      expect(lastRefused.length).to.be.greaterThan(0);
      expect(new Set(lastRefused)).to.deep.equal(new Set(["depositPremium"]));
    } finally {
      clearInterval(miner);
      await alice.stop();
      await bob.stop();
    }
  });
});
