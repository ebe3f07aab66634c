/**
 * Property-based model test of HedgeSwapEscrow: random pools of legs and random sequences of calls,
 * each checked against the reference model in `test/model/legModel.ts` (PROTOCOLS.md §2).
 *
 * Every run starts from a fresh `loadFixture(deployFixture)` snapshot, builds 4-6 legs with random
 * terms (parties alice, bob, carol and the `rejecting` contract, which refuses the native coin; assets
 * native, APR, BAN and the blacklisting token; premiums of 0, hedge or option; deadlines after the
 * start time; now and then a non-canonical plain leg) and runs 5-25 random actions: depositPremium,
 * escrow (sometimes with the wrong msg.value), redeem / redeemBatch of 1-3 legs (right or wrong
 * secret), settle / settleBatch, abort (signed with signTypedData by the redeemer or by a wrong key),
 * withdraw of credits, blacklist toggles and time jumps (small, large, and onto a deadline or one
 * second either side of it), by random callers including non-parties and the relayer. Besides the
 * blind actions, "advance" actions take a leg's next step as the model sees it (so legs do get
 * redeemed, settled and aborted), "advanceBatch" batches legs that are ready together, and
 * "atDeadline" takes a leg's step exactly at, or one second either side of, the deadline that bounds it.
 *
 * For every action it checks that:
 * - the call succeeds exactly when the model says so, and a revert carries the model's custom error
 *   (name and arguments, decoded with the escrow's interface, or the token's for a token's own error);
 * - every balance of every account in every asset moves exactly as the model says (the gas of every
 *   transaction, reverted ones included, is charged to its sender), and the finishing-leg,
 *   PayoutCredited and CreditWithdrawn events are the model's;
 * and after every action the invariants:
 * (1) the escrow holds, per asset, exactly what the model has locked in live legs plus all credits;
 * (2) each leg pays out at most once per life: from the chain's own events and legState reads, every
 *     LegRedeemed / LegRefunded / LegPremiumRefunded / LegAborted ends a leg that was open before the
 *     transaction, at most once per transaction, and leaves it closed; an aborted leg stays aborted;
 * (3) nothing pays before its deadline (block timestamp of the event): a refund only at now > timeout,
 *     a premium refund only at now > escrowDeadline, a redeem or abort only at now <= timeout;
 * (4) `legState(legId)` and `credits(account, token)` on chain equal the model's.
 *
 * Runs: 200 by default; `HEDGESWAP_FC_RUNS=2000` for more, `HEDGESWAP_FC_SEED=<seed>` (and optionally
 * `HEDGESWAP_FC_PATH=<path>`, both printed with a counterexample) to replay a failure.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { TransactionReceipt } from "ethers";

import { deployFixture, now, setNextTimestamp, type Fixture } from "../helpers/fixture";
import { abortTypedData, hashlockOf, toLegStruct, type LegStruct } from "../../src/sdk/leg";
import {
  FINISHING_EVENTS,
  LegModel,
  LegState,
  NATIVE,
  PremiumMode,
  type LegEventName,
  type ModelLeg,
  type Outcome,
  type Payout,
} from "../model/legModel";

// ---------------------------------------------------------------------------------------- settings

const RUNS = Number(process.env.HEDGESWAP_FC_RUNS ?? 200);
const SEED = process.env.HEDGESWAP_FC_SEED ? Number(process.env.HEDGESWAP_FC_SEED) : undefined;
const PATH = process.env.HEDGESWAP_FC_PATH || undefined;
/** Every transaction is sent with this gas limit, so a reverting one is mined (and costs gas). */
const GAS_LIMIT = 2_000_000n;

const ACTORS = ["alice", "bob", "carol", "relayer", "stranger", "rejecting"] as const;
const PARTIES = ["alice", "bob", "carol", "rejecting"] as const;
const EOAS = ["alice", "bob", "carol", "relayer", "stranger"] as const;
const ASSETS = ["native", "apr", "ban", "blk"] as const;
type Actor = (typeof ACTORS)[number];
type Party = (typeof PARTIES)[number];
type Eoa = (typeof EOAS)[number];
type Asset = (typeof ASSETS)[number];
/** Accounts whose balances are checked: every actor and the escrow. */
type Account = Actor | "escrow";

const SECRETS = [0, 1, 2].map((i) => ethers.keccak256(ethers.toUtf8Bytes(`hedgeswap model secret ${i}`)));
const WRONG_SECRET = ethers.keccak256(ethers.toUtf8Bytes("hedgeswap model wrong secret"));

// ---------------------------------------------------------------------------------------- generators

