/**
 * Unit tests of the partial withdrawal `withdraw(token, to, amount)` (issue 12, defect 3). The escrow
 * merges payouts to one recipient in one asset into one transfer: principal and premium on redeem
 * (hedge mode) and on settle, and the sums of a batch. With a token that refuses any transfer above a
 * limit (`TransferLimitToken`), a merged payout above the limit fails although every deposit was
 * under it; the escrow credits it, the full `withdraw(token, to)` can never move it, and the partial
 * withdrawal takes it out in parts at or under the limit, to the wei. Then: every error of the partial
 * withdrawal with all of its arguments (and the order of its checks), the native coin, the return
 * value, the event, and a re-entering receiver that finds the credit already lowered
 * (checks-effects-interactions). After every revert the tests check that no balance and no credit
 * moved.
 *
 * Time: legs are built from `t0` (the latest block time when the test starts) as in
 * `HedgeSwapEscrow.test.ts`: premium by t0+Δ, escrow by t0+2Δ, timeout t0+4Δ.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ZeroAddress, type ContractTransactionResponse } from "ethers";

import { NATIVE, mineAt, valueFor, type LegOptions } from "../helpers/fixture";
import { expectDeltas, expectUnchanged, track } from "../helpers/balances";
import { setup, type Ctx } from "../helpers/context";
import { AMOUNT, LegState, newLeg, type TestLeg } from "../helpers/legs";
import type { TransferLimitToken } from "../../typechain-types";

// ================================================================ constants

/** The token's per-transfer limit: above one principal (100), below principal + premium (103). */
const LIMIT = 101n * 10n ** 18n;
const PREMIUM = 3n * 10n ** 18n;
const WITHDRAW_ALL = "withdraw(address,address)";
const WITHDRAW_PART = "withdraw(address,address,uint256)";

// ================================================================ context

interface LimitCtx extends Ctx {
  lim: TransferLimitToken;
  LIM: string;
}

/** The shared fixture plus a `TransferLimitToken` (limit {@link LIMIT}) that alice, bob and carol hold and approved. */
async function setupLimit(): Promise<LimitCtx> {
  const c = await setup();
  const lim = await ethers.deployContract("TransferLimitToken", [LIMIT]);
  const LIM = await lim.getAddress();
  for (const who of [c.alice, c.bob, c.carol]) {
    await lim.mint(who.address, 1000n * 10n ** 18n);
    await lim.connect(who).approve(c.escrowAddress, ethers.MaxUint256);
  }
  c.names.set(LIM.toLowerCase(), "LIM");
  return { ...c, lim, LIM };
}

function signerOf(c: Ctx, address: string): HardhatEthersSigner {
  const signer = [c.alice, c.bob, c.carol, c.relayer].find((s) => s.address === address);
  if (signer === undefined) throw new Error(`no signer for ${address}`);
  return signer;
}

/** A new leg (alice -> bob unless `o` says otherwise), premium deposited if it has one, principal escrowed. */
async function escrowedLeg(c: Ctx, o: Partial<LegOptions> = {}): Promise<TestLeg> {
  const t = newLeg(c, o);
  if (t.leg.premiumAmount > 0n) {
    await c.escrow.connect(signerOf(c, t.leg.redeemer)).depositPremium(t.leg, valueFor(t.leg.premiumToken, t.leg.premiumAmount));
  }
  await c.escrow.connect(signerOf(c, t.leg.escrower)).escrow(t.leg, valueFor(t.leg.token, t.leg.amount));
  return t;
}

/** A hedged leg alice -> bob whose principal (100) and premium (3) are both in the limited token. */
function hedgedLimitLeg(c: LimitCtx): Promise<TestLeg> {
  return escrowedLeg(c, { token: c.LIM, premiumToken: c.LIM, premiumAmount: PREMIUM });
}

/** `account`'s credit of `token`. */
function creditOf(c: Ctx, account: string, token: string): Promise<bigint> {
  return c.escrow.credits(account, token);
}

/** The partial withdrawal by `by`. */
function withdrawPart(c: Ctx, by: HardhatEthersSigner, token: string, to: string, amount: bigint): Promise<ContractTransactionResponse> {
  return c.escrow.connect(by)[WITHDRAW_PART](token, to, amount);
}

/**
 * Takes `account`'s whole credit of `token` out in parts of at most {@link LIMIT} to `to`, checking each
 * part's event and return value and the credit left after it; returns the parts.
 */
