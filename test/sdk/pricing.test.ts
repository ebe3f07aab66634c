/**
 * The premium pricer (src/sdk/pricing.ts): the CRR tree against Black–Scholes, a textbook tree and
 * hand-computed one-step trees; parity and exercise-style relations; the crypto fee band of Han, Lin &
 * Yu; exact upward rounding of fees; hedge premiums on a worked example; and every validation error.
 */
import { expect } from "chai";

import { HedgeSwapError, InvalidArgumentError, NonPositiveAmountError } from "../../src/sdk/errors";
import {
  SECONDS_PER_YEAR,
  crrPrice,
  hedgeDeposits,
  hedgeLockTimes,
  optionDeposits,
  optionFee,
  suggestHedgePremiums,
  type CrrParams,
} from "../../src/sdk/pricing";

/** erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign * (1 - poly * Math.exp(-ax * ax));
}
const normCdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));

/** Black–Scholes–Merton prices of a European call and put with carry q. */
function blackScholes(s: number, k: number, sigma: number, t: number, r: number, q = 0) {
  const d1 = (Math.log(s / k) + (r - q + (sigma * sigma) / 2) * t) / (sigma * Math.sqrt(t));
  const d2 = d1 - sigma * Math.sqrt(t);
  const fwdS = s * Math.exp(-q * t);
  const pvK = k * Math.exp(-r * t);
  return { call: fwdS * normCdf(d1) - pvK * normCdf(d2), put: pvK * normCdf(-d2) - fwdS * normCdf(-d1) };
}

const DAY = 86_400n;
const ONE_DAY_YEARS = 86_400 / 31_536_000;

describe("pricing: crrPrice", function () {
  it("the Black–Scholes helper reproduces the classic S=K=100, T=1, r=5%, σ=20% values", function () {
    const bs = blackScholes(100, 100, 0.2, 1, 0.05);
    expect(bs.call).to.be.closeTo(10.4506, 5e-5);
    expect(bs.put).to.be.closeTo(5.5735, 5e-5);
  });

  const sets: [string, number, number, number, number, number, number][] = [
    ["classic ATM", 100, 100, 0.2, 1, 0.05, 0],
    ["Hull S=42 K=40", 42, 40, 0.2, 0.5, 0.1, 0],
    ["with carry", 100, 95, 0.35, 0.75, 0.03, 0.02],
    ["out of the money, long", 100, 120, 0.6, 2, 0.01, 0],
    ["crypto day, S=1", 1, 1.1, 0.9, ONE_DAY_YEARS, 0.05, 0],
  ];
  for (const [name, spot, strike, volatility, years, rate, carry] of sets) {
    it(`European call and put with 2000 steps are within 1e-4 × spot of Black–Scholes (${name})`, function () {
      const bs = blackScholes(spot, strike, volatility, years, rate, carry);
      const base = { spot, strike, volatility, years, rate, carry, steps: 2000 };
      expect(crrPrice({ ...base, type: "call" })).to.be.closeTo(bs.call, 1e-4 * spot);
      expect(crrPrice({ ...base, type: "put" })).to.be.closeTo(bs.put, 1e-4 * spot);
    });
  }

  it("prices Hull's 5-step American put (S=K=50, r=10%, σ=40%, T=5/12) at 4.49", function () {
    const v = crrPrice({ spot: 50, strike: 50, volatility: 0.4, years: 5 / 12, rate: 0.1, steps: 5, type: "put", exercise: "american" });
    expect(v).to.be.closeTo(4.4885, 1e-4);
  });

  it("matches one-step trees computed by hand, including early exercise of an in-the-money put", function () {
    // S=K=100, σ=0.2, T=1, r=0.05: u = e^0.2 = 1.2214028, d = 0.8187308, p = (e^0.05 − d)/(u − d) = 0.5774932.
    const one = { spot: 100, strike: 100, volatility: 0.2, years: 1, rate: 0.05, steps: 1 } as const;
    // call = e^−0.05 × p × (122.14028 − 100) = 12.162285; put = e^−0.05 × (1 − p) × (100 − 81.87308) = 7.285227.
    expect(crrPrice({ ...one, type: "call" })).to.be.closeTo(12.162285, 1e-6);
    expect(crrPrice({ ...one, type: "put" })).to.be.closeTo(7.285227, 1e-6);
    // S=80: holding the put is worth e^−0.05 × (p × 2.28778 + (1 − p) × 34.50154) = 15.12294 < 20 = K − S.
    expect(crrPrice({ ...one, spot: 80, type: "put" })).to.be.closeTo(15.12294, 1e-5);
    expect(crrPrice({ ...one, spot: 80, type: "put", exercise: "american" })).to.equal(20);
  });

  it("European trees satisfy put–call parity exactly (same steps)", function () {
    for (const [steps, carry] of [[1, 0], [7, 0.03], [250, 0], [501, 0.08]] as const) {
      const p: Omit<CrrParams, "type"> = { spot: 90, strike: 100, volatility: 0.45, years: 0.6, rate: 0.04, steps, carry };
      const parity = 90 * Math.exp(-carry * 0.6) - 100 * Math.exp(-0.04 * 0.6);
      expect(crrPrice({ ...p, type: "call" }) - crrPrice({ ...p, type: "put" })).to.be.closeTo(parity, 1e-9);
    }
  });

  it("American put ≥ European put; American call equals European call with zero carry", function () {
    for (const [spot, strike, rate] of [[80, 100, 0.05], [100, 100, 0.1], [120, 100, 0], [1, 1.2, 0.02]] as const) {
      const p = { spot, strike, volatility: 0.5, years: 1, rate, steps: 300 };
      const euPut = crrPrice({ ...p, type: "put" });
      expect(crrPrice({ ...p, type: "put", exercise: "american" })).to.be.at.least(euPut);
      const euCall = crrPrice({ ...p, type: "call" });
      expect(crrPrice({ ...p, type: "call", exercise: "american" })).to.be.closeTo(euCall, 1e-12 * spot);
    }
    // With a strong carry early exercise of the call pays, and the American call is worth more.
    const carried = { spot: 100, strike: 80, volatility: 0.3, years: 1, rate: 0.02, carry: 0.15, steps: 300 } as const;
    expect(crrPrice({ ...carried, type: "call", exercise: "american" })).to.be.greaterThan(crrPrice({ ...carried, type: "call" }) + 0.1);
  });
});

