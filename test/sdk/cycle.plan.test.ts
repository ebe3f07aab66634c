/**
 * The cycle planner (`PROTOCOLS.md` §7), offline: n = 2 … 8 plans against §7's deadline, premium and
 * step formulas computed here independently; the n = 3 example with its exact figures, including a small
 * payout model of §2 run over the plan's legs that reproduces §7's holdings table; n = 2 against
 * `planHedgedSwap` (same legs, leg ids, premiums, deadlines and steps); pricing by one rate; and every
 * bad input with its typed error and fields.
 */
import { expect } from "chai";
import { Wallet, getAddress } from "ethers";

import {
  CyclePremiumError,
  CycleSizeError,
  DeadlineInPastError,
  DeadlinesUnorderedError,
  DeltaTooSmallError,
  DeltaUnsafeError,
  DeploymentRegistry,
  DuplicatePartyError,
  HorizonExceededError,
  InvalidArgumentError,
  MAX_TIMELOCK_HORIZON,
  NonPositiveAmountError,
  NotACycleError,
  PremiumMode,
  SameChainError,
  UnknownChainError,
  UnknownDeploymentError,
  UnknownKeyError,
  checkCycleSchedule,
  cycleCompensations,
  cycleOfferDigest,
  hashlockOf,
  hedgeLockTimes,
  legId,
  planCycle,
  planFromCycleOffer,
  planHedgedSwap,
  suggestHedgePremiums,
  unpackTimelocks,
  type CycleArcTerms,
  type CyclePlan,
  type CycleTerms,
  type HedgeSwapError,
} from "../../src/sdk";

const SECRET = "0x" + "5a".repeat(32);
const T0 = 1_900_000_000n;
const D = 3600n;
const NOW = T0 - 60n;
const WALLETS = Array.from({ length: 9 }, (_, i) => new Wallet("0x" + (i + 1).toString(16).padStart(2, "0").repeat(32)));
const ESCROWS = Array.from({ length: 9 }, (_, i) => getAddress("0x" + "e" + (i + 1).toString(16) + "00".repeat(19)));
const TOKENS = Array.from({ length: 9 }, (_, i) => getAddress("0x" + "7" + (i + 1).toString(16) + "00".repeat(19)));
const chainOf = (i: number) => BigInt(100 + i);

function arcs(n: number, premiums?: readonly bigint[]): CycleArcTerms[] {
  return Array.from({ length: n }, (_, i) => ({
    from: WALLETS[i]!.address,
    to: WALLETS[(i + 1) % n]!.address,
    chainId: chainOf(i),
    escrow: ESCROWS[i]!,
    token: TOKENS[i]!,
    amount: 100n,
    ...(premiums ? { premiumAmount: premiums[i]! } : {}),
  }));
}

function terms(n: number, patch: Partial<CycleTerms> = {}): CycleTerms {
  return { leader: WALLETS[0]!.address, secret: SECRET, start: T0, delta: D, arcs: arcs(n), compensations: Array.from({ length: n }, () => 1n), ...patch };
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
  expect(err.details).to.deep.include(details);
  return err;
}

function record(chainId: bigint, address: string) {
  return { chainId: Number(chainId), contract: "HedgeSwapEscrow", address, deploymentBlock: 1, transactionHash: "0x" + "00".repeat(32), version: "1.0.0", deployedAt: "2026-11-25T00:00:00.000Z" };
}

// ---- A small model of §2's payouts over a plan, for §7's holdings table. ----

type Holdings = bigint[][]; // [party][chain index]

/**
 * Runs the 3n steps of `plan` with `deviator` taking no step after global step `stopAfter` (everyone else
 * conforming: a step ≤ 2n is taken only if every earlier step was, the reveal likewise, a later redeem
 * whenever s is public), then settles every arc by §2's hedge rules. Returns each party's holdings per
 * chain, starting from `start`.
 */
