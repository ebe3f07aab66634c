/**
 * The plain-HTLC shortcuts of `HedgeSwapEscrow` (premium 0): lock, lockToken, claim, claimToken,
 * claimBatch, refund and refundToken.
 *
 * Covered:
 * - happy paths with exact balances (native coin, ERC-20, a token without bool returns) and every
 *   escrow log of the transaction, parsed with the ABI, with every argument;
 * - equivalence with the general functions: a leg created by lock/lockToken is `Escrowed` at
 *   `legId(leg)` and is finished by redeem/settle (and abort); a leg created by escrow() is finished
 *   by claim/refund; lock and escrow of the same plain leg emit byte-identical logs;
 * - every creation rule driven through lock and lockToken, each with its exact error and arguments
 *   (the shortcuts run an assembly fast check first, then the reference checks on failure), plus
 *   the value and token checks of lockToken;
 * - claim/claimToken and refund/refundToken: wrong secret, wrong caller, wrong terms, the deadline
 *   boundaries (exactly at timeout, one second later), second calls and crossed finishes;
 * - claimBatch: one transfer per asset, merged credit for a rejecting redeemer, BatchEmpty, and
 *   all-or-nothing on one bad claim;
 * - a contract redeemer that rejects the native coin, claiming through `execute()`: credited;
 * - the topics the shortcuts emit from assembly equal the ABI's event topics.
 *
 * Time: legs are built from `t0` (the latest block time when the test starts): escrow by t0+2Δ,
 * timeout t0+4Δ, premiumDeadline 0 (a canonical plain leg). Transactions whose outcome depends on
 * the exact time are sent at a timestamp fixed with `setNextTimestamp`.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ZeroAddress, sha256, type ContractTransactionResponse, type Interface, type TransactionReceipt } from "ethers";

import {
  DELTA,
  NATIVE,
  PremiumMode,
  makeLeg,
  newSecret,
  setNextTimestamp,
  type LegStruct,
} from "../helpers/fixture";
import { balanceOf, expectDeltas, expectUnchanged, track } from "../helpers/balances";
import { setup, type Ctx } from "../helpers/context";
import { transfersFrom } from "../helpers/legs";
import { abortTypedData, legId } from "../../src/sdk/leg";
import { packTimelocks } from "../../src/sdk/timelocks";

// ================================================================ constants

/** `IHedgeSwapEscrow.LegState`. */
const LegState = { None: 0n, PremiumDeposited: 1n, Escrowed: 2n, Aborted: 3n } as const;

const MAX_TIMELOCK_HORIZON = 15_552_000n;
const AMOUNT = ethers.parseEther("100");

/** The canonical signatures of the events the shortcuts emit from assembly (Timelocks is a uint256). */
const EVENT_SIGNATURES: Record<string, string> = {
  NativeLegLocked: "NativeLegLocked(bytes32,address,address,uint256,uint256)",
  LegLocked: "LegLocked(bytes32,address,address,address,uint256,uint256)",
  LegRedeemed: "LegRedeemed(bytes32,bytes32)",
  LegRefunded: "LegRefunded(bytes32)",
  PayoutCredited: "PayoutCredited(address,address,uint256)",
};

// ================================================================ context and legs


/** A plain leg with its secret, id and deadlines. */
interface PlainLeg {
  leg: LegStruct;
  secret: string;
  id: string;
  escrowDeadline: bigint;
  timeout: bigint;
}

interface PlainOptions {
  escrower?: string;
  redeemer?: string;
  token?: string;
  amount?: bigint;
  escrowDeadline?: bigint;
  timeout?: bigint;
  /** Raw timelocks word, replacing the packed deadlines (for words the SDK refuses to pack). */
  timelocks?: bigint;
}

/** A fresh plain leg: alice -> bob, 100 native coin, escrow by t0+2Δ, timeout t0+4Δ, a new secret. */
function plainLeg(c: Ctx, o: PlainOptions = {}): PlainLeg {
  const { secret, hashlock } = newSecret();
  const escrowDeadline = o.escrowDeadline ?? c.t0 + 2n * DELTA;
  const timeout = o.timeout ?? c.t0 + 4n * DELTA;
  const packed = makeLeg({
    escrower: o.escrower ?? c.alice.address,
    redeemer: o.redeemer ?? c.bob.address,
    hashlock,
    token: o.token ?? NATIVE,
    amount: o.amount ?? AMOUNT,
    escrowDeadline,
    timeout,
  });
  const leg = { ...packed, timelocks: o.timelocks ?? packed.timelocks };
  return { leg, secret, id: legId(leg, c.at), escrowDeadline, timeout };
}

/** The id of `t`'s leg with some of its fields replaced (what a caller with other terms names). */
function idWith(c: Ctx, t: PlainLeg, changes: Partial<LegStruct>): string {
  return legId({ ...t.leg, ...changes }, c.at);
}

/** The plain timelocks word for (premiumDeadline, escrowDeadline, timeout, mode). */
function timelocksOf(premiumDeadline: bigint, escrowDeadline: bigint, timeout: bigint, mode = PremiumMode.Hedge): bigint {
  return packTimelocks({ premiumDeadline, escrowDeadline, timeout, mode });
}

// ================================================================ shortcuts

/** lock (native coin, sending the amount) or lockToken (ERC-20) of `t` by `by` (default: alice). */
function lock(c: Ctx, t: PlainLeg, by: HardhatEthersSigner = c.alice): Promise<ContractTransactionResponse> {
  const l = t.leg;
  if (l.token === NATIVE) return c.escrow.connect(by).lock(l.redeemer, l.hashlock, l.timelocks, { value: l.amount });
  return c.escrow.connect(by).lockToken(l.redeemer, l.hashlock, l.token, l.amount, l.timelocks);
}