interface LegSpec {
  escrower: Party;
  redeemer: Party;
  asset: Asset;
  amount: bigint;
  premium: { asset: Asset; amount: bigint; mode: PremiumMode } | null;
  /**
   * A plain leg is canonical (premium token, premium deadline and mode bit zero) unless it carries
   * one of these flaws, which make every escrow of it revert.
   */
  plainFlaw: "none" | "option" | "premiumDeadline" | "premiumToken";
  premiumOffset: number;
  escrowGap: number;
  timeoutGap: number;
  secret: number;
}

const assetArb = fc.constantFrom(...ASSETS);

const legSpecArb: fc.Arbitrary<LegSpec> = fc
  .record({
    escrower: fc.nat({ max: 3 }),
    redeemerShift: fc.integer({ min: 1, max: 3 }),
    asset: assetArb,
    amount: fc.bigInt({ min: 1n, max: 1000n }),
    premium: fc.option(
      fc.record({
        asset: assetArb,
        amount: fc.bigInt({ min: 1n, max: 100n }),
        mode: fc.constantFrom(PremiumMode.Hedge, PremiumMode.Option),
      }),
      { freq: 3 },
    ),
    plainFlaw: fc.oneof(
      { weight: 15, arbitrary: fc.constant("none" as const) },
      { weight: 1, arbitrary: fc.constantFrom("option" as const, "premiumDeadline" as const, "premiumToken" as const) },
    ),
    premiumOffset: fc.integer({ min: 0, max: 600 }),
    escrowGap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 })),
    timeoutGap: fc.integer({ min: 1, max: 600 }),
    nativeToRejecting: fc.boolean(),
    secret: fc.nat({ max: SECRETS.length - 1 }),
  })
  .map((r) => {
    const escrower = PARTIES[r.escrower]!;
    const redeemer = PARTIES[(r.escrower + r.redeemerShift) % PARTIES.length]!;
    // The rejecting contract holds no tokens: whatever it pays in is native coin (sent along by its
    // operator). It is paid native coin (which it refuses, so it is credited) half of the time.
    const asset = escrower === "rejecting" || (redeemer === "rejecting" && r.nativeToRejecting) ? "native" : r.asset;
    const premium = r.premium && redeemer === "rejecting" ? { ...r.premium, asset: "native" as const } : r.premium;
    return { ...r, escrower, redeemer, asset, premium, plainFlaw: premium === null ? r.plainFlaw : "none" };
  });

/** Who calls a party-only step: the right party (mostly) or any actor. */
type CallerPick = "party" | Actor;
const callerPickArb: fc.Arbitrary<CallerPick> = fc.oneof(
  { weight: 4, arbitrary: fc.constant("party" as const) },
  { weight: 1, arbitrary: fc.constantFrom(...ACTORS) },
);
const actorArb = fc.constantFrom(...ACTORS);
/** Leg 0 and 1 come up more often, so that some legs go through their whole life. */
const legIndexArb = fc.oneof({ weight: 2, arbitrary: fc.nat({ max: 1 }) }, { weight: 1, arbitrary: fc.nat({ max: 5 }) });

type TimeJump =
  | { kind: "small"; seconds: number }
  | { kind: "large"; seconds: number }
  | { kind: "deadline"; leg: number; which: "premiumDeadline" | "escrowDeadline" | "timeout"; offset: -1 | 0 | 1 };

type Action =
  /** The leg's next step (as its state and the time call for), by the right party: see {@link advance}. */
  | { kind: "advance"; leg: number; caller: Actor; abort: boolean; ignoreTime: boolean; lockstep: boolean }
  /** A redeemBatch or settleBatch of 2-3 legs that are ready for it: see {@link advanceBatch}. */
  | { kind: "advanceBatch"; settle: boolean; order: number[]; caller: Actor }
  /** A leg's next step right at its deadline, or one second before or after: see {@link atDeadline}. */
  | { kind: "atDeadline"; leg: number; offset: -1 | 0 | 1; settle: boolean; caller: Actor }
  | { kind: "depositPremium"; leg: number; caller: CallerPick; wrongValue: boolean }
  | { kind: "escrow"; leg: number; caller: CallerPick; wrongValue: boolean }
  | { kind: "redeem"; legs: number[]; rightSecret: boolean[]; batch: boolean; caller: Actor }
  | { kind: "settle"; legs: number[]; batch: boolean; caller: Actor }
  | { kind: "abort"; leg: number; caller: CallerPick; signer: "redeemer" | Eoa }
  | { kind: "withdraw"; ofCredit: number | null; caller: Actor; asset: Asset; to: "self" | "zero" | Actor }
  | { kind: "blacklist"; account: Party; value: boolean }
  | { kind: "time"; jump: TimeJump };

