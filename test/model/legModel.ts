/**
 * A reference model of the legs of one HedgeSwapEscrow (PROTOCOLS.md §2) as the contract implements
 * them, for the property-based test `test/contracts/HedgeSwapEscrow.model.test.ts`.
 *
 * The model is plain TypeScript with no chain access. It keeps each leg's stored state, the credits of
 * failed payouts and which accounts the blacklisting token refuses, and for every step it answers:
 * does the call succeed, and if it does, which assets move, which payouts are credited instead, and
 * which leg events are emitted; if it does not, which custom error (name and arguments) it reverts
 * with. The rules and the order of the checks mirror `contracts/HedgeSwapEscrow.sol`:
 *
 * - depositPremium: caller is the redeemer; premium > 0; the new leg is valid (ordered deadlines,
 *   `now <= premiumDeadline`, timeout within the horizon, amount > 0, distinct valid parties); state
 *   None; then the premium is pulled in. State -> PremiumDeposited.
 * - escrow: caller is the escrower. A plain leg (premium 0) must be canonical (premium token,
 *   premiumDeadline and mode bit zero), valid as a new leg by `escrowDeadline`, and in state None.
 *   A premium leg needs PremiumDeposited and `now <= escrowDeadline`. Then the principal is pulled
 *   in (native: `msg.value` exactly; token: `transferFrom`, which a blacklisted payer fails).
 *   State -> Escrowed.
 * - redeem (anyone): Escrowed; `now <= timeout`; sha256(secret) == hashlock. The principal goes to
 *   the redeemer; the premium to the redeemer (hedge) or the escrower (option). The leg word is
 *   deleted (state None).
 * - the plain-HTLC shortcuts name a plain leg (premium 0, premium token address(0)) from their
 *   arguments and the caller, so a wrong caller, secret or term names another leg (whose id the
 *   environment computes, {@link plainLeg}); on that leg they apply the general rules:
 *   lock / lockToken = escrow of the leg with the caller as escrower (lock: amount = `msg.value`);
 *   claim / claimToken / claimBatch = redeem of the legs with the caller as redeemer and
 *   sha256(secret) as hashlock (so never LegWrongSecret: a wrong secret finds no leg), every payout
 *   to the caller; refund / refundToken = settle of an escrowed leg with the caller as escrower.
 * - settle (anyone): Escrowed and `now > timeout`: principal and premium to the escrower; or
 *   PremiumDeposited and `now > escrowDeadline`: premium back to the redeemer. The word is deleted.
 * - abort: caller is the escrower; PremiumDeposited or Escrowed; `now <= timeout`; the redeemer's
 *   signature. Principal (if escrowed) to the escrower, premium to the redeemer. State -> Aborted
 *   for ever (a tombstone).
 * - batches apply the single-leg rules one leg after the other and revert as a whole; payouts of one
 *   asset to one recipient are merged (which changes no balance, only the number of transfers).
 * - a payout that fails (a contract refusing the native coin, a blacklisted token recipient) is
 *   credited to the recipient, who takes it out with withdraw(token, to).
 *
 * When several checks fail at once, the error is the first one in the order above (the contract's
 * order); that order is part of what the property test compares.
 */
import { NATIVE, hashlockOf, type LegStruct } from "../../src/sdk/leg";
import { PremiumMode } from "../../src/sdk/timelocks";

export { NATIVE, PremiumMode };

/** The stored word of a leg, as `IHedgeSwapEscrow.LegState`. */
export enum LegState {
  None = 0,
  PremiumDeposited = 1,
  Escrowed = 2,
  Aborted = 3,
}

/** `HedgeSwapEscrow.MAX_TIMELOCK_HORIZON`. */
export const MAX_TIMELOCK_HORIZON = 180n * 24n * 3600n;

/** A leg's terms with its id (computed by the caller) and its deadlines unpacked. */
export interface ModelLeg {
  readonly id: string;
  readonly escrower: string;
  readonly redeemer: string;
  readonly hashlock: string;
  readonly token: string;
  readonly amount: bigint;
  readonly premiumToken: string;
  readonly premiumAmount: bigint;
  readonly premiumDeadline: bigint;
  readonly escrowDeadline: bigint;
  readonly timeout: bigint;
  readonly mode: PremiumMode;
  /** The packed timelocks word (only used as an error argument). */
  readonly timelocks: bigint;
}

