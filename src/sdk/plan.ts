/**
 * Planners for the two-party hedged swap (`PROTOCOLS.md` §3) and the HTLC option (§4): from the terms,
 * the signed-offer form, both legs with every deadline and premium, and the six-step schedule. Pure:
 * no I/O; the current time is an input (the coordinator passes each chain's own clock).
 */
import { checkAddress, checkBytes32, checkKnownKeys, checkNonZeroAddress, checkPositive } from "./bytes";
import {
  DeadlineInPastError,
  DeadlinesUnorderedError,
  DeltaTooSmallError,
  HorizonExceededError,
  InvalidArgumentError,
  PremiumRelationError,
  SameChainError,
  SamePartyError,
} from "./errors";
import { arcTimelocks, cycleStepSlots } from "./cycleSchedule";
import type { DeploymentRegistry } from "./deployments";
import { hashlockOf, locateLeg, toLegStruct, type LegTerms, type LocatedLeg } from "./leg";
import { offerDigest, offerKind, type OfferLeg, type SwapKind, type SwapOffer } from "./offer";
import { PremiumMode, type Timelocks } from "./timelocks";

/** The smallest Δ planners accept unless configured otherwise: 10 minutes (see `PROTOCOLS.md` §6). */
export const DEFAULT_MIN_DELTA = 600n;

/** The escrow's limit on how far in the future a timeout may be (`MAX_TIMELOCK_HORIZON`, 180 days). */
export const MAX_TIMELOCK_HORIZON = 15_552_000n;

/** What the planners check the terms against. Unknown keys are refused (`UnknownKeyError`, path `config`). */
export interface PlanConfig {
  /** The smallest acceptable Δ in seconds; default `DEFAULT_MIN_DELTA`. */
  readonly minDelta?: bigint;
  /** The current time (unix seconds) deadlines must be after; default the local clock. */
  readonly now?: bigint;
  /** When given, both legs' chains must have a record and their escrows must be the recorded ones. */
  readonly deployments?: DeploymentRegistry;
  /**
   * Accept both legs on one chain (two escrow deployments, or two tokens of one chain). Off by
   * default: a cross-chain swap with both legs on one chain is almost always a configuration mistake.
   */
  readonly allowSameChain?: boolean;
  /**
   * Skip the checks that only hold when an offer is accepted: against the current time (first deadline in
   * the future, horizon) and §3's premium relation (`PremiumRelationError`). For re-deriving the plan of an
   * offer that was validated when it was accepted (a coordinator after a restart), so that a swap accepted
   * before a check existed can still be driven and settled.
   */
  readonly skipTimeChecks?: boolean;
}

/**
 * One leg's side of the terms. `escrow` may be left out when `deployments` has the chain. Unknown keys
 * are refused (`UnknownKeyError`, path `terms.legA` or `terms.legB`).
 */
export interface LegSideTerms {
  readonly chainId: bigint;
  readonly escrow?: string;
  /** The principal: asset (`NATIVE` for the chain's coin) and amount. */
  readonly token: string;
  readonly amount: bigint;
  /** The premium the leg's redeemer deposits: asset (default: the principal's) and amount. */
  readonly premiumToken?: string;
  readonly premiumAmount: bigint;
}

/**
 * Terms of a two-party swap. Leg A: the leader escrows, the follower redeems and deposits leg A's
 * premium (`p_b`). Leg B: the follower escrows, the leader redeems and deposits leg B's premium
 * (`p_a + p_b` for a hedged swap, `fee + p_b` for an option; see `./pricing`), which must exceed leg
 * A's (`checkPremiumRelation`). Unknown keys are refused (`UnknownKeyError`, path `terms`).
 */
export interface SwapTerms {
  readonly leader: string;
  readonly follower: string;
  /** The hashlock `sha256(secret)`; or give the leader's `secret` and it is computed. */
  readonly hashlock?: string;
  readonly secret?: string;
  /** T0 (unix seconds) and Δ (seconds): deadline k is `start + k * delta`. */
  readonly start: bigint;
  readonly delta: bigint;
  readonly legA: LegSideTerms;
  readonly legB: LegSideTerms;
}

/** Who acts at a step, what, on which leg. */
export type StepAction = "depositPremium" | "escrow" | "redeem";

/** One row of the §3 schedule. */
export interface PlanStep {
  readonly step: 1 | 2 | 3 | 4 | 5 | 6;
  readonly actor: "leader" | "follower";
  readonly party: string;
  readonly leg: "A" | "B";
  readonly action: StepAction;
  /** The last second at which the step is valid (`block.timestamp <= deadline`). */
  readonly deadline: bigint;
  /** The asset and amount the step moves into the escrow (0 for a redeem). */
  readonly token: string;
  readonly amount: bigint;
}

