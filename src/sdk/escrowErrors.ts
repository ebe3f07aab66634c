/**
 * Typed errors for every revert of the escrow contract: one class per custom error of `escrowAbi`
 * (`LegDeadlinePassed` -> `LegDeadlinePassedError`, with its arguments as typed fields), the
 * Solidity built-ins `Panic(uint256)` and `Error(string)`, and a class for revert data that matches
 * nothing. `findRevertData` digs the revert data out of what ethers v6 throws; `toHedgeSwapError`
 * turns any failure into a `HedgeSwapError`.
 */

import { escrowAbi } from "./abi";
import { escrowInterface } from "./calldata";
import { checkAddress, checkBytes32 } from "./bytes";
import { HedgeSwapError, InvalidArgumentError, TransactionFailedError } from "./errors";
import { LegState } from "./leg";

type AbiError = Extract<(typeof escrowAbi)[number], { type: "error" }>;

/** The name of a custom error the escrow declares, e.g. `"LegDeadlinePassed"`. */
export type EscrowErrorName = AbiError["name"];

/** Options of every revert error: the error it was decoded from. */
export interface RevertErrorOptions {
  readonly cause?: unknown;
}

const ABI_ERRORS: readonly AbiError[] = escrowAbi.filter((f): f is AbiError => f.type === "error");

/** Checks and normalises one argument by its ABI type: checksummed address, lower-case word, bigint, enum number. */
function normalizeArg(field: string, type: string, internalType: string, value: unknown): unknown {
  if (type === "address") return checkAddress(field, value);
  if (type === "bytes32") return checkBytes32(field, value);
  if (type === "string") {
    if (typeof value !== "string") throw new InvalidArgumentError(field, "must be a string", value);
    return value;
  }
  if (/^u?int\d*$/.test(type)) {
    if (typeof value !== "bigint" && !(typeof value === "number" && Number.isSafeInteger(value))) {
      throw new InvalidArgumentError(field, "must be an integer", value);
    }
    return internalType.startsWith("enum ") ? Number(value) : BigInt(value);
  }
  throw new InvalidArgumentError(field, `has an ABI type this SDK does not decode (${type})`, value);
}

/**
 * Base of the classes of the escrow's custom errors. `code` is the Solidity error name; `details`
 * and the subclass's typed fields hold the named arguments (bigints as bigints, addresses
 * checksummed, 32-byte words lower-case, an enum as its number).
 */
export abstract class EscrowRevertError extends HedgeSwapError {
  /** The Solidity error name, e.g. `LegDeadlinePassed` (the same as `code`). */
  readonly errorName: EscrowErrorName;
  /** The error's 4-byte selector, 0x-prefixed lower-case hex. */
  readonly selector: string;
  /** The arguments in ABI order, normalised as the named fields are. */
  readonly args: readonly unknown[];

  /**
   * @param errorName the Solidity error name
   * @param shortMessage a short human message
   * @param named every argument, by its ABI name (set as fields of the instance)
   */
  protected constructor(errorName: EscrowErrorName, shortMessage: string, named: Record<string, unknown>, options?: RevertErrorOptions) {
    const abi = ABI_ERRORS.find((e) => e.name === errorName);
    if (abi === undefined) throw new InvalidArgumentError("errorName", "is not an error of the escrow", errorName);
    const normalized: Record<string, unknown> = {};
    for (const input of abi.inputs as readonly { name: string; type: string; internalType: string }[]) {
      normalized[input.name] = normalizeArg(input.name, input.type, input.internalType, named[input.name]);
    }
    super(errorName, shortMessage, normalized, options);
    this.errorName = errorName;
    this.selector = escrowInterface.getError(errorName)!.selector;
    this.args = Object.freeze(Object.values(normalized));
    for (const key of Object.keys(normalized)) {
      if (key in this) throw new Error(`escrow error ${errorName}: argument ${key} shadows a property`);
    }
    Object.assign(this, normalized);
  }
}

// ---------------------------------------------------------------- one class per escrow error

/** `BatchEmpty()`: a batch call with no leg. */
export class BatchEmptyError extends EscrowRevertError {
  constructor(options?: RevertErrorOptions) {
    super("BatchEmpty", "the batch has no leg", {}, options);
  }
}