async function withdrawInParts(c: LimitCtx, by: HardhatEthersSigner, token: string, to: string): Promise<bigint[]> {
  const parts: bigint[] = [];
  let left = await creditOf(c, by.address, token);
  while (left > 0n) {
    const part = left > LIMIT ? LIMIT : left;
    expect(await c.escrow.connect(by)[WITHDRAW_PART].staticCall(token, to, part)).to.equal(part);
    await expect(withdrawPart(c, by, token, to, part))
      .to.emit(c.escrow, "CreditWithdrawn")
      .withArgs(by.address, token, to, part)
      .and.not.to.emit(c.escrow, "PayoutCredited");
    left -= part;
    expect(await creditOf(c, by.address, token), "credit left").to.equal(left);
    parts.push(part);
  }
  return parts;
}

// ================================================================ tests

describe("HedgeSwapEscrow withdraw(token, to, amount): a credit above a token's per-transfer limit", function () {
  describe("TransferLimitToken", function () {
    it("moves exactly its limit and refuses one wei more, by transfer and by transferFrom", async function () {
      const c = await setupLimit();
      await c.lim.connect(c.alice).transfer(c.carol.address, LIMIT);
      await expect(c.lim.connect(c.alice).transfer(c.carol.address, LIMIT + 1n))
        .to.be.revertedWithCustomError(c.lim, "TransferAboveLimit")
        .withArgs(LIMIT + 1n, LIMIT);
      await c.lim.connect(c.alice).approve(c.relayer.address, ethers.MaxUint256);
      await c.lim.connect(c.relayer).transferFrom(c.alice.address, c.carol.address, LIMIT);
      await expect(c.lim.connect(c.relayer).transferFrom(c.alice.address, c.carol.address, LIMIT + 1n))
        .to.be.revertedWithCustomError(c.lim, "TransferAboveLimit")
        .withArgs(LIMIT + 1n, LIMIT);
      expect(await c.lim.transferLimit()).to.equal(LIMIT);
    });
  });

  describe("merged payouts above the limit are credited, and only the partial withdrawal moves them", function () {
    it("redeem of a hedged leg: principal + premium (103) to the redeemer is credited; the full withdraw reverts; 101 + 2 come out to the wei", async function () {
      const c = await setupLimit();
      const t = await hedgedLimitLeg(c);
      const redeemed = await track(c, [c.LIM]);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "PayoutCredited")
        .withArgs(c.bob.address, c.LIM, AMOUNT + PREMIUM);
      expect(await c.escrow.legState(t.id)).to.equal(LegState.None);
      await expectUnchanged(c, redeemed);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(AMOUNT + PREMIUM);

      // The whole credit is one transfer above the limit: the token refuses it, the credit stays.
      const before = await track(c, [c.LIM]);
      await expect(c.escrow.connect(c.bob)[WITHDRAW_ALL](c.LIM, c.bob.address))
        .to.be.revertedWithCustomError(c.lim, "TransferAboveLimit")
        .withArgs(AMOUNT + PREMIUM, LIMIT);
      await expectUnchanged(c, before);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(AMOUNT + PREMIUM);

      // In parts at the limit: exactly the credit reaches bob, the escrow holds nothing more of it.
      const parts = await withdrawInParts(c, c.bob, c.LIM, c.bob.address);
      expect(parts).to.deep.equal([LIMIT, AMOUNT + PREMIUM - LIMIT]);
      await expectDeltas(c, before, [
        [c.LIM, c.bob.address, AMOUNT + PREMIUM],
        [c.LIM, c.escrowAddress, -(AMOUNT + PREMIUM)],
      ]);
      await expect(c.escrow.connect(c.bob)[WITHDRAW_ALL](c.LIM, c.bob.address))
        .to.be.revertedWithCustomError(c.escrow, "NothingToWithdraw")
        .withArgs(c.bob.address, c.LIM);
    });

    it("settle of an escrowed, expired hedged leg: principal + premium (103) to the escrower is credited and withdrawn in parts to another address", async function () {
      const c = await setupLimit();
      const t = await hedgedLimitLeg(c);
      await mineAt(t.timeout + 1n);
      const before = await track(c, [c.LIM]);
      await expect(c.escrow.connect(c.relayer).settle(t.leg))
        .to.emit(c.escrow, "PayoutCredited")
        .withArgs(c.alice.address, c.LIM, AMOUNT + PREMIUM);
      expect(await creditOf(c, c.alice.address, c.LIM)).to.equal(AMOUNT + PREMIUM);
      await expect(c.escrow.connect(c.alice)[WITHDRAW_ALL](c.LIM, c.alice.address))
        .to.be.revertedWithCustomError(c.lim, "TransferAboveLimit")
        .withArgs(AMOUNT + PREMIUM, LIMIT);

      expect(await withdrawInParts(c, c.alice, c.LIM, c.carol.address)).to.deep.equal([LIMIT, AMOUNT + PREMIUM - LIMIT]);
      await expectDeltas(c, before, [
        [c.LIM, c.carol.address, AMOUNT + PREMIUM],
        [c.LIM, c.escrowAddress, -(AMOUNT + PREMIUM)],
      ]);
    });

    for (const kind of ["redeemBatch", "settleBatch"] as const) {
      it(`${kind} of two legs: the sum to one recipient (200) is credited and withdrawn as 101 + 99`, async function () {
        const c = await setupLimit();
        const legs: TestLeg[] = [await escrowedLeg(c, { token: c.LIM }), await escrowedLeg(c, { token: c.LIM })];
        const recipient = kind === "redeemBatch" ? c.bob : c.alice;
        if (kind === "settleBatch") await mineAt(legs[1]!.timeout + 1n);
        const before = await track(c, [c.LIM]);
        const tx =
          kind === "redeemBatch"
            ? c.escrow.connect(c.relayer).redeemBatch(
                legs.map((t) => t.leg),
                legs.map((t) => t.secret),
              )
            : c.escrow.connect(c.relayer).settleBatch(legs.map((t) => t.leg));
        await expect(tx).to.emit(c.escrow, "PayoutCredited").withArgs(recipient.address, c.LIM, 2n * AMOUNT);
        expect(await creditOf(c, recipient.address, c.LIM)).to.equal(2n * AMOUNT);
        await expect(c.escrow.connect(recipient)[WITHDRAW_ALL](c.LIM, recipient.address))
          .to.be.revertedWithCustomError(c.lim, "TransferAboveLimit")
          .withArgs(2n * AMOUNT, LIMIT);

        expect(await withdrawInParts(c, recipient, c.LIM, recipient.address)).to.deep.equal([LIMIT, 2n * AMOUNT - LIMIT]);
        await expectDeltas(c, before, [
          [c.LIM, recipient.address, 2n * AMOUNT],
          [c.LIM, c.escrowAddress, -2n * AMOUNT],
        ]);
      });
    }

    it("a payout at the limit is not credited: the plain leg's principal (100) reaches the redeemer directly", async function () {
      const c = await setupLimit();
      const t = await escrowedLeg(c, { token: c.LIM });
      const before = await track(c, [c.LIM]);
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret)).not.to.emit(c.escrow, "PayoutCredited");
      await expectDeltas(c, before, [
        [c.LIM, c.bob.address, AMOUNT],
        [c.LIM, c.escrowAddress, -AMOUNT],
      ]);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(0n);
    });
  });

  describe("the partial withdrawal's checks", function () {
    /** bob's credit of 103 LIM from a redeemed hedged leg. */
    async function credited(c: LimitCtx): Promise<void> {
      const t = await hedgedLimitLeg(c);
      await c.escrow.connect(c.relayer).redeem(t.leg, t.secret);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(AMOUNT + PREMIUM);
    }

    it("reverts with WithdrawZeroAmount(account, token) for 0, with a credit or without, before any other check", async function () {
      const c = await setupLimit();
      await credited(c);
      const before = await track(c, [c.LIM]);
      await expect(withdrawPart(c, c.bob, c.LIM, c.bob.address, 0n))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawZeroAmount")
        .withArgs(c.bob.address, c.LIM);
      await expect(withdrawPart(c, c.bob, c.LIM, ZeroAddress, 0n))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawZeroAmount")
        .withArgs(c.bob.address, c.LIM);
      await expect(withdrawPart(c, c.carol, NATIVE, c.carol.address, 0n))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawZeroAmount")
        .withArgs(c.carol.address, NATIVE);
      await expectUnchanged(c, before);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(AMOUNT + PREMIUM);
    });

    it("reverts with WithdrawExceedsCredit(account, token, credit, amount) one wei above the credit, without a credit, and before the recipient check", async function () {
      const c = await setupLimit();
      await credited(c);
      const before = await track(c, [c.LIM]);
      await expect(withdrawPart(c, c.bob, c.LIM, c.bob.address, AMOUNT + PREMIUM + 1n))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawExceedsCredit")
        .withArgs(c.bob.address, c.LIM, AMOUNT + PREMIUM, AMOUNT + PREMIUM + 1n);
      await expect(withdrawPart(c, c.bob, c.LIM, ZeroAddress, ethers.MaxUint256))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawExceedsCredit")
        .withArgs(c.bob.address, c.LIM, AMOUNT + PREMIUM, ethers.MaxUint256);
      // another account, and another token of bob's: no credit
      await expect(withdrawPart(c, c.carol, c.LIM, c.carol.address, 1n))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawExceedsCredit")
        .withArgs(c.carol.address, c.LIM, 0n, 1n);
      await expect(withdrawPart(c, c.bob, c.APR, c.bob.address, 1n))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawExceedsCredit")
        .withArgs(c.bob.address, c.APR, 0n, 1n);
      await expectUnchanged(c, before);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(AMOUNT + PREMIUM);
    });

    it("reverts with WithdrawFailed(to, amount) when `to` is the zero address", async function () {
      const c = await setupLimit();
      await credited(c);
      const before = await track(c, [c.LIM]);
      await expect(withdrawPart(c, c.bob, c.LIM, ZeroAddress, PREMIUM))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawFailed")
        .withArgs(ZeroAddress, PREMIUM);
      await expectUnchanged(c, before);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(AMOUNT + PREMIUM);
    });

    it("a part the token refuses (within the credit, above the limit) reverts with the token's error and keeps the whole credit", async function () {
      const c = await setupLimit();
      await credited(c);
      const before = await track(c, [c.LIM]);
      await expect(withdrawPart(c, c.bob, c.LIM, c.bob.address, LIMIT + 1n))
        .to.be.revertedWithCustomError(c.lim, "TransferAboveLimit")
        .withArgs(LIMIT + 1n, LIMIT);
      await expectUnchanged(c, before);
      expect(await creditOf(c, c.bob.address, c.LIM)).to.equal(AMOUNT + PREMIUM);
    });

    it("the whole credit as one part is the full withdrawal: same event, the credit cleared", async function () {
      const c = await setupLimit();
      const t = await escrowedLeg(c, { token: c.BLK });
      await c.blacklistToken.setBlacklisted(c.bob.address, true);
      await c.escrow.connect(c.relayer).redeem(t.leg, t.secret);
      expect(await creditOf(c, c.bob.address, c.BLK)).to.equal(AMOUNT);
      const before = await track(c, [c.BLK]);
      await expect(withdrawPart(c, c.bob, c.BLK, c.carol.address, AMOUNT))
        .to.emit(c.escrow, "CreditWithdrawn")
        .withArgs(c.bob.address, c.BLK, c.carol.address, AMOUNT);
      await expectDeltas(c, before, [
        [c.BLK, c.carol.address, AMOUNT],
        [c.BLK, c.escrowAddress, -AMOUNT],
      ]);
      expect(await creditOf(c, c.bob.address, c.BLK)).to.equal(0n);
      await expect(c.escrow.connect(c.bob)[WITHDRAW_ALL](c.BLK, c.carol.address))
        .to.be.revertedWithCustomError(c.escrow, "NothingToWithdraw")
        .withArgs(c.bob.address, c.BLK);
    });
  });

  describe("claimBatch, which reads each claim's address words without the ABI decoder", function () {
    it("refuses a claim whose escrower or token word has a bit above the address set, with no data, as the decoder does", async function () {
      const c = await setupLimit();
      const t = await escrowedLeg(c, { token: c.LIM });
      const claim = { escrower: t.leg.escrower, token: t.leg.token, amount: t.leg.amount, timelocks: t.leg.timelocks, secret: t.secret };
      const data = c.escrow.interface.encodeFunctionData("claimBatch", [[claim]]);
      // claimBatch(PlainClaim[]): selector, offset, length, then the claim's words (escrower, token, ...)
      const wordAt = (i: number) => 10 + 64 * i;
      for (const word of [2, 3]) {
        const dirty = data.slice(0, wordAt(word)) + "01" + data.slice(wordAt(word) + 2);
        await expect(c.bob.sendTransaction({ to: c.escrowAddress, data: dirty })).to.be.revertedWithoutReason();
      }
      expect(await c.escrow.legState(t.id)).to.equal(LegState.Escrowed);
      const before = await track(c, [c.LIM]);
      await c.bob.sendTransaction({ to: c.escrowAddress, data });
      await expectDeltas(c, before, [
        [c.LIM, c.bob.address, AMOUNT],
        [c.LIM, c.escrowAddress, -AMOUNT],
      ]);
    });
  });

  describe("the native coin", function () {
    /** A native credit of 100 for the RejectingReceiver, the redeemer of a redeemed leg; its address. */
    async function nativeCredit(c: Ctx): Promise<string> {
      const rejecting = await c.rejecting.getAddress();
      const t = await escrowedLeg(c, { redeemer: rejecting });
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "PayoutCredited")
        .withArgs(rejecting, NATIVE, AMOUNT);
      return rejecting;
    }

    function partCall(c: Ctx, token: string, to: string, amount: bigint): string {
      return c.escrow.interface.encodeFunctionData(WITHDRAW_PART, [token, to, amount]);
    }

    it("withdraws a native credit in two parts to another address, to the wei, with the event of each part", async function () {
      const c = await setupLimit();
      const rejecting = await nativeCredit(c);
      const first = 37n * 10n ** 18n + 1n;
      const before = await track(c, [], [rejecting]);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, partCall(c, NATIVE, c.carol.address, first)))
        .to.emit(c.escrow, "CreditWithdrawn")
        .withArgs(rejecting, NATIVE, c.carol.address, first);
      expect(await creditOf(c, rejecting, NATIVE)).to.equal(AMOUNT - first);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, partCall(c, NATIVE, c.carol.address, AMOUNT - first)))
        .to.emit(c.escrow, "CreditWithdrawn")
        .withArgs(rejecting, NATIVE, c.carol.address, AMOUNT - first);
      expect(await creditOf(c, rejecting, NATIVE)).to.equal(0n);
      await expectDeltas(c, before, [
        [NATIVE, c.carol.address, AMOUNT],
        [NATIVE, c.escrowAddress, -AMOUNT],
      ]);
    });

    it("reverts with WithdrawFailed(to, amount) when `to` rejects the native coin, and keeps the whole credit", async function () {
      const c = await setupLimit();
      const rejecting = await nativeCredit(c);
      const before = await track(c, [], [rejecting]);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, partCall(c, NATIVE, rejecting, 1n)))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawFailed")
        .withArgs(rejecting, 1n);
      await expect(c.rejecting.connect(c.relayer).execute(c.escrowAddress, partCall(c, NATIVE, ZeroAddress, 1n)))
        .to.be.revertedWithCustomError(c.escrow, "WithdrawFailed")
        .withArgs(ZeroAddress, 1n);
      await expectUnchanged(c, before);
      expect(await creditOf(c, rejecting, NATIVE)).to.equal(AMOUNT);
    });

    it("a receiver re-entering from the payout finds its credit already lowered: re-withdrawing the old credit fails with WithdrawExceedsCredit", async function () {
      const c = await setupLimit();
      const receiver = c.reentrant;
      const receiverAddress = await receiver.getAddress();
      // Armed while its leg is redeemed: the hook does not fit the 50,000-gas payout, which is credited.
      await receiver.setReentry(c.escrowAddress, partCall(c, NATIVE, receiverAddress, AMOUNT));
      const t = await escrowedLeg(c, { redeemer: receiverAddress });
      await expect(c.escrow.connect(c.relayer).redeem(t.leg, t.secret))
        .to.emit(c.escrow, "PayoutCredited")
        .withArgs(receiverAddress, NATIVE, AMOUNT);

      const part = 40n * 10n ** 18n;
      const attempts = await receiver.reentryAttempts();
      await expect(receiver.connect(c.relayer).execute(c.escrowAddress, partCall(c, NATIVE, receiverAddress, part)))
        .to.emit(c.escrow, "CreditWithdrawn")
        .withArgs(receiverAddress, NATIVE, receiverAddress, part);
      expect(await receiver.reentryAttempts()).to.equal(attempts + 1n);
      expect(await receiver.lastReentrySucceeded()).to.equal(false);
      expect(await receiver.lastReentryRevert()).to.equal(
        c.escrow.interface.encodeErrorResult("WithdrawExceedsCredit", [receiverAddress, NATIVE, AMOUNT - part, AMOUNT]),
      );
      expect(await creditOf(c, receiverAddress, NATIVE)).to.equal(AMOUNT - part);
    });
  });
});
