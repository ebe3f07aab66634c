/**
 * Unit tests of the two batch entry points that create or fund many legs in one call:
 * `depositPremiumBatch` (step 1, the redeemer's premiums) and `escrowBatch` (step 2, the escrower's
 * principals; a leg with premium 0 is a plain leg created by escrowing, as in `escrow`).
 *
 * Both are tested through one description of a batch step (`BatchStep`), so that every shared rule
 * runs against both: each leg's state, every event with every argument and in leg order, all events
 * before the first token transfer (every leg is checked and recorded before any asset moves), the
 * exact balance moves (caller -sum, escrow +sum per asset), exactly one `transferFrom` per token with
 * the summed amount, `msg.value` equal to the native sum (checked before any token transfer), one bad
 * leg among good ones reverting the whole call with the error and arguments the single-leg function
 * gives for that leg, duplicates within a batch, an empty batch, a fee-on-transfer token, sums that
 * would wrap. The `escrowBatch` legs of the shared tests alternate premium legs (premium deposited
 * first) and plain legs. After every revert the tests check that no balance and no leg state moved.
 * Then: what only one of the functions does, batch-created legs redeemed and settled end to end, and
 * `legStatesOf`, the bulk read of leg states.
 *
 * Re-entrancy through the token during the batch pull (`ReentrantToken`): a nested deposit in the same
 * token breaks the outer balance check and reverts everything; a re-entered redeem or settle finds the
 * legs already recorded and fails.
 *
 * Time: legs are built from `t0` (the latest block time when the test starts) as in
 * `HedgeSwapEscrow.test.ts`: premium by t0+Δ (premium legs), escrow by t0+2Δ, timeout t0+4Δ; a test
 * sets the exact timestamp of a transaction with `setNextTimestamp` whenever an error carries it.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";

import { DELTA, NATIVE, PremiumMode, setNextTimestamp, valueFor, type LegOptions, type LegStruct } from "../helpers/fixture";
import { expectDeltas, expectUnchanged, track } from "../helpers/balances";
import { setup, type Ctx } from "../helpers/context";
import { LegState, escrowEvent, newLeg, premiumDepositedArgs, receiptOf, transfersFrom, type TestLeg } from "../helpers/legs";
import type { ReentrantToken } from "../../typechain-types";

// ================================================================ constants


const PREMIUM = 3n * 10n ** 18n;

// ================================================================ legs



function depositPremium(c: Ctx, leg: LegStruct): Promise<ContractTransactionResponse> {
  return c.escrow.connect(c.bob).depositPremium(leg, valueFor(leg.premiumToken, leg.premiumAmount));
}



// ================================================================ receipts

interface EscrowLog {
  name: string;
  args: unknown[];
}


/** Every event the escrow emitted in `receipt`, in order, with its arguments. */
function escrowLogs(c: Ctx, receipt: TransactionReceipt): EscrowLog[] {
  const out: EscrowLog[] = [];
  for (const log of receipt.logs) {
    if (log.address !== c.escrowAddress) continue;
    const event = c.escrow.interface.parseLog(log);
    if (event === null) throw new Error(`unknown escrow log ${log.topics[0]}`);
    out.push({ name: event.name, args: [...event.args] });
  }
  return out;
}


/** Asserts that every log of the escrow in `receipt` comes before every log of any other contract. */
function expectEffectsBeforeTransfers(c: Ctx, receipt: TransactionReceipt): void {
  const escrowIndexes = receipt.logs.filter((l) => l.address === c.escrowAddress).map((l) => l.index);
  const otherIndexes = receipt.logs.filter((l) => l.address !== c.escrowAddress).map((l) => l.index);
  if (escrowIndexes.length === 0 || otherIndexes.length === 0) return;
  expect(Math.max(...escrowIndexes), "last escrow event before the first token event").to.be.lessThan(Math.min(...otherIndexes));
}

/** The raw revert data of a call that must revert. */
async function revertData(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (e) {
    const data = (e as { data?: unknown }).data;
    // A custom error: a selector at least (never an empty revert).
    if (typeof data === "string" && data.length >= 10) return data;
    throw e;
  }
  throw new Error("the call did not revert");
}

// ================================================================ the two batch steps

/** What a test asks of one leg of a batch: the asset the step pays, and (escrowBatch) a plain leg. */
interface Spec {
  token: string;
  amount: bigint;
  /** escrowBatch only: a plain leg (premium 0), created by the batch. */
  plain?: boolean;
  o?: Partial<LegOptions>;
}

