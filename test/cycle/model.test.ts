/**
 * The §7 model against the protocol's own tables: every stop point of §7's n = 3 matrix (the table
 * collapses several stop points per row; they are expanded here, one case each), §3's two-party matrix
 * for n = 2, and the protocol's claims for n = 2 … 8: every asset conserved, conforming parties never
 * lose, a deviator loses at most its premium (plus, when it skipped its own redeem, the principal it
 * failed to claim against).
 */
import { expect } from "chai";
import fc from "fast-check";

import { allDeviations, deviationName, modelSteps, netValue, premiumNet, premiumsOf, runModel, type Deviation, type Ledger, type ModelTerms } from "./model";

const [A, B, C] = [0, 1, 2];

/** §7's n = 3 terms: a_i = 100, c = 1, so arc premiums 1, 2, 3. */
const TERMS3: ModelTerms = { n: 3, principals: [100n, 100n, 100n], premiums: premiumsOf([1n, 1n, 1n]) };

type Row3 = { holdings: [number, number, number][]; net: [number, number, number] };

/** §7's n = 3 table, row by row, holdings as T0,T1,T2 for A, B, C. */
const TABLE3: Record<string, Row3> = {
  happy: { holdings: [[0, 0, 103], [101, 0, 0], [0, 102, 0]], net: [0, 0, 0] },
  beforeEscrow: { holdings: [[100, 0, 3], [1, 100, 0], [0, 2, 100]], net: [0, 0, 0] },
  cPremiumNoEscrow: { holdings: [[101, 0, 3], [0, 102, 0], [0, 0, 100]], net: [1, 1, -2] },
  bPremiumNoEscrow: { holdings: [[101, 0, 3], [0, 100, 0], [0, 2, 100]], net: [1, -1, 0] },
  aWithholds: { holdings: [[101, 0, 0], [0, 102, 0], [0, 0, 103]], net: [-2, 1, 1] },
  bNeverRedeems: { holdings: [[101, 0, 103], [0, 0, 0], [0, 102, 0]], net: [101, -101, 0] },
  cNeverRedeems: { holdings: [[0, 0, 103], [101, 102, 0], [0, 0, 0]], net: [0, 102, -102] },
};

/**
 * Every stop point of n = 3, with the §7 row it falls in. Steps: 1 A premium arc 2, 2 C premium arc 1,
 * 3 B premium arc 0, 4 A escrow arc 0, 5 B escrow arc 1, 6 C escrow arc 2, 7 A reveals on arc 2,
 * 8 C redeems arc 1, 9 B redeems arc 0. A stop between two of a party's steps falls in the row of the
 * earlier one ("B after step 4" is "B after step 3"); a leader that stopped after its reveal (7, 8) and
 * C after 8 have no steps left: the happy path.
 */
function row3(d: Deviation): keyof typeof TABLE3 {
  const k = d.afterStep;
  if (d.party === A) return k <= 3 ? "beforeEscrow" : k <= 6 ? "aWithholds" : "happy";
  if (d.party === B) return k <= 2 ? "beforeEscrow" : k <= 4 ? "bPremiumNoEscrow" : "bNeverRedeems";
  return k <= 1 ? "beforeEscrow" : k <= 5 ? "cPremiumNoEscrow" : k <= 7 ? "cNeverRedeems" : "happy";
}

const ledger3 = (h: [number, number, number]): Ledger => ({ T0: BigInt(h[0]), T1: BigInt(h[1]), T2: BigInt(h[2]) });

