/**
 * Planners and offers, offline: the §3 schedule and premiums, every validation error with its typed
 * class and details, offer signatures (both parties, tampering, one party only), JSON round trips and
 * the pinned offer digest.
 */
import { expect } from "chai";
import { Wallet, ZeroAddress } from "ethers";

import {
  DeadlineInPastError,
  DeadlinesUnorderedError,
  DeltaTooSmallError,
  DeploymentRegistry,
  HorizonExceededError,
  InvalidAddressError,
  InvalidArgumentError,
  InvalidBytes32Error,
  InvalidOfferSignatureError,
  MAX_TIMELOCK_HORIZON,
  NATIVE,
  NonPositiveAmountError,
  PremiumMode,
  PremiumRelationError,
  SameChainError,
  SamePartyError,
  UnknownChainError,
  UnknownDeploymentError,
  UnknownKeyError,
  ZeroAddressError,
  checkPremiumRelation,
  checkSchedule,
  hashlockOf,
  legId,
  offerDigest,
  offerFromJson,
  offerToJson,
  planFromOffer,
  planHedgedSwap,
  planOption,
  signOffer,
  unpackTimelocks,
  verifyOfferSignatures,
  type HedgeSwapError,
  type LegSideTerms,
  type PlanConfig,
  type SwapOffer,
  type SwapTerms,
} from "../../src/sdk";

const ALICE = new Wallet("0x" + "11".repeat(32));
const BOB = new Wallet("0x" + "22".repeat(32));
const ESCROW_A = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const ESCROW_B = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const APR = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const BAN = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const SECRET = "0x" + "5a".repeat(32);
const T0 = 1_900_000_000n;
const D = 3600n;
const NOW = T0 - 60n;

function terms(patch: Partial<SwapTerms> = {}): SwapTerms {
  return {
    leader: ALICE.address,
    follower: BOB.address,
    secret: SECRET,
    start: T0,
    delta: D,
    legA: { chainId: 1n, escrow: ESCROW_A, token: APR, amount: 100n, premiumAmount: 1n },
    legB: { chainId: 10n, escrow: ESCROW_B, token: BAN, amount: 100n, premiumAmount: 3n },
    ...patch,
  };
}

function expectError<T extends HedgeSwapError>(fn: () => unknown, cls: new (...a: never[]) => T, code: string, details: Record<string, unknown> = {}): T {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an error").to.be.instanceOf(cls);
  const err = caught as T;
  expect(err.code).to.equal(code);
  expect(err.details).to.include(details);
  return err;
}

