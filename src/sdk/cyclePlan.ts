/**
 * The planner of hedged cycles (`PROTOCOLS.md` §7): n = 2 … 8 parties P0 (the leader) → P1 → … → P(n−1)
 * → P0, arc i on its own chain; from the terms or a signed offer, every arc's leg (a §2 leg, the same leg
 * struct and id as the two-party planner's), its premium `c_0 + … + c_i`, its deadlines ((n−i)Δ,
 * (n+1+i)Δ, (3n−i)Δ) and the 3n steps. Pure: no I/O; the current time is an input.
 */
import { checkAddress, checkBytes32, checkKnownKeys, checkNonZeroAddress, checkPositive } from "./bytes";
import { cycleOfferDigest, type CycleOffer, type CycleOfferArc } from "./cycleOffer";
import { cycleCompensations } from "./cyclePricing";
import { arcTimelocks, checkCycleSize, cyclePremiums, cycleStepSlots, MAX_CYCLE_PARTIES, MIN_CYCLE_PARTIES } from "./cycleSchedule";
import type { DeploymentRegistry } from "./deployments";
import {
  CyclePremiumError,
  CycleSizeError,
  DeadlineInPastError,
  DeadlinesUnorderedError,
  DeltaTooSmallError,
  DeltaUnsafeError,
  DuplicatePartyError,
  HorizonExceededError,
  InvalidArgumentError,
  NotACycleError,
  SameChainError,
} from "./errors";
import { hashlockOf, locateLeg, toLegStruct, type LegTerms, type LocatedLeg } from "./leg";
import { DEFAULT_MIN_DELTA, MAX_TIMELOCK_HORIZON, type StepAction } from "./plan";
import type { ChainSafety } from "./rules";
import { PremiumMode } from "./timelocks";

/** What `planCycle` and `planFromCycleOffer` check against. Unknown keys are refused (`UnknownKeyError`, path `config`). */
export interface CycleConfig {
  /** The smallest acceptable Δ in seconds; default `DEFAULT_MIN_DELTA`. */
  readonly minDelta?: bigint;
  /**
   * §6 figures per chain id. When given, every arc's chain must have an entry and Δ must be at least
   * `cycleSafeDelta` of the cycle's chains (`DeltaUnsafeError`): the slowest chain decides.
   */
  readonly safety?: ReadonlyMap<bigint, ChainSafety>;
  /** The reaction margin (restart included) `cycleSafeDelta` adds, seconds; default 30. */
  readonly reactionMargin?: bigint;
  /** The current time (unix seconds) deadlines must be after; default the local clock. */
  readonly now?: bigint;
  /** When given, every arc's chain must have a record and its escrow must be the recorded one. */
  readonly deployments?: DeploymentRegistry;
  /** Accept two arcs on one chain (off by default: almost always a configuration mistake). */
  readonly allowSameChain?: boolean;
  /**
   * Skip the checks that only hold when an offer is accepted: against the current time (first deadline in
   * the future, horizon) and §7's premium rule, as `PlanConfig.skipTimeChecks` does for two parties.
   */
  readonly skipTimeChecks?: boolean;
}

/**
 * One arc of the terms: `from` pays `to` the principal on chain `chainId`; `to` deposits the premium.
 * `escrow` may be left out when `deployments` has the chain; `premiumAmount` when the terms give
 * `compensations` or `compensationRate` (given as well, it must equal the premium they imply). Unknown
 * keys are refused (`UnknownKeyError`, path `terms.arcs[i]`).
 */
export interface CycleArcTerms {
  readonly from: string;
  readonly to: string;
  readonly chainId: bigint;
  readonly escrow?: string;
  /** The principal: asset (`NATIVE` for the chain's coin) and amount. */
  readonly token: string;
  readonly amount: bigint;
  /** The premium's asset (default: the principal's) and amount. */
  readonly premiumToken?: string;
  readonly premiumAmount?: bigint;
}

/**
 * Terms of a hedged cycle. `arcs` in cycle order: arc 0 is paid by the leader, and each arc's `to` pays
 * the next arc; the last arc pays the leader. Premiums: per arc (`premiumAmount`), or from one
 * compensation per party (`compensations`, `c_j` for party j: arc i carries `c_0 + … + c_i`), or from one
 * annual `compensationRate` priced over each party's lock-up window (`cycleCompensations`). Unknown keys
 * are refused (`UnknownKeyError`, path `terms`).
 */
