/**
 * Scenario tests of the leg escrow against PROTOCOLS.md:
 *
 * - §3, the scenario matrix S0–S6 of the two-party hedged swap (a = b = 100, p_a = 2, p_b = 1): the
 *   steps 1..k of each scenario, every step taken at the last second its deadline allows (T0 + kΔ),
 *   then time past every deadline, every open leg settled by a relayer, and the table's exact final
 *   balances, an empty escrow and deleted legs checked. Once with ERC-20 legs, once with native-coin legs.
 * - §4, the HTLC option (leg B's premium in option mode, f = 2, p_b = 1): exercised, abandoned after
 *   step 4, and Bob never escrowing after Alice did. Both asset kinds.
 * - Premiums in another asset than the principal: S4 and S6 of the §3 matrix with ERC-20 principals
 *   (APR, BAN) and both premiums in the native coin of their leg's chain, with the creation events
 *   (every argument) and each party's exact holdings of all four assets.
 * - The deadline boundaries of one premium leg (and of the escrow of a plain leg): every action
 *   succeeds exactly at its deadline and reverts one second later with `LegDeadlinePassed`; every
 *   settlement reverts exactly at its deadline with `LegNotExpired` and succeeds one second later.
 *
 * Native-coin legs (and native-coin premiums): both "chains" are this one Hardhat network, so each
 * party has one account per chain (Alice A / Bob A act on leg A, Alice B / Bob B on leg B). A party's
 * native balance must also pay for gas, which the table does not count, so every such account starts
 * with its table balance plus {@link GAS_FLOAT}; a party's holding is its balance + the fees it paid
 * - GAS_FLOAT, compared exactly.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";

import { abortTypedData, hashlockOf, legId } from "../../src/sdk/leg";
import { packTimelocks } from "../../src/sdk/timelocks";
import {
  DELTA,
  NATIVE,
  PremiumMode,
  deployFixture,
  hedgedSwapLegs,
  makeLeg,
  mineAt,
  newSecret,
  now,
  setNextTimestamp,
  valueFor,
  type Fixture,
  type LegStruct,
} from "../helpers/fixture";

// ==================================================================== shared helpers

/** `IHedgeSwapEscrow.LegState`, as `legState()` returns it. */
const LegState = { None: 0n, PremiumDeposited: 1n, Escrowed: 2n, Aborted: 3n } as const;
type LegStateValue = (typeof LegState)[keyof typeof LegState];

/** One whole APR or BAN (18 decimals); the tables count in whole units. */
const UNIT = 10n ** 18n;

/** Extra native coin every party account gets to pay its gas with; not part of any table value. */
const GAS_FLOAT = ethers.parseEther("1");

async function chainLocation(f: Fixture): Promise<{ chainId: bigint; escrow: string }> {
  return { chainId: (await ethers.provider.getNetwork()).chainId, escrow: f.escrowAddress };
}

// ==================================================================== the two-party swap driver

/**
 * What the legs are made of: principal and premium both in APR / BAN ("ERC-20") or both in the
 * native coin ("native") — the two kinds of the matrix —, or ERC-20 principals with native-coin
 * premiums ("ERC-20 + native premium").
 */
type AssetKind = "ERC-20" | "native" | "ERC-20 + native premium";
const ASSET_KINDS: readonly AssetKind[] = ["ERC-20", "native"];

/** A party's account on chain A and on chain B (one and the same signer for ERC-20 legs). */
interface Party {
  A: HardhatEthersSigner;
  B: HardhatEthersSigner;
}

/** What Alice and Bob hold of APR (leg A's asset) and BAN (leg B's asset), in whole units. */
interface Holdings {
  aliceAPR: bigint;
  aliceBAN: bigint;
  bobAPR: bigint;
  bobBAN: bigint;
}

/** Start of every scenario: Alice 100 APR, 3 BAN; Bob 1 APR, 100 BAN. */
const START: Holdings = { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n };

/**
 * {@link Holdings} plus what Alice and Bob hold of the native coin of chain A (leg A's premium asset
 * when the premiums are native) and of chain B (leg B's), in whole units.
 */
interface MixedHoldings extends Holdings {
  aliceCoinA: bigint;
  aliceCoinB: bigint;
  bobCoinA: bigint;
  bobCoinB: bigint;
}

/**
 * Start of the native-premium rows: START with the premium money (Alice's 3 BAN, Bob's 1 APR) held
 * in the native coin of the chain where it is deposited (B and A).
 */