/** An action that is one call (or one time jump). */
type Step = Exclude<Action, { kind: "advance" | "advanceBatch" | "atDeadline" }>;

const wrongValueArb = fc.integer({ min: 0, max: 7 }).map((n) => n === 0);

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      leg: legIndexArb,
      caller: actorArb,
      abort: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      ignoreTime: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
      lockstep: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("advanceBatch" as const),
      settle: fc.boolean(),
      order: fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 3 }),
      caller: actorArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("atDeadline" as const),
      leg: legIndexArb,
      offset: fc.constantFrom(-1 as const, 0 as const, 1 as const),
      settle: fc.boolean(),
      caller: actorArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("depositPremium" as const),
      leg: legIndexArb,
      caller: callerPickArb,
      wrongValue: wrongValueArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("escrow" as const), leg: legIndexArb, caller: callerPickArb, wrongValue: wrongValueArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("redeem" as const),
      legs: fc.array(legIndexArb, { minLength: 1, maxLength: 3 }),
      rightSecret: fc.array(fc.integer({ min: 0, max: 5 }).map((n) => n !== 0), { minLength: 3, maxLength: 3 }),
      batch: fc.boolean(),
      caller: actorArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      legs: fc.array(legIndexArb, { minLength: 1, maxLength: 3 }),
      batch: fc.boolean(),
      caller: actorArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("abort" as const),
      leg: legIndexArb,
      caller: callerPickArb,
      signer: fc.oneof({ weight: 4, arbitrary: fc.constant("redeemer" as const) }, { weight: 1, arbitrary: fc.constantFrom(...EOAS) }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("withdraw" as const),
      ofCredit: fc.option(fc.nat({ max: 7 }), { freq: 6 }),
      caller: actorArb,
      asset: assetArb,
      to: fc.oneof(
        { weight: 2, arbitrary: fc.constant("self" as const) },
        { weight: 1, arbitrary: fc.constant("zero" as const) },
        { weight: 5, arbitrary: actorArb },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("blacklist" as const),
      account: fc.constantFrom(...PARTIES),
      value: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("time" as const),
      jump: fc.oneof(
        fc.record({ kind: fc.constant("small" as const), seconds: fc.integer({ min: 1, max: 30 }) }),
        fc.record({ kind: fc.constant("large" as const), seconds: fc.integer({ min: 30, max: 400 }) }),
        {
          weight: 3,
          arbitrary: fc.record({
            kind: fc.constant("deadline" as const),
            leg: legIndexArb,
            which: fc.constantFrom("premiumDeadline" as const, "escrowDeadline" as const, "timeout" as const),
            offset: fc.constantFrom(-1 as const, 0 as const, 1 as const),
          }),
        },
      ),
    }),
  },
);

const scenarioArb = fc.record({
  legs: fc.array(legSpecArb, { minLength: 4, maxLength: 6 }),
  actions: fc.array(actionArb, { minLength: 5, maxLength: 25, size: "max" }),
});

// ---------------------------------------------------------------------------------------- the world

interface PoolLeg {
  struct: LegStruct;
  terms: ModelLeg;
  secret: string;
}

/** One run: the deployed contracts, the model, the legs and everything the checks remember. */
interface World {
  f: Fixture;
  model: LegModel;
  pool: PoolLeg[];
  byId: Map<string, ModelLeg>;
  address: Record<Account, string>;
  token: Record<Asset, string>;
  chainId: bigint;
  /** Timestamp of the latest block and of the block the next transaction goes into. */
  clock: { last: bigint; next: bigint };
  /** What every balance must be, by `${account}/${asset}`. */
  balances: Map<string, bigint>;
  /** Every pool leg's state as last read from the chain. */
  chainStates: Map<string, LegState>;
}

const ACCOUNTS: readonly Account[] = [...ACTORS, "escrow"];

/** What one transaction did on chain. */
interface Executed {
  receipt: TransactionReceipt;
  revertData: string | null;
}

// ---------------------------------------------------------------------------------------- helpers

/** Numbers, bigints and addresses in one comparable form. */
function norm(v: unknown): string {
  if (typeof v === "bigint" || typeof v === "number") return BigInt(v).toString();
  if (typeof v === "string") return v.toLowerCase();
  return String(v);
}

function signerOf(w: World, who: Eoa): HardhatEthersSigner {
  return { alice: w.f.alice, bob: w.f.bob, carol: w.f.carol, relayer: w.f.relayer, stranger: w.f.others[0]! }[who];
}

function actorOf(w: World, address: string): Actor {
  const found = ACTORS.find((a) => w.address[a].toLowerCase() === address.toLowerCase());
  if (!found) throw new Error(`no actor at ${address}`);
  return found;
}