export interface CycleTerms {
  readonly leader: string;
  /** The hashlock `sha256(secret)`; or give the leader's `secret` and it is computed. */
  readonly hashlock?: string;
  readonly secret?: string;
  /** T0 (unix seconds) and Δ (seconds): deadline k is `start + k * delta`. */
  readonly start: bigint;
  readonly delta: bigint;
  readonly arcs: readonly CycleArcTerms[];
  readonly compensations?: readonly bigint[];
  readonly compensationRate?: number;
}

/** One of the 3n steps of a cycle plan. */
export interface CycleStep {
  /** 1 … 3n; the step's deadline is `T0 + step·Δ`. */
  readonly step: number;
  /** The acting party's index (0: the leader) and address. */
  readonly actor: number;
  readonly party: string;
  readonly arc: number;
  readonly action: StepAction;
  /** The last second at which the step is valid (`block.timestamp <= deadline`). */
  readonly deadline: bigint;
  /** The asset and amount the step moves into the escrow (0 for a redeem). */
  readonly token: string;
  readonly amount: bigint;
}

/** An arc of a plan: located (its leg id), with its unpacked deadlines and the compensation of its payer. */
export interface PlannedArc extends LocatedLeg {
  readonly index: number;
  readonly terms: LegTerms;
  /** `c_i`: this arc's premium minus the previous arc's (arc 0: its premium). */
  readonly compensation: bigint;
}

/** A validated cycle plan: the offer to sign, every arc's leg and the 3n steps. */
export interface CyclePlan {
  /** The offer's EIP-712 digest (`cycleOfferDigest`), used as the cycle's id. */
  readonly id: string;
  readonly offer: CycleOffer;
  readonly n: number;
  /** P0 (the leader) … P(n−1). */
  readonly parties: readonly string[];
  readonly arcs: readonly PlannedArc[];
  /** `c_0 … c_{n−1}`. */
  readonly compensations: readonly bigint[];
  readonly steps: readonly CycleStep[];
  /** After this time every arc can be settled: arc 0's timeout, `T0 + 3nΔ`. */
  readonly end: bigint;
}

const TERMS_KEYS = ["leader", "hashlock", "secret", "start", "delta", "arcs", "compensations", "compensationRate"] as const;
const ARC_TERMS_KEYS = ["from", "to", "chainId", "escrow", "token", "amount", "premiumToken", "premiumAmount"] as const;
const OFFER_KEYS = ["parties", "hashlock", "start", "delta", "arcs"] as const;
const OFFER_ARC_KEYS = ["chainId", "escrow", "token", "amount", "premiumToken", "premiumAmount"] as const;
const CONFIG_KEYS = ["minDelta", "safety", "reactionMargin", "now", "deployments", "allowSameChain", "skipTimeChecks"] as const;

/** The reaction margin `cycleSafeDelta` uses by default (the coordinator's `reactionMargin` default). */
const DEFAULT_CYCLE_REACTION = 30n;

/**
 * Plans a hedged cycle (§7) from its terms: builds the offer (escrows from `deployments` when left out,
 * premiums from the compensations when given) and plans it with `planFromCycleOffer`. Refuses, besides
 * what that refuses: unknown keys in `terms`, its arcs or `config` (`UnknownKeyError`); fewer than 2 or
 * more than 8 arcs (`CycleSizeError`); a party paying two arcs (`DuplicatePartyError`); arcs that are not
 * one closed cycle from the leader (`NotACycleError`); an arc with neither an escrow nor a deployment
 * (`InvalidArgumentError`, or `UnknownChainError` from the registry); a given premium that differs from the
 * compensations' (`CyclePremiumError`).
 */
export function planCycle(terms: CycleTerms, config: CycleConfig = {}): CyclePlan {
  checkConfig(config);
  return planFromCycleOffer(offerFromCycleTerms(terms, config), config);
}

/**
 * The offer of `terms` without planning it (the checks of `planCycle` on the terms' shape and cycle, not
 * those of `planFromCycleOffer`).
 */
