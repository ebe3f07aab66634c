/**
 * The SDK's errors: one base class with a stable `code`, a short message, structured `details` and
 * the `cause` chain, and one subclass per thing that can go wrong before a transaction is sent.
 * Reverts of the escrow contract are decoded into the classes of `./escrowErrors`.
 */

/** Base of every error the SDK throws. Match on `code` (stable) or with `instanceof`. */
export class HedgeSwapError extends Error {
  /** A stable, machine-readable code, e.g. `DELTA_TOO_SMALL` or `LegDeadlinePassed`. */
  readonly code: string;
  /** The message without the details, for display. */
  readonly shortMessage: string;
  /** The values that explain the failure. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, shortMessage: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(formatMessage(shortMessage, details), options);
    this.name = new.target.name;
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = Object.freeze({ ...details });
  }
}

function formatMessage(short: string, details: Record<string, unknown>): string {
  const parts = Object.entries(details).map(([k, v]) => `${k}=${typeof v === "bigint" ? v.toString() : String(v)}`);
  return parts.length === 0 ? short : `${short} (${parts.join(", ")})`;
}

/** An argument that is malformed: not an address, not 32 bytes, not a positive amount, and so on. */
export class InvalidArgumentError extends HedgeSwapError {
  constructor(field: string, reason: string, value: unknown) {
    super("INVALID_ARGUMENT", `${field}: ${reason}`, { field, value });
  }
}

/** A value that must be exactly 32 bytes of 0x-prefixed hex (a secret, a hashlock, a seed word) is not. */
export class InvalidBytes32Error extends HedgeSwapError {
  constructor(field: string, value: unknown) {
    super("INVALID_BYTES32", `${field} must be exactly 32 bytes of 0x-prefixed hex`, { field, value });
  }
}

/** A value that must be an address is not one (bad length, bad hex or bad EIP-55 checksum). */
export class InvalidAddressError extends HedgeSwapError {
  constructor(field: string, value: unknown) {
    super("INVALID_ADDRESS", `${field} is not a valid address`, { field, value });
  }
}

/** An amount that must be positive is zero or negative. */
export class NonPositiveAmountError extends HedgeSwapError {
  constructor(field: string, value: bigint) {
    super("NON_POSITIVE_AMOUNT", `${field} must be positive`, { field, value });
  }
}

/** The step Δ of a plan is below the configured minimum. */
export class DeltaTooSmallError extends HedgeSwapError {
  constructor(delta: bigint, minDelta: bigint) {
    super("DELTA_TOO_SMALL", "the step Δ is below the configured minimum", { delta, minDelta });
  }
}

/** A plan's deadlines are not ordered as `PROTOCOLS.md` §3 requires, or do not fit the contract. */
export class DeadlinesUnorderedError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown>) {
    super("DEADLINES_UNORDERED", reason, details);
  }
}

/**
 * A plan's last deadline (T0 + 6Δ, leg A's timeout) is further in the future than the escrow accepts
 * (`MAX_TIMELOCK_HORIZON`, 180 days from now): the contract would revert the leg with `LegTimeoutTooFar`.
 * Details: `deadline` and `latest`, the latest allowed value (now + horizon).
 */
export class HorizonExceededError extends HedgeSwapError {
  constructor(deadline: bigint, latest: bigint) {
    super("HORIZON_EXCEEDED", "the last deadline (T0 + 6Δ) is beyond the escrow's 180-day horizon", { deadline, latest });
  }
}

/**
 * The premiums of a swap break the relation of `PROTOCOLS.md` §3: the leader's deposit on leg B
 * (`p_a + p_b` for a hedged swap, `f + p_b` for an option) must cover the follower's premium on leg A
 * (`p_b`) plus a positive compensation for the follower (`p_a`, or the fee `f`), i.e.
 * `legB.premiumAmount > legA.premiumAmount`. Otherwise, when the leader withholds the secret, chain A pays
 * the follower's `p_b` to the leader and the follower nets nothing (or less) for having escrowed.
 *
 * The two amounts are compared as numbers even when the premiums are in different tokens: they are
 * taken in the parties' agreed units, as the scenario matrix values 1 APR = 1 BAN. Details:
 * `legBPremium`, `legAPremium` and the `required` relation.
 */