/**
 * Sends `data` to `to` as `caller`: an EOA sends it itself; the rejecting contract is driven through
 * `execute` by the relayer (who pays the gas and any value). Reverting transactions are mined too.
 */
async function send(w: World, caller: Actor, to: string, data: string, value: bigint): Promise<Executed & { sender: Eoa }> {
  const sender: Eoa = caller === "rejecting" ? "relayer" : caller;
  const tx =
    caller === "rejecting"
      ? { to: w.address.rejecting, data: w.f.rejecting.interface.encodeFunctionData("execute", [to, data]), value }
      : { to, data, value };
  await setNextTimestamp(w.clock.next);
  let executed: Executed;
  try {
    const sent = await signerOf(w, sender).sendTransaction({ ...tx, gasLimit: GAS_LIMIT });
    executed = { receipt: (await sent.wait())!, revertData: null };
  } catch (e) {
    const err = e as { data?: unknown; transactionHash?: unknown };
    if (typeof err.transactionHash !== "string" || typeof err.data !== "string") throw e;
    executed = { receipt: (await ethers.provider.getTransactionReceipt(err.transactionHash))!, revertData: err.data };
  }
  w.clock.last = w.clock.next;
  w.clock.next = w.clock.last + 1n;
  adjust(w, sender, "native", -(executed.receipt.gasUsed * executed.receipt.gasPrice));
  return { ...executed, sender };
}

function adjust(w: World, account: Account, asset: Asset, delta: bigint): void {
  const k = `${account}/${asset}`;
  w.balances.set(k, (w.balances.get(k) ?? 0n) + delta);
}

function assetOf(w: World, token: string): Asset {
  return ASSETS.find((a) => w.token[a].toLowerCase() === token.toLowerCase())!;
}

function accountOf(w: World, address: string): Account {
  return ACCOUNTS.find((a) => w.address[a].toLowerCase() === address.toLowerCase())!;
}

async function readBalances(w: World): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const account of ACCOUNTS) {
    const at = w.address[account];
    out.set(`${account}/native`, await ethers.provider.getBalance(at));
    out.set(`${account}/apr`, await w.f.apr.balanceOf(at));
    out.set(`${account}/ban`, await w.f.ban.balanceOf(at));
    out.set(`${account}/blk`, await w.f.blacklistToken.balanceOf(at));
  }
  return out;
}

function decodeRevert(w: World, data: string): { name: string; args: string[] } {
  for (const iface of [w.f.escrow.interface, w.f.blacklistToken.interface]) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return { name: parsed.name, args: [...parsed.args].map(norm) };
    } catch {
      // not this interface's error
    }
  }
  return { name: `<undecodable ${data}>`, args: [] };
}

/** The events the escrow emitted in a receipt that the checks compare. */
function escrowEvents(w: World, receipt: TransactionReceipt) {
  const finishing: { name: LegEventName; legId: string }[] = [];
  const credited: string[] = [];
  const withdrawn: string[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== w.address.escrow.toLowerCase()) continue;
    const parsed = w.f.escrow.interface.parseLog(log);
    if (!parsed) continue;
    if (parsed.name === "PayoutCredited") credited.push([...parsed.args].map(norm).join(" "));
    else if (parsed.name === "CreditWithdrawn") withdrawn.push([...parsed.args].map(norm).join(" "));
    else if (FINISHING_EVENTS.includes(parsed.name as LegEventName)) {
      finishing.push({ name: parsed.name as LegEventName, legId: norm(parsed.args[0]) });
    }
  }
  return { finishing, credited: credited.sort(), withdrawn };
}

const payoutKey = (p: Payout) => [p.to, p.token, p.amount].map(norm).join(" ");

// ---------------------------------------------------------------------------------------- checks

/**
 * Success or revert (with the model's error), the finishing, credit and withdrawal events, and the
 * expected balances. Returns the finishing events for the invariant checks.
 */
function checkOutcome(w: World, what: string, outcome: Outcome, done: Executed, withdrawal?: string) {
  if (!outcome.ok) {
    expect(done.revertData, `${what}: the model expects ${outcome.error.name}, the call succeeded`).to.not.equal(null);
    expect(decodeRevert(w, done.revertData!), `${what}: revert`).to.deep.equal({
      name: outcome.error.name,
      args: outcome.error.args.map(norm),
    });
    return [];
  }
  const reverted = done.revertData === null ? "" : JSON.stringify(decodeRevert(w, done.revertData));
  expect(done.revertData, `${what}: the model expects success, the call reverted with ${reverted}`).to.equal(null);

  // Creation events differ in shape between plain and premium legs and carry no id: legState covers them.
  const events = escrowEvents(w, done.receipt);
  const finishing = outcome.legEvents.filter((e) => FINISHING_EVENTS.includes(e.name));
  expect(events.finishing, `${what}: leg events`).to.deep.equal(finishing.map((e) => ({ name: e.name, legId: norm(e.legId) })));
  expect(events.credited, `${what}: PayoutCredited events`).to.deep.equal(outcome.credited.map(payoutKey).sort());
  expect(events.withdrawn, `${what}: CreditWithdrawn events`).to.deep.equal(withdrawal ? [withdrawal] : []);
  for (const m of outcome.moves) {
    adjust(w, accountOf(w, m.from), assetOf(w, m.token), -m.amount);
    adjust(w, accountOf(w, m.to), assetOf(w, m.token), m.amount);
  }
  return events.finishing;
}