interface BatchStep {
  name: "depositPremiumBatch" | "escrowBatch";
  /** The single-leg function the batch stands for. */
  single: "depositPremium" | "escrow";
  /** Who calls it with the default roles (bob, the redeemer; alice, the escrower). */
  caller(c: Ctx): HardhatEthersSigner;
  /** A leg paying `spec.amount` of `spec.token` in this step (not yet prepared). */
  leg(c: Ctx, spec: Spec): TestLeg;
  /** Brings `t` to where the step expects it (escrowBatch: the premium of a premium leg deposited). */
  prepare(c: Ctx, t: TestLeg): Promise<void>;
  /** The asset and amount the step takes for `leg`. */
  paid(leg: LegStruct): { token: string; amount: bigint };
  /** The state of a prepared leg before the step. */
  stateBefore(t: TestLeg): bigint;
  stateAfter: bigint;
  /** The event the step emits for `t`, with every argument. */
  event(t: TestLeg): EscrowLog;
  /** Options setting the deadline of this step to `deadline`. */
  deadlineOptions(deadline: bigint): Partial<LegOptions>;
  /** Options giving the caller's role to `account`. */
  callerRole(account: string): Partial<LegOptions>;
  /** The error when someone else calls. */
  callerError: "LegCallerNotRedeemer" | "LegCallerNotEscrower";
}

const DEPOSIT_BATCH: BatchStep = {
  name: "depositPremiumBatch",
  single: "depositPremium",
  caller: (c) => c.bob,
  leg: (c, s) => newLeg(c, { premiumToken: s.token, premiumAmount: s.amount, ...s.o }),
  prepare: async () => {},
  paid: (leg) => ({ token: leg.premiumToken, amount: leg.premiumAmount }),
  stateBefore: () => LegState.None,
  stateAfter: LegState.PremiumDeposited,
  event: (t) => ({ name: "LegPremiumDeposited", args: premiumDepositedArgs(t) }),
  deadlineOptions: (deadline) => ({ premiumDeadline: deadline }),
  callerRole: (account) => ({ redeemer: account }),
  callerError: "LegCallerNotRedeemer",
};

const ESCROW_BATCH: BatchStep = {
  name: "escrowBatch",
  single: "escrow",
  caller: (c) => c.alice,
  leg: (c, s) => newLeg(c, { token: s.token, amount: s.amount, ...(s.plain === true ? {} : { premiumAmount: PREMIUM }), ...s.o }),
  prepare: async (c, t) => {
    if (t.leg.premiumAmount > 0n) await depositPremium(c, t.leg);
  },
  paid: (leg) => ({ token: leg.token, amount: leg.amount }),
  stateBefore: (t) => (t.leg.premiumAmount > 0n ? LegState.PremiumDeposited : LegState.None),
  stateAfter: LegState.Escrowed,
  event: escrowEvent,
  deadlineOptions: (deadline) => ({ premiumDeadline: deadline, escrowDeadline: deadline }),
  callerRole: (account) => ({ escrower: account }),
  callerError: "LegCallerNotEscrower",
};

const STEPS = [DEPOSIT_BATCH, ESCROW_BATCH];

/** The native coin the step takes for `legs` (the `msg.value` a correct batch sends). */
function nativeSum(step: BatchStep, legs: TestLeg[]): bigint {
  return legs.map((t) => step.paid(t.leg)).reduce((sum, p) => sum + (p.token === NATIVE ? p.amount : 0n), 0n);
}

/** What the step takes for `legs`, per asset, in the order of first appearance. */
function sums(step: BatchStep, legs: TestLeg[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const t of legs) {
    const { token, amount } = step.paid(t.leg);
    out.set(token, (out.get(token) ?? 0n) + amount);
  }
  return out;
}

function sendBatch(
  c: Ctx,
  step: BatchStep,
  legs: TestLeg[],
  o: { value?: bigint; by?: HardhatEthersSigner } = {},
): Promise<ContractTransactionResponse> {
  const by = o.by ?? step.caller(c);
  const value = o.value ?? nativeSum(step, legs);
  const arg = legs.map((t) => t.leg);
  return step.name === "depositPremiumBatch"
    ? c.escrow.connect(by).depositPremiumBatch(arg, { value })
    : c.escrow.connect(by).escrowBatch(arg, { value });
}

