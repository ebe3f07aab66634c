/**
 * The engine's pure decision function against the §3 schedule: which party acts at each step, the
 * commit only when both legs are escrowed, settlements by the beneficiary then by anyone after the
 * grace, deadlines judged by each chain's clock with the reaction margin, the halt switch, the
 * statuses and outcome labels of the scenario matrix.
 */
import { expect } from "chai";
import { Wallet } from "ethers";

import { LegState, NO_CHAIN_DELAY, planHedgedSwap, planOption, type SwapPlan } from "../../src/sdk";
import { decide, outcomeLabel, type LegObservation, type SwapView } from "../../src/coordinator/engine/decide";

const T0 = 1_900_000_000n;
const D = 600n;
const SECRET = "0x" + "77".repeat(32);
const NONE: LegObservation = { state: LegState.None };
const PREMIUM: LegObservation = { state: LegState.PremiumDeposited };
const ESCROWED: LegObservation = { state: LegState.Escrowed };

function plan(kind: "hedged-swap" | "option" = "hedged-swap"): SwapPlan {
  const terms = {
    leader: new Wallet("0x" + "11".repeat(32)).address,
    follower: new Wallet("0x" + "22".repeat(32)).address,
    secret: SECRET,
    start: T0,
    delta: D,
    legA: { chainId: 1n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 100n, premiumAmount: 1n },
    legB: { chainId: 2n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", amount: 100n, premiumAmount: 3n },
  };
  return kind === "option" ? planOption(terms, { now: T0 }) : planHedgedSwap(terms, { now: T0 });
}

const at = (k: number, plus = 0n) => T0 + BigInt(k) * D + plus;

function view(p: Partial<SwapView>): SwapView {
  return {
    plan: plan(),
    roles: { leader: true, follower: true },
    status: "accepted",
    legA: NONE,
    legB: NONE,
    timeA: T0 + 1n,
    timeB: T0 + 1n,
    pending: new Set(),
    margins: { reaction: 30n, chainA: NO_CHAIN_DELAY, chainB: NO_CHAIN_DELAY },
    settleGrace: 60n,
    ...p,
  };
}

const steps = (v: SwapView) => decide(v).intents.map((i) => `${i.step}:${i.as}:${i.action}:${i.leg}`);

describe("coordinator decide()", function () {
  it("walks the six steps, each by its party, one at a time", function () {
    expect(steps(view({}))).to.deep.equal(["1:leader:depositPremium:B"]);
    expect(steps(view({ legB: PREMIUM }))).to.deep.equal(["2:follower:depositPremium:A"]);
    expect(steps(view({ legA: PREMIUM, legB: PREMIUM }))).to.deep.equal(["3:leader:escrow:A"]);
    expect(steps(view({ legA: ESCROWED, legB: PREMIUM }))).to.deep.equal(["4:follower:escrow:B"]);
    expect(steps(view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET }))).to.deep.equal(["5:leader:redeem:B"]);
    expect(steps(view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET, revealedSecret: SECRET }))).to.deep.equal(["5:leader:redeem:B", "6:follower:redeem:A"]);
    expect(decide(view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET })).intents[0]!.commit).to.equal(true);
    expect(steps(view({ legA: ESCROWED, legB: { state: LegState.None, outcome: "redeemed" }, revealedSecret: SECRET }))).to.deep.equal(["6:follower:redeem:A"]);
  });

  it("acts only for the roles it holds", function () {
    expect(steps(view({ roles: { leader: false, follower: true } }))).to.deep.equal([]);
    expect(steps(view({ roles: { leader: false, follower: true }, legA: ESCROWED, legB: ESCROWED, revealedSecret: SECRET }))).to.deep.equal(["6:follower:redeem:A"]);
    expect(steps(view({ roles: { leader: true, follower: false }, legA: ESCROWED, legB: PREMIUM }))).to.deep.equal([]);
  });

  it("never reveals before both legs are escrowed (no step 5 with leg B only premium-deposited)", function () {
    expect(steps(view({ roles: { leader: true, follower: false }, legA: ESCROWED, legB: PREMIUM, leaderSecret: SECRET }))).to.deep.equal([]);
    expect(steps(view({ roles: { leader: true, follower: false }, legA: PREMIUM, legB: ESCROWED, leaderSecret: SECRET }))).to.deep.equal(["3:leader:escrow:A"]);
  });

  it("judges each step by its own chain's clock with the reaction margin; too late → missed, not sent", function () {
    expect(steps(view({ timeB: at(1, -30n) }))).to.deep.equal(["1:leader:depositPremium:B"]);
    const late = decide(view({ timeB: at(1, -29n) }));
    expect(late.intents).to.deep.equal([]);
    expect(late.missed).to.deep.equal([{ step: 1, reason: "deadline", deadline: at(1) }]);
    // Chain A's clock is behind: step 2 is still possible on A even though B's clock is past 2Δ.
    expect(steps(view({ legB: PREMIUM, timeA: at(2, -100n), timeB: at(2, 50n) }))).to.deep.equal(["2:follower:depositPremium:A"]);
  });

  it("redeems leg B when the follower escrowed it out of turn and leg A can no longer be escrowed (else the leader's premium would go to the follower)", function () {
    const leader = { roles: { leader: true, follower: false }, legB: ESCROWED, leaderSecret: SECRET };
    // Leg A never created; chain A past leg A's escrow deadline (3Δ): nothing of the leader's is at stake.
    expect(steps(view({ ...leader, legA: NONE, timeA: at(3, 1n), timeB: at(4) }))).to.deep.equal(["5:leader:redeem:B"]);
    expect(steps(view({ ...leader, legA: PREMIUM, timeA: at(3, 1n), timeB: at(4) }))).to.deep.equal(["5:leader:redeem:B"]);
    // Not while leg A can still be escrowed (its premium may still come by 2Δ, the escrow by 3Δ), nor with the leader's own escrow of leg A on the way.
    expect(steps(view({ ...leader, legA: NONE, timeA: at(2), timeB: at(4) }))).to.deep.equal([]);
    expect(steps(view({ ...leader, legA: NONE, timeA: at(2, 1n), timeB: at(4) }))).to.deep.equal(["5:leader:redeem:B"]);
    expect(steps(view({ ...leader, legA: PREMIUM, timeA: at(3), timeB: at(4) }))).to.deep.equal([]);
    expect(steps(view({ ...leader, legA: PREMIUM, timeA: at(3, 1n), timeB: at(4), pending: new Set(["escrow:A"]) }))).to.deep.equal([]);
    // Confirmations count: chain A's final block must be past the deadline too.
    const margins = { reaction: 30n, chainA: { inclusionTime: 0n, confirmationTime: 5n, clockSkew: 0n }, chainB: NO_CHAIN_DELAY };
    expect(steps(view({ ...leader, legA: NONE, timeA: at(2, 5n), timeB: at(4), margins }))).to.deep.equal([]);
    expect(steps(view({ ...leader, legA: NONE, timeA: at(2, 6n), timeB: at(4), margins }))).to.deep.equal(["5:leader:redeem:B"]);
    expect(steps(view({ ...leader, legA: PREMIUM, timeA: at(3, 5n), timeB: at(4), margins }))).to.deep.equal([]);
    expect(steps(view({ ...leader, legA: PREMIUM, timeA: at(3, 6n), timeB: at(4), margins }))).to.deep.equal(["5:leader:redeem:B"]);
  });

  it("holding both keys, the follower role never uses the leader's own secret (defect 5: step 6 waits for s on chain)", function () {
    const both = view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET });
    expect(steps(both)).to.deep.equal(["5:leader:redeem:B"]);
    expect(decide(both).intents[0]!.secret).to.equal(SECRET);
    const seen = decide({ ...both, legB: { state: LegState.None, outcome: "redeemed" }, revealedSecret: SECRET });
    expect(seen.intents.map((i) => `${i.step}:${i.as}:${i.secret}`)).to.deep.equal([`6:follower:${SECRET}`]);
  });

  it("reveals only with inclusion time + confirmations + clock skew + reaction margin to spare; else the abort branch (defect 2)", function () {
    const chainB = { inclusionTime: 10n, confirmationTime: 2n, clockSkew: 5n };
    const margins = { reaction: 30n, chainA: NO_CHAIN_DELAY, chainB };
    const leader = { roles: { leader: true, follower: false }, legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET, margins, status: "escrowedB" as const };
    expect(steps(view({ ...leader, timeB: at(5, -47n) }))).to.deep.equal(["5:leader:redeem:B"]);
    // One second later the reaction margin alone (30 s) would still allow it; the reveal margin (47 s) does not.
    const late = decide(view({ ...leader, timeB: at(5, -46n) }));
    expect(late.intents).to.deep.equal([]);
    expect(late.missed).to.deep.equal([{ step: 5, reason: "reveal-margin", deadline: at(5) }]);
    expect(late.status).to.equal("aborting");
    // Once s is public anyway, the follower's redeem goes out up to leg A's timeout itself.
    const follower = view({ roles: { leader: false, follower: true }, legA: ESCROWED, legB: { state: LegState.None, outcome: "redeemed" }, revealedSecret: SECRET, timeA: at(6) });
    expect(steps(follower)).to.deep.equal(["6:follower:redeem:A"]);
  });

  it("withholds step 4 while the follower's step 6 could not land under chain A's clock, without moving the swap to aborting (issue 16, defect 3)", function () {
    const jump = (23n * D) / 4n; // chain A 5.75Δ ahead after step 3
    const v = view({ status: "escrowedA", legA: ESCROWED, legB: PREMIUM, timeB: T0 + 4n, timeA: T0 + 4n + jump });
    const held = decide(v);
    expect(held.intents).to.deep.equal([]);
    expect(held.missed).to.deep.equal([{ step: 4, reason: "next-step", deadline: at(4), next: { step: 6, deadline: at(6), offset: jump } }]);
    expect(held.status).to.equal("escrowedA");
    // The rule asks again every round: with the clocks back within bounds the step goes out.
    expect(steps({ ...v, timeA: T0 + 6n })).to.deep.equal(["4:follower:escrow:B"]);
    // Step 1 is the leader's (its step 3 is on chain A, like step 2): a chain's lead over the other is not in its way.
    expect(decide(view({ timeB: T0 + 4n, timeA: T0 + 4n + jump })).missed).to.deep.equal([]);
    // Once leg B's escrow deadline passes on chain B, the schedule moves it to aborting and the leader settles leg B.
    const late = decide({ ...v, timeB: at(4, 1n), timeA: at(4, 1n) + D });
    expect(late.status).to.equal("aborting");
    expect(late.intents.map((i) => `${i.step}:${i.as}:${i.action}:${i.leg}`)).to.deep.equal(["settle:leader:settle:B"]);
  });

  it("after consenting to an abort: the leader takes no step 3 or 5, the follower no step 2 or 4", function () {
    expect(steps(view({ legA: PREMIUM, legB: PREMIUM, noReveal: true }))).to.deep.equal([]);
    expect(steps(view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET, noReveal: true }))).to.deep.equal([]);
    // With leg A closed the vow no longer binds: redeeming leg B risks nothing, and waiting would hand the premium over.
    expect(steps(view({ roles: { leader: true, follower: false }, legA: NONE, legB: ESCROWED, leaderSecret: SECRET, noReveal: true, timeA: at(2, 1n), timeB: at(4) }))).to.deep.equal(["5:leader:redeem:B"]);
    expect(steps(view({ legB: PREMIUM, noEscrow: true }))).to.deep.equal([]);
    expect(steps(view({ legA: ESCROWED, legB: PREMIUM, noEscrow: true }))).to.deep.equal([]);
  });

  it("does not repeat an action with an open transaction", function () {
    expect(steps(view({ pending: new Set(["depositPremium:B"]) }))).to.deep.equal([]);
  });

  it("settles after each deadline: beneficiary at once, the other party only after the grace", function () {
    // Leg B premium-deposited past its escrow deadline (4Δ): the premium goes back to the leader.
    const s3 = view({ legA: ESCROWED, legB: PREMIUM, timeA: at(4, 1n), timeB: at(4, 1n) });
    expect(steps(s3)).to.deep.equal(["settle:leader:settle:B"]);
    expect(steps({ ...s3, roles: { leader: false, follower: true } })).to.deep.equal([]);
    expect(steps({ ...s3, roles: { leader: false, follower: true }, timeB: at(4, 61n) })).to.deep.equal(["settle:follower:settle:B"]);
    // Both legs escrowed, nobody revealed, past every timeout: each escrower settles its own leg.
    expect(steps(view({ legA: ESCROWED, legB: ESCROWED, timeA: at(6, 1n), timeB: at(6, 1n) }))).to.deep.equal(["settle:leader:settle:A", "settle:follower:settle:B"]);
    // At the deadline itself nothing settles.
    expect(steps(view({ legA: ESCROWED, legB: ESCROWED, timeA: at(6), timeB: at(5) }))).to.deep.equal([]);
  });

  it("halts after step k but still settles", function () {
    expect(steps(view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET, haltAfterStep: 4 }))).to.deep.equal([]);
    expect(steps(view({ legA: ESCROWED, legB: ESCROWED, leaderSecret: SECRET, haltAfterStep: 5 }))).to.deep.equal(["5:leader:redeem:B"]);
    expect(steps(view({ legA: ESCROWED, legB: PREMIUM, haltAfterStep: 3 }))).to.deep.equal([]);
    expect(steps(view({ legA: ESCROWED, legB: PREMIUM, haltAfterStep: 3, timeB: at(4, 1n), timeA: at(4, 1n) }))).to.deep.equal(["settle:leader:settle:B"]);
  });

  it("statuses: forward along the happy path, aborting when a step is missed, final with the matrix label", function () {
    expect(decide(view({ legB: PREMIUM })).status).to.equal("premiumB");
    expect(decide(view({ legA: PREMIUM, legB: PREMIUM })).status).to.equal("premiumA");
    expect(decide(view({ legA: ESCROWED, legB: PREMIUM })).status).to.equal("escrowedA");
    expect(decide(view({ legA: ESCROWED, legB: ESCROWED })).status).to.equal("escrowedB");
    expect(decide(view({ legA: ESCROWED, legB: ESCROWED, status: "committed" })).status).to.equal("committed");
    expect(decide(view({ legA: ESCROWED, legB: { state: LegState.None, outcome: "redeemed" } })).status).to.equal("redeemedB");
    expect(decide(view({ legA: ESCROWED, legB: PREMIUM, timeB: at(4, 1n) })).status).to.equal("aborting");
    const done = decide(view({ legA: { state: LegState.None, outcome: "redeemed" }, legB: { state: LegState.None, outcome: "redeemed" } }));
    expect(done).to.include({ status: "completed", outcome: "completed" });
    const s0 = decide(view({ timeA: at(2, 1n), timeB: at(2, 1n) }));
    expect(s0).to.include({ status: "settled", outcome: "S0" });
  });

  it("labels every outcome of the matrix and the option", function () {
    const o = (a?: LegObservation["outcome"], b?: LegObservation["outcome"]) => [{ state: LegState.None, ...(a ? { outcome: a } : {}) }, { state: LegState.None, ...(b ? { outcome: b } : {}) }] as const;
    expect(outcomeLabel("hedged-swap", ...o(undefined, "premiumRefunded"))).to.equal("S1");
    expect(outcomeLabel("hedged-swap", ...o("premiumRefunded", "premiumRefunded"))).to.equal("S2");
    expect(outcomeLabel("hedged-swap", ...o("refunded", "premiumRefunded"))).to.equal("S3");
    expect(outcomeLabel("hedged-swap", ...o("refunded", "refunded"))).to.equal("S4");
    expect(outcomeLabel("hedged-swap", ...o("refunded", "redeemed"))).to.equal("S5");
    expect(outcomeLabel("option", ...o("redeemed", "redeemed"))).to.equal("exercised");
    expect(outcomeLabel("option", ...o("refunded", "refunded"))).to.equal("abandoned");
    // A cooperative abort of either leg, neither redeemed: "aborted" (each leg's own outcome is in the detail).
    for (const [a, b] of [["aborted", "aborted"], ["aborted", "premiumRefunded"], ["aborted", undefined], ["refunded", "aborted"], [undefined, "aborted"]] as const) {
      expect(outcomeLabel("hedged-swap", ...o(a, b)), `${a}/${b}`).to.equal("aborted");
    }
    expect(outcomeLabel(plan("option").kind, ...o("aborted", "refunded"))).to.equal("aborted");
    expect(outcomeLabel("hedged-swap", { state: LegState.Aborted }, { state: LegState.Aborted })).to.equal("aborted");
    // Not a conforming run's end (a redeem next to an abort): both legs named.
    expect(outcomeLabel("hedged-swap", ...o("aborted", "redeemed"))).to.equal("A:aborted B:redeemed");
  });
});