const OPEN: readonly LegState[] = [LegState.PremiumDeposited, LegState.Escrowed];

/**
 * Balances and invariant (1); legState and credits (4); from the chain alone, (2) every finishing
 * event ends an open leg instance and nothing else happens to it in that transaction, and an aborted
 * leg stays aborted; (3) every finishing event happened on the right side of its deadline.
 */
async function checkState(w: World, what: string, finishing: readonly { name: LegEventName; legId: string }[], done: Executed | null) {
  const actual = await readBalances(w);
  expect(Object.fromEntries(actual), `${what}: balances`).to.deep.equal(Object.fromEntries(w.balances));
  for (const asset of ASSETS) {
    expect(actual.get(`escrow/${asset}`), `${what}: (1) escrow holds locked + credited ${asset}`).to.equal(
      w.model.holding(w.token[asset]),
    );
  }

  const before = new Map(w.chainStates);
  for (const id of w.byId.keys()) {
    const state = Number(await w.f.escrow.legState(id)) as LegState;
    expect(state, `${what}: (4) legState(${id})`).to.equal(w.model.stateOf(id));
    w.chainStates.set(id, state);
    if (before.get(id) === LegState.Aborted) expect(state, `${what}: (2) an aborted leg came back`).to.equal(LegState.Aborted);
  }
  for (const actor of ACTORS) {
    for (const asset of ASSETS) {
      expect(await w.f.escrow.credits(w.address[actor], w.token[asset]), `${what}: (4) credits(${actor}, ${asset})`).to.equal(
        w.model.creditOf(w.address[actor], w.token[asset]),
      );
    }
  }

  if (finishing.length === 0) return;
  const blockTime = BigInt((await ethers.provider.getBlock(done!.receipt.blockNumber))!.timestamp);
  const seen = new Set<string>();
  for (const e of finishing) {
    // (2) a leg instance pays out at most once: only an open instance finishes, once, and stays finished
    expect(seen.has(e.legId), `${what}: (2) ${e.name} twice for one leg in one transaction`).to.equal(false);
    seen.add(e.legId);
    expect(OPEN, `${what}: (2) ${e.name} for a leg that was not open`).to.include(before.get(e.legId) ?? LegState.None);
    expect(OPEN, `${what}: (2) ${e.name} left the leg open`).to.not.include(w.chainStates.get(e.legId));
    // (3) nothing pays before its deadline
    const leg = w.byId.get(e.legId)!;
    if (e.name === "LegRefunded") expect(blockTime > leg.timeout, `${what}: (3) refund at ${blockTime} <= timeout`).to.equal(true);
    if (e.name === "LegPremiumRefunded") {
      expect(blockTime > leg.escrowDeadline, `${what}: (3) premium refund at ${blockTime} <= escrowDeadline`).to.equal(true);
    }
    if (e.name === "LegRedeemed" || e.name === "LegAborted") {
      expect(blockTime <= leg.timeout, `${what}: (3) ${e.name} at ${blockTime} > timeout`).to.equal(true);
    }
  }
}

// ---------------------------------------------------------------------------------------- actions

function pickLeg(w: World, index: number): PoolLeg {
  return w.pool[index % w.pool.length]!;
}

function resolveCaller(pick: CallerPick, party: Party): Actor {
  return pick === "party" ? party : pick;
}

function partyName(w: World, address: string): Party {
  return actorOf(w, address) as Party;
}

/** The deadline of the step that creates a leg. */
function creationDeadline(l: ModelLeg): bigint {
  return l.premiumAmount > 0n ? l.premiumDeadline : l.escrowDeadline;
}

/**
 * The step that moves a leg on, as its (model) state and the time call for: deposit the premium or
 * escrow, then redeem with the right secret (or abort, signed by the redeemer) by the timeout, or
 * settle after the deadline (with `ignoreTime`, the step before the deadline even when it has
 * passed). A leg that can do nothing more passes the turn to the next live one; with none left, a
 * credit is withdrawn to the stranger. Party-only steps are sent by the party; redeem and settle by
 * `caller`.
 */