/** `BatchLengthMismatch(legs, secrets)`: a batch's arrays differ in length. */
export class BatchLengthMismatchError extends EscrowRevertError {
  declare readonly legs: bigint;
  declare readonly secrets: bigint;
  constructor(legs: bigint, secrets: bigint, options?: RevertErrorOptions) {
    super("BatchLengthMismatch", "the batch has not one secret per leg", { legs, secrets }, options);
  }
}

/** `InvalidShortString()` (OpenZeppelin `ShortStrings`): a stored short string is malformed. */
export class InvalidShortStringError extends EscrowRevertError {
  constructor(options?: RevertErrorOptions) {
    super("InvalidShortString", "a short string of the escrow is malformed", {}, options);
  }
}

/** `LegCallerNotEscrower(legId, caller, escrower)`: only the leg's escrower may call this function. */
export class LegCallerNotEscrowerError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly caller: string;
  declare readonly escrower: string;
  constructor(legId: string, caller: string, escrower: string, options?: RevertErrorOptions) {
    super("LegCallerNotEscrower", "only the leg's escrower may do this", { legId, caller, escrower }, options);
  }
}

/** `LegCallerNotRedeemer(legId, caller, redeemer)`: only the leg's redeemer may call this function. */
export class LegCallerNotRedeemerError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly caller: string;
  declare readonly redeemer: string;
  constructor(legId: string, caller: string, redeemer: string, options?: RevertErrorOptions) {
    super("LegCallerNotRedeemer", "only the leg's redeemer may do this", { legId, caller, redeemer }, options);
  }
}

/** `LegDeadlinePassed(legId, deadline, currentTime)`: the action's deadline has passed (`currentTime > deadline`). */
export class LegDeadlinePassedError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly deadline: bigint;
  declare readonly currentTime: bigint;
  constructor(legId: string, deadline: bigint, currentTime: bigint, options?: RevertErrorOptions) {
    super("LegDeadlinePassed", "the leg's deadline has passed", { legId, deadline, currentTime }, options);
  }
}

/** `LegDeadlinesUnordered(legId, premiumDeadline, escrowDeadline, timeout)`: not `premiumDeadline <= escrowDeadline < timeout`. */
export class LegDeadlinesUnorderedError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly premiumDeadline: bigint;
  declare readonly escrowDeadline: bigint;
  declare readonly timeout: bigint;
  constructor(legId: string, premiumDeadline: bigint, escrowDeadline: bigint, timeout: bigint, options?: RevertErrorOptions) {
    super("LegDeadlinesUnordered", "the leg's deadlines are out of order", { legId, premiumDeadline, escrowDeadline, timeout }, options);
  }
}

/** `LegEscrowerIsRedeemer(legId, account)`: the escrower and the redeemer are the same account. */
export class LegEscrowerIsRedeemerError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly account: string;
  constructor(legId: string, account: string, options?: RevertErrorOptions) {
    super("LegEscrowerIsRedeemer", "the leg's escrower and redeemer are the same account", { legId, account }, options);
  }
}

/** `LegInvalidAbortSignature(legId, redeemer)`: the cooperative-abort signature is not the redeemer's for this leg. */
export class LegInvalidAbortSignatureError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly redeemer: string;
  constructor(legId: string, redeemer: string, options?: RevertErrorOptions) {
    super("LegInvalidAbortSignature", "the abort signature is not the redeemer's", { legId, redeemer }, options);
  }
}

/** `LegInvalidParty(legId, account)`: the escrower or the redeemer is the zero address or the escrow itself. */
export class LegInvalidPartyError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly account: string;
  constructor(legId: string, account: string, options?: RevertErrorOptions) {
    super("LegInvalidParty", "a party of the leg is the zero address or the escrow", { legId, account }, options);
  }
}

/** `LegMalformedTimelocks(legId, timelocks)`: the timelocks word has bits set outside its layout. */
export class LegMalformedTimelocksError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly timelocks: bigint;
  constructor(legId: string, timelocks: bigint, options?: RevertErrorOptions) {
    super("LegMalformedTimelocks", "the leg's timelocks word is malformed", { legId, timelocks }, options);
  }
}