const MIXED_START: MixedHoldings = {
  aliceAPR: 100n,
  aliceBAN: 0n,
  bobAPR: 0n,
  bobBAN: 100n,
  aliceCoinA: 0n,
  aliceCoinB: 3n,
  bobCoinA: 1n,
  bobCoinB: 0n,
};

interface Swap {
  f: Fixture;
  kind: AssetKind;
  alice: Party;
  bob: Party;
  /** APR: `apr` or the native coin. */
  assetA: string;
  /** BAN: `ban` or the native coin. */
  assetB: string;
  /** Leg A's and leg B's premium asset. */
  premiumAssetA: string;
  premiumAssetB: string;
  legA: LegStruct;
  legB: LegStruct;
  idA: string;
  idB: string;
  secret: string;
  t0: bigint;
  /** Native-coin fees paid by each account, by address. */
  fees: Map<string, bigint>;
}

async function balanceOf(f: Fixture, asset: string, account: string): Promise<bigint> {
  if (asset === NATIVE) return ethers.provider.getBalance(account);
  if (asset === (await f.apr.getAddress())) return f.apr.balanceOf(account);
  if (asset === (await f.ban.getAddress())) return f.ban.balanceOf(account);
  throw new Error(`unexpected asset ${asset}`);
}

/**
 * Sets up the swap of §3 (or §4 with `legBMode` = Option): fresh accounts holding exactly START
 * (MIXED_START for native premiums), leg A = Alice -> Bob, 100 APR, Bob's premium p_b; leg B = Bob
 * -> Alice, 100 BAN, Alice's premium p_a + p_b; deadlines T0 + kΔ with T0 = now.
 */
async function setUpSwap(f: Fixture, kind: AssetKind, pa: bigint, pb: bigint, legBMode: PremiumMode): Promise<Swap> {
  const [o0, o1, o2, o3] = f.others;
  let alice: Party;
  let bob: Party;
  let assetA: string;
  let assetB: string;
  if (kind === "ERC-20") {
    alice = { A: o0!, B: o0! };
    bob = { A: o1!, B: o1! };
    assetA = await f.apr.getAddress();
    assetB = await f.ban.getAddress();
    await f.apr.mint(alice.A.address, START.aliceAPR * UNIT);
    await f.ban.mint(alice.B.address, START.aliceBAN * UNIT);
    await f.apr.mint(bob.A.address, START.bobAPR * UNIT);
    await f.ban.mint(bob.B.address, START.bobBAN * UNIT);
    for (const party of [alice.A, bob.A]) {
      await f.apr.connect(party).approve(f.escrowAddress, ethers.MaxUint256);
      await f.ban.connect(party).approve(f.escrowAddress, ethers.MaxUint256);
    }
  } else if (kind === "ERC-20 + native premium") {
    // Each account holds its chain's token and its chain's native coin: Alice A (APR, coin A),
    // Alice B (BAN, coin B), Bob A (APR, coin A), Bob B (BAN, coin B).
    alice = { A: o0!, B: o1! };
    bob = { A: o2!, B: o3! };
    assetA = await f.apr.getAddress();
    assetB = await f.ban.getAddress();
    await f.apr.mint(alice.A.address, MIXED_START.aliceAPR * UNIT);
    await f.ban.mint(bob.B.address, MIXED_START.bobBAN * UNIT);
    await f.apr.connect(alice.A).approve(f.escrowAddress, ethers.MaxUint256);
    await f.ban.connect(bob.B).approve(f.escrowAddress, ethers.MaxUint256);
    await setBalance(alice.A.address, MIXED_START.aliceCoinA * UNIT + GAS_FLOAT);
    await setBalance(alice.B.address, MIXED_START.aliceCoinB * UNIT + GAS_FLOAT);
    await setBalance(bob.A.address, MIXED_START.bobCoinA * UNIT + GAS_FLOAT);
    await setBalance(bob.B.address, MIXED_START.bobCoinB * UNIT + GAS_FLOAT);
  } else {
    alice = { A: o0!, B: o1! };
    bob = { A: o2!, B: o3! };
    assetA = NATIVE;
    assetB = NATIVE;
    await setBalance(alice.A.address, START.aliceAPR * UNIT + GAS_FLOAT);
    await setBalance(alice.B.address, START.aliceBAN * UNIT + GAS_FLOAT);
    await setBalance(bob.A.address, START.bobAPR * UNIT + GAS_FLOAT);
    await setBalance(bob.B.address, START.bobBAN * UNIT + GAS_FLOAT);
  }

  const { secret, hashlock } = newSecret();
  const t0 = await now();
  const terms = { hashlock, tokenA: assetA, tokenB: assetB, a: 100n * UNIT, b: 100n * UNIT, pa: pa * UNIT, pb: pb * UNIT, t0, legBMode };
  // Leg A lives on chain A (Alice A -> Bob A), leg B on chain B (Bob B -> Alice B).
  const { legA: sameAssetLegA } = hedgedSwapLegs({ ...terms, alice: alice.A.address, bob: bob.A.address });
  const { legB: sameAssetLegB } = hedgedSwapLegs({ ...terms, alice: alice.B.address, bob: bob.B.address });
  // hedgedSwapLegs takes each premium in its leg's principal asset; native premiums replace it.
  const nativePremiums = kind === "ERC-20 + native premium";
  const legA: LegStruct = nativePremiums ? { ...sameAssetLegA, premiumToken: NATIVE } : sameAssetLegA;
  const legB: LegStruct = nativePremiums ? { ...sameAssetLegB, premiumToken: NATIVE } : sameAssetLegB;
  const at = await chainLocation(f);
  return {
    f,
    kind,
    alice,
    bob,
    assetA,
    assetB,
    premiumAssetA: legA.premiumToken,
    premiumAssetB: legB.premiumToken,
    legA,
    legB,
    idA: legId(legA, at),
    idB: legId(legB, at),
    secret,
    t0,
    fees: new Map(),
  };
}