/** A leg of a plan: located, with its unpacked deadlines. */
export interface PlannedLeg extends LocatedLeg {
  readonly name: "A" | "B";
  readonly terms: LegTerms;
}

/** A validated plan: the offer to sign, both legs, and the six steps with their deadlines. */
export interface SwapPlan {
  readonly kind: SwapKind;
  /** The offer's EIP-712 digest, used as the swap's id. */
  readonly id: string;
  readonly offer: SwapOffer;
  readonly legA: PlannedLeg;
  readonly legB: PlannedLeg;
  readonly steps: readonly PlanStep[];
  /** After this time every leg can be settled: leg A's timeout. */
  readonly end: bigint;
}

/** The keys of `SwapTerms`. */
const SWAP_TERMS_KEYS = ["leader", "follower", "hashlock", "secret", "start", "delta", "legA", "legB"] as const;
/** The keys of `LegSideTerms`. */
const LEG_SIDE_KEYS = ["chainId", "escrow", "token", "amount", "premiumToken", "premiumAmount"] as const;
/** The keys of `SwapOffer`. */
const OFFER_KEYS = ["leader", "follower", "hashlock", "start", "delta", "legA", "legB"] as const;
/** The keys of `OfferLeg`. */
const OFFER_LEG_KEYS = ["chainId", "escrow", "token", "amount", "premiumToken", "premiumAmount", "premiumMode"] as const;
/** The keys of `PlanConfig`. */
const PLAN_CONFIG_KEYS = ["minDelta", "now", "deployments", "allowSameChain", "skipTimeChecks"] as const;

/**
 * Plans a hedged swap (§3): both premiums in hedge mode. Checks everything `planFromOffer` checks, and
 * refuses unknown keys in `terms`, its legs and `config` (`UnknownKeyError`).
 */
export function planHedgedSwap(terms: SwapTerms, config: PlanConfig = {}): SwapPlan {
  checkConfig(config);
  return planFromOffer(offerFromTerms(terms, PremiumMode.Hedge, config), config);
}

/**
 * Plans an HTLC option (§4): leg B's premium in option mode (the fee goes to the writer on exercise).
 * Checks as `planHedgedSwap` does.
 */
export function planOption(terms: SwapTerms, config: PlanConfig = {}): SwapPlan {
  checkConfig(config);
  return planFromOffer(offerFromTerms(terms, PremiumMode.Option, config), config);
}

function checkConfig(config: PlanConfig): void {
  if (config === null || typeof config !== "object") throw new InvalidArgumentError("config", "must be an object", config);
  checkKnownKeys("config", config, PLAN_CONFIG_KEYS);
  if (config.minDelta !== undefined) checkUint("config.minDelta", config.minDelta);
  if (config.now !== undefined) checkUint("config.now", config.now);
  for (const flag of ["allowSameChain", "skipTimeChecks"] as const) {
    if (config[flag] !== undefined && typeof config[flag] !== "boolean") throw new InvalidArgumentError(`config.${flag}`, "must be a boolean", config[flag]);
  }
  const registry = config.deployments as Partial<DeploymentRegistry> | null | undefined;
  if (registry !== undefined && (registry === null || typeof registry !== "object" || typeof registry.locate !== "function")) {
    throw new InvalidArgumentError("config.deployments", "must be a DeploymentRegistry", registry);
  }
}

function offerFromTerms(terms: SwapTerms, modeB: PremiumMode, config: PlanConfig): SwapOffer {
  if (terms === null || typeof terms !== "object") throw new InvalidArgumentError("terms", "must be an object", terms);
  checkKnownKeys("terms", terms, SWAP_TERMS_KEYS);
  let hashlock: string;
  if (terms.secret !== undefined) {
    hashlock = hashlockOf(terms.secret);
    if (terms.hashlock !== undefined && checkBytes32("hashlock", terms.hashlock) !== hashlock) {
      throw new InvalidArgumentError("hashlock", "does not match sha256(secret)", terms.hashlock);
    }
  } else {
    hashlock = checkBytes32("hashlock", terms.hashlock);
  }
  const side = (name: "legA" | "legB", s: LegSideTerms, mode: PremiumMode): OfferLeg => {
    if (s === null || typeof s !== "object") throw new InvalidArgumentError(name, "must be an object", s);
    checkKnownKeys(`terms.${name}`, s, LEG_SIDE_KEYS);
    const token = checkAddress(`${name}.token`, s.token);
    let escrow: string;
    if (s.escrow !== undefined) escrow = checkNonZeroAddress(`${name}.escrow`, s.escrow);
    else if (config.deployments) escrow = config.deployments.locate(checkChainId(`${name}.chainId`, s.chainId)).escrow;
    else throw new InvalidArgumentError(`${name}.escrow`, "is required when no deployments are configured", undefined);
    return {
      chainId: s.chainId,
      escrow,
      token,
      amount: s.amount,
      premiumToken: s.premiumToken === undefined ? token : checkAddress(`${name}.premiumToken`, s.premiumToken),
      premiumAmount: s.premiumAmount,
      premiumMode: mode,
    };
  };
  return {
    leader: terms.leader,
    follower: terms.follower,
    hashlock,
    start: terms.start,
    delta: terms.delta,
    legA: side("legA", terms.legA, PremiumMode.Hedge),
    legB: side("legB", terms.legB, modeB),
  };
}