/** claim (native coin) or claimToken (ERC-20) of `t` by `by` (default: bob) with `secret` (default: its own). */
function claim(c: Ctx, t: PlainLeg, by: HardhatEthersSigner = c.bob, secret = t.secret): Promise<ContractTransactionResponse> {
  const l = t.leg;
  if (l.token === NATIVE) return c.escrow.connect(by).claim(l.escrower, l.amount, l.timelocks, secret);
  return c.escrow.connect(by).claimToken(l.escrower, l.token, l.amount, l.timelocks, secret);
}

/** refund (native coin) or refundToken (ERC-20) of `t` by `by` (default: alice). */
function refund(c: Ctx, t: PlainLeg, by: HardhatEthersSigner = c.alice): Promise<ContractTransactionResponse> {
  const l = t.leg;
  if (l.token === NATIVE) return c.escrow.connect(by).refund(l.redeemer, l.hashlock, l.amount, l.timelocks);
  return c.escrow.connect(by).refundToken(l.redeemer, l.hashlock, l.token, l.amount, l.timelocks);
}

/** The `PlainClaim` of `t` for claimBatch (with another secret if given). */
function plainClaim(t: PlainLeg, secret = t.secret) {
  const l = t.leg;
  return { escrower: l.escrower, token: l.token, amount: l.amount, timelocks: l.timelocks, secret };
}

/** A leg of `o` locked by its escrower (alice unless `o.escrower` names carol or bob). */
async function lockedLeg(c: Ctx, o: PlainOptions = {}): Promise<PlainLeg> {
  const t = plainLeg(c, o);
  await lock(c, t, signerOf(c, t.leg.escrower));
  return t;
}

function signerOf(c: Ctx, address: string): HardhatEthersSigner {
  const signer = [c.alice, c.bob, c.carol, c.relayer].find((s) => s.address === address);
  if (signer === undefined) throw new Error(`no signer for ${address}`);
  return signer;
}

// ================================================================ balances


// ================================================================ logs

async function receiptOf(tx: ContractTransactionResponse): Promise<TransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt;
}

/**
 * Every log the escrow emitted in `receipt`, parsed with the escrow's ABI, as `[name, args]`; a log
 * whose topic the ABI does not know shows up as `unknown topic <topic0>`. Also checks that each
 * log's topic0 is the keccak of the event's canonical signature.
 */
function escrowLogs(c: Ctx, receipt: TransactionReceipt): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  for (const log of receipt.logs) {
    if (log.address !== c.escrowAddress) continue;
    const event = c.escrow.interface.parseLog(log);
    if (event === null) {
      out.push([`unknown topic ${log.topics[0] ?? "(none)"}`, []]);
      continue;
    }
    expect(log.topics[0]).to.equal(event.topic);
    const signature = EVENT_SIGNATURES[event.name];
    if (signature !== undefined) expect(log.topics[0], event.name).to.equal(ethers.id(signature));
    out.push([event.name, [...event.args]]);
  }
  return out;
}

/** Asserts the complete list of escrow logs of `tx`, in order, each with every argument. */
async function expectEscrowLogs(
  c: Ctx,
  tx: ContractTransactionResponse,
  expected: [string, unknown[]][],
): Promise<TransactionReceipt> {
  const receipt = await receiptOf(tx);
  expect(escrowLogs(c, receipt)).to.deep.equal(expected);
  return receipt;
}

/** The creation event of the plain leg `t`, with every argument. */
function lockedEvent(t: PlainLeg): [string, unknown[]] {
  const l = t.leg;
  if (l.token === NATIVE) return ["NativeLegLocked", [l.hashlock, l.escrower, l.redeemer, l.amount, l.timelocks]];
  return ["LegLocked", [l.hashlock, l.escrower, l.redeemer, l.token, l.amount, l.timelocks]];
}

/** The native-coin CALLs with value made at call depth `depth` in `txHash` (1: by the called contract). */
async function nativeCalls(txHash: string, depth = 1): Promise<{ to: string; value: bigint }[]> {
  const options = { disableMemory: true, disableStorage: true };
  const trace = (await network.provider.send("debug_traceTransaction", [txHash, options])) as {
    structLogs: { op: string; depth: number; stack?: string[] }[];
  };
  const out: { to: string; value: bigint }[] = [];
  for (const step of trace.structLogs) {
    if (step.op !== "CALL" || step.depth !== depth || step.stack === undefined) continue;
    // CALL's stack, top first: gas, to, value, ...
    const [, to, value] = step.stack
      .slice(-3)
      .reverse()
      .map((word) => BigInt(`0x${word.replace(/^0x/, "")}`));
    if (value === 0n) continue;
    out.push({ to: ethers.getAddress(ethers.toBeHex(to!, 20)), value: value! });
  }
  return out;
}

// ================================================================ tests

