/**
 * The adversarial suite's oracle on its own (pure, no chain): the matrix rows of PROTOCOLS.md §3 and
 * §4 from its payout rules, and its judgement of hand-built timelines (what a conforming party owes,
 * what the model leaves out, the guarantee).
 */
import { expect } from "chai";

import { ROWS, guaranteeOf, holdingsAfter, judge, type Entry, type Figures, type LegEvent, type LegName, type Mode, type Terms } from "./oracle";

const U = 10n ** 18n;
const hedge: Terms = { start: 1000n, delta: 20n, legA: { principal: 100n * U, premium: 1n * U, option: false }, legB: { principal: 100n * U, premium: 3n * U, option: false } };
const option: Terms = { ...hedge, legB: { ...hedge.legB, option: true } };
const figures: Figures = { confirmations: 2, owedMargin: 11n, owedMarginRedeem: 6n };
const units = (h: { A: bigint; B: bigint }) => [h.A / U, h.B / U];
/** The harness's figures with the next-step rule (issue 16, defect 3): confirmations 2 × 1 s, inclusion 2 s, skew 2 s, reaction 3 s, slack 2 s. */
const withNextStep: Figures = { ...figures, nextStep: { confirmationTime: 2n, inclusionTime: 2n, clockSkew: 2n, reaction: 3n, slack: 2n } };

/** Builds a timeline: blocks on each chain at times (seconds after T0) and the party's looks. */
class Timeline {
  readonly entries: Entry[] = [];
  readonly heads: Record<LegName, { number: number; ts: bigint }> = { A: { number: 10, ts: hedge.start }, B: { number: 10, ts: hedge.start } };
  block(chain: LegName, t: number, ...events: LegEvent[]): this {
    this.heads[chain] = { number: this.heads[chain].number + 1, ts: hedge.start + BigInt(t) };
    this.entries.push({ seq: this.entries.length, type: "block", chain, number: this.heads[chain].number, ts: hedge.start + BigInt(t), events });
    return this;
  }
  /** A look at time t: an empty block on both chains first (fresh heads), so that what came before is final. */
  look(t: number, by: "coordinator" | "recover" = "coordinator"): this {
    this.block("A", t).block("B", t);
    this.entries.push({ seq: this.entries.length, type: "look", by, heads: { A: { ...this.heads.A }, B: { ...this.heads.B } } });
    return this;
  }
  /** A look with chain A's head at tA and chain B's at tB (a clock offset between the chains). */
  lookAt(tA: number, tB: number): this {
    this.block("A", tA).block("B", tB);
    this.entries.push({ seq: this.entries.length, type: "look", by: "coordinator", heads: { A: { ...this.heads.A }, B: { ...this.heads.B } } });
    return this;
  }
  consent(leg: LegName): this {
    this.entries.push({ seq: this.entries.length, type: "consent", leg, heads: { A: { ...this.heads.A }, B: { ...this.heads.B } } });
    return this;
  }
  judge(mode: Mode, terms: Terms = hedge, f: Figures = figures) {
    return judge(mode, terms, f, this.entries);
  }
}

const ev = (leg: LegName | "other", kind: LegEvent["kind"]): LegEvent => ({ leg, kind });