/** A custom error the call reverts with: its name and its arguments in order. */
export interface ExpectedError {
  readonly name: string;
  readonly args: readonly unknown[];
}

/** An amount of an asset (`NATIVE` or a token address) moving from one account to another. */
export interface Movement {
  readonly token: string;
  readonly from: string;
  readonly to: string;
  readonly amount: bigint;
}

/** A payout owed to `to`: paid out, or credited when the transfer fails. */
export interface Payout {
  readonly token: string;
  readonly to: string;
  readonly amount: bigint;
}

/**
 * The steps that change a leg's state, named after their events. (The contract announces a new plain
 * leg with `LegLocked` / `NativeLegLocked`, which carry no id; the model calls every escrow
 * `LegEscrowed`.)
 */
export type LegEventName =
  | "LegPremiumDeposited"
  | "LegEscrowed"
  | "LegRedeemed"
  | "LegRefunded"
  | "LegPremiumRefunded"
  | "LegAborted";

/** Events that end a leg instance (every one of them pays out). */
export const FINISHING_EVENTS: readonly LegEventName[] = ["LegRedeemed", "LegRefunded", "LegPremiumRefunded", "LegAborted"];

export interface LegEvent {
  readonly name: LegEventName;
  readonly legId: string;
  /** The secret `LegRedeemed` carries. */
  readonly secret?: string;
}

/**
 * The arguments of a plain-HTLC shortcut that, with the caller, name a plain leg: lock and refund
 * take the redeemer and the hashlock (the caller is the escrower); claim takes the escrower and the
 * secret (the caller is the redeemer), see {@link PlainClaim}.
 */
export interface PlainTerms {
  readonly redeemer: string;
  readonly hashlock: string;
  /** `NATIVE` for lock / refund (and for lockToken / refundToken of address(0)). */
  readonly token: string;
  /** For lock: `msg.value`. */
  readonly amount: bigint;
  readonly timelocks: bigint;
}

/** One claim of `claim`, `claimToken` or `claimBatch` (`IHedgeSwapEscrow.PlainClaim`). */
export interface PlainClaim {
  readonly escrower: string;
  readonly token: string;
  readonly amount: bigint;
  readonly timelocks: bigint;
  readonly secret: string;
}

/** What a successful call does. */
export interface Success {
  readonly ok: true;
  /** Every asset movement: pulls into the escrow, payouts out of it, withdrawals. */
  readonly moves: readonly Movement[];
  /** Merged payouts that failed and were credited (one `PayoutCredited` event each). */
  readonly credited: readonly Payout[];
  /** The leg events, in order. */
  readonly legEvents: readonly LegEvent[];
}

export interface Failure {
  readonly ok: false;
  readonly error: ExpectedError;
}

export type Outcome = Success | Failure;

/** What the model must know about the world outside the escrow. */
export interface Environment {
  /** The escrow's address (the holder of every locked asset). */
  readonly escrow: string;
  /** The token that refuses transfers to or from a blacklisted account. */
  readonly blacklistToken: string;
  /** True for a contract account that refuses the native coin. */
  rejectsNative(account: string): boolean;
  /** The id of a leg on this escrow (`legId` of src/sdk/leg.ts, or `hashLeg`). */
  legId(leg: LegStruct): string;
}

/** Thrown inside a step to revert it; caught by {@link LegModel} which rolls the step back. */
class Revert extends Error {
  constructor(readonly expected: ExpectedError) {
    super(expected.name);
  }
}

function revert(name: string, ...args: unknown[]): never {
  throw new Revert({ name, args });
}

const key = (...parts: string[]): string => parts.map((p) => p.toLowerCase()).join("|");
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The effects one step collects before it commits. */
class Effects {
  readonly moves: Movement[] = [];
  readonly payouts: Payout[] = [];
  readonly legEvents: LegEvent[] = [];

  /** Adds a payout, merging it with an earlier one of the same asset to the same recipient. */
  owe(token: string, to: string, amount: bigint): void {
    if (amount === 0n) return;
    const i = this.payouts.findIndex((p) => same(p.token, token) && same(p.to, to));
    if (i < 0) this.payouts.push({ token, to, amount });
    else this.payouts[i] = { token, to, amount: this.payouts[i]!.amount + amount };
  }
}