/** Waits for a transaction and books its fee against its sender. */
async function recordFee(s: Swap, tx: ContractTransactionResponse): Promise<void> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  const fee = receipt.gasUsed * receipt.gasPrice;
  s.fees.set(receipt.from, (s.fees.get(receipt.from) ?? 0n) + fee);
}

/** What `account` holds of `asset` in whole units; a native balance with the fees it paid added back. */
async function held(s: Swap, asset: string, account: HardhatEthersSigner): Promise<bigint> {
  let balance = await balanceOf(s.f, asset, account.address);
  if (asset === NATIVE) balance += (s.fees.get(account.address) ?? 0n) - GAS_FLOAT;
  expect(balance % UNIT, "a holding that is not a whole number of units").to.equal(0n);
  return balance / UNIT;
}

/** What each party holds now of leg A's and leg B's principal asset. */
async function holdings(s: Swap): Promise<Holdings> {
  return {
    aliceAPR: await held(s, s.assetA, s.alice.A),
    aliceBAN: await held(s, s.assetB, s.alice.B),
    bobAPR: await held(s, s.assetA, s.bob.A),
    bobBAN: await held(s, s.assetB, s.bob.B),
  };
}

/** {@link holdings} plus each party's native coin on chain A and on chain B. */
async function mixedHoldings(s: Swap): Promise<MixedHoldings> {
  return {
    ...(await holdings(s)),
    aliceCoinA: await held(s, NATIVE, s.alice.A),
    aliceCoinB: await held(s, NATIVE, s.alice.B),
    bobCoinA: await held(s, NATIVE, s.bob.A),
    bobCoinB: await held(s, NATIVE, s.bob.B),
  };
}

/** Steps 1..6 of the table of §3, in order: who acts, on which chain's leg, doing what. */
const STEPS: readonly ((s: Swap) => Promise<ContractTransactionResponse>)[] = [
  // 1. Alice deposits p_a + p_b on leg B, by T0+1Δ.
  (s) => s.f.escrow.connect(s.alice.B).depositPremium(s.legB, valueFor(s.legB.premiumToken, s.legB.premiumAmount)),
  // 2. Bob deposits p_b on leg A, by T0+2Δ.
  (s) => s.f.escrow.connect(s.bob.A).depositPremium(s.legA, valueFor(s.legA.premiumToken, s.legA.premiumAmount)),
  // 3. Alice escrows a on leg A, by T0+3Δ.
  (s) => s.f.escrow.connect(s.alice.A).escrow(s.legA, valueFor(s.legA.token, s.legA.amount)),
  // 4. Bob escrows b on leg B, by T0+4Δ.
  (s) => s.f.escrow.connect(s.bob.B).escrow(s.legB, valueFor(s.legB.token, s.legB.amount)),
  // 5. Alice redeems leg B, revealing s, by T0+5Δ.
  (s) => s.f.escrow.connect(s.alice.B).redeem(s.legB, s.secret),
  // 6. Bob redeems leg A with s read from chain B (leg B's LegRedeemed event), by T0+6Δ.
  async (s) => {
    const [revealed] = await s.f.escrow.queryFilter(s.f.escrow.filters.LegRedeemed(s.idB));
    if (revealed === undefined) throw new Error("leg B was not redeemed: no secret to read");
    return s.f.escrow.connect(s.bob.A).redeem(s.legA, revealed.args.secret);
  },
];

