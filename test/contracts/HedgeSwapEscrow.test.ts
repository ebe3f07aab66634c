/**
 * Unit tests of every external function of `HedgeSwapEscrow` through its general (leg-struct) entry
 * points, one `describe` per function: the constants, the leg ids and the EIP-712 abort digest
 * (against `src/sdk/leg.ts` and against hashes computed here from the type strings), each step's
 * effects (state, exact balance moves, events with every argument) and every revert with its custom
 * error and all of its arguments, including the order in which a new leg's rules are checked. After a
 * revert, the tests check that no balance and no leg state moved. The plain-HTLC shortcuts (lock,
 * claim, refund, ...) are covered in `HedgeSwapEscrow.plain.test.ts`.
 *
 * Time: every test builds its legs from `t0` (the latest block time when the test starts) with the
 * windows premium by t0+Δ (premium legs; a plain leg is canonical, with premiumDeadline 0), escrow by
 * t0+2Δ, timeout t0+4Δ, and sets the exact timestamp of a transaction with `setNextTimestamp`
 * whenever an error carries the current time.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ZeroAddress, ZeroHash, sha256, type ContractTransactionResponse, type Interface, type TransactionReceipt } from "ethers";

import {
  DELTA,
  NATIVE,
  PremiumMode,
  newSecret,
  setNextTimestamp,
  valueFor,
  type LegOptions,
  type LegStruct,
} from "../helpers/fixture";
import { balanceOf, expectDeltas, expectUnchanged, track } from "../helpers/balances";
import { setup, type Ctx } from "../helpers/context";
import { AMOUNT, ESCROW_EVENT_NAMES, LegState, escrowEvent, newLeg, premiumDepositedArgs, receiptOf, transfersFrom, withLeg, type TestLeg } from "../helpers/legs";
import { abortDigest, abortTypedData, legId } from "../../src/sdk/leg";
import type { TestToken } from "../../typechain-types";

// ================================================================ constants


const MAX_TIMELOCK_HORIZON = 180n * 24n * 3600n;
/** The EIP-712 type strings of the abort signature, in the final `Leg` field order. */
const LEG_TYPE =
  "Leg(address escrower,address redeemer,bytes32 hashlock,address token,uint256 amount," +
  "uint256 timelocks,address premiumToken,uint256 premiumAmount)";
const ABORT_TYPE = `CooperativeAbort(Leg leg)${LEG_TYPE}`;
/** Getters the final interface no longer exposes (now internal constants). */
const REMOVED_GETTERS = ["LEG_TYPEHASH", "ABORT_TYPEHASH", "NATIVE_PAYOUT_GAS"];

const PREMIUM = ethers.parseEther("3");

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

// ================================================================ context and legs





/** `t` with its raw timelocks word replaced (for words the SDK refuses to pack). */
function withTimelocksWord(c: Ctx, t: TestLeg, word: bigint): TestLeg {
  return withLeg(c, { ...t.leg, timelocks: word }, t.secret);
}

function signerOf(c: Ctx, address: string): HardhatEthersSigner {
  const signer = [c.alice, c.bob, c.carol, c.relayer].find((s) => s.address === address);
  if (signer === undefined) throw new Error(`no signer for ${address}`);
  return signer;
}

// ================================================================ steps

function depositPremium(c: Ctx, leg: LegStruct, by = signerOf(c, leg.redeemer)): Promise<ContractTransactionResponse> {
  return c.escrow.connect(by).depositPremium(leg, valueFor(leg.premiumToken, leg.premiumAmount));
}

function escrowLeg(c: Ctx, leg: LegStruct, by = signerOf(c, leg.escrower)): Promise<ContractTransactionResponse> {
  return c.escrow.connect(by).escrow(leg, valueFor(leg.token, leg.amount));
}

/** A new leg with its premium deposited (default: 3 native coin, hedge). */
async function premiumLeg(c: Ctx, o: Partial<LegOptions> = {}): Promise<TestLeg> {
  const t = newLeg(c, { premiumAmount: PREMIUM, ...o });
  await depositPremium(c, t.leg);
  return t;
}

/** A new leg, premium deposited if it has one, principal escrowed. */
async function escrowedLeg(c: Ctx, o: Partial<LegOptions> = {}): Promise<TestLeg> {
  const t = newLeg(c, o);
  if (t.leg.premiumAmount > 0n) await depositPremium(c, t.leg);
  await escrowLeg(c, t.leg);
  return t;
}

/** The redeemer's EIP-712 signature allowing the cooperative abort of `leg`. */
async function signAbort(c: Ctx, leg: LegStruct, signer: HardhatEthersSigner): Promise<string> {
  const { domain, types, message } = abortTypedData(leg, c.at);
  return signer.signTypedData(domain, types, message);
}

/** An ERC-2612 permit of `owner` for `spender`, signed by `signer` (the owner unless given). */
async function signPermit(
  token: TestToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
  signer: HardhatEthersSigner = owner,
): Promise<{ v: number; r: string; s: string }> {
  const d = await token.eip712Domain();
  const nonce = await token.nonces(owner.address);
  const signature = await signer.signTypedData(
    { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract },
    PERMIT_TYPES,
    { owner: owner.address, spender, value, nonce, deadline },
  );
  const { v, r, s } = ethers.Signature.from(signature);
  return { v, r, s };
}




// ================================================================ balances




/** The escrow's events named `name` in `receipt`, as argument lists. */
function escrowEvents(c: Ctx, receipt: TransactionReceipt, name: string): unknown[][] {
  const out: unknown[][] = [];
  for (const log of receipt.logs) {
    if (log.address !== c.escrowAddress) continue;
    const event = c.escrow.interface.parseLog(log);
    if (event?.name === name) out.push([...event.args]);
  }
  return out;
}

/** The native-coin payouts (CALLs with value) the escrow itself made in `txHash`, with the gas each forwarded. */
async function nativePayoutCalls(txHash: string): Promise<{ to: string; value: bigint; gas: bigint }[]> {
  const options = { disableMemory: true, disableStorage: true };
  const trace = (await network.provider.send("debug_traceTransaction", [txHash, options])) as {
    structLogs: { op: string; depth: number; stack?: string[] }[];
  };
  const out: { to: string; value: bigint; gas: bigint }[] = [];
  for (const step of trace.structLogs) {
    if (step.op !== "CALL" || step.depth !== 1 || step.stack === undefined) continue;
    // CALL's stack, top first: gas, to, value, ...
    const top = step.stack.slice(-3).reverse().map((word) => BigInt(`0x${word.replace(/^0x/, "")}`));
    if (top[2]! === 0n) continue;
    out.push({ to: ethers.getAddress(ethers.toBeHex(top[1]!, 20)), value: top[2]!, gas: top[0]! });
  }
  return out;
}

// ================================================================ creation events

/**
 * Asserts that `receipt` holds exactly one escrow event of the kinds {@link escrow} emits, the one
 * `t` calls for, with every argument.
 */
function expectEscrowEvent(c: Ctx, receipt: TransactionReceipt, t: TestLeg): void {
  const expected = escrowEvent(t);
  for (const name of ESCROW_EVENT_NAMES) {
    expect(escrowEvents(c, receipt, name), name).to.deep.equal(name === expected.name ? [expected.args] : []);
  }
}

/**
 * Rebuilds the leg created in `receipt` from its creation event alone (`LegPremiumDeposited`,
 * `NativeLegLocked` or `LegLocked`, which carry every parameter), as an indexer would.
 */
function legFromCreationLog(c: Ctx, receipt: TransactionReceipt): LegStruct {
  const legs: LegStruct[] = [];
  for (const log of receipt.logs) {
    if (log.address !== c.escrowAddress) continue;
    const e = c.escrow.interface.parseLog(log);
    const a = e?.args;
    if (e?.name === "LegPremiumDeposited" && a !== undefined) {
      legs.push({
        hashlock: a[0] as string,
        escrower: a[1] as string,
        redeemer: a[2] as string,
        token: a[3] as string,
        amount: a[4] as bigint,
        timelocks: a[5] as bigint,
        premiumToken: a[6] as string,
        premiumAmount: a[7] as bigint,
      });
    } else if (e?.name === "NativeLegLocked" && a !== undefined) {
      legs.push({
        hashlock: a[0] as string,
        escrower: a[1] as string,
        redeemer: a[2] as string,
        token: NATIVE,
        amount: a[3] as bigint,
        timelocks: a[4] as bigint,
        premiumToken: NATIVE,
        premiumAmount: 0n,
      });
    } else if (e?.name === "LegLocked" && a !== undefined) {
      legs.push({
        hashlock: a[0] as string,
        escrower: a[1] as string,
        redeemer: a[2] as string,
        token: a[3] as string,
        amount: a[4] as bigint,
        timelocks: a[5] as bigint,
        premiumToken: NATIVE,
        premiumAmount: 0n,
      });
    }
  }
  expect(legs, "creation events").to.have.length(1);
  return legs[0]!;
}

/** Asserts that the creation event in `receipt` carries every parameter of `t`, and so its id. */
async function expectLegRebuiltFromLog(c: Ctx, receipt: TransactionReceipt, t: TestLeg): Promise<void> {
  const rebuilt = legFromCreationLog(c, receipt);
  expect(rebuilt).to.deep.equal({ ...t.leg });
  expect(legId(rebuilt, c.at)).to.equal(t.id);
  expect(await c.escrow.hashLeg(rebuilt)).to.equal(t.id);
}

// ================================================================ shared behaviour: creating a leg

/** The step that creates a leg: depositPremium (premium legs) or escrow (plain legs). */
interface CreationStep {
  name: "depositPremium" | "escrow";
  /** Who must call it with the default roles (bob for depositPremium, alice for escrow). */
  caller(c: Ctx): HardhatEthersSigner;
  /** A leg this step creates, paid in the native coin unless `o` says otherwise. */
  leg(c: Ctx, o?: Partial<LegOptions>): TestLeg;
  /** Options making the step pay in `token`. */
  payIn(token: string): Partial<LegOptions>;
  /** What the step pays. */
  paid(leg: LegStruct): bigint;
  /** The deadline the step must meet. */
  deadline(t: TestLeg): bigint;
  /** Calls the step as `caller`, sending `value` (default: what the step needs). */
  send(c: Ctx, leg: LegStruct, value?: bigint): Promise<ContractTransactionResponse>;
  /** True when the step creates plain legs (premium 0), which must be canonical. */
  plain: boolean;
  /** The role of the party that is not the caller (the redeemer calls depositPremium). */
  otherRole: "escrower" | "redeemer";
  /** Options setting that party to `account`. */
  otherParty(account: string): Partial<LegOptions>;
}

