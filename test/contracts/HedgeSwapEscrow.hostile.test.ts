/**
 * Hostile parties and hostile tokens against the leg escrow (PROTOCOLS.md §2: "No party can block
 * another party's payout"; IHedgeSwapEscrow: a failing payout is credited and withdrawn later).
 *
 * Covered:
 * - a receiver that re-enters the escrow from its native-coin hook (`ReentrantReceiver`): re-entry
 *   into redeem / settle of the same leg, into withdraw, and into redeem of another leg, both when
 *   the hook fits into the gas of a native payout ({@link NATIVE_PAYOUT_GAS}; an "armed" receiver
 *   whose storage is already written) and when it does not (a "cold" receiver: the payout is
 *   credited and the re-entry then runs with full gas from `withdraw`); also as an escrower refunded
 *   by settle. Re-entering redeem of another leg never fits, armed or cold;
 * - a receiver that rejects the native coin (`RejectingReceiver`) as redeemer, hedged redeemer,
 *   option escrower, refunded escrower and in a batch, and the withdrawal of its credit;
 * - a fee-on-transfer token (refused with TokenAmountMismatch), a token that returns no bool (a
 *   full hedged swap, a refund and a premium refund), a blacklisting token (credited payouts,
 *   withdrawal to another address, a blacklisted escrow);
 * - an ERC-1271 contract wallet as a full party (premium deposit, redeem, cooperative abort).
 *
 * Every test ends by checking that the escrow's balance of each asset it touched is exactly what
 * the legs still lock plus every outstanding credit (`expectFullyBacked`).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse, Interface, TransactionResponse } from "ethers";

import { abortTypedData } from "../../src/sdk/leg";
import type { HedgeSwapEscrow } from "../../typechain-types";
import {
  DELTA,
  NATIVE,
  PremiumMode,
  deployFixture,
  hedgedSwapLegs,
  makeLeg,
  newSecret,
  now,
  setNextTimestamp,
  type LegStruct,
} from "../helpers/fixture";

// ================================================================ helpers

/**
 * Gas the escrow forwards with a native-coin payout: the constant `NATIVE_PAYOUT_GAS` in
 * contracts/HedgeSwapEscrow.sol, internal since b3d7c66 (no getter to read it from). The EVM adds
 * its 2,300-gas stipend to a call that carries value, so a receiver's hook runs with 52,300 gas.
 */
const NATIVE_PAYOUT_GAS = 50_000;

/** `IHedgeSwapEscrow.LegState` as the contract returns it. */
const State = { None: 0n, PremiumDeposited: 1n, Escrowed: 2n, Aborted: 3n } as const;

const ETH = (n: string): bigint => ethers.parseEther(n);

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Balance of `account` in `token` (NATIVE: the native coin). */
async function balanceOf(token: string, account: string): Promise<bigint> {
  if (token === NATIVE) return ethers.provider.getBalance(account);
  const erc20 = new ethers.Contract(token, ["function balanceOf(address) view returns (uint256)"], ethers.provider);
  return (await erc20.getFunction("balanceOf")(account)) as bigint;
}

/**
 * Exact balances of named accounts in one asset: records the balances when opened and the gas fee of
 * every transaction sent through {@link Ledger.send}, so that native-coin balances of senders can be
 * compared exactly. Every account not named in `expectChanges` must be unchanged.
 */
class Ledger {
  private readonly fees = new Map<string, bigint>();

  private constructor(
    private readonly token: string,
    private readonly accounts: Record<string, string>,
    private readonly start: Record<string, bigint>,
  ) {}

  static async open(token: string, accounts: Record<string, string>): Promise<Ledger> {
    return new Ledger(token, accounts, await Ledger.read(token, accounts));
  }

  private static async read(token: string, accounts: Record<string, string>): Promise<Record<string, bigint>> {
    const out: Record<string, bigint> = {};
    for (const [name, address] of Object.entries(accounts)) out[name] = await balanceOf(token, address);
    return out;
  }

  /** Waits for the transaction to be mined successfully and books its gas fee against its sender. */
  async send<T extends ContractTransactionResponse | TransactionResponse>(pending: Promise<T>): Promise<T> {
    const tx = await pending;
    const receipt = await tx.wait();
    if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
    const from = tx.from.toLowerCase();
    this.fees.set(from, (this.fees.get(from) ?? 0n) + receipt.gasUsed * receipt.gasPrice);
    return tx;
  }

  /**
   * Books the gas fee of a transaction that reverted (Hardhat mines it, so its sender pays, but the
   * rejected promise gives no response): the only transaction of the latest block.
   */
  async bookReverted(): Promise<void> {
    const block = await ethers.provider.getBlock("latest");
    expect(block?.transactions.length).to.equal(1);
    const receipt = await ethers.provider.getTransactionReceipt(block!.transactions[0]!);
    expect(receipt?.status).to.equal(0, "the latest transaction reverted");
    const from = receipt!.from.toLowerCase();
    this.fees.set(from, (this.fees.get(from) ?? 0n) + receipt!.gasUsed * receipt!.gasPrice);
  }

  /** Every account's balance is its opening balance plus `changes[name]` (default 0), less its fees. */
  async expectChanges(changes: Record<string, bigint>): Promise<void> {
    for (const name of Object.keys(changes)) {
      if (!(name in this.accounts)) throw new Error(`unknown account ${name}`);
    }
    const expected: Record<string, bigint> = {};
    for (const [name, address] of Object.entries(this.accounts)) {
      const fee = this.token === NATIVE ? (this.fees.get(address.toLowerCase()) ?? 0n) : 0n;
      expected[name] = this.start[name]! + (changes[name] ?? 0n) - fee;
    }
    expect(await Ledger.read(this.token, this.accounts)).to.deep.equal(expected);
  }
}

/**
 * The escrow holds exactly what `legs` still lock in `token` plus every outstanding credit in
 * `token`. Credits are summed per account from PayoutCredited minus CreditWithdrawn events and each
 * account's sum is checked against `credits(account, token)`. Pass every leg the test created.
 */
async function expectFullyBacked(escrow: HedgeSwapEscrow, token: string, legs: readonly LegStruct[]): Promise<void> {
  let locked = 0n;
  for (const leg of legs) {
    const state = await escrow.legState(await escrow.hashLeg(leg));
    if (state === State.Escrowed && sameAddress(leg.token, token)) locked += leg.amount;
    if ((state === State.Escrowed || state === State.PremiumDeposited) && sameAddress(leg.premiumToken, token)) {
      locked += leg.premiumAmount;
    }
  }
  const owed = new Map<string, bigint>();
  for (const e of await escrow.queryFilter(escrow.filters.PayoutCredited(undefined, token))) {
    owed.set(e.args.account, (owed.get(e.args.account) ?? 0n) + e.args.amount);
  }
  for (const e of await escrow.queryFilter(escrow.filters.CreditWithdrawn(undefined, token))) {
    owed.set(e.args.account, (owed.get(e.args.account) ?? 0n) - e.args.amount);
  }
  let credited = 0n;
  for (const [account, amount] of owed) {
    expect(await escrow.credits(account, token)).to.equal(amount, `credit of ${account}`);
    credited += amount;
  }
  expect(await balanceOf(token, await escrow.getAddress())).to.equal(locked + credited, "escrow balance");
}