function checkChainId(field: string, v: unknown): bigint {
  if (typeof v !== "bigint" || v <= 0n) throw new InvalidArgumentError(field, "must be a positive bigint", v);
  return v;
}

function checkUint(field: string, v: unknown): bigint {
  if (typeof v !== "bigint" || v < 0n) throw new InvalidArgumentError(field, "must be a non-negative bigint", v);
  return v;
}

/**
 * Validates a (possibly signed) offer and derives the plan: leg A with deadlines (2Δ, 3Δ, 6Δ), leg B
 * with (1Δ, 4Δ, 5Δ), all after T0. Throws a typed error for every defect of the terms, among them:
 * unknown keys in the offer, its legs or `config` (`UnknownKeyError`); a zero-address leader, follower
 * or escrow (`ZeroAddressError`; a zero token or premium token is the native coin and allowed);
 * premiums that break §3's relation (`PremiumRelationError`, see `checkPremiumRelation`); a last
 * deadline beyond the escrow's horizon (`HorizonExceededError`).
 */
export function planFromOffer(offer: SwapOffer, config: PlanConfig = {}): SwapPlan {
  checkConfig(config);
  if (offer === null || typeof offer !== "object") throw new InvalidArgumentError("offer", "must be an object", offer);
  checkKnownKeys("offer", offer, OFFER_KEYS);
  const leader = checkNonZeroAddress("leader", offer.leader);
  const follower = checkNonZeroAddress("follower", offer.follower);
  if (leader === follower) throw new SamePartyError(leader);
  const hashlock = checkBytes32("hashlock", offer.hashlock);
  if (BigInt(hashlock) === 0n) throw new InvalidArgumentError("hashlock", "must not be zero", hashlock);
  const start = checkUint("start", offer.start);
  const delta = checkUint("delta", offer.delta);
  const minDelta = config.minDelta ?? DEFAULT_MIN_DELTA;
  if (delta < minDelta || delta === 0n) throw new DeltaTooSmallError(delta, minDelta);

  const legA = checkOfferLeg("legA", offer.legA, config);
  const legB = checkOfferLeg("legB", offer.legB, config);
  if (legA.premiumMode !== PremiumMode.Hedge) {
    throw new InvalidArgumentError("legA.premiumMode", "leg A's premium (the follower's) is always a hedge", legA.premiumMode);
  }
  if (legA.chainId === legB.chainId && !config.allowSameChain) throw new SameChainError(legA.chainId);
  if (!config.skipTimeChecks) checkPremiumRelation(legB.premiumAmount, legA.premiumAmount);

  const at = (k: bigint) => start + k * delta;
  const now = config.now ?? BigInt(Math.floor(Date.now() / 1000));
  if (!config.skipTimeChecks && at(1n) <= now) throw new DeadlineInPastError("the first deadline (T0 + Δ)", at(1n), now);
  if (!config.skipTimeChecks && at(6n) > now + MAX_TIMELOCK_HORIZON) throw new HorizonExceededError(at(6n), now + MAX_TIMELOCK_HORIZON);

  // §3 is §7 with n = 2: leg A is arc 0 (2Δ, 3Δ, 6Δ), leg B arc 1 (1Δ, 4Δ, 5Δ).
  const timelocksA: Timelocks = arcTimelocks(2, 0, start, delta, PremiumMode.Hedge);
  const timelocksB: Timelocks = arcTimelocks(2, 1, start, delta, legB.premiumMode);
  const termsA: LegTerms = legTerms(leader, follower, hashlock, legA, timelocksA);
  const termsB: LegTerms = legTerms(follower, leader, hashlock, legB, timelocksB);
  checkSchedule(termsA, termsB);

  const normalised: SwapOffer = { leader, follower, hashlock, start, delta, legA, legB };
  const plannedA: PlannedLeg = { name: "A", terms: termsA, ...locateLeg(toLegStruct(termsA), legA) };
  const plannedB: PlannedLeg = { name: "B", terms: termsB, ...locateLeg(toLegStruct(termsB), legB) };
  const steps: PlanStep[] = cycleStepSlots(2).map((slot) => {
    const [name, leg] = slot.arc === 0 ? (["A", legA] as const) : (["B", legB] as const);
    const premium = slot.action === "depositPremium";
    return {
      step: slot.step as PlanStep["step"],
      actor: slot.party === 0 ? "leader" : "follower",
      party: slot.party === 0 ? leader : follower,
      leg: name,
      action: slot.action,
      deadline: at(BigInt(slot.step)),
      token: premium ? leg.premiumToken : leg.token,
      amount: premium ? leg.premiumAmount : slot.action === "escrow" ? leg.amount : 0n,
    };
  });
  return { kind: offerKind(normalised), id: offerDigest(normalised), offer: normalised, legA: plannedA, legB: plannedB, steps, end: at(6n) };
}