describe("pricing: optionFee", function () {
  const ONE = 10n ** 18n;

  it("lands in Han, Lin & Yu's 1–2.3% band for an ATM one-day crypto option at σ = 0.6, 0.8 and 1.0", function () {
    const fees = [0.6, 0.8, 1.0].map((volatility) => optionFee({ notional: ONE, volatility, windowSeconds: DAY, rate: 0.05 }));
    const fractions = fees.map((f) => Number(f) / 1e18);
    for (const f of fractions) expect(f).to.be.within(0.01, 0.023);
    // ≈ 0.4 σ √T: 1.26%, 1.68%, 2.09%, each within 0.1% (relative) of Black–Scholes.
    [0.6, 0.8, 1.0].forEach((sigma, i) => {
      expect(fractions[i]).to.be.closeTo(blackScholes(1, 1, sigma, ONE_DAY_YEARS, 0.05).call, 1e-3 * (fractions[i] as number));
    });
  });

  it("is notional × the American call on (S=1, K=strikeRatio) over the window, rounded up exactly", function () {
    const args = { volatility: 0.8, windowSeconds: DAY, rate: 0.05 };
    const price = crrPrice({ spot: 1, strike: 1.05, volatility: 0.8, years: ONE_DAY_YEARS, rate: 0.05, steps: 500, type: "call", exercise: "american" });
    const small = optionFee({ ...args, notional: 1000n, strikeRatio: 1.05 });
    expect(small).to.equal(BigInt(Math.ceil(1000 * price)));
    expect(Number(small) - 1).to.be.lessThan(1000 * price);
    // price × 2^70 is an integer (its last mantissa bit is above 2^−70): no rounding; one more unit adds a fraction.
    const whole = BigInt(price * 2 ** 70);
    expect(optionFee({ ...args, notional: 2n ** 70n, strikeRatio: 1.05 })).to.equal(whole);
    expect(optionFee({ ...args, notional: 2n ** 70n + 1n, strikeRatio: 1.05 })).to.equal(whole + 1n);
  });

  it("uses steps (default 500), costs less out of the money, and is 0 when no tree node reaches the strike", function () {
    const base = { notional: ONE, volatility: 0.8, windowSeconds: DAY, rate: 0.05 };
    expect(optionFee(base)).to.equal(optionFee({ ...base, steps: 500 }));
    expect(optionFee({ ...base, steps: 50 })).to.not.equal(optionFee(base));
    expect(optionFee({ ...base, strikeRatio: 1.1 })).to.be.lessThan(optionFee(base));
    expect(optionFee({ ...base, strikeRatio: 3 })).to.equal(0n); // top node e^{0.8·√(500/365)} ≈ 2.55 < 3
    expect(SECONDS_PER_YEAR).to.equal(31_536_000n);
  });
});

