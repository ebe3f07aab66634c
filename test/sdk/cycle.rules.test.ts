/**
 * The cycle decision rule (`decideCycleNext` in src/sdk/cycleRules.ts, `PROTOCOLS.md` §7) for n = 2 … 8:
 * the happy path walks all 3n steps in order with one actor per step; every "only if" of §7's table
 * withholds its step; the reveal rule (arcs n−1 and 0 escrowed at the final block, or arc 0 closed, with
 * the reveal margin; or s public); middle parties redeem only with a revealed secret; settlements with
 * their grace; the next-step check across chains under measured clock offsets; vows; bad views.
 */
import { expect } from "chai";
import { Wallet } from "ethers";

import {
  CycleSizeError,
  InvalidArgumentError,
  LegState,
  arc0Closed,
  cycleNextOwnStep,
  cycleNextStepCanLand,
  cycleStepDeadline,
  cycleStepSlots,
  decideCycleNext,
  mayRevealCycle,
  planCycle,
  revealMargin,
  type CycleIntent,
  type CyclePlan,
  type CycleView,
  type LegObservation,
} from "../../src/sdk";

const T0 = 1_900_000_000n;
const D = 40n;
const SECRET = "0x" + "77".repeat(32);
const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TOKEN = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
/** 1 s confirmations, 2 s inclusion, 2 s configured skew, 3 s reaction (the coordinator tests' figures). */
const CHAIN = { inclusionTime: 2n, confirmationTime: 1n, clockSkew: 2n };
const REACTION = 3n;
const NS = [2, 3, 4, 5, 6, 7, 8];

const PLANS = new Map<number, CyclePlan>();
function plan(n: number): CyclePlan {
  let p = PLANS.get(n);
  if (!p) {
    const parties = Array.from({ length: n }, (_, i) => new Wallet("0x" + (i + 1).toString(16).padStart(2, "0").repeat(32)).address);
    p = planCycle(
      {
        leader: parties[0]!,
        secret: SECRET,
        start: T0,
        delta: D,
        arcs: parties.map((from, i) => ({ from, to: parties[(i + 1) % n]!, chainId: BigInt(i + 1), escrow: ESCROW, token: TOKEN, amount: 100n })),
        compensations: parties.map(() => 1n),
      },
      { now: T0, minDelta: 1n },
    );
    PLANS.set(n, p);
  }
  return p;
}

const at = (k: number, plus = 0n) => T0 + BigInt(k) * D + plus;
const all = (n: number) => new Set(Array.from({ length: n }, (_, i) => i));
const NONE: LegObservation = { state: LegState.None };
const PREMIUM: LegObservation = { state: LegState.PremiumDeposited };
const ESCROWED: LegObservation = { state: LegState.Escrowed };
const REDEEMED: LegObservation = { state: LegState.None, outcome: "redeemed" };

/** A view of the n-cycle: every party held, nothing on chain, every clock at T0 + 1, the leader's secret known. */
function view(n: number, p: Partial<CycleView> = {}): CycleView {
  const pl = plan(n);
  return {
    n,
    arcs: pl.arcs,
    start: T0,
    delta: D,
    held: all(n),
    observed: Array.from({ length: n }, () => NONE),
    times: Array.from({ length: n }, () => T0 + 1n),
    leaderSecret: SECRET,
    pending: new Set(),
    margins: { reaction: REACTION, chains: Array.from({ length: n }, () => CHAIN) },
    settleGrace: 5n,
    ...p,
  };
}

/** What the chains show once steps 1 … k−1 of the happy path are done, and whether s is public. */
function before(n: number, k: number): { observed: LegObservation[]; revealedSecret?: string } {
  const observed = Array.from({ length: n }, () => NONE);
  for (const slot of cycleStepSlots(n).slice(0, k - 1)) {
    observed[slot.arc] = slot.action === "depositPremium" ? PREMIUM : slot.action === "escrow" ? ESCROWED : REDEEMED;
  }
  return { observed, ...(k > 2 * n + 1 ? { revealedSecret: SECRET } : {}) };
}