describe("HedgeSwapEscrow plain-HTLC shortcuts", function () {
  // ---------------------------------------------------------------- lock / lockToken: happy paths

  describe("lock", function () {
    it("locks the native coin sent: escrower = caller, amount = msg.value; NativeLegLocked with every argument", async function () {
      const c = await setup();
      const t = plainLeg(c);
      const tracker = await track(c);
      const tx = await lock(c, t);
      await expect(tx)
        .to.emit(c.escrow, "NativeLegLocked")
        .withArgs(t.leg.hashlock, c.alice.address, c.bob.address, AMOUNT, t.leg.timelocks);
      await expectEscrowLogs(c, tx, [lockedEvent(t)]);
      await expectDeltas(c, tracker, [
        [NATIVE, c.alice.address, -AMOUNT],
        [NATIVE, c.escrowAddress, AMOUNT],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      expect(await c.escrow.hashLeg(t.leg)).to.equal(t.id);
    });

    it("locks for another pair of parties (carol -> alice, 1 wei)", async function () {
      const c = await setup();
      const t = plainLeg(c, { escrower: c.carol.address, redeemer: c.alice.address, amount: 1n });
      const tracker = await track(c);
      const tx = await lock(c, t, c.carol);
      await expectEscrowLogs(c, tx, [
        ["NativeLegLocked", [t.leg.hashlock, c.carol.address, c.alice.address, 1n, t.leg.timelocks]],
      ]);
      await expectDeltas(c, tracker, [
        [NATIVE, c.carol.address, -1n],
        [NATIVE, c.escrowAddress, 1n],
      ]);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });
  });

  describe("lockToken", function () {
    for (const [what, token] of [
      ["an ERC-20 (APR)", (c: Ctx) => c.APR],
      ["a token without bool returns", (c: Ctx) => c.NORET],
    ] as const) {
      it(`locks ${what}: LegLocked with every argument, exact balances`, async function () {
        const c = await setup();
        const t = plainLeg(c, { token: token(c) });
        const tracker = await track(c, [c.NORET]);
        const tx = await lock(c, t);
        await expect(tx)
          .to.emit(c.escrow, "LegLocked")
          .withArgs(t.leg.hashlock, c.alice.address, c.bob.address, token(c), AMOUNT, t.leg.timelocks);
        await expectEscrowLogs(c, tx, [lockedEvent(t)]);
        await expectDeltas(c, tracker, [
          [token(c), c.alice.address, -AMOUNT],
          [token(c), c.escrowAddress, AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });
    }

    it("reverts with NativeValueMismatch(amount, 0) for token address(0) (lockToken is nonpayable)", async function () {
      const c = await setup();
      const t = plainLeg(c);
      const tracker = await track(c);
      const l = t.leg;
      await expect(c.escrow.connect(c.alice).lockToken(l.redeemer, l.hashlock, NATIVE, l.amount, l.timelocks))
        .to.be.revertedWithCustomError(c.escrow, "NativeValueMismatch")
        .withArgs(AMOUNT, 0n);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("reverts with TokenAmountMismatch(token, amount, received) for a fee-on-transfer token", async function () {
      const c = await setup();
      const t = plainLeg(c, { token: c.FEE });
      const tracker = await track(c, [c.FEE]);
      await expect(lock(c, t))
        .to.be.revertedWithCustomError(c.escrow, "TokenAmountMismatch")
        .withArgs(c.FEE, AMOUNT, AMOUNT - AMOUNT / 100n);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("reverts with TokenCallFailed(token) when the token is an EOA", async function () {
      const c = await setup();
      const eoa = c.others[0]!.address;
      expect(await ethers.provider.getCode(eoa)).to.equal("0x");
      const t = plainLeg(c, { token: eoa });
      const tracker = await track(c);
      await expect(lock(c, t)).to.be.revertedWithCustomError(c.escrow, "TokenCallFailed").withArgs(eoa);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("reverts with the token's ERC20InsufficientAllowance without an allowance", async function () {
      const c = await setup();
      await c.apr.connect(c.alice).approve(c.escrowAddress, 0n);
      const t = plainLeg(c, { token: c.APR });
      const tracker = await track(c);
      await expect(lock(c, t))
        .to.be.revertedWithCustomError(c.apr, "ERC20InsufficientAllowance")
        .withArgs(c.escrowAddress, 0n, AMOUNT);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });
  });

  // ---------------------------------------------------------------- creation rules

  for (const kind of ["lock", "lockToken"] as const) {
    describe(`creation rules through ${kind}`, function () {
      /** A leg for this shortcut: native for lock, APR for lockToken. */
      function leg(c: Ctx, o: PlainOptions = {}): PlainLeg {
        return plainLeg(c, { token: kind === "lock" ? NATIVE : c.APR, ...o });
      }

      /** Sends the shortcut for `t` as alice and expects `error(...args)`, no balance moved, no state. */
      async function expectLockRevert(c: Ctx, t: PlainLeg, error: string, args: unknown[]): Promise<void> {
        const stateBefore = await c.escrow.legState(t.id);
        const tracker = await track(c);
        await expect(lock(c, t))
          .to.be.revertedWithCustomError(c.escrow, error)
          .withArgs(...args);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(stateBefore);
      }

      async function expectLocked(c: Ctx, t: PlainLeg): Promise<void> {
        const tx = await lock(c, t);
        await expectEscrowLogs(c, tx, [lockedEvent(t)]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      }

      it("reverts with LegMalformedTimelocks(legId, timelocks) when bit 121 is set", async function () {
        const c = await setup();
        const base = leg(c);
        const t = leg(c, { timelocks: base.leg.timelocks | (1n << 121n) });
        await expectLockRevert(c, t, "LegMalformedTimelocks", [t.id, t.leg.timelocks]);
      });

      it("reverts with LegMalformedTimelocks(legId, timelocks) when bit 255 is set", async function () {
        const c = await setup();
        const base = leg(c);
        const t = leg(c, { timelocks: base.leg.timelocks | (1n << 255n) });
        await expectLockRevert(c, t, "LegMalformedTimelocks", [t.id, t.leg.timelocks]);
      });

      it("reverts with LegMalformedTimelocks before the premium terms (bit 121, option mode and a premium deadline)", async function () {
        const c = await setup();
        const word = timelocksOf(c.t0 + DELTA, c.t0 + 2n * DELTA, c.t0 + 4n * DELTA, PremiumMode.Option) | (1n << 121n);
        const t = leg(c, { timelocks: word });
        await expectLockRevert(c, t, "LegMalformedTimelocks", [t.id, word]);
      });

      it("reverts with LegPremiumTermsWithoutPremium(legId, address(0), timelocks) in option mode", async function () {
        const c = await setup();
        const t = leg(c, { timelocks: timelocksOf(0n, c.t0 + 2n * DELTA, c.t0 + 4n * DELTA, PremiumMode.Option) });
        await expectLockRevert(c, t, "LegPremiumTermsWithoutPremium", [t.id, ZeroAddress, t.leg.timelocks]);
      });

      it("reverts with LegPremiumTermsWithoutPremium(legId, address(0), timelocks) for a non-zero premiumDeadline", async function () {
        const c = await setup();
        for (const premiumDeadline of [1n, c.t0 + DELTA, c.t0 + 2n * DELTA]) {
          const t = leg(c, { timelocks: timelocksOf(premiumDeadline, c.t0 + 2n * DELTA, c.t0 + 4n * DELTA) });
          await expectLockRevert(c, t, "LegPremiumTermsWithoutPremium", [t.id, ZeroAddress, t.leg.timelocks]);
        }
      });

      it("reverts with LegPremiumTermsWithoutPremium before the order of the deadlines", async function () {
        const c = await setup();
        const t = leg(c, { timelocks: timelocksOf(c.t0 + 3n * DELTA, c.t0 + 2n * DELTA, c.t0 + DELTA) });
        await expectLockRevert(c, t, "LegPremiumTermsWithoutPremium", [t.id, ZeroAddress, t.leg.timelocks]);
      });

      it("reverts with LegDeadlinesUnordered(legId, 0, escrowDeadline, timeout) when escrowDeadline == timeout", async function () {
        const c = await setup();
        const t = leg(c, { escrowDeadline: c.t0 + 4n * DELTA });
        await expectLockRevert(c, t, "LegDeadlinesUnordered", [t.id, 0n, c.t0 + 4n * DELTA, c.t0 + 4n * DELTA]);
      });

      it("reverts with LegDeadlinesUnordered(legId, 0, escrowDeadline, timeout) when escrowDeadline > timeout", async function () {
        const c = await setup();
        const t = leg(c, { escrowDeadline: c.t0 + 5n * DELTA });
        await expectLockRevert(c, t, "LegDeadlinesUnordered", [t.id, 0n, c.t0 + 5n * DELTA, c.t0 + 4n * DELTA]);
      });

      it("reverts with LegDeadlinePassed(legId, escrowDeadline, now) when escrowDeadline is in the past", async function () {
        const c = await setup();
        const t = leg(c, { escrowDeadline: c.t0 - 10n });
        await setNextTimestamp(c.t0 + 5n);
        await expectLockRevert(c, t, "LegDeadlinePassed", [t.id, c.t0 - 10n, c.t0 + 5n]);
      });

      it("reverts with LegDeadlinePassed one second after escrowDeadline", async function () {
        const c = await setup();
        const t = leg(c);
        await setNextTimestamp(t.escrowDeadline + 1n);
        await expectLockRevert(c, t, "LegDeadlinePassed", [t.id, t.escrowDeadline, t.escrowDeadline + 1n]);
      });

      it("succeeds exactly at escrowDeadline", async function () {
        const c = await setup();
        const t = leg(c);
        await setNextTimestamp(t.escrowDeadline);
        await expectLocked(c, t);
      });

      it("reverts with LegTimeoutTooFar(legId, timeout, now + horizon) when timeout > now + MAX_TIMELOCK_HORIZON", async function () {
        const c = await setup();
        const txTime = c.t0 + 100n;
        const t = leg(c, { timeout: txTime + MAX_TIMELOCK_HORIZON + 1n });
        await setNextTimestamp(txTime);
        await expectLockRevert(c, t, "LegTimeoutTooFar", [
          t.id,
          txTime + MAX_TIMELOCK_HORIZON + 1n,
          txTime + MAX_TIMELOCK_HORIZON,
        ]);
      });

      it("succeeds with timeout == now + MAX_TIMELOCK_HORIZON", async function () {
        const c = await setup();
        const txTime = c.t0 + 100n;
        const t = leg(c, { timeout: txTime + MAX_TIMELOCK_HORIZON });
        await setNextTimestamp(txTime);
        await expectLocked(c, t);
      });

      it("reverts with LegZeroAmount(legId) for a zero amount", async function () {
        const c = await setup();
        const t = leg(c, { amount: 0n });
        await expectLockRevert(c, t, "LegZeroAmount", [t.id]);
      });

      it("reverts with LegEscrowerIsRedeemer(legId, caller) when the redeemer is the caller", async function () {
        const c = await setup();
        const t = leg(c, { redeemer: c.alice.address });
        await expectLockRevert(c, t, "LegEscrowerIsRedeemer", [t.id, c.alice.address]);
      });

      it("reverts with LegInvalidParty(legId, address(0)) when the redeemer is the zero address", async function () {
        const c = await setup();
        const t = leg(c, { redeemer: ZeroAddress });
        await expectLockRevert(c, t, "LegInvalidParty", [t.id, ZeroAddress]);
      });

      it("reverts with LegInvalidParty(legId, escrow) when the redeemer is the escrow contract", async function () {
        const c = await setup();
        const t = leg(c, { redeemer: c.escrowAddress });
        await expectLockRevert(c, t, "LegInvalidParty", [t.id, c.escrowAddress]);
      });

      it("checks the amount before the parties (zero amount and a zero or self redeemer)", async function () {
        const c = await setup();
        for (const redeemer of [ZeroAddress, c.alice.address]) {
          const t = leg(c, { amount: 0n, redeemer });
          await expectLockRevert(c, t, "LegZeroAmount", [t.id]);
        }
      });

      it("checks the horizon before the amount, and the deadline before the horizon", async function () {
        const c = await setup();
        const txTime = c.t0 + 3n * DELTA;
        const farAndEmpty = leg(c, { amount: 0n, escrowDeadline: txTime, timeout: txTime + MAX_TIMELOCK_HORIZON + 1n });
        await setNextTimestamp(txTime);
        await expectLockRevert(c, farAndEmpty, "LegTimeoutTooFar", [
          farAndEmpty.id,
          txTime + MAX_TIMELOCK_HORIZON + 1n,
          txTime + MAX_TIMELOCK_HORIZON,
        ]);
        const lateAndFar = leg(c, { timeout: txTime + 10n + MAX_TIMELOCK_HORIZON + 1n });
        await setNextTimestamp(txTime + 10n);
        await expectLockRevert(c, lateAndFar, "LegDeadlinePassed", [lateAndFar.id, lateAndFar.escrowDeadline, txTime + 10n]);
      });

      it("reverts with LegUnexpectedState(legId, Escrowed) on a second lock of the same leg", async function () {
        const c = await setup();
        const t = leg(c);
        await lock(c, t);
        await expectLockRevert(c, t, "LegUnexpectedState", [t.id, LegState.Escrowed]);
      });

      it("reverts with LegUnexpectedState(legId, Aborted) for a plain leg that was aborted", async function () {
        const c = await setup();
        const t = leg(c);
        await lock(c, t);
        const { domain, types, message } = abortTypedData(t.leg, c.at);
        await c.escrow.connect(c.alice).abort(t.leg, await c.bob.signTypedData(domain, types, message));
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
        await expectLockRevert(c, t, "LegUnexpectedState", [t.id, LegState.Aborted]);
      });

      it("checks the deadline before the leg's state (a second lock after escrowDeadline)", async function () {
        const c = await setup();
        const t = leg(c);
        await lock(c, t);
        await setNextTimestamp(t.escrowDeadline + 1n);
        await expectLockRevert(c, t, "LegDeadlinePassed", [t.id, t.escrowDeadline, t.escrowDeadline + 1n]);
      });
    });
  }

  // ---------------------------------------------------------------- claim / claimToken

  for (const asset of ["native", "token"] as const) {
    const fn = asset === "native" ? "claim" : "claimToken";
    describe(fn, function () {
      async function locked(c: Ctx): Promise<PlainLeg> {
        return lockedLeg(c, { token: asset === "native" ? NATIVE : c.APR });
      }

      /** Sends `send`, expects `error(...args)`, and that no balance and `t`'s state did not move. */
      async function expectClaimRevert(
        c: Ctx,
        t: PlainLeg,
        send: () => Promise<ContractTransactionResponse>,
        error: string,
        args: unknown[],
      ): Promise<void> {
        const stateBefore = await c.escrow.legState(t.id);
        const tracker = await track(c);
        await expect(send())
          .to.be.revertedWithCustomError(c.escrow, error)
          .withArgs(...args);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(stateBefore);
      }

      it("pays the principal to the redeemer (the caller) and emits LegRedeemed(legId, secret)", async function () {
        const c = await setup();
        const t = await locked(c);
        const tracker = await track(c);
        const tx = await claim(c, t);
        await expect(tx).to.emit(c.escrow, "LegRedeemed").withArgs(t.id, t.secret);
        await expectEscrowLogs(c, tx, [["LegRedeemed", [t.id, t.secret]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.bob.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      });

      if (asset === "token") {
        it("pays a token without bool returns", async function () {
          const c = await setup();
          const t = await lockedLeg(c, { token: c.NORET });
          const tracker = await track(c, [c.NORET]);
          const tx = await claim(c, t);
          await expectEscrowLogs(c, tx, [["LegRedeemed", [t.id, t.secret]]]);
          await expectDeltas(c, tracker, [
            [c.NORET, c.bob.address, AMOUNT],
            [c.NORET, c.escrowAddress, -AMOUNT],
          ]);
          expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
        });
      }

      it("reverts with LegUnexpectedState(id of sha256(wrongSecret), None) for a wrong secret", async function () {
        const c = await setup();
        const t = await locked(c);
        const wrong = newSecret().secret;
        const wrongId = idWith(c, t, { hashlock: sha256(wrong) });
        expect(wrongId).to.not.equal(t.id);
        await expectClaimRevert(c, t, () => claim(c, t, c.bob, wrong), "LegUnexpectedState", [wrongId, LegState.None]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });

      it("reverts with LegUnexpectedState(id with the caller as redeemer, None) when not called by the redeemer", async function () {
        const c = await setup();
        const t = await locked(c);
        for (const caller of [c.carol, c.alice, c.relayer]) {
          const callerId = idWith(c, t, { redeemer: caller.address });
          await expectClaimRevert(c, t, () => claim(c, t, caller), "LegUnexpectedState", [callerId, LegState.None]);
        }
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });

      it("reverts with LegUnexpectedState(id of those terms, None) for a wrong escrower, amount or timelocks", async function () {
        const c = await setup();
        const t = await locked(c);
        for (const changes of [
          { escrower: c.carol.address },
          { amount: AMOUNT - 1n },
          { timelocks: t.leg.timelocks + (1n << 80n) },
        ]) {
          const other: PlainLeg = { ...t, leg: { ...t.leg, ...changes }, id: idWith(c, t, changes) };
          await expectClaimRevert(c, t, () => claim(c, other), "LegUnexpectedState", [other.id, LegState.None]);
        }
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });

      it("succeeds exactly at timeout", async function () {
        const c = await setup();
        const t = await locked(c);
        await setNextTimestamp(t.timeout);
        const tracker = await track(c);
        await expectEscrowLogs(c, await claim(c, t), [["LegRedeemed", [t.id, t.secret]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.bob.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      });

      it("reverts with LegDeadlinePassed(legId, timeout, timeout + 1) one second after timeout", async function () {
        const c = await setup();
        const t = await locked(c);
        await setNextTimestamp(t.timeout + 1n);
        await expectClaimRevert(c, t, () => claim(c, t), "LegDeadlinePassed", [t.id, t.timeout, t.timeout + 1n]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });

      it("reverts with LegUnexpectedState(legId, None) on a second claim (no second payout)", async function () {
        const c = await setup();
        const t = await locked(c);
        await claim(c, t);
        await expectClaimRevert(c, t, () => claim(c, t), "LegUnexpectedState", [t.id, LegState.None]);
      });

      it("reverts with LegUnexpectedState(legId, None) for a leg that was refunded", async function () {
        const c = await setup();
        const t = await locked(c);
        await setNextTimestamp(t.timeout + 1n);
        await refund(c, t);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
        await expectClaimRevert(c, t, () => claim(c, t), "LegUnexpectedState", [t.id, LegState.None]);
      });

      it("reverts with LegUnexpectedState(legId, None) for a leg never locked", async function () {
        const c = await setup();
        const t = plainLeg(c, { token: asset === "native" ? NATIVE : c.APR });
        await expectClaimRevert(c, t, () => claim(c, t), "LegUnexpectedState", [t.id, LegState.None]);
      });

      it("reverts with LegUnexpectedState(legId, Aborted) for an aborted leg", async function () {
        const c = await setup();
        const t = await locked(c);
        const { domain, types, message } = abortTypedData(t.leg, c.at);
        await c.escrow.connect(c.alice).abort(t.leg, await c.bob.signTypedData(domain, types, message));
        await expectClaimRevert(c, t, () => claim(c, t), "LegUnexpectedState", [t.id, LegState.Aborted]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
      });
    });
  }

  // ---------------------------------------------------------------- refund / refundToken

  for (const asset of ["native", "token"] as const) {
    const fn = asset === "native" ? "refund" : "refundToken";
    describe(fn, function () {
      async function locked(c: Ctx): Promise<PlainLeg> {
        return lockedLeg(c, { token: asset === "native" ? NATIVE : c.APR });
      }

      async function expectRefundRevert(
        c: Ctx,
        t: PlainLeg,
        send: () => Promise<ContractTransactionResponse>,
        error: string,
        args: unknown[],
      ): Promise<void> {
        const stateBefore = await c.escrow.legState(t.id);
        const tracker = await track(c);
        await expect(send())
          .to.be.revertedWithCustomError(c.escrow, error)
          .withArgs(...args);
        await expectUnchanged(c, tracker);
        expect(await c.escrow.legState(t.id)).to.equal(stateBefore);
      }

      it("reverts with LegNotExpired(legId, timeout, timeout) exactly at timeout", async function () {
        const c = await setup();
        const t = await locked(c);
        await setNextTimestamp(t.timeout);
        await expectRefundRevert(c, t, () => refund(c, t), "LegNotExpired", [t.id, t.timeout, t.timeout]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });

      it("pays the principal back to the escrower one second after timeout and emits LegRefunded(legId)", async function () {
        const c = await setup();
        const t = await locked(c);
        await setNextTimestamp(t.timeout + 1n);
        const tracker = await track(c);
        const tx = await refund(c, t);
        await expect(tx).to.emit(c.escrow, "LegRefunded").withArgs(t.id);
        await expectEscrowLogs(c, tx, [["LegRefunded", [t.id]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.alice.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      });

      it("reverts with LegUnexpectedState(id with the caller as escrower, None) when not called by the escrower", async function () {
        const c = await setup();
        const t = await locked(c);
        await setNextTimestamp(t.timeout + 1n);
        for (const caller of [c.carol, c.bob, c.relayer]) {
          const callerId = idWith(c, t, { escrower: caller.address });
          await expectRefundRevert(c, t, () => refund(c, t, caller), "LegUnexpectedState", [callerId, LegState.None]);
        }
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      });

      it("reverts with LegUnexpectedState(legId, None) on a second refund (no second payout)", async function () {
        const c = await setup();
        const t = await locked(c);
        await setNextTimestamp(t.timeout + 1n);
        await refund(c, t);
        await expectRefundRevert(c, t, () => refund(c, t), "LegUnexpectedState", [t.id, LegState.None]);
      });

      it("reverts with LegUnexpectedState(legId, None) after the leg was claimed", async function () {
        const c = await setup();
        const t = await locked(c);
        await claim(c, t);
        await setNextTimestamp(t.timeout + 1n);
        await expectRefundRevert(c, t, () => refund(c, t), "LegUnexpectedState", [t.id, LegState.None]);
      });
    });
  }

  // ---------------------------------------------------------------- claimBatch

  describe("claimBatch", function () {
    it("claims 10 native legs with one transfer of the sum and no credit", async function () {
      const c = await setup();
      const legs: PlainLeg[] = [];
      for (let i = 1n; i <= 10n; i++) legs.push(await lockedLeg(c, { amount: i * 1000n }));
      const total = 55_000n;
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.bob).claimBatch(legs.map((t) => plainClaim(t)));
      const receipt = await expectEscrowLogs(
        c,
        tx,
        legs.map((t): [string, unknown[]] => ["LegRedeemed", [t.id, t.secret]]),
      );
      expect(escrowLogs(c, receipt).filter(([name]) => name === "PayoutCredited")).to.deep.equal([]);
      expect(await nativeCalls(tx.hash)).to.deep.equal([{ to: c.bob.address, value: total }]);
      await expectDeltas(c, tracker, [
        [NATIVE, c.bob.address, total],
        [NATIVE, c.escrowAddress, -total],
      ]);
      for (const t of legs) expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("claims native, APR and BAN legs of several escrowers with one transfer per asset", async function () {
      const c = await setup();
      const legs = [
        await lockedLeg(c, { amount: 1n }),
        await lockedLeg(c, { token: c.APR, amount: 10n }),
        await lockedLeg(c, { token: c.BAN, amount: 100n }),
        await lockedLeg(c, { escrower: c.carol.address, amount: 2n }),
        await lockedLeg(c, { escrower: c.carol.address, token: c.APR, amount: 20n }),
        await lockedLeg(c, { token: c.BAN, amount: 200n }),
      ];
      const tracker = await track(c);
      const tx = await c.escrow.connect(c.bob).claimBatch(legs.map((t) => plainClaim(t)));
      const receipt = await expectEscrowLogs(
        c,
        tx,
        legs.map((t): [string, unknown[]] => ["LegRedeemed", [t.id, t.secret]]),
      );
      expect(transfersFrom(c, receipt, c.APR, c.escrowAddress)).to.deep.equal([[c.bob.address, 30n]]);
      expect(transfersFrom(c, receipt, c.BAN, c.escrowAddress)).to.deep.equal([[c.bob.address, 300n]]);
      expect(await nativeCalls(tx.hash)).to.deep.equal([{ to: c.bob.address, value: 3n }]);
      await expectDeltas(c, tracker, [
        [NATIVE, c.bob.address, 3n],
        [NATIVE, c.escrowAddress, -3n],
        [c.APR, c.bob.address, 30n],
        [c.APR, c.escrowAddress, -30n],
        [c.BAN, c.bob.address, 300n],
        [c.BAN, c.escrowAddress, -300n],
      ]);
      for (const t of legs) expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("credits a rejecting redeemer (claiming through execute) once, with the sum", async function () {
      const c = await setup();
      const rejecting = await c.rejecting.getAddress();
      const legs = [
        await lockedLeg(c, { redeemer: rejecting, amount: 4n }),
        await lockedLeg(c, { redeemer: rejecting, amount: 6n }),
        await lockedLeg(c, { redeemer: rejecting, escrower: c.carol.address, amount: 5n }),
      ];
      const tracker = await track(c, [], [rejecting]);
      const data = c.escrow.interface.encodeFunctionData("claimBatch", [legs.map((t) => plainClaim(t))]);
      const tx = await c.rejecting.connect(c.relayer).execute(c.escrowAddress, data);
      await expectEscrowLogs(c, tx, [
        ...legs.map((t): [string, unknown[]] => ["LegRedeemed", [t.id, t.secret]]),
        ["PayoutCredited", [rejecting, NATIVE, 15n]],
      ]);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(15n);
      await expectUnchanged(c, tracker);
      for (const t of legs) expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });

    it("reverts with BatchEmpty for no claim", async function () {
      const c = await setup();
      await expect(c.escrow.connect(c.bob).claimBatch([])).to.be.revertedWithCustomError(c.escrow, "BatchEmpty").withArgs();
    });

    it("reverts as a whole, changing nothing, when one claim has a wrong secret", async function () {
      const c = await setup();
      const legs = [await lockedLeg(c), await lockedLeg(c, { token: c.APR }), await lockedLeg(c)];
      const wrong = newSecret().secret;
      const tracker = await track(c);
      const claims = [plainClaim(legs[0]!), plainClaim(legs[1]!, wrong), plainClaim(legs[2]!)];
      await expect(c.escrow.connect(c.bob).claimBatch(claims))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(idWith(c, legs[1]!, { hashlock: sha256(wrong) }), LegState.None);
      await expectUnchanged(c, tracker);
      for (const t of legs) expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
    });

    it("reverts as a whole with LegUnexpectedState(legId, None) when a leg is claimed twice in the batch", async function () {
      const c = await setup();
      const a = await lockedLeg(c);
      const b = await lockedLeg(c);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).claimBatch([plainClaim(a), plainClaim(b), plainClaim(a)]))
        .to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState")
        .withArgs(a.id, LegState.None);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(a.id)).to.equal(LegState.Escrowed);
      expect(await c.escrow.legState(b.id)).to.equal(LegState.Escrowed);
    });

    it("reverts as a whole with LegDeadlinePassed when one leg's timeout has passed", async function () {
      const c = await setup();
      const early = await lockedLeg(c, { timeout: c.t0 + 3n * DELTA });
      const late = await lockedLeg(c);
      await setNextTimestamp(early.timeout + 1n);
      const tracker = await track(c);
      await expect(c.escrow.connect(c.bob).claimBatch([plainClaim(late), plainClaim(early)]))
        .to.be.revertedWithCustomError(c.escrow, "LegDeadlinePassed")
        .withArgs(early.id, early.timeout, early.timeout + 1n);
      await expectUnchanged(c, tracker);
      expect(await c.escrow.legState(early.id)).to.equal(LegState.Escrowed);
      expect(await c.escrow.legState(late.id)).to.equal(LegState.Escrowed);
    });
  });

  // ---------------------------------------------------------------- equivalence with the general functions

  describe("equivalence with the general functions", function () {
    for (const asset of ["native", "token"] as const) {
      const tokenOf = (c: Ctx): string => (asset === "native" ? NATIVE : c.APR);
      const [lockFn, claimFn, refundFn] =
        asset === "native" ? ["lock", "claim", "refund"] : ["lockToken", "claimToken", "refundToken"];

      it(`a ${asset} leg created by ${lockFn} is Escrowed at legId(leg) and redeem(leg) finishes it`, async function () {
        const c = await setup();
        const t = await lockedLeg(c, { token: tokenOf(c) });
        expect(await c.escrow.legState(legId(t.leg, c.at))).to.equal(LegState.Escrowed);
        expect(await c.escrow.hashLeg(t.leg)).to.equal(t.id);
        const tracker = await track(c);
        const tx = await c.escrow.connect(c.relayer).redeem(t.leg, t.secret);
        await expectEscrowLogs(c, tx, [["LegRedeemed", [t.id, t.secret]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.bob.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
        await expect(claim(c, t)).to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState").withArgs(t.id, LegState.None);
      });

      it(`a ${asset} leg created by ${lockFn} is refunded by settle(leg) after timeout`, async function () {
        const c = await setup();
        const t = await lockedLeg(c, { token: tokenOf(c) });
        await setNextTimestamp(t.timeout + 1n);
        const tracker = await track(c);
        const tx = await c.escrow.connect(c.relayer).settle(t.leg);
        await expectEscrowLogs(c, tx, [["LegRefunded", [t.id]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.alice.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
        await expect(refund(c, t)).to.be.revertedWithCustomError(c.escrow, "LegUnexpectedState").withArgs(t.id, LegState.None);
      });

      it(`a ${asset} leg created by ${lockFn} is aborted by abort(leg) with the redeemer's signature`, async function () {
        const c = await setup();
        const t = await lockedLeg(c, { token: tokenOf(c) });
        const { domain, types, message } = abortTypedData(t.leg, c.at);
        const signature = await c.bob.signTypedData(domain, types, message);
        const tracker = await track(c);
        await expectEscrowLogs(c, await c.escrow.connect(c.alice).abort(t.leg, signature), [["LegAborted", [t.id]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.alice.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Aborted);
      });

      it(`a ${asset} leg created by escrow(leg) is claimed by ${claimFn}`, async function () {
        const c = await setup();
        const t = plainLeg(c, { token: tokenOf(c) });
        expect(await c.escrow.connect(c.alice).escrow.staticCall(t.leg, { value: asset === "native" ? AMOUNT : 0n })).to.equal(
          t.id,
        );
        await c.escrow.connect(c.alice).escrow(t.leg, { value: asset === "native" ? AMOUNT : 0n });
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
        const tracker = await track(c);
        await expectEscrowLogs(c, await claim(c, t), [["LegRedeemed", [t.id, t.secret]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.bob.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      });

      it(`a ${asset} leg created by escrow(leg) is refunded by ${refundFn}`, async function () {
        const c = await setup();
        const t = plainLeg(c, { token: tokenOf(c) });
        await c.escrow.connect(c.alice).escrow(t.leg, { value: asset === "native" ? AMOUNT : 0n });
        await setNextTimestamp(t.timeout + 1n);
        const tracker = await track(c);
        await expectEscrowLogs(c, await refund(c, t), [["LegRefunded", [t.id]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.alice.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      });

      it(`a ${asset} leg created by escrow(leg) is claimed by claimBatch`, async function () {
        const c = await setup();
        const t = plainLeg(c, { token: tokenOf(c) });
        await c.escrow.connect(c.alice).escrow(t.leg, { value: asset === "native" ? AMOUNT : 0n });
        const tracker = await track(c);
        await expectEscrowLogs(c, await c.escrow.connect(c.bob).claimBatch([plainClaim(t)]), [["LegRedeemed", [t.id, t.secret]]]);
        await expectDeltas(c, tracker, [
          [t.leg.token, c.bob.address, AMOUNT],
          [t.leg.token, c.escrowAddress, -AMOUNT],
        ]);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      });

      it(`${lockFn} and escrow of the same ${asset} plain leg emit identical logs and leave the same state`, async function () {
        const c = await setup();
        const t = plainLeg(c, { token: tokenOf(c) });
        const snapshot = await takeSnapshot();
        const viaLock = await receiptOf(await lock(c, t));
        const balanceViaLock = await balanceOf(t.leg.token, c.escrowAddress);
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
        await snapshot.restore();
        expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
        const viaEscrow = await receiptOf(
          await c.escrow.connect(c.alice).escrow(t.leg, { value: asset === "native" ? AMOUNT : 0n }),
        );
        expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
        expect(await balanceOf(t.leg.token, c.escrowAddress)).to.equal(balanceViaLock);
        const raw = (r: TransactionReceipt) =>
          r.logs.map((log) => ({ address: log.address, topics: [...log.topics], data: log.data }));
        expect(raw(viaEscrow)).to.deep.equal(raw(viaLock));
        expect(escrowLogs(c, viaLock)).to.deep.equal([lockedEvent(t)]);
      });
    }
  });

  // ---------------------------------------------------------------- contract redeemer

  describe("a redeemer contract that rejects the native coin", function () {
    it("claims a lock()-ed native leg through execute(): the payout is credited, then withdrawn", async function () {
      const c = await setup();
      const rejecting = await c.rejecting.getAddress();
      const t = await lockedLeg(c, { redeemer: rejecting });
      const tracker = await track(c, [], [rejecting]);
      const claimData = c.escrow.interface.encodeFunctionData("claim", [t.leg.escrower, t.leg.amount, t.leg.timelocks, t.secret]);
      const tx = await c.rejecting.connect(c.relayer).execute(c.escrowAddress, claimData);
      await expectEscrowLogs(c, tx, [
        ["LegRedeemed", [t.id, t.secret]],
        ["PayoutCredited", [rejecting, NATIVE, AMOUNT]],
      ]);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(AMOUNT);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      await expectUnchanged(c, tracker);
      // The credit is the redeemer's to withdraw elsewhere.
      const withdrawData = c.escrow.interface.encodeFunctionData("withdraw(address,address)", [NATIVE, c.carol.address]);
      await expectEscrowLogs(c, await c.rejecting.connect(c.relayer).execute(c.escrowAddress, withdrawData), [
        ["CreditWithdrawn", [rejecting, NATIVE, c.carol.address, AMOUNT]],
      ]);
      await expectDeltas(c, tracker, [
        [NATIVE, c.carol.address, AMOUNT],
        [NATIVE, c.escrowAddress, -AMOUNT],
      ]);
      expect(await c.escrow.credits(rejecting, NATIVE)).to.equal(0n);
    });
  });

  // ---------------------------------------------------------------- event topics

  describe("event topics emitted from assembly", function () {
    it("equal the ABI's topics (keccak of the canonical signatures)", async function () {
      const c = await setup();
      const abi: Interface = c.escrow.interface;
      for (const [name, signature] of Object.entries(EVENT_SIGNATURES)) {
        const event = abi.getEvent(name);
        expect(event?.format("sighash"), name).to.equal(signature);
        expect(event?.topicHash, name).to.equal(ethers.id(signature));
      }
    });

    it("every log of lock, lockToken, claim, claimToken, claimBatch, refund and refundToken parses with the ABI", async function () {
      const c = await setup();
      const native = plainLeg(c);
      const token = plainLeg(c, { token: c.BAN });
      const nativeB = plainLeg(c, { amount: 7n });
      const tokenB = plainLeg(c, { token: c.BAN, amount: 9n });
      const claimed = [native, token];
      const refunded = [nativeB, tokenB];
      const batch = [plainLeg(c, { amount: 3n }), plainLeg(c, { token: c.APR, amount: 4n })];
      for (const t of [...claimed, ...refunded, ...batch]) {
        await expectEscrowLogs(c, await lock(c, t), [lockedEvent(t)]);
      }
      for (const t of claimed) await expectEscrowLogs(c, await claim(c, t), [["LegRedeemed", [t.id, t.secret]]]);
      await expectEscrowLogs(
        c,
        await c.escrow.connect(c.bob).claimBatch(batch.map((t) => plainClaim(t))),
        batch.map((t): [string, unknown[]] => ["LegRedeemed", [t.id, t.secret]]),
      );
      await setNextTimestamp(native.timeout + 1n);
      for (const t of refunded) await expectEscrowLogs(c, await refund(c, t), [["LegRefunded", [t.id]]]);
      for (const t of [...claimed, ...refunded, ...batch]) expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
    });
  });
});