function checkOfferLeg(name: string, l: OfferLeg, config: PlanConfig): OfferLeg {
  if (l === null || typeof l !== "object") throw new InvalidArgumentError(name, "must be an object", l);
  checkKnownKeys(`offer.${name}`, l, OFFER_LEG_KEYS);
  const chainId = checkChainId(`${name}.chainId`, l.chainId);
  const escrow = checkNonZeroAddress(`${name}.escrow`, l.escrow);
  if (config.deployments) config.deployments.locate(chainId, escrow);
  if (l.premiumMode !== PremiumMode.Hedge && l.premiumMode !== PremiumMode.Option) {
    throw new InvalidArgumentError(`${name}.premiumMode`, "must be hedge (0) or option (1)", l.premiumMode);
  }
  return {
    chainId,
    escrow,
    token: checkAddress(`${name}.token`, l.token),
    amount: checkPositive(`${name}.amount`, l.amount),
    premiumToken: checkAddress(`${name}.premiumToken`, l.premiumToken),
    premiumAmount: checkPositive(`${name}.premiumAmount`, l.premiumAmount),
    premiumMode: l.premiumMode,
  };
}

/**
 * Checks §3's premium relation: the leader's deposit on leg B (`p_a + p_b` for a hedged swap, `f + p_b`
 * for an option) must cover the follower's premium on leg A (`p_b`) plus a positive compensation for the
 * follower, so `legBPremium > legAPremium`; throws `PremiumRelationError` naming both otherwise. When the
 * premiums are in different tokens the amounts are still compared as numbers, in the parties' agreed
 * units (the scenario matrix values 1 APR = 1 BAN): convert `p_b` into leg B's premium asset before
 * adding it (see `hedgeDeposits`, `optionDeposits`).
 */
export function checkPremiumRelation(legBPremium: bigint, legAPremium: bigint): void {
  if (!(legBPremium > legAPremium)) throw new PremiumRelationError(legBPremium, legAPremium);
}

function legTerms(escrower: string, redeemer: string, hashlock: string, l: OfferLeg, timelocks: Timelocks): LegTerms {
  return { escrower, redeemer, hashlock, token: l.token, amount: l.amount, timelocks, premiumToken: l.premiumToken, premiumAmount: l.premiumAmount };
}

/**
 * Checks two legs against the §3 ordering: each leg's `premiumDeadline <= escrowDeadline < timeout`,
 * and across the legs B.premium < A.premium < A.escrow < B.escrow < B.timeout < A.timeout, the same
 * hashlock, and swapped parties. Throws `DeadlinesUnorderedError` naming the first violation.
 */
export function checkSchedule(legA: LegTerms, legB: LegTerms): void {
  const a = legA.timelocks;
  const b = legB.timelocks;
  const chain: [string, bigint][] = [
    ["legB.premiumDeadline", b.premiumDeadline],
    ["legA.premiumDeadline", a.premiumDeadline],
    ["legA.escrowDeadline", a.escrowDeadline],
    ["legB.escrowDeadline", b.escrowDeadline],
    ["legB.timeout", b.timeout],
    ["legA.timeout", a.timeout],
  ];
  for (let i = 1; i < chain.length; i++) {
    const [prevName, prev] = chain[i - 1]!;
    const [name, value] = chain[i]!;
    if (!(prev < value)) {
      throw new DeadlinesUnorderedError(`${prevName} must be before ${name}`, { [prevName]: prev, [name]: value });
    }
  }
  if (legA.hashlock.toLowerCase() !== legB.hashlock.toLowerCase()) {
    throw new InvalidArgumentError("legB.hashlock", "both legs must share one hashlock", legB.hashlock);
  }
  if (checkAddress("legA.escrower", legA.escrower) !== checkAddress("legB.redeemer", legB.redeemer) ||
      checkAddress("legA.redeemer", legA.redeemer) !== checkAddress("legB.escrower", legB.escrower)) {
    throw new InvalidArgumentError("legB", "leg B's parties must be leg A's, swapped", { escrower: legB.escrower, redeemer: legB.redeemer });
  }
}