/** The model of one escrow. Every step either commits all its effects or none. */
export class LegModel {
  private states = new Map<string, LegState>();
  private creditMap = new Map<string, bigint>();
  private readonly blacklisted = new Set<string>();
  /** The terms of every leg a step was asked to create, by id. */
  readonly legs = new Map<string, ModelLeg>();

  constructor(private readonly env: Environment) {}

  // ------------------------------------------------------------------ queries

  stateOf(legId: string): LegState {
    return this.states.get(legId) ?? LegState.None;
  }

  creditOf(account: string, token: string): bigint {
    return this.creditMap.get(key(account, token)) ?? 0n;
  }

  /** Every non-zero credit. */
  allCredits(): { account: string; token: string; amount: bigint }[] {
    const out: { account: string; token: string; amount: bigint }[] = [];
    for (const [k, amount] of this.creditMap) {
      const [account, token] = k.split("|") as [string, string];
      if (amount > 0n) out.push({ account, token, amount });
    }
    return out;
  }

  isBlacklisted(account: string): boolean {
    return this.blacklisted.has(account.toLowerCase());
  }

  /** What the escrow must hold of `token`: everything locked in live legs plus every credit. */
  holding(token: string): bigint {
    let total = 0n;
    for (const leg of this.legs.values()) {
      const state = this.stateOf(leg.id);
      if (state === LegState.Escrowed && same(leg.token, token)) total += leg.amount;
      if ((state === LegState.Escrowed || state === LegState.PremiumDeposited) && same(leg.premiumToken, token)) {
        total += leg.premiumAmount;
      }
    }
    for (const c of this.allCredits()) if (same(c.token, token)) total += c.amount;
    return total;
  }

  // ------------------------------------------------------------------ outside world

  /** `BlacklistToken.setBlacklisted(account, value)`. */
  setBlacklisted(account: string, value: boolean): void {
    if (value) this.blacklisted.add(account.toLowerCase());
    else this.blacklisted.delete(account.toLowerCase());
  }

  /**
   * The plain leg (premium 0, premium token address(0)) that a shortcut's arguments name, with its id
   * and its timelocks read as the contract reads them (each deadline its 40 bits, the mode bit 120).
   */
  plainLeg(escrower: string, t: PlainTerms): ModelLeg {
    const { redeemer, hashlock, token, amount, timelocks } = t;
    const struct: LegStruct = { escrower, redeemer, hashlock, token, amount, timelocks, premiumToken: NATIVE, premiumAmount: 0n };
    const mask = (1n << 40n) - 1n;
    return {
      ...struct,
      id: this.env.legId(struct).toLowerCase(),
      premiumDeadline: timelocks & mask,
      escrowDeadline: (timelocks >> 40n) & mask,
      timeout: (timelocks >> 80n) & mask,
      mode: (timelocks >> 120n) & 1n ? PremiumMode.Option : PremiumMode.Hedge,
    };
  }

  // ------------------------------------------------------------------ steps

  /** `depositPremium(leg)` sent by `caller` with `value` wei at block time `now`. */
  depositPremium(leg: ModelLeg, caller: string, value: bigint, now: bigint): Outcome {
    this.legs.set(leg.id, leg);
    return this.step((fx) => {
      if (!same(caller, leg.redeemer)) revert("LegCallerNotRedeemer", leg.id, caller, leg.redeemer);
      if (leg.premiumAmount === 0n) revert("LegNoPremium", leg.id);
      this.validateNewLeg(leg, leg.premiumDeadline, now);
      const state = this.stateOf(leg.id);
      if (state !== LegState.None) revert("LegUnexpectedState", leg.id, state);
      this.states.set(leg.id, LegState.PremiumDeposited);
      fx.legEvents.push({ name: "LegPremiumDeposited", legId: leg.id });
      this.pullIn(fx, leg.premiumToken, leg.premiumAmount, caller, value);
    });
  }