function simulate(plan: CyclePlan, start: Holdings, deviator: number | null, stopAfter: number): Holdings {
  const n = plan.n;
  const h = start.map((r) => [...r]);
  const premiumIn = new Array<boolean>(n).fill(false);
  const escrowed = new Array<boolean>(n).fill(false);
  const redeemed = new Array<boolean>(n).fill(false);
  let allSoFar = true;
  let revealed = false;
  for (const s of plan.steps) {
    const acts = s.actor !== deviator || s.step <= stopAfter;
    const arc = plan.arcs[s.arc]!;
    const redeemer = (s.arc + 1) % n;
    if (s.action === "redeem") {
      const may = s.step === 2 * n + 1 ? allSoFar : revealed;
      if (acts && may && escrowed[s.arc]) {
        redeemed[s.arc] = true;
        if (s.step === 2 * n + 1) revealed = true;
      }
      continue;
    }
    if (!(acts && allSoFar)) {
      allSoFar = false;
      continue;
    }
    if (s.action === "depositPremium") {
      premiumIn[s.arc] = true;
      h[redeemer]![s.arc]! -= arc.leg.premiumAmount;
    } else {
      escrowed[s.arc] = true;
      h[s.arc]![s.arc]! -= arc.leg.amount;
    }
  }
  for (let i = 0; i < n; i++) {
    const { amount, premiumAmount } = plan.arcs[i]!.leg;
    const redeemer = (i + 1) % n;
    if (!premiumIn[i]) continue;
    if (!escrowed[i]) h[redeemer]![i]! += premiumAmount;
    else if (redeemed[i]) h[redeemer]![i]! += amount + premiumAmount;
    else h[i]![i]! += amount + premiumAmount;
  }
  return h;
}