/** `LegNoPremium(legId)`: `depositPremium` was called for a leg whose premium is zero (a plain HTLC). */
export class LegNoPremiumError extends EscrowRevertError {
  declare readonly legId: string;
  constructor(legId: string, options?: RevertErrorOptions) {
    super("LegNoPremium", "the leg has no premium to deposit", { legId }, options);
  }
}

/** `LegNotExpired(legId, deadline, currentTime)`: the settlement's deadline has not passed yet (`currentTime <= deadline`). */
export class LegNotExpiredError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly deadline: bigint;
  declare readonly currentTime: bigint;
  constructor(legId: string, deadline: bigint, currentTime: bigint, options?: RevertErrorOptions) {
    super("LegNotExpired", "the leg's deadline has not passed yet", { legId, deadline, currentTime }, options);
  }
}

/** `LegPermitForNativeCoin(legId)`: a permit variant was called for a native-coin deposit. */
export class LegPermitForNativeCoinError extends EscrowRevertError {
  declare readonly legId: string;
  constructor(legId: string, options?: RevertErrorOptions) {
    super("LegPermitForNativeCoin", "a permit cannot pay a native-coin deposit", { legId }, options);
  }
}

/** `LegPremiumTermsWithoutPremium(legId, premiumToken, timelocks)`: a plain leg names a premium token, deadline or the option mode. */
export class LegPremiumTermsWithoutPremiumError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly premiumToken: string;
  declare readonly timelocks: bigint;
  constructor(legId: string, premiumToken: string, timelocks: bigint, options?: RevertErrorOptions) {
    super("LegPremiumTermsWithoutPremium", "a leg without premium has premium terms", { legId, premiumToken, timelocks }, options);
  }
}

/** `LegTimeoutTooFar(legId, timeout, latestTimeout)`: the timeout is beyond the escrow's `MAX_TIMELOCK_HORIZON`. */
export class LegTimeoutTooFarError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly timeout: bigint;
  declare readonly latestTimeout: bigint;
  constructor(legId: string, timeout: bigint, latestTimeout: bigint, options?: RevertErrorOptions) {
    super("LegTimeoutTooFar", "the leg's timeout is too far away", { legId, timeout, latestTimeout }, options);
  }
}

/** `LegUnexpectedState(legId, current)`: the leg is in `current`, which the called function does not accept. */
export class LegUnexpectedStateError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly current: LegState;
  constructor(legId: string, current: LegState, options?: RevertErrorOptions) {
    const state = LegState[Number(current)] ?? `state ${String(current)}`;
    super("LegUnexpectedState", `the leg's state (${state}) does not allow this step`, { legId, current }, options);
  }
}

/** `LegWrongSecret(legId, hashlock, secretHash)`: `sha256(secret)` is not the leg's hashlock. */
export class LegWrongSecretError extends EscrowRevertError {
  declare readonly legId: string;
  declare readonly hashlock: string;
  declare readonly secretHash: string;
  constructor(legId: string, hashlock: string, secretHash: string, options?: RevertErrorOptions) {
    super("LegWrongSecret", "the secret does not open the leg's hashlock", { legId, hashlock, secretHash }, options);
  }
}

/** `LegZeroAmount(legId)`: the principal amount is zero. */
export class LegZeroAmountError extends EscrowRevertError {
  declare readonly legId: string;
  constructor(legId: string, options?: RevertErrorOptions) {
    super("LegZeroAmount", "the leg's principal is zero", { legId }, options);
  }
}

/** `NativeValueMismatch(expected, received)`: the native coin sent with the call is not the amount the step needs. */
export class NativeValueMismatchError extends EscrowRevertError {
  declare readonly expected: bigint;
  declare readonly received: bigint;
  constructor(expected: bigint, received: bigint, options?: RevertErrorOptions) {
    super("NativeValueMismatch", "the native coin sent is not the amount the step needs", { expected, received }, options);
  }
}

/** `NothingToWithdraw(account, token)`: `account` has no credit of `token`. */
export class NothingToWithdrawError extends EscrowRevertError {
  declare readonly account: string;
  declare readonly token: string;
  constructor(account: string, token: string, options?: RevertErrorOptions) {
    super("NothingToWithdraw", "there is no credit to withdraw", { account, token }, options);
  }
}