function staticBatch(c: Ctx, step: BatchStep, legs: TestLeg[], value: bigint): Promise<unknown> {
  const arg = legs.map((t) => t.leg);
  const escrow = c.escrow.connect(step.caller(c));
  return step.name === "depositPremiumBatch"
    ? escrow.depositPremiumBatch.staticCall(arg, { value })
    : escrow.escrowBatch.staticCall(arg, { value });
}

function staticSingle(c: Ctx, step: BatchStep, t: TestLeg): Promise<unknown> {
  const { token, amount } = step.paid(t.leg);
  const escrow = c.escrow.connect(step.caller(c));
  return step.single === "depositPremium"
    ? escrow.depositPremium.staticCall(t.leg, valueFor(token, amount))
    : escrow.escrow.staticCall(t.leg, valueFor(token, amount));
}

/**
 * Legs for `specs`, prepared for the step. Unless a spec says otherwise, the escrowBatch legs
 * alternate premium legs (even positions, premium deposited) and plain legs (odd positions).
 */
async function batchLegs(c: Ctx, step: BatchStep, specs: Spec[]): Promise<TestLeg[]> {
  const legs = specs.map((s, i) => step.leg(c, { plain: i % 2 === 1, ...s }));
  for (const t of legs) await step.prepare(c, t);
  return legs;
}

/** The extra tokens a balance tracker must follow for `legs` (beyond native, APR, BAN). */
function extraTokens(c: Ctx, legs: TestLeg[]): string[] {
  const out = new Set<string>();
  for (const t of legs) for (const token of [t.leg.token, t.leg.premiumToken]) if (token === c.FEE || token === c.NORET) out.add(token);
  return [...out];
}

async function statesOf(c: Ctx, legs: TestLeg[]): Promise<bigint[]> {
  return Promise.all(legs.map((t) => c.escrow.legState(t.id)));
}

/**
 * Sends a correct batch of `legs` and checks all of its effects: every leg's state, exactly the
 * expected events with every argument in leg order and nothing else from the escrow, every event
 * before the first token transfer, one transfer per ERC-20 from the caller to the escrow with the
 * sum, and the exact balance moves.
 */
async function expectBatch(c: Ctx, step: BatchStep, legs: TestLeg[]): Promise<TransactionReceipt> {
  expect(await statesOf(c, legs)).to.deep.equal(legs.map((t) => step.stateBefore(t)));
  const caller = step.caller(c);
  const tracker = await track(c, extraTokens(c, legs));
  const receipt = await receiptOf(await sendBatch(c, step, legs));
  expect(escrowLogs(c, receipt)).to.deep.equal(legs.map((t) => step.event(t)));
  expectEffectsBeforeTransfers(c, receipt);
  expect(await statesOf(c, legs)).to.deep.equal(legs.map(() => step.stateAfter));
  const perAsset = sums(step, legs);
  const deltas: [string, string, bigint][] = [];
  for (const [token, sum] of perAsset) {
    deltas.push([token, caller.address, -sum], [token, c.escrowAddress, sum]);
    // NoReturnToken emits no events; every other ERC-20 here does.
    if (token !== NATIVE && token !== c.NORET) {
      expect(transfersFrom(c, receipt, token, caller.address), `transfers of ${c.names.get(token.toLowerCase())}`).to.deep.equal([
        [c.escrowAddress, sum],
      ]);
    }
  }
  await expectDeltas(c, tracker, deltas);
  return receipt;
}

/**
 * Sends the batch of `legs` (with `value`, default the native sum) and expects `error(...args)`;
 * then that no balance and no leg state moved.
 */
async function expectBatchRevert(
  c: Ctx,
  step: BatchStep,
  legs: TestLeg[],
  error: string,
  args: unknown[],
  o: { value?: bigint; at?: bigint } = {},
): Promise<void> {
  const before = await statesOf(c, legs);
  const tracker = await track(c, extraTokens(c, legs));
  if (o.at !== undefined) await setNextTimestamp(o.at);
  await expect(sendBatch(c, step, legs, { value: o.value }))
    .to.be.revertedWithCustomError(c.escrow, error)
    .withArgs(...args);
  await expectUnchanged(c, tracker);
  expect(await statesOf(c, legs)).to.deep.equal(before);
}

// ================================================================ tests