describe("cycle model (§7)", function () {
  describe("n = 3 against §7's table, every stop point", function () {
    it("starts from A:100,0,3 B:1,100,0 C:0,2,100", function () {
      expect(runModel(TERMS3).start).to.deep.equal(TABLE3.beforeEscrow!.holdings.map(ledger3));
    });

    const cases: (Deviation | undefined)[] = [undefined, ...allDeviations(3)];
    it("has 28 cases: 3 parties × stop after step 0 … 8, plus the happy path", function () {
      expect(cases).to.have.length(28);
    });
    for (const d of cases) {
      const row = d === undefined ? "happy" : row3(d);
      it(`${deviationName(d)} → row ${row}: exact holdings and net`, function () {
        const r = runModel(TERMS3, d);
        expect(r.final).to.deep.equal(TABLE3[row]!.holdings.map(ledger3));
        expect([A, B, C].map((p) => Number(netValue(r.start[p]!, r.final[p]!)))).to.deep.equal(TABLE3[row]!.net);
      });
    }
  });

  describe("n = 2 against §3's scenario matrix", function () {
    // Alice = P0 (arc 0 = leg A, APR), Bob = P1 (arc 1 = leg B, BAN); premiums p_b = 1 on A, p_a + p_b = 3 on B.
    const terms: ModelTerms = { n: 2, principals: [100n, 100n], premiums: [1n, 3n], principalAssets: ["APR", "BAN"] };
    const S: Record<string, [number, number, number, number]> = {
      S0: [100, 3, 1, 100],
      S1: [100, 3, 1, 100],
      S2: [100, 3, 1, 100],
      S3: [101, 3, 0, 100],
      S4: [101, 0, 0, 103],
      S5: [101, 103, 0, 0],
      S6: [0, 103, 101, 0],
    };
    // Steps: 1 Alice premium B, 2 Bob premium A, 3 Alice escrow A, 4 Bob escrow B, 5 Alice reveals on B, 6 Bob redeems A.
    const rows: [string, Deviation | undefined][] = [
      ["S0", { party: 0, afterStep: 0 }],
      ["S1", { party: 1, afterStep: 0 }],
      ["S1", { party: 1, afterStep: 1 }],
      ["S2", { party: 0, afterStep: 1 }],
      ["S2", { party: 0, afterStep: 2 }],
      ["S3", { party: 1, afterStep: 2 }],
      ["S3", { party: 1, afterStep: 3 }],
      ["S4", { party: 0, afterStep: 3 }],
      ["S4", { party: 0, afterStep: 4 }],
      ["S5", { party: 1, afterStep: 4 }],
      ["S5", { party: 1, afterStep: 5 }],
      ["S6", { party: 0, afterStep: 5 }],
      ["S6", undefined],
    ];
    for (const [id, d] of rows) {
      it(`${id}: ${deviationName(d)}`, function () {
        const [aAPR, aBAN, bAPR, bBAN] = S[id]!.map(BigInt);
        expect(runModel(terms, d).final).to.deep.equal([{ APR: aAPR, BAN: aBAN }, { APR: bAPR, BAN: bBAN }]);
      });
    }
  });

  describe("the protocol's claims, n = 2 … 8, every deviation", function () {
    const termsArb = (n: number) =>
      fc.record({
        principals: fc.array(fc.bigInt({ min: 1n, max: 10n ** 6n }), { minLength: n, maxLength: n }),
        compensations: fc.array(fc.bigInt({ min: 1n, max: 1000n }), { minLength: n, maxLength: n }),
      });

    for (let n = 2; n <= 8; n++) {
      it(`n = ${n}: conservation, conforming parties never lose, a deviator loses at most its premium`, function () {
        fc.assert(
          fc.property(termsArb(n), ({ principals, compensations }) => {
            const t: ModelTerms = { n, principals, premiums: premiumsOf(compensations) };
            for (const d of [undefined, ...allDeviations(n)]) checkClaims(t, d);
          }),
          { numRuns: 20 },
        );
      });
    }

    it("the happy path of n = 2 … 8 swaps every principal and returns every premium, in 3n steps", function () {
      for (let n = 2; n <= 8; n++) {
        const t: ModelTerms = { n, principals: Array.from({ length: n }, (_, i) => BigInt(100 + i)), premiums: premiumsOf(new Array<bigint>(n).fill(1n)) };
        const r = runModel(t);
        expect(r.taken).to.have.length(3 * n);
        expect(r.outcomes).to.deep.equal(new Array(n).fill("redeemed"));
        for (let i = 0; i < n; i++) {
          const expected = { ...r.start[i]! };
          expected[`T${i}`]! -= t.principals[i]!;
          expected[`T${(i + n - 1) % n}`]! += t.principals[(i + n - 1) % n]!;
          expect(r.final[i]).to.deep.equal(expected);
        }
      }
    });

    it("with uniform principals, a conforming party's plain net (every asset at 1) is never negative", function () {
      for (let n = 2; n <= 8; n++) {
        const t: ModelTerms = { n, principals: new Array<bigint>(n).fill(100n), premiums: premiumsOf(Array.from({ length: n }, (_, j) => BigInt(j + 1))) };
        for (const d of allDeviations(n)) {
          const r = runModel(t, d);
          for (let p = 0; p < n; p++) if (p !== d.party) check(netValue(r.start[p]!, r.final[p]!) >= 0n, () => `n=${n} ${deviationName(d)} P${p}`);
        }
      }
    });
  });
});

/** Throws `message` unless `ok` (chai's `expect` is too slow for the thousands of checks per n here). */
function check(ok: boolean, message: () => string): void {
  if (!ok) throw new Error(message());
}

/** The claims of §7 for one run (see the file's header). */
function checkClaims(t: ModelTerms, d: Deviation | undefined): void {
  const n = t.n;
  const r = runModel(t, d);
  const where = () => `n=${n} ${deviationName(d)} (principals ${t.principals.join(",")}, premiums ${t.premiums.join(",")})`;
  // Conservation: every asset's total is unchanged (nothing is left in an escrow).
  const total = (ls: readonly Ledger[], a: string) => ls.reduce((s, l) => s + (l[a] ?? 0n), 0n);
  for (const a of Object.keys(r.start[0]!)) check(total(r.final, a) === total(r.start, a), () => `${where()}: ${a} not conserved`);
  for (let p = 0; p < n; p++) {
    const incoming = (p + n - 1) % n;
    const gaveWithoutGetting = r.outcomes[p] === "redeemed" && r.outcomes[incoming] !== "redeemed";
    const net = premiumNet(t, r, p);
    if (d === undefined || p !== d.party) {
      check(net >= 0n, () => `${where()}: P${p} (conforming) premium net ${net}`);
      check(!gaveWithoutGetting, () => `${where()}: P${p} (conforming) lost its principal`);
    } else {
      check(net >= -t.premiums[incoming]!, () => `${where()}: P${p} (deviator) premium net ${net}, its premium ${t.premiums[incoming]}`);
      if (gaveWithoutGetting) {
        // Only by skipping its own redeem of an escrowed incoming arc.
        const ownRedeem = modelSteps(n).find((s) => s.action === "redeem" && s.party === p)!;
        check(ownRedeem.step > d.afterStep && r.outcomes[incoming] === "refunded", () => `${where()}: P${p} lost its principal without skipping its redeem`);
      }
    }
  }
}