export function offerFromCycleTerms(terms: CycleTerms, config: CycleConfig = {}): CycleOffer {
  checkConfig(config);
  if (terms === null || typeof terms !== "object") throw new InvalidArgumentError("terms", "must be an object", terms);
  checkKnownKeys("terms", terms, TERMS_KEYS);
  let hashlock: string;
  if (terms.secret !== undefined) {
    hashlock = hashlockOf(terms.secret);
    if (terms.hashlock !== undefined && checkBytes32("hashlock", terms.hashlock) !== hashlock) {
      throw new InvalidArgumentError("hashlock", "does not match sha256(secret)", terms.hashlock);
    }
  } else {
    hashlock = checkBytes32("hashlock", terms.hashlock);
  }
  if (!Array.isArray(terms.arcs)) throw new InvalidArgumentError("terms.arcs", "must be an array", terms.arcs);
  const n = terms.arcs.length;
  if (n < MIN_CYCLE_PARTIES || n > MAX_CYCLE_PARTIES) throw new CycleSizeError(n, MIN_CYCLE_PARTIES, MAX_CYCLE_PARTIES);
  terms.arcs.forEach((a, i) => {
    if (a === null || typeof a !== "object") throw new InvalidArgumentError(`terms.arcs[${i}]`, "must be an object", a);
    checkKnownKeys(`terms.arcs[${i}]`, a, ARC_TERMS_KEYS);
  });
  const parties = terms.arcs.map((a, i) => checkNonZeroAddress(`arcs[${i}].from`, a.from));
  checkDistinct(parties);
  const leader = checkNonZeroAddress("leader", terms.leader);
  if (leader !== parties[0]) throw new NotACycleError("the leader must pay arc 0", { leader, arc0From: parties[0] });
  terms.arcs.forEach((a, i) => {
    const to = checkNonZeroAddress(`arcs[${i}].to`, a.to);
    const next = (i + 1) % n;
    if (to !== parties[next]) throw new NotACycleError(`arc ${i} must pay the party that pays arc ${next}`, { arc: i, to, nextArc: next, nextFrom: parties[next] });
  });

  const implied = impliedPremiums(terms, n);
  const arcs = terms.arcs.map((a, i): CycleOfferArc => {
    const token = checkAddress(`arcs[${i}].token`, a.token);
    let escrow: string;
    if (a.escrow !== undefined) escrow = checkNonZeroAddress(`arcs[${i}].escrow`, a.escrow);
    else if (config.deployments) escrow = config.deployments.locate(checkChainId(`arcs[${i}].chainId`, a.chainId)).escrow;
    else throw new InvalidArgumentError(`arcs[${i}].escrow`, "is required when no deployments are configured", undefined);
    const expected = implied?.[i];
    if (expected !== undefined && a.premiumAmount !== undefined && a.premiumAmount !== expected) {
      throw new CyclePremiumError(`arc ${i}'s premium differs from the one the compensations imply`, { arc: i, premium: a.premiumAmount, expected, required: "premium[i] = c_0 + … + c_i" });
    }
    const premiumAmount = a.premiumAmount ?? expected;
    if (premiumAmount === undefined) throw new InvalidArgumentError(`arcs[${i}].premiumAmount`, "is required when the terms give no compensations or compensationRate", undefined);
    return {
      chainId: a.chainId,
      escrow,
      token,
      amount: a.amount,
      premiumToken: a.premiumToken === undefined ? token : checkAddress(`arcs[${i}].premiumToken`, a.premiumToken),
      premiumAmount,
    };
  });
  return { parties, hashlock, start: terms.start, delta: terms.delta, arcs };
}

function impliedPremiums(terms: CycleTerms, n: number): bigint[] | undefined {
  if (terms.compensations !== undefined && terms.compensationRate !== undefined) {
    throw new InvalidArgumentError("terms.compensationRate", "give either compensations or compensationRate, not both", terms.compensationRate);
  }
  if (terms.compensations !== undefined) {
    if (!Array.isArray(terms.compensations) || terms.compensations.length !== n) {
      throw new InvalidArgumentError("terms.compensations", `must hold one compensation per party (${n})`, terms.compensations);
    }
    return cyclePremiums(terms.compensations.map((c, j) => checkPositive(`compensations[${j}]`, c)));
  }
  if (terms.compensationRate !== undefined) {
    const amounts = terms.arcs.map((a, i) => checkPositive(`arcs[${i}].amount`, a.amount));
    return cyclePremiums(cycleCompensations({ amounts, delta: checkUint("delta", terms.delta), rate: terms.compensationRate }));
  }
  return undefined;
}