describe("pricing: hedge premiums and deposits", function () {
  it("worked example: a = b = 100 tokens (18 decimals), Δ = 1 h, r = 10%", function () {
    const locks = hedgeLockTimes(3600n);
    expect(locks).to.deep.equal({ lockSecondsA: 14_400n, lockSecondsB: 7_200n });
    const amount = 100n * 10n ** 18n;
    const { pA, pB } = suggestHedgePremiums({ amountA: amount, amountB: amount, ...locks, rate: 0.1 });
    // ⌈1e20 × (e^{0.1·14400/31536000} − 1)⌉ and ⌈1e20 × (e^{0.1·7200/31536000} − 1)⌉, by 60-digit decimals:
    // 4566314298619802.955… and 2283131085872125.099…
    expect(pB).to.equal(4_566_314_298_619_803n);
    expect(pA).to.equal(2_283_131_085_872_126n);
    expect(hedgeDeposits({ pA, pB, pBOnB: pB })).to.deep.equal({ onA: pB, onB: pA + pB });
  });

  it("reproduces the PROTOCOLS.md deposits (p_a = 2, p_b = 1 → 1 on A, 3 on B; option f = 2 → 1 on A, 3 on B)", function () {
    expect(hedgeDeposits({ pA: 2n, pB: 1n, pBOnB: 1n })).to.deep.equal({ onA: 1n, onB: 3n });
    expect(optionDeposits({ fee: 2n, pB: 1n, pBOnB: 1n })).to.deep.equal({ onA: 1n, onB: 3n });
    expect(optionDeposits({ fee: 0n, pB: 5n, pBOnB: 7n })).to.deep.equal({ onA: 5n, onB: 7n });
  });

  it("floors each premium at its minimum and at 1 unit", function () {
    const base = { amountA: 10n, amountB: 10n, lockSecondsA: 3600n, lockSecondsB: 3600n, rate: 0.05 };
    expect(suggestHedgePremiums(base)).to.deep.equal({ pA: 1n, pB: 1n });
    expect(suggestHedgePremiums({ ...base, rate: 0 })).to.deep.equal({ pA: 1n, pB: 1n });
    expect(suggestHedgePremiums({ ...base, minimum: { a: 5n } })).to.deep.equal({ pA: 5n, pB: 1n });
    expect(suggestHedgePremiums({ ...base, minimum: { b: 7n } })).to.deep.equal({ pA: 1n, pB: 7n });
    const big = { ...base, amountA: 10n ** 24n, amountB: 10n ** 24n, minimum: { a: 3n, b: 3n } };
    expect(suggestHedgePremiums(big).pB).to.be.greaterThan(3n);
  });
});

