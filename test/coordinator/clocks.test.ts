/**
 * Issue 16, defect 3, the measurement: the engine's `ClockMonitor` (each chain's clock against the
 * local clock and against the other chains, warnings above the configured bound, rate-limited) and
 * the metrics it feeds (`hedgeswap_chain_clock_offset_seconds`, `hedgeswap_chain_clock_skew_seconds`).
 * Local times are given, never read: no wall clock.
 */
import { expect } from "chai";

import { HedgeSwapError } from "../../src/sdk";
import { ClockMonitor } from "../../src/coordinator/engine/clocks";
import { CoordinatorMetrics } from "../../src/coordinator/metrics";

/** A local instant, ms since the epoch (a whole second: 1_900_000_000 s). */
const L = 1_900_000_000_000;
const S = 1_900_000_000n;
const bound = (skews: Record<string, number>) => (chainId: string) => skews[chainId] ?? 0;
/** A chain seen producing a block: one head, then the next one a second later (a first head alone cannot show a chain behind). */
const seen = (m: ClockMonitor, chainId: string, name: string, timestamp: bigint, localMs: number) => {
  m.observe(chainId, name, timestamp - 1n, localMs - 1000);
  m.observe(chainId, name, timestamp, localMs);
};

describe("ClockMonitor: measured chain clocks (issue 16, defect 3)", function () {
  it("keeps each chain's offset against the local clock, and the pairwise skew from the offsets", function () {
    const m = new ClockMonitor();
    expect(m.skew("1", "2")).to.equal(undefined);
    m.observe("1", "A", S + 5n, L);
    seen(m, "2", "B", S - 3n, L);
    expect([m.offset("1"), m.offset("2")]).to.deep.equal([5, -3]);
    expect([m.skew("1", "2"), m.skew("2", "1")]).to.deep.equal([8, -8]);
    expect(m.clock("1")).to.deep.equal({ chainId: "1", name: "A", timestamp: S + 5n, localMs: L, offset: 5 });
    expect(m.skews()).to.deep.equal([
      { chainId: "1", name: "A", otherChainId: "2", otherName: "B", seconds: 8 },
      { chainId: "2", name: "B", otherChainId: "1", otherName: "A", seconds: -8 },
    ]);
    // A later sample replaces the chain's previous one.
    m.observe("1", "A", S + 10n, L + 10_000);
    expect([m.offset("1"), m.skew("1", "2")]).to.deep.equal([0, 3]);
  });

  it("a chain's first head (after a start or a forget) may show it ahead, never behind: an idle chain read by a restarted coordinator is not taken for a late one", function () {
    const m = new ClockMonitor();
    // A restarted coordinator reads chain B's head, mined 17 s ago on an idle chain, and chain A's, 4 s ahead.
    m.observe("1", "A", S + 4n, L);
    m.observe("2", "B", S - 17n, L);
    expect([m.offset("1"), m.offset("2"), m.skew("1", "2")]).to.deep.equal([4, 0, 4]);
    // Chain B's next block shows where its clock is.
    m.observe("2", "B", S - 12n, L + 1_000);
    expect([m.offset("2"), m.skew("1", "2")]).to.deep.equal([-13, 17]);
    // Forgotten (unreachable) and seen again: its first head is again taken as not behind.
    m.forget("2");
    m.observe("2", "B", S - 12n, L + 30_000);
    expect(m.offset("2")).to.equal(0);
  });

  it("compares heads read at different local instants by their offsets: two chains in step show no skew, an idle chain keeps the offset of its newest block", function () {
    const m = new ClockMonitor();
    m.observe("1", "A", S, L);
    // Chain B read 2 s later, its head 2 s on: the same clock.
    m.observe("2", "B", S + 2n, L + 2_000);
    expect(m.skew("1", "2")).to.equal(0);
    // An idle chain (a devnet that mines on demand, a stalled chain): its head stands still while the
    // local clock runs. The head keeps the offset of when it was first seen, so no skew appears...
    m.observe("2", "B", S + 2n, L + 62_000);
    expect(m.offset("2")).to.equal(0);
    expect(m.skew("1", "2")).to.equal(0);
    // ...until a new block shows where its clock is: here 60 s behind chain A's.
    m.observe("2", "B", S + 4n, L + 64_000);
    expect(m.offset("2")).to.equal(-60);
    expect(m.skew("1", "2")).to.equal(60);
  });

  it("warns for the pairs whose measured skew exceeds the larger of the two chains' configured clockSkew", function () {
    const m = new ClockMonitor();
    m.observe("1", "A", S + 230n, L); // chain A 230 s ahead (5.75Δ of Δ = 40 s)
    m.observe("2", "B", S, L);
    m.observe("3", "C", S + 1n, L);
    expect(m.check(bound({ "1": 2, "2": 2, "3": 2 }))).to.deep.equal([
      { chainId: "1", name: "A", otherChainId: "2", otherName: "B", seconds: 230, bound: 2 },
      { chainId: "1", name: "A", otherChainId: "3", otherName: "C", seconds: 229, bound: 2 },
    ]);
    // Within the bound (the larger of the pair's: here chain A's 300 s): no warning, whichever side is ahead.
    expect(m.check(bound({ "1": 300, "2": 2, "3": 2 }))).to.deep.equal([]);
    const behind = new ClockMonitor();
    seen(behind, "1", "A", S - 3n, L);
    behind.observe("2", "B", S, L);
    expect(behind.check(bound({ "1": 2, "2": 2 }))).to.deep.equal([{ chainId: "2", name: "B", otherChainId: "1", otherName: "A", seconds: 3, bound: 2 }]);
    expect(behind.check(bound({ "1": 2, "2": 3 }))).to.deep.equal([]);
  });

  it("rate-limits the warnings per pair: first at once, then once per interval, again at once after the pair came back within bound", function () {
    const m = new ClockMonitor();
    const skews = bound({ "1": 2, "2": 2 });
    m.observe("2", "B", S, L);
    m.observe("1", "A", S + 10n, L);
    expect(m.due(skews, L, 60_000).map((w) => w.seconds)).to.deep.equal([10]);
    expect(m.due(skews, L + 59_999, 60_000)).to.deep.equal([]);
    expect(m.due(skews, L + 60_000, 60_000).map((w) => w.seconds)).to.deep.equal([10]);
    m.observe("1", "A", S + 1n, L);
    expect(m.due(skews, L + 61_000, 60_000)).to.deep.equal([]);
    m.observe("1", "A", S + 10n, L);
    expect(m.due(skews, L + 62_000, 60_000).map((w) => w.seconds)).to.deep.equal([10]);
  });

  it("forgets a chain (unreachable): no offset, skew or warning for it until observed again", function () {
    const m = new ClockMonitor();
    m.observe("1", "A", S + 10n, L);
    m.observe("2", "B", S, L);
    m.forget("1");
    expect([m.offset("1"), m.skew("1", "2"), m.skews(), m.check(() => 0)]).to.deep.equal([undefined, undefined, [], []]);
    expect(m.offsets()).to.deep.equal([{ chain: "B", seconds: 0 }]);
  });

  it("refuses samples it cannot measure, with a typed error", function () {
    const m = new ClockMonitor();
    for (const bad of [() => m.observe("", "A", S, L), () => m.observe("1", "A", -1n, L), () => m.observe("1", "A", S, Number.NaN)]) {
      expect(bad).to.throw(HedgeSwapError).with.property("code", "INVALID_ARGUMENT");
    }
    expect(m.clocks()).to.deep.equal([]);
  });

  it("feeds the metrics: hedgeswap_chain_clock_offset_seconds{chain} and hedgeswap_chain_clock_skew_seconds{chain,other} in the /metrics text", async function () {
    const metrics = new CoordinatorMetrics(() => ({}), { defaultMetrics: false });
    const m = new ClockMonitor();
    m.observe("1", "A", S + 230n, L);
    seen(m, "2", "B", S - 2n, L);
    metrics.setClocks(m);
    const text = await metrics.text();
    expect(text).to.include("# TYPE hedgeswap_chain_clock_offset_seconds gauge");
    expect(text).to.include('hedgeswap_chain_clock_offset_seconds{chain="A"} 230');
    expect(text).to.include('hedgeswap_chain_clock_offset_seconds{chain="B"} -2');
    expect(text).to.include("# TYPE hedgeswap_chain_clock_skew_seconds gauge");
    expect(text).to.include('hedgeswap_chain_clock_skew_seconds{chain="A",other="B"} 232');
    expect(text).to.include('hedgeswap_chain_clock_skew_seconds{chain="B",other="A"} -232');
    // The next round without chain A (unreachable, forgotten): its gauges are gone.
    m.forget("1");
    metrics.setClocks(m);
    const after = await metrics.text();
    expect(after).to.not.include('hedgeswap_chain_clock_offset_seconds{chain="A"}');
    expect(after).to.not.include("hedgeswap_chain_clock_skew_seconds{");
    expect(after).to.include('hedgeswap_chain_clock_offset_seconds{chain="B"} -2');
  });
});