describe("SDK planners", function () {
  describe("the §3 schedule", function () {
    it("hedged swap: leg A (2Δ, 3Δ, 6Δ) hedge, leg B (1Δ, 4Δ, 5Δ) hedge, parties and premiums per leg", function () {
      const plan = planHedgedSwap(terms(), { now: NOW });
      expect(plan.kind).to.equal("hedged-swap");
      expect(plan.legA.terms.timelocks).to.deep.equal({ premiumDeadline: T0 + 2n * D, escrowDeadline: T0 + 3n * D, timeout: T0 + 6n * D, mode: PremiumMode.Hedge });
      expect(plan.legB.terms.timelocks).to.deep.equal({ premiumDeadline: T0 + D, escrowDeadline: T0 + 4n * D, timeout: T0 + 5n * D, mode: PremiumMode.Hedge });
      expect(plan.legA.leg).to.include({ escrower: ALICE.address, redeemer: BOB.address, token: APR, amount: 100n, premiumToken: APR, premiumAmount: 1n });
      expect(plan.legB.leg).to.include({ escrower: BOB.address, redeemer: ALICE.address, token: BAN, amount: 100n, premiumToken: BAN, premiumAmount: 3n });
      expect(plan.legA.leg.hashlock).to.equal(hashlockOf(SECRET));
      expect(plan.legA.id).to.equal(legId(plan.legA.leg, { chainId: 1n, escrow: ESCROW_A }));
      expect(plan.legB.id).to.equal(legId(plan.legB.leg, { chainId: 10n, escrow: ESCROW_B }));
      expect(plan.end).to.equal(T0 + 6n * D);
      expect(plan.id).to.equal(offerDigest(plan.offer));
    });

    it("lists the six steps with actor, leg, action, deadline and amount", function () {
      const plan = planHedgedSwap(terms(), { now: NOW });
      const rows = plan.steps.map((s) => [s.step, s.actor, s.leg, s.action, s.deadline - T0, s.amount]);
      expect(rows).to.deep.equal([
        [1, "leader", "B", "depositPremium", D, 3n],
        [2, "follower", "A", "depositPremium", 2n * D, 1n],
        [3, "leader", "A", "escrow", 3n * D, 100n],
        [4, "follower", "B", "escrow", 4n * D, 100n],
        [5, "leader", "B", "redeem", 5n * D, 0n],
        [6, "follower", "A", "redeem", 6n * D, 0n],
      ]);
      expect(plan.steps.map((s) => s.party)).to.deep.equal([ALICE.address, BOB.address, ALICE.address, BOB.address, ALICE.address, BOB.address]);
    });

    it("option: leg B's premium in option mode, leg A's a hedge; different id from the hedged swap", function () {
      const option = planOption(terms(), { now: NOW });
      expect(option.kind).to.equal("option");
      expect(unpackTimelocks(option.legB.leg.timelocks).mode).to.equal(PremiumMode.Option);
      expect(unpackTimelocks(option.legA.leg.timelocks).mode).to.equal(PremiumMode.Hedge);
      expect(option.id).to.not.equal(planHedgedSwap(terms(), { now: NOW }).id);
    });

    it("takes a hashlock instead of the secret, and premium assets other than the principal's", function () {
      const plan = planHedgedSwap(
        terms({ secret: undefined, hashlock: hashlockOf(SECRET), legB: { chainId: 10n, escrow: ESCROW_B, token: BAN, amount: 100n, premiumToken: NATIVE, premiumAmount: 3n } }),
        { now: NOW },
      );
      expect(plan.legB.leg.premiumToken).to.equal(NATIVE);
      expect(plan.legA.leg.hashlock).to.equal(hashlockOf(SECRET));
    });

    it("finds escrows in the deployment registry when the terms leave them out", function () {
      const registry = new DeploymentRegistry([record(1, ESCROW_A), record(10, ESCROW_B)]);
      const t = terms({ legA: { chainId: 1n, token: APR, amount: 100n, premiumAmount: 1n }, legB: { chainId: 10n, token: BAN, amount: 100n, premiumAmount: 3n } });
      const plan = planHedgedSwap(t, { now: NOW, deployments: registry });
      expect(plan.legA.at).to.deep.equal({ chainId: 1n, escrow: ESCROW_A });
      expect(plan.legB.at).to.deep.equal({ chainId: 10n, escrow: ESCROW_B });
    });
  });

  describe("validation", function () {
    it("Δ below the configured minimum → DeltaTooSmallError (default minimum 600 s)", function () {
      expectError(() => planHedgedSwap(terms({ delta: 599n }), { now: NOW }), DeltaTooSmallError, "DELTA_TOO_SMALL", { delta: 599n, minDelta: 600n });
      expectError(() => planHedgedSwap(terms(), { now: NOW, minDelta: 7200n }), DeltaTooSmallError, "DELTA_TOO_SMALL", { delta: D, minDelta: 7200n });
      expectError(() => planHedgedSwap(terms({ delta: 0n }), { now: NOW, minDelta: 0n }), DeltaTooSmallError, "DELTA_TOO_SMALL");
    });

    it("first deadline already past → DeadlineInPastError; at T0 + Δ - 1 it is accepted", function () {
      expectError(() => planHedgedSwap(terms(), { now: T0 + D }), DeadlineInPastError, "DEADLINE_IN_PAST", { deadline: T0 + D, now: T0 + D });
      expect(() => planHedgedSwap(terms(), { now: T0 + D - 1n })).to.not.throw();
    });

    it("last deadline beyond the escrow's 180-day horizon → HorizonExceededError with the deadline and the latest allowed; exactly at it is accepted", function () {
      const delta = 31n * 86400n;
      const err = expectError(() => planHedgedSwap(terms({ delta }), { now: NOW }), HorizonExceededError, "HORIZON_EXCEEDED", { deadline: T0 + 6n * delta, latest: NOW + MAX_TIMELOCK_HORIZON });
      expect(err).to.not.be.instanceOf(DeadlinesUnorderedError);
      const atHorizon = T0 + 6n * D - MAX_TIMELOCK_HORIZON;
      expect(() => planHedgedSwap(terms(), { now: atHorizon })).to.not.throw();
      expectError(() => planHedgedSwap(terms(), { now: atHorizon - 1n }), HorizonExceededError, "HORIZON_EXCEEDED", { deadline: T0 + 6n * D, latest: T0 + 6n * D - 1n });
    });

    it("deadlines out of the §3 order → DeadlinesUnorderedError naming the pair", function () {
      const plan = planHedgedSwap(terms(), { now: NOW });
      const swapped = { ...plan.legB.terms, timelocks: { ...plan.legB.terms.timelocks, timeout: plan.legA.terms.timelocks.timeout } };
      const err = expectError(() => checkSchedule(plan.legA.terms, swapped), DeadlinesUnorderedError, "DEADLINES_UNORDERED");
      expect(err.shortMessage).to.equal("legB.timeout must be before legA.timeout");
      const early = { ...plan.legA.terms, timelocks: { ...plan.legA.terms.timelocks, premiumDeadline: T0 } };
      expectError(() => checkSchedule(early, plan.legB.terms), DeadlinesUnorderedError, "DEADLINES_UNORDERED", { "legA.premiumDeadline": T0 });
    });

    it("both legs on one chain → SameChainError, unless allowSameChain", function () {
      const t = terms({ legB: { chainId: 1n, escrow: ESCROW_B, token: BAN, amount: 100n, premiumAmount: 3n } });
      expectError(() => planHedgedSwap(t, { now: NOW }), SameChainError, "SAME_CHAIN", { chainId: 1n });
      expect(planHedgedSwap(t, { now: NOW, allowSameChain: true }).legB.at.chainId).to.equal(1n);
    });

    it("zero or negative amounts and premiums → NonPositiveAmountError naming the field", function () {
      expectError(() => planHedgedSwap(terms({ legA: { chainId: 1n, escrow: ESCROW_A, token: APR, amount: 0n, premiumAmount: 1n } }), { now: NOW }), NonPositiveAmountError, "NON_POSITIVE_AMOUNT", { field: "legA.amount" });
      expectError(() => planHedgedSwap(terms({ legB: { chainId: 10n, escrow: ESCROW_B, token: BAN, amount: -5n, premiumAmount: 3n } }), { now: NOW }), NonPositiveAmountError, "NON_POSITIVE_AMOUNT", { field: "legB.amount" });
      expectError(() => planHedgedSwap(terms({ legB: { chainId: 10n, escrow: ESCROW_B, token: BAN, amount: 5n, premiumAmount: 0n } }), { now: NOW }), NonPositiveAmountError, "NON_POSITIVE_AMOUNT", { field: "legB.premiumAmount" });
    });

    it("unknown chain or a deployment that is not the recorded one → UnknownChainError / UnknownDeploymentError", function () {
      const registry = new DeploymentRegistry([record(1, ESCROW_A)]);
      expectError(() => planHedgedSwap(terms(), { now: NOW, deployments: registry }), UnknownChainError, "UNKNOWN_CHAIN", { chainId: 10n });
      const wrong = new DeploymentRegistry([record(1, ESCROW_B), record(10, ESCROW_B)]);
      expectError(() => planHedgedSwap(terms(), { now: NOW, deployments: wrong }), UnknownDeploymentError, "UNKNOWN_DEPLOYMENT", { chainId: 1n, address: ESCROW_A });
      expectError(() => planHedgedSwap(terms({ legA: { chainId: 1n, token: APR, amount: 1n, premiumAmount: 1n } }), { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "legA.escrow" });
    });

    it("a secret or hashlock that is not 32 bytes → InvalidBytes32Error", function () {
      expectError(() => planHedgedSwap(terms({ secret: "0x1234" }), { now: NOW }), InvalidBytes32Error, "INVALID_BYTES32", { field: "secret" });
      expectError(() => planHedgedSwap(terms({ secret: undefined, hashlock: "0x" + "ab".repeat(33) }), { now: NOW }), InvalidBytes32Error, "INVALID_BYTES32", { field: "hashlock" });
      expectError(() => planHedgedSwap(terms({ secret: undefined, hashlock: "ab".repeat(32) }), { now: NOW }), InvalidBytes32Error, "INVALID_BYTES32");
      expectError(() => planHedgedSwap(terms({ hashlock: "0x" + "00".repeat(32) }), { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "hashlock" });
    });

    it("malformed addresses → InvalidAddressError naming the field (bad hex, bad length, bad checksum)", function () {
      expectError(() => planHedgedSwap(terms({ leader: "0x1234" }), { now: NOW }), InvalidAddressError, "INVALID_ADDRESS", { field: "leader" });
      const badChecksum = BOB.address.slice(0, 2) + (BOB.address.slice(2, 3) === BOB.address.slice(2, 3).toUpperCase() ? BOB.address.slice(2, 3).toLowerCase() : BOB.address.slice(2, 3).toUpperCase()) + BOB.address.slice(3);
      if (badChecksum !== BOB.address) expectError(() => planHedgedSwap(terms({ follower: badChecksum }), { now: NOW }), InvalidAddressError, "INVALID_ADDRESS", { field: "follower" });
      expectError(() => planHedgedSwap(terms({ legA: { chainId: 1n, escrow: "0xzz", token: APR, amount: 1n, premiumAmount: 1n } }), { now: NOW }), InvalidAddressError, "INVALID_ADDRESS", { field: "legA.escrow" });
      expectError(() => planHedgedSwap(terms({ legB: { chainId: 10n, escrow: ESCROW_B, token: "bananas", amount: 1n, premiumAmount: 1n } }), { now: NOW }), InvalidAddressError, "INVALID_ADDRESS", { field: "legB.token" });
    });

    it("the same account on both sides → SamePartyError; a non-hedge leg A premium → InvalidArgumentError", function () {
      expectError(() => planHedgedSwap(terms({ follower: ALICE.address }), { now: NOW }), SamePartyError, "SAME_PARTY");
      const offer = planHedgedSwap(terms(), { now: NOW }).offer;
      expectError(() => planFromOffer({ ...offer, legA: { ...offer.legA, premiumMode: PremiumMode.Option } }, { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "legA.premiumMode" });
    });
  });

  describe("premium relation (§3: leg B's premium covers p_b plus a positive compensation)", function () {
    const premiums = (a: bigint, b: bigint, extra: Partial<LegSideTerms> = {}) =>
      terms({ legA: { chainId: 1n, escrow: ESCROW_A, token: APR, amount: 100n, premiumAmount: a }, legB: { chainId: 10n, escrow: ESCROW_B, token: BAN, amount: 100n, premiumAmount: b, ...extra } });

    it("leg B's premium equal to or below leg A's → PremiumRelationError naming both, for the hedged swap and the option", function () {
      for (const plan of [planHedgedSwap, planOption]) {
        const equal = expectError(() => plan(premiums(1n, 1n), { now: NOW }), PremiumRelationError, "PREMIUM_RELATION", { legBPremium: 1n, legAPremium: 1n });
        expect(equal.details.required).to.equal("legB.premiumAmount > legA.premiumAmount");
        expectError(() => plan(premiums(5n, 3n), { now: NOW }), PremiumRelationError, "PREMIUM_RELATION", { legBPremium: 3n, legAPremium: 5n });
        expect(plan(premiums(5n, 6n), { now: NOW }).legB.leg.premiumAmount).to.equal(6n);
      }
    });

    it("planFromOffer refuses such an offer too (the coordinator's admission), but not when re-deriving an accepted offer (skipTimeChecks)", function () {
      const offer = planHedgedSwap(terms(), { now: NOW }).offer;
      const broken: SwapOffer = { ...offer, legA: { ...offer.legA, premiumAmount: 3n } };
      expectError(() => planFromOffer(broken, { now: NOW }), PremiumRelationError, "PREMIUM_RELATION", { legBPremium: 3n, legAPremium: 3n });
      expect(planFromOffer(broken, { skipTimeChecks: true }).legA.leg.premiumAmount).to.equal(3n);
    });

    it("compares the amounts as agreed units when the premiums are in different tokens (native coin on B)", function () {
      expectError(() => planHedgedSwap(premiums(3n, 2n, { premiumToken: NATIVE }), { now: NOW }), PremiumRelationError, "PREMIUM_RELATION", { legBPremium: 2n, legAPremium: 3n });
      expect(planHedgedSwap(premiums(3n, 4n, { premiumToken: NATIVE }), { now: NOW }).legB.leg.premiumToken).to.equal(NATIVE);
    });

    it("checkPremiumRelation is the same check, exported", function () {
      expect(() => checkPremiumRelation(3n, 1n)).to.not.throw();
      expectError(() => checkPremiumRelation(1n, 1n), PremiumRelationError, "PREMIUM_RELATION", { legBPremium: 1n, legAPremium: 1n });
    });
  });

  describe("zero addresses", function () {
    const ZERO = ZeroAddress;

    it("a zero leader or follower → ZeroAddressError naming the field", function () {
      expectError(() => planHedgedSwap(terms({ leader: ZERO }), { now: NOW }), ZeroAddressError, "ZERO_ADDRESS", { field: "leader" });
      expectError(() => planOption(terms({ follower: ZERO }), { now: NOW }), ZeroAddressError, "ZERO_ADDRESS", { field: "follower" });
      const offer = planHedgedSwap(terms(), { now: NOW }).offer;
      expectError(() => planFromOffer({ ...offer, follower: ZERO }, { now: NOW }), ZeroAddressError, "ZERO_ADDRESS", { field: "follower", value: ZERO });
    });

    it("a zero escrow on either leg → ZeroAddressError, in the terms and in an offer", function () {
      expectError(() => planHedgedSwap(terms({ legA: { chainId: 1n, escrow: ZERO, token: APR, amount: 100n, premiumAmount: 1n } }), { now: NOW }), ZeroAddressError, "ZERO_ADDRESS", { field: "legA.escrow" });
      expectError(() => planOption(terms({ legB: { chainId: 10n, escrow: ZERO, token: BAN, amount: 100n, premiumAmount: 3n } }), { now: NOW }), ZeroAddressError, "ZERO_ADDRESS", { field: "legB.escrow" });
      const offer = planHedgedSwap(terms(), { now: NOW }).offer;
      expectError(() => planFromOffer({ ...offer, legB: { ...offer.legB, escrow: ZERO } }, { now: NOW }), ZeroAddressError, "ZERO_ADDRESS", { field: "legB.escrow" });
      const registry = new DeploymentRegistry([record(1, ESCROW_A), record(10, ESCROW_B)]);
      expectError(() => planFromOffer({ ...offer, legA: { ...offer.legA, escrow: ZERO } }, { now: NOW, deployments: registry }), ZeroAddressError, "ZERO_ADDRESS", { field: "legA.escrow" });
    });

    it("a zero token or premium token is the native coin and stays allowed", function () {
      const plan = planHedgedSwap(
        terms({ legA: { chainId: 1n, escrow: ESCROW_A, token: NATIVE, amount: 100n, premiumToken: NATIVE, premiumAmount: 1n }, legB: { chainId: 10n, escrow: ESCROW_B, token: BAN, amount: 100n, premiumToken: NATIVE, premiumAmount: 3n } }),
        { now: NOW },
      );
      expect([plan.legA.leg.token, plan.legA.leg.premiumToken, plan.legB.leg.premiumToken]).to.deep.equal([NATIVE, NATIVE, NATIVE]);
    });
  });

  describe("unknown keys", function () {
    it("a typo in the terms, a leg's side or an optional key → UnknownKeyError naming the path and the key, with a suggestion", function () {
      const typo = { ...terms(), secrett: SECRET } as unknown as SwapTerms;
      expectError(() => planHedgedSwap(typo, { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "terms", key: "secrett", suggestion: "secret" });
      const legA = { chainId: 1n, escrow: ESCROW_A, token: APR, amount: 100n, premiumAmount: 1n, premiumAmmount: 2n } as LegSideTerms;
      expectError(() => planHedgedSwap(terms({ legA }), { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "terms.legA", key: "premiumAmmount", suggestion: "premiumAmount" });
      // The dangerous case: a typo of an optional key (the escrow would come from the registry, the premium token default to the principal's).
      const registry = new DeploymentRegistry([record(1, ESCROW_A), record(10, ESCROW_B)]);
      const legB = { chainId: 10n, escrowAddres: ESCROW_A, token: BAN, amount: 100n, premiumAmount: 3n } as LegSideTerms;
      expectError(() => planOption(terms({ legB }), { now: NOW, deployments: registry }), UnknownKeyError, "UNKNOWN_KEY", { path: "terms.legB", key: "escrowAddres", suggestion: "escrow" });
      const token = { chainId: 10n, escrow: ESCROW_B, token: BAN, amount: 100n, premiumTokn: NATIVE, premiumAmount: 3n } as LegSideTerms;
      const err = expectError(() => planHedgedSwap(terms({ legB: token }), { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "terms.legB", key: "premiumTokn", suggestion: "premiumToken" });
      expect(err.details.allowed).to.equal("chainId|escrow|token|amount|premiumToken|premiumAmount");
      const far = { ...terms(), colour: "blue" } as unknown as SwapTerms;
      expect(expectError(() => planHedgedSwap(far, { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "terms", key: "colour" }).details).to.not.have.property("suggestion");
    });

    it("an unknown key in an offer or one of its legs given to planFromOffer → UnknownKeyError", function () {
      const offer = planHedgedSwap(terms(), { now: NOW }).offer;
      const legB = { ...offer.legB, premiumMod: PremiumMode.Option };
      expectError(() => planFromOffer({ ...offer, legB }, { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "offer.legB", key: "premiumMod", suggestion: "premiumMode" });
      expectError(() => planFromOffer({ ...offer, signatures: {} } as SwapOffer, { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "offer", key: "signatures" });
    });

    it("an unknown or mistyped key of PlanConfig → UnknownKeyError / InvalidArgumentError", function () {
      const config = { now: NOW, allowSameChian: true } as PlanConfig;
      expectError(() => planHedgedSwap(terms(), config), UnknownKeyError, "UNKNOWN_KEY", { path: "config", key: "allowSameChian", suggestion: "allowSameChain" });
      const offer = planHedgedSwap(terms(), { now: NOW }).offer;
      expectError(() => planFromOffer(offer, { now: NOW, skipTimeCheck: true } as PlanConfig), UnknownKeyError, "UNKNOWN_KEY", { path: "config", key: "skipTimeCheck", suggestion: "skipTimeChecks" });
      expectError(() => planHedgedSwap(terms(), { now: Date.now() } as unknown as PlanConfig), InvalidArgumentError, "INVALID_ARGUMENT", { field: "config.now" });
      expectError(() => planHedgedSwap(terms(), { now: NOW, minDelta: 600 } as unknown as PlanConfig), InvalidArgumentError, "INVALID_ARGUMENT", { field: "config.minDelta" });
      expectError(() => planOption(terms(), { now: NOW, allowSameChain: "yes" } as unknown as PlanConfig), InvalidArgumentError, "INVALID_ARGUMENT", { field: "config.allowSameChain" });
      expectError(() => planHedgedSwap(terms(), { now: NOW, deployments: [] } as unknown as PlanConfig), InvalidArgumentError, "INVALID_ARGUMENT", { field: "config.deployments" });
    });

    it("terms, offers or legs that are not objects → InvalidArgumentError, not a TypeError", function () {
      expectError(() => planHedgedSwap(null as unknown as SwapTerms, { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "terms" });
      expectError(() => planFromOffer(undefined as unknown as SwapOffer, { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "offer" });
      expectError(() => planHedgedSwap(terms({ legA: 5 as unknown as LegSideTerms }), { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "legA" });
      expectError(() => planHedgedSwap(terms(), null as unknown as PlanConfig), InvalidArgumentError, "INVALID_ARGUMENT", { field: "config" });
    });
  });

  describe("offers", function () {
    it("both parties sign; verification passes and the plan rebuilt from the offer is the same", async function () {
      const plan = planHedgedSwap(terms(), { now: NOW });
      const signatures = { leader: await signOffer(ALICE, plan.offer), follower: await signOffer(BOB, plan.offer) };
      expect(() => verifyOfferSignatures({ offer: plan.offer, signatures })).to.not.throw();
      expect(planFromOffer(plan.offer, { now: NOW })).to.deep.equal(plan);
    });

    it("a tampered offer, a swapped or missing signature → InvalidOfferSignatureError naming the party", async function () {
      const plan = planHedgedSwap(terms(), { now: NOW });
      const leader = await signOffer(ALICE, plan.offer);
      const follower = await signOffer(BOB, plan.offer);
      const tampered = { ...plan.offer, legB: { ...plan.offer.legB, amount: 99n } };
      expectError(() => verifyOfferSignatures({ offer: tampered, signatures: { leader, follower } }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "leader" });
      expectError(() => verifyOfferSignatures({ offer: plan.offer, signatures: { leader, follower: leader } }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "follower", recovered: ALICE.address });
      expectError(() => verifyOfferSignatures({ offer: plan.offer, signatures: { leader, follower: "0x" } }), InvalidOfferSignatureError, "INVALID_OFFER_SIGNATURE", { party: "follower", recovered: null });
    });

    it("round-trips through JSON (bigints as decimal strings) and rejects malformed fields", function () {
      const offer = planOption(terms(), { now: NOW }).offer;
      const json = JSON.parse(JSON.stringify(offerToJson(offer))) as Record<string, unknown>;
      expect(json.start).to.equal(T0.toString());
      expect(offerFromJson(json)).to.deep.equal(offer);
      expectError(() => offerFromJson({ ...json, delta: "-1" }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "offer.delta" });
      expectError(() => offerFromJson({ ...json, legB: { ...(json.legB as object), premiumMode: 7 } }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "offer.legB.premiumMode" });
      expectError(() => offerFromJson({ ...json, hashlock: "0x12" }), InvalidBytes32Error, "INVALID_BYTES32", { field: "offer.hashlock" });
    });

    it("the offer digest is pinned (changing the EIP-712 layout must be deliberate)", function () {
      const plan = planHedgedSwap(terms(), { now: NOW });
      expect(plan.id).to.equal(PINNED_OFFER_DIGEST);
    });
  });
});

const PINNED_OFFER_DIGEST = "0x6a79d3119fca3273b4afe8805934dcf222e1ea901194eadf2807a1c295080368";

function record(chainId: number, address: string) {
  return { chainId, contract: "HedgeSwapEscrow", address, deploymentBlock: 1, transactionHash: "0x" + "00".repeat(32), version: "1.0.0", deployedAt: "2026-11-25T00:00:00.000Z" };
}