  /** `escrow(leg)` sent by `caller` with `value` wei at block time `now`. */
  escrow(leg: ModelLeg, caller: string, value: bigint, now: bigint): Outcome {
    this.legs.set(leg.id, leg);
    return this.step((fx) => {
      if (!same(caller, leg.escrower)) revert("LegCallerNotEscrower", leg.id, caller, leg.escrower);
      if (leg.premiumAmount === 0n) {
        this.checkNewPlainLeg(leg, now);
      } else {
        const state = this.stateOf(leg.id);
        if (state !== LegState.PremiumDeposited) revert("LegUnexpectedState", leg.id, state);
        requireNotPassed(leg.id, leg.escrowDeadline, now);
      }
      this.states.set(leg.id, LegState.Escrowed);
      fx.legEvents.push({ name: "LegEscrowed", legId: leg.id });
      this.pullIn(fx, leg.token, leg.amount, caller, value);
    });
  }

  /**
   * `redeemBatch(legs, secrets)` (or `redeem` for one leg) at block time `now`; `secrets[i]` is the
   * secret presented for `legs[i]`. Any caller.
   */
  redeem(legs: readonly ModelLeg[], secrets: readonly string[], now: bigint): Outcome {
    return this.step((fx) => {
      if (legs.length === 0) revert("BatchEmpty");
      if (secrets.length !== legs.length) revert("BatchLengthMismatch", BigInt(legs.length), BigInt(secrets.length));
      legs.forEach((leg, i) => {
        const state = this.stateOf(leg.id);
        if (state !== LegState.Escrowed) revert("LegUnexpectedState", leg.id, state);
        requireNotPassed(leg.id, leg.timeout, now);
        const secret = secrets[i]!;
        const secretHash = hashlockOf(secret);
        if (!same(secretHash, leg.hashlock)) revert("LegWrongSecret", leg.id, leg.hashlock, secretHash);
        this.states.delete(leg.id);
        fx.legEvents.push({ name: "LegRedeemed", legId: leg.id, secret });
        fx.owe(leg.token, leg.redeemer, leg.amount);
        fx.owe(leg.premiumToken, leg.mode === PremiumMode.Option ? leg.escrower : leg.redeemer, leg.premiumAmount);
      });
      this.payAll(fx);
    });
  }

  /** `settleBatch(legs)` (or `settle` for one leg) at block time `now`. Any caller. */
  settle(legs: readonly ModelLeg[], now: bigint): Outcome {
    return this.step((fx) => {
      if (legs.length === 0) revert("BatchEmpty");
      for (const leg of legs) {
        const state = this.stateOf(leg.id);
        if (state === LegState.Escrowed) {
          requirePassed(leg.id, leg.timeout, now);
          this.states.delete(leg.id);
          fx.legEvents.push({ name: "LegRefunded", legId: leg.id });
          fx.owe(leg.token, leg.escrower, leg.amount);
          fx.owe(leg.premiumToken, leg.escrower, leg.premiumAmount);
        } else if (state === LegState.PremiumDeposited) {
          requirePassed(leg.id, leg.escrowDeadline, now);
          this.states.delete(leg.id);
          fx.legEvents.push({ name: "LegPremiumRefunded", legId: leg.id });
          fx.owe(leg.premiumToken, leg.redeemer, leg.premiumAmount);
        } else {
          revert("LegUnexpectedState", leg.id, state);
        }
      }
      this.payAll(fx);
    });
  }

  /**
   * `abort(leg, signature)` sent by `caller` at block time `now`; `signer` is the account whose key
   * signed the leg's CooperativeAbort digest (a contract redeemer without ERC-1271 can never sign).
   */
  abort(leg: ModelLeg, caller: string, signer: string, now: bigint): Outcome {
    return this.step((fx) => {
      if (!same(caller, leg.escrower)) revert("LegCallerNotEscrower", leg.id, caller, leg.escrower);
      const state = this.stateOf(leg.id);
      if (state !== LegState.Escrowed && state !== LegState.PremiumDeposited) {
        revert("LegUnexpectedState", leg.id, state);
      }
      requireNotPassed(leg.id, leg.timeout, now);
      if (!same(signer, leg.redeemer)) revert("LegInvalidAbortSignature", leg.id, leg.redeemer);
      this.states.set(leg.id, LegState.Aborted);
      fx.legEvents.push({ name: "LegAborted", legId: leg.id });
      if (state === LegState.Escrowed) fx.owe(leg.token, leg.escrower, leg.amount);
      fx.owe(leg.premiumToken, leg.redeemer, leg.premiumAmount);
      this.payAll(fx);
    });
  }