describe("SDK cycle planner (§7)", function () {
  describe("n = 2 … 8 against §7's formulas", function () {
    for (let n = 2; n <= 8; n++) {
      it(`n = ${n}: deadlines (n−i)Δ, (n+1+i)Δ, (3n−i)Δ; premiums c_0+…+c_i; legs and ids; the 3n steps`, function () {
        const comps = Array.from({ length: n }, (_, j) => BigInt(j + 2) * 3n);
        const plan = planCycle(terms(n, { compensations: comps }), { now: NOW });
        expect(plan.n).to.equal(n);
        expect(plan.parties).to.deep.equal(WALLETS.slice(0, n).map((w) => w.address));
        expect(plan.compensations).to.deep.equal(comps);
        expect(plan.end).to.equal(T0 + BigInt(3 * n) * D);
        expect(plan.id).to.equal(cycleOfferDigest(plan.offer));
        let sum = 0n;
        for (let i = 0; i < n; i++) {
          sum += comps[i]!;
          const arc = plan.arcs[i]!;
          expect(arc.index).to.equal(i);
          expect(arc.terms.timelocks).to.deep.equal({ premiumDeadline: T0 + BigInt(n - i) * D, escrowDeadline: T0 + BigInt(n + 1 + i) * D, timeout: T0 + BigInt(3 * n - i) * D, mode: PremiumMode.Hedge });
          expect(unpackTimelocks(arc.leg.timelocks)).to.deep.equal(arc.terms.timelocks);
          expect(arc.leg).to.include({ escrower: WALLETS[i]!.address, redeemer: WALLETS[(i + 1) % n]!.address, token: TOKENS[i], amount: 100n, premiumToken: TOKENS[i], premiumAmount: sum, hashlock: hashlockOf(SECRET) });
          expect(arc.compensation).to.equal(comps[i]);
          expect(arc.id).to.equal(legId(arc.leg, { chainId: chainOf(i), escrow: ESCROWS[i]! }));
        }
        // The steps, from §7's table: k = 1…n premiums backwards, n+1+i escrows forwards, 2n+1 reveal, then redeems backwards.
        const expected: [number, number, number, string][] = [];
        for (let k = 1; k <= n; k++) expected.push([k, (n - k + 1) % n, n - k, "depositPremium"]);
        for (let i = 0; i < n; i++) expected.push([n + 1 + i, i, i, "escrow"]);
        expected.push([2 * n + 1, 0, n - 1, "redeem"]);
        for (let j = 1; j <= n - 1; j++) expected.push([2 * n + 1 + j, n - j, n - 1 - j, "redeem"]);
        expect(plan.steps.map((s) => [s.step, s.actor, s.arc, s.action])).to.deep.equal(expected);
        expect(plan.steps).to.have.length(3 * n);
        for (const s of plan.steps) {
          expect(s.deadline).to.equal(T0 + BigInt(s.step) * D);
          expect(s.party).to.equal(WALLETS[s.actor]!.address);
          const leg = plan.arcs[s.arc]!.leg;
          const t = plan.arcs[s.arc]!.terms.timelocks;
          // Each step's deadline is its arc's own deadline for that action.
          const own = s.action === "depositPremium" ? t.premiumDeadline : s.action === "escrow" ? t.escrowDeadline : t.timeout;
          expect(own).to.equal(s.deadline);
          // The premium's depositor is the arc's redeemer, the escrower its payer, the redeemer its payee.
          expect(s.party).to.equal(s.action === "escrow" ? leg.escrower : leg.redeemer);
          expect(s.amount).to.equal(s.action === "depositPremium" ? leg.premiumAmount : s.action === "escrow" ? leg.amount : 0n);
        }
        // Conforming parties never lose (every asset valued 1:1), whoever deviates wherever.
        const start = WALLETS.slice(0, n).map((_, p) => Array.from({ length: n }, (_, c) => (c === p ? 100n : 0n) + (c === (p + n - 1) % n ? plan.arcs[c]!.leg.premiumAmount : 0n)));
        const total = (h: Holdings, p: number) => h[p]!.reduce((a, b) => a + b, 0n);
        for (let dev = 0; dev < n; dev++) {
          for (let stop = 0; stop <= 3 * n; stop++) {
            const end = simulate(plan, start, dev, stop);
            for (let p = 0; p < n; p++) if (p !== dev) expect(total(end, p) >= total(start, p), `n=${n} deviator ${dev} after ${stop}: party ${p}`).to.equal(true);
          }
        }
      });
    }
  });

  describe("§7's n = 3 example", function () {
    const plan = planCycle(terms(3), { now: NOW });
    const start: Holdings = [[100n, 0n, 3n], [1n, 100n, 0n], [0n, 2n, 100n]];

    it("arc premiums 1, 2, 3 (the leader deposits 3 on arc 2); deadlines in Δ: arc 0 (3, 4, 9), arc 1 (2, 5, 8), arc 2 (1, 6, 7)", function () {
      expect(plan.arcs.map((a) => a.leg.premiumAmount)).to.deep.equal([1n, 2n, 3n]);
      expect(plan.arcs.map((a) => [a.terms.timelocks.premiumDeadline, a.terms.timelocks.escrowDeadline, a.terms.timelocks.timeout].map((t) => (t - T0) / D))).to.deep.equal([
        [3n, 4n, 9n],
        [2n, 5n, 8n],
        [1n, 6n, 7n],
      ]);
      const [A, B, C] = WALLETS.map((w) => w.address);
      expect(plan.steps.map((s) => [s.step, s.party, s.arc, s.action, s.amount])).to.deep.equal([
        [1, A, 2, "depositPremium", 3n],
        [2, C, 1, "depositPremium", 2n],
        [3, B, 0, "depositPremium", 1n],
        [4, A, 0, "escrow", 100n],
        [5, B, 1, "escrow", 100n],
        [6, C, 2, "escrow", 100n],
        [7, A, 2, "redeem", 0n],
        [8, C, 1, "redeem", 0n],
        [9, B, 0, "redeem", 0n],
      ]);
    });

    // §7's table: [deviator (0 A, 1 B, 2 C, null nobody), stop points, A, B, C].
    const rows: [number | null, number[], bigint[], bigint[], bigint[]][] = [
      [null, [9], [0n, 0n, 103n], [101n, 0n, 0n], [0n, 102n, 0n]],
      [0, [1, 2, 3], [100n, 0n, 3n], [1n, 100n, 0n], [0n, 2n, 100n]],
      [1, [0, 1, 2], [100n, 0n, 3n], [1n, 100n, 0n], [0n, 2n, 100n]],
      [2, [0, 1], [100n, 0n, 3n], [1n, 100n, 0n], [0n, 2n, 100n]],
      [2, [2], [101n, 0n, 3n], [0n, 102n, 0n], [0n, 0n, 100n]],
      [1, [3], [101n, 0n, 3n], [0n, 100n, 0n], [0n, 2n, 100n]],
      [0, [4, 5, 6], [101n, 0n, 0n], [0n, 102n, 0n], [0n, 0n, 103n]],
      [1, [5], [101n, 0n, 103n], [0n, 0n, 0n], [0n, 102n, 0n]],
      [2, [6, 7], [0n, 0n, 103n], [101n, 102n, 0n], [0n, 0n, 0n]],
    ];
    for (const [dev, stops, A, B, C] of rows) {
      it(`holdings: ${dev === null ? "nobody deviates" : `${"ABC"[dev]} stops after step ${stops.join(" or ")}`} → A ${A.join(",")} B ${B.join(",")} C ${C.join(",")}`, function () {
        for (const stop of stops) expect(simulate(plan, start, dev, stop)).to.deep.equal([A, B, C]);
      });
    }
  });

  describe("n = 2 is the two-party planner", function () {
    it("planCycle(n = 2) yields planHedgedSwap's legs, leg ids, premiums, deadlines and steps (not its id: the offer types differ)", function () {
      const [alice, bob] = WALLETS;
      const two = planHedgedSwap(
        {
          leader: alice!.address, follower: bob!.address, secret: SECRET, start: T0, delta: D,
          legA: { chainId: chainOf(0), escrow: ESCROWS[0]!, token: TOKENS[0]!, amount: 100n, premiumAmount: 1n },
          legB: { chainId: chainOf(1), escrow: ESCROWS[1]!, token: TOKENS[1]!, amount: 100n, premiumAmount: 3n },
        },
        { now: NOW },
      );
      const cycle = planCycle(terms(2, { compensations: [1n, 2n] }), { now: NOW });
      for (const [i, leg] of [two.legA, two.legB].entries()) {
        expect(cycle.arcs[i]!.leg).to.deep.equal(leg.leg);
        expect(cycle.arcs[i]!.id).to.equal(leg.id);
        expect(cycle.arcs[i]!.at).to.deep.equal(leg.at);
        expect(cycle.arcs[i]!.terms).to.deep.equal(leg.terms);
      }
      const strip = (s: { step: number; party: string; action: string; deadline: bigint; token: string; amount: bigint }) => [s.step, s.party, s.action, s.deadline, s.token, s.amount];
      expect(cycle.steps.map(strip)).to.deep.equal(two.steps.map(strip));
      expect(cycle.steps.map((s) => (s.arc === 0 ? "A" : "B"))).to.deep.equal(two.steps.map((s) => s.leg));
      expect(cycle.end).to.equal(two.end);
      expect(cycle.id).to.not.equal(two.id);
    });

    it("one rate priced per party's lock-up window: n = 2 gives suggestHedgePremiums's pB, pA over hedgeLockTimes", function () {
      const amounts = [10n ** 18n, 5n * 10n ** 17n];
      const rate = 0.4;
      const two = suggestHedgePremiums({ amountA: amounts[0]!, amountB: amounts[1]!, ...hedgeLockTimes(D), rate });
      expect(cycleCompensations({ amounts, delta: D, rate })).to.deep.equal([two.pB, two.pA]);
      const t = terms(2, { compensations: undefined, compensationRate: rate, arcs: arcs(2).map((a, i) => ({ ...a, amount: amounts[i]! })) });
      expect(planCycle(t, { now: NOW }).arcs.map((a) => a.leg.premiumAmount)).to.deep.equal([two.pB, two.pB + two.pA]);
    });

    it("n = 4 by one rate: c_j = ⌈a_j(e^{r·(2n−2j)Δ} − 1)⌉, arc premiums their running sums", function () {
      const rate = 0.5;
      const a = 10n ** 18n;
      const comps = cycleCompensations({ amounts: [a, a, a, a], delta: D, rate });
      const expected = [8, 6, 4, 2].map((k) => {
        const growth = Math.expm1((rate * k * Number(D)) / (365 * 86400));
        return BigInt(Math.ceil(Number(a) * growth)); // close to the exact ceiling at these magnitudes
      });
      comps.forEach((c, j) => expect(Number(c - expected[j]!)).to.be.within(-1024, 1024));
      expect(comps[0]! > comps[1]! && comps[1]! > comps[2]! && comps[2]! > comps[3]!).to.equal(true);
      const plan = planCycle(terms(4, { compensations: undefined, compensationRate: rate, arcs: arcs(4).map((x) => ({ ...x, amount: a })) }), { now: NOW });
      expect(plan.compensations).to.deep.equal(comps);
    });
  });

  describe("terms", function () {
    it("explicit premiums per arc; escrows from the deployment registry; a premium asset of its own", function () {
      const registry = new DeploymentRegistry([0, 1, 2].map((i) => record(chainOf(i), ESCROWS[i]!)));
      const t = terms(3, { compensations: undefined, arcs: arcs(3, [2n, 5n, 6n]).map(({ escrow: _e, ...a }, i) => (i === 1 ? { ...a, premiumToken: TOKENS[8]! } : a)) });
      const plan = planCycle(t, { now: NOW, deployments: registry });
      expect(plan.arcs.map((a) => a.at.escrow)).to.deep.equal(ESCROWS.slice(0, 3));
      expect(plan.compensations).to.deep.equal([2n, 3n, 1n]);
      expect(plan.arcs[1]!.leg.premiumToken).to.equal(TOKENS[8]);
      expect(plan.steps[1]).to.include({ token: TOKENS[8], amount: 5n });
    });

    it("planFromCycleOffer re-plans the offer to the same plan; skipTimeChecks re-plans a started cycle", function () {
      const plan = planCycle(terms(5), { now: NOW });
      expect(planFromCycleOffer(plan.offer, { now: NOW })).to.deep.equal(plan);
      expect(planFromCycleOffer(plan.offer, { now: plan.end, skipTimeChecks: true }).id).to.equal(plan.id);
    });
  });

  describe("bad input → typed errors with the failing values", function () {
    it("n < 2 or n > 8 → CycleSizeError", function () {
      expectError(() => planCycle(terms(1, { compensations: [1n] }), { now: NOW }), CycleSizeError, "CYCLE_SIZE", { n: 1, min: 2, max: 8 });
      const nine = Array.from({ length: 9 }, (_, i) => ({ from: WALLETS[i]!.address, to: WALLETS[(i + 1) % 9]!.address, chainId: BigInt(200 + i), escrow: ESCROWS[0]!, token: TOKENS[0]!, amount: 1n, premiumAmount: BigInt(i + 1) }));
      expectError(() => planCycle(terms(2, { arcs: nine, compensations: undefined }), { now: NOW }), CycleSizeError, "CYCLE_SIZE", { n: 9 });
      const offer = planCycle(terms(3), { now: NOW }).offer;
      expectError(() => planFromCycleOffer({ ...offer, arcs: offer.arcs.slice(0, 2) }, { now: NOW }), CycleSizeError, "CYCLE_SIZE", { n: 2, min: 3, max: 3 });
    });

    it("arcs that are not one closed cycle → NotACycleError naming the arc; a leader not paying arc 0 likewise", function () {
      const broken = arcs(4);
      broken[1] = { ...broken[1]!, to: WALLETS[3]!.address };
      expectError(() => planCycle(terms(4, { arcs: broken }), { now: NOW }), NotACycleError, "NOT_A_CYCLE", { arc: 1, to: WALLETS[3]!.address, nextArc: 2, nextFrom: WALLETS[2]!.address });
      const open = arcs(3);
      open[2] = { ...open[2]!, to: WALLETS[5]!.address };
      expectError(() => planCycle(terms(3, { arcs: open }), { now: NOW }), NotACycleError, "NOT_A_CYCLE", { arc: 2, nextArc: 0, nextFrom: WALLETS[0]!.address });
      expectError(() => planCycle(terms(3, { leader: WALLETS[1]!.address }), { now: NOW }), NotACycleError, "NOT_A_CYCLE", { leader: WALLETS[1]!.address, arc0From: WALLETS[0]!.address });
      // Two sub-cycles A → B → A and C → D → C, listed in order.
      const two = [
        { ...arcs(2)[0]! }, { ...arcs(2)[1]! },
        { ...arcs(4)[2]!, to: WALLETS[3]!.address }, { ...arcs(4)[3]!, to: WALLETS[2]!.address },
      ];
      expectError(() => planCycle(terms(4, { arcs: two }), { now: NOW }), NotACycleError, "NOT_A_CYCLE", { arc: 1, to: WALLETS[0]!.address, nextFrom: WALLETS[2]!.address });
    });

    it("a party twice → DuplicatePartyError with its two positions (terms and offer)", function () {
      const a = arcs(4);
      const dup = [a[0]!, { ...a[1]!, to: WALLETS[0]!.address }, { ...a[2]!, from: WALLETS[0]!.address }, a[3]!];
      expectError(() => planCycle(terms(4, { arcs: dup }), { now: NOW }), DuplicatePartyError, "DUPLICATE_PARTY", { party: WALLETS[0]!.address, first: 0, second: 2 });
      const offer = planCycle(terms(3), { now: NOW }).offer;
      expectError(() => planFromCycleOffer({ ...offer, parties: [offer.parties[0]!, offer.parties[1]!, offer.parties[1]!] }, { now: NOW }), DuplicatePartyError, "DUPLICATE_PARTY", { first: 1, second: 2 });
    });

    it("an arc on a chain with no known deployment → UnknownChainError; a wrong escrow → UnknownDeploymentError; no escrow, no registry → InvalidArgumentError", function () {
      const registry = new DeploymentRegistry([record(chainOf(0), ESCROWS[0]!), record(chainOf(1), ESCROWS[1]!)]);
      expectError(() => planCycle(terms(3), { now: NOW, deployments: registry }), UnknownChainError, "UNKNOWN_CHAIN", { chainId: chainOf(2) });
      const noEscrow = arcs(3).map(({ escrow: _e, ...a }) => a);
      expectError(() => planCycle(terms(3, { arcs: noEscrow }), { now: NOW, deployments: registry }), UnknownChainError, "UNKNOWN_CHAIN", { chainId: chainOf(2) });
      const wrong = new DeploymentRegistry([0, 1, 2].map((i) => record(chainOf(i), ESCROWS[(i + 1) % 3]!)));
      expectError(() => planCycle(terms(3), { now: NOW, deployments: wrong }), UnknownDeploymentError, "UNKNOWN_DEPLOYMENT", { chainId: chainOf(0), address: ESCROWS[0] });
      expectError(() => planCycle(terms(3, { arcs: noEscrow }), { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "arcs[0].escrow" });
    });

    it("Δ below minDelta → DeltaTooSmallError; unsafe on the slowest chain (§6) → DeltaUnsafeError naming it", function () {
      expectError(() => planCycle(terms(3, { delta: 599n }), { now: NOW }), DeltaTooSmallError, "DELTA_TOO_SMALL", { delta: 599n, minDelta: 600n });
      const fast = { inclusionTime: 12n, confirmationTime: 24n, clockSkew: 5n };
      const slow = { inclusionTime: 600n, confirmationTime: 2400n, clockSkew: 30n };
      const safety = new Map([[chainOf(0), fast], [chainOf(1), slow], [chainOf(2), fast]]);
      // seen 2400 + land 3000 + skew 30 + reaction 30 = 5460 > 3600.
      expectError(() => planCycle(terms(3), { now: NOW, safety }), DeltaUnsafeError, "DELTA_UNSAFE", { delta: D, required: 5460n, chainId: chainOf(1) });
      expect(planCycle(terms(3, { delta: 5460n }), { now: NOW, safety }).offer.delta).to.equal(5460n);
      expectError(() => planCycle(terms(3, { delta: 5459n }), { now: NOW, safety }), DeltaUnsafeError, "DELTA_UNSAFE", { required: 5460n });
      expect(planCycle(terms(3), { now: NOW, safety: new Map([[chainOf(0), fast], [chainOf(1), fast], [chainOf(2), fast]]) }).n).to.equal(3);
      expectError(() => planCycle(terms(3), { now: NOW, safety: new Map([[chainOf(0), fast]]) }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "config.safety", value: chainOf(1) });
    });

    it("premiums that break §7's rule → CyclePremiumError (arc, premium, previous); a premium other than the compensations' → CyclePremiumError (expected)", function () {
      expectError(() => planCycle(terms(3, { compensations: undefined, arcs: arcs(3, [1n, 2n, 2n]) }), { now: NOW }), CyclePremiumError, "CYCLE_PREMIUM", { arc: 2, premium: 2n, previous: 2n });
      expectError(() => planCycle(terms(4, { compensations: undefined, arcs: arcs(4, [3n, 2n, 4n, 5n]) }), { now: NOW }), CyclePremiumError, "CYCLE_PREMIUM", { arc: 1, premium: 2n, previous: 3n });
      expectError(() => planCycle(terms(3, { arcs: arcs(3, [1n, 2n, 4n]) }), { now: NOW }), CyclePremiumError, "CYCLE_PREMIUM", { arc: 2, premium: 4n, expected: 3n });
      expectError(() => planCycle(terms(3, { compensations: undefined, arcs: arcs(3, [0n, 2n, 4n]) }), { now: NOW }), NonPositiveAmountError, "NON_POSITIVE_AMOUNT", { field: "arcs[0].premiumAmount" });
      expectError(() => planCycle(terms(3, { compensations: [1n, 0n, 1n] }), { now: NOW }), NonPositiveAmountError, "NON_POSITIVE_AMOUNT", { field: "compensations[1]" });
      expectError(() => planCycle(terms(3, { compensations: [1n, 1n] }), { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "terms.compensations" });
      expectError(() => planCycle(terms(3, { compensations: undefined }), { now: NOW }), InvalidArgumentError, "INVALID_ARGUMENT", { field: "arcs[0].premiumAmount" });
    });

    it("deadlines out of §7's order → DeadlinesUnorderedError naming the pair", function () {
      const plan = planCycle(terms(3), { now: NOW });
      const legs = plan.arcs.map((a) => a.terms);
      expect(() => checkCycleSchedule(legs)).to.not.throw();
      const swapped = legs.map((l, i) => (i === 1 ? { ...l, timelocks: { ...l.timelocks, timeout: legs[2]!.timelocks.timeout } } : l));
      const err = expectError(() => checkCycleSchedule(swapped), DeadlinesUnorderedError, "DEADLINES_UNORDERED", { "arcs[1].timeout": T0 + 7n * D });
      expect(err.shortMessage).to.equal("arcs[2].timeout must be before arcs[1].timeout");
      const late = legs.map((l, i) => (i === 0 ? { ...l, timelocks: { ...l.timelocks, escrowDeadline: T0 + 5n * D } } : l));
      expectError(() => checkCycleSchedule(late), DeadlinesUnorderedError, "DEADLINES_UNORDERED", { "arcs[0].escrowDeadline": T0 + 5n * D, "arcs[1].escrowDeadline": T0 + 5n * D });
      const reparented = legs.map((l, i) => (i === 1 ? { ...l, redeemer: WALLETS[0]!.address } : l));
      expectError(() => checkCycleSchedule(reparented), NotACycleError, "NOT_A_CYCLE", { arc: 1 });
    });

    it("past first deadline → DeadlineInPastError; beyond the horizon (T0 + 3nΔ) → HorizonExceededError", function () {
      expectError(() => planCycle(terms(3), { now: T0 + D }), DeadlineInPastError, "DEADLINE_IN_PAST", { deadline: T0 + D, now: T0 + D });
      const delta = 11n * 86400n; // 3·8·11 days > 180
      expectError(() => planCycle(terms(8, { delta }), { now: NOW }), HorizonExceededError, "HORIZON_EXCEEDED", { deadline: T0 + 24n * delta, latest: NOW + MAX_TIMELOCK_HORIZON });
    });

    it("two arcs on one chain → SameChainError unless allowSameChain", function () {
      const same = arcs(3).map((a, i) => (i === 2 ? { ...a, chainId: chainOf(0) } : a));
      expectError(() => planCycle(terms(3, { arcs: same }), { now: NOW }), SameChainError, "SAME_CHAIN", { chainId: chainOf(0) });
      expect(planCycle(terms(3, { arcs: same }), { now: NOW, allowSameChain: true }).arcs[2]!.at.chainId).to.equal(chainOf(0));
    });

    it("unknown keys in terms, arcs, config and offer → UnknownKeyError with path and suggestion", function () {
      expectError(() => planCycle({ ...terms(3), compensation: [1n] } as unknown as CycleTerms, { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "terms", key: "compensation", suggestion: "compensations" });
      const a = arcs(3);
      const typo = [a[0]!, { ...a[1]!, premiumAmmount: 2n } as unknown as CycleArcTerms, a[2]!];
      expectError(() => planCycle(terms(3, { arcs: typo }), { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "terms.arcs[1]", key: "premiumAmmount", suggestion: "premiumAmount" });
      expectError(() => planCycle(terms(3), { now: NOW, minDleta: 1n } as never), UnknownKeyError, "UNKNOWN_KEY", { path: "config", key: "minDleta", suggestion: "minDelta" });
      const offer = planCycle(terms(3), { now: NOW }).offer;
      expectError(() => planFromCycleOffer({ ...offer, leader: WALLETS[0]!.address } as never, { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "offer", key: "leader" });
      expectError(() => planFromCycleOffer({ ...offer, arcs: [offer.arcs[0]!, offer.arcs[1]!, { ...offer.arcs[2]!, premiumMode: 1 } as never] }, { now: NOW }), UnknownKeyError, "UNKNOWN_KEY", { path: "offer.arcs[2]", key: "premiumMode" });
    });
  });
});