/**
 * Deadlines of a plain leg: escrow within Δ, redeem within 2Δ. No premium deadline: a plain leg is
 * canonical (premiumDeadline 0, `makeLeg`'s default), anything else is refused with
 * LegPremiumTermsWithoutPremium.
 */
function plainDeadlines(t0: bigint) {
  return { escrowDeadline: t0 + DELTA, timeout: t0 + 2n * DELTA };
}

/** Deadlines of a premium leg: premium within Δ, escrow within 2Δ, redeem within 3Δ. */
function premiumDeadlines(t0: bigint) {
  return { premiumDeadline: t0 + DELTA, escrowDeadline: t0 + 2n * DELTA, timeout: t0 + 3n * DELTA };
}

/** Calldata of an escrow function, for a contract party's `execute` or a re-entry. */
function call(escrow: HedgeSwapEscrow, fn: "redeem", args: [LegStruct, string]): string;
function call(escrow: HedgeSwapEscrow, fn: "settle" | "escrow" | "depositPremium", args: [LegStruct]): string;
function call(escrow: HedgeSwapEscrow, fn: "withdraw(address,address)", args: [string, string]): string;
function call(escrow: HedgeSwapEscrow, fn: string, args: unknown[]): string {
  const iface: Interface = escrow.interface;
  return iface.encodeFunctionData(fn, args);
}

// ================================================================ re-entry scenario

/**
 * Three native plain legs: legR alice -> reentrant (10), legO bob -> carol (7, "another
 * legitimately redeemable leg"), legRE reentrant -> bob (5, the receiver as escrower, funded by
 * alice through `execute`). Nothing is escrowed yet, so that the receiver can be armed first.
 */
async function reentryScenario() {
  const f = await loadFixture(deployFixture);
  const mallory = f.others[0]!;
  const reentrantAddress = await f.reentrant.getAddress();
  const t0 = await now();
  const r = newSecret();
  const o = newSecret();
  const e = newSecret();
  const d = plainDeadlines(t0);
  const legR = makeLeg({ escrower: f.alice.address, redeemer: reentrantAddress, hashlock: r.hashlock, amount: ETH("10"), ...d });
  const legO = makeLeg({ escrower: f.bob.address, redeemer: f.carol.address, hashlock: o.hashlock, amount: ETH("7"), ...d });
  const legRE = makeLeg({ escrower: reentrantAddress, redeemer: f.bob.address, hashlock: e.hashlock, amount: ETH("5"), ...d });
  return {
    f,
    mallory,
    reentrantAddress,
    d,
    r,
    o,
    e,
    legR,
    legO,
    legRE,
    legs: [legR, legO, legRE],
    idR: await f.escrow.hashLeg(legR),
    idO: await f.escrow.hashLeg(legO),
    idRE: await f.escrow.hashLeg(legRE),
  };
}
type ReentryScenario = Awaited<ReturnType<typeof reentryScenario>>;

/**
 * Sets the receiver's re-entry. With `rehearse`, mallory first sends it 1 wei directly (full gas),
 * so its hook runs once and writes its storage (attempt counter, revert data). Must run before the
 * legs exist so that the rehearsal's revert is the same as the real one.
 *
 * Why this decides the outcome (observed in debug traces at cfd77c0; the hook has 52,300 gas, see
 * {@link NATIVE_PAYOUT_GAS}, and forwards all but 1/64 of what is left, about 20,000, to its call):
 * - Armed, a re-entry that fails the same way as in the rehearsal leaves the hook only rewrites of
 *   values it already holds. Its cost is dominated by reading back the stored calldata (cold
 *   SLOADs); the escrow's own refusal is cheap (about 1,100-2,900 gas: the leg's word is already
 *   deleted, or the credit is zero), so the hook finishes with some 7,000 (redeem), 9,700 (settle)
 *   or 21,000 (withdraw) gas to spare and the payout succeeds.
 * - Cold, the hook's first writes of its records (zero to non-zero SSTOREs, 20,000+ gas each) do
 *   not fit: it runs out of gas (for a same-leg or withdraw re-entry, after the escrow has already
 *   refused it), is rolled back as a whole (reentryAttempts stays 0), and the escrow credits the
 *   payout.
 * - Re-entering redeem of *another* leg never completes inside the payout, even armed. Cold, the
 *   nested redeem itself runs out of gas. Armed, the nested redeem now fits (about 17,400 gas:
 *   it clears the other leg's word and pays its redeemer), but its success changes the rehearsed
 *   records (lastReentrySucceeded, and lastReentryRevert shrinking from 68 bytes to none: five
 *   changed cold words, 5,000 gas each), which costs more than the hook has left (about 3,000) and
 *   would even if the nested redeem cost nothing (25,000 against some 20,500). The hook runs out of
 *   gas and is rolled back as a whole, nested redeem included: the principal is credited and the
 *   other leg stays escrowed.
 * Either way the leg is paid exactly once, to its redeemer or as a credit: safety rests on the
 * leg's word being deleted before the payout, not on the gas limit.
 */
async function armReentry(s: ReentryScenario, data: string, rehearse: boolean): Promise<void> {
  const { reentrant, escrowAddress } = s.f;
  await (await reentrant.connect(s.mallory).setReentry(escrowAddress, data)).wait();
  if (rehearse) {
    await (await s.mallory.sendTransaction({ to: s.reentrantAddress, value: 1n })).wait();
    expect(await reentrant.reentryAttempts()).to.equal(1n);
    expect(await reentrant.lastReentrySucceeded()).to.equal(false);
  }
}

async function reentryLedger(s: ReentryScenario): Promise<Ledger> {
  const { alice, bob, carol, relayer, escrowAddress } = s.f;
  return Ledger.open(NATIVE, {
    alice: alice.address,
    bob: bob.address,
    carol: carol.address,
    relayer: relayer.address,
    mallory: s.mallory.address,
    reentrant: s.reentrantAddress,
    escrow: escrowAddress,
  });
}

/** Escrows the three legs: alice pays 10 + 5 (the latter through the receiver), bob 7. */
async function openReentryLegs(s: ReentryScenario, ledger: Ledger): Promise<void> {
  const { escrow, escrowAddress, reentrant, alice, bob } = s.f;
  await ledger.send(escrow.connect(alice).escrow(s.legR, { value: s.legR.amount }));
  await ledger.send(escrow.connect(bob).escrow(s.legO, { value: s.legO.amount }));
  await ledger.send(
    reentrant.connect(alice).execute(escrowAddress, call(escrow, "escrow", [s.legRE]), { value: s.legRE.amount }),
  );
}