export class PremiumRelationError extends HedgeSwapError {
  constructor(legBPremium: bigint, legAPremium: bigint) {
    super(
      "PREMIUM_RELATION",
      "leg B's premium (the leader's p_a + p_b, or f + p_b) must exceed leg A's premium (the follower's p_b): it covers p_b plus the follower's compensation, which must be positive",
      { legBPremium, legAPremium, required: "legB.premiumAmount > legA.premiumAmount" },
    );
  }
}

/** A party or escrow address is the zero address (the native coin's `NATIVE` is only valid as a token). */
export class ZeroAddressError extends HedgeSwapError {
  constructor(field: string) {
    super("ZERO_ADDRESS", `${field} must not be the zero address`, { field, value: "0x0000000000000000000000000000000000000000" });
  }
}

/**
 * An input object has a key the SDK does not know, e.g. a typo such as `premiumAmmount` (a typo of an
 * optional key would otherwise be silently ignored and the default used). Details: `path` (the object,
 * e.g. `terms.legA`), `key`, the `allowed` keys and, when one is close, a `suggestion`.
 */
export class UnknownKeyError extends HedgeSwapError {
  constructor(path: string, key: string, allowed: readonly string[], suggestion?: string) {
    const hint = suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
    super("UNKNOWN_KEY", `${path} has an unknown key "${key}"${hint}`, {
      path,
      key,
      allowed: allowed.join("|"),
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }
}

/**
 * A deadline given to `packTimelocks` does not fit the contract's 40-bit field (negative or above
 * 2^40 − 1). Details: `field`, `value` and `max`.
 */
export class DeadlineOutOfRangeError extends HedgeSwapError {
  constructor(field: string, value: bigint, max: bigint) {
    super("DEADLINE_OUT_OF_RANGE", `${field} does not fit in the timelocks word's 40 bits`, { field, value, max });
  }
}

/**
 * A `timelocks` word or mode that is not in the contract's layout: a word with bits set outside it (or
 * negative), or a premium mode other than hedge (0) and option (1). Details: `field` and `value` (a word
 * as 0x-hex).
 */
export class InvalidTimelocksError extends HedgeSwapError {
  constructor(field: string, reason: string, value: unknown) {
    super("INVALID_TIMELOCKS", `${field}: ${reason}`, { field, value });
  }
}

/** A deadline of a plan (or of the action about to be taken) is already past. */
export class DeadlineInPastError extends HedgeSwapError {
  constructor(what: string, deadline: bigint, now: bigint) {
    super("DEADLINE_IN_PAST", `${what} is already past`, { what, deadline, now });
  }
}

/** Both legs of a swap are on the same chain. */
export class SameChainError extends HedgeSwapError {
  constructor(chainId: bigint) {
    super("SAME_CHAIN", "the two legs of a swap must be on different chains", { chainId });
  }
}

/** The two parties of a swap are the same account. */
export class SamePartyError extends HedgeSwapError {
  constructor(account: string) {
    super("SAME_PARTY", "the leader and the follower must be different accounts", { account });
  }
}

/** No deployment of the escrow is known for a chain id. */
export class UnknownChainError extends HedgeSwapError {
  constructor(chainId: bigint) {
    super("UNKNOWN_CHAIN", "no escrow deployment is known for this chain", { chainId });
  }
}

/** An escrow address is not the known deployment for its chain, or has no contract code. */
export class UnknownDeploymentError extends HedgeSwapError {
  constructor(chainId: bigint, address: string, reason: string) {
    super("UNKNOWN_DEPLOYMENT", reason, { chainId, address });
  }
}

/** The escrow at an address reports a `VERSION` this SDK does not support. */
export class UnsupportedVersionError extends HedgeSwapError {
  constructor(chainId: bigint, address: string, version: string, supported: readonly string[]) {
    super("UNSUPPORTED_VERSION", "the escrow's VERSION is not supported by this SDK", {
      chainId,
      address,
      version,
      supported: supported.join("|"),
    });
  }
}

/** The runner is connected to a different chain than the leg lives on (a wallet on the wrong network). */
export class WrongChainError extends HedgeSwapError {
  constructor(expected: bigint, actual: bigint) {
    super("WRONG_CHAIN", "the runner is connected to a different chain", { expected, actual });
  }
}

/** The runner cannot do what the action needs (no provider to read, or no signer to send). */
export class RunnerError extends HedgeSwapError {
  constructor(need: "provider" | "signer", action: string) {
    super("RUNNER_UNSUITABLE", `${action} needs a runner with a ${need}`, { need, action });
  }
}

/** An offer signature does not recover to the party that should have signed it. */
export class InvalidOfferSignatureError extends HedgeSwapError {
  constructor(party: string, expected: string, recovered: string | null) {
    super("INVALID_OFFER_SIGNATURE", `the ${party}'s offer signature is invalid`, { party, expected, recovered });
  }
}

/** A wait ended before the awaited event: the leg's deadline passed, or the caller aborted it. */
export class WaitEndedError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super("WAIT_ENDED", reason, details);
  }
}