/** The view just before step k of the happy path, every clock inside step k's slot. */
function viewBefore(n: number, k: number, p: Partial<CycleView> = {}): CycleView {
  return view(n, { ...before(n, k), times: Array.from({ length: n }, () => at(k - 1, 1n)), ...p });
}

const steps = (v: CycleView) => decideCycleNext(v).intents.filter((i) => i.step !== "settle").map((i) => i.step);
const has = (v: CycleView, k: number) => steps(v).includes(k);

describe("cycle decision rule (decideCycleNext, PROTOCOLS.md §7)", function () {
  describe("the happy path", function () {
    for (const n of NS) {
      it(`n = ${n}: walks the 3n = ${3 * n} steps in order, each taken by its one party on its arc, with the leader's commit at step ${2 * n + 1}`, function () {
        const slots = cycleStepSlots(n);
        let observed: LegObservation[] = Array.from({ length: n }, () => NONE);
        let revealedSecret: string | undefined;
        for (const slot of slots) {
          const k = slot.step;
          const v = view(n, { observed, times: Array.from({ length: n }, () => at(k - 1, 1n)), ...(revealedSecret ? { revealedSecret } : {}) });
          const d = decideCycleNext(v);
          expect(d.missed, `step ${k}`).to.deep.equal([]);
          // Before the reveal exactly one step is open; after it, every redeem not yet done (each by its own party).
          const expected = k <= 2 * n + 1 ? [k] : slots.slice(k - 1).map((s) => s.step);
          expect(d.intents.map((i) => i.step), `step ${k}`).to.deep.equal(expected);
          const intent = d.intents[0]!;
          const want: CycleIntent = { step: k, arc: slot.arc, action: slot.action, party: slot.party, ...(k === 2 * n + 1 ? { commit: true, secret: SECRET } : k > 2 * n + 1 ? { secret: SECRET } : {}) };
          expect(intent).to.deep.equal(want);
          // One actor: holding any single other party's key, the process does not take step k.
          for (let p = 0; p < n; p++) {
            const mine = steps({ ...v, held: new Set([p]) }).includes(k);
            expect(mine, `step ${k}, party ${p}`).to.equal(p === slot.party);
          }
          observed = observed.map((o, i) => (i !== slot.arc ? o : slot.action === "depositPremium" ? PREMIUM : slot.action === "escrow" ? ESCROWED : REDEEMED));
          if (k === 2 * n + 1) revealedSecret = SECRET;
        }
        expect(decideCycleNext(view(n, { observed, revealedSecret: SECRET, times: Array.from({ length: n }, () => at(3 * n, 1n)) })).intents).to.deep.equal([]);
      });
    }

    it("every step's deadline is its arc's premium deadline, escrow deadline or timeout, T0 + kΔ, and each party's next own step is §7's", function () {
      for (const n of NS) {
        for (const slot of cycleStepSlots(n)) expect(cycleStepDeadline(view(n), slot.step), `n ${n} step ${slot.step}`).to.equal(at(slot.step));
        for (let p = 0; p < n; p++) {
          const own = cycleStepSlots(n).filter((s) => s.party === p).map((s) => s.step);
          expect(own, `n ${n} party ${p}`).to.deep.equal(p === 0 ? [1, n + 1, 2 * n + 1] : [n - p + 1, n + 1 + p, 3 * n + 1 - p]);
          expect(cycleNextOwnStep(n, own[0]!)).to.deep.equal({ between: own[1]! - 1, next: own[1] });
          expect(cycleNextOwnStep(n, own[1]!)).to.deep.equal({ between: own[2]! - 1, next: own[2] });
        }
      }
    });
  });

  describe("each 'only if' withholds its step", function () {
    for (const n of NS) {
      it(`n = ${n}: a premium step waits for the previous arc's premium, an escrow for arc i's premium and (arc 0) every premium or (arc i > 0) arc i−1's escrow`, function () {
        for (let k = 2; k <= n; k++) {
          const prev = n - k + 1;
          expect(has(viewBefore(n, k), k), `step ${k}`).to.equal(true);
          for (const wrong of [NONE, ESCROWED, REDEEMED]) {
            const v = viewBefore(n, k);
            expect(has({ ...v, observed: v.observed.map((o, i) => (i === prev ? wrong : o)) }, k), `step ${k}, arc ${prev} ${JSON.stringify(wrong)}`).to.equal(false);
          }
          // An arc already created is not deposited on again.
          const v = viewBefore(n, k);
          expect(has({ ...v, observed: v.observed.map((o, i) => (i === n - k ? PREMIUM : o)) }, k)).to.equal(false);
        }
        // Escrow of arc 0 (step n + 1): every other arc's premium in (deposited or escrowed).
        for (let j = 1; j < n; j++) {
          const v = viewBefore(n, n + 1);
          expect(has({ ...v, observed: v.observed.map((o, i) => (i === j ? NONE : o)) }, n + 1), `arc ${j} missing`).to.equal(false);
          expect(has({ ...v, observed: v.observed.map((o, i) => (i === j ? ESCROWED : o)) }, n + 1), `arc ${j} escrowed early`).to.equal(true);
        }
        for (let i = 0; i < n; i++) {
          const k = n + 1 + i;
          const v = viewBefore(n, k);
          expect(has(v, k), `step ${k}`).to.equal(true);
          expect(has({ ...v, observed: v.observed.map((o, a) => (a === i ? NONE : o)) }, k), `step ${k}: no premium on arc ${i}`).to.equal(false);
          if (i > 0) expect(has({ ...v, observed: v.observed.map((o, a) => (a === i - 1 ? PREMIUM : o)) }, k), `step ${k}: arc ${i - 1} not escrowed`).to.equal(false);
        }
      });
    }

    it("no premium or escrow step once an arc was aborted or arc n−1 was redeemed; none past its deadline; none above haltAfterStep", function () {
      for (const n of [3, 5]) {
        for (let k = 1; k <= 2 * n; k++) {
          const v = viewBefore(n, k);
          const slot = cycleStepSlots(n)[k - 1]!;
          const other = (slot.arc + 1) % n;
          expect(has({ ...v, observed: v.observed.map((o, i) => (i === other ? { state: LegState.Aborted } : o)) }, k), `n ${n} step ${k} aborted`).to.equal(false);
          expect(has({ ...v, observed: v.observed.map((o, i) => (i === other ? { state: LegState.None, outcome: "aborted" } : o)) }, k)).to.equal(false);
          expect(has({ ...v, times: v.times.map(() => at(k, 1n)) }, k), `n ${n} step ${k} late`).to.equal(false);
          expect(has({ ...v, haltAfterStep: k - 1 }, k)).to.equal(false);
          expect(has({ ...v, haltAfterStep: k }, k)).to.equal(true);
          expect(has({ ...v, pending: new Set([`${slot.action}:${slot.arc}`]) }, k)).to.equal(false);
        }
        const v = viewBefore(n, 1);
        expect(has({ ...v, observed: v.observed.map((o, i) => (i === n - 1 ? REDEEMED : o)) }, 1)).to.equal(false);
        // Closer to its deadline than the reaction margin: reported missed, not taken.
        expect(decideCycleNext({ ...v, times: v.times.map(() => at(1, -2n)) }).missed).to.deep.equal([{ step: 1, reason: "deadline", deadline: at(1) }]);
      }
    });
  });

  describe("the reveal (step 2n + 1)", function () {
    for (const n of [2, 3, 4, 8]) {
      const R = 2 * n + 1;
      it(`n = ${n}: refused while arc 0 or arc n−1 is not escrowed at its final block; allowed with arc 0 closed, or s public`, function () {
        const v = viewBefore(n, R);
        expect(has(v, R)).to.equal(true);
        expect(mayRevealCycle(v)).to.equal(true);
        // Arc 0 escrowed at the latest block but not yet at the final one: observed as premium-only, its
        // chain's clock at its escrow deadline (so it is not closed either).
        const arc0NotFinal = { ...v, observed: v.observed.map((o, i) => (i === 0 ? PREMIUM : o)), times: v.times.map((t, i) => (i === 0 ? at(n + 1) : t)) };
        expect(has(arc0NotFinal, R)).to.equal(false);
        expect(mayRevealCycle(arc0NotFinal)).to.equal(false);
        expect(decideCycleNext(arc0NotFinal).missed.filter((m) => m.step === R)).to.deep.equal([]);
        expect(has({ ...v, observed: v.observed.map((o, i) => (i === n - 1 ? PREMIUM : o)) }, R)).to.equal(false);
        // Only the leader holds s: a process holding every other party never reveals.
        expect(has({ ...v, held: new Set([...all(n)].filter((p) => p !== 0)) }, R)).to.equal(false);
        expect(has({ ...v, leaderSecret: undefined }, R)).to.equal(false);
        // s public (seen on a chain): the redeem reveals nothing, arc 0's state no longer matters.
        expect(has({ ...arc0NotFinal, revealedSecret: SECRET }, R)).to.equal(true);
        // Arc 0 closed: past its escrow deadline on its chain by more than the confirmation time, not escrowed.
        const closedAt = plan(n).arcs[0]!.terms.timelocks.escrowDeadline + CHAIN.confirmationTime;
        const closed = { ...arc0NotFinal, times: v.times.map((t, i) => (i === 0 ? closedAt + 1n : t)) };
        expect(arc0Closed(closed)).to.equal(true);
        expect(has(closed, R)).to.equal(true);
        expect(arc0Closed({ ...closed, times: v.times.map((t, i) => (i === 0 ? closedAt : t)) })).to.equal(false);
        expect(arc0Closed({ ...closed, pending: new Set(["escrow:0"]) })).to.equal(false);
      });

      it(`n = ${n}: refused, reported as reveal-margin, when the redeem could be mined after arc n−1's timeout on its chain`, function () {
        const timeout = plan(n).arcs[n - 1]!.terms.timelocks.timeout;
        const margin = revealMargin(CHAIN, REACTION);
        const edge = viewBefore(n, R, { times: Array.from({ length: n }, (_, i) => (i === n - 1 ? timeout - margin : at(R - 1))) });
        expect(has(edge, R)).to.equal(true);
        const late = { ...edge, times: edge.times.map((t, i) => (i === n - 1 ? t + 1n : t)) };
        expect(decideCycleNext(late).intents.filter((i) => i.step === R)).to.deep.equal([]);
        expect(decideCycleNext(late).missed).to.deep.equal([{ step: R, reason: "reveal-margin", deadline: timeout }]);
        // Only arc n−1's chain counts: a slow arc 0 chain does not stop it.
        const slow0 = { ...edge, margins: { reaction: REACTION, chains: edge.margins.chains.map((c, i) => (i === 0 ? { ...c, inclusionTime: 100n } : c)) } };
        expect(has(slow0, R)).to.equal(true);
        // With s public only the timeout counts.
        expect(has({ ...late, revealedSecret: SECRET }, R)).to.equal(true);
      });
    }
  });

  describe("middle parties' redeems (steps 2n + 2 … 3n)", function () {
    for (const n of [3, 4, 6]) {
      it(`n = ${n}: taken only with a secret seen on a chain, never with the leader's own, and not past the arc's timeout`, function () {
        const R = 2 * n + 1;
        const { observed } = before(n, R + 1);
        const noSecret = view(n, { observed, times: Array.from({ length: n }, () => at(R, 1n)), held: new Set([...all(n)].filter((p) => p !== 0)) });
        expect(steps(noSecret)).to.deep.equal([]);
        expect(steps({ ...noSecret, held: all(n) })).to.deep.equal([]);
        const seen = { ...noSecret, revealedSecret: SECRET };
        expect(decideCycleNext(seen).intents).to.deep.equal(
          cycleStepSlots(n).slice(R).map((s) => ({ step: s.step, arc: s.arc, action: "redeem", party: s.party, secret: SECRET })),
        );
        // Arc 1's timeout passed on its chain: its redeem is no longer taken, the others are.
        const t1 = plan(n).arcs[1]!.terms.timelocks.timeout;
        expect(steps({ ...seen, times: seen.times.map((t, i) => (i === 1 ? t1 + 1n : t)) })).to.not.include(3 * n - 1);
      });
    }
  });

  describe("settlements", function () {
    for (const n of [2, 3, 5]) {
      it(`n = ${n}: a premium-only arc past its escrow deadline pays its redeemer P(i+1), an escrowed arc past its timeout its escrower P(i); the other party settles after the grace`, function () {
        for (let i = 0; i < n; i++) {
          const t = plan(n).arcs[i]!.terms.timelocks;
          const settle = (p: number) => ({ step: "settle", arc: i, action: "settle", party: p });
          for (const [obs, deadline, payee, other] of [[PREMIUM, t.escrowDeadline, (i + 1) % n, i], [ESCROWED, t.timeout, i, (i + 1) % n]] as const) {
            // Arc i's chain at `time`, every other chain at T0; only party `held`'s key.
            const at_ = (time: bigint, held: number) => view(n, { observed: Array.from({ length: n }, (_, a) => (a === i ? obs : NONE)), times: Array.from({ length: n }, (_, a) => (a === i ? time : T0)), held: new Set([held]) });
            const settles = (time: bigint, held: number) => decideCycleNext(at_(time, held)).intents.filter((x) => x.step === "settle");
            expect(settles(deadline, payee), `arc ${i} at its deadline`).to.deep.equal([]);
            expect(settles(deadline + 1n, payee)).to.deep.equal([settle(payee)]);
            expect(settles(deadline + 5n, other), `arc ${i} within the grace`).to.deep.equal([]);
            expect(settles(deadline + 6n, other)).to.deep.equal([settle(other)]);
            expect(decideCycleNext({ ...at_(deadline + 6n, payee), pending: new Set([`settle:${i}`]) }).intents.filter((x) => x.step === "settle")).to.deep.equal([]);
            // A process holding neither party of the arc never settles it.
            const third = [...all(n)].find((p) => p !== payee && p !== other);
            if (third !== undefined) expect(settles(deadline + 100n, third)).to.deep.equal([]);
          }
        }
      });
    }
  });

  describe("the next own step must still fit (cycleNextStepCanLand)", function () {
    it("for n = 2 … 8 and every premium and escrow step: fits at the boundary D(k'−1) + offset + seen + needs = D(k') and is refused one second of measured offset later, reported as next-step", function () {
      for (const n of NS) {
        const slots = cycleStepSlots(n);
        for (let k = 1; k <= 2 * n; k++) {
          const { between, next } = cycleNextOwnStep(n, k);
          const [yB, yN] = [slots[between - 1]!.arc, slots[next - 1]!.arc];
          const seen = between >= 2 * n + 1 ? 0n : CHAIN.confirmationTime;
          const needs = next === 2 * n + 1 ? revealMargin(CHAIN, REACTION) : REACTION + CHAIN.inclusionTime + CHAIN.clockSkew;
          const room = D - seen - needs; // the largest offset that still fits
          // Every chain's clock equal to arc 0's but the next step's, `o` ahead.
          const offsets = (o: bigint) => Array.from({ length: n }, (_, i) => (i === yN ? o : 0n));
          const fits = cycleNextStepCanLand(view(n, { clockOffsets: offsets(room) }), k);
          if (yB === yN) {
            // One chain: no offset applies; the step fits with Δ ≥ seen + needs.
            expect(fits, `n ${n} step ${k}`).to.include({ ok: true, offset: 0n, step: next, between });
            continue;
          }
          expect(fits, `n ${n} step ${k}`).to.include({ ok: true, offset: room, step: next, between, startBy: at(between) + room + seen, needs, deadline: at(next) });
          const v = viewBefore(n, k, { clockOffsets: offsets(room + 1n) });
          expect(cycleNextStepCanLand(v, k).ok).to.equal(false);
          expect(decideCycleNext(v).missed, `n ${n} step ${k}`).to.deep.equal([{ step: k, reason: "next-step", deadline: at(k), next: { step: next, deadline: at(next), offset: room + 1n } }]);
          expect(has(viewBefore(n, k, { clockOffsets: offsets(room) }), k), `n ${n} step ${k}`).to.equal(true);
        }
      }
    });

    it("without measured offsets the chains' latest clocks give them; the larger skew of the two chains and the next chain's inclusion time count", function () {
      const n = 3;
      // Party 2's escrow (step 6, arc 2) → its redeem of arc 1 (step 8), after the reveal on arc 2 at step 7 (no confirmation: s at any depth).
      const base = viewBefore(n, 6);
      const room = D - (REACTION + CHAIN.inclusionTime + CHAIN.clockSkew);
      const withTimes = (ahead: bigint) => ({ ...base, times: base.times.map((t, i) => (i === 1 ? t + ahead : t)) });
      expect(cycleNextStepCanLand(withTimes(room), 6)).to.include({ ok: true, offset: room, between: 7, step: 8 });
      expect(cycleNextStepCanLand(withTimes(room + 1n), 6).ok).to.equal(false);
      const skewed = { ...withTimes(room), margins: { reaction: REACTION, chains: [CHAIN, CHAIN, { ...CHAIN, clockSkew: 3n }] } };
      expect(cycleNextStepCanLand(skewed, 6).ok).to.equal(false);
      const slowNext = { ...withTimes(room), margins: { reaction: REACTION, chains: [CHAIN, { ...CHAIN, inclusionTime: 3n }, CHAIN] } };
      expect(cycleNextStepCanLand(slowNext, 6).ok).to.equal(false);
      // Arc 2's confirmations do not count before a redeem.
      const slowSeen = { ...withTimes(room), margins: { reaction: REACTION, chains: [CHAIN, CHAIN, { ...CHAIN, confirmationTime: 30n }] } };
      expect(cycleNextStepCanLand(slowSeen, 6).ok).to.equal(true);
      expect(() => cycleNextStepCanLand(base, 7)).to.throw(InvalidArgumentError);
    });
  });

  describe("vows", function () {
    it("a party that vowed never to escrow deposits no premium and escrows nothing; the others' steps are unaffected", function () {
      for (const n of [3, 4]) {
        for (let p = 0; p < n; p++) {
          for (const slot of cycleStepSlots(n).slice(0, 2 * n)) {
            const v = viewBefore(n, slot.step, { noEscrow: new Set([p]) });
            expect(has(v, slot.step), `n ${n} party ${p} step ${slot.step}`).to.equal(slot.party !== p);
          }
        }
      }
    });

    it("a leader that forswore revealing escrows no arc 0 and does not reveal while arc 0 is at stake; with arc 0 closed, or s public, it redeems", function () {
      const n = 4;
      expect(has(viewBefore(n, n + 1, { noReveal: true }), n + 1)).to.equal(false);
      expect(has(viewBefore(n, 1, { noReveal: true }), 1)).to.equal(true);
      const R = 2 * n + 1;
      const v = viewBefore(n, R, { noReveal: true });
      expect(has(v, R)).to.equal(false);
      expect(mayRevealCycle(v)).to.equal(false);
      const arc0Open = { ...v, observed: v.observed.map((o, i) => (i === 0 ? PREMIUM : o)) };
      const closedAt = plan(n).arcs[0]!.terms.timelocks.escrowDeadline + CHAIN.confirmationTime + 1n;
      expect(has({ ...arc0Open, times: v.times.map((t, i) => (i === 0 ? closedAt : t)) }, R)).to.equal(true);
      expect(has({ ...v, revealedSecret: SECRET }, R)).to.equal(true);
    });
  });

  describe("bad views", function () {
    it("refuses per-arc lists not of length n (InvalidArgumentError naming the field) and n outside 2 … 8 (CycleSizeError)", function () {
      const v = view(3);
      for (const [field, bad] of [
        ["observed", { observed: v.observed.slice(1) }],
        ["times", { times: [...v.times, T0] }],
        ["arcs", { arcs: v.arcs.slice(0, 2) }],
        ["margins.chains", { margins: { reaction: REACTION, chains: [CHAIN] } }],
        ["clockOffsets", { clockOffsets: [0n] }],
      ] as const) {
        expect(() => decideCycleNext({ ...v, ...bad }), field).to.throw(InvalidArgumentError).with.nested.property("details.field", field);
      }
      expect(() => decideCycleNext({ ...v, n: 9 })).to.throw(CycleSizeError);
      expect(() => decideCycleNext({ ...v, n: 1 })).to.throw(CycleSizeError);
      expect(() => cycleStepDeadline(v, 10)).to.throw(InvalidArgumentError);
      expect(() => cycleStepDeadline(v, 0)).to.throw(InvalidArgumentError);
    });
  });
});
