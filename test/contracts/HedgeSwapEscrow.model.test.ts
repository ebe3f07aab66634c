/**
 * Property-based model test of HedgeSwapEscrow: random pools of legs and random sequences of calls,
 * each checked against the reference model in `test/model/legModel.ts` (PROTOCOLS.md §2).
 *
 * Every run starts from a fresh `loadFixture(deployFixture)` snapshot, builds 4-6 legs with random
 * terms (parties alice, bob, carol and the `rejecting` contract, which refuses the native coin; assets
 * native, APR, BAN and the blacklisting token; premiums of 0 (half of the legs), hedge or option;
 * deadlines after the start time; now and then a non-canonical plain leg; plain legs often paying
 * the redeemer of the plain leg before them) and runs 5-25 random actions: depositPremium,
 * escrow (sometimes with the wrong msg.value), redeem / redeemBatch of 1-3 legs (right or wrong
 * secret), settle / settleBatch, abort (signed with signTypedData by the redeemer or by a wrong key),
 * withdraw of credits, blacklist toggles and time jumps (small, large, and onto a deadline or one
 * second either side of it), by random callers including non-parties and the relayer.
 *
 * The plain-HTLC shortcuts act on the plain legs of the pool (now and then on a premium leg, whose
 * plain twin they then name): lock / lockToken (by the escrower or another account, which so locks a
 * leg of its own; sometimes with the amount one higher, another leg too), claim / claimToken /
 * claimBatch of 1-3 legs (by the redeemer or another account, right or wrong secret; half of the
 * time of legs that are escrowed and not timed out) and refund / refundToken (by the escrower or
 * another account; half of the time of an escrowed leg, once its timeout has passed); now and then
 * through the other family of functions (claimToken / refundToken / lockToken of address(0) for a
 * native leg, the native function for a token leg). The model names the leg from the call's
 * arguments and its caller, as the contract does, so a wrong caller, secret or amount names another
 * leg with its own id (from `legId` of src/sdk/leg.ts, checked against `hashLeg` for the pool); a leg
 * that a shortcut created joins the pool, so every function can finish it. Shortcuts and general
 * functions mix freely on one leg (lock then redeem, settle or abort; escrow then claim or refund).
 * An action that needs an escrowed plain leg where there is none locks one first (a claimBatch of
 * one redeemer's legs locks one per leg it wants), each lock a checked step of its own.
 *
 * Besides the blind actions, "advance" actions take a leg's next step as the model sees it (so legs
 * do get redeemed, settled and aborted; for a plain leg half of the time through the shortcuts),
 * "advanceBatch" batches legs that are ready together (or claims 1-3 ready plain legs of one
 * redeemer with claimBatch), and "atDeadline" takes a leg's step exactly at, or one second either
 * side of, the deadline that bounds it.
 *
 * For every step (one transaction) it checks that:
 * - the call succeeds exactly when the model says so, and a revert carries the model's custom error
 *   (name and arguments, decoded with the escrow's interface, or the token's for a token's own error);
 * - every balance of every account in every asset moves exactly as the model says (the gas of every
 *   transaction, reverted ones included, is charged to its sender), and the leg events (in order,
 *   with every argument: LegPremiumDeposited, NativeLegLocked / LegLocked for a new plain leg,
 *   LegEscrowed, LegRedeemed with its secret, LegRefunded, LegPremiumRefunded, LegAborted),
 *   PayoutCredited and CreditWithdrawn events are the model's, and so are the ERC-20 Transfer events
 *   (one per movement: merged payouts are one transfer, so claimBatch makes one per token);
 * and after every step the invariants:
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
import { abortTypedData, hashlockOf, legId, toLegStruct, type LegStruct } from "../../src/sdk/leg";
import {
  FINISHING_EVENTS,
  LegModel,
  LegState,
  NATIVE,
  PremiumMode,
  type LegEvent,
  type LegEventName,
  type ModelLeg,
  type Outcome,
  type Payout,
  type PlainClaim,
  type PlainTerms,
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
/** The accounts that hold every token and have approved the escrow (the others hold native coin only). */
const FUNDED: readonly Actor[] = ["alice", "bob", "carol"];
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
  /** A plain leg pays the redeemer of the plain leg before it (if that is not its escrower), for claimBatch. */
  sameRedeemer: boolean;
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
      { freq: 2 },
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
    sameRedeemer: fc.boolean(),
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

