/**
 * The coordinator end to end on two real `hardhat node` chains: Alice's and Bob's coordinators, each
 * with only its own key, run the happy path, the deviations S0–S5 of the scenario matrix and the
 * option's outcomes. A deviating party is one whose coordinator halts after step k (it still settles).
 * Time moves with Hardhat's time RPCs on both chains; final balances are the matrix's, exactly.
 */
import { expect } from "chai";

import type { SwapStatus } from "../../src/coordinator/domain/status";
import { DELTA, coordinator, driveBoth, expectHoldings, finished, freshTokens, partyConfig, signedOffer, startWorld, until, type World } from "./world";

interface Case {
  kind?: "hedged-swap" | "option";
  aliceHalt?: number;
  bobHalt?: number;
  /** Alice's status once every step that will ever be taken is final; then time jumps past every deadline. */
  jumpAt?: SwapStatus;
}

describe("coordinator: swaps across two chains", function () {
  this.timeout(120_000);
  let w: World;

  before(async function () {
    w = await startWorld();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  async function run(c: Case): Promise<{ outcomeAlice: string | null; outcomeBob: string | null; metricsAlice: string; metricsBob: string }> {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens, c.kind);
    const alice = coordinator(partyConfig(w, "alice", c.aliceHalt === undefined ? {} : { faults: { haltAfterStep: c.aliceHalt } }));
    const bob = coordinator(partyConfig(w, "bob", c.bobHalt === undefined ? {} : { faults: { haltAfterStep: c.bobHalt } }));
    try {
      await driveBoth(alice, bob, signed);
      if (c.jumpAt) {
        const at = c.jumpAt;
        await until(`alice at ${at}`, () => alice.store.getSwap(plan.id)!.status === at);
        await new Promise((r) => setTimeout(r, 300)); // let a halted party's coordinator look once more
        await w.devnet.increaseTime(7n * DELTA);
      }
      const outcomeAlice = await finished(alice, plan.id);
      const outcomeBob = await finished(bob, plan.id);
      return { outcomeAlice, outcomeBob, metricsAlice: await alice.metrics.text(), metricsBob: await bob.metrics.text() };
    } finally {
      await alice.stop();
      await bob.stop();
      lastTokens = tokens;
    }
  }
  let lastTokens: Awaited<ReturnType<typeof freshTokens>>;

  it("S6, the happy path: six steps, Alice 0 APR / 103 BAN, Bob 101 APR / 0 BAN", async function () {
    const r = await run({});
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["completed", "completed"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
    const metrics = r.metricsAlice;
    expect(metrics).to.include('hedgeswap_swap_outcomes_total{outcome="completed"} 1');
    expect(metrics).to.include('hedgeswap_swaps{status="completed"} 1');
    expect(metrics).to.match(/hedgeswap_transactions_sent_total\{chain="B",action="depositPremium"\} 1/);
    expect(metrics).to.not.include("hedgeswap_premiums_total{");
  });

  it("S0, nobody acts: nothing moves", async function () {
    const r = await run({ aliceHalt: 0, bobHalt: 0, jumpAt: "accepted" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["S0", "S0"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n });
  });

  it("S1, Bob never deposits: Alice's premium comes back", async function () {
    const r = await run({ bobHalt: 0, jumpAt: "premiumB" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["S1", "S1"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n });
  });

  it("S2, Alice never escrows: both premiums come back", async function () {
    const r = await run({ aliceHalt: 2, jumpAt: "premiumA" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["S2", "S2"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n });
  });

  it("S3, Bob never escrows: Alice 101 APR / 3 BAN, Bob 0 APR / 100 BAN", async function () {
    const r = await run({ bobHalt: 2, jumpAt: "escrowedA" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["S3", "S3"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 101n, aliceBAN: 3n, bobAPR: 0n, bobBAN: 100n });
  });

  it("S4, Alice never reveals (sore loser): Alice 101 APR / 0 BAN, Bob 0 APR / 103 BAN", async function () {
    const r = await run({ aliceHalt: 4, jumpAt: "escrowedB" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["S4", "S4"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n });
    // Premium flows as the metrics report them: Bob earned Alice's 3 BAN and paid his 1 APR.
    const bob = r.metricsBob;
    expect(bob).to.match(new RegExp(`hedgeswap_premiums_total\\{direction="earned",chain="B",token="${lastTokens.BAN}"\\} 3000000000000000000`));
    expect(bob).to.match(new RegExp(`hedgeswap_premiums_total\\{direction="paid",chain="A",token="${lastTokens.APR}"\\} 1000000000000000000`));
  });

  it("S5, Bob never redeems: Alice 101 APR / 103 BAN, Bob 0 / 0 (only the deviator loses)", async function () {
    const r = await run({ bobHalt: 5, jumpAt: "redeemedB" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["S5", "S5"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 101n, aliceBAN: 103n, bobAPR: 0n, bobBAN: 0n });
  });

  it("option exercised: Alice 0 APR / 100 BAN, Bob 101 APR / 3 BAN", async function () {
    const r = await run({ kind: "option" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["exercised", "exercised"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 0n, aliceBAN: 100n, bobAPR: 101n, bobBAN: 3n });
  });

  it("option abandoned after step 4: Alice 101 APR / 0 BAN, Bob 0 APR / 103 BAN (Bob earns the fee)", async function () {
    const r = await run({ kind: "option", aliceHalt: 4, jumpAt: "escrowedB" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["abandoned", "abandoned"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n });
  });

  it("option, Bob never escrows after Alice did: Alice 101 APR / 3 BAN, Bob 0 APR / 100 BAN", async function () {
    const r = await run({ kind: "option", bobHalt: 2, jumpAt: "escrowedA" });
    expect([r.outcomeAlice, r.outcomeBob]).to.deep.equal(["S3", "S3"]);
    await expectHoldings(w, lastTokens, { aliceAPR: 101n, aliceBAN: 3n, bobAPR: 0n, bobBAN: 100n });
  });
});