describe("pricing: validation", function () {
  function expectError(fn: () => unknown, cls: new (...args: never[]) => HedgeSwapError, code: string, field?: string) {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught, "should throw").to.be.instanceOf(cls);
    const err = caught as HedgeSwapError;
    expect(err.code).to.equal(code);
    if (field !== undefined) expect(err.details["field"]).to.equal(field);
  }
  const invalid = (fn: () => unknown, field: string) => expectError(fn, InvalidArgumentError, "INVALID_ARGUMENT", field);
  const nonPositive = (fn: () => unknown, field: string) =>
    expectError(fn, NonPositiveAmountError, "NON_POSITIVE_AMOUNT", field);

  const tree: CrrParams = { spot: 100, strike: 100, volatility: 0.2, years: 1, rate: 0.05, steps: 10, type: "call" };
  const bad = <T>(v: T) => v as never;

  it("crrPrice rejects every bad input with InvalidArgumentError", function () {
    invalid(() => crrPrice({ ...tree, spot: 0 }), "spot");
    invalid(() => crrPrice({ ...tree, spot: -1 }), "spot");
    invalid(() => crrPrice({ ...tree, spot: NaN }), "spot");
    invalid(() => crrPrice({ ...tree, strike: Infinity }), "strike");
    invalid(() => crrPrice({ ...tree, volatility: 0 }), "volatility");
    invalid(() => crrPrice({ ...tree, years: 0 }), "years");
    invalid(() => crrPrice({ ...tree, rate: NaN }), "rate");
    invalid(() => crrPrice({ ...tree, carry: -Infinity }), "carry");
    for (const steps of [0, 1.5, 100_001, NaN]) invalid(() => crrPrice({ ...tree, steps }), "steps");
    invalid(() => crrPrice({ ...tree, type: bad("straddle") }), "type");
    invalid(() => crrPrice({ ...tree, exercise: bad("bermudan") }), "exercise");
    // p ≥ 1 (drift beats the up-move) and p ≤ 0 (a negative rate beats the down-move).
    invalid(() => crrPrice({ ...tree, rate: 5, volatility: 0.01, steps: 1 }), "rate - carry");
    invalid(() => crrPrice({ ...tree, rate: -5, volatility: 0.01, steps: 1 }), "rate - carry");
    invalid(() => crrPrice({ ...tree, carry: 5, volatility: 0.01, steps: 1 }), "rate - carry");
    invalid(() => crrPrice({ ...tree, volatility: 700, years: 2, steps: 2 }), "volatility");
  });

  it("optionFee rejects a non-positive notional, a bad strike ratio, window or steps", function () {
    const fee = { notional: 10n ** 18n, volatility: 0.8, windowSeconds: DAY, rate: 0.05 };
    nonPositive(() => optionFee({ ...fee, notional: 0n }), "notional");
    nonPositive(() => optionFee({ ...fee, notional: -1n }), "notional");
    invalid(() => optionFee({ ...fee, notional: bad(5) }), "notional");
    invalid(() => optionFee({ ...fee, strikeRatio: 0 }), "strikeRatio");
    invalid(() => optionFee({ ...fee, windowSeconds: 0n }), "windowSeconds");
    invalid(() => optionFee({ ...fee, steps: 0 }), "steps");
    invalid(() => optionFee({ ...fee, volatility: -0.8 }), "volatility");
  });

  it("premium helpers reject non-positive amounts, bad times, rates and minimums", function () {
    const p = { amountA: 100n, amountB: 100n, lockSecondsA: 3600n, lockSecondsB: 3600n, rate: 0.05 };
    nonPositive(() => suggestHedgePremiums({ ...p, amountA: 0n }), "amountA");
    nonPositive(() => suggestHedgePremiums({ ...p, amountB: -1n }), "amountB");
    invalid(() => suggestHedgePremiums({ ...p, lockSecondsA: 0n }), "lockSecondsA");
    invalid(() => suggestHedgePremiums({ ...p, lockSecondsB: bad(3600) }), "lockSecondsB");
    invalid(() => suggestHedgePremiums({ ...p, rate: -0.01 }), "rate");
    invalid(() => suggestHedgePremiums({ ...p, rate: NaN }), "rate");
    invalid(() => suggestHedgePremiums({ ...p, rate: 1e308 }), "rate");
    invalid(() => suggestHedgePremiums({ ...p, minimum: { a: -1n } }), "minimum.a");
    invalid(() => suggestHedgePremiums({ ...p, minimum: { b: -1n } }), "minimum.b");
    invalid(() => hedgeLockTimes(0n), "delta");
    invalid(() => hedgeLockTimes(-3600n), "delta");
    nonPositive(() => hedgeDeposits({ pA: 0n, pB: 1n, pBOnB: 1n }), "pA");
    nonPositive(() => hedgeDeposits({ pA: 1n, pB: -1n, pBOnB: 1n }), "pB");
    nonPositive(() => hedgeDeposits({ pA: 1n, pB: 1n, pBOnB: 0n }), "pBOnB");
    invalid(() => optionDeposits({ fee: -1n, pB: 1n, pBOnB: 1n }), "fee");
    nonPositive(() => optionDeposits({ fee: 1n, pB: 0n, pBOnB: 1n }), "pB");
    nonPositive(() => optionDeposits({ fee: 1n, pB: 1n, pBOnB: -2n }), "pBOnB");
  });
});