/**
 * The fields of a plain-HTLC shortcut: `leg` is an index into the pool's plain legs (into the whole
 * pool with `anyLeg`); `wrongFn` calls the other family of functions (the token function with
 * address(0) for a native leg, the native function for a token leg).
 */
interface ShortcutFields {
  anyLeg: boolean;
  wrongFn: boolean;
}

type Action =
  /**
   * The leg's next step (as its state and the time call for), by the right party; for a plain leg
   * with `shortcut`, lock, claim (`nativeViaToken`: claimToken of address(0) for a native leg) or
   * refund: see {@link advance}.
   */
  | {
      kind: "advance";
      leg: number;
      caller: Actor;
      abort: boolean;
      ignoreTime: boolean;
      lockstep: boolean;
      shortcut: boolean;
      nativeViaToken: boolean;
    }
  /**
   * A redeemBatch or settleBatch of 2-3 legs that are ready for it, or with `shortcut` a claimBatch of
   * 1-3 ready plain legs of one redeemer: see {@link advanceBatch}.
   */
  | { kind: "advanceBatch"; settle: boolean; order: number[]; caller: Actor; shortcut: boolean }
  /** A leg's next step right at its deadline, or one second before or after: see {@link atDeadline}. */
  | { kind: "atDeadline"; leg: number; offset: -1 | 0 | 1; settle: boolean; caller: Actor; shortcut: boolean }
  /** lock / lockToken, the caller becoming the escrower; `wrongAmount`: one more than the leg's. */
  | ({ kind: "lock"; leg: number; caller: CallerPick; wrongAmount: boolean } & ShortcutFields)
  /**
   * claim / claimToken (or claimBatch, always for 2-3 legs); the caller is taken as the redeemer. With
   * `ready`, of escrowed plain legs not timed out (if any): see {@link readyClaim}.
   */
  | ({ kind: "claim"; legs: number[]; rightSecret: boolean[]; batch: boolean; caller: CallerPick; ready: boolean } & ShortcutFields)
  /**
   * refund / refundToken; the caller is taken as the escrower. With `wait`, of an escrowed plain leg
   * (if any), once its timeout has passed: see {@link refundAfterTimeout}.
   */
  | ({ kind: "refund"; leg: number; caller: CallerPick; wait: boolean } & ShortcutFields)
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

/** True one time in eight. */
const rarelyArb = fc.integer({ min: 0, max: 7 }).map((n) => n === 0);
const wrongValueArb = rarelyArb;
const shortcutFieldsArb = { anyLeg: rarelyArb, wrongFn: rarelyArb };

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
      shortcut: fc.boolean(),
      nativeViaToken: rarelyArb,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("advanceBatch" as const),
      settle: fc.boolean(),
      order: fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 3 }),
      caller: actorArb,
      shortcut: fc.boolean(),
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
      shortcut: fc.boolean(),
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
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("lock" as const),
      leg: legIndexArb,
      caller: callerPickArb,
      wrongAmount: rarelyArb,
      ...shortcutFieldsArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      legs: fc.array(legIndexArb, { minLength: 1, maxLength: 3 }),
      rightSecret: fc.array(fc.integer({ min: 0, max: 5 }).map((n) => n !== 0), { minLength: 3, maxLength: 3 }),
      batch: fc.boolean(),
      caller: callerPickArb,
      ready: fc.boolean(),
      ...shortcutFieldsArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      leg: legIndexArb,
      caller: callerPickArb,
      wait: fc.boolean(),
      ...shortcutFieldsArb,
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

/** Applies {@link LegSpec.sameRedeemer}. */
function shareRedeemers(specs: LegSpec[]): LegSpec[] {
  let previous: LegSpec | undefined;
  return specs.map((s) => {
    if (s.premium !== null) return s;
    const out = s.sameRedeemer && previous && previous.redeemer !== s.escrower ? { ...s, redeemer: previous.redeemer } : s;
    previous = out;
    return out;
  });
}

const scenarioArb = fc.record({
  legs: fc.array(legSpecArb, { minLength: 4, maxLength: 6 }).map(shareRedeemers),
  actions: fc.array(actionArb, { minLength: 5, maxLength: 25, size: "max" }),
});

// ---------------------------------------------------------------------------------------- the world