const DEPOSIT_STEP: CreationStep = {
  name: "depositPremium",
  caller: (c) => c.bob,
  leg: (c, o = {}) => newLeg(c, { premiumAmount: PREMIUM, ...o }),
  payIn: (token) => ({ premiumToken: token }),
  paid: (leg) => leg.premiumAmount,
  deadline: (t) => t.premiumDeadline,
  send: (c, leg, value) =>
    c.escrow.connect(c.bob).depositPremium(leg, { value: value ?? valueFor(leg.premiumToken, leg.premiumAmount).value }),
  plain: false,
  otherRole: "escrower",
  otherParty: (account) => ({ escrower: account }),
};

const ESCROW_STEP: CreationStep = {
  name: "escrow",
  caller: (c) => c.alice,
  leg: (c, o = {}) => newLeg(c, o),
  payIn: (token) => ({ token }),
  paid: (leg) => leg.amount,
  deadline: (t) => t.escrowDeadline,
  send: (c, leg, value) => c.escrow.connect(c.alice).escrow(leg, { value: value ?? valueFor(leg.token, leg.amount).value }),
  plain: true,
  otherRole: "redeemer",
  otherParty: (account) => ({ redeemer: account }),
};

/** Sends the step for `t`, expects `error(...args)`, and that no balance and no state moved. */
async function expectCreationRevert(
  c: Ctx,
  step: CreationStep,
  t: TestLeg,
  error: string,
  args: unknown[],
  o: { value?: bigint; extraTokens?: string[] } = {},
): Promise<void> {
  const tracker = await track(c, o.extraTokens ?? []);
  await expect(step.send(c, t.leg, o.value))
    .to.be.revertedWithCustomError(c.escrow, error)
    .withArgs(...args);
  await expectUnchanged(c, tracker);
  expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
}