/** Takes steps 1..count, step k in a block at exactly its deadline T0 + kΔ; returns their transactions. */
async function takeSteps(s: Swap, count: number): Promise<ContractTransactionResponse[]> {
  const txs: ContractTransactionResponse[] = [];
  for (let k = 1; k <= count; k++) {
    await setNextTimestamp(s.t0 + BigInt(k) * DELTA);
    const tx = await STEPS[k - 1]!(s);
    await recordFee(s, tx);
    txs.push(tx);
  }
  return txs;
}

/**
 * Moves time past the last deadline (leg A's timeout, T0+6Δ), checks that each leg is in the state
 * `open` says and lets the relayer settle every leg that is still open.
 */
async function settleEverything(s: Swap, open: { A: LegStateValue; B: LegStateValue }): Promise<void> {
  const { escrow, relayer } = s.f;
  await mineAt(s.t0 + 6n * DELTA + 1n);
  const legs = [
    { leg: s.legA, id: s.idA, state: open.A },
    { leg: s.legB, id: s.idB, state: open.B },
  ];
  for (const { leg, id, state } of legs) {
    expect(await escrow.legState(id), `state of leg ${id} before settlement`).to.equal(state);
    if (state === LegState.None) continue;
    const event = state === LegState.Escrowed ? "LegRefunded" : "LegPremiumRefunded";
    await expect(escrow.connect(relayer).settle(leg)).to.emit(escrow, event).withArgs(id);
  }
}

/** One row of a scenario table. */
interface Scenario {
  id: string;
  what: string;
  /** Steps 1..steps are taken. */
  steps: number;
  /** Each leg's state once the steps are taken (what is left to settle). */
  open: { A: LegStateValue; B: LegStateValue };
  end: Holdings;
}

/** Runs one scenario from START to the end of every deadline and checks the table's outcome. */
async function runScenario(kind: AssetKind, terms: { pa: bigint; pb: bigint; legBMode: PremiumMode }, row: Scenario) {
  const f = await loadFixture(deployFixture);
  const s = await setUpSwap(f, kind, terms.pa, terms.pb, terms.legBMode);
  expect(await holdings(s), "start").to.deep.equal(START);

  await takeSteps(s, row.steps);
  await settleEverything(s, row.open);

  expect(await holdings(s), "final holdings").to.deep.equal(row.end);
  for (const asset of new Set([s.assetA, s.assetB])) {
    expect(await balanceOf(f, asset, f.escrowAddress), `escrow balance of ${asset}`).to.equal(0n);
  }
  expect(await f.escrow.legState(s.idA), "leg A state").to.equal(LegState.None);
  expect(await f.escrow.legState(s.idB), "leg B state").to.equal(LegState.None);
}

function title(row: Scenario): string {
  const e = row.end;
  return `${row.id}: ${row.what} -> Alice ${e.aliceAPR} APR / ${e.aliceBAN} BAN, Bob ${e.bobAPR} APR / ${e.bobBAN} BAN`;
}

const { None, PremiumDeposited, Escrowed } = LegState;
const end = (aliceAPR: bigint, aliceBAN: bigint, bobAPR: bigint, bobBAN: bigint): Holdings => ({ aliceAPR, aliceBAN, bobAPR, bobBAN });