/** `SafeERC20FailedOperation(token)` (OpenZeppelin `SafeERC20`): a token transfer returned false or no contract answered. */
export class SafeERC20FailedOperationError extends EscrowRevertError {
  declare readonly token: string;
  constructor(token: string, options?: RevertErrorOptions) {
    super("SafeERC20FailedOperation", "a token transfer failed", { token }, options);
  }
}

/** `StringTooLong(str)` (OpenZeppelin `ShortStrings`): a string is too long to be a short string. */
export class StringTooLongError extends EscrowRevertError {
  declare readonly str: string;
  constructor(str: string, options?: RevertErrorOptions) {
    super("StringTooLong", "a string is too long for a short string", { str }, options);
  }
}

/** `TokenAmountMismatch(token, expected, received)`: the escrow's balance did not grow by the amount transferred in. */
export class TokenAmountMismatchError extends EscrowRevertError {
  declare readonly token: string;
  declare readonly expected: bigint;
  declare readonly received: bigint;
  constructor(token: string, expected: bigint, received: bigint, options?: RevertErrorOptions) {
    super("TokenAmountMismatch", "the escrow did not receive exactly the amount transferred", { token, expected, received }, options);
  }
}

/** `TokenCallFailed(token)`: `token` did not answer `balanceOf` with a word (not a token, or a reverting one). */
export class TokenCallFailedError extends EscrowRevertError {
  declare readonly token: string;
  constructor(token: string, options?: RevertErrorOptions) {
    super("TokenCallFailed", "the token did not answer balanceOf", { token }, options);
  }
}

/** `WithdrawFailed(to, amount)`: `to` is the zero address, or sending the withdrawn native coin to it failed. */
export class WithdrawFailedError extends EscrowRevertError {
  declare readonly to: string;
  declare readonly amount: bigint;
  constructor(to: string, amount: bigint, options?: RevertErrorOptions) {
    super("WithdrawFailed", "the withdrawal could not be paid to its recipient", { to, amount }, options);
  }
}

/**
 * `WithdrawExceedsCredit(account, token, credit, amount)`: a partial `withdraw(token, to, amount)` asked
 * for more than `account`'s `credit` of `token` (0 when it has none).
 */
export class WithdrawExceedsCreditError extends EscrowRevertError {
  declare readonly account: string;
  declare readonly token: string;
  declare readonly credit: bigint;
  declare readonly amount: bigint;
  constructor(account: string, token: string, credit: bigint, amount: bigint, options?: RevertErrorOptions) {
    super("WithdrawExceedsCredit", "the withdrawal asks for more than the credit", { account, token, credit, amount }, options);
  }
}

/** `WithdrawZeroAmount(account, token)`: a partial `withdraw(token, to, amount)` asked for 0. */
export class WithdrawZeroAmountError extends EscrowRevertError {
  declare readonly account: string;
  declare readonly token: string;
  constructor(account: string, token: string, options?: RevertErrorOptions) {
    super("WithdrawZeroAmount", "a partial withdrawal of 0", { account, token }, options);
  }
}

// ---------------------------------------------------------------- built-in and unknown reverts

const PANIC_SELECTOR = "0x4e487b71";
const ERROR_SELECTOR = "0x08c379a0";

/** What the Solidity panic codes mean (Solidity docs, "Panic via assert and Error via require"). */
const PANIC_REASONS: Readonly<Record<string, string>> = {
  "0": "generic compiler panic",
  "1": "assertion failed",
  "17": "arithmetic overflow or underflow",
  "18": "division or modulo by zero",
  "33": "invalid enum value",
  "34": "invalid storage byte array encoding",
  "49": "pop on an empty array",
  "50": "array index out of bounds",
  "65": "out of memory",
  "81": "call to an uninitialized function",
};

/** `Panic(uint256)`: a Solidity assertion, arithmetic or bounds check failed. `panicCode` is its code. */
export class PanicRevertError extends HedgeSwapError {
  /** Always `"Panic"`. */
  readonly errorName = "Panic";
  /** `0x4e487b71`. */
  readonly selector = PANIC_SELECTOR;
  /** The panic code, e.g. `0x11n` for an arithmetic overflow. */
  readonly panicCode: bigint;
  /** What the code means. */
  readonly reason: string;
  /** `[panicCode]`. */
  readonly args: readonly unknown[];