/** The receiver's last re-entry reverted with the escrow error `name(args)`. */
async function expectReentryFailedWith(s: ReentryScenario, name: string, args: unknown[]): Promise<void> {
  expect(await s.f.reentrant.lastReentrySucceeded()).to.equal(false);
  const error = s.f.escrow.interface.parseError(await s.f.reentrant.lastReentryRevert());
  expect(error, "lastReentryRevert decodes as an escrow error").to.not.equal(null);
  expect(error!.name).to.equal(name);
  expect(error!.args.toArray()).to.deep.equal(args);
}

/** Re-entries into the leg being paid (or into withdraw), and the escrow error each must hit. */
const SAME_LEG_REENTRIES: {
  label: string;
  data: (s: ReentryScenario) => string;
  error: (s: ReentryScenario) => [string, unknown[]];
}[] = [
  {
    label: "(a) redeem of the same leg",
    data: (s) => call(s.f.escrow, "redeem", [s.legR, s.r.secret]),
    error: (s) => ["LegUnexpectedState", [s.idR, State.None]],
  },
  {
    label: "(b) settle of the same leg",
    data: (s) => call(s.f.escrow, "settle", [s.legR]),
    error: (s) => ["LegUnexpectedState", [s.idR, State.None]],
  },
  {
    label: "(c) withdraw",
    data: (s) => call(s.f.escrow, "withdraw(address,address)", [NATIVE, s.reentrantAddress]),
    error: (s) => ["NothingToWithdraw", [s.reentrantAddress, NATIVE]],
  },
];

// ================================================================ rejecting receiver scenario

async function rejectingScenario() {
  const f = await loadFixture(deployFixture);
  const mallory = f.others[0]!;
  const dave = f.others[1]!;
  const rejectingAddress = await f.rejecting.getAddress();
  const ledger = await Ledger.open(NATIVE, {
    alice: f.alice.address,
    bob: f.bob.address,
    relayer: f.relayer.address,
    mallory: mallory.address,
    dave: dave.address,
    rejecting: rejectingAddress,
    escrow: f.escrowAddress,
  });
  return { f, mallory, dave, rejectingAddress, ledger, t0: await now() };
}

/** A plain native leg alice -> rejecting (10), escrowed and redeemed by the relayer: 10 credited. */
async function creditRejectingReceiver(s: Awaited<ReturnType<typeof rejectingScenario>>) {
  const { escrow, alice, relayer } = s.f;
  const { secret, hashlock } = newSecret();
  const leg = makeLeg({ escrower: alice.address, redeemer: s.rejectingAddress, hashlock, amount: ETH("10"), ...plainDeadlines(s.t0) });
  await s.ledger.send(escrow.connect(alice).escrow(leg, { value: leg.amount }));
  const tx = await s.ledger.send(escrow.connect(relayer).redeem(leg, secret));
  return { leg, secret, tx, id: await escrow.hashLeg(leg) };
}

// ================================================================ tests