  // ------------------------------------------------------------------ plain-HTLC shortcuts

  /**
   * `lock(redeemer, hashlock, timelocks)` with `value` wei (then `t.amount` is `value`) or
   * `lockToken(redeemer, hashlock, token, amount, timelocks)` (`value` 0), sent by `caller` at block
   * time `now`: the escrow of the plain leg {@link plainLeg}(caller, t), which it creates. (lockToken
   * of address(0) names a native leg and fails to pull the coin in: NativeValueMismatch(amount, 0).)
   */
  lock(caller: string, t: PlainTerms, value: bigint, now: bigint): Outcome {
    const leg = this.plainLeg(caller, t);
    this.legs.set(leg.id, leg);
    return this.step((fx) => {
      this.checkNewPlainLeg(leg, now);
      this.states.set(leg.id, LegState.Escrowed);
      fx.legEvents.push({ name: "LegEscrowed", legId: leg.id });
      this.pullIn(fx, leg.token, leg.amount, caller, value);
    });
  }

  /**
   * `claim(escrower, amount, timelocks, secret)`, `claimToken(escrower, token, amount, timelocks,
   * secret)` or `claimBatch(claims)` sent by `caller` at block time `now`: each claim redeems the plain
   * leg with the caller as redeemer and sha256(secret) as hashlock, which must be Escrowed and not
   * timed out; every principal goes to the caller (merged per asset); all or nothing.
   */
  claim(caller: string, claims: readonly PlainClaim[], now: bigint): Outcome {
    const legs = claims.map((c) =>
      this.plainLeg(c.escrower, { redeemer: caller, hashlock: hashlockOf(c.secret), token: c.token, amount: c.amount, timelocks: c.timelocks }),
    );
    return this.step((fx) => {
      if (legs.length === 0) revert("BatchEmpty");
      legs.forEach((leg, i) => {
        const state = this.stateOf(leg.id);
        if (state !== LegState.Escrowed) revert("LegUnexpectedState", leg.id, state);
        requireNotPassed(leg.id, leg.timeout, now);
        this.states.delete(leg.id);
        fx.legEvents.push({ name: "LegRedeemed", legId: leg.id, secret: claims[i]!.secret });
        fx.owe(leg.token, caller, leg.amount);
      });
      this.payAll(fx);
    });
  }

  /**
   * `refund(redeemer, hashlock, amount, timelocks)` or `refundToken(redeemer, hashlock, token,
   * amount, timelocks)` sent by `caller` at block time `now`: the plain leg with the caller as
   * escrower must be Escrowed and timed out (`now > timeout`); the principal goes back to the caller.
   */
  refund(caller: string, t: PlainTerms, now: bigint): Outcome {
    const leg = this.plainLeg(caller, t);
    return this.step((fx) => {
      const state = this.stateOf(leg.id);
      if (state !== LegState.Escrowed) revert("LegUnexpectedState", leg.id, state);
      requirePassed(leg.id, leg.timeout, now);
      this.states.delete(leg.id);
      fx.legEvents.push({ name: "LegRefunded", legId: leg.id });
      fx.owe(leg.token, caller, leg.amount);
      this.payAll(fx);
    });
  }

  /** `withdraw(token, to)` sent by `caller`. */
  withdraw(caller: string, token: string, to: string): Outcome {
    return this.step((fx) => {
      const amount = this.creditOf(caller, token);
      if (amount === 0n) revert("NothingToWithdraw", caller, token);
      if (same(to, NATIVE)) revert("WithdrawFailed", to, amount);
      this.creditMap.delete(key(caller, token));
      if (this.transferFails(token, to)) {
        if (same(token, NATIVE)) revert("WithdrawFailed", to, amount);
        revert("Blacklisted", to); // the token's own error, bubbled up by SafeERC20
      }
      fx.moves.push({ token, from: this.env.escrow, to, amount });
    });
  }

  // ------------------------------------------------------------------ internals