describe("adversarial suite: the oracle", function () {
  it("gives the scenario matrix's rows S0-S6 (hedge) and the option's outcomes from the payout rules", function () {
    const table = ROWS.map(([a, b]) => {
      const h = holdingsAfter(hedge, a, b);
      return [...units(h.alice), ...units(h.bob)];
    });
    expect(table).to.deep.equal([
      [100n, 3n, 1n, 100n],
      [100n, 3n, 1n, 100n],
      [100n, 3n, 1n, 100n],
      [101n, 3n, 0n, 100n],
      [101n, 0n, 0n, 103n],
      [101n, 103n, 0n, 0n],
      [0n, 103n, 101n, 0n],
    ]);
    const o = (a: (typeof ROWS)[number]) => {
      const h = holdingsAfter(option, a[0], a[1]);
      return [...units(h.alice), ...units(h.bob)];
    };
    expect(o(ROWS[6]!), "exercised").to.deep.equal([0n, 100n, 101n, 3n]);
    expect(o(ROWS[4]!), "abandoned after step 4").to.deep.equal([101n, 0n, 0n, 103n]);
    expect(o(ROWS[3]!), "Bob never escrows").to.deep.equal([101n, 3n, 0n, 100n]);
  });

  it("promises each party at least its start while it follows the protocol, and the row where it stopped otherwise", function () {
    expect(guaranteeOf(hedge, "leader", undefined, false)).to.deep.equal({ value: 103n * U, rows: ["S1", "S3", "S5", "S6"] });
    expect(guaranteeOf(hedge, "follower", undefined, false)).to.deep.equal({ value: 101n * U, rows: ["S0", "S2", "S4", "S6"] });
    expect(guaranteeOf(hedge, "leader", 5, false).value, "Alice missed her reveal: S4").to.equal(101n * U);
    expect(guaranteeOf(hedge, "follower", 6, false).value, "Bob missed his redeem: S5").to.equal(0n);
    expect(guaranteeOf(hedge, "leader", undefined, true).rows).to.deep.equal(["S6"]);
  });

  it("happy path against Bob: every step on chain, S6", function () {
    const v = new Timeline()
      .look(1)
      .block("B", 2, ev("B", "premium"))
      .block("A", 10, ev("A", "premium"))
      .look(12)
      .block("A", 14, ev("A", "escrow"))
      .block("B", 20, ev("B", "escrow"))
      .look(22)
      .block("B", 24, ev("B", "redeem"))
      .block("A", 30, ev("A", "redeem"))
      .look(130)
      .judge("alice");
    expect(v.outcomes).to.deep.equal({ A: "redeemed", B: "redeemed" });
    expect(units(v.holdings.alice!)).to.deep.equal([0n, 103n]);
    expect(v.owedNotTaken).to.deep.equal([]);
  });

  it("a reveal the leader owed and did not make is in the model: she gets leg B, and leg A (never redeemed) comes back to her", function () {
    const v = new Timeline()
      .look(1)
      .block("B", 2, ev("B", "premium"))
      .block("A", 10, ev("A", "premium"))
      .look(12)
      .block("A", 14, ev("A", "escrow"))
      .block("B", 20, ev("B", "escrow"))
      .look(22)
      .look(130)
      .judge("alice");
    expect(v.owedNotTaken).to.have.length(1);
    expect(v.outcomes).to.deep.equal({ A: "refunded", B: "redeemed" });
  });

  it("the leader owes the reveal when Bob escrowed leg B although leg A can no longer be escrowed (he skipped his premium)", function () {
    const v = new Timeline().look(1).block("B", 2, ev("B", "premium")).block("B", 70, ev("B", "escrow")).look(72).look(130).judge("alice");
    expect(v.outcomes).to.deep.equal({ A: "never", B: "redeemed" });
    expect(units(v.holdings.alice!)).to.deep.equal([100n, 103n]);
  });

  it("a reveal inside the margin is not owed; a redeem of leg A with the leaked secret is left out of the model (Alice keeps leg A)", function () {
    const v = new Timeline()
      .look(1)
      .block("B", 2, ev("B", "premium"))
      .block("A", 10, ev("A", "premium"))
      .look(12)
      .block("A", 14, ev("A", "escrow"))
      .block("B", 70, ev("B", "escrow"))
      .look(97) // first look after a stall: 97 + 11 > 100, the reveal is no longer owed
      .block("A", 104, ev("A", "redeem")) // Bob, with s read from Alice's reverted redeem
      .look(130)
      .judge("alice");
    expect(v.owedNotTaken).to.deep.equal([]);
    expect(v.leftOut).to.have.length(1);
    expect(v.outcomes).to.deep.equal({ A: "refunded", B: "refunded" });
    expect(units(v.holdings.alice!)).to.deep.equal([101n, 0n]);
    expect(v.guarantee.alice!.value, "her own stop: S4").to.equal(101n * U);
  });

  it("a bait leg redeemed by the leader leaks s: left out, and so is the counterparty's redeem of leg A", function () {
    const v = new Timeline()
      .look(1)
      .block("B", 2, ev("B", "premium"))
      .block("A", 10, ev("A", "premium"))
      .look(12)
      .block("A", 14, ev("A", "escrow"))
      .block("A", 50, ev("other", "redeem"))
      .block("A", 52, ev("A", "redeem"))
      .look(130, "recover")
      .judge("recover");
    expect(v.leftOut).to.have.length(2);
    expect(v.outcomes).to.deep.equal({ A: "refunded", B: "premiumRefunded" });
  });

  it("the follower owes its redeem of leg A once s is revealed on any leg of the agreed escrows", function () {
    const v = new Timeline()
      .look(1)
      .block("B", 2, ev("B", "premium"))
      .look(4)
      .block("A", 6, ev("A", "premium"))
      .block("A", 30, ev("A", "escrow"))
      .block("A", 34, ev("other", "redeem"))
      .look(36)
      .look(130)
      .judge("bob");
    expect(v.outcomes.A).to.equal("redeemed");
    expect(v.owedNotTaken.some((s) => s.startsWith("step 6"))).to.equal(true);
  });

  it("the follower's consent to abort leg A while leg B is escrowed lets Alice push Bob below his row", function () {
    const v = new Timeline()
      .look(1)
      .block("B", 2, ev("B", "premium"))
      .look(4)
      .block("A", 6, ev("A", "premium"))
      .block("A", 30, ev("A", "escrow"))
      .look(32)
      .block("B", 34, ev("B", "escrow"))
      .consent("A")
      .block("A", 40, ev("A", "abort"))
      .block("B", 40, ev("B", "redeem"))
      .look(130)
      .judge("bob");
    expect(v.outcomes).to.deep.equal({ A: "aborted", B: "redeemed" });
    expect(units(v.holdings.bob!)).to.deep.equal([1n, 0n]);
    expect(v.holdings.bob!.A + v.holdings.bob!.B < v.guarantee.bob!.value).to.equal(true);
  });

  it("next-step rule: with chain A 5Δ ahead after step 3 the follower's step 4 is not owed (its step 6 could not land): S3, its own stop", function () {
    const run = () =>
      new Timeline()
        .look(1)
        .block("B", 2, ev("B", "premium"))
        .look(3)
        .block("A", 4, ev("A", "premium"))
        .block("A", 5, ev("A", "escrow"))
        .lookAt(105, 7) // chain A's clock jumped 100 s (5Δ) ahead of chain B's
        .look(130);
    // Without the rule's figures the model owes step 4 (and the party that skipped it ends at S4 in the model).
    const owedAnyway = run().judge("bob");
    expect(owedAnyway.owedNotTaken.map((x) => x.slice(0, 6))).to.deep.equal(["step 4"]);
    expect(owedAnyway.outcomes).to.deep.equal({ A: "refunded", B: "refunded" });
    const v = run().judge("bob", hedge, withNextStep);
    expect(v.owedNotTaken).to.deep.equal([]);
    expect(v.outcomes).to.deep.equal({ A: "refunded", B: "premiumRefunded" });
    expect(units(v.holdings.bob!)).to.deep.equal([0n, 100n]);
    expect(v.guarantee.bob).to.deep.equal({ value: 100n * U, rows: ["S0", "S2", "S3"] });
  });

  it("next-step rule: step 2 is not owed with chain B's clock far ahead; offsets within the bound leave steps 2 and 4 owed", function () {
    // 2 → 4: D(3) + (tB − tA) + 2 + (3 + 2 + 2) + 2 ≤ D(4): at most 9 s of chain B ahead.
    const step2 = (tA: number, tB: number) => new Timeline().look(1).block("B", 2, ev("B", "premium")).lookAt(tA, tB).look(130).judge("bob", hedge, withNextStep);
    expect(step2(4, 13).owedNotTaken.map((x) => x.slice(0, 6))).to.deep.equal(["step 2"]);
    expect(step2(4, 14).owedNotTaken).to.deep.equal([]);
    expect(step2(4, 14).outcomes).to.deep.equal({ A: "never", B: "premiumRefunded" });
    // 4 → 6: D(5) + (tA − tB) + 0 + 7 + 2 ≤ D(6): chain A 2 s ahead (the harness's bound) still owes step 4.
    const step4 = new Timeline().look(1).block("B", 2, ev("B", "premium")).look(3).block("A", 4, ev("A", "premium")).block("A", 5, ev("A", "escrow")).lookAt(9, 7).look(130).judge("bob", hedge, withNextStep);
    expect(step4.owedNotTaken.map((x) => x.slice(0, 6))).to.deep.equal(["step 4"]);
  });

  it("an abort without the conforming party's consent is left out", function () {
    const v = new Timeline().look(1).block("B", 2, ev("B", "premium")).block("B", 3, ev("B", "abort")).look(130).judge("alice");
    expect(v.leftOut).to.have.length(1);
    expect(v.outcomes.B).to.equal("premiumRefunded");
  });

  it("one process with both keys: a follower's redeem of leg A before the leader revealed is left out, and the reveal is owed", function () {
    const v = new Timeline()
      .look(1)
      .block("B", 2, ev("B", "premium"))
      .look(4)
      .block("A", 6, ev("A", "premium"))
      .look(8)
      .block("A", 10, ev("A", "escrow"))
      .look(12)
      .block("A", 14, ev("A", "redeem"))
      .block("B", 14, ev("B", "escrow"))
      .look(16)
      .look(130)
      .judge("both");
    expect(v.outcomes).to.deep.equal({ A: "redeemed", B: "redeemed" });
    expect(v.owedNotTaken.some((s) => s.startsWith("step 5"))).to.equal(true);
  });
});