/** PROTOCOLS.md §3, scenario matrix (hedge mode): a = b = 100, p_a = 2, p_b = 1. */
const HEDGE_TERMS = { pa: 2n, pb: 1n, legBMode: PremiumMode.Hedge };
// prettier-ignore
const HEDGE_MATRIX: readonly Scenario[] = [
  { id: "S0", what: "nobody acts",                                 steps: 0, open: { A: None,             B: None },             end: end(100n,   3n,   1n, 100n) },
  { id: "S1", what: "step 1 only (Bob never deposits)",            steps: 1, open: { A: None,             B: PremiumDeposited }, end: end(100n,   3n,   1n, 100n) },
  { id: "S2", what: "steps 1-2 (Alice never escrows)",             steps: 2, open: { A: PremiumDeposited, B: PremiumDeposited }, end: end(100n,   3n,   1n, 100n) },
  { id: "S3", what: "steps 1-3 (Bob never escrows)",               steps: 3, open: { A: Escrowed,         B: PremiumDeposited }, end: end(101n,   3n,   0n, 100n) },
  { id: "S4", what: "steps 1-4 (Alice never reveals: sore loser)", steps: 4, open: { A: Escrowed,         B: Escrowed },         end: end(101n,   0n,   0n, 103n) },
  { id: "S5", what: "steps 1-5 (Bob never redeems)",               steps: 5, open: { A: Escrowed,         B: None },             end: end(101n, 103n,   0n,   0n) },
  { id: "S6", what: "all 6 steps",                                 steps: 6, open: { A: None,             B: None },             end: end(  0n, 103n, 101n,   0n) },
];

/** PROTOCOLS.md §4, HTLC option: leg B's premium is an option fee, f = 2, p_b = 1. */
const OPTION_TERMS = { pa: 2n, pb: 1n, legBMode: PremiumMode.Option };
// prettier-ignore
const OPTION_OUTCOMES: readonly Scenario[] = [
  { id: "exercised", what: "all 6 steps",                                  steps: 6, open: { A: None,     B: None },             end: end(  0n, 100n, 101n,   3n) },
  { id: "abandoned", what: "steps 1-4 (Alice lets the option expire)",     steps: 4, open: { A: Escrowed, B: Escrowed },         end: end(101n,   0n,   0n, 103n) },
  { id: "unwritten", what: "steps 1-3 (Bob never escrows after Alice did)", steps: 3, open: { A: Escrowed, B: PremiumDeposited }, end: end(101n,   3n,   0n, 100n) },
];

// ==================================================================== premiums in another asset

/** A row of the matrix played with ERC-20 principals and native-coin premiums. */
interface MixedScenario extends Omit<Scenario, "end"> {
  end: MixedHoldings;
}

function matrixRow(id: string): Scenario {
  const row = HEDGE_MATRIX.find((r) => r.id === id);
  if (row === undefined) throw new Error(`no row ${id} in the matrix`);
  return row;
}

/**
 * S4 and S6 of the §3 matrix (hedge mode, same steps, same legs left open) with leg A = 100 APR
 * with Bob's premium of 1 coin A and leg B = 100 BAN with Alice's premium of 3 coin B. The outcomes
 * are the table's, with each premium paid in its own asset: S4's "Alice 101 APR, Bob 103 BAN" is
 * Alice 100 APR + Bob's 1 coin A premium and Bob 100 BAN + Alice's 3 coin B premium (both principals
 * and premiums back to the escrowers); S6's "Alice 103 BAN, Bob 101 APR" is each redeemer's
 * principal plus its own hedge premium back.
 */
// prettier-ignore
const NATIVE_PREMIUM_ROWS: readonly MixedScenario[] = [
  { ...matrixRow("S4"), end: { aliceAPR: 100n, aliceBAN:   0n, aliceCoinA: 1n, aliceCoinB: 0n, bobAPR:   0n, bobBAN: 100n, bobCoinA: 0n, bobCoinB: 3n } },
  { ...matrixRow("S6"), end: { aliceAPR:   0n, aliceBAN: 100n, aliceCoinA: 0n, aliceCoinB: 3n, bobAPR: 100n, bobBAN:   0n, bobCoinA: 1n, bobCoinB: 0n } },
];

function mixedTitle(row: MixedScenario): string {
  const e = row.end;
  const alice = `Alice ${e.aliceAPR} APR / ${e.aliceBAN} BAN / ${e.aliceCoinA} coin A / ${e.aliceCoinB} coin B`;
  const bob = `Bob ${e.bobAPR} APR / ${e.bobBAN} BAN / ${e.bobCoinA} coin A / ${e.bobCoinB} coin B`;
  return `${row.id}: ${row.what} -> ${alice}, ${bob}`;
}

/**
 * The event each of steps 1..6 emits, with every argument. The premium deposits create the legs, so
 * their LegPremiumDeposited carries every parameter (the timelocks packed here from the deadlines of
 * §3, independently of hedgedSwapLegs); the escrows of these premium legs emit LegEscrowed(legId).
 */