describe("HedgeSwapEscrow: hostile parties and tokens", function () {
  describe("ReentrantReceiver re-entering from a native payout", function () {
    for (const c of SAME_LEG_REENTRIES) {
      it(`armed receiver re-entering ${c.label}: the re-entry fails, the outer redeem succeeds and pays the principal once`, async function () {
        const s = await reentryScenario();
        const { escrow, reentrant, relayer } = s.f;
        await armReentry(s, c.data(s), true);
        const ledger = await reentryLedger(s);
        await openReentryLegs(s, ledger);

        const tx = await ledger.send(escrow.connect(relayer).redeem(s.legR, s.r.secret));

        await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(s.idR, s.r.secret);
        await expect(tx).not.to.emit(escrow, "PayoutCredited");
        // The second attempt and the missing PayoutCredited show that the payout's hook ran to the
        // end (an out-of-gas hook is rolled back as a whole), so lastReentry* is its own record.
        expect(await reentrant.reentryAttempts()).to.equal(2n, "the rehearsal and the payout's hook");
        const [name, args] = c.error(s);
        await expectReentryFailedWith(s, name, args);
        expect(await escrow.legState(s.idR)).to.equal(State.None);
        expect(await escrow.legState(s.idO)).to.equal(State.Escrowed);
        expect(await escrow.credits(s.reentrantAddress, NATIVE)).to.equal(0n);
        await ledger.expectChanges({ alice: -ETH("15"), bob: -ETH("7"), reentrant: ETH("10"), escrow: ETH("12") });
        await expectFullyBacked(escrow, NATIVE, s.legs);
      });

      it(`cold receiver re-entering ${c.label}: the hook runs out of the ${NATIVE_PAYOUT_GAS}-gas payout, the principal is credited, and the full-gas re-entry from withdraw fails`, async function () {
        const s = await reentryScenario();
        const { escrow, escrowAddress, reentrant, relayer } = s.f;
        await armReentry(s, c.data(s), false);
        const ledger = await reentryLedger(s);
        await openReentryLegs(s, ledger);

        const tx = await ledger.send(escrow.connect(relayer).redeem(s.legR, s.r.secret));

        await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(s.idR, s.r.secret);
        await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(s.reentrantAddress, NATIVE, s.legR.amount);
        expect(await reentrant.reentryAttempts()).to.equal(0n, "the hook reverted as a whole");
        expect(await escrow.credits(s.reentrantAddress, NATIVE)).to.equal(s.legR.amount);
        await ledger.expectChanges({ alice: -ETH("15"), bob: -ETH("7"), escrow: ETH("22") });
        await expectFullyBacked(escrow, NATIVE, s.legs);

        const w = await ledger.send(
          reentrant.connect(s.mallory).execute(escrowAddress, call(escrow, "withdraw(address,address)", [NATIVE, s.reentrantAddress])),
        );

        await expect(w)
          .to.emit(escrow, "CreditWithdrawn")
          .withArgs(s.reentrantAddress, NATIVE, s.reentrantAddress, s.legR.amount);
        expect(await reentrant.reentryAttempts()).to.equal(1n);
        const [name, args] = c.error(s);
        await expectReentryFailedWith(s, name, args);
        expect(await escrow.credits(s.reentrantAddress, NATIVE)).to.equal(0n);
        await ledger.expectChanges({ alice: -ETH("15"), bob: -ETH("7"), reentrant: ETH("10"), escrow: ETH("12") });
        await expectFullyBacked(escrow, NATIVE, s.legs);
      });
    }

    // Re-entering redeem of another leg does not fit into the payout's gas even when armed (see
    // armReentry: armed, the nested redeem succeeds but the hook cannot afford to record it and is
    // rolled back with it): both variants credit the principal and leave the other leg untouched;
    // the only difference is the rehearsal's entry in reentryAttempts.
    for (const { label, rehearse, rehearsals } of [
      { label: "cold", rehearse: false, rehearsals: 0n },
      { label: "armed", rehearse: true, rehearsals: 1n },
    ]) {
      it(`(d) ${label} receiver re-entering redeem of another leg: does not fit into the ${NATIVE_PAYOUT_GAS}-gas payout (credited); from withdraw it redeems that leg once and pays its redeemer`, async function () {
        const s = await reentryScenario();
        const { escrow, escrowAddress, reentrant, relayer } = s.f;
        await armReentry(s, call(escrow, "redeem", [s.legO, s.o.secret]), rehearse);
        const ledger = await reentryLedger(s);
        await openReentryLegs(s, ledger);

        const tx = await ledger.send(escrow.connect(relayer).redeem(s.legR, s.r.secret));

        await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(s.idR, s.r.secret);
        await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(s.reentrantAddress, NATIVE, s.legR.amount);
        // The payout's hook was rolled back as a whole (out of gas), with its nested redeem.
        expect(await reentrant.reentryAttempts()).to.equal(rehearsals, "only the rehearsal, if any");
        expect(await reentrant.lastReentrySucceeded()).to.equal(false, "no nested success survived");
        expect(await escrow.legState(s.idO)).to.equal(State.Escrowed, "the other leg is untouched");
        await ledger.expectChanges({ alice: -ETH("15"), bob: -ETH("7"), escrow: ETH("22") });
        await expectFullyBacked(escrow, NATIVE, s.legs);

        const w = await ledger.send(
          reentrant.connect(s.mallory).execute(escrowAddress, call(escrow, "withdraw(address,address)", [NATIVE, s.reentrantAddress])),
        );

        await expect(w)
          .to.emit(escrow, "CreditWithdrawn")
          .withArgs(s.reentrantAddress, NATIVE, s.reentrantAddress, s.legR.amount);
        await expect(w).to.emit(escrow, "LegRedeemed").withArgs(s.idO, s.o.secret);
        await expect(w).not.to.emit(escrow, "PayoutCredited");
        expect(await reentrant.reentryAttempts()).to.equal(rehearsals + 1n);
        expect(await reentrant.lastReentrySucceeded()).to.equal(true);
        expect(await escrow.legState(s.idO)).to.equal(State.None);

        await expect(escrow.connect(relayer).redeem(s.legO, s.o.secret))
          .to.be.revertedWithCustomError(escrow, "LegUnexpectedState")
          .withArgs(s.idO, State.None);
        await ledger.bookReverted();
        await ledger.expectChanges({
          alice: -ETH("15"),
          bob: -ETH("7"),
          carol: ETH("7"),
          reentrant: ETH("10"),
          escrow: ETH("5"),
        });
        await expectFullyBacked(escrow, NATIVE, s.legs);
      });
    }

    it("armed escrower re-entering settle of its own refunded leg: the re-entry fails, the refund is paid once", async function () {
      const s = await reentryScenario();
      const { escrow, reentrant, relayer } = s.f;
      await armReentry(s, call(escrow, "settle", [s.legRE]), true);
      const ledger = await reentryLedger(s);
      await openReentryLegs(s, ledger);

      await setNextTimestamp(s.d.timeout + 1n);
      const tx = await ledger.send(escrow.connect(relayer).settle(s.legRE));

      await expect(tx).to.emit(escrow, "LegRefunded").withArgs(s.idRE);
      await expect(tx).not.to.emit(escrow, "PayoutCredited");
      expect(await reentrant.reentryAttempts()).to.equal(2n);
      await expectReentryFailedWith(s, "LegUnexpectedState", [s.idRE, State.None]);
      expect(await escrow.legState(s.idRE)).to.equal(State.None);
      await ledger.expectChanges({ alice: -ETH("15"), bob: -ETH("7"), reentrant: ETH("5"), escrow: ETH("17") });
      await expectFullyBacked(escrow, NATIVE, s.legs);
    });

    it("cold escrower re-entering settle of its own refunded leg: the refund is credited, and the full-gas re-entry from withdraw fails", async function () {
      const s = await reentryScenario();
      const { escrow, escrowAddress, reentrant, relayer } = s.f;
      await armReentry(s, call(escrow, "settle", [s.legRE]), false);
      const ledger = await reentryLedger(s);
      await openReentryLegs(s, ledger);

      await setNextTimestamp(s.d.timeout + 1n);
      const tx = await ledger.send(escrow.connect(relayer).settle(s.legRE));

      await expect(tx).to.emit(escrow, "LegRefunded").withArgs(s.idRE);
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(s.reentrantAddress, NATIVE, s.legRE.amount);
      expect(await reentrant.reentryAttempts()).to.equal(0n);
      await expectFullyBacked(escrow, NATIVE, s.legs);

      const w = await ledger.send(
        reentrant.connect(s.mallory).execute(escrowAddress, call(escrow, "withdraw(address,address)", [NATIVE, s.reentrantAddress])),
      );

      await expect(w)
        .to.emit(escrow, "CreditWithdrawn")
        .withArgs(s.reentrantAddress, NATIVE, s.reentrantAddress, s.legRE.amount);
      expect(await reentrant.reentryAttempts()).to.equal(1n);
      await expectReentryFailedWith(s, "LegUnexpectedState", [s.idRE, State.None]);
      expect(await escrow.credits(s.reentrantAddress, NATIVE)).to.equal(0n);
      await ledger.expectChanges({ alice: -ETH("15"), bob: -ETH("7"), reentrant: ETH("5"), escrow: ETH("17") });
      await expectFullyBacked(escrow, NATIVE, s.legs);
    });
  });

  describe("RejectingReceiver (refuses the native coin)", function () {
    it("as redeemer of a plain leg: a third party's redeem succeeds and the principal is credited", async function () {
      const s = await rejectingScenario();
      const { escrow } = s.f;

      const { leg, secret, tx, id } = await creditRejectingReceiver(s);

      await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(id, secret);
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(s.rejectingAddress, NATIVE, leg.amount);
      expect(await escrow.credits(s.rejectingAddress, NATIVE)).to.equal(leg.amount);
      expect(await escrow.legState(id)).to.equal(State.None);
      await s.ledger.expectChanges({ alice: -ETH("10"), escrow: ETH("10") });
      await expectFullyBacked(escrow, NATIVE, [leg]);
    });

    it("as redeemer of a hedged leg whose premium it deposited via execute(): principal and hedge premium are credited", async function () {
      const s = await rejectingScenario();
      const { escrow, escrowAddress, rejecting, alice, relayer } = s.f;
      const { secret, hashlock } = newSecret();
      const leg = makeLeg({
        escrower: alice.address,
        redeemer: s.rejectingAddress,
        hashlock,
        amount: ETH("10"),
        premiumAmount: ETH("1"),
        ...premiumDeadlines(s.t0),
      });
      const id = await escrow.hashLeg(leg);
      await s.ledger.send(
        rejecting.connect(s.mallory).execute(escrowAddress, call(escrow, "depositPremium", [leg]), { value: leg.premiumAmount }),
      );
      expect(await escrow.legState(id)).to.equal(State.PremiumDeposited);
      await s.ledger.send(escrow.connect(alice).escrow(leg, { value: leg.amount }));

      const tx = await s.ledger.send(escrow.connect(relayer).redeem(leg, secret));

      await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(id, secret);
      await expect(tx)
        .to.emit(escrow, "PayoutCredited")
        .withArgs(s.rejectingAddress, NATIVE, leg.amount + leg.premiumAmount);
      const receipt = await tx.wait();
      const credited = receipt!.logs.filter((l) => escrow.interface.parseLog(l)?.name === "PayoutCredited");
      expect(credited.length).to.equal(1, "principal and premium merge into one payout");
      expect(await escrow.credits(s.rejectingAddress, NATIVE)).to.equal(ETH("11"));
      await s.ledger.expectChanges({ alice: -ETH("10"), mallory: -ETH("1"), escrow: ETH("11") });
      await expectFullyBacked(escrow, NATIVE, [leg]);
    });

    it("as escrower of an option leg: the redeemer still gets the principal, the option premium is credited to the escrower", async function () {
      const s = await rejectingScenario();
      const { escrow, escrowAddress, rejecting, bob, relayer } = s.f;
      const { secret, hashlock } = newSecret();
      const leg = makeLeg({
        escrower: s.rejectingAddress,
        redeemer: bob.address,
        hashlock,
        amount: ETH("10"),
        premiumAmount: ETH("2"),
        mode: PremiumMode.Option,
        ...premiumDeadlines(s.t0),
      });
      const id = await escrow.hashLeg(leg);
      await s.ledger.send(escrow.connect(bob).depositPremium(leg, { value: leg.premiumAmount }));
      await s.ledger.send(
        rejecting.connect(s.mallory).execute(escrowAddress, call(escrow, "escrow", [leg]), { value: leg.amount }),
      );

      const tx = await s.ledger.send(escrow.connect(relayer).redeem(leg, secret));

      await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(id, secret);
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(s.rejectingAddress, NATIVE, leg.premiumAmount);
      expect(await escrow.credits(s.rejectingAddress, NATIVE)).to.equal(ETH("2"));
      expect(await escrow.credits(bob.address, NATIVE)).to.equal(0n);
      await s.ledger.expectChanges({ bob: ETH("10") - ETH("2"), mallory: -ETH("10"), escrow: ETH("2") });
      await expectFullyBacked(escrow, NATIVE, [leg]);
    });

    it("as escrower refunded by settle: principal and forfeited hedge premium are credited", async function () {
      const s = await rejectingScenario();
      const { escrow, escrowAddress, rejecting, bob, relayer } = s.f;
      const { hashlock } = newSecret();
      const d = premiumDeadlines(s.t0);
      const leg = makeLeg({
        escrower: s.rejectingAddress,
        redeemer: bob.address,
        hashlock,
        amount: ETH("10"),
        premiumAmount: ETH("1"),
        ...d,
      });
      const id = await escrow.hashLeg(leg);
      await s.ledger.send(escrow.connect(bob).depositPremium(leg, { value: leg.premiumAmount }));
      await s.ledger.send(
        rejecting.connect(s.mallory).execute(escrowAddress, call(escrow, "escrow", [leg]), { value: leg.amount }),
      );

      await setNextTimestamp(d.timeout + 1n);
      const tx = await s.ledger.send(escrow.connect(relayer).settle(leg));

      await expect(tx).to.emit(escrow, "LegRefunded").withArgs(id);
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(s.rejectingAddress, NATIVE, ETH("11"));
      expect(await escrow.credits(s.rejectingAddress, NATIVE)).to.equal(ETH("11"));
      expect(await escrow.legState(id)).to.equal(State.None);
      await s.ledger.expectChanges({ bob: -ETH("1"), mallory: -ETH("10"), escrow: ETH("11") });
      await expectFullyBacked(escrow, NATIVE, [leg]);
    });

    it("withdrawing its credit to itself reverts WithdrawFailed(to, amount) and keeps the credit", async function () {
      const s = await rejectingScenario();
      const { escrow, escrowAddress, rejecting } = s.f;
      const { leg } = await creditRejectingReceiver(s);

      await expect(
        rejecting.connect(s.mallory).execute(escrowAddress, call(escrow, "withdraw(address,address)", [NATIVE, s.rejectingAddress])),
      )
        .to.be.revertedWithCustomError(escrow, "WithdrawFailed")
        .withArgs(s.rejectingAddress, leg.amount);
      await s.ledger.bookReverted();

      expect(await escrow.credits(s.rejectingAddress, NATIVE)).to.equal(leg.amount);
      await s.ledger.expectChanges({ alice: -ETH("10"), escrow: ETH("10") });
      await expectFullyBacked(escrow, NATIVE, [leg]);
    });

    it("withdraws its credit to another address via execute(): the EOA receives exactly the credit", async function () {
      const s = await rejectingScenario();
      const { escrow, escrowAddress, rejecting } = s.f;
      const { leg } = await creditRejectingReceiver(s);

      const w = await s.ledger.send(
        rejecting.connect(s.mallory).execute(escrowAddress, call(escrow, "withdraw(address,address)", [NATIVE, s.dave.address])),
      );

      await expect(w)
        .to.emit(escrow, "CreditWithdrawn")
        .withArgs(s.rejectingAddress, NATIVE, s.dave.address, leg.amount);
      expect(await escrow.credits(s.rejectingAddress, NATIVE)).to.equal(0n);
      await s.ledger.expectChanges({ alice: -ETH("10"), dave: ETH("10") });
      await expect(
        rejecting.connect(s.mallory).execute(escrowAddress, call(escrow, "withdraw(address,address)", [NATIVE, s.dave.address])),
      )
        .to.be.revertedWithCustomError(escrow, "NothingToWithdraw")
        .withArgs(s.rejectingAddress, NATIVE);
      await s.ledger.bookReverted();
      await s.ledger.expectChanges({ alice: -ETH("10"), dave: ETH("10") });
      await expectFullyBacked(escrow, NATIVE, [leg]);
    });

    it("batch redeem where one redeemer rejects and another accepts: one merged credit, one direct payment", async function () {
      const s = await rejectingScenario();
      const { escrow, alice, bob, relayer } = s.f;
      const d = plainDeadlines(s.t0);
      const secrets = [newSecret(), newSecret(), newSecret()];
      const legs = [
        makeLeg({ escrower: alice.address, redeemer: s.rejectingAddress, hashlock: secrets[0]!.hashlock, amount: ETH("10"), ...d }),
        makeLeg({ escrower: alice.address, redeemer: bob.address, hashlock: secrets[1]!.hashlock, amount: ETH("7"), ...d }),
        makeLeg({ escrower: alice.address, redeemer: s.rejectingAddress, hashlock: secrets[2]!.hashlock, amount: ETH("3"), ...d }),
      ];
      for (const leg of legs) await s.ledger.send(escrow.connect(alice).escrow(leg, { value: leg.amount }));

      const tx = await s.ledger.send(
        escrow.connect(relayer).redeemBatch(
          legs,
          secrets.map((x) => x.secret),
        ),
      );

      for (const [i, leg] of legs.entries()) {
        await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(await escrow.hashLeg(leg), secrets[i]!.secret);
        expect(await escrow.legState(await escrow.hashLeg(leg))).to.equal(State.None);
      }
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(s.rejectingAddress, NATIVE, ETH("13"));
      const receipt = await tx.wait();
      const credited = receipt!.logs.filter((l) => escrow.interface.parseLog(l)?.name === "PayoutCredited");
      expect(credited.length).to.equal(1);
      expect(await escrow.credits(s.rejectingAddress, NATIVE)).to.equal(ETH("13"));
      expect(await escrow.credits(bob.address, NATIVE)).to.equal(0n);
      await s.ledger.expectChanges({ alice: -ETH("20"), bob: ETH("7"), escrow: ETH("13") });
      await expectFullyBacked(escrow, NATIVE, legs);
    });
  });

  describe("fee-on-transfer token", function () {
    const amount = 12_345_678_901_234_567_891n;
    const received = amount - amount / 100n;

    it("as principal: escrow reverts TokenAmountMismatch(token, amount, amount - 1%) and nothing moves", async function () {
      const { escrow, escrowAddress, feeToken, alice, bob } = await loadFixture(deployFixture);
      const token = await feeToken.getAddress();
      const leg = makeLeg({ escrower: alice.address, redeemer: bob.address, hashlock: newSecret().hashlock, token, amount, ...plainDeadlines(await now()) });
      const ledger = await Ledger.open(token, { alice: alice.address, bob: bob.address, escrow: escrowAddress });

      await expect(escrow.connect(alice).escrow(leg))
        .to.be.revertedWithCustomError(escrow, "TokenAmountMismatch")
        .withArgs(token, amount, received);

      expect(await escrow.legState(await escrow.hashLeg(leg))).to.equal(State.None);
      await ledger.expectChanges({});
      await expectFullyBacked(escrow, token, [leg]);
    });

    it("as premium: depositPremium reverts TokenAmountMismatch(token, premium, premium - 1%) and nothing moves", async function () {
      const { escrow, escrowAddress, feeToken, apr, alice, bob } = await loadFixture(deployFixture);
      const token = await feeToken.getAddress();
      const leg = makeLeg({
        escrower: alice.address,
        redeemer: bob.address,
        hashlock: newSecret().hashlock,
        token: await apr.getAddress(),
        amount: ETH("100"),
        premiumToken: token,
        premiumAmount: amount,
        ...premiumDeadlines(await now()),
      });
      const ledger = await Ledger.open(token, { alice: alice.address, bob: bob.address, escrow: escrowAddress });

      await expect(escrow.connect(bob).depositPremium(leg))
        .to.be.revertedWithCustomError(escrow, "TokenAmountMismatch")
        .withArgs(token, amount, received);

      expect(await escrow.legState(await escrow.hashLeg(leg))).to.equal(State.None);
      await ledger.expectChanges({});
      await expectFullyBacked(escrow, token, [leg]);
    });
  });

  describe("token without bool returns (NoReturnToken)", function () {
    const a = ETH("100");
    const b = ETH("80");
    const pa = ETH("2");
    const pb = ETH("1");

    /** A hedged swap with both legs in NoReturnToken (PROTOCOLS.md §3), steps 1-4 done. */
    async function noReturnSwap(escrowBoth: boolean) {
      const f = await loadFixture(deployFixture);
      const { escrow, escrowAddress, noReturnToken, alice, bob } = f;
      const token = await noReturnToken.getAddress();
      const t0 = await now();
      const { secret, hashlock } = newSecret();
      const { legA, legB } = hedgedSwapLegs({ alice: alice.address, bob: bob.address, hashlock, tokenA: token, tokenB: token, a, b, pa, pb, t0 });
      const ledger = await Ledger.open(token, { alice: alice.address, bob: bob.address, escrow: escrowAddress });
      await ledger.send(escrow.connect(alice).depositPremium(legB));
      await ledger.send(escrow.connect(bob).depositPremium(legA));
      if (escrowBoth) {
        await ledger.send(escrow.connect(alice).escrow(legA));
        await ledger.send(escrow.connect(bob).escrow(legB));
      }
      return { f, token, t0, secret, legA, legB, ledger, idA: await escrow.hashLeg(legA), idB: await escrow.hashLeg(legB) };
    }

    it("a full hedged swap works end to end: deposits, escrows, redeems", async function () {
      const s = await noReturnSwap(true);
      const { escrow, alice, bob } = s.f;
      await s.ledger.expectChanges({ alice: -a - pa - pb, bob: -b - pb, escrow: a + b + pa + 2n * pb });
      await expectFullyBacked(escrow, s.token, [s.legA, s.legB]);

      await expect(s.ledger.send(escrow.connect(alice).redeem(s.legB, s.secret)))
        .to.emit(escrow, "LegRedeemed")
        .withArgs(s.idB, s.secret);
      await expect(s.ledger.send(escrow.connect(bob).redeem(s.legA, s.secret)))
        .to.emit(escrow, "LegRedeemed")
        .withArgs(s.idA, s.secret);

      await s.ledger.expectChanges({ alice: b - a, bob: a - b });
      expect(await escrow.credits(alice.address, s.token)).to.equal(0n);
      expect(await escrow.credits(bob.address, s.token)).to.equal(0n);
      await expectFullyBacked(escrow, s.token, [s.legA, s.legB]);
    });

    it("settle after the timeouts (Alice never reveals): refunds with premiums, Bob nets p_a", async function () {
      const s = await noReturnSwap(true);
      const { escrow, relayer } = s.f;

      await setNextTimestamp(s.t0 + 6n * DELTA + 1n);
      await expect(s.ledger.send(escrow.connect(relayer).settle(s.legA))).to.emit(escrow, "LegRefunded").withArgs(s.idA);
      await expect(s.ledger.send(escrow.connect(relayer).settle(s.legB))).to.emit(escrow, "LegRefunded").withArgs(s.idB);

      await s.ledger.expectChanges({ alice: -pa, bob: pa });
      await expectFullyBacked(escrow, s.token, [s.legA, s.legB]);
    });

    it("settle of premium-only legs (Alice never escrows): both premiums go back, nobody gains or loses", async function () {
      const s = await noReturnSwap(false);
      const { escrow, relayer } = s.f;

      await setNextTimestamp(s.t0 + 4n * DELTA + 1n);
      await expect(s.ledger.send(escrow.connect(relayer).settle(s.legA)))
        .to.emit(escrow, "LegPremiumRefunded")
        .withArgs(s.idA);
      await expect(s.ledger.send(escrow.connect(relayer).settle(s.legB)))
        .to.emit(escrow, "LegPremiumRefunded")
        .withArgs(s.idB);

      await s.ledger.expectChanges({});
      await expectFullyBacked(escrow, s.token, [s.legA, s.legB]);
    });
  });

  describe("blacklisting token", function () {
    const amount = ETH("100");

    async function blacklistScenario() {
      const f = await loadFixture(deployFixture);
      const token = await f.blacklistToken.getAddress();
      const ledger = await Ledger.open(token, {
        alice: f.alice.address,
        bob: f.bob.address,
        carol: f.carol.address,
        escrow: f.escrowAddress,
      });
      return { f, token, ledger, t0: await now() };
    }

    /** A plain leg alice -> bob in the blacklisting token; bob gets blacklisted, a relayer redeems. */
    async function creditBlacklistedRedeemer() {
      const s = await blacklistScenario();
      const { escrow, blacklistToken, alice, bob, relayer } = s.f;
      const { secret, hashlock } = newSecret();
      const leg = makeLeg({ escrower: alice.address, redeemer: bob.address, hashlock, token: s.token, amount, ...plainDeadlines(s.t0) });
      const id = await escrow.hashLeg(leg);
      await s.ledger.send(escrow.connect(alice).escrow(leg));
      await (await blacklistToken.setBlacklisted(bob.address, true)).wait();

      const tx = await s.ledger.send(escrow.connect(relayer).redeem(leg, secret));

      await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(id, secret);
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(bob.address, s.token, amount);
      expect(await escrow.credits(bob.address, s.token)).to.equal(amount);
      expect(await escrow.credits(alice.address, s.token)).to.equal(0n);
      expect(await escrow.legState(id)).to.equal(State.None);
      await s.ledger.expectChanges({ alice: -amount, escrow: amount });
      await expectFullyBacked(escrow, s.token, [leg]);
      return { ...s, leg };
    }

    it("(a) blacklisted redeemer: redeem succeeds and credits it; withdrawing to itself fails while blacklisted and works once un-blacklisted", async function () {
      const s = await creditBlacklistedRedeemer();
      const { escrow, blacklistToken, bob } = s.f;

      await expect(escrow.connect(bob)["withdraw(address,address)"](s.token, bob.address))
        .to.be.revertedWithCustomError(blacklistToken, "Blacklisted")
        .withArgs(bob.address);
      expect(await escrow.credits(bob.address, s.token)).to.equal(amount);

      await (await blacklistToken.setBlacklisted(bob.address, false)).wait();
      await expect(s.ledger.send(escrow.connect(bob)["withdraw(address,address)"](s.token, bob.address)))
        .to.emit(escrow, "CreditWithdrawn")
        .withArgs(bob.address, s.token, bob.address, amount);

      expect(await escrow.credits(bob.address, s.token)).to.equal(0n);
      await s.ledger.expectChanges({ alice: -amount, bob: amount });
      await expectFullyBacked(escrow, s.token, [s.leg]);
    });

    it("(a) a still-blacklisted redeemer withdraws its credit to another address", async function () {
      const s = await creditBlacklistedRedeemer();
      const { escrow, blacklistToken, bob, carol } = s.f;
      expect(await blacklistToken.blacklisted(bob.address)).to.equal(true);

      await expect(s.ledger.send(escrow.connect(bob)["withdraw(address,address)"](s.token, carol.address)))
        .to.emit(escrow, "CreditWithdrawn")
        .withArgs(bob.address, s.token, carol.address, amount);

      expect(await escrow.credits(bob.address, s.token)).to.equal(0n);
      await s.ledger.expectChanges({ alice: -amount, carol: amount });
      await expectFullyBacked(escrow, s.token, [s.leg]);
    });

    it("(b) blacklisted escrower: settle succeeds and credits the refund (principal + forfeited premium)", async function () {
      const s = await blacklistScenario();
      const { escrow, blacklistToken, alice, bob, carol, relayer } = s.f;
      const d = premiumDeadlines(s.t0);
      const premium = ETH("3");
      const leg = makeLeg({
        escrower: alice.address,
        redeemer: bob.address,
        hashlock: newSecret().hashlock,
        token: s.token,
        amount,
        premiumToken: s.token,
        premiumAmount: premium,
        ...d,
      });
      const id = await escrow.hashLeg(leg);
      await s.ledger.send(escrow.connect(bob).depositPremium(leg));
      await s.ledger.send(escrow.connect(alice).escrow(leg));
      await (await blacklistToken.setBlacklisted(alice.address, true)).wait();

      await setNextTimestamp(d.timeout + 1n);
      const tx = await s.ledger.send(escrow.connect(relayer).settle(leg));

      await expect(tx).to.emit(escrow, "LegRefunded").withArgs(id);
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(alice.address, s.token, amount + premium);
      expect(await escrow.credits(alice.address, s.token)).to.equal(amount + premium);
      await s.ledger.expectChanges({ alice: -amount, bob: -premium, escrow: amount + premium });
      await expectFullyBacked(escrow, s.token, [leg]);

      await s.ledger.send(escrow.connect(alice)["withdraw(address,address)"](s.token, carol.address));
      await s.ledger.expectChanges({ alice: -amount, bob: -premium, carol: amount + premium });
      await expectFullyBacked(escrow, s.token, [leg]);
    });

    it("(c) option leg with a blacklisted escrower: the redeem pays the redeemer the principal and credits the option premium", async function () {
      const s = await blacklistScenario();
      const { escrow, blacklistToken, alice, bob, relayer } = s.f;
      const premium = ETH("2");
      const { secret, hashlock } = newSecret();
      const leg = makeLeg({
        escrower: alice.address,
        redeemer: bob.address,
        hashlock,
        token: s.token,
        amount,
        premiumToken: s.token,
        premiumAmount: premium,
        mode: PremiumMode.Option,
        ...premiumDeadlines(s.t0),
      });
      const id = await escrow.hashLeg(leg);
      await s.ledger.send(escrow.connect(bob).depositPremium(leg));
      await s.ledger.send(escrow.connect(alice).escrow(leg));
      await (await blacklistToken.setBlacklisted(alice.address, true)).wait();

      const tx = await s.ledger.send(escrow.connect(relayer).redeem(leg, secret));

      await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(id, secret);
      await expect(tx).to.emit(escrow, "PayoutCredited").withArgs(alice.address, s.token, premium);
      expect(await escrow.credits(alice.address, s.token)).to.equal(premium);
      expect(await escrow.credits(bob.address, s.token)).to.equal(0n);
      await s.ledger.expectChanges({ alice: -amount, bob: amount - premium, escrow: premium });
      await expectFullyBacked(escrow, s.token, [leg]);
    });

    it("(d) a blacklisted escrow contract: escrow() and depositPremium() revert with the token's error and nothing moves", async function () {
      const s = await blacklistScenario();
      const { escrow, escrowAddress, blacklistToken, alice, bob } = s.f;
      const plain = makeLeg({ escrower: alice.address, redeemer: bob.address, hashlock: newSecret().hashlock, token: s.token, amount, ...plainDeadlines(s.t0) });
      const withPremium = makeLeg({
        escrower: alice.address,
        redeemer: bob.address,
        hashlock: newSecret().hashlock,
        token: s.token,
        amount,
        premiumToken: s.token,
        premiumAmount: ETH("1"),
        ...premiumDeadlines(s.t0),
      });
      await (await blacklistToken.setBlacklisted(escrowAddress, true)).wait();

      await expect(escrow.connect(alice).escrow(plain))
        .to.be.revertedWithCustomError(blacklistToken, "Blacklisted")
        .withArgs(escrowAddress);
      await expect(escrow.connect(bob).depositPremium(withPremium))
        .to.be.revertedWithCustomError(blacklistToken, "Blacklisted")
        .withArgs(escrowAddress);

      expect(await escrow.legState(await escrow.hashLeg(plain))).to.equal(State.None);
      expect(await escrow.legState(await escrow.hashLeg(withPremium))).to.equal(State.None);
      await s.ledger.expectChanges({});
      await expectFullyBacked(escrow, s.token, [plain, withPremium]);
    });
  });

  describe("ERC-1271 contract wallet (TestWallet owned by carol) as a full party", function () {
    const funding = ETH("1000");

    /**
     * Two hedged APR legs with the wallet as redeemer, both premiums deposited by the wallet through
     * `execute` and both principals escrowed: W1 alice -> wallet (100, premium 5), W2 bob -> wallet
     * (50, premium 2).
     */
    async function walletScenario() {
      const f = await loadFixture(deployFixture);
      const { escrow, escrowAddress, apr, wallet, alice, bob, carol } = f;
      const token = await apr.getAddress();
      const walletAddress = await wallet.getAddress();
      await (await apr.mint(walletAddress, funding)).wait();
      await (await wallet.connect(carol).execute(token, apr.interface.encodeFunctionData("approve", [escrowAddress, ethers.MaxUint256]))).wait();
      const ledger = await Ledger.open(token, { alice: alice.address, bob: bob.address, wallet: walletAddress, escrow: escrowAddress });

      const t0 = await now();
      const w1 = newSecret();
      const w2 = newSecret();
      const d = premiumDeadlines(t0);
      const legW1 = makeLeg({ escrower: alice.address, redeemer: walletAddress, hashlock: w1.hashlock, token, amount: ETH("100"), premiumToken: token, premiumAmount: ETH("5"), ...d });
      const legW2 = makeLeg({ escrower: bob.address, redeemer: walletAddress, hashlock: w2.hashlock, token, amount: ETH("50"), premiumToken: token, premiumAmount: ETH("2"), ...d });
      const idW1 = await escrow.hashLeg(legW1);
      const idW2 = await escrow.hashLeg(legW2);
      for (const leg of [legW1, legW2]) {
        await ledger.send(wallet.connect(carol).execute(escrowAddress, call(escrow, "depositPremium", [leg])));
        expect(await escrow.legState(await escrow.hashLeg(leg))).to.equal(State.PremiumDeposited);
      }
      await ledger.send(escrow.connect(alice).escrow(legW1));
      await ledger.send(escrow.connect(bob).escrow(legW2));
      await ledger.expectChanges({ alice: -ETH("100"), bob: -ETH("50"), wallet: -ETH("7"), escrow: ETH("157") });
      return { f, token, walletAddress, ledger, w1, legW1, legW2, idW1, idW2 };
    }

    it("is the redeemer of a hedged leg: a relayer's redeem pays it principal and hedge premium", async function () {
      const s = await walletScenario();
      const { escrow, relayer } = s.f;

      const tx = await s.ledger.send(escrow.connect(relayer).redeem(s.legW1, s.w1.secret));

      await expect(tx).to.emit(escrow, "LegRedeemed").withArgs(s.idW1, s.w1.secret);
      await expect(tx).not.to.emit(escrow, "PayoutCredited");
      expect(await escrow.legState(s.idW1)).to.equal(State.None);
      await s.ledger.expectChanges({ alice: -ETH("100"), bob: -ETH("50"), wallet: ETH("100") - ETH("2"), escrow: ETH("52") });
      await expectFullyBacked(escrow, s.token, [s.legW1, s.legW2]);
    });

    it("authorises a cooperative abort with its owner's signature; another key's signature is refused with LegInvalidAbortSignature", async function () {
      const s = await walletScenario();
      const { escrow, escrowAddress, bob, carol } = s.f;
      const mallory = s.f.others[0]!;
      const { chainId } = await ethers.provider.getNetwork();
      const typed = abortTypedData(s.legW2, { chainId, escrow: escrowAddress });

      const forged = await mallory.signTypedData(typed.domain, typed.types, typed.message);
      await expect(escrow.connect(bob).abort(s.legW2, forged))
        .to.be.revertedWithCustomError(escrow, "LegInvalidAbortSignature")
        .withArgs(s.idW2, s.walletAddress);
      expect(await escrow.legState(s.idW2)).to.equal(State.Escrowed);
      await s.ledger.expectChanges({ alice: -ETH("100"), bob: -ETH("50"), wallet: -ETH("7"), escrow: ETH("157") });

      const signature = await carol.signTypedData(typed.domain, typed.types, typed.message);
      await expect(s.ledger.send(escrow.connect(bob).abort(s.legW2, signature)))
        .to.emit(escrow, "LegAborted")
        .withArgs(s.idW2);

      expect(await escrow.legState(s.idW2)).to.equal(State.Aborted);
      await s.ledger.expectChanges({ alice: -ETH("100"), wallet: -ETH("5"), escrow: ETH("105") });
      await expectFullyBacked(escrow, s.token, [s.legW1, s.legW2]);
    });
  });
});