function advance(w: World, a: Extract<Action, { kind: "advance" }>): Step {
  const now = a.ignoreTime ? 0n : w.clock.next;
  // Nothing more can happen to an aborted leg, nor to one not created by its deadline: take the next
  // live leg instead, or when there is none, withdraw a credit (if any).
  const isLive = (l: ModelLeg) => {
    const state = w.model.stateOf(l.id);
    return state === LegState.PremiumDeposited || state === LegState.Escrowed || (state === LegState.None && now <= creationDeadline(l));
  };
  // With `lockstep`, the live leg that is least far along goes first, so that several legs become
  // ready together (for the batches).
  const rank = (l: ModelLeg) => (isLive(l) ? w.model.stateOf(l.id) : 9);
  let index = a.leg % w.pool.length;
  for (let k = 1; k < w.pool.length; k++) {
    const other = (a.leg + k) % w.pool.length;
    const [here, there] = [pickLeg(w, index).terms, pickLeg(w, other).terms];
    if (a.lockstep ? rank(there) < rank(here) : !isLive(here)) index = other;
  }
  if (!isLive(pickLeg(w, index).terms) && w.model.allCredits().length > 0) {
    return { kind: "withdraw", ofCredit: 0, caller: "alice", asset: "native", to: "stranger" };
  }
  a = { ...a, leg: index };
  const leg = pickLeg(w, index).terms;
  const state = w.model.stateOf(leg.id);
  switch (state) {
    case LegState.None:
      return leg.premiumAmount > 0n
        ? { kind: "depositPremium", leg: a.leg, caller: "party", wrongValue: false }
        : { kind: "escrow", leg: a.leg, caller: "party", wrongValue: false };
    case LegState.PremiumDeposited:
      if (now > leg.escrowDeadline) return { kind: "settle", legs: [a.leg], batch: false, caller: a.caller };
      return a.abort
        ? { kind: "abort", leg: a.leg, caller: "party", signer: "redeemer" }
        : { kind: "escrow", leg: a.leg, caller: "party", wrongValue: false };
    case LegState.Escrowed:
      if (now > leg.timeout) return { kind: "settle", legs: [a.leg], batch: false, caller: a.caller };
      return a.abort
        ? { kind: "abort", leg: a.leg, caller: "party", signer: "redeemer" }
        : { kind: "redeem", legs: [a.leg], rightSecret: [true], batch: false, caller: a.caller };
    case LegState.Aborted:
      return { kind: "settle", legs: [a.leg], batch: false, caller: a.caller };
  }
}

/**
 * A batch of 2-3 legs that are ready for it now (escrowed and not timed out for a redeem, with the
 * right secrets; past their deadline for a settlement), `order` choosing which; while fewer than two
 * are ready, a lockstep {@link advance} instead.
 */
function advanceBatch(w: World, a: Extract<Action, { kind: "advanceBatch" }>): Step {
  const now = w.clock.next;
  const ready = w.pool
    .map((l, i) => ({ terms: l.terms, i }))
    .filter(({ terms: l }) => {
      const state = w.model.stateOf(l.id);
      if (!a.settle) return state === LegState.Escrowed && now <= l.timeout;
      return (state === LegState.Escrowed && now > l.timeout) || (state === LegState.PremiumDeposited && now > l.escrowDeadline);
    })
    .filter(({ terms: l }, k, all) => all.findIndex((o) => o.terms.id === l.id) === k)
    .map(({ i }) => i);
  if (ready.length < 2) {
    return advance(w, { kind: "advance", leg: a.order[0]!, caller: a.caller, abort: false, ignoreTime: false, lockstep: true });
  }
  const legs = [...new Set([...a.order, a.order[0]! + 1].map((k) => ready[k % ready.length]!))].slice(0, Math.max(2, a.order.length));
  return a.settle
    ? { kind: "settle", legs, batch: true, caller: a.caller }
    : { kind: "redeem", legs, rightSecret: legs.map(() => true), batch: true, caller: a.caller };
}

/**
 * Moves the clock to `offset` seconds from the deadline that matters for the next live leg's state
 * (its creation deadline; the escrow deadline once the premium is in; the timeout once escrowed) and
 * takes the step that deadline bounds there: the step due by it, or with `settle` the settlement due
 * after it. A deadline already behind the clock is not moved to.
 */