function expectedStepEvents(s: Swap): [string, unknown[]][] {
  const d = DELTA;
  const hashlock = hashlockOf(s.secret);
  const timelocksA = packTimelocks({ premiumDeadline: s.t0 + 2n * d, escrowDeadline: s.t0 + 3n * d, timeout: s.t0 + 6n * d, mode: PremiumMode.Hedge });
  const timelocksB = packTimelocks({ premiumDeadline: s.t0 + d, escrowDeadline: s.t0 + 4n * d, timeout: s.t0 + 5n * d, mode: PremiumMode.Hedge });
  return [
    ["LegPremiumDeposited", [hashlock, s.bob.B.address, s.alice.B.address, s.assetB, 100n * UNIT, timelocksB, NATIVE, 3n * UNIT]],
    ["LegPremiumDeposited", [hashlock, s.alice.A.address, s.bob.A.address, s.assetA, 100n * UNIT, timelocksA, NATIVE, 1n * UNIT]],
    ["LegEscrowed", [s.idA]],
    ["LegEscrowed", [s.idB]],
    ["LegRedeemed", [s.idB, s.secret]],
    ["LegRedeemed", [s.idA, s.secret]],
  ];
}

/** Runs one native-premium row from MIXED_START to the end of every deadline and checks its outcome. */
async function runMixedScenario(row: MixedScenario) {
  const f = await loadFixture(deployFixture);
  const s = await setUpSwap(f, "ERC-20 + native premium", HEDGE_TERMS.pa, HEDGE_TERMS.pb, HEDGE_TERMS.legBMode);
  expect(await mixedHoldings(s), "start").to.deep.equal(MIXED_START);

  const txs = await takeSteps(s, row.steps);
  const events = expectedStepEvents(s);
  for (const [i, tx] of txs.entries()) {
    const [name, args] = events[i]!;
    await expect(tx, `step ${i + 1}`)
      .to.emit(f.escrow, name)
      .withArgs(...args);
  }
  await settleEverything(s, row.open);

  expect(await mixedHoldings(s), "final holdings").to.deep.equal(row.end);
  for (const asset of new Set([s.assetA, s.assetB, s.premiumAssetA, s.premiumAssetB])) {
    expect(await balanceOf(f, asset, f.escrowAddress), `escrow balance of ${asset}`).to.equal(0n);
  }
  expect(await f.escrow.legState(s.idA), "leg A state").to.equal(LegState.None);
  expect(await f.escrow.legState(s.idB), "leg B state").to.equal(LegState.None);
}