  /** Runs `body` on the model; rolls every change back when it reverts. */
  private step(body: (fx: Effects) => void): Outcome {
    const states = new Map(this.states);
    const credits = new Map(this.creditMap);
    const fx = new Effects();
    try {
      body(fx);
    } catch (e) {
      if (!(e instanceof Revert)) throw e;
      this.states = states;
      this.creditMap = credits;
      return { ok: false, error: e.expected };
    }
    const credited = fx.payouts.filter((p) => this.transferFails(p.token, p.to));
    return { ok: true, moves: fx.moves, credited, legEvents: fx.legEvents };
  }

  /**
   * The rules of a new plain leg (`_checkNewPlainLeg`): canonical (no premium token, no premium
   * deadline, hedge mode), valid as a new leg by `escrowDeadline`, state None.
   */
  private checkNewPlainLeg(leg: ModelLeg, now: bigint): void {
    if (leg.timelocks >> 121n !== 0n) revert("LegMalformedTimelocks", leg.id, leg.timelocks);
    if (!same(leg.premiumToken, NATIVE) || leg.mode === PremiumMode.Option || leg.premiumDeadline !== 0n) {
      revert("LegPremiumTermsWithoutPremium", leg.id, leg.premiumToken, leg.timelocks);
    }
    this.validateNewLeg(leg, leg.escrowDeadline, now);
    const state = this.stateOf(leg.id);
    if (state !== LegState.None) revert("LegUnexpectedState", leg.id, state);
  }

  /** Every rule a new leg must satisfy (`_validateNewLeg`), checked in the contract's order. */
  private validateNewLeg(leg: ModelLeg, creationDeadline: bigint, now: bigint): void {
    if (leg.timelocks >> 121n !== 0n) revert("LegMalformedTimelocks", leg.id, leg.timelocks);
    if (leg.premiumDeadline > leg.escrowDeadline || leg.escrowDeadline >= leg.timeout) {
      revert("LegDeadlinesUnordered", leg.id, leg.premiumDeadline, leg.escrowDeadline, leg.timeout);
    }
    requireNotPassed(leg.id, creationDeadline, now);
    const latestTimeout = now + MAX_TIMELOCK_HORIZON;
    if (leg.timeout > latestTimeout) revert("LegTimeoutTooFar", leg.id, leg.timeout, latestTimeout);
    if (leg.amount === 0n) revert("LegZeroAmount", leg.id);
    if (same(leg.escrower, leg.redeemer)) revert("LegEscrowerIsRedeemer", leg.id, leg.escrower);
    for (const party of [leg.escrower, leg.redeemer]) {
      if (same(party, NATIVE) || same(party, this.env.escrow)) revert("LegInvalidParty", leg.id, party);
    }
  }

  /** `_pullIn`: the native coin must come as exactly `msg.value`; a token by `transferFrom`. */
  private pullIn(fx: Effects, token: string, amount: bigint, payer: string, value: bigint): void {
    if (same(token, NATIVE)) {
      if (value !== amount) revert("NativeValueMismatch", amount, value);
    } else {
      if (value !== 0n) revert("NativeValueMismatch", 0n, value);
      if (same(token, this.env.blacklistToken) && this.isBlacklisted(payer)) revert("Blacklisted", payer);
    }
    fx.moves.push({ token, from: payer, to: this.env.escrow, amount });
  }

  /** `_payAll`: pays each merged payout, crediting the ones whose transfer fails. */
  private payAll(fx: Effects): void {
    for (const p of fx.payouts) {
      if (this.transferFails(p.token, p.to)) {
        this.creditMap.set(key(p.to, p.token), this.creditOf(p.to, p.token) + p.amount);
      } else {
        fx.moves.push({ token: p.token, from: this.env.escrow, to: p.to, amount: p.amount });
      }
    }
  }

  /** Whether a transfer of `token` from the escrow to `to` fails. */
  private transferFails(token: string, to: string): boolean {
    if (same(token, NATIVE)) return this.env.rejectsNative(to);
    return same(token, this.env.blacklistToken) && this.isBlacklisted(to);
  }
}

/** "by `deadline`": valid while `now <= deadline`. */
function requireNotPassed(legId: string, deadline: bigint, now: bigint): void {
  if (now > deadline) revert("LegDeadlinePassed", legId, deadline, now);
}

/** "after `deadline`": valid once `now > deadline`. */
function requirePassed(legId: string, deadline: bigint, now: bigint): void {
  if (now <= deadline) revert("LegNotExpired", legId, deadline, now);
}