/** A leg of the pool: generated at the start, or created later by a shortcut (lock with other terms). */
interface PoolLeg {
  struct: LegStruct;
  terms: ModelLeg;
  secret: string;
}

/** One run: the deployed contracts, the model, the legs and everything the checks remember. */
interface World {
  f: Fixture;
  model: LegModel;
  /** The legs actions pick from (by index modulo its length); grows when a shortcut creates a leg. */
  pool: PoolLeg[];
  /** Every leg the pool holds or a lock named, by id: whose legState is checked. */
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

/** Every balance, by `${account}/${asset}` (the reads are sent together). */
async function readBalances(w: World): Promise<Map<string, bigint>> {
  const reads = ACCOUNTS.flatMap((account) => {
    const at = w.address[account];
    return [
      [`${account}/native`, ethers.provider.getBalance(at)],
      [`${account}/apr`, w.f.apr.balanceOf(at)],
      [`${account}/ban`, w.f.ban.balanceOf(at)],
      [`${account}/blk`, w.f.blacklistToken.balanceOf(at)],
    ] as const;
  });
  const values = await Promise.all(reads.map(([, read]) => read));
  return new Map(reads.map(([k], i) => [k, values[i]!]));
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

/** The escrow's events that create, move on or finish a leg. */
const LEG_EVENTS: readonly string[] = ["LegPremiumDeposited", "NativeLegLocked", "LegLocked", "LegEscrowed", ...FINISHING_EVENTS];

/** An event as one comparable string: its name and every argument. */
const eventKey = (name: string, args: readonly unknown[]) => `${name}(${args.map(norm).join(", ")})`;

/** The events the escrow emitted in a receipt that the checks compare. */
function escrowEvents(w: World, receipt: TransactionReceipt) {
  const legEvents: string[] = [];
  const finishing: { name: LegEventName; legId: string }[] = [];
  const credited: string[] = [];
  const withdrawn: string[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== w.address.escrow.toLowerCase()) continue;
    const parsed = w.f.escrow.interface.parseLog(log);
    if (!parsed) continue;
    if (parsed.name === "PayoutCredited") credited.push([...parsed.args].map(norm).join(" "));
    else if (parsed.name === "CreditWithdrawn") withdrawn.push([...parsed.args].map(norm).join(" "));
    else if (LEG_EVENTS.includes(parsed.name)) {
      legEvents.push(eventKey(parsed.name, [...parsed.args]));
      if (FINISHING_EVENTS.includes(parsed.name as LegEventName)) {
        finishing.push({ name: parsed.name as LegEventName, legId: norm(parsed.args[0]) });
      }
    }
  }
  return { legEvents, finishing, credited: credited.sort(), withdrawn };
}

/**
 * The event the contract emits for a step of the model: a new premium leg carries every parameter;
 * a new plain leg (the model's `LegEscrowed` of a leg without premium) is NativeLegLocked or LegLocked
 * with every parameter; the escrow of a premium leg and the finishing steps carry the id (and a
 * redeem its secret).
 */
function chainEvent(w: World, e: LegEvent): string {
  const leg = w.byId.get(norm(e.legId));
  if (!leg) throw new Error(`${e.name} of a leg the test does not know: ${e.legId}`);
  const parties = [leg.hashlock, leg.escrower, leg.redeemer];
  switch (e.name) {
    case "LegPremiumDeposited":
      return eventKey(e.name, [...parties, leg.token, leg.amount, leg.timelocks, leg.premiumToken, leg.premiumAmount]);
    case "LegEscrowed":
      if (leg.premiumAmount > 0n) return eventKey(e.name, [e.legId]);
      return leg.token === NATIVE
        ? eventKey("NativeLegLocked", [...parties, leg.amount, leg.timelocks])
        : eventKey("LegLocked", [...parties, leg.token, leg.amount, leg.timelocks]);
    case "LegRedeemed":
      return eventKey(e.name, [e.legId, e.secret]);
    default:
      return eventKey(e.name, [e.legId]);
  }
}

/**
 * The Transfer events of the test's tokens in a receipt, as `token from to amount`, sorted: one per
 * token movement, so merged payouts show as one transfer (claimBatch: one per token).
 */
function tokenTransfers(w: World, receipt: TransactionReceipt): string[] {
  const tokens = [w.token.apr, w.token.ban, w.token.blk].map(norm);
  const out: string[] = [];
  for (const log of receipt.logs) {
    if (!tokens.includes(norm(log.address))) continue;
    const parsed = w.f.apr.interface.parseLog(log);
    if (parsed?.name === "Transfer") out.push([log.address, ...parsed.args].map(norm).join(" "));
  }
  return out.sort();
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

  const events = escrowEvents(w, done.receipt);
  expect(events.legEvents, `${what}: leg events`).to.deep.equal(outcome.legEvents.map((e) => chainEvent(w, e)));
  expect(events.credited, `${what}: PayoutCredited events`).to.deep.equal(outcome.credited.map(payoutKey).sort());
  expect(events.withdrawn, `${what}: CreditWithdrawn events`).to.deep.equal(withdrawal ? [withdrawal] : []);
  const tokenMoves = outcome.moves.filter((m) => m.token !== NATIVE).map((m) => [m.token, m.from, m.to, m.amount].map(norm).join(" "));
  expect(tokenTransfers(w, done.receipt), `${what}: ERC-20 Transfer events`).to.deep.equal(tokenMoves.sort());
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
  const ids = [...w.byId.keys()];
  const states = await Promise.all(ids.map((id) => w.f.escrow.legState(id)));
  ids.forEach((id, i) => {
    const state = Number(states[i]) as LegState;
    expect(state, `${what}: (4) legState(${id})`).to.equal(w.model.stateOf(id));
    w.chainStates.set(id, state);
    if (before.get(id) === LegState.Aborted) expect(state, `${what}: (2) an aborted leg came back`).to.equal(LegState.Aborted);
  });
  const pairs = ACTORS.flatMap((actor) => ASSETS.map((asset) => [actor, asset] as const));
  const credits = await Promise.all(pairs.map(([actor, asset]) => w.f.escrow.credits(w.address[actor], w.token[asset])));
  pairs.forEach(([actor, asset], i) => {
    expect(credits[i], `${what}: (4) credits(${actor}, ${asset})`).to.equal(w.model.creditOf(w.address[actor], w.token[asset]));
  });

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

/** The leg a shortcut acts on: the `index`-th plain leg of the pool (any leg with `anyLeg`, or when none is plain). */
function pickShortcutLeg(w: World, index: number, anyLeg: boolean): PoolLeg {
  const plain = w.pool.filter((l) => l.terms.premiumAmount === 0n);
  return anyLeg || plain.length === 0 ? pickLeg(w, index) : plain[index % plain.length]!;
}

function resolveCaller(pick: CallerPick, party: Actor): Actor {
  return pick === "party" ? party : pick;
}

/** The deadline of the step that creates a leg. */
function creationDeadline(l: ModelLeg): bigint {
  return l.premiumAmount > 0n ? l.premiumDeadline : l.escrowDeadline;
}

/** A ModelLeg's parameters as the contract takes them. */
function structOf(l: ModelLeg): LegStruct {
  const { escrower, redeemer, hashlock, token, amount, timelocks, premiumToken, premiumAmount } = l;
  return { escrower, redeemer, hashlock, token, amount, timelocks, premiumToken, premiumAmount };
}

/**
 * The asset a shortcut names for `leg` and whether it calls the token function (lockToken, claimToken,
 * refundToken): the leg's own family, or with `wrongFn` the other one (the token function with
 * address(0) for a native leg; the native function, so a native leg of the same amount, for a token leg).
 */
function shortcutAsset(leg: ModelLeg, wrongFn: boolean): { token: string; tokenFn: boolean } {
  const native = leg.token === NATIVE;
  return { token: native || wrongFn ? NATIVE : leg.token, tokenFn: native === wrongFn };
}

/**
 * The step that moves a leg on, as its (model) state and the time call for: deposit the premium or
 * escrow, then redeem with the right secret (or abort, signed by the redeemer) by the timeout, or
 * settle after the deadline (with `ignoreTime`, the step before the deadline even when it has
 * passed). A leg that can do nothing more passes the turn to the next live one; with none left, a
 * credit is withdrawn to the stranger. Party-only steps are sent by the party; redeem and settle by
 * `caller`. With `shortcut`, a plain leg is locked, claimed (by its redeemer) and refunded (by its
 * escrower) through the shortcuts instead.
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
  const shortcut = a.shortcut && leg.premiumAmount === 0n;
  const exact = { anyLeg: true, wrongFn: false }; // the pool leg `index` itself, through its own functions
  const viaToken = { anyLeg: true, wrongFn: a.nativeViaToken && leg.token === NATIVE };
  switch (state) {
    case LegState.None:
      if (leg.premiumAmount > 0n) return { kind: "depositPremium", leg: a.leg, caller: "party", wrongValue: false };
      return shortcut
        ? { kind: "lock", leg: a.leg, caller: "party", wrongAmount: false, ...exact }
        : { kind: "escrow", leg: a.leg, caller: "party", wrongValue: false };
    case LegState.PremiumDeposited:
      if (now > leg.escrowDeadline) return { kind: "settle", legs: [a.leg], batch: false, caller: a.caller };
      return a.abort
        ? { kind: "abort", leg: a.leg, caller: "party", signer: "redeemer" }
        : { kind: "escrow", leg: a.leg, caller: "party", wrongValue: false };
    case LegState.Escrowed:
      if (now > leg.timeout) {
        return shortcut
          ? { kind: "refund", leg: a.leg, caller: "party", wait: false, ...viaToken }
          : { kind: "settle", legs: [a.leg], batch: false, caller: a.caller };
      }
      if (a.abort) return { kind: "abort", leg: a.leg, caller: "party", signer: "redeemer" };
      return shortcut
        ? { kind: "claim", legs: [a.leg], rightSecret: [true], batch: false, caller: "party", ready: false, ...viaToken }
        : { kind: "redeem", legs: [a.leg], rightSecret: [true], batch: false, caller: a.caller };
    case LegState.Aborted:
      return { kind: "settle", legs: [a.leg], batch: false, caller: a.caller };
  }
}

/**
 * A batch of 2-3 legs that are ready for it now (escrowed and not timed out for a redeem, with the
 * right secrets; past their deadline for a settlement), `order` choosing which; while fewer than two
 * are ready, a lockstep {@link advance} instead. (With `shortcut`, a redeem is a claimBatch and the
 * locks that prepare it, see {@link claimBatchStep} and {@link runAction}; when no plain leg is ready
 * or can be locked, it comes here.)
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
    return advance(w, {
      kind: "advance",
      leg: a.order[0]!,
      caller: a.caller,
      abort: false,
      ignoreTime: false,
      lockstep: true,
      shortcut: a.shortcut,
      nativeViaToken: false,
    });
  }
  const legs = [...new Set([...a.order, a.order[0]! + 1].map((k) => ready[k % ready.length]!))].slice(0, Math.max(2, a.order.length));
  return a.settle
    ? { kind: "settle", legs, batch: true, caller: a.caller }
    : { kind: "redeem", legs, rightSecret: legs.map(() => true), batch: true, caller: a.caller };
}

/** Whether a plain leg can be locked now: canonical, not created, and its escrow deadline not passed. */
function lockable(w: World, l: ModelLeg): boolean {
  const canonical = l.premiumAmount === 0n && l.premiumDeadline === 0n && l.premiumToken === NATIVE && l.mode === PremiumMode.Hedge;
  return canonical && w.model.stateOf(l.id) === LegState.None && w.clock.next <= l.escrowDeadline;
}

/**
 * The next step of an {@link advanceBatch} with `shortcut` (a redeem): a claimBatch of 1-3 (as many as
 * `order` has) ready plain legs of one redeemer (`order[0]` choosing whose, among the redeemers of
 * plain legs that are ready or can still be locked), sent by that redeemer; while it has fewer ready
 * legs than that, the lock of one more: another canonical plain leg of the pool for that redeemer, by
 * its escrower, or else a new leg of the same terms by another account (which joins the pool).
 * Undefined when no plain leg is ready or can be locked.
 */
function claimBatchStep(w: World, order: readonly number[]): Step | undefined {
  const now = w.clock.next;
  const plain = w.pool
    .map((l, i) => ({ l: l.terms, i }))
    .filter(({ l }, k, all) => l.premiumAmount === 0n && all.findIndex((o) => o.l.id === l.id) === k);
  const isReady = (l: ModelLeg) => w.model.stateOf(l.id) === LegState.Escrowed && now <= l.timeout;
  const isLockable = (l: ModelLeg) => lockable(w, l);
  const candidates = plain.filter(({ l }) => isReady(l) || isLockable(l));
  if (candidates.length === 0) return undefined;
  const redeemers = [...new Set(candidates.map(({ l }) => norm(l.redeemer)))];
  const redeemer = redeemers[order[0]! % redeemers.length]!;
  const theirs = candidates.filter(({ l }) => norm(l.redeemer) === redeemer);
  const mine = theirs.filter(({ l }) => isReady(l)).map(({ i }) => i);
  if (mine.length < order.length) {
    const toLock = theirs.filter(({ l }) => isLockable(l));
    if (toLock.length > 0) {
      const { i } = toLock[(order[1] ?? 0) % toLock.length]!;
      return { kind: "lock", leg: i, caller: "party", wrongAmount: false, anyLeg: true, wrongFn: false };
    }
    const source = pickLeg(w, mine[0]!).terms;
    const lockers = (source.token === NATIVE ? ACTORS : FUNDED).filter((x) => {
      if ([source.escrower, source.redeemer].some((p) => norm(p) === norm(w.address[x]))) return false;
      return w.model.stateOf(w.model.plainLeg(w.address[x], source).id) === LegState.None;
    });
    if (lockers.length > 0 && now <= source.escrowDeadline) {
      const caller = lockers[(order[1] ?? 0) % lockers.length]!;
      return { kind: "lock", leg: mine[0]!, caller, wrongAmount: false, anyLeg: true, wrongFn: false };
    }
  }
  const legs = mine.map((_, k) => mine[(order[0]! + k) % mine.length]!).slice(0, order.length);
  return { kind: "claim", legs, rightSecret: legs.map(() => true), batch: true, caller: "party", ready: false, anyLeg: true, wrongFn: false };
}

/**
 * Moves the clock to `offset` seconds from the deadline that matters for the next live leg's state
 * (its creation deadline; the escrow deadline once the premium is in; the timeout once escrowed) and
 * takes the step that deadline bounds there: the step due by it, or with `settle` the settlement due
 * after it (with `shortcut`, through lock, claim and refund for a plain leg). A deadline already
 * behind the clock is not moved to.
 */
function atDeadline(w: World, a: Extract<Action, { kind: "atDeadline" }>): Step {
  const step = advance(w, {
    kind: "advance",
    leg: a.leg,
    caller: a.caller,
    abort: false,
    ignoreTime: true,
    lockstep: false,
    shortcut: a.shortcut,
    nativeViaToken: false,
  });
  if (step.kind === "withdraw" || step.kind === "blacklist" || step.kind === "time") return step;
  const index = step.kind === "redeem" || step.kind === "settle" || step.kind === "claim" ? step.legs[0]! : step.leg;
  const leg = pickLeg(w, index).terms;
  const state = w.model.stateOf(leg.id);
  const deadline =
    state === LegState.None ? creationDeadline(leg) : state === LegState.PremiumDeposited ? leg.escrowDeadline : leg.timeout;
  const target = deadline + BigInt(a.offset);
  if (target > w.clock.last) w.clock.next = target;
  if (!a.settle || state === LegState.None) return step;
  return a.shortcut && state === LegState.Escrowed && leg.premiumAmount === 0n
    ? { kind: "refund", leg: index, caller: "party", wait: false, anyLeg: true, wrongFn: false }
    : { kind: "settle", legs: [index], batch: false, caller: a.caller };
}

/** The escrowed plain legs of the pool, with their indices. */
function escrowedPlain(w: World): { l: ModelLeg; i: number }[] {
  return w.pool
    .map((l, i) => ({ l: l.terms, i }))
    .filter(({ l }) => l.premiumAmount === 0n && w.model.stateOf(l.id) === LegState.Escrowed);
}

/**
 * A refund that waits for its leg's timeout: of the `leg`-th escrowed plain leg, with the clock moved
 * to one second after its timeout unless it is already later. With no escrowed plain leg, the refund
 * as generated. ({@link runAction} first locks a plain leg when none is escrowed.)
 */
function refundAfterTimeout(w: World, a: Extract<Action, { kind: "refund" }>): Step {
  const escrowed = escrowedPlain(w);
  if (escrowed.length === 0) return a;
  const { l, i } = escrowed[a.leg % escrowed.length]!;
  if (l.timeout + 1n > w.clock.next) w.clock.next = l.timeout + 1n;
  return { ...a, leg: i, anyLeg: true };
}

/**
 * A claim of legs that can be claimed: each of its legs is one of the escrowed plain legs whose timeout
 * has not passed (as the generated indices pick; they may belong to different redeemers). With no
 * such leg, the claim as generated. ({@link runAction} first locks a plain leg when none is ready.)
 */
function readyClaim(w: World, a: Extract<Action, { kind: "claim" }>): Step {
  const ready = escrowedPlain(w).filter(({ l }) => w.clock.next <= l.timeout);
  if (ready.length === 0) return a;
  return { ...a, legs: a.legs.map((k) => ready[k % ready.length]!.i), anyLeg: true };
}

/** Locks the `index`-th plain leg of the pool that can be locked now (if any), by its escrower. */
async function lockOne(w: World, index: number): Promise<void> {
  const toLock = w.pool.map((l, i) => ({ l: l.terms, i })).filter(({ l }) => lockable(w, l));
  if (toLock.length === 0) return;
  const { i } = toLock[index % toLock.length]!;
  await runStep(w, { kind: "lock", leg: i, caller: "party", wrongAmount: false, anyLeg: true, wrongFn: false });
}

/**
 * Adds a leg that a lock named to the legs whose state is checked, and once it exists on chain to the
 * pool (with the secret of the pool leg whose hashlock it took), so that every function can finish it.
 */
function register(w: World, named: ModelLeg, secret: string, created: boolean): void {
  if (!w.byId.has(named.id)) w.byId.set(named.id, named);
  if (created && !w.pool.some((l) => l.terms.id === named.id)) w.pool.push({ struct: structOf(named), terms: named, secret });
}

/**
 * Runs one generated action: one step; or for an advanceBatch claiming through the shortcut, the locks
 * that prepare the batch (at most one per leg it wants) and then the claimBatch; or for a refund that
 * waits (a claim of ready legs), when no plain leg is escrowed (ready), the lock of one (by its
 * escrower) and then the refund (claim).
 */
async function runAction(w: World, generated: Action): Promise<void> {
  if (generated.kind === "refund" && generated.wait) {
    if (escrowedPlain(w).length === 0) await lockOne(w, generated.leg);
    await runStep(w, refundAfterTimeout(w, generated));
    return;
  }
  if (generated.kind === "claim" && generated.ready) {
    if (!escrowedPlain(w).some(({ l }) => w.clock.next <= l.timeout)) await lockOne(w, generated.legs[0]!);
    await runStep(w, readyClaim(w, generated));
    return;
  }
  if (generated.kind === "advanceBatch" && generated.shortcut && !generated.settle) {
    let step = claimBatchStep(w, generated.order);
    if (step) {
      for (let k = 0; step && k <= generated.order.length; k++) {
        await runStep(w, step);
        step = step.kind === "claim" ? undefined : claimBatchStep(w, generated.order);
      }
      return;
    }
  }
  await runStep(
    w,
    generated.kind === "advance"
      ? advance(w, generated)
      : generated.kind === "advanceBatch"
        ? advanceBatch(w, generated)
        : generated.kind === "atDeadline"
          ? atDeadline(w, generated)
          : generated,
  );
}

/** Runs one step on chain and in the model and checks that they agree. */
async function runStep(w: World, action: Step): Promise<void> {
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
      const caller = resolveCaller(action.caller, actorOf(w, isDeposit ? leg.terms.redeemer : leg.terms.escrower));
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
        secrets,
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
      const caller = resolveCaller(action.caller, actorOf(w, leg.terms.escrower));
      const redeemer = actorOf(w, leg.terms.redeemer);
      // A contract redeemer cannot sign: its operator's key stands in (and is rightly refused).
      const signer: Eoa = action.signer !== "redeemer" ? action.signer : redeemer === "rejecting" ? "relayer" : redeemer;
      const typed = abortTypedData(leg.struct, { chainId: w.chainId, escrow: w.address.escrow });
      const signature = await signerOf(w, signer).signTypedData(typed.domain, typed.types, typed.message);
      outcome = w.model.abort(leg.terms, w.address[caller], w.address[signer], at);
      done = await send(w, caller, w.address.escrow, escrow.encodeFunctionData("abort", [leg.struct, signature]), 0n);
      break;
    }
    case "lock": {
      const leg = pickShortcutLeg(w, action.leg, action.anyLeg);
      const { token, tokenFn } = shortcutAsset(leg.terms, action.wrongFn);
      let caller = resolveCaller(action.caller, actorOf(w, leg.terms.escrower));
      // Only alice, bob and carol hold tokens: another account locks a token leg as the leg's escrower
      // (always one of them).
      if (token !== NATIVE && !FUNDED.includes(caller)) caller = actorOf(w, leg.terms.escrower);
      const amount = leg.terms.amount + (action.wrongAmount ? 1n : 0n);
      const value = tokenFn ? 0n : amount;
      const t: PlainTerms = { redeemer: leg.terms.redeemer, hashlock: leg.terms.hashlock, token, amount, timelocks: leg.terms.timelocks };
      const named = w.model.plainLeg(w.address[caller], t);
      register(w, named, leg.secret, false);
      outcome = w.model.lock(w.address[caller], t, value, at);
      const data = tokenFn
        ? escrow.encodeFunctionData("lockToken", [t.redeemer, t.hashlock, token, amount, t.timelocks])
        : escrow.encodeFunctionData("lock", [t.redeemer, t.hashlock, t.timelocks]);
      done = await send(w, caller, w.address.escrow, data, value);
      if (outcome.ok) register(w, named, leg.secret, true);
      if (outcome.ok && caller === "rejecting") {
        adjust(w, "relayer", "native", -value); // the operator sends the value along
        adjust(w, "rejecting", "native", value);
      }
      break;
    }
    case "claim": {
      const legs = action.legs.map((i) => pickShortcutLeg(w, i, action.anyLeg));
      const caller = resolveCaller(action.caller, actorOf(w, legs[0]!.terms.redeemer));
      const claims: PlainClaim[] = legs.map((l, i) => ({
        escrower: l.terms.escrower,
        token: shortcutAsset(l.terms, action.wrongFn).token,
        amount: l.terms.amount,
        timelocks: l.terms.timelocks,
        secret: action.rightSecret[i] ? l.secret : WRONG_SECRET,
      }));
      outcome = w.model.claim(w.address[caller], claims, at);
      const c = claims[0]!;
      const data =
        action.batch || claims.length > 1
          ? escrow.encodeFunctionData("claimBatch", [claims])
          : shortcutAsset(legs[0]!.terms, action.wrongFn).tokenFn
            ? escrow.encodeFunctionData("claimToken", [c.escrower, c.token, c.amount, c.timelocks, c.secret])
            : escrow.encodeFunctionData("claim", [c.escrower, c.amount, c.timelocks, c.secret]);
      done = await send(w, caller, w.address.escrow, data, 0n);
      break;
    }
    case "refund": {
      const leg = pickShortcutLeg(w, action.leg, action.anyLeg);
      const { token, tokenFn } = shortcutAsset(leg.terms, action.wrongFn);
      const caller = resolveCaller(action.caller, actorOf(w, leg.terms.escrower));
      const t: PlainTerms = {
        redeemer: leg.terms.redeemer,
        hashlock: leg.terms.hashlock,
        token,
        amount: leg.terms.amount,
        timelocks: leg.terms.timelocks,
      };
      outcome = w.model.refund(w.address[caller], t, at);
      const data = tokenFn
        ? escrow.encodeFunctionData("refundToken", [t.redeemer, t.hashlock, token, t.amount, t.timelocks])
        : escrow.encodeFunctionData("refund", [t.redeemer, t.hashlock, t.amount, t.timelocks]);
      done = await send(w, caller, w.address.escrow, data, 0n);
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
      done = await send(w, caller, w.address.escrow, escrow.encodeFunctionData("withdraw(address,address)", [w.token[asset], to]), 0n);
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
  const location = { chainId, escrow: f.escrowAddress };
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
    // The id as the contract computes it; the model names the legs of the shortcuts with the SDK's
    // legId, which must agree.
    const id = norm(await f.escrow.hashLeg(struct));
    expect(legId(struct, location), "legId(leg) of the SDK and hashLeg(leg)").to.equal(id);
    const terms: ModelLeg = { ...struct, id, premiumDeadline, escrowDeadline, timeout, mode };
    pool.push({ struct, terms, secret: SECRETS[s.secret]! });
  }
  const model = new LegModel({
    escrow: f.escrowAddress,
    blacklistToken: token.blk,
    rejectsNative: (a) => a.toLowerCase() === address.rejecting.toLowerCase(),
    legId: (leg) => legId(leg, location),
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