describe("HedgeSwapEscrow scenarios", function () {
  describe("two-party hedged swap, scenario matrix S0-S6 (PROTOCOLS.md §3)", function () {
    for (const kind of ASSET_KINDS) {
      describe(`${kind} legs`, function () {
        for (const row of HEDGE_MATRIX) {
          it(title(row), async function () {
            await runScenario(kind, HEDGE_TERMS, row);
          });
        }
      });
    }
  });

  describe("HTLC option: leg B's premium in option mode (PROTOCOLS.md §4)", function () {
    for (const kind of ASSET_KINDS) {
      describe(`${kind} legs`, function () {
        for (const row of OPTION_OUTCOMES) {
          it(title(row), async function () {
            await runScenario(kind, OPTION_TERMS, row);
          });
        }
      });
    }
  });

  describe("premium in another asset than the principal: ERC-20 principals, native-coin premiums (PROTOCOLS.md §3, S4 and S6)", function () {
    for (const row of NATIVE_PREMIUM_ROWS) {
      it(mixedTitle(row), async function () {
        await runMixedScenario(row);
      });
    }
  });

  // ================================================================== deadline boundaries

  describe("deadline boundaries: actions by their deadline, settlements after it", function () {
    const AMOUNT = 100n * UNIT;
    const PREMIUM = 3n * UNIT;

    interface BoundaryLeg {
      f: Fixture;
      leg: LegStruct;
      id: string;
      secret: string;
      premiumDeadline: bigint;
      escrowDeadline: bigint;
      timeout: bigint;
    }

    /**
     * A leg alice (escrower) -> bob (redeemer) of 100 APR, with a hedge premium of 3 APR (or none:
     * a plain leg), deadlines now + 1Δ / 2Δ / 3Δ (a plain leg is canonical: premiumDeadline 0, then
     * 2Δ / 3Δ).
     */
    async function boundaryLeg(premium: boolean): Promise<BoundaryLeg> {
      const f = await loadFixture(deployFixture);
      const { secret, hashlock } = newSecret();
      const t0 = await now();
      const premiumDeadline = premium ? t0 + DELTA : 0n;
      const escrowDeadline = t0 + 2n * DELTA;
      const timeout = t0 + 3n * DELTA;
      const apr = await f.apr.getAddress();
      const leg = makeLeg({
        escrower: f.alice.address,
        redeemer: f.bob.address,
        hashlock,
        token: apr,
        amount: AMOUNT,
        premiumToken: premium ? apr : NATIVE,
        premiumAmount: premium ? PREMIUM : 0n,
        premiumDeadline,
        escrowDeadline,
        timeout,
      });
      return { f, leg, id: legId(leg, await chainLocation(f)), secret, premiumDeadline, escrowDeadline, timeout };
    }

    /** APR balances of alice, bob and the escrow. */
    async function aprBalances(b: BoundaryLeg): Promise<bigint[]> {
      const { apr, alice, bob, escrowAddress } = b.f;
      return [await apr.balanceOf(alice), await apr.balanceOf(bob), await apr.balanceOf(escrowAddress)];
    }

    async function depositPremium(b: BoundaryLeg) {
      return b.f.escrow.connect(b.f.bob).depositPremium(b.leg);
    }
    async function escrowPrincipal(b: BoundaryLeg) {
      return b.f.escrow.connect(b.f.alice).escrow(b.leg);
    }
    async function abortSignedByBob(b: BoundaryLeg) {
      const td = abortTypedData(b.leg, await chainLocation(b.f));
      const signature = await b.f.bob.signTypedData(td.domain, td.types, td.message);
      return b.f.escrow.connect(b.f.alice).abort(b.leg, signature);
    }

    /** Asserts that the call reverted with LegDeadlinePassed at deadline + 1 and changed nothing. */
    async function expectDeadlinePassed(
      b: BoundaryLeg,
      call: () => Promise<ContractTransactionResponse>,
      deadline: bigint,
      stateBefore: LegStateValue,
    ): Promise<void> {
      const before = await aprBalances(b);
      await setNextTimestamp(deadline + 1n);
      await expect(call())
        .to.be.revertedWithCustomError(b.f.escrow, "LegDeadlinePassed")
        .withArgs(b.id, deadline, deadline + 1n);
      expect(await b.f.escrow.legState(b.id)).to.equal(stateBefore);
      expect(await aprBalances(b)).to.deep.equal(before);
    }

    /** Asserts that the settlement reverted with LegNotExpired exactly at the deadline and changed nothing. */
    async function expectNotExpired(b: BoundaryLeg, deadline: bigint, stateBefore: LegStateValue): Promise<void> {
      const before = await aprBalances(b);
      await setNextTimestamp(deadline);
      await expect(b.f.escrow.connect(b.f.relayer).settle(b.leg))
        .to.be.revertedWithCustomError(b.f.escrow, "LegNotExpired")
        .withArgs(b.id, deadline, deadline);
      expect(await b.f.escrow.legState(b.id)).to.equal(stateBefore);
      expect(await aprBalances(b)).to.deep.equal(before);
    }

    describe("depositPremium (by premiumDeadline)", function () {
      it("succeeds exactly at premiumDeadline", async function () {
        const b = await boundaryLeg(true);
        await setNextTimestamp(b.premiumDeadline);
        await expect(depositPremium(b)).to.changeTokenBalances(b.f.apr, [b.f.bob, b.f.escrow], [-PREMIUM, PREMIUM]);
        expect(await b.f.escrow.legState(b.id)).to.equal(LegState.PremiumDeposited);
      });

      it("reverts one second after premiumDeadline with LegDeadlinePassed", async function () {
        const b = await boundaryLeg(true);
        await expectDeadlinePassed(b, () => depositPremium(b), b.premiumDeadline, LegState.None);
      });
    });

    describe("escrow of a premium leg (by escrowDeadline)", function () {
      it("succeeds exactly at escrowDeadline", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await setNextTimestamp(b.escrowDeadline);
        await expect(escrowPrincipal(b)).to.changeTokenBalances(b.f.apr, [b.f.alice, b.f.escrow], [-AMOUNT, AMOUNT]);
        expect(await b.f.escrow.legState(b.id)).to.equal(LegState.Escrowed);
      });

      it("reverts one second after escrowDeadline with LegDeadlinePassed", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await expectDeadlinePassed(b, () => escrowPrincipal(b), b.escrowDeadline, LegState.PremiumDeposited);
      });
    });

    describe("escrow of a plain leg (by escrowDeadline)", function () {
      it("succeeds exactly at escrowDeadline", async function () {
        const b = await boundaryLeg(false);
        await setNextTimestamp(b.escrowDeadline);
        await expect(escrowPrincipal(b)).to.changeTokenBalances(b.f.apr, [b.f.alice, b.f.escrow], [-AMOUNT, AMOUNT]);
        expect(await b.f.escrow.legState(b.id)).to.equal(LegState.Escrowed);
      });

      it("reverts one second after escrowDeadline with LegDeadlinePassed", async function () {
        const b = await boundaryLeg(false);
        await expectDeadlinePassed(b, () => escrowPrincipal(b), b.escrowDeadline, LegState.None);
      });
    });

    describe("redeem (by timeout)", function () {
      it("succeeds exactly at timeout", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await escrowPrincipal(b);
        await setNextTimestamp(b.timeout);
        const tx = b.f.escrow.connect(b.f.relayer).redeem(b.leg, b.secret);
        await expect(tx).to.emit(b.f.escrow, "LegRedeemed").withArgs(b.id, b.secret);
        // Hedge premium: principal and premium to the redeemer.
        await expect(tx).to.changeTokenBalances(b.f.apr, [b.f.bob, b.f.escrow], [AMOUNT + PREMIUM, -(AMOUNT + PREMIUM)]);
        expect(await b.f.escrow.legState(b.id)).to.equal(LegState.None);
      });

      it("reverts one second after timeout with LegDeadlinePassed", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await escrowPrincipal(b);
        const redeem = () => b.f.escrow.connect(b.f.relayer).redeem(b.leg, b.secret);
        await expectDeadlinePassed(b, redeem, b.timeout, LegState.Escrowed);
      });
    });

    describe("abort (by timeout)", function () {
      it("succeeds exactly at timeout", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await escrowPrincipal(b);
        const td = abortTypedData(b.leg, await chainLocation(b.f));
        const signature = await b.f.bob.signTypedData(td.domain, td.types, td.message);
        await setNextTimestamp(b.timeout);
        const tx = b.f.escrow.connect(b.f.alice).abort(b.leg, signature);
        await expect(tx).to.emit(b.f.escrow, "LegAborted").withArgs(b.id);
        await expect(tx).to.changeTokenBalances(
          b.f.apr,
          [b.f.alice, b.f.bob, b.f.escrow],
          [AMOUNT, PREMIUM, -(AMOUNT + PREMIUM)],
        );
        expect(await b.f.escrow.legState(b.id)).to.equal(LegState.Aborted);
      });

      it("reverts one second after timeout with LegDeadlinePassed", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await escrowPrincipal(b);
        await expectDeadlinePassed(b, () => abortSignedByBob(b), b.timeout, LegState.Escrowed);
      });
    });

    describe("settle of a premium-only leg (after escrowDeadline)", function () {
      it("reverts exactly at escrowDeadline with LegNotExpired", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await expectNotExpired(b, b.escrowDeadline, LegState.PremiumDeposited);
      });

      it("succeeds one second after escrowDeadline: premium back to the redeemer", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await setNextTimestamp(b.escrowDeadline + 1n);
        const tx = b.f.escrow.connect(b.f.relayer).settle(b.leg);
        await expect(tx).to.emit(b.f.escrow, "LegPremiumRefunded").withArgs(b.id);
        await expect(tx).to.changeTokenBalances(b.f.apr, [b.f.bob, b.f.escrow], [PREMIUM, -PREMIUM]);
        expect(await b.f.escrow.legState(b.id)).to.equal(LegState.None);
      });
    });

    describe("settle of an escrowed leg (after timeout)", function () {
      it("reverts exactly at timeout with LegNotExpired", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await escrowPrincipal(b);
        await expectNotExpired(b, b.timeout, LegState.Escrowed);
      });

      it("succeeds one second after timeout: principal and premium to the escrower", async function () {
        const b = await boundaryLeg(true);
        await depositPremium(b);
        await escrowPrincipal(b);
        await setNextTimestamp(b.timeout + 1n);
        const tx = b.f.escrow.connect(b.f.relayer).settle(b.leg);
        await expect(tx).to.emit(b.f.escrow, "LegRefunded").withArgs(b.id);
        await expect(tx).to.changeTokenBalances(
          b.f.apr,
          [b.f.alice, b.f.escrow],
          [AMOUNT + PREMIUM, -(AMOUNT + PREMIUM)],
        );
        expect(await b.f.escrow.legState(b.id)).to.equal(LegState.None);
      });
    });
  });
});