/** A batch or call input that cannot be encoded: empty, mixed escrows, native coin where a token is needed. */
export class CallInputError extends HedgeSwapError {
  constructor(action: string, reason: string, details: Record<string, unknown>) {
    super("BAD_CALL_INPUT", `${action}: ${reason}`, { action, ...details });
  }
}

/** A transaction failed for a reason that is not a decoded escrow revert (RPC error, wallet refusal). */
export class TransactionFailedError extends HedgeSwapError {
  constructor(action: string, cause: unknown) {
    super("TRANSACTION_FAILED", `${action} failed`, { action, reason: describe(cause) }, { cause });
  }
}

/** An error's short description; with the node's own message when ethers could not map it ("could not coalesce error"). */
function describe(e: unknown): string {
  if (e && typeof e === "object" && "shortMessage" in e && typeof e.shortMessage === "string") {
    const node = "error" in e && e.error && typeof e.error === "object" && "message" in e.error && typeof e.error.message === "string" ? e.error.message : undefined;
    return node && !e.shortMessage.includes(node) ? `${e.shortMessage}: ${node}` : e.shortMessage;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * A cycle (`PROTOCOLS.md` §7) has fewer than 2 or more than 8 parties (arcs). Details: `n`, `min`, `max`.
 */
export class CycleSizeError extends HedgeSwapError {
  constructor(n: number, min: number, max: number) {
    super("CYCLE_SIZE", `a cycle must have between ${min} and ${max} parties`, { n, min, max });
  }
}

/**
 * The arcs of a cycle are not one closed cycle P0 → P1 → … → P(n−1) → P0 in the order given: arc `arc`
 * pays `to`, but the next arc (`nextArc`, the first one for the last arc) is paid by `nextFrom`; or the
 * leader is not arc 0's payer. Details: `reason`'s values (`arc`, `to`, `nextArc`, `nextFrom`, or
 * `leader` and `arc0From`).
 */
export class NotACycleError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown>) {
    super("NOT_A_CYCLE", reason, details);
  }
}

/** A party occurs twice in a cycle. Details: `party` and the two positions `first`, `second` (party indices). */
export class DuplicatePartyError extends HedgeSwapError {
  constructor(party: string, first: number, second: number) {
    super("DUPLICATE_PARTY", "a party occurs twice in the cycle: each party pays exactly one arc and is paid by exactly one", { party, first, second });
  }
}

/**
 * Δ is below what the slowest of a cycle's chains needs (`PROTOCOLS.md` §6): the counterparty's step seen
 * final (the longest confirmation time), the party's own step included and final (the longest inclusion
 * plus confirmation time), the largest clock skew and the reaction margin. Details: `delta`, `required`,
 * and `chainId`, the chain whose figures decide (the one with the longest inclusion plus confirmation time).
 */
export class DeltaUnsafeError extends HedgeSwapError {
  constructor(delta: bigint, required: bigint, chainId: bigint) {
    super("DELTA_UNSAFE", "the step Δ is too small for the slowest chain of the cycle", { delta, required, chainId });
  }
}

/**
 * A cycle's premiums break §7's rule: arc i carries `c_0 + … + c_i` with every compensation `c_j > 0`, so
 * the premiums grow strictly from arc 0 to arc n−1; or a given premium differs from the one the given
 * compensations imply. Details: `arc` and `premium`, with `previous` (the premium of arc i−1) or
 * `expected` (the sum of the compensations), and `required`.
 */
export class CyclePremiumError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown>) {
    super("CYCLE_PREMIUM", reason, details);
  }
}