function checkDistinct(parties: readonly string[]): void {
  const seen = new Map<string, number>();
  parties.forEach((p, i) => {
    const first = seen.get(p);
    if (first !== undefined) throw new DuplicatePartyError(p, first, i);
    seen.set(p, i);
  });
}

function checkConfig(config: CycleConfig): void {
  if (config === null || typeof config !== "object") throw new InvalidArgumentError("config", "must be an object", config);
  checkKnownKeys("config", config, CONFIG_KEYS);
  for (const key of ["minDelta", "now", "reactionMargin"] as const) if (config[key] !== undefined) checkUint(`config.${key}`, config[key]);
  for (const flag of ["allowSameChain", "skipTimeChecks"] as const) {
    if (config[flag] !== undefined && typeof config[flag] !== "boolean") throw new InvalidArgumentError(`config.${flag}`, "must be a boolean", config[flag]);
  }
  if (config.safety !== undefined && !(config.safety instanceof Map)) throw new InvalidArgumentError("config.safety", "must be a Map of chain id to ChainSafety", config.safety);
  const registry = config.deployments as Partial<DeploymentRegistry> | null | undefined;
  if (registry !== undefined && (registry === null || typeof registry !== "object" || typeof registry.locate !== "function")) {
    throw new InvalidArgumentError("config.deployments", "must be a DeploymentRegistry", registry);
  }
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
 * The smallest safe Δ for a cycle over `chains` (§6, the slowest chain deciding), as the coordinator's
 * `safeDelta` computes it for two chains: the longest confirmation time (the previous step seen final) +
 * the longest inclusion plus confirmation time (the own step landing) + the largest clock skew + the
 * reaction margin. Returns it with the chain whose inclusion plus confirmation time is the longest.
 */
export function cycleSafeDelta(chains: ReadonlyMap<bigint, ChainSafety>, reaction: bigint = DEFAULT_CYCLE_REACTION): { required: bigint; chainId: bigint } {
  let [seen, land, skew, slowest] = [0n, -1n, 0n, 0n];
  for (const [chainId, c] of chains) {
    if (c.confirmationTime > seen) seen = c.confirmationTime;
    if (c.inclusionTime + c.confirmationTime > land) [land, slowest] = [c.inclusionTime + c.confirmationTime, chainId];
    if (c.clockSkew > skew) skew = c.clockSkew;
  }
  return { required: seen + (land < 0n ? 0n : land) + skew + reaction, chainId: slowest };
}

/**
 * Validates a (possibly signed) cycle offer and derives the plan (§7): arc i paid by `parties[i]` to
 * `parties[(i+1) mod n]`, deadlines `T0 + (n−i)Δ`, `T0 + (n+1+i)Δ`, `T0 + (3n−i)Δ`, every premium a hedge,
 * and the 3n steps. Throws a typed error for every defect: unknown keys (`UnknownKeyError`); n outside
 * [2, 8] or parties and arcs of different counts (`CycleSizeError`); a party twice (`DuplicatePartyError`);
 * a zero address (`ZeroAddressError`); Δ below `minDelta` (`DeltaTooSmallError`) or below the slowest
 * chain's safe Δ (`DeltaUnsafeError`); an arc's chain or escrow not in `deployments` (`UnknownChainError`,
 * `UnknownDeploymentError`); two arcs on one chain (`SameChainError`); premiums that do not grow strictly
 * (`CyclePremiumError`; arc 0's must be positive, `NonPositiveAmountError`); a first deadline already past
 * (`DeadlineInPastError`) or a last one beyond the escrow's horizon (`HorizonExceededError`).
 */
export function planFromCycleOffer(offer: CycleOffer, config: CycleConfig = {}): CyclePlan {
  checkConfig(config);
  if (offer === null || typeof offer !== "object") throw new InvalidArgumentError("offer", "must be an object", offer);
  checkKnownKeys("offer", offer, OFFER_KEYS);
  if (!Array.isArray(offer.parties)) throw new InvalidArgumentError("offer.parties", "must be an array", offer.parties);
  if (!Array.isArray(offer.arcs)) throw new InvalidArgumentError("offer.arcs", "must be an array", offer.arcs);
  const n = offer.parties.length;
  checkCycleSize(n);
  if (offer.arcs.length !== n) throw new CycleSizeError(offer.arcs.length, n, n);
  const parties = offer.parties.map((p, i) => checkNonZeroAddress(`parties[${i}]`, p));
  checkDistinct(parties);
  const hashlock = checkBytes32("hashlock", offer.hashlock);
  if (BigInt(hashlock) === 0n) throw new InvalidArgumentError("hashlock", "must not be zero", hashlock);
  const start = checkUint("start", offer.start);
  const delta = checkUint("delta", offer.delta);
  const minDelta = config.minDelta ?? DEFAULT_MIN_DELTA;
  if (delta < minDelta || delta === 0n) throw new DeltaTooSmallError(delta, minDelta);

  const arcs = offer.arcs.map((a, i) => checkOfferArc(i, a, config));
  if (!config.allowSameChain) {
    const chains = new Set<bigint>();
    for (const a of arcs) {
      if (chains.has(a.chainId)) throw new SameChainError(a.chainId);
      chains.add(a.chainId);
    }
  }
  if (config.safety !== undefined) {
    const used = new Map<bigint, ChainSafety>();
    arcs.forEach((a, i) => {
      const s = config.safety!.get(a.chainId);
      if (s === undefined) throw new InvalidArgumentError("config.safety", `has no entry for arc ${i}'s chain`, a.chainId);
      used.set(a.chainId, s);
    });
    const { required, chainId } = cycleSafeDelta(used, config.reactionMargin ?? DEFAULT_CYCLE_REACTION);
    if (delta < required) throw new DeltaUnsafeError(delta, required, chainId);
  }
  const compensations = arcs.map((a, i) => a.premiumAmount - (i === 0 ? 0n : arcs[i - 1]!.premiumAmount));
  if (!config.skipTimeChecks) checkCyclePremiums(arcs.map((a) => a.premiumAmount));

  const at = (k: bigint) => start + k * delta;
  const last = at(3n * BigInt(n));
  const now = config.now ?? BigInt(Math.floor(Date.now() / 1000));
  if (!config.skipTimeChecks && at(1n) <= now) throw new DeadlineInPastError("the first deadline (T0 + Δ)", at(1n), now);
  if (!config.skipTimeChecks && last > now + MAX_TIMELOCK_HORIZON) throw new HorizonExceededError(last, now + MAX_TIMELOCK_HORIZON);

  const legTerms = arcs.map((a, i): LegTerms => ({
    escrower: parties[i]!,
    redeemer: parties[(i + 1) % n]!,
    hashlock,
    token: a.token,
    amount: a.amount,
    timelocks: arcTimelocks(n, i, start, delta, PremiumMode.Hedge),
    premiumToken: a.premiumToken,
    premiumAmount: a.premiumAmount,
  }));
  checkCycleSchedule(legTerms);

  const normalised: CycleOffer = { parties, hashlock, start, delta, arcs };
  const planned = legTerms.map((t, i): PlannedArc => ({ index: i, terms: t, compensation: compensations[i]!, ...locateLeg(toLegStruct(t), arcs[i]!) }));
  const steps = cycleStepSlots(n).map((s): CycleStep => {
    const a = arcs[s.arc]!;
    const premium = s.action === "depositPremium";
    return {
      step: s.step,
      actor: s.party,
      party: parties[s.party]!,
      arc: s.arc,
      action: s.action,
      deadline: at(BigInt(s.step)),
      token: premium ? a.premiumToken : a.token,
      amount: premium ? a.premiumAmount : s.action === "escrow" ? a.amount : 0n,
    };
  });
  return { id: cycleOfferDigest(normalised), offer: normalised, n, parties, arcs: planned, compensations, steps, end: last };
}

function checkOfferArc(i: number, a: CycleOfferArc, config: CycleConfig): CycleOfferArc {
  const name = `arcs[${i}]`;
  if (a === null || typeof a !== "object") throw new InvalidArgumentError(name, "must be an object", a);
  checkKnownKeys(`offer.${name}`, a, OFFER_ARC_KEYS);
  const chainId = checkChainId(`${name}.chainId`, a.chainId);
  const escrow = checkNonZeroAddress(`${name}.escrow`, a.escrow);
  if (config.deployments) config.deployments.locate(chainId, escrow);
  return {
    chainId,
    escrow,
    token: checkAddress(`${name}.token`, a.token),
    amount: checkPositive(`${name}.amount`, a.amount),
    premiumToken: checkAddress(`${name}.premiumToken`, a.premiumToken),
    premiumAmount: checkPositive(`${name}.premiumAmount`, a.premiumAmount),
  };
}

/**
 * Checks §7's premium rule on the arcs' premiums (arc 0 first): arc i carries `c_0 + … + c_i` with every
 * `c_j > 0`, so `premiums[0] > 0` and `premiums[i] > premiums[i−1]`. Throws `CyclePremiumError` naming the
 * first arc that breaks it (`arc`, `premium`, `previous`). Amounts in different tokens are compared as
 * numbers in the parties' agreed units, as for two parties (`checkPremiumRelation`). For n = 2 this is
 * §3's relation `legB > legA > 0`.
 */
export function checkCyclePremiums(premiums: readonly bigint[]): void {
  premiums.forEach((premium, i) => {
    const previous = i === 0 ? 0n : premiums[i - 1]!;
    if (!(premium > previous)) {
      throw new CyclePremiumError(`arc ${i}'s premium must exceed arc ${i - 1 < 0 ? "none" : i - 1}'s: it covers every earlier party's compensation plus its payer's own, which must be positive`, {
        arc: i,
        premium,
        previous,
        required: "premium[i] > premium[i-1] (premium[0] > 0)",
      });
    }
  });
}

/**
 * Checks n legs (arc 0 first) against §7's order: each arc's `premiumDeadline <= escrowDeadline < timeout`;
 * across arcs, premiums backwards (arc n−1 first), then escrows forwards, then timeouts backwards:
 * P(n−1) < … < P(0) < E(0) < … < E(n−1) < X(n−1) < … < X(0); one hashlock; arc i's redeemer is arc i+1's
 * escrower, around the cycle. Throws `DeadlinesUnorderedError` naming the first violation (or
 * `NotACycleError`, `InvalidArgumentError` for the parties and hashlock).
 */
export function checkCycleSchedule(arcs: readonly LegTerms[]): void {
  const n = checkCycleSize(arcs.length);
  const chain: [string, bigint][] = [];
  for (let i = n - 1; i >= 0; i--) chain.push([`arcs[${i}].premiumDeadline`, arcs[i]!.timelocks.premiumDeadline]);
  for (let i = 0; i < n; i++) chain.push([`arcs[${i}].escrowDeadline`, arcs[i]!.timelocks.escrowDeadline]);
  for (let i = n - 1; i >= 0; i--) chain.push([`arcs[${i}].timeout`, arcs[i]!.timelocks.timeout]);
  for (let k = 1; k < chain.length; k++) {
    const [prevName, prev] = chain[k - 1]!;
    const [name, value] = chain[k]!;
    if (!(prev < value)) throw new DeadlinesUnorderedError(`${prevName} must be before ${name}`, { [prevName]: prev, [name]: value });
  }
  const hashlock = arcs[0]!.hashlock.toLowerCase();
  arcs.forEach((a, i) => {
    if (a.hashlock.toLowerCase() !== hashlock) throw new InvalidArgumentError(`arcs[${i}].hashlock`, "every arc must share one hashlock", a.hashlock);
    const next = arcs[(i + 1) % n]!;
    const to = checkAddress(`arcs[${i}].redeemer`, a.redeemer);
    const nextFrom = checkAddress(`arcs[${(i + 1) % n}].escrower`, next.escrower);
    if (to !== nextFrom) throw new NotACycleError(`arc ${i} must pay the party that pays arc ${(i + 1) % n}`, { arc: i, to, nextArc: (i + 1) % n, nextFrom });
  });
}