  constructor(panicCode: bigint, options?: RevertErrorOptions) {
    const reason = PANIC_REASONS[panicCode.toString()] ?? "unknown panic code";
    super("Panic", `reverted with a panic: ${reason}`, { panicCode }, options);
    this.panicCode = panicCode;
    this.reason = reason;
    this.args = Object.freeze([panicCode]);
  }
}

/** `Error(string)`: a `require(…, "reason")` or `revert("reason")` somewhere in the call. */
export class StringRevertError extends HedgeSwapError {
  /** Always `"Error"`. */
  readonly errorName = "Error";
  /** `0x08c379a0`. */
  readonly selector = ERROR_SELECTOR;
  /** The revert reason string. */
  readonly reason: string;
  /** `[reason]`. */
  readonly args: readonly unknown[];

  constructor(reason: string, options?: RevertErrorOptions) {
    super("Error", "reverted with a reason string", { reason }, options);
    this.reason = reason;
    this.args = Object.freeze([reason]);
  }
}

/** Revert data that is no error of the escrow nor a built-in one (e.g. a token's custom error), or is malformed. */
export class UnknownRevertError extends HedgeSwapError {
  /** The raw revert data, 0x-prefixed hex (may be `"0x"`). */
  readonly data: string;
  /** Its first 4 bytes, or `undefined` when it is shorter. */
  readonly selector: string | undefined;

  constructor(data: string, options?: RevertErrorOptions) {
    const selector = data.length >= 10 ? data.slice(0, 10).toLowerCase() : undefined;
    super("UNKNOWN_REVERT", "reverted with data that matches no known error", { selector, data }, options);
    this.data = data;
    this.selector = selector;
  }
}

// ---------------------------------------------------------------- decoding

type EscrowRevertErrorClass = new (...args: never[]) => EscrowRevertError;

/** The class of each escrow error: the one table decoding goes through (`tsc` fails when the ABI gains an error). */
const ERROR_CLASSES: { readonly [K in EscrowErrorName]: EscrowRevertErrorClass } = {
  BatchEmpty: BatchEmptyError,
  BatchLengthMismatch: BatchLengthMismatchError,
  InvalidShortString: InvalidShortStringError,
  LegCallerNotEscrower: LegCallerNotEscrowerError,
  LegCallerNotRedeemer: LegCallerNotRedeemerError,
  LegDeadlinePassed: LegDeadlinePassedError,
  LegDeadlinesUnordered: LegDeadlinesUnorderedError,
  LegEscrowerIsRedeemer: LegEscrowerIsRedeemerError,
  LegInvalidAbortSignature: LegInvalidAbortSignatureError,
  LegInvalidParty: LegInvalidPartyError,
  LegMalformedTimelocks: LegMalformedTimelocksError,
  LegNoPremium: LegNoPremiumError,
  LegNotExpired: LegNotExpiredError,
  LegPermitForNativeCoin: LegPermitForNativeCoinError,
  LegPremiumTermsWithoutPremium: LegPremiumTermsWithoutPremiumError,
  LegTimeoutTooFar: LegTimeoutTooFarError,
  LegUnexpectedState: LegUnexpectedStateError,
  LegWrongSecret: LegWrongSecretError,
  LegZeroAmount: LegZeroAmountError,
  NativeValueMismatch: NativeValueMismatchError,
  NothingToWithdraw: NothingToWithdrawError,
  SafeERC20FailedOperation: SafeERC20FailedOperationError,
  StringTooLong: StringTooLongError,
  TokenAmountMismatch: TokenAmountMismatchError,
  TokenCallFailed: TokenCallFailedError,
  WithdrawExceedsCredit: WithdrawExceedsCreditError,
  WithdrawFailed: WithdrawFailedError,
  WithdrawZeroAmount: WithdrawZeroAmountError,
};

/** Everything {@link decodeEscrowRevert} returns. */
export type DecodedRevert = EscrowRevertError | PanicRevertError | StringRevertError | UnknownRevertError;

