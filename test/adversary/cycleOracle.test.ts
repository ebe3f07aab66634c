/**
 * The cycle oracle alone (pure): §2's payouts give §7's n = 3 table exactly (every row, every party),
 * the guarantee holds for the conforming parties of each row and fails for the deviator where §7 says
 * it loses; the owed steps from hand-built timelines.
 */
import { expect } from "chai";

import { guaranteeBroken, holdingsDelta, judgeCycle, type ArcOutcome, type CycleFacts } from "./cycleOracle";
import { CYCLE_FIGURES } from "./cycleRun";
import { startUnits } from "./cycleWorld";

const U = 1n;
const terms = { start: 1000n, delta: 20n, principals: [100n * U, 100n * U, 100n * U], premiums: [1n * U, 2n * U, 3n * U] };

/** §7's table, n = 3: arc ends, each party's final holdings (T0, T1, T2) and the deviator (if any). */
const ROWS: { name: string; ends: ArcOutcome[]; holdings: bigint[][]; deviator?: number; deviatorLoses?: boolean }[] = [
  { name: "happy path", ends: ["redeemed", "redeemed", "redeemed"], holdings: [[0n, 0n, 103n], [101n, 0n, 0n], [0n, 102n, 0n]] },
  { name: "nobody escrows", ends: ["premiumRefunded", "premiumRefunded", "premiumRefunded"], holdings: [[100n, 0n, 3n], [1n, 100n, 0n], [0n, 2n, 100n]], deviator: 0 },
  { name: "C after step 2", ends: ["refunded", "refunded", "premiumRefunded"], holdings: [[101n, 0n, 3n], [0n, 102n, 0n], [0n, 0n, 100n]], deviator: 2, deviatorLoses: true },
  { name: "B after step 3", ends: ["refunded", "premiumRefunded", "premiumRefunded"], holdings: [[101n, 0n, 3n], [0n, 100n, 0n], [0n, 2n, 100n]], deviator: 1, deviatorLoses: true },
  { name: "A withholds s", ends: ["refunded", "refunded", "refunded"], holdings: [[101n, 0n, 0n], [0n, 102n, 0n], [0n, 0n, 103n]], deviator: 0, deviatorLoses: true },
  { name: "B after step 5", ends: ["refunded", "redeemed", "redeemed"], holdings: [[101n, 0n, 103n], [0n, 0n, 0n], [0n, 102n, 0n]], deviator: 1, deviatorLoses: true },
  { name: "C after step 6 or 7", ends: ["redeemed", "refunded", "redeemed"], holdings: [[0n, 0n, 103n], [101n, 102n, 0n], [0n, 0n, 0n]], deviator: 2, deviatorLoses: true },
];

describe("adversarial cycle oracle (pure): §2's payouts, §7's table, the guarantee", function () {
  for (const row of ROWS) {
    it(`${row.name}: ${row.ends.join(", ")}`, function () {
      for (let p = 0; p < 3; p++) {
        const d = holdingsDelta(terms, p, row.ends);
        expect(d.map((x, i) => startUnits(p, i) + x), `P${p}`).to.deep.equal(row.holdings[p]);
        const broken = guaranteeBroken(terms, p, row.ends);
        if (p === row.deviator && row.deviatorLoses) expect(broken, `P${p} deviates and loses`).to.not.deep.equal([]);
        else if (p !== row.deviator) expect(broken, `P${p} conforms`).to.deep.equal([]);
      }
    });
  }

  it("a leader whose incoming arc is refunded breaks its guarantee, even compensated on arc 0", function () {
    expect(guaranteeBroken(terms, 0, ["refunded", "redeemed", "refunded"])).to.have.length(1);
  });

  it("an arc left locked breaks the guarantee", function () {
    expect(guaranteeBroken(terms, 1, ["open", "premiumRefunded", "never"])).to.deep.equal(["arc 0 left locked"]);
  });

  it("owed steps: a middle party that saw s final with time to spare must redeem its incoming arc", function () {
    const at = (chain: number, block: number, ts: bigint) => ({ chain, block, ts });
    const heads = (n: number, ts: bigint) => [0, 1, 2].map(() => ({ number: n, ts }));
    const facts: CycleFacts = {
      arcs: [
        { premium: at(0, 3, 1050n), escrow: at(0, 5, 1075n) },
        { premium: at(1, 2, 1030n), escrow: at(1, 6, 1090n), end: { ...at(1, 8, 1110n), kind: "redeemed" } },
        { premium: at(2, 1, 1010n), escrow: at(2, 7, 1110n), end: { ...at(2, 8, 1130n), kind: "redeemed" } },
      ],
      secret: [at(2, 8, 1130n)],
      looks: [{ heads: heads(9, 1135n) }],
    };
    const v = judgeCycle(terms, 1, CYCLE_FIGURES, facts);
    expect(v.owedNotTaken).to.have.length(1);
    expect(v.owedNotTaken[0]).to.match(/redeem of arc 0/);
    expect(v.broken).to.include("arc 0 left locked");
    // Seen only 3 s before arc 0's timeout (T0 + 9Δ = 1180): not owed (the margin is 6 s).
    expect(judgeCycle(terms, 1, CYCLE_FIGURES, { ...facts, looks: [{ heads: heads(9, 1177n) }] }).owedNotTaken).to.deep.equal([]);
  });
});
