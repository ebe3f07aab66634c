/**
 * Typed errors for input that is not a plan's: the timelocks word (`packTimelocks`, `unpackTimelocks`),
 * the pricing helpers against §3's premium relation, and the other SDK helpers that used to throw a plain
 * `Error`, `RangeError` or `TypeError` on a bad argument. Offline.
 */
import { expect } from "chai";
import { Wallet } from "ethers";

import {
  DeadlineOutOfRangeError,
  HedgeSwapError,
  InvalidAddressError,
  InvalidArgumentError,
  InvalidTimelocksError,
  PremiumMode,
  PremiumRelationError,
  deriveSecret,
  hedgeDeposits,
  hedgeLockTimes,
  hashlockOf,
  legFromCreationLog,
  locateLeg,
  optionDeposits,
  optionFee,
  packTimelocks,
  planHedgedSwap,
  planOption,
  suggestHedgePremiums,
  unpackTimelocks,
  type LegStruct,
  type SwapTerms,
  type Timelocks,
} from "../../src/sdk";

const MAX_DEADLINE = (1n << 40n) - 1n;

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

/** Asserts `fn` throws `cls` with `code` and `details`, and that it is a `HedgeSwapError` (never a plain RangeError/TypeError). */
function expectTyped(fn: () => unknown, cls: abstract new (...a: never[]) => HedgeSwapError, code: string, details: Record<string, unknown> = {}): HedgeSwapError {
  const err = caught(fn);
  expect(err).to.be.instanceOf(HedgeSwapError);
  expect(err).to.be.instanceOf(cls);
  const e = err as HedgeSwapError;
  expect(e.code).to.equal(code);
  expect(e.details).to.include(details);
  return e;
}