function atDeadline(w: World, a: Extract<Action, { kind: "atDeadline" }>): Step {
  const step = advance(w, { kind: "advance", leg: a.leg, caller: a.caller, abort: false, ignoreTime: true, lockstep: false });
  if (step.kind === "withdraw" || step.kind === "blacklist" || step.kind === "time") return step;
  const index = step.kind === "redeem" || step.kind === "settle" ? step.legs[0]! : step.leg;
  const leg = pickLeg(w, index).terms;
  const state = w.model.stateOf(leg.id);
  const deadline =
    state === LegState.None ? creationDeadline(leg) : state === LegState.PremiumDeposited ? leg.escrowDeadline : leg.timeout;
  const target = deadline + BigInt(a.offset);
  if (target > w.clock.last) w.clock.next = target;
  return a.settle && state !== LegState.None ? { kind: "settle", legs: [index], batch: false, caller: a.caller } : step;
}

/** Runs one action on chain and in the model and checks that they agree. */
async function runAction(w: World, generated: Action): Promise<void> {
  const action: Step =
    generated.kind === "advance"
      ? advance(w, generated)
      : generated.kind === "advanceBatch"
        ? advanceBatch(w, generated)
        : generated.kind === "atDeadline"
          ? atDeadline(w, generated)
          : generated;
  const what = `${JSON.stringify(action)} at ${w.clock.next}`;
  const escrow = w.f.escrow.interface;
  const at = w.clock.next;
  let outcome: Outcome;
  let done: Executed;
  let withdrawal: string | undefined;
  switch (action.kind) {
    case "depositPremium":
    case "escrow": {
      const leg = pickLeg(w, action.leg);
      const isDeposit = action.kind === "depositPremium";
      const caller = resolveCaller(action.caller, partyName(w, isDeposit ? leg.terms.redeemer : leg.terms.escrower));
      const [token, amount] = isDeposit ? [leg.terms.premiumToken, leg.terms.premiumAmount] : [leg.terms.token, leg.terms.amount];
      const value = (token === NATIVE ? amount : 0n) + (action.wrongValue ? 1n : 0n);
      outcome = isDeposit
        ? w.model.depositPremium(leg.terms, w.address[caller], value, at)
        : w.model.escrow(leg.terms, w.address[caller], value, at);
      const data = isDeposit
        ? escrow.encodeFunctionData("depositPremium", [leg.struct])
        : escrow.encodeFunctionData("escrow", [leg.struct]);
      done = await send(w, caller, w.address.escrow, data, value);
      if (outcome.ok && caller === "rejecting") {
        adjust(w, "relayer", "native", -value); // the operator sends the value along
        adjust(w, "rejecting", "native", value);
      }
      break;
    }
    case "redeem": {
      const legs = action.legs.map((i) => pickLeg(w, i));
      const secrets = legs.map((l, i) => (action.rightSecret[i] ? l.secret : WRONG_SECRET));
      outcome = w.model.redeem(
        legs.map((l) => l.terms),
        secrets.map(hashlockOf),
        at,
      );
      const data =
        !action.batch && legs.length === 1
          ? escrow.encodeFunctionData("redeem", [legs[0]!.struct, secrets[0]!])
          : escrow.encodeFunctionData("redeemBatch", [legs.map((l) => l.struct), secrets]);
      done = await send(w, action.caller, w.address.escrow, data, 0n);
      break;
    }
    case "settle": {
      const legs = action.legs.map((i) => pickLeg(w, i));
      outcome = w.model.settle(
        legs.map((l) => l.terms),
        at,
      );
      const data =
        !action.batch && legs.length === 1
          ? escrow.encodeFunctionData("settle", [legs[0]!.struct])
          : escrow.encodeFunctionData("settleBatch", [legs.map((l) => l.struct)]);
      done = await send(w, action.caller, w.address.escrow, data, 0n);
      break;
    }
    case "abort": {
      const leg = pickLeg(w, action.leg);
      const caller = resolveCaller(action.caller, partyName(w, leg.terms.escrower));
      const redeemer = partyName(w, leg.terms.redeemer);
      // A contract redeemer cannot sign: its operator's key stands in (and is rightly refused).
      const signer: Eoa = action.signer !== "redeemer" ? action.signer : redeemer === "rejecting" ? "relayer" : redeemer;
      const typed = abortTypedData(leg.struct, { chainId: w.chainId, escrow: w.address.escrow });
      const signature = await signerOf(w, signer).signTypedData(typed.domain, typed.types, typed.message);
      outcome = w.model.abort(leg.terms, w.address[caller], w.address[signer], at);
      done = await send(w, caller, w.address.escrow, escrow.encodeFunctionData("abort", [leg.struct, signature]), 0n);
      break;
    }
    case "withdraw": {
      let caller = action.caller;
      let asset = action.asset;
      const credits = w.model.allCredits();
      if (action.ofCredit !== null && credits.length > 0) {
        const c = credits[action.ofCredit % credits.length]!;
        caller = actorOf(w, c.account);
        asset = assetOf(w, c.token);
      }
      const to = action.to === "self" ? w.address[caller] : action.to === "zero" ? ethers.ZeroAddress : w.address[action.to];
      const amount = w.model.creditOf(w.address[caller], w.token[asset]);
      withdrawal = [w.address[caller], w.token[asset], to, amount].map(norm).join(" ");
      outcome = w.model.withdraw(w.address[caller], w.token[asset], to);
      done = await send(w, caller, w.address.escrow, escrow.encodeFunctionData("withdraw", [w.token[asset], to]), 0n);
      break;
    }
    case "blacklist": {
      const data = w.f.blacklistToken.interface.encodeFunctionData("setBlacklisted", [w.address[action.account], action.value]);
      done = await send(w, "relayer", w.token.blk, data, 0n);
      expect(done.revertData, `${what}: setBlacklisted`).to.equal(null);
      w.model.setBlacklisted(w.address[action.account], action.value);
      await checkState(w, what, [], done);
      return;
    }
    case "time": {
      const j = action.jump;
      const target = j.kind === "deadline" ? pickLeg(w, j.leg).terms[j.which] + BigInt(j.offset) : w.clock.next + BigInt(j.seconds);
      if (target > w.clock.last) w.clock.next = target;
      return; // nothing happens on chain until the next transaction
    }
  }
  await checkState(w, what, checkOutcome(w, what, outcome, done, withdrawal), done);
}

