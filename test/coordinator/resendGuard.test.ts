/**
 * The resend guard and the fee policy, as pure functions: a signed reveal is cancelled once it could
 * land after leg B's timeout (unless s is public), any other step once the rule no longer takes it; fee
 * bumps stop at the cap, cancels always out-bid what they replace, the gas budget counts a batch's
 * share per leg.
 */
import { expect } from "chai";
import { Wallet } from "ethers";

import { LegState, planHedgedSwap, type PartyView, type SafetyMargins, type SwapPlan } from "../../src/sdk";
import { landingMargins, resendVerdict, revealCutoff, type GuardContext } from "../../src/coordinator/engine/resendGuard";
import { bumpFees, cancelFees, initialFees, raised, worstCaseShare } from "../../src/coordinator/chain/fees";

const T0 = 1_900_000_000n;
const D = 600n;
const SECRET = "0x" + "77".repeat(32);
const GWEI = 10n ** 9n;
const CHAIN = { inclusionTime: 20n, confirmationTime: 24n, clockSkew: 5n };
const MARGINS: SafetyMargins = { reaction: 30n, chainA: CHAIN, chainB: CHAIN };

function plan(): SwapPlan {
  return planHedgedSwap(
    {
      leader: new Wallet("0x" + "11".repeat(32)).address,
      follower: new Wallet("0x" + "22".repeat(32)).address,
      secret: SECRET,
      start: T0,
      delta: D,
      legA: { chainId: 1n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 100n, premiumAmount: 1n },
      legB: { chainId: 2n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", amount: 100n, premiumAmount: 3n },
    },
    { now: T0 },
  );
}

const P = plan();
const TIMEOUT_B = P.legB.terms.timelocks.timeout;

/** A context whose one swap is at `legs`, with chain clocks `time`, and the given open actions. */
function context(o: { legs?: [LegState, LegState]; time?: bigint; revealed?: boolean; active?: boolean; open?: string[] } = {}): GuardContext & { margins: SafetyMargins[] } {
  const [a, b] = o.legs ?? [LegState.Escrowed, LegState.Escrowed];
  const seen: SafetyMargins[] = [];
  return {
    margins: seen,
    isActive: () => o.active ?? true,
    revealed: () => o.revealed ?? false,
    revealDeadline: () => TIMEOUT_B,
    view: (_id, pending, margins): PartyView => {
      const m = margins(MARGINS);
      seen.push(m);
      return {
        plan: P,
        roles: { leader: true, follower: false },
        legA: { state: a },
        legB: { state: b },
        timeA: o.time ?? T0,
        timeB: o.time ?? T0,
        leaderSecret: SECRET,
        ...(o.revealed ? { revealedSecret: SECRET } : {}),
        pending: pending(new Set(o.open ?? ["redeem:B"])),
        margins: m,
        settleGrace: 60n,
      };
    },
  };
}

const reveal = { action: "redeem" as const, reveals: true, deadline: TIMEOUT_B.toString() };
const member = [{ swapId: P.id, leg: "B" as const }];

describe("resend guard", function () {
  it("keeps a signed reveal up to deadline − inclusion time − clock skew, and cancels it one second later", function () {
    const cutoff = revealCutoff(TIMEOUT_B, CHAIN);
    expect(cutoff).to.equal(TIMEOUT_B - 25n);
    expect(resendVerdict(reveal, member, cutoff, CHAIN, context({ time: cutoff }))).to.equal("keep");
    expect(resendVerdict(reveal, member, cutoff + 1n, CHAIN, context({ time: cutoff + 1n }))).to.equal("cancel");
    // Far past the deadline (an outage, a restart): cancelled, whatever the legs show.
    expect(resendVerdict(reveal, member, TIMEOUT_B + 3600n, CHAIN, context({ time: TIMEOUT_B + 3600n, legs: [LegState.None, LegState.None] }))).to.equal("cancel");
  });

  it("a row recorded before migration 5 (no deadline) takes leg B's timeout from the plan", function () {
    expect(resendVerdict({ ...reveal, deadline: null }, member, TIMEOUT_B, CHAIN, context({ time: TIMEOUT_B }))).to.equal("cancel");
    expect(resendVerdict({ ...reveal, deadline: null }, member, TIMEOUT_B - 100n, CHAIN, context({ time: TIMEOUT_B - 100n }))).to.equal("keep");
  });

  it("once s is public the reveal is no secret: it goes again up to leg B's timeout itself", function () {
    expect(resendVerdict(reveal, member, TIMEOUT_B - 1n, CHAIN, context({ time: TIMEOUT_B - 1n, revealed: true }))).to.equal("keep");
    expect(resendVerdict(reveal, member, TIMEOUT_B + 1n, CHAIN, context({ time: TIMEOUT_B + 1n, revealed: true }))).to.equal("cancel");
  });

  it("asks the rule with no reaction margin and no confirmation time (the step is signed: only landing counts), and without its own open action", function () {
    const ctx = context({ time: TIMEOUT_B - 200n, open: ["redeem:B", "settle:A"] });
    expect(resendVerdict(reveal, member, TIMEOUT_B - 200n, CHAIN, ctx)).to.equal("keep");
    expect(ctx.margins).to.deep.equal([landingMargins(MARGINS)]);
    expect(landingMargins(MARGINS)).to.deep.equal({ reaction: 0n, chainA: { ...CHAIN, confirmationTime: 0n }, chainB: { ...CHAIN, confirmationTime: 0n } });
  });

  it("cancels a step the rule no longer takes: an escrow past its deadline, an escrow of a leg aborted meanwhile, a step of a finished swap", function () {
    const escrowA = { action: "escrow" as const, reveals: false, deadline: (T0 + 3n * D).toString() };
    const legA = [{ swapId: P.id, leg: "A" as const }];
    expect(resendVerdict(escrowA, legA, T0 + D, CHAIN, context({ legs: [LegState.PremiumDeposited, LegState.PremiumDeposited], time: T0 + 2n * D, open: ["escrow:A"] }))).to.equal("keep");
    expect(resendVerdict(escrowA, legA, T0 + 3n * D + 1n, CHAIN, context({ legs: [LegState.PremiumDeposited, LegState.PremiumDeposited], time: T0 + 3n * D + 1n, open: ["escrow:A"] }))).to.equal("cancel");
    expect(resendVerdict(escrowA, legA, T0 + D, CHAIN, context({ legs: [LegState.Aborted, LegState.PremiumDeposited], time: T0 + 2n * D, open: ["escrow:A"] }))).to.equal("cancel");
    expect(resendVerdict(escrowA, legA, T0 + D, CHAIN, context({ active: false }))).to.equal("cancel");
  });

  it("every round (scope round) only the cheap checks run: a reveal past its cutoff, a finished swap; the rule is asked before a resend", function () {
    const escrowA = { action: "escrow" as const, reveals: false, deadline: (T0 + 3n * D).toString() };
    const legA = [{ swapId: P.id, leg: "A" as const }];
    const late = context({ legs: [LegState.PremiumDeposited, LegState.PremiumDeposited], time: T0 + 3n * D + 1n, open: ["escrow:A"] });
    expect(resendVerdict(escrowA, legA, T0 + 3n * D + 1n, CHAIN, late, "round")).to.equal("keep");
    expect(late.margins, "the rule was not asked").to.deep.equal([]);
    expect(resendVerdict(escrowA, legA, T0 + 3n * D + 1n, CHAIN, late, "resend")).to.equal("cancel");
    expect(resendVerdict(reveal, member, TIMEOUT_B, CHAIN, context({ time: TIMEOUT_B }), "round")).to.equal("cancel");
    expect(resendVerdict(escrowA, legA, T0, CHAIN, context({ active: false }), "round")).to.equal("cancel");
  });

  it("keeps what is not a protocol step: withdrawals, approvals, aborts, cancels", function () {
    for (const action of ["withdraw", "approve", "abort", "cancel"] as const) {
      expect(resendVerdict({ action, reveals: false, deadline: null }, member, TIMEOUT_B + 9999n, CHAIN, context({ active: false }))).to.equal("keep");
    }
  });
});

describe("fee policy", function () {
  const old = { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 2n * GWEI };

  it("first attempts take the node's suggestion under the cap, the tip never above the max fee", function () {
    expect(initialFees({ maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: GWEI }, { maxFeePerGas: 500n * GWEI })).to.deep.equal({ maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: GWEI, capped: false });
    expect(initialFees({ maxFeePerGas: 9000n * GWEI, maxPriorityFeePerGas: 9000n * GWEI }, { maxFeePerGas: 500n * GWEI })).to.deep.equal({ maxFeePerGas: 500n * GWEI, maxPriorityFeePerGas: 500n * GWEI, capped: true });
    expect(initialFees({ gasPrice: 3n * GWEI }, {})).to.deep.equal({ maxFeePerGas: 6n * GWEI, maxPriorityFeePerGas: GWEI, capped: false });
  });

  it("bumps raise both fees by the percent (or to the suggestion), never above the cap; no room under the cap: no bump", function () {
    expect(bumpFees(old, {}, { percent: 25 })).to.deep.equal(raised(old, 25));
    expect(bumpFees(old, { maxFeePerGas: 900n * GWEI }, { percent: 25 })!.maxFeePerGas).to.equal(900n * GWEI);
    expect(bumpFees(old, { maxFeePerGas: 900n * GWEI }, { percent: 25, maxFeePerGas: 200n * GWEI })!.maxFeePerGas).to.equal(200n * GWEI);
    // A 100,000× base-fee spike suggests 100,000 gwei: the bump stops at the 200 gwei cap.
    expect(bumpFees(old, { maxFeePerGas: 100_000n * GWEI }, { percent: 25, maxFeePerGas: 200n * GWEI })!.maxFeePerGas).to.equal(200n * GWEI);
    expect(bumpFees({ maxFeePerGas: 200n * GWEI, maxPriorityFeePerGas: GWEI }, { maxFeePerGas: 100_000n * GWEI }, { percent: 25, maxFeePerGas: 200n * GWEI })).to.equal(undefined);
  });

  it("a cancel always out-bids what it replaces (even at the cap: 21,000 gas only), else follows the suggestion under the cap", function () {
    const atCap = { maxFeePerGas: 200n * GWEI, maxPriorityFeePerGas: GWEI };
    const c = cancelFees(atCap, { maxFeePerGas: 100_000n * GWEI }, { percent: 25, maxFeePerGas: 200n * GWEI });
    expect(c.maxFeePerGas).to.equal(raised(atCap, 25).maxFeePerGas);
    expect(c.maxFeePerGas > atCap.maxFeePerGas && c.maxPriorityFeePerGas > atCap.maxPriorityFeePerGas).to.equal(true);
    expect(cancelFees(old, { maxFeePerGas: 150n * GWEI }, { percent: 10, maxFeePerGas: 500n * GWEI }).maxFeePerGas).to.equal(150n * GWEI);
  });

  it("the gas budget counts a transaction's worst case (gas limit × max fee) split among its legs", function () {
    expect(worstCaseShare(100_000n, 10n * GWEI, 1)).to.equal(10n ** 15n);
    expect(worstCaseShare(100_000n, 10n * GWEI, 4)).to.equal(10n ** 15n / 4n);
    expect(worstCaseShare(100_000n, 10n * GWEI, 0)).to.equal(10n ** 15n);
  });
});