describe("SDK input validation beyond the planners", function () {
  describe("packTimelocks / unpackTimelocks", function () {
    const ok: Timelocks = { premiumDeadline: 100n, escrowDeadline: 200n, timeout: 300n, mode: PremiumMode.Option };

    it("still round-trips, up to the largest 40-bit deadline", function () {
      expect(unpackTimelocks(packTimelocks(ok))).to.deep.equal(ok);
      const max = { premiumDeadline: MAX_DEADLINE, escrowDeadline: MAX_DEADLINE, timeout: MAX_DEADLINE, mode: PremiumMode.Hedge };
      expect(unpackTimelocks(packTimelocks(max))).to.deep.equal(max);
    });

    it("a deadline outside 40 bits → DeadlineOutOfRangeError with the field, value and maximum", function () {
      expectTyped(() => packTimelocks({ ...ok, timeout: MAX_DEADLINE + 1n }), DeadlineOutOfRangeError, "DEADLINE_OUT_OF_RANGE", { field: "timeout", value: MAX_DEADLINE + 1n, max: MAX_DEADLINE });
      expectTyped(() => packTimelocks({ ...ok, premiumDeadline: -1n }), DeadlineOutOfRangeError, "DEADLINE_OUT_OF_RANGE", { field: "premiumDeadline", value: -1n });
    });

    it("a deadline that is not a bigint, a bad mode or no object → InvalidArgumentError / InvalidTimelocksError, not TypeError", function () {
      expectTyped(() => packTimelocks({ ...ok, escrowDeadline: 200 as unknown as bigint }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "escrowDeadline", value: 200 });
      expectTyped(() => packTimelocks({ ...ok, mode: 2 as PremiumMode }), InvalidTimelocksError, "INVALID_TIMELOCKS", { field: "mode", value: 2 });
      expectTyped(() => packTimelocks({ ...ok, mode: undefined as unknown as PremiumMode }), InvalidTimelocksError, "INVALID_TIMELOCKS", { field: "mode" });
      expectTyped(() => packTimelocks(null as unknown as Timelocks), InvalidArgumentError, "INVALID_ARGUMENT", { field: "timelocks" });
    });

    it("a word with bits outside the layout, negative or not a bigint → InvalidTimelocksError / InvalidArgumentError naming the word", function () {
      expectTyped(() => unpackTimelocks(1n << 121n), InvalidTimelocksError, "INVALID_TIMELOCKS", { field: "timelocks", value: "0x" + (1n << 121n).toString(16) });
      expectTyped(() => unpackTimelocks(-5n), InvalidTimelocksError, "INVALID_TIMELOCKS", { field: "timelocks", value: "-0x5" });
      expectTyped(() => unpackTimelocks(5 as unknown as bigint), InvalidArgumentError, "INVALID_ARGUMENT", { field: "timelocks", value: 5 });
    });
  });

  describe("pricing helpers against §3's premium relation", function () {
    const T0 = 1_900_000_000n;
    const D = 3600n;
    const terms = (onA: bigint, onB: bigint): SwapTerms => ({
      leader: new Wallet("0x" + "11".repeat(32)).address,
      follower: new Wallet("0x" + "22".repeat(32)).address,
      hashlock: hashlockOf("0x" + "5a".repeat(32)),
      start: T0,
      delta: D,
      legA: { chainId: 1n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 100n * 10n ** 18n, premiumAmount: onA },
      legB: { chainId: 10n, escrow: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", amount: 100n * 10n ** 18n, premiumAmount: onB },
    });

    it("suggestHedgePremiums → hedgeDeposits gives terms the hedged-swap planner accepts, down to the 1-unit floors", function () {
      for (const [amount, rate] of [[100n * 10n ** 18n, 0.1], [1n, 0], [10n, 0.05]] as const) {
        const { pA, pB } = suggestHedgePremiums({ amountA: amount, amountB: amount, ...hedgeLockTimes(D), rate });
        const deposits = hedgeDeposits({ pA, pB, pBOnB: pB });
        expect(deposits.onB > deposits.onA).to.equal(true);
        expect(planHedgedSwap(terms(deposits.onA, deposits.onB), { now: T0 - 1n }).legB.leg.premiumAmount).to.equal(deposits.onB);
      }
    });

    it("optionFee → optionDeposits gives terms the option planner accepts", function () {
      const fee = optionFee({ notional: 100n * 10n ** 18n, volatility: 0.8, windowSeconds: 5n * D, rate: 0.05 });
      const deposits = optionDeposits({ fee, pB: 10n ** 18n, pBOnB: 10n ** 18n });
      expect(planOption(terms(deposits.onA, deposits.onB), { now: T0 - 1n }).kind).to.equal("option");
    });

    it("deposits that would break the relation → PremiumRelationError: a zero option fee, or p_b converted into fewer units on B", function () {
      expectTyped(() => optionDeposits({ fee: 0n, pB: 5n, pBOnB: 5n }), PremiumRelationError, "PREMIUM_RELATION", { legBPremium: 5n, legAPremium: 5n });
      expectTyped(() => hedgeDeposits({ pA: 1n, pB: 1000n, pBOnB: 10n }), PremiumRelationError, "PREMIUM_RELATION", { legBPremium: 11n, legAPremium: 1000n });
      expect(optionDeposits({ fee: 1n, pB: 5n, pBOnB: 5n })).to.deep.equal({ onA: 5n, onB: 6n });
    });
  });

  describe("other helpers: typed errors instead of plain Error / RangeError / TypeError", function () {
    const leg: LegStruct = {
      escrower: new Wallet("0x" + "11".repeat(32)).address,
      redeemer: new Wallet("0x" + "22".repeat(32)).address,
      hashlock: hashlockOf("0x" + "5a".repeat(32)),
      token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      amount: 1n,
      timelocks: packTimelocks({ premiumDeadline: 1n, escrowDeadline: 2n, timeout: 3n, mode: PremiumMode.Hedge }),
      premiumToken: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      premiumAmount: 1n,
    };

    it("legFromCreationLog on a log that is not a leg creation → InvalidArgumentError", function () {
      const other = { topics: ["0x" + "ab".repeat(32)], data: "0x", transactionHash: "0x" + "01".repeat(32) } as unknown as Parameters<typeof legFromCreationLog>[0];
      expectTyped(() => legFromCreationLog(other), InvalidArgumentError, "INVALID_ARGUMENT", { field: "log" });
    });

    it("deriveSecret with a fractional index or a seed that is not hex → InvalidArgumentError", function () {
      const seed = "0x" + "a1".repeat(32);
      expectTyped(() => deriveSecret(seed, 1.5), InvalidArgumentError, "INVALID_ARGUMENT", { field: "index", value: 1.5 });
      expectTyped(() => deriveSecret("not hex", 0), InvalidArgumentError, "INVALID_ARGUMENT", { field: "seed" });
      expect(deriveSecret(seed, 1)).to.equal(deriveSecret(seed, 1n));
    });

    it("locateLeg with an escrow that is not an address → InvalidAddressError", function () {
      expectTyped(() => locateLeg(leg, { chainId: 1n, escrow: "0x1234" }), InvalidAddressError, "INVALID_ADDRESS", { field: "escrow", value: "0x1234" });
    });
  });
});