function isHexData(value: unknown): value is string {
  return typeof value === "string" && /^0x(?:[0-9a-fA-F]{2})*$/.test(value);
}

/**
 * Decodes revert data (0x-prefixed hex) into its typed error: an escrow custom error, `Panic`,
 * `Error(string)`, or `UnknownRevertError` keeping the raw data when nothing matches or the data is
 * malformed. Throws `InvalidArgumentError` when `data` is not even-length 0x-prefixed hex.
 */
export function decodeEscrowRevert(data: string, options?: RevertErrorOptions): DecodedRevert {
  if (!isHexData(data)) throw new InvalidArgumentError("data", "must be 0x-prefixed hex", data);
  let parsed;
  try {
    parsed = escrowInterface.parseError(data);
  } catch {
    parsed = null; // a known selector with arguments that do not decode
  }
  if (parsed === null) return new UnknownRevertError(data, options);
  const args = Array.from(parsed.args) as unknown[];
  if (parsed.selector === PANIC_SELECTOR) return new PanicRevertError(args[0] as bigint, options);
  if (parsed.selector === ERROR_SELECTOR) return new StringRevertError(args[0] as string, options);
  const cls = ERROR_CLASSES[parsed.name as EscrowErrorName] as unknown as new (...a: unknown[]) => EscrowRevertError;
  return new cls(...args, options);
}

// ---------------------------------------------------------------- finding revert data

/** The properties under which ethers, Hardhat and wallets nest an RPC error and its revert data. */
const NESTING_KEYS = ["data", "error", "info", "cause", "originalError"] as const;
const MAX_DEPTH = 6;

function get(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Re-encodes the `revert: { signature, args }` ethers attaches when it decoded the error itself. */
function fromEthersRevert(err: unknown): string | undefined {
  if (err === null || typeof err !== "object") return undefined;
  const revert = get(err, "revert");
  if (revert === null || typeof revert !== "object") return undefined;
  const signature = get(revert, "signature");
  const args = get(revert, "args");
  if (typeof signature !== "string" || !Array.isArray(args)) return undefined;
  try {
    const fragment = escrowInterface.getError(signature);
    return fragment === null ? undefined : escrowInterface.encodeErrorResult(fragment, args);
  } catch {
    return undefined;
  }
}

/**
 * The revert data inside what ethers v6 (or Hardhat, or a wallet) threw, or `undefined` when it
 * carries none. Searches breadth-first, nearest first, under `data`, `error`, `info`, `cause` and
 * `originalError` (so `err.data`, `err.error.data`, `err.info.error.data`, `err.data.data`, ...),
 * accepting only 0x-prefixed even-length hex of at least 4 bytes (`"0x"`, a revert without data,
 * counts as none); else re-encodes ethers' own decoding in `err.revert`.
 */
export function findRevertData(err: unknown): string | undefined {
  const seen = new Set<object>();
  let level: unknown[] = [err];
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const value of level) {
      if (isHexData(value)) {
        if (value.length >= 10) return value;
        continue;
      }
      if (value === null || typeof value !== "object" || seen.has(value)) continue;
      seen.add(value);
      for (const key of NESTING_KEYS) {
        const child = get(value, key);
        if (child !== undefined && child !== null) next.push(child);
      }
    }
    level = next;
  }
  return fromEthersRevert(err);
}

/**
 * Turns anything a call or transaction threw into a `HedgeSwapError`: a `HedgeSwapError` as it is;
 * a revert with an escrow custom error as its typed class (with `cause: err`); anything else
 * (`Panic`, `Error(string)`, unknown revert data, no revert data, RPC or wallet errors) as
 * `TransactionFailedError(action, err)`. Decode its data with {@link findRevertData} and
 * {@link decodeEscrowRevert} to see a panic code or reason string.
 */
export function toHedgeSwapError(err: unknown, action: string): HedgeSwapError {
  if (err instanceof HedgeSwapError) return err;
  const data = findRevertData(err);
  if (data !== undefined) {
    const decoded = decodeEscrowRevert(data, { cause: err });
    if (decoded instanceof EscrowRevertError) return decoded;
  }
  return new TransactionFailedError(action, err);
}