describe("HedgeSwapEscrow: batch creation (depositPremiumBatch, escrowBatch)", function () {
  for (const step of STEPS) {
    describe(step.name, function () {
      // ------------------------------------------------------------ success

      it("takes several native-coin legs in one call: states, events, balances", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: NATIVE, amount: 1n },
          { token: NATIVE, amount: 20n },
          { token: NATIVE, amount: 300n },
        ]);
        const receipt = await expectBatch(c, step, legs);
        expect(receipt.logs.every((l) => l.address === c.escrowAddress)).to.equal(true);
      });

      it("takes several legs of one ERC-20 with exactly one transferFrom of the sum", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: c.APR, amount: 5n },
          { token: c.APR, amount: 7n },
          { token: c.APR, amount: 11n },
          { token: c.APR, amount: 13n },
        ]);
        const receipt = await expectBatch(c, step, legs);
        expect(transfersFrom(c, receipt, c.APR, step.caller(c).address)).to.deep.equal([[c.escrowAddress, 36n]]);
      });

      it("takes two ERC-20s and the native coin in one call: one transfer per token, msg.value = the native sum", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: c.APR, amount: 5n },
          { token: NATIVE, amount: 7n },
          { token: c.BAN, amount: 11n },
          { token: c.APR, amount: 13n },
          { token: NATIVE, amount: 17n },
        ]);
        expect(nativeSum(step, legs)).to.equal(24n);
        const receipt = await expectBatch(c, step, legs);
        expect(transfersFrom(c, receipt, c.APR, step.caller(c).address)).to.deep.equal([[c.escrowAddress, 18n]]);
        expect(transfersFrom(c, receipt, c.BAN, step.caller(c).address)).to.deep.equal([[c.escrowAddress, 11n]]);
      });

      it("takes legs in a token without bool returns", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: c.NORET, amount: 5n },
          { token: c.NORET, amount: 6n },
        ]);
        await expectBatch(c, step, legs);
      });

      it("takes a single leg like the single-leg function", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [{ token: c.APR, amount: PREMIUM }]);
        await expectBatch(c, step, legs);
      });

      it("takes a leg exactly at its deadline", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: NATIVE, amount: 1n },
          { token: c.APR, amount: 2n, plain: false, o: step.deadlineOptions(c.t0 + 100n) },
        ]);
        await setNextTimestamp(c.t0 + 100n);
        await expectBatch(c, step, legs);
      });

      // ------------------------------------------------------------ msg.value

      it("reverts with NativeValueMismatch(sum, value) when msg.value is below or above the native sum, or 0", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: NATIVE, amount: 10n },
          { token: c.APR, amount: 5n },
          { token: NATIVE, amount: 20n },
        ]);
        for (const value of [29n, 31n, 0n]) {
          await expectBatchRevert(c, step, legs, "NativeValueMismatch", [30n, value], { value });
        }
      });

      it("reverts with NativeValueMismatch(0, value) when native coin comes with ERC-20 legs only", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: c.APR, amount: 5n },
          { token: c.BAN, amount: 6n },
        ]);
        await expectBatchRevert(c, step, legs, "NativeValueMismatch", [0n, 1n], { value: 1n });
      });

      it("checks msg.value before any token transfer (a fee-on-transfer leg does not get to fail first)", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: c.FEE, amount: 1000n },
          { token: NATIVE, amount: 10n },
        ]);
        await expectBatchRevert(c, step, legs, "NativeValueMismatch", [10n, 9n], { value: 9n });
      });

      // ------------------------------------------------------------ one bad leg

      it(`reverts as a whole with ${step.callerError}(legId, caller, role) when one leg is someone else's`, async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: NATIVE, amount: 1n },
          { token: c.APR, amount: 2n, plain: false, o: step.callerRole(c.carol.address) },
          { token: c.APR, amount: 3n },
        ]);
        const bad = legs[1]!;
        await expectBatchRevert(c, step, legs, step.callerError, [bad.id, step.caller(c).address, c.carol.address]);
        // The very error (and arguments) the single-leg function gives for that leg.
        expect(await revertData(staticBatch(c, step, legs, 1n))).to.equal(await revertData(staticSingle(c, step, bad)));
      });

      it("reverts as a whole with LegDeadlinePassed(legId, deadline, now) when one leg is one second late", async function () {
        const c = await setup();
        const deadline = c.t0 + 100n;
        const legs = await batchLegs(c, step, [
          { token: NATIVE, amount: 1n },
          { token: c.APR, amount: 2n, plain: false, o: step.deadlineOptions(deadline) },
          { token: NATIVE, amount: 3n },
        ]);
        await expectBatchRevert(c, step, legs, "LegDeadlinePassed", [legs[1]!.id, deadline, deadline + 1n], { at: deadline + 1n });
      });

      it("reverts as a whole with LegUnexpectedState when one leg already went through this step", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: NATIVE, amount: 1n },
          { token: c.APR, amount: 2n },
          { token: c.BAN, amount: 3n },
        ]);
        const done = legs[1]!;
        await sendBatch(c, step, [done]);
        await expectBatchRevert(c, step, legs, "LegUnexpectedState", [done.id, step.stateAfter]);
        expect(await revertData(staticBatch(c, step, legs, 4n))).to.equal(await revertData(staticSingle(c, step, done)));
      });

      for (const plain of step.name === "escrowBatch" ? [false, true] : [false]) {
        const kind = step.name === "escrowBatch" ? (plain ? " (a plain leg)" : " (a premium leg)") : "";
        it(`reverts as a whole with LegUnexpectedState(legId, ${step.stateAfter === LegState.Escrowed ? "Escrowed" : "PremiumDeposited"}) when a leg appears twice${kind}`, async function () {
          const c = await setup();
          const [a, b] = await batchLegs(c, step, [
            { token: c.APR, amount: 2n, plain },
            { token: NATIVE, amount: 5n },
          ]);
          // The second occurrence of `a` finds it created (or escrowed) by the first.
          await expectBatchRevert(c, step, [a!, b!, a!], "LegUnexpectedState", [a!.id, step.stateAfter]);
          await expectBatchRevert(c, step, [a!, a!], "LegUnexpectedState", [a!.id, step.stateAfter]);
        });
      }

      it("reverts with BatchEmpty for no leg, with or without native coin", async function () {
        const c = await setup();
        for (const value of [0n, 1n]) await expectBatchRevert(c, step, [], "BatchEmpty", [], { value });
      });

      // ------------------------------------------------------------ assets

      it("reverts with TokenAmountMismatch(token, summed amount, received) for a fee-on-transfer token", async function () {
        const c = await setup();
        const legs = await batchLegs(c, step, [
          { token: c.APR, amount: 7n },
          { token: c.FEE, amount: 1_000n },
          { token: NATIVE, amount: 3n },
          { token: c.FEE, amount: 2_500n },
        ]);
        // One transfer of 3,500: 1% (35) burnt, 3,465 received.
        await expectBatchRevert(c, step, legs, "TokenAmountMismatch", [c.FEE, 3_500n, 3_465n]);
      });

      it("reverts with TokenCallFailed(token) when an asset is an EOA, not a token", async function () {
        const c = await setup();
        const eoa = c.others[0]!.address;
        const legs = await batchLegs(c, step, [
          { token: c.APR, amount: 7n },
          { token: eoa, amount: 8n },
        ]);
        await expectBatchRevert(c, step, legs, "TokenCallFailed", [eoa]);
      });

      it("cannot wrap a sum: two legs of 2^255 revert with an arithmetic panic, token or native", async function () {
        const c = await setup();
        const half = 1n << 255n;
        for (const token of [c.APR, NATIVE]) {
          const legs = await batchLegs(c, step, [
            { token, amount: half },
            { token, amount: half },
          ]);
          const before = await statesOf(c, legs);
          const tracker = await track(c);
          // A wrapped native sum would be 0 and match a msg.value of 0.
          await expect(sendBatch(c, step, legs, { value: 0n })).to.be.revertedWithPanic(0x11);
          await expectUnchanged(c, tracker);
          expect(await statesOf(c, legs)).to.deep.equal(before);
        }
      });
    });
  }

  // ---------------------------------------------------------------- re-entrancy through the token

  describe("a token that re-enters the escrow from transferFrom (ReentrantToken)", function () {
    /** A ReentrantToken; bob holds 1000 and approved the escrow. */
    async function reentrant(c: Ctx): Promise<{ token: ReentrantToken; address: string }> {
      const token = (await ethers.deployContract("ReentrantToken")) as unknown as ReentrantToken;
      const address = await token.getAddress();
      await token.mint(c.bob.address, 1000n);
      await token.connect(c.bob).approve(c.escrowAddress, ethers.MaxUint256);
      return { token, address };
    }

    it("a nested premium deposit in the same token during the pull breaks the outer balance check: the whole call reverts, nothing moves", async function () {
      const c = await setup();
      const { token, address } = await reentrant(c);
      const legs = [newLeg(c, { premiumToken: address, premiumAmount: 7n }), newLeg(c, { premiumToken: address, premiumAmount: 11n })];
      // From inside the outer pull, the token deposits a premium of its own (it is that leg's redeemer).
      const nested = newLeg(c, { redeemer: address, premiumToken: address, premiumAmount: 5n });
      await token.mint(address, 5n);
      await token.approveFromSelf(c.escrowAddress, 5n);
      await token.arm(c.escrowAddress, c.escrow.interface.encodeFunctionData("depositPremium", [nested.leg]));
      const tracker = await track(c, [address], [address]);
      await expect(c.escrow.connect(c.bob).depositPremiumBatch(legs.map((t) => t.leg)))
        .to.be.revertedWithCustomError(c.escrow, "TokenAmountMismatch")
        .withArgs(address, 18n, 23n);
      await expectUnchanged(c, tracker);
      expect(await statesOf(c, [...legs, nested])).to.deep.equal([LegState.None, LegState.None, LegState.None]);
    });

    for (const [fn, error] of [
      ["redeemBatch", "LegUnexpectedState"],
      ["settleBatch", "LegNotExpired"],
    ] as const) {
      it(`re-entering ${fn} of the legs being created finds them recorded and fails (${error}); the batch lands once, balances exact`, async function () {
        const c = await setup();
        const { token, address } = await reentrant(c);
        const legs = [newLeg(c, { premiumToken: address, premiumAmount: 7n }), newLeg(c, { premiumToken: address, premiumAmount: 11n })];
        const data =
          fn === "redeemBatch"
            ? c.escrow.interface.encodeFunctionData("redeemBatch", [legs.map((t) => t.leg), legs.map((t) => t.secret)])
            : c.escrow.interface.encodeFunctionData("settleBatch", [legs.map((t) => t.leg)]);
        await token.arm(c.escrowAddress, data);
        const tracker = await track(c, [address]);
        await c.escrow.connect(c.bob).depositPremiumBatch(legs.map((t) => t.leg));
        expect(await token.lastReentrySucceeded()).to.equal(false);
        expect(c.escrow.interface.parseError(await token.lastReentryReturn())?.name).to.equal(error);
        expect(await statesOf(c, legs)).to.deep.equal([LegState.PremiumDeposited, LegState.PremiumDeposited]);
        await expectDeltas(c, tracker, [
          [address, c.bob.address, -18n],
          [address, c.escrowAddress, 18n],
        ]);
      });
    }
  });

  // ---------------------------------------------------------------- depositPremiumBatch only

  describe("depositPremiumBatch (its own rules)", function () {
    it("reverts as a whole with LegNoPremium(legId) for a plain leg among premium legs", async function () {
      const c = await setup();
      const good = newLeg(c, { premiumAmount: PREMIUM });
      const plain = newLeg(c);
      await expectBatchRevert(c, DEPOSIT_BATCH, [good, plain], "LegNoPremium", [plain.id]);
    });

    it("takes premiums in another asset than the principal, hedge and option legs, of several escrowers", async function () {
      const c = await setup();
      const legs = [
        newLeg(c, { token: c.APR, premiumToken: c.BAN, premiumAmount: 4n, mode: PremiumMode.Option }),
        newLeg(c, { escrower: c.carol.address, token: c.BAN, premiumToken: NATIVE, premiumAmount: 5n }),
        newLeg(c, { escrower: c.carol.address, token: NATIVE, premiumToken: c.BAN, premiumAmount: 6n }),
      ];
      await expectBatch(c, DEPOSIT_BATCH, legs);
    });

    it("reverts with LegUnexpectedState(Escrowed) for a leg already escrowed", async function () {
      const c = await setup();
      const [a, b] = await batchLegs(c, DEPOSIT_BATCH, [
        { token: NATIVE, amount: 2n },
        { token: c.APR, amount: 3n },
      ]);
      await depositPremium(c, a!.leg);
      await c.escrow.connect(c.alice).escrow(a!.leg, { value: a!.leg.amount });
      await expectBatchRevert(c, DEPOSIT_BATCH, [b!, a!], "LegUnexpectedState", [a!.id, LegState.Escrowed], { value: 2n });
    });
  });

  // ---------------------------------------------------------------- escrowBatch only

  describe("escrowBatch (its own rules)", function () {
    it("reverts as a whole with LegUnexpectedState(legId, None) for a premium leg whose premium is not in", async function () {
      const c = await setup();
      const legs = await batchLegs(c, ESCROW_BATCH, [
        { token: NATIVE, amount: 1n },
        { token: c.APR, amount: 2n },
      ]);
      const noPremium = newLeg(c, { token: c.APR, amount: 3n, premiumAmount: PREMIUM });
      await expectBatchRevert(c, ESCROW_BATCH, [...legs, noPremium], "LegUnexpectedState", [noPremium.id, LegState.None]);
      expect(await revertData(staticBatch(c, ESCROW_BATCH, [...legs, noPremium], 1n))).to.equal(
        await revertData(staticSingle(c, ESCROW_BATCH, noPremium)),
      );
    });

    it("accepts premium legs and plain legs in any order and mix of assets", async function () {
      const c = await setup();
      const legs = await batchLegs(c, ESCROW_BATCH, [
        { token: c.APR, amount: 5n, plain: true },
        { token: c.APR, amount: 6n, plain: false, o: { premiumToken: c.BAN, premiumAmount: 2n, mode: PremiumMode.Option } },
        { token: NATIVE, amount: 7n, plain: false },
        { token: NATIVE, amount: 8n, plain: true },
        { token: c.BAN, amount: 9n, plain: true },
        { token: c.BAN, amount: 10n, plain: false, o: { premiumToken: c.APR, premiumAmount: 1n } },
      ]);
      const receipt = await expectBatch(c, ESCROW_BATCH, legs);
      expect(escrowLogs(c, receipt).map((l) => l.name)).to.deep.equal([
        "LegLocked",
        "LegEscrowed",
        "LegEscrowed",
        "NativeLegLocked",
        "LegLocked",
        "LegEscrowed",
      ]);
    });

    it("reverts as a whole with LegPremiumTermsWithoutPremium for a plain leg naming a premium token", async function () {
      const c = await setup();
      const legs = await batchLegs(c, ESCROW_BATCH, [{ token: NATIVE, amount: 1n }]);
      const bad = newLeg(c, { premiumToken: c.APR, amount: 2n });
      await expectBatchRevert(c, ESCROW_BATCH, [...legs, bad], "LegPremiumTermsWithoutPremium", [bad.id, c.APR, bad.leg.timelocks]);
    });

    it("reverts as a whole with LegDeadlinePassed for a premium leg one second after its escrowDeadline, keeping its premium", async function () {
      const c = await setup();
      const legs = await batchLegs(c, ESCROW_BATCH, [
        { token: NATIVE, amount: 1n, o: { escrowDeadline: c.t0 + 2n * DELTA } },
        { token: NATIVE, amount: 2n, plain: false, o: { escrowDeadline: c.t0 + DELTA } },
      ]);
      await expectBatchRevert(c, ESCROW_BATCH, legs, "LegDeadlinePassed", [legs[1]!.id, c.t0 + DELTA, c.t0 + DELTA + 1n], {
        at: c.t0 + DELTA + 1n,
      });
      expect(await statesOf(c, legs)).to.deep.equal([LegState.PremiumDeposited, LegState.PremiumDeposited]);
    });
  });

  // ---------------------------------------------------------------- end to end

  describe("batch-created legs after creation", function () {
    it("depositPremiumBatch by the redeemer, escrowBatch by the escrower, redeemBatch with the secrets: exact balances", async function () {
      const c = await setup();
      const l1 = newLeg(c, { token: NATIVE, amount: 10n, premiumToken: NATIVE, premiumAmount: 1n });
      const l2 = newLeg(c, { token: c.APR, amount: 20n, premiumToken: c.APR, premiumAmount: 2n });
      const l3 = newLeg(c, { token: c.APR, amount: 30n, premiumToken: c.BAN, premiumAmount: 3n, mode: PremiumMode.Option });
      const plain = newLeg(c, { token: c.BAN, amount: 40n });
      const premiumLegs = [l1, l2, l3];
      const all = [...premiumLegs, plain];
      const tracker = await track(c);

      await expectBatch(c, DEPOSIT_BATCH, premiumLegs);
      await expectBatch(c, ESCROW_BATCH, all);
      const tx = await c.escrow.connect(c.relayer).redeemBatch(
        all.map((t) => t.leg),
        all.map((t) => t.secret),
      );
      for (const t of all) await expect(tx).to.emit(c.escrow, "LegRedeemed").withArgs(t.id, t.secret);
      await expect(tx).to.not.emit(c.escrow, "PayoutCredited");
      expect(await statesOf(c, all)).to.deep.equal(all.map(() => LegState.None));

      // bob: principals 10 ETH, 50 APR, 40 BAN, hedge premiums back (1 ETH, 2 APR), option premium 3 BAN
      // to alice.
      await expectDeltas(c, tracker, [
        [NATIVE, c.alice.address, -10n],
        [NATIVE, c.bob.address, 10n],
        [c.APR, c.alice.address, -50n],
        [c.APR, c.bob.address, 50n],
        [c.BAN, c.alice.address, -37n],
        [c.BAN, c.bob.address, 37n],
      ]);
    });

    it("legStatesOf reads every leg's state in one call, in order, as legState does one by one", async function () {
      const c = await setup();
      const deposited = newLeg(c, { token: NATIVE, amount: 10n, premiumToken: NATIVE, premiumAmount: 1n });
      const escrowed = newLeg(c, { token: c.APR, amount: 20n, premiumToken: c.APR, premiumAmount: 2n });
      const unknown = newLeg(c, { token: c.BAN, amount: 30n, premiumToken: c.BAN, premiumAmount: 3n });
      await expectBatch(c, DEPOSIT_BATCH, [deposited, escrowed]);
      await expectBatch(c, ESCROW_BATCH, [escrowed]);
      const ids = [escrowed.id, unknown.id, deposited.id, escrowed.id];
      expect(await c.escrow.legStatesOf(ids)).to.deep.equal([LegState.Escrowed, LegState.None, LegState.PremiumDeposited, LegState.Escrowed]);
      for (const id of ids) expect((await c.escrow.legStatesOf([id]))[0]).to.equal(await c.escrow.legState(id));
      expect(await c.escrow.legStatesOf([])).to.deep.equal([]);
    });

    it("settleBatch after the deadlines: premium-only legs back to the redeemer, escrowed legs and hedge premiums to the escrower", async function () {
      const c = await setup();
      const escrowed = newLeg(c, { token: NATIVE, amount: 100n, premiumToken: NATIVE, premiumAmount: 3n });
      const premiumOnly = newLeg(c, { token: c.BAN, amount: 50n, premiumToken: c.APR, premiumAmount: 2n });
      const tracker = await track(c);
      await expectBatch(c, DEPOSIT_BATCH, [escrowed, premiumOnly]);
      await expectBatch(c, ESCROW_BATCH, [escrowed]);
      await setNextTimestamp(escrowed.timeout + 1n);
      const tx = await c.escrow.connect(c.relayer).settleBatch([escrowed.leg, premiumOnly.leg]);
      await expect(tx).to.emit(c.escrow, "LegRefunded").withArgs(escrowed.id);
      await expect(tx).to.emit(c.escrow, "LegPremiumRefunded").withArgs(premiumOnly.id);
      expect(await statesOf(c, [escrowed, premiumOnly])).to.deep.equal([LegState.None, LegState.None]);
      await expectDeltas(c, tracker, [
        [NATIVE, c.alice.address, 3n],
        [NATIVE, c.bob.address, -3n],
      ]);
    });

    it("a batch-created leg is the leg the single-leg function creates: same id, redeemable one by one", async function () {
      const c = await setup();
      const t = newLeg(c, { token: c.APR, amount: 8n, premiumToken: c.BAN, premiumAmount: 1n });
      await expectBatch(c, DEPOSIT_BATCH, [t]);
      expect(await c.escrow.hashLeg(t.leg)).to.equal(t.id);
      await c.escrow.connect(c.alice).escrow(t.leg);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret)).to.emit(c.escrow, "LegRedeemed").withArgs(t.id, t.secret);
      await expectDeltas(c, tracker, [
        [c.APR, c.bob.address, 8n],
        [c.APR, c.escrowAddress, -8n],
        [c.BAN, c.bob.address, 1n],
        [c.BAN, c.escrowAddress, -1n],
      ]);
    });
  });
});