/** The rules every new leg must satisfy, whichever step creates it, and the order of their checks. */
function itValidatesNewLegs(step: CreationStep): void {
  describe(`validation of the leg ${step.name} creates`, function () {
    it("reverts with LegMalformedTimelocks when bit 255 of the timelocks word is set", async function () {
      const c = await setup();
      const base = step.leg(c);
      const t = withTimelocksWord(c, base, base.leg.timelocks | (1n << 255n));
      await expectCreationRevert(c, step, t, "LegMalformedTimelocks", [t.id, t.leg.timelocks]);
    });

    it("reverts with LegMalformedTimelocks when the premium mode is 2 (bit 121 set)", async function () {
      const c = await setup();
      const base = step.leg(c);
      const t = withTimelocksWord(c, base, base.leg.timelocks | (2n << 120n));
      await expectCreationRevert(c, step, t, "LegMalformedTimelocks", [t.id, t.leg.timelocks]);
    });

    if (step.plain) {
      it("reverts with LegPremiumTermsWithoutPremium when premiumDeadline > escrowDeadline (terms before order)", async function () {
        const c = await setup();
        const t = step.leg(c, { premiumDeadline: c.t0 + 3n * DELTA, escrowDeadline: c.t0 + 2n * DELTA });
        await expectCreationRevert(c, step, t, "LegPremiumTermsWithoutPremium", [t.id, NATIVE, t.leg.timelocks]);
      });

      it("reverts with LegPremiumTermsWithoutPremium when premiumDeadline == escrowDeadline (non-zero)", async function () {
        const c = await setup();
        const t = step.leg(c, { premiumDeadline: c.t0 + 2n * DELTA });
        await expectCreationRevert(c, step, t, "LegPremiumTermsWithoutPremium", [t.id, NATIVE, t.leg.timelocks]);
      });
    } else {
      it("reverts with LegDeadlinesUnordered when premiumDeadline > escrowDeadline", async function () {
        const c = await setup();
        const t = step.leg(c, { premiumDeadline: c.t0 + 3n * DELTA, escrowDeadline: c.t0 + 2n * DELTA });
        await expectCreationRevert(c, step, t, "LegDeadlinesUnordered", [
          t.id,
          c.t0 + 3n * DELTA,
          c.t0 + 2n * DELTA,
          c.t0 + 4n * DELTA,
        ]);
      });

      it("accepts premiumDeadline == escrowDeadline", async function () {
        const c = await setup();
        const t = step.leg(c, { premiumDeadline: c.t0 + 2n * DELTA });
        await step.send(c, t.leg);
        expect(await c.escrow.legState(t.id)).to.not.equal(LegState.None);
      });
    }

    it("reverts with LegDeadlinesUnordered when escrowDeadline == timeout", async function () {
      const c = await setup();
      const t = step.leg(c, { escrowDeadline: c.t0 + 4n * DELTA });
      await expectCreationRevert(c, step, t, "LegDeadlinesUnordered", [
        t.id,
        t.premiumDeadline,
        c.t0 + 4n * DELTA,
        c.t0 + 4n * DELTA,
      ]);
    });

    it("reverts with LegDeadlinesUnordered when escrowDeadline > timeout", async function () {
      const c = await setup();
      const t = step.leg(c, { escrowDeadline: c.t0 + 5n * DELTA });
      await expectCreationRevert(c, step, t, "LegDeadlinesUnordered", [
        t.id,
        t.premiumDeadline,
        c.t0 + 5n * DELTA,
        c.t0 + 4n * DELTA,
      ]);
    });

    it("reverts with LegDeadlinePassed one second after its deadline", async function () {
      const c = await setup();
      const t = step.leg(c);
      const deadline = step.deadline(t);
      await setNextTimestamp(deadline + 1n);
      await expectCreationRevert(c, step, t, "LegDeadlinePassed", [t.id, deadline, deadline + 1n]);
    });

    it("succeeds exactly at its deadline", async function () {
      const c = await setup();
      const t = step.leg(c);
      await setNextTimestamp(step.deadline(t));
      await step.send(c, t.leg);
      expect(await c.escrow.legState(t.id)).to.not.equal(LegState.None);
    });

    it("reverts with LegTimeoutTooFar when timeout > now + MAX_TIMELOCK_HORIZON", async function () {
      const c = await setup();
      const txTime = c.t0 + 100n;
      const t = step.leg(c, { timeout: txTime + MAX_TIMELOCK_HORIZON + 1n });
      await setNextTimestamp(txTime);
      await expectCreationRevert(c, step, t, "LegTimeoutTooFar", [
        t.id,
        txTime + MAX_TIMELOCK_HORIZON + 1n,
        txTime + MAX_TIMELOCK_HORIZON,
      ]);
    });

    it("accepts timeout == now + MAX_TIMELOCK_HORIZON", async function () {
      const c = await setup();
      const txTime = c.t0 + 100n;
      const t = step.leg(c, { timeout: txTime + MAX_TIMELOCK_HORIZON });
      await setNextTimestamp(txTime);
      await step.send(c, t.leg);
      expect(await c.escrow.legState(t.id)).to.not.equal(LegState.None);
    });

    it("reverts with LegZeroAmount when the principal is 0", async function () {
      const c = await setup();
      const t = step.leg(c, { amount: 0n });
      await expectCreationRevert(c, step, t, "LegZeroAmount", [t.id]);
    });

    it("reverts with LegEscrowerIsRedeemer when escrower == redeemer", async function () {
      const c = await setup();
      const who = step.caller(c).address;
      const t = step.leg(c, { escrower: who, redeemer: who });
      await expectCreationRevert(c, step, t, "LegEscrowerIsRedeemer", [t.id, who]);
    });

    it("reverts with NativeValueMismatch when msg.value differs from a native payment", async function () {
      const c = await setup();
      const t = step.leg(c);
      const paid = step.paid(t.leg);
      await expectCreationRevert(c, step, t, "NativeValueMismatch", [paid, paid - 1n], { value: paid - 1n });
      await expectCreationRevert(c, step, t, "NativeValueMismatch", [paid, paid + 1n], { value: paid + 1n });
    });

    it("reverts with NativeValueMismatch(0, value) when native coin comes with an ERC-20 payment", async function () {
      const c = await setup();
      const t = step.leg(c, step.payIn(c.APR));
      await expectCreationRevert(c, step, t, "NativeValueMismatch", [0n, 1n], { value: 1n });
    });

    it("reverts with TokenAmountMismatch for a fee-on-transfer token", async function () {
      const c = await setup();
      const t = step.leg(c, step.payIn(c.FEE));
      const paid = step.paid(t.leg);
      await expectCreationRevert(c, step, t, "TokenAmountMismatch", [c.FEE, paid, paid - paid / 100n], {
        extraTokens: [c.FEE],
      });
    });

    it("reverts with TokenCallFailed(token) when the asset is an EOA, not a token", async function () {
      const c = await setup();
      const eoa = c.others[0]!.address;
      expect(await ethers.provider.getCode(eoa)).to.equal("0x");
      const t = step.leg(c, step.payIn(eoa));
      await expectCreationRevert(c, step, t, "TokenCallFailed", [eoa]);
    });
  });

  /*
   * The rules of a new leg are checked in a fixed order: malformed timelocks, [plain: premium
   * terms], deadlines unordered, creation deadline passed, timeout too far, zero amount, escrower ==
   * redeemer, escrower invalid, redeemer invalid, then the leg's state. Each test breaks two
   * neighbouring rules at once and expects the error of the earlier one.
   */
  describe(`order of the checks of the leg ${step.name} creates`, function () {
    it("checks a malformed timelocks word before the order of the deadlines", async function () {
      const c = await setup();
      const base = step.leg(c, { escrowDeadline: c.t0 + 4n * DELTA });
      const t = withTimelocksWord(c, base, base.leg.timelocks | (1n << 255n));
      await expectCreationRevert(c, step, t, "LegMalformedTimelocks", [t.id, t.leg.timelocks]);
    });

    if (step.plain) {
      it("checks a malformed timelocks word before the premium terms (bit 121 and a premium deadline)", async function () {
        const c = await setup();
        const base = step.leg(c, { premiumDeadline: c.t0 + DELTA });
        const t = withTimelocksWord(c, base, base.leg.timelocks | (2n << 120n));
        await expectCreationRevert(c, step, t, "LegMalformedTimelocks", [t.id, t.leg.timelocks]);
      });

      it("checks the premium terms (option mode) before the order of the deadlines", async function () {
        const c = await setup();
        const t = step.leg(c, { mode: PremiumMode.Option, escrowDeadline: c.t0 + 5n * DELTA });
        await expectCreationRevert(c, step, t, "LegPremiumTermsWithoutPremium", [t.id, NATIVE, t.leg.timelocks]);
      });
    }

    it("checks the order of the deadlines before the creation deadline", async function () {
      const c = await setup();
      const t = step.leg(c, { escrowDeadline: c.t0 + 4n * DELTA });
      await setNextTimestamp(c.t0 + 4n * DELTA + 1n);
      await expectCreationRevert(c, step, t, "LegDeadlinesUnordered", [
        t.id,
        t.premiumDeadline,
        c.t0 + 4n * DELTA,
        c.t0 + 4n * DELTA,
      ]);
    });

    it("checks the creation deadline before the horizon", async function () {
      const c = await setup();
      const txTime = c.t0 + 3n * DELTA;
      const t = step.leg(c, { timeout: txTime + MAX_TIMELOCK_HORIZON + 1n });
      await setNextTimestamp(txTime);
      await expectCreationRevert(c, step, t, "LegDeadlinePassed", [t.id, step.deadline(t), txTime]);
    });

    it("checks the horizon before the amount", async function () {
      const c = await setup();
      const txTime = c.t0 + 100n;
      const t = step.leg(c, { amount: 0n, timeout: txTime + MAX_TIMELOCK_HORIZON + 1n });
      await setNextTimestamp(txTime);
      await expectCreationRevert(c, step, t, "LegTimeoutTooFar", [
        t.id,
        txTime + MAX_TIMELOCK_HORIZON + 1n,
        txTime + MAX_TIMELOCK_HORIZON,
      ]);
    });

    it("checks the amount before escrower == redeemer", async function () {
      const c = await setup();
      const who = step.caller(c).address;
      const t = step.leg(c, { amount: 0n, escrower: who, redeemer: who });
      await expectCreationRevert(c, step, t, "LegZeroAmount", [t.id]);
    });

    it(`checks the amount before an invalid ${step.otherRole}`, async function () {
      const c = await setup();
      const t = step.leg(c, { amount: 0n, ...step.otherParty(ZeroAddress) });
      await expectCreationRevert(c, step, t, "LegZeroAmount", [t.id]);
    });

    it("checks the leg's state last: re-creating an existing leg after the deadline gives LegDeadlinePassed", async function () {
      const c = await setup();
      const t = step.leg(c);
      await step.send(c, t.leg);
      const stateBefore = await c.escrow.legState(t.id);
      expect(stateBefore).to.not.equal(LegState.None);
      const deadline = step.deadline(t);
      await setNextTimestamp(deadline + 1n);
      const tracker = await track(c);
      await expect(step.send(c, t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegDeadlinePassed")
        .withArgs(t.id, deadline, deadline + 1n);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(stateBefore);
    });
  });
}

// ================================================================ tests

describe("HedgeSwapEscrow", function () {
  describe("deployment and hashing", function () {
    it("exposes VERSION == 1.0.0 and MAX_TIMELOCK_HORIZON == 15552000 (180 days)", async function () {
      const c = await setup();
      expect(await c.escrow.VERSION()).to.equal("1.0.0");
      expect(await c.escrow.MAX_TIMELOCK_HORIZON()).to.equal(15_552_000n);
      expect(MAX_TIMELOCK_HORIZON).to.equal(15_552_000n);
    });

    it("no longer exposes LEG_TYPEHASH, ABORT_TYPEHASH or NATIVE_PAYOUT_GAS (ABI and bytecode)", async function () {
      const c = await setup();
      const abi: Interface = c.escrow.interface;
      for (const name of REMOVED_GETTERS) {
        expect(abi.getFunction(name), name).to.equal(null);
        const selector = ethers.id(`${name}()`).slice(0, 10);
        await expect(ethers.provider.call({ to: c.escrowAddress, data: selector }), name).to.be.reverted;
      }
    });

    it("forwards exactly 50,000 gas with a native-coin payout (the internal NATIVE_PAYOUT_GAS)", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      const tx = await c.escrow.connect(c.relayer).redeem(t.leg, t.secret);
      expect(await nativePayoutCalls(tx.hash)).to.deep.equal([{ to: c.bob.address, value: AMOUNT, gas: 50_000n }]);
    });

    it("hashAbort is the EIP-712 digest of CooperativeAbort(Leg) over the final Leg type string", async function () {
      const c = await setup();
      // The SDK's types encode to exactly these strings.
      const typed = abortTypedData(newLeg(c).leg, c.at);
      expect(ethers.TypedDataEncoder.from({ Leg: typed.types.Leg! }).encodeType("Leg")).to.equal(LEG_TYPE);
      expect(ethers.TypedDataEncoder.from(typed.types).encodeType("CooperativeAbort")).to.equal(ABORT_TYPE);
      // The contract's digest, computed here from the type strings and the domain: so its (now
      // internal) LEG_TYPEHASH and ABORT_TYPEHASH are the keccak of these strings.
      const domainSeparator = ethers.TypedDataEncoder.hashDomain({
        name: "HedgeSwapEscrow",
        version: "1.0.0",
        chainId: c.at.chainId,
        verifyingContract: c.escrowAddress,
      });
      const coder = ethers.AbiCoder.defaultAbiCoder();
      for (const t of [
        newLeg(c),
        newLeg(c, { token: c.APR }),
        newLeg(c, { token: c.APR, premiumToken: c.BAN, premiumAmount: PREMIUM, mode: PremiumMode.Option }),
      ]) {
        const l = t.leg;
        const legHash = ethers.keccak256(
          coder.encode(
            ["bytes32", "address", "address", "bytes32", "address", "uint256", "uint256", "address", "uint256"],
            [ethers.id(LEG_TYPE), l.escrower, l.redeemer, l.hashlock, l.token, l.amount, l.timelocks]
              .concat([l.premiumToken, l.premiumAmount]),
          ),
        );
        const structHash = ethers.keccak256(coder.encode(["bytes32", "bytes32"], [ethers.id(ABORT_TYPE), legHash]));
        const digest = ethers.keccak256(ethers.concat(["0x1901", domainSeparator, structHash]));
        expect(await c.escrow.hashAbort(l)).to.equal(digest);
        expect(await c.escrow.hashAbort(l)).to.equal(abortDigest(l, c.at));
      }
    });

    it("reports its EIP-712 domain with eip712Domain()", async function () {
      const c = await setup();
      const d = await c.escrow.eip712Domain();
      expect(d.fields).to.equal("0x0f");
      expect(d.name).to.equal("HedgeSwapEscrow");
      expect(d.version).to.equal("1.0.0");
      expect(d.chainId).to.equal(c.at.chainId);
      expect(d.verifyingContract).to.equal(c.escrowAddress);
      expect(d.salt).to.equal(ZeroHash);
      expect(d.extensions).to.deep.equal([]);
    });

    it("hashLeg equals the SDK's legId and hashAbort the SDK's abortDigest", async function () {
      const c = await setup();
      for (const t of [
        newLeg(c),
        newLeg(c, { token: c.APR }),
        newLeg(c, { premiumAmount: PREMIUM }),
        newLeg(c, { token: c.APR, premiumToken: c.BAN, premiumAmount: PREMIUM, mode: PremiumMode.Option }),
      ]) {
        expect(await c.escrow.hashLeg(t.leg)).to.equal(legId(t.leg, c.at));
        expect(await c.escrow.hashAbort(t.leg)).to.equal(abortDigest(t.leg, c.at));
      }
      // A deposit returns and stores the same id.
      const t = newLeg(c, { premiumAmount: PREMIUM });
      expect(await c.escrow.connect(c.bob).depositPremium.staticCall(t.leg, { value: PREMIUM })).to.equal(t.id);
      await depositPremium(c, t.leg);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
    });

    it("the leg id is keccak256(abi.encode(chainId, escrow, leg)): 6 leg words if plain, 8 with a premium", async function () {
      const c = await setup();
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const head = ["uint256", "address", "address", "address", "bytes32", "address", "uint256", "uint256"];
      const words = (l: LegStruct): unknown[] => [c.at.chainId, c.escrowAddress, l.escrower, l.redeemer]
        .concat([l.hashlock, l.token, l.amount, l.timelocks]);
      const plain = newLeg(c, { token: c.APR });
      expect(await c.escrow.hashLeg(plain.leg)).to.equal(ethers.keccak256(coder.encode(head, words(plain.leg))));
      const premium = newLeg(c, { token: c.APR, premiumToken: c.BAN, premiumAmount: PREMIUM });
      expect(await c.escrow.hashLeg(premium.leg)).to.equal(
        ethers.keccak256(
          coder.encode([...head, "address", "uint256"], [...words(premium.leg), c.BAN, PREMIUM]),
        ),
      );
      // A premium in the native coin (premiumToken 0, premiumAmount > 0) still hashes all 8 words.
      const nativePremium = newLeg(c, { premiumAmount: PREMIUM });
      expect(await c.escrow.hashLeg(nativePremium.leg)).to.equal(
        ethers.keccak256(coder.encode([...head, "address", "uint256"], [...words(nativePremium.leg), NATIVE, PREMIUM])),
      );
    });

    const FIELD_CHANGES: [string, (c: Ctx, leg: LegStruct) => LegStruct][] = [
      ["escrower", (c, l) => ({ ...l, escrower: c.carol.address })],
      ["redeemer", (c, l) => ({ ...l, redeemer: c.carol.address })],
      ["hashlock", (_c, l) => ({ ...l, hashlock: newSecret().hashlock })],
      ["token", (c, l) => ({ ...l, token: c.APR })],
      ["amount", (_c, l) => ({ ...l, amount: l.amount + 1n })],
      ["premiumToken", (c, l) => ({ ...l, premiumToken: c.APR })],
      ["premiumAmount", (_c, l) => ({ ...l, premiumAmount: l.premiumAmount + 1n })],
      ["timelocks (the premium deadline)", (_c, l) => ({ ...l, timelocks: l.timelocks + 1n })],
      ["timelocks (the escrow deadline)", (_c, l) => ({ ...l, timelocks: l.timelocks + (1n << 40n) })],
      ["timelocks (the timeout)", (_c, l) => ({ ...l, timelocks: l.timelocks + (1n << 80n) })],
      ["timelocks (the premium mode)", (_c, l) => ({ ...l, timelocks: l.timelocks ^ (1n << 120n) })],
    ];
    for (const kind of ["premium", "plain"] as const) {
      for (const [field, change] of FIELD_CHANGES) {
        it(`changing ${field} of a ${kind} leg gives a different id (in the contract and the SDK alike)`, async function () {
          const c = await setup();
          const base = newLeg(c, kind === "premium" ? { premiumAmount: PREMIUM } : {});
          expect(await c.escrow.hashLeg(base.leg)).to.equal(base.id);
          const changed = change(c, base.leg);
          const changedId = await c.escrow.hashLeg(changed);
          expect(changedId).to.not.equal(base.id);
          expect(changedId).to.equal(legId(changed, c.at));
          expect(await c.escrow.hashAbort(changed)).to.not.equal(await c.escrow.hashAbort(base.leg));
        });
      }
    }

    it("a plain leg and the same leg with premiumToken set have different ids and separate states", async function () {
      const c = await setup();
      const plain = newLeg(c);
      const withToken = withLeg(c, { ...plain.leg, premiumToken: c.APR }, plain.secret);
      expect(withToken.id).to.not.equal(plain.id);
      expect(await c.escrow.hashLeg(withToken.leg)).to.equal(withToken.id);
      expect(await c.escrow.hashLeg(plain.leg)).to.equal(plain.id);
      // Only the canonical one can be created, and creating it does not touch the other's word.
      await expectCreationRevert(c, ESCROW_STEP, withToken, "LegPremiumTermsWithoutPremium", [
        withToken.id,
        c.APR,
        withToken.leg.timelocks,
      ]);
      await escrowLeg(c, plain.leg);
      expect(await c.escrow.legState(plain.id)).to.equal(LegState.Escrowed);
      expect(await c.escrow.legState(withToken.id)).to.equal(LegState.None);
    });

    it("another chain id in the SDK domain gives a different id", async function () {
      const c = await setup();
      const t = newLeg(c);
      expect(legId(t.leg, { chainId: c.at.chainId + 1n, escrow: c.escrowAddress })).to.not.equal(t.id);
      expect(abortDigest(t.leg, { chainId: c.at.chainId + 1n, escrow: c.escrowAddress })).to.not.equal(
        abortDigest(t.leg, c.at),
      );
      expect(await c.escrow.hashLeg(t.leg)).to.equal(t.id);
    });

    it("another escrow contract gives a different id", async function () {
      const c = await setup();
      const other = await ethers.deployContract("HedgeSwapEscrow");
      const otherAt = { chainId: c.at.chainId, escrow: await other.getAddress() };
      const t = newLeg(c);
      const otherId = await other.hashLeg(t.leg);
      expect(otherId).to.not.equal(t.id);
      expect(otherId).to.equal(legId(t.leg, otherAt));
      expect(await other.hashAbort(t.leg)).to.equal(abortDigest(t.leg, otherAt));
      expect(await other.hashAbort(t.leg)).to.not.equal(await c.escrow.hashAbort(t.leg));
    });
  });

  // ---------------------------------------------------------------- depositPremium

  describe("depositPremium", function () {
    async function expectDeposit(c: Ctx, t: TestLeg, extraTokens: string[] = []): Promise<void> {
      const tracker = await track(c, extraTokens);
      const tx = await depositPremium(c, t.leg);
      await expect(tx)
        .to.emit(c.escrow, "LegPremiumDeposited")
        .withArgs(...premiumDepositedArgs(t));
      const receipt = await receiptOf(tx);
      expect(escrowEvents(c, receipt, "LegPremiumDeposited")).to.deep.equal([premiumDepositedArgs(t)]);
      for (const name of ESCROW_EVENT_NAMES) expect(escrowEvents(c, receipt, name), name).to.deep.equal([]);
      await expectLegRebuiltFromLog(c, receipt, t);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
      await expectDeltas(c, tracker, [
        [t.leg.premiumToken, c.bob.address, -t.leg.premiumAmount],
        [t.leg.premiumToken, c.escrowAddress, t.leg.premiumAmount],
      ]);
    }

    it("takes a native-coin premium from the redeemer and creates the leg", async function () {
      const c = await setup();
      await expectDeposit(c, newLeg(c, { premiumAmount: PREMIUM }));
    });

    it("takes an ERC-20 premium from the redeemer and creates the leg", async function () {
      const c = await setup();
      await expectDeposit(c, newLeg(c, { token: c.APR, premiumToken: c.APR, premiumAmount: PREMIUM }));
    });

    it("takes a premium in another asset than the principal (BAN premium, APR principal)", async function () {
      const c = await setup();
      await expectDeposit(c, newLeg(c, { token: c.APR, premiumToken: c.BAN, premiumAmount: PREMIUM, mode: PremiumMode.Option }));
    });

    it("takes a premium in a no-return token", async function () {
      const c = await setup();
      await expectDeposit(c, newLeg(c, { premiumToken: c.NORET, premiumAmount: PREMIUM }), [c.NORET]);
    });

    it("reverts with LegCallerNotRedeemer when called by anyone else", async function () {
      const c = await setup();
      const t = newLeg(c, { premiumAmount: PREMIUM });
      for (const caller of [c.alice, c.relayer]) {
        const tracker = await track(c);
        await expect(depositPremium(c, t.leg, caller))
          .to.be.revertedWithCustomError(c.escrow, "LegCallerNotRedeemer")
          .withArgs(t.id, caller.address, c.bob.address);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      }
    });

    it("cannot create a leg whose redeemer is the zero address (LegCallerNotRedeemer)", async function () {
      const c = await setup();
      const t = newLeg(c, { redeemer: ZeroAddress, premiumAmount: PREMIUM });
      await expectCreationRevert(c, DEPOSIT_STEP, t, "LegCallerNotRedeemer", [t.id, c.bob.address, ZeroAddress]);
    });

    it("reverts with LegNoPremium for a plain leg", async function () {
      const c = await setup();
      const t = newLeg(c);
      await expectCreationRevert(c, DEPOSIT_STEP, t, "LegNoPremium", [t.id], { value: 0n });
    });

    it("reverts with LegUnexpectedState(PremiumDeposited) on a second deposit", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      const tracker = await track(c);
      await expect(depositPremium(c, t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.PremiumDeposited);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
    });

    it("reverts with LegUnexpectedState(Escrowed) on a deposit after the escrow", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      const tracker = await track(c);
      await expect(depositPremium(c, t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.Escrowed);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });

    it("reverts with LegDeadlinePassed when premiumDeadline is already in the past", async function () {
      const c = await setup();
      const t = newLeg(c, { premiumAmount: PREMIUM, premiumDeadline: c.t0 - 10n });
      await setNextTimestamp(c.t0 + 5n);
      await expectCreationRevert(c, DEPOSIT_STEP, t, "LegDeadlinePassed", [t.id, c.t0 - 10n, c.t0 + 5n]);
    });

    it("reverts with LegInvalidParty(legId, escrower) when the escrower is the zero address", async function () {
      const c = await setup();
      const t = newLeg(c, { escrower: ZeroAddress, premiumAmount: PREMIUM });
      await expectCreationRevert(c, DEPOSIT_STEP, t, "LegInvalidParty", [t.id, ZeroAddress]);
    });

    it("reverts with LegInvalidParty(legId, escrower) when the escrower is the escrow contract", async function () {
      const c = await setup();
      const t = newLeg(c, { escrower: c.escrowAddress, premiumAmount: PREMIUM });
      await expectCreationRevert(c, DEPOSIT_STEP, t, "LegInvalidParty", [t.id, c.escrowAddress]);
    });

    itValidatesNewLegs(DEPOSIT_STEP);
  });

  // ---------------------------------------------------------------- escrow

  describe("escrow", function () {
    async function expectEscrow(c: Ctx, t: TestLeg, extraTokens: string[] = []): Promise<void> {
      const tracker = await track(c, extraTokens);
      const tx = await escrowLeg(c, t.leg);
      const { name, args } = escrowEvent(t);
      await expect(tx)
        .to.emit(c.escrow, name)
        .withArgs(...args);
      const receipt = await receiptOf(tx);
      expectEscrowEvent(c, receipt, t);
      expect(escrowEvents(c, receipt, "LegPremiumDeposited")).to.deep.equal([]);
      // A plain leg is created here, by an event that carries every parameter.
      if (t.leg.premiumAmount === 0n) await expectLegRebuiltFromLog(c, receipt, t);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      await expectDeltas(c, tracker, [
        [t.leg.token, c.alice.address, -t.leg.amount],
        [t.leg.token, c.escrowAddress, t.leg.amount],
      ]);
    }

    it("creates a plain native-coin leg", async function () {
      const c = await setup();
      const t = newLeg(c);
      expect(await c.escrow.connect(c.alice).escrow.staticCall(t.leg, { value: AMOUNT })).to.equal(t.id);
      await expectEscrow(c, t);
    });

    it("creates a plain ERC-20 leg", async function () {
      const c = await setup();
      await expectEscrow(c, newLeg(c, { token: c.APR }));
    });

    it("creates a plain leg in a token without bool returns", async function () {
      const c = await setup();
      await expectEscrow(c, newLeg(c, { token: c.NORET }), [c.NORET]);
    });

    it("escrows the principal of a premium leg after the deposit, next to the premium", async function () {
      const c = await setup();
      const t = await premiumLeg(c, { token: c.BAN, premiumToken: c.APR });
      await expectEscrow(c, t);
      expect(await balanceOf(c.APR, c.escrowAddress)).to.equal(PREMIUM);
      expect(await balanceOf(c.BAN, c.escrowAddress)).to.equal(AMOUNT);
    });

    it("escrows a premium leg exactly at escrowDeadline", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      await setNextTimestamp(t.escrowDeadline);
      await expectEscrow(c, t);
    });

    it("reverts with LegDeadlinePassed for a premium leg one second after escrowDeadline", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      await setNextTimestamp(t.escrowDeadline + 1n);
      const tracker = await track(c);
      await expect(escrowLeg(c, t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegDeadlinePassed")
        .withArgs(t.id, t.escrowDeadline, t.escrowDeadline + 1n);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
    });

    it("reverts with LegCallerNotEscrower when anyone else escrows a plain or a premium leg", async function () {
      const c = await setup();
      const plain = newLeg(c);
      const withPremium = await premiumLeg(c);
      for (const [t, caller, state] of [
        [plain, c.bob, LegState.None],
        [withPremium, c.relayer, LegState.PremiumDeposited],
      ] as const) {
        const tracker = await track(c);
        await expect(escrowLeg(c, t.leg, caller))
          .to.be.revertedWithCustomError(c.escrow, "LegCallerNotEscrower")
          .withArgs(t.id, caller.address, c.alice.address);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(state);
      }
    });

    it("reverts with LegUnexpectedState(None) for a premium leg whose premium is not in", async function () {
      const c = await setup();
      const t = newLeg(c, { premiumAmount: PREMIUM });
      await expectCreationRevert(c, ESCROW_STEP, t, "LegUnexpectedState", [t.id, LegState.None]);
    });

    for (const kind of ["plain", "premium"] as const) {
      it(`reverts with LegUnexpectedState(Escrowed) when a ${kind} leg is escrowed twice`, async function () {
        const c = await setup();
        const t = await escrowedLeg(c, kind === "premium" ? { premiumAmount: PREMIUM } : {});
        const tracker = await track(c);
        await expect(escrowLeg(c, t.leg))
          .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
          .withArgs(t.id, LegState.Escrowed);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });
    }

    it("reverts with LegUnexpectedState(Aborted) after an abort", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      await c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob));
      const tracker = await track(c);
      await expect(escrowLeg(c, t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.Aborted);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });

    it("reverts with LegInvalidParty(legId, redeemer) when the redeemer is the zero address", async function () {
      const c = await setup();
      const t = newLeg(c, { redeemer: ZeroAddress });
      await expectCreationRevert(c, ESCROW_STEP, t, "LegInvalidParty", [t.id, ZeroAddress]);
    });

    it("reverts with LegInvalidParty(legId, redeemer) when the redeemer is the escrow contract", async function () {
      const c = await setup();
      const t = newLeg(c, { redeemer: c.escrowAddress });
      await expectCreationRevert(c, ESCROW_STEP, t, "LegInvalidParty", [t.id, c.escrowAddress]);
    });

    it("reverts with LegPremiumTermsWithoutPremium for a plain leg naming a premium token", async function () {
      const c = await setup();
      const t = newLeg(c, { premiumToken: c.APR });
      await expectCreationRevert(c, ESCROW_STEP, t, "LegPremiumTermsWithoutPremium", [t.id, c.APR, t.leg.timelocks]);
    });

    it("reverts with LegPremiumTermsWithoutPremium for a plain leg in option mode", async function () {
      const c = await setup();
      const t = newLeg(c, { mode: PremiumMode.Option });
      await expectCreationRevert(c, ESCROW_STEP, t, "LegPremiumTermsWithoutPremium", [t.id, NATIVE, t.leg.timelocks]);
    });

    it("reverts with LegPremiumTermsWithoutPremium for a plain leg with a non-zero premiumDeadline", async function () {
      const c = await setup();
      const t = newLeg(c, { premiumDeadline: c.t0 + DELTA });
      expect(t.premiumDeadline).to.equal(c.t0 + DELTA);
      await expectCreationRevert(c, ESCROW_STEP, t, "LegPremiumTermsWithoutPremium", [t.id, NATIVE, t.leg.timelocks]);
    });

    it("reverts with LegPremiumTermsWithoutPremium(legId, premiumToken, timelocks) for all three terms", async function () {
      const c = await setup();
      const t = newLeg(c, { premiumToken: c.BAN, premiumDeadline: c.t0 + DELTA, mode: PremiumMode.Option });
      await expectCreationRevert(c, ESCROW_STEP, t, "LegPremiumTermsWithoutPremium", [t.id, c.BAN, t.leg.timelocks]);
    });

    // The final interface's check order for creation is: malformed timelocks, then (plain) premium
    // terms. escrow() of a plain leg naming a premium token checks the premium token first, so this
    // test shows that deviation (lock/lockToken cannot name a premium token and follow the order).
    it("checks a malformed timelocks word before the premium terms of a plain leg naming a premium token", async function () {
      const c = await setup();
      const base = newLeg(c, { premiumToken: c.APR });
      const t = withTimelocksWord(c, base, base.leg.timelocks | (1n << 255n));
      await expectCreationRevert(c, ESCROW_STEP, t, "LegMalformedTimelocks", [t.id, t.leg.timelocks]);
    });

    itValidatesNewLegs(ESCROW_STEP);
  });

  // ---------------------------------------------------------------- permits

  /** The permit variant of a step, paying APR (an ERC-2612 token). */
  interface PermitStep {
    name: "depositPremiumWithPermit" | "escrowWithPermit";
    /** A leg ready for the step (premium deposited first for escrowWithPermit of a premium leg). */
    prepare(c: Ctx): Promise<TestLeg>;
    payer(c: Ctx): HardhatEthersSigner;
    paid(leg: LegStruct): bigint;
    stateAfter: bigint;
    /** The event the step emits for `t`, with every argument. */
    event(t: TestLeg): { name: string; args: unknown[] };
    send(c: Ctx, leg: LegStruct, deadline: bigint, v: number, r: string, s: string): Promise<ContractTransactionResponse>;
    /** A leg paying the native coin in this step. */
    nativeLeg(c: Ctx): Promise<TestLeg>;
  }

  const PERMIT_STEPS: PermitStep[] = [
    {
      name: "depositPremiumWithPermit",
      prepare: async (c) => newLeg(c, { premiumToken: c.APR, premiumAmount: PREMIUM }),
      payer: (c) => c.bob,
      paid: (leg) => leg.premiumAmount,
      stateAfter: LegState.PremiumDeposited,
      event: (t) => ({ name: "LegPremiumDeposited", args: premiumDepositedArgs(t) }),
      send: (c, leg, deadline, v, r, s) => c.escrow.connect(c.bob).depositPremiumWithPermit(leg, deadline, v, r, s),
      nativeLeg: async (c) => newLeg(c, { token: c.APR, premiumAmount: PREMIUM }),
    },
    {
      name: "escrowWithPermit",
      prepare: async (c) => premiumLeg(c, { token: c.APR }),
      payer: (c) => c.alice,
      paid: (leg) => leg.amount,
      stateAfter: LegState.Escrowed,
      event: (t) => ({ name: "LegEscrowed", args: [t.id] }),
      send: (c, leg, deadline, v, r, s) => c.escrow.connect(c.alice).escrowWithPermit(leg, deadline, v, r, s),
      nativeLeg: async (c) => premiumLeg(c, { premiumToken: c.APR }),
    },
  ];

  for (const step of PERMIT_STEPS) {
    describe(step.name, function () {
      /** Leg prepared, the payer's APR allowance revoked. */
      async function prepared(c: Ctx): Promise<{ t: TestLeg; payer: HardhatEthersSigner; deadline: bigint }> {
        const t = await step.prepare(c);
        const payer = step.payer(c);
        await c.apr.connect(payer).approve(c.escrowAddress, 0n);
        return { t, payer, deadline: c.t0 + DELTA };
      }

      async function expectSuccess(c: Ctx, t: TestLeg, payer: HardhatEthersSigner, send: () => Promise<ContractTransactionResponse>) {
        const tracker = await track(c);
        const tx = await send();
        const { name, args } = step.event(t);
        await expect(tx)
          .to.emit(c.escrow, name)
          .withArgs(...args);
        expect(escrowEvents(c, await receiptOf(tx), name)).to.deep.equal([args]);
        expect(await c.escrow.legState(t.id)).to.equal(step.stateAfter);
        await expectDeltas(c, tracker, [
          [c.APR, payer.address, -step.paid(t.leg)],
          [c.APR, c.escrowAddress, step.paid(t.leg)],
        ]);
        expect(await c.apr.allowance(payer.address, c.escrowAddress)).to.equal(0n);
      }

      it("works with a valid permit and no prior allowance", async function () {
        const c = await setup();
        const { t, payer, deadline } = await prepared(c);
        expect(await c.apr.allowance(payer.address, c.escrowAddress)).to.equal(0n);
        const { v, r, s } = await signPermit(c.apr, payer, c.escrowAddress, step.paid(t.leg), deadline);
        await expectSuccess(c, t, payer, () => step.send(c, t.leg, deadline, v, r, s));
        expect(await c.apr.nonces(payer.address)).to.equal(1n);
      });

      it("works with a permit that was front-run, through the allowance it created", async function () {
        const c = await setup();
        const { t, payer, deadline } = await prepared(c);
        const { v, r, s } = await signPermit(c.apr, payer, c.escrowAddress, step.paid(t.leg), deadline);
        await c.apr.connect(c.relayer).permit(payer.address, c.escrowAddress, step.paid(t.leg), deadline, v, r, s);
        expect(await c.apr.allowance(payer.address, c.escrowAddress)).to.equal(step.paid(t.leg));
        await expectSuccess(c, t, payer, () => step.send(c, t.leg, deadline, v, r, s));
      });

      it("reverts with the token's ERC20InsufficientAllowance for an invalid permit and no allowance", async function () {
        const c = await setup();
        const { t, payer, deadline } = await prepared(c);
        const stateBefore = await c.escrow.legState(t.id);
        // Signed by carol on behalf of the payer: the permit fails, and there is no allowance.
        const { v, r, s } = await signPermit(c.apr, payer, c.escrowAddress, step.paid(t.leg), deadline, c.carol);
        const tracker = await track(c);
        await expect(step.send(c, t.leg, deadline, v, r, s))
          .to.be.revertedWithCustomError(c.apr, "ERC20InsufficientAllowance")
          .withArgs(c.escrowAddress, 0n, step.paid(t.leg));
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(stateBefore);
        expect(await c.apr.allowance(payer.address, c.escrowAddress)).to.equal(0n);
      });

      it("reverts with LegPermitForNativeCoin when the asset is the native coin", async function () {
        const c = await setup();
        const t = await step.nativeLeg(c);
        const stateBefore = await c.escrow.legState(t.id);
        const tracker = await track(c);
        await expect(step.send(c, t.leg, c.t0 + DELTA, 27, ZeroHash, ZeroHash))
          .to.be.revertedWithCustomError(c.escrow, "LegPermitForNativeCoin")
          .withArgs(t.id);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(stateBefore);
      });
    });
  }

  describe("escrowWithPermit (plain leg)", function () {
    it("creates a plain APR leg with a valid permit and no prior allowance", async function () {
      const c = await setup();
      const t = newLeg(c, { token: c.APR });
      await c.apr.connect(c.alice).approve(c.escrowAddress, 0n);
      const { v, r, s } = await signPermit(c.apr, c.alice, c.escrowAddress, AMOUNT, c.t0 + DELTA);
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.alice).escrowWithPermit(t.leg, c.t0 + DELTA, v, r, s);
      await expect(tx)
        .to.emit(c.escrow, "LegLocked")
        .withArgs(t.leg.hashlock, c.alice.address, c.bob.address, c.APR, AMOUNT, t.leg.timelocks);
      const receipt = await receiptOf(tx);
      expectEscrowEvent(c, receipt, t);
      await expectLegRebuiltFromLog(c, receipt, t);
      await expectDeltas(c, tracker, [
        [c.APR, c.alice.address, -AMOUNT],
        [c.APR, c.escrowAddress, AMOUNT],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });
  });

  // ---------------------------------------------------------------- redeem

  describe("redeem", function () {
    it("pays the principal to the redeemer when the redeemer redeems", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.bob).redeem(t.leg, t.secret);
      await expect(tx).to.emit(c.escrow, "LegRedeemed").withArgs(t.id, t.secret);
      await expect(tx).to.not.emit(c.escrow, "PayoutCredited");
      await expectDeltas(c, tracker, [
        [NATIVE, c.bob.address, AMOUNT],
        [NATIVE, c.escrowAddress, -AMOUNT],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("pays the principal to the redeemer, not the caller, when a third party redeems", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { token: c.APR });
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "LegRedeemed")
        .withArgs(t.id, t.secret);
      await expectDeltas(c, tracker, [
        [c.APR, c.bob.address, AMOUNT],
        [c.APR, c.escrowAddress, -AMOUNT],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("pays a hedge premium back to the redeemer (premium in another token than the principal)", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumToken: c.APR, premiumAmount: PREMIUM, mode: PremiumMode.Hedge });
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "LegRedeemed")
        .withArgs(t.id, t.secret);
      await expectDeltas(c, tracker, [
        [NATIVE, c.bob.address, AMOUNT],
        [NATIVE, c.escrowAddress, -AMOUNT],
        [c.APR, c.bob.address, PREMIUM],
        [c.APR, c.escrowAddress, -PREMIUM],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("pays an option premium to the escrower (premium in another token than the principal)", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { token: c.APR, premiumToken: NATIVE, premiumAmount: PREMIUM, mode: PremiumMode.Option });
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "LegRedeemed")
        .withArgs(t.id, t.secret);
      await expectDeltas(c, tracker, [
        [c.APR, c.bob.address, AMOUNT],
        [c.APR, c.escrowAddress, -AMOUNT],
        [NATIVE, c.alice.address, PREMIUM],
        [NATIVE, c.escrowAddress, -PREMIUM],
      ]);
    });

    it("pays principal and hedge premium in the same token to the redeemer in one transfer", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { token: c.APR, premiumToken: c.APR, premiumAmount: PREMIUM });
      const tracker = await track(c);
      const receipt = await receiptOf(await c.escrow.connect(c.relayer).redeem(t.leg, t.secret));
      expect(transfersFrom(c, receipt, c.APR, c.escrowAddress)).to.deep.equal([[c.bob.address, AMOUNT + PREMIUM]]);
      await expectDeltas(c, tracker, [
        [c.APR, c.bob.address, AMOUNT + PREMIUM],
        [c.APR, c.escrowAddress, -(AMOUNT + PREMIUM)],
      ]);
    });

    it("succeeds exactly at timeout", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      await setNextTimestamp(t.timeout);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "LegRedeemed")
        .withArgs(t.id, t.secret);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("reverts with LegDeadlinePassed one second after timeout", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      await setNextTimestamp(t.timeout + 1n);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).redeem(t.leg, t.secret))
        .to.be.revertedWithCustomError(c.escrow, "LegDeadlinePassed")
        .withArgs(t.id, t.timeout, t.timeout + 1n);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });

    it("reverts with LegWrongSecret(legId, hashlock, sha256(secret)) for a wrong secret", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      const wrong = newSecret().secret;
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).redeem(t.leg, wrong))
        .to.be.revertedWithCustomError(c.escrow, "LegWrongSecret")
        .withArgs(t.id, t.leg.hashlock, sha256(wrong));
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });

    it("reverts with LegUnexpectedState(None) for a leg that was never escrowed", async function () {
      const c = await setup();
      const t = newLeg(c);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).redeem(t.leg, t.secret))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.None);
      await expectUnchanged(c, tracker);
    });

    it("reverts with LegUnexpectedState(PremiumDeposited) for a leg with only its premium in", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).redeem(t.leg, t.secret))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.PremiumDeposited);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
    });

    it("reverts with LegUnexpectedState(None) on a second redeem (no second payout)", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      await c.escrow.connect(c.bob).redeem(t.leg, t.secret);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.None);
      await expectUnchanged(c, tracker);
    });

    it("reverts with LegUnexpectedState(Aborted) for an aborted leg", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      await c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob));
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).redeem(t.leg, t.secret))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.Aborted);
      await expectUnchanged(c, tracker);
    });
  });

  // ---------------------------------------------------------------- redeemBatch

  describe("redeemBatch", function () {
    it("pays several native legs of one redeemer in one payout, without any credit", async function () {
      const c = await setup();
      const legs = [
        await escrowedLeg(c, { amount: 1n }),
        await escrowedLeg(c, { amount: 20n }),
        await escrowedLeg(c, { amount: 300n }),
      ];
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.relayer).redeemBatch(
        legs.map((t) => t.leg),
        legs.map((t) => t.secret),
      );
      for (const t of legs) await expect(tx).to.emit(c.escrow, "LegRedeemed").withArgs(t.id, t.secret);
      await expect(tx).to.not.emit(c.escrow, "PayoutCredited");
      await expectDeltas(c, tracker, [
        [NATIVE, c.bob.address, 321n],
        [NATIVE, c.escrowAddress, -321n],
      ]);
      for (const t of legs) expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("pays several ERC-20 legs of one redeemer with exactly one transfer", async function () {
      const c = await setup();
      const legs = [
        await escrowedLeg(c, { token: c.APR, amount: 5n }),
        await escrowedLeg(c, { token: c.APR, amount: 7n, premiumToken: c.APR, premiumAmount: 2n }),
        await escrowedLeg(c, { token: c.APR, amount: 11n }),
      ];
      const tracker = await track(c);
      const receipt = await receiptOf(
        await c.escrow.connect(c.relayer).redeemBatch(
          legs.map((t) => t.leg),
          legs.map((t) => t.secret),
        ),
      );
      expect(transfersFrom(c, receipt, c.APR, c.escrowAddress)).to.deep.equal([[c.bob.address, 25n]]);
      await expectDeltas(c, tracker, [
        [c.APR, c.bob.address, 25n],
        [c.APR, c.escrowAddress, -25n],
      ]);
    });

    it("credits a native batch to a rejecting redeemer once, with the sum", async function () {
      const c = await setup();
      const rejecting = await c.rejecting.getAddress();
      const legs = [await escrowedLeg(c, { redeemer: rejecting, amount: 4n }), await escrowedLeg(c, { redeemer: rejecting, amount: 6n })];
      const tracker = await track(c, [], [rejecting]);
      const receipt = await receiptOf(
        await c.escrow.connect(c.relayer).redeemBatch(
          legs.map((t) => t.leg),
          legs.map((t) => t.secret),
        ),
      );
      expect(escrowEvents(c, receipt, "PayoutCredited")).to.deep.equal([[rejecting, NATIVE, 10n]]);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(10n);
      await expectUnchanged(c, tracker);
    });

    it("pays mixed tokens and recipients, one transfer per (token, recipient)", async function () {
      const c = await setup();
      const l1 = await escrowedLeg(c, { amount: 10n });
      const l2 = await escrowedLeg(c, { token: c.APR, amount: 100n, premiumToken: c.BAN, premiumAmount: 3n });
      const l3 = await escrowedLeg(c, {
        escrower: c.bob.address,
        redeemer: c.carol.address,
        token: c.APR,
        amount: 50n,
        premiumToken: c.APR,
        premiumAmount: 2n,
        mode: PremiumMode.Option,
      });
      const l4 = await escrowedLeg(c, { escrower: c.carol.address, redeemer: c.alice.address, token: c.BAN, amount: 7n });
      const l5 = await escrowedLeg(c, { amount: 5n });
      const legs = [l1, l2, l3, l4, l5];
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.relayer).redeemBatch(
        legs.map((t) => t.leg),
        legs.map((t) => t.secret),
      );
      for (const t of legs) await expect(tx).to.emit(c.escrow, "LegRedeemed").withArgs(t.id, t.secret);
      await expectDeltas(c, tracker, [
        [NATIVE, c.bob.address, 15n],
        [NATIVE, c.escrowAddress, -15n],
        [c.APR, c.bob.address, 102n],
        [c.APR, c.carol.address, 50n],
        [c.APR, c.escrowAddress, -152n],
        [c.BAN, c.bob.address, 3n],
        [c.BAN, c.alice.address, 7n],
        [c.BAN, c.escrowAddress, -10n],
      ]);
      const receipt = await receiptOf(tx);
      expect(transfersFrom(c, receipt, c.APR, c.escrowAddress)).to.have.deep.members([
        [c.bob.address, 102n],
        [c.carol.address, 50n],
      ]);
      expect(transfersFrom(c, receipt, c.BAN, c.escrowAddress)).to.have.deep.members([
        [c.bob.address, 3n],
        [c.alice.address, 7n],
      ]);
      for (const t of legs) expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("reverts with BatchEmpty for no leg", async function () {
      const c = await setup();
      await expect(c.escrow.connect(c.relayer).redeemBatch([], [])).to.be.revertedWithCustomError(c.escrow, "BatchEmpty");
    });

    it("reverts with BatchLengthMismatch(legs, secrets) when the arrays differ in length", async function () {
      const c = await setup();
      const a = await escrowedLeg(c);
      const b = await escrowedLeg(c);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).redeemBatch([a.leg, b.leg], [a.secret]))
        .to.be.revertedWithCustomError(c.escrow, "BatchLengthMismatch")
        .withArgs(2n, 1n);
      await expect(c.escrow.connect(c.relayer).redeemBatch([a.leg], [a.secret, b.secret]))
        .to.be.revertedWithCustomError(c.escrow, "BatchLengthMismatch")
        .withArgs(1n, 2n);
      await expect(c.escrow.connect(c.relayer).redeemBatch([], [a.secret]))
        .to.be.revertedWithCustomError(c.escrow, "BatchEmpty");
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(a.id)).to.equal(LegState.Escrowed);
      expect(await c.escrow.legState(b.id)).to.equal(LegState.Escrowed);
    });

    it("reverts as a whole, changing nothing, when one leg has a wrong secret", async function () {
      const c = await setup();
      const legs = [await escrowedLeg(c), await escrowedLeg(c, { token: c.APR }), await escrowedLeg(c)];
      const wrong = newSecret().secret;
      const tracker = await track(c);
      await expect(
        c.escrow.connect(c.relayer).redeemBatch(
          legs.map((t) => t.leg),
          [legs[0]!.secret, wrong, legs[2]!.secret],
        ),
      )
        .to.be.revertedWithCustomError(c.escrow, "LegWrongSecret")
        .withArgs(legs[1]!.id, legs[1]!.leg.hashlock, sha256(wrong));
      await expectUnchanged(c, tracker);
      for (const t of legs) expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });

    it("reverts with LegUnexpectedState(None) when a leg appears twice (no second payout)", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).redeemBatch([t.leg, t.leg], [t.secret, t.secret]))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.None);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });
  });

  // ---------------------------------------------------------------- settle

  describe("settle", function () {
    it("refunds a premium-only leg's premium to the redeemer after escrowDeadline, called by anyone", async function () {
      const c = await setup();
      const t = await premiumLeg(c, { token: c.BAN, premiumToken: c.APR, mode: PremiumMode.Option });
      await setNextTimestamp(t.escrowDeadline + 1n);
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.relayer).settle(t.leg);
      await expect(tx).to.emit(c.escrow, "LegPremiumRefunded").withArgs(t.id);
      await expect(tx).to.not.emit(c.escrow, "LegRefunded");
      await expectDeltas(c, tracker, [
        [c.APR, c.bob.address, PREMIUM],
        [c.APR, c.escrowAddress, -PREMIUM],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("reverts with LegNotExpired for a premium-only leg exactly at escrowDeadline", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      await setNextTimestamp(t.escrowDeadline);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).settle(t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegNotExpired")
        .withArgs(t.id, t.escrowDeadline, t.escrowDeadline);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
    });

    it("pays principal and premium to the escrower after timeout, called by anyone", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumToken: c.APR, premiumAmount: PREMIUM });
      await setNextTimestamp(t.timeout + 1n);
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.relayer).settle(t.leg);
      await expect(tx).to.emit(c.escrow, "LegRefunded").withArgs(t.id);
      await expect(tx).to.not.emit(c.escrow, "LegPremiumRefunded");
      await expectDeltas(c, tracker, [
        [NATIVE, c.alice.address, AMOUNT],
        [NATIVE, c.escrowAddress, -AMOUNT],
        [c.APR, c.alice.address, PREMIUM],
        [c.APR, c.escrowAddress, -PREMIUM],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("refunds a plain escrowed leg to the escrower after timeout", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { token: c.BAN });
      await setNextTimestamp(t.timeout + 1n);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).settle(t.leg)).to.emit(c.escrow, "LegRefunded").withArgs(t.id);
      await expectDeltas(c, tracker, [
        [c.BAN, c.alice.address, AMOUNT],
        [c.BAN, c.escrowAddress, -AMOUNT],
      ]);
    });

    it("reverts with LegNotExpired for an escrowed leg exactly at timeout", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      await setNextTimestamp(t.timeout);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).settle(t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegNotExpired")
        .withArgs(t.id, t.timeout, t.timeout);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });

    it("reverts with LegUnexpectedState(None) for an unknown leg", async function () {
      const c = await setup();
      const t = newLeg(c);
      await setNextTimestamp(t.timeout + 1n);
      await expect(c.escrow.connect(c.relayer).settle(t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.None);
    });

    it("reverts with LegUnexpectedState(None) for a leg already settled", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      await setNextTimestamp(t.timeout + 1n);
      await c.escrow.connect(c.relayer).settle(t.leg);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).settle(t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.None);
      await expectUnchanged(c, tracker);
    });

    it("reverts with LegUnexpectedState(None) for a redeemed leg", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      await c.escrow.connect(c.bob).redeem(t.leg, t.secret);
      await setNextTimestamp(t.timeout + 1n);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.alice).settle(t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.None);
      await expectUnchanged(c, tracker);
    });

    it("reverts with LegUnexpectedState(Aborted) for an aborted leg", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      await c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob));
      await setNextTimestamp(t.timeout + 1n);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.alice).settle(t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.Aborted);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });
  });

  // ---------------------------------------------------------------- settleBatch

  describe("settleBatch", function () {
    it("reverts with BatchEmpty for no leg", async function () {
      const c = await setup();
      await expect(c.escrow.connect(c.relayer).settleBatch([])).to.be.revertedWithCustomError(c.escrow, "BatchEmpty");
    });

    it("settles premium-only and escrowed legs together with mixed outcomes", async function () {
      const c = await setup();
      const premiumOnly = await premiumLeg(c, { premiumToken: c.APR, premiumAmount: 3n });
      const escrowed = await escrowedLeg(c, { amount: 40n, premiumToken: c.BAN, premiumAmount: 5n });
      const plain = await escrowedLeg(c, { token: c.APR, amount: 60n });
      const otherEscrower = await escrowedLeg(c, { escrower: c.carol.address, token: c.APR, amount: 9n });
      await setNextTimestamp(c.t0 + 4n * DELTA + 1n);
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.relayer).settleBatch([premiumOnly.leg, escrowed.leg, plain.leg, otherEscrower.leg]);
      await expect(tx).to.emit(c.escrow, "LegPremiumRefunded").withArgs(premiumOnly.id);
      await expect(tx).to.emit(c.escrow, "LegRefunded").withArgs(escrowed.id);
      await expect(tx).to.emit(c.escrow, "LegRefunded").withArgs(plain.id);
      await expect(tx).to.emit(c.escrow, "LegRefunded").withArgs(otherEscrower.id);
      await expectDeltas(c, tracker, [
        [c.APR, c.bob.address, 3n],
        [NATIVE, c.alice.address, 40n],
        [c.BAN, c.alice.address, 5n],
        [c.APR, c.alice.address, 60n],
        [c.APR, c.carol.address, 9n],
        [NATIVE, c.escrowAddress, -40n],
        [c.BAN, c.escrowAddress, -5n],
        [c.APR, c.escrowAddress, -72n],
      ]);
      for (const t of [premiumOnly, escrowed, plain, otherEscrower]) {
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      }
    });

    it("reverts as a whole, changing nothing, when one leg has not expired", async function () {
      const c = await setup();
      const premiumOnly = await premiumLeg(c);
      const escrowed = await escrowedLeg(c);
      const txTime = premiumOnly.escrowDeadline + 1n;
      await setNextTimestamp(txTime);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.relayer).settleBatch([premiumOnly.leg, escrowed.leg]))
        .to.be.revertedWithCustomError(c.escrow, "LegNotExpired")
        .withArgs(escrowed.id, escrowed.timeout, txTime);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(premiumOnly.id)).to.equal(LegState.PremiumDeposited);
      expect(await c.escrow.legState(escrowed.id)).to.equal(LegState.Escrowed);
    });
  });

  // ---------------------------------------------------------------- abort

  describe("abort", function () {
    it("returns the principal to the escrower and the premium to the redeemer from Escrowed (EOA signature)", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumToken: c.APR, premiumAmount: PREMIUM });
      const signature = await signAbort(c, t.leg, c.bob);
      const { domain, types, message } = abortTypedData(t.leg, c.at);
      expect(ethers.verifyTypedData(domain, types, message, signature)).to.equal(c.bob.address);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.alice).abort(t.leg, signature)).to.emit(c.escrow, "LegAborted").withArgs(t.id);
      await expectDeltas(c, tracker, [
        [NATIVE, c.alice.address, AMOUNT],
        [NATIVE, c.escrowAddress, -AMOUNT],
        [c.APR, c.bob.address, PREMIUM],
        [c.APR, c.escrowAddress, -PREMIUM],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });

    it("returns the premium to the redeemer from PremiumDeposited", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob)))
        .to.emit(c.escrow, "LegAborted")
        .withArgs(t.id);
      await expectDeltas(c, tracker, [
        [NATIVE, c.bob.address, PREMIUM],
        [NATIVE, c.escrowAddress, -PREMIUM],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });

    it("returns a plain leg's principal to the escrower", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { token: c.BAN });
      const tracker = await track(c);
      await expect(c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob)))
        .to.emit(c.escrow, "LegAborted")
        .withArgs(t.id);
      await expectDeltas(c, tracker, [
        [c.BAN, c.alice.address, AMOUNT],
        [c.BAN, c.escrowAddress, -AMOUNT],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });

    it("accepts the ERC-1271 signature of a contract-wallet redeemer", async function () {
      const c = await setup();
      const wallet = await c.wallet.getAddress();
      const t = newLeg(c, { redeemer: wallet, premiumAmount: PREMIUM });
      await expect(
        c.wallet.connect(c.carol).execute(c.escrowAddress, c.escrow.interface.encodeFunctionData("depositPremium", [t.leg]), {
          value: PREMIUM,
        }),
      )
        .to.emit(c.escrow, "LegPremiumDeposited")
        .withArgs(...premiumDepositedArgs(t));
      await escrowLeg(c, t.leg);
      const tracker = await track(c, [], [wallet]);
      await expect(c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.carol)))
        .to.emit(c.escrow, "LegAborted")
        .withArgs(t.id);
      await expectDeltas(c, tracker, [
        [NATIVE, c.alice.address, AMOUNT],
        [NATIVE, wallet, PREMIUM],
        [NATIVE, c.escrowAddress, -(AMOUNT + PREMIUM)],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });

    it("reverts with LegInvalidAbortSignature for a contract-wallet redeemer when another key signed", async function () {
      const c = await setup();
      const wallet = await c.wallet.getAddress();
      const t = newLeg(c, { redeemer: wallet, premiumAmount: PREMIUM });
      await c.wallet.connect(c.carol).execute(c.escrowAddress, c.escrow.interface.encodeFunctionData("depositPremium", [t.leg]), {
        value: PREMIUM,
      });
      const tracker = await track(c, [], [wallet]);
      await expect(c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob)))
        .to.be.revertedWithCustomError(c.escrow, "LegInvalidAbortSignature")
        .withArgs(t.id, wallet);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
    });

    it("succeeds exactly at timeout", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      const signature = await signAbort(c, t.leg, c.bob);
      await setNextTimestamp(t.timeout);
      await expect(c.escrow.connect(c.alice).abort(t.leg, signature)).to.emit(c.escrow, "LegAborted").withArgs(t.id);
    });

    it("reverts with LegCallerNotEscrower when anyone else calls it", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      const signature = await signAbort(c, t.leg, c.bob);
      for (const caller of [c.bob, c.relayer]) {
        const tracker = await track(c);
        await expect(c.escrow.connect(caller).abort(t.leg, signature))
          .to.be.revertedWithCustomError(c.escrow, "LegCallerNotEscrower")
          .withArgs(t.id, caller.address, c.alice.address);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      }
    });

    const BAD_SIGNATURES: [string, (c: Ctx, t: TestLeg) => Promise<string>][] = [
      ["signed by another key", (c, t) => signAbort(c, t.leg, c.carol)],
      ["signed for another leg", (c) => signAbort(c, newLeg(c).leg, c.bob)],
      ["made with personal_sign over the abort digest instead of EIP-712", (c, t) => c.bob.signMessage(ethers.getBytes(abortDigest(t.leg, c.at)))],
      ["of malformed bytes (2 bytes)", async () => "0x1234"],
      ["that is empty", async () => "0x"],
    ];
    for (const [what, makeSignature] of BAD_SIGNATURES) {
      it(`reverts with LegInvalidAbortSignature for a signature ${what}`, async function () {
        const c = await setup();
        const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
        const signature = await makeSignature(c, t);
        const tracker = await track(c);
        await expect(c.escrow.connect(c.alice).abort(t.leg, signature))
          .to.be.revertedWithCustomError(c.escrow, "LegInvalidAbortSignature")
          .withArgs(t.id, c.bob.address);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });
    }

    it("reverts with LegUnexpectedState(Aborted) on a replay of the same signature", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      const signature = await signAbort(c, t.leg, c.bob);
      await c.escrow.connect(c.alice).abort(t.leg, signature);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.alice).abort(t.leg, signature))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.Aborted);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });

    it("reverts with LegDeadlinePassed one second after timeout", async function () {
      const c = await setup();
      const t = await escrowedLeg(c, { premiumAmount: PREMIUM });
      const signature = await signAbort(c, t.leg, c.bob);
      await setNextTimestamp(t.timeout + 1n);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.alice).abort(t.leg, signature))
        .to.be.revertedWithCustomError(c.escrow, "LegDeadlinePassed")
        .withArgs(t.id, t.timeout, t.timeout + 1n);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });

    it("reverts with LegUnexpectedState(None) for an unknown leg", async function () {
      const c = await setup();
      const t = newLeg(c);
      await expect(c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob)))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.None);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("leaves the leg Aborted for ever: no deposit, escrow, redeem or settle afterwards", async function () {
      const c = await setup();
      const t = await premiumLeg(c);
      await c.escrow.connect(c.alice).abort(t.leg, await signAbort(c, t.leg, c.bob));
      const tracker = await track(c);
      for (const send of [
        () => depositPremium(c, t.leg),
        () => escrowLeg(c, t.leg),
        () => c.escrow.connect(c.bob).redeem(t.leg, t.secret),
      ]) {
        await expect(send()).to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState").withArgs(t.id, LegState.Aborted);
      }
      await setNextTimestamp(t.timeout + 1n);
      await expect(c.escrow.connect(c.relayer).settle(t.leg))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(t.id, LegState.Aborted);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
    });
  });

  // ---------------------------------------------------------------- withdraw

  describe("withdraw", function () {
    /** A native-coin credit of 100 for the RejectingReceiver, the redeemer of a redeemed leg. */
    async function nativeCredit(c: Ctx): Promise<string> {
      const rejecting = await c.rejecting.getAddress();
      const t = await escrowedLeg(c, { redeemer: rejecting });
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "PayoutCredited")
        .withArgs(rejecting, NATIVE, AMOUNT);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(AMOUNT);
      return rejecting;
    }

    /** A BlacklistToken credit of 100 for bob, blacklisted before his leg was redeemed. */
    async function tokenCredit(c: Ctx): Promise<void> {
      const t = await escrowedLeg(c, { token: c.BLK });
      await c.blacklistToken.setBlacklisted(c.bob.address, true);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "PayoutCredited")
        .withArgs(c.bob.address, c.BLK, AMOUNT);
      expect(await c.escrow.credits(c.bob.address, c.BLK)).to.equal(AMOUNT);
    }

    function withdrawCall(c: Ctx, token: string, to: string): string {
      return c.escrow.interface.encodeFunctionData("withdraw(address,address)", [token, to]);
    }

    it("reverts with NothingToWithdraw(account, token) without a credit", async function () {
      const c = await setup();
      await expect(c.escrow.connect(c.alice)["withdraw(address,address)"](NATIVE, c.alice.address))
        .to.be.revertedWithCustomError(c.escrow, "NothingToWithdraw")
        .withArgs(c.alice.address, NATIVE);
      await expect(c.escrow.connect(c.bob)["withdraw(address,address)"](c.APR, c.bob.address))
        .to.be.revertedWithCustomError(c.escrow, "NothingToWithdraw")
        .withArgs(c.bob.address, c.APR);
    });

    it("pays a native-coin credit to `to`, emits CreditWithdrawn and clears the credit", async function () {
      const c = await setup();
      const rejecting = await nativeCredit(c);
      const tracker = await track(c, [], [rejecting]);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, withdrawCall(c, NATIVE, c.carol.address)))
        .to.emit(c.escrow, "CreditWithdrawn")
        .withArgs(rejecting, NATIVE, c.carol.address, AMOUNT);
      await expectDeltas(c, tracker, [
        [NATIVE, c.carol.address, AMOUNT],
        [NATIVE, c.escrowAddress, -AMOUNT],
      ]);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(0n);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, withdrawCall(c, NATIVE, c.carol.address)))
        .to.be.revertedWithCustomError(c.escrow, "NothingToWithdraw")
        .withArgs(rejecting, NATIVE);
    });

    it("pays a token credit to `to`, emits CreditWithdrawn, clears the credit and returns the amount", async function () {
      const c = await setup();
      await tokenCredit(c);
      expect(await c.escrow.connect(c.bob)["withdraw(address,address)"].staticCall(c.BLK, c.carol.address)).to.equal(AMOUNT);
      const tracker = await track(c, [c.BLK]);
      await expect(c.escrow.connect(c.bob)["withdraw(address,address)"](c.BLK, c.carol.address))
        .to.emit(c.escrow, "CreditWithdrawn")
        .withArgs(c.bob.address, c.BLK, c.carol.address, AMOUNT);
      await expectDeltas(c, tracker, [
        [c.BLK, c.carol.address, AMOUNT],
        [c.BLK, c.escrowAddress, -AMOUNT],
      ]);
      expect(await c.escrow.credits(c.bob.address, c.BLK)).to.equal(0n);
      await expect(c.escrow.connect(c.bob)["withdraw(address,address)"](c.BLK, c.carol.address))
        .to.be.revertedWithCustomError(c.escrow, "NothingToWithdraw")
        .withArgs(c.bob.address, c.BLK);
    });

    it("reverts with WithdrawFailed(to, amount) when `to` is the zero address", async function () {
      const c = await setup();
      const rejecting = await nativeCredit(c);
      await tokenCredit(c);
      const tracker = await track(c, [c.BLK], [rejecting]);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, withdrawCall(c, NATIVE, ZeroAddress)))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawFailed")
        .withArgs(ZeroAddress, AMOUNT);
      await expect(c.escrow.connect(c.bob)["withdraw(address,address)"](c.BLK, ZeroAddress))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawFailed")
        .withArgs(ZeroAddress, AMOUNT);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(AMOUNT);
      expect(await c.escrow.credits(c.bob.address, c.BLK)).to.equal(AMOUNT);
    });

    it("reverts with WithdrawFailed(to, amount) when `to` rejects the native coin", async function () {
      const c = await setup();
      const rejecting = await nativeCredit(c);
      const tracker = await track(c, [], [rejecting]);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, withdrawCall(c, NATIVE, rejecting)))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawFailed")
        .withArgs(rejecting, AMOUNT);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(AMOUNT);
    });
  });

  // ---------------------------------------------------------------- views

  describe("legState", function () {
    it("is None for an unknown id", async function () {
      const c = await setup();
      expect(await c.escrow.legState(ZeroHash)).to.equal(LegState.None);
      expect(await c.escrow.legState(newLeg(c).id)).to.equal(LegState.None);
    });

    it("follows a leg through PremiumDeposited, Escrowed and back to None on redeem", async function () {
      const c = await setup();
      const t = newLeg(c, { premiumAmount: PREMIUM });
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      await depositPremium(c, t.leg);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.PremiumDeposited);
      await escrowLeg(c, t.leg);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      await c.escrow.connect(c.bob).redeem(t.leg, t.secret);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("keeps one state per leg: creating a leg does not touch a leg differing in one field", async function () {
      const c = await setup();
      const t = await escrowedLeg(c);
      const sibling = withLeg(c, { ...t.leg, amount: t.leg.amount + 1n }, t.secret);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      expect(await c.escrow.legState(sibling.id)).to.equal(LegState.None);
    });
  });

  describe("credits", function () {
    it("is 0 by default and is kept per account and per token", async function () {
      const c = await setup();
      const rejecting = await c.rejecting.getAddress();
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(0n);
      const t = await escrowedLeg(c, { redeemer: rejecting, amount: 42n });
      await c.escrow.connect(c.relayer).redeem(t.leg, t.secret);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(42n);
      expect(await c.escrow.credits(rejecting, c.APR)).to.equal(0n);
      expect(await c.escrow.credits(c.bob.address, NATIVE)).to.equal(0n);
      const t2 = await escrowedLeg(c, { redeemer: rejecting, amount: 8n });
      await c.escrow.connect(c.relayer).redeem(t2.leg, t2.secret);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(50n);
    });
  });
});