// ---------------------------------------------------------------------------------------- setup

async function setUp(specs: readonly LegSpec[]): Promise<World> {
  const f = await loadFixture(deployFixture);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const address = {
    alice: f.alice.address,
    bob: f.bob.address,
    carol: f.carol.address,
    relayer: f.relayer.address,
    stranger: f.others[0]!.address,
    rejecting: await f.rejecting.getAddress(),
    escrow: f.escrowAddress,
  };
  const token = {
    native: NATIVE,
    apr: await f.apr.getAddress(),
    ban: await f.ban.getAddress(),
    blk: await f.blacklistToken.getAddress(),
  };
  const t0 = (await now()) + 1n;
  const pool: PoolLeg[] = [];
  for (const s of specs) {
    const escrowDeadline = t0 + BigInt(s.premiumOffset) + BigInt(s.escrowGap);
    const timeout = escrowDeadline + BigInt(s.timeoutGap);
    const premiumDeadline = s.premium || s.plainFlaw === "premiumDeadline" ? t0 + BigInt(s.premiumOffset) : 0n;
    const mode = s.premium ? s.premium.mode : s.plainFlaw === "option" ? PremiumMode.Option : PremiumMode.Hedge;
    const premiumToken = s.premium ? token[s.premium.asset] : s.plainFlaw === "premiumToken" ? token.apr : NATIVE;
    const struct = toLegStruct({
      escrower: address[s.escrower],
      redeemer: address[s.redeemer],
      hashlock: hashlockOf(SECRETS[s.secret]!),
      token: token[s.asset],
      amount: s.amount,
      premiumToken,
      premiumAmount: s.premium ? s.premium.amount : 0n,
      timelocks: { premiumDeadline, escrowDeadline, timeout, mode },
    });
    // The id as the contract computes it (how it is derived is not this test's subject).
    const id = norm(await f.escrow.hashLeg(struct));
    const terms: ModelLeg = { ...struct, id, premiumDeadline, escrowDeadline, timeout, mode };
    pool.push({ struct, terms, secret: SECRETS[s.secret]! });
  }
  const model = new LegModel({
    escrow: f.escrowAddress,
    blacklistToken: token.blk,
    rejectsNative: (a) => a.toLowerCase() === address.rejecting.toLowerCase(),
  });
  const w: World = {
    f,
    model,
    pool,
    byId: new Map(pool.map((l) => [norm(l.terms.id), l.terms])),
    address,
    token,
    chainId,
    clock: { last: t0 - 1n, next: t0 },
    balances: new Map(),
    chainStates: new Map(),
  };
  w.balances = await readBalances(w);
  return w;
}

// ---------------------------------------------------------------------------------------- the test

describe("HedgeSwapEscrow against the leg model (fast-check)", function () {
  this.timeout(Math.max(600_000, RUNS * 3_000));

  it(`agrees with the model on outcomes, errors, balances, events, legState and credits, and keeps invariants (1)-(4) over ${RUNS} random runs`, async function () {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ legs, actions }) => {
        const w = await setUp(legs);
        for (const action of actions) await runAction(w, action);
      }),
      { numRuns: RUNS, seed: SEED, path: PATH },
    );
  });
});
