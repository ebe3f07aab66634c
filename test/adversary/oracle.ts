/**
 * The oracle of the adversarial suite: a small, pure model of the two-party hedged swap
 * (`PROTOCOLS.md` §2–§4, §6) that says, from what happened on the chains, what a conforming party
 * must end with. It is written from the protocol's rules, not from the code under test:
 *
 * - **the contract's payout rules** (§2): how each agreed leg pays its escrower and redeemer for each
 *   way it can end (never created, premium refunded, redeemed, refunded, aborted), hedge or option;
 * - **the conforming party's rules** (§3, §5): a step is taken only after what it depends on is
 *   visible and final (the chain's confirmation depth), the leader reveals only once leg B is escrowed
 *   with the agreed terms and its own leg A is escrowed too or can no longer be, a secret seen on a
 *   chain is used at once, a party that consented to the abort of its incoming leg takes no later step
 *   that would put its own asset at stake;
 * - **the timing rule** (§6): a step is *owed* (the party must have taken it) when the party looked at
 *   the chains (a coordinator round, a `recover` call) while the step's conditions held and the step
 *   could still land before its deadline with every margin of §6 (inclusion time + confirmations ×
 *   block interval + clock skew + reaction margin) and some slack to spare — and, with the figures of
 *   `NextStepFigures`, only while the party's next own step, on the other chain's clock as the heads
 *   show it, could still land after the counterparty's step in between at its deadline (issue 16,
 *   defect 3). A step that was never
 *   owed (the party was down, or looked too late) may or may not be taken; the model follows what the
 *   chain shows, but a step taken that the rules forbid is left out of the model's world.
 *
 * The counterparty's actions come from the chain and are taken as they are when the model's world
 * allows them (e.g. its redeem of leg A only counts once the model's leader revealed s by redeeming
 * leg B; an abort only with a consent the conforming party handed out). The model's final leg
 * outcomes give the conforming party's exact holdings; a counterparty's gifts (legs it locked to the
 * party and that were redeemed) are added by the caller. A second check, the *guarantee*, is the
 * promise itself: the model's holdings are never below the worst row of the scenario matrix that the
 * counterparty can steer to while the party follows the protocol (with its own missed steps, the row
 * where it stopped).
 */

/** Which parties the harness runs as conforming, and how. */
export type Mode = "alice" | "bob" | "recover" | "both";
export type LegName = "A" | "B";
export type Role = "leader" | "follower";
export type Step = 1 | 2 | 3 | 4 | 5 | 6;
export type Outcome = "never" | "premiumRefunded" | "redeemed" | "refunded" | "aborted";

/** One agreed leg's amounts (leg A: the leader escrows, the follower redeems; leg B the other way round). */
export interface LegAmounts {
  readonly principal: bigint;
  readonly premium: bigint;
  /** Option mode: on a redeem the premium goes to the escrower (§4). */
  readonly option: boolean;
}

/** What the model needs of the agreed swap. */
export interface Terms {
  readonly start: bigint;
  readonly delta: bigint;
  readonly legA: LegAmounts;
  readonly legB: LegAmounts;
}

/** The conforming party's figures (§6). */
export interface Figures {
  /** Blocks that make a state final (1 = the including block). */
  readonly confirmations: number;
  /** Seconds before a deadline under which a step (1–5) is no longer owed. */
  readonly owedMargin: bigint;
  /** The same for step 6 (a redeem with a public secret, which reveals nothing new). */
  readonly owedMarginRedeem: bigint;
  /**
   * The next-step rule's figures (issue 16, defect 3), seconds, the same on both chains. Given, a step
   * k of 1–4 is owed only if the party's next own step k + 2 still fits under the clocks it saw; without
   * them the model owes steps 1–4 as if the chains' clocks agreed (the harness keeps them within 2 s).
   */
  readonly nextStep?: NextStepFigures;
}

/**
 * The conforming party's next-step rule, modelled: before step k (1–4) the counterparty's step k + 1
 * may land at its deadline D(k+1); on the chain of step k + 2 that is D(k+1) plus the heads' offset
 * (that chain's head time minus the head time of step k + 1's chain; 0 on one chain). Then the party
 * sees it (`confirmationTime`; nothing before step 6, which uses s at once), reacts and is included
 * (`reaction + inclusionTime + clockSkew`; before the reveal, step 5, `inclusionTime +
 * confirmationTime + clockSkew + reaction`). It must fit before D(k+2) with `slack` to spare for the
 * step to be owed.
 */
export interface NextStepFigures {
  readonly confirmationTime: bigint;
  readonly inclusionTime: bigint;
  readonly clockSkew: bigint;
  readonly reaction: bigint;
  /** Seconds on top, so that the model never owes a step the party's own rule may just refuse. */
  readonly slack: bigint;
}

/** The kinds of leg event the model reads. */
export type LegEventKind = "premium" | "escrow" | "redeem" | "refund" | "premiumRefund" | "abort";

/** One event of an agreed leg, or a redeem of any other leg with the swap's secret (`leg: "other"`). */
export interface LegEvent {
  readonly leg: LegName | "other";
  readonly kind: LegEventKind;
  /** Transaction hash, for reports. */
  readonly tx?: string;
}

/** The heads a party saw when it looked. */
export interface Heads {
  readonly A: { readonly number: number; readonly ts: bigint };
  readonly B: { readonly number: number; readonly ts: bigint };
}

/** The harness's timeline, in the order things happened (`seq` increasing). */
export type Entry =
  /** A block that is part of the final chain, with the events of this swap it holds. */
  | { readonly seq: number; readonly type: "block"; readonly chain: LegName; readonly number: number; readonly ts: bigint; readonly events: readonly LegEvent[] }
  /** The conforming party looked at the chains and acted (a coordinator round, or a `recover` call). */
  | { readonly seq: number; readonly type: "look"; readonly by: "coordinator" | "recover"; readonly heads: Heads }
  /** The conforming party handed out its consent to the abort of its incoming leg (`leg`). */
  | { readonly seq: number; readonly type: "consent"; readonly leg: LegName; readonly heads: Heads }
  /** The conforming leader lost its state (recover mode): from here on it only runs `recover`. */
  | { readonly seq: number; readonly type: "loss" };

interface Ev {
  readonly seq: number;
  /** Set for a real event: its chain and block. */
  readonly chain?: LegName;
  readonly block?: number;
  /** A step the party owed and did not take: it exists in the model's world only. */
  readonly virtual?: boolean;
}

interface LegModel {
  premium?: Ev;
  escrow?: Ev;
  redeem?: Ev;
  abort?: Ev;
}

/** What the model concludes. */
export interface Verdict {
  readonly outcomes: Readonly<Record<LegName, Outcome>>;
  /** Expected holdings of each conforming party, in the agreed assets of chains A and B (no gifts). */
  readonly holdings: Partial<Record<"alice" | "bob", { readonly A: bigint; readonly B: bigint }>>;
  /** The least value (A + B, 1:1 as in the matrix) each conforming party is promised. */
  readonly guarantee: Partial<Record<"alice" | "bob", { readonly value: bigint; readonly rows: readonly string[] }>>;
  /** Steps the party owed and did not take (they exist in the model only). */
  readonly owedNotTaken: readonly string[];
  /** Chain events the model's world leaves out (a step the rules forbid, a counterparty action it could not take there). */
  readonly leftOut: readonly string[];
}

const STEP_LEG: Record<Step, LegName> = { 1: "B", 2: "A", 3: "A", 4: "B", 5: "B", 6: "A" };
const STEP_ROLE: Record<Step, Role> = { 1: "leader", 2: "follower", 3: "leader", 4: "follower", 5: "leader", 6: "follower" };
/** The step an event of an agreed leg is, by leg and kind (an abort is the escrower's). */
const STEP_OF: Partial<Record<`${LegName}:${LegEventKind}`, Step>> = { "B:premium": 1, "A:premium": 2, "A:escrow": 3, "B:escrow": 4, "B:redeem": 5, "A:redeem": 6 };

export function conformingRoles(mode: Mode): ReadonlySet<Role> {
  return new Set<Role>(mode === "bob" ? ["follower"] : mode === "both" ? ["leader", "follower"] : ["leader"]);
}

/** §2's payouts of one leg, as changes against the holdings before the leg was created. */
function legDelta(l: LegAmounts, o: Outcome): { escrower: bigint; redeemer: bigint } {
  if (o === "redeemed") return { escrower: -l.principal + (l.option ? l.premium : 0n), redeemer: l.principal - (l.option ? l.premium : 0n) };
  if (o === "refunded") return { escrower: l.premium, redeemer: -l.premium };
  return { escrower: 0n, redeemer: 0n };
}

/** Holdings of both parties after the two legs ended so; the start is the matrix's (Alice a + her deposit on B, Bob p_b + b). */
export function holdingsAfter(t: Terms, a: Outcome, b: Outcome): { alice: { A: bigint; B: bigint }; bob: { A: bigint; B: bigint } } {
  const dA = legDelta(t.legA, a);
  const dB = legDelta(t.legB, b);
  return {
    alice: { A: t.legA.principal + dA.escrower, B: t.legB.premium + dB.redeemer },
    bob: { A: t.legA.premium + dA.redeemer, B: t.legB.principal + dB.escrower },
  };
}

/** The scenario matrix's rows as leg outcomes (S0–S6, §3). */
export const ROWS: readonly (readonly [Outcome, Outcome])[] = [
  ["never", "never"],
  ["never", "premiumRefunded"],
  ["premiumRefunded", "premiumRefunded"],
  ["refunded", "premiumRefunded"],
  ["refunded", "refunded"],
  ["refunded", "redeemed"],
  ["redeemed", "redeemed"],
];

/**
 * The promise for one conforming role: the least value over the rows the counterparty can steer to
 * (it stops before any of its own steps) while the party takes each of its steps; with `ownStop`,
 * the first step the party itself did not take although it had to, it ends at most at that row.
 */
export function guaranteeOf(t: Terms, role: Role, ownStop: Step | undefined, bothConforming: boolean): { value: bigint; rows: string[] } {
  const rows: number[] = [];
  const last = ownStop === undefined ? 6 : ownStop - 1;
  for (let step = 1; step <= last; step++) if (!bothConforming && STEP_ROLE[step as Step] !== role) rows.push(step - 1);
  rows.push(last);
  const value = (j: number) => {
    const h = holdingsAfter(t, ROWS[j]![0], ROWS[j]![1])[role === "leader" ? "alice" : "bob"];
    return h.A + h.B;
  };
  const unique = [...new Set(rows)];
  return { value: unique.map(value).reduce((x, y) => (y < x ? y : x)), rows: unique.map((j) => `S${j}`) };
}

/** Runs the model over the harness's timeline. */
export function judge(mode: Mode, terms: Terms, figures: Figures, timeline: readonly Entry[]): Verdict {
  const roles = conformingRoles(mode);
  const d = (k: number) => terms.start + BigInt(k) * terms.delta;
  const legs: Record<LegName, LegModel> = { A: {}, B: {} };
  const consents: Record<LegName, number[]> = { A: [], B: [] };
  const leftOut: string[] = [];
  const owedNotTaken: string[] = [];
  /** Steps whose conditions held at a look when the party could no longer land them in time (or had lost its state). */
  const lateOrLost = new Set<Step>();
  const owedAt = new Map<Step, bigint>();
  let revealed: Ev | undefined;
  let lostAt: number | undefined;
  /** A redeem of leg A by the counterparty (leader conforming) or by a process holding both keys: valid only if leg B was redeemed. */
  let redeemAPending: { ev: Ev; what: string } | undefined;

  const conforming = (s: Step) => roles.has(STEP_ROLE[s]);
  const consentedBefore = (leg: LegName, seq: number) => consents[leg].some((c) => c < seq);
  // What the party can have seen is what is on chain: a step that exists in the model only (owed, not
  // taken) never makes another step owed.
  const final = (ev: Ev | undefined, at: { seq: number; heads: Heads }) =>
    ev !== undefined && !ev.virtual && ev.seq < at.seq && ev.block! <= at.heads[ev.chain!].number - (figures.confirmations - 1);
  const seen = (ev: Ev | undefined, at: { seq: number }) => ev !== undefined && !ev.virtual && ev.seq < at.seq;
  const firstOf = (...evs: (Ev | undefined)[]) => evs.filter((e): e is Ev => e !== undefined).sort((x, y) => x.seq - y.seq)[0];
  const publicSecret = () => firstOf(legs.B.redeem, revealed);

  /** May (conforming) or can (counterparty) this event count in the model's world, given the model's state? */
  const admit = (leg: LegName, kind: LegEventKind, seq: number): string | undefined => {
    const A = legs.A;
    const B = legs.B;
    const step = STEP_OF[`${leg}:${kind}`];
    if (kind === "abort") {
      // The escrower aborts with the redeemer's consent; a conforming escrower never does so here.
      const redeemerRole: Role = leg === "A" ? "follower" : "leader";
      const m = legs[leg];
      if (!m.premium && !m.escrow) return "an abort of a leg that does not exist in the model";
      // A consented abort that front-runs the party's owed redeem (never landed: a virtual one) wins the race.
      if (m.redeem && !(m.redeem.virtual && consentedBefore(leg, seq))) return "an abort of a redeemed leg";
      if (roles.has(redeemerRole) && !consentedBefore(leg, seq)) return `an abort of leg ${leg} without the conforming party's consent`;
      return undefined;
    }
    if (step === undefined) return undefined;
    if (conforming(step)) {
      switch (step) {
        case 1:
          return undefined;
        case 2:
          return B.premium ? undefined : "step 2 before leg B's premium was in";
        case 3:
          if (!A.premium) return "step 3 without leg A's premium";
          if (consentedBefore("B", seq)) return "step 3 after consenting to the abort of leg B";
          if (B.redeem) return "step 3 after the secret was public";
          return undefined;
        case 4:
          if (!A.escrow) return "step 4 before leg A was escrowed";
          if (!B.premium) return "step 4 without leg B's premium";
          if (consentedBefore("A", seq)) return "step 4 after consenting to the abort of leg A";
          return undefined;
        case 5:
          return B.escrow ? undefined : "a redeem of leg B that is not escrowed in the model";
        case 6:
          if (!A.escrow) return "a redeem of leg A that is not escrowed in the model";
          return undefined;
      }
    }
    switch (step) {
      case 1:
      case 2:
        return undefined;
      case 3:
        return A.premium ? undefined : "the counterparty's step 3 without leg A's premium in the model";
      case 4:
        return B.premium ? undefined : "the counterparty's step 4 without leg B's premium in the model";
      case 5:
        return B.escrow ? undefined : "the counterparty's redeem of leg B, not escrowed in the model";
      case 6:
        return A.escrow ? undefined : "the counterparty's redeem of leg A, not escrowed in the model";
    }
  };

  /** Records an event; a real one replaces the same step owed earlier (the party took it). */
  const apply = (leg: LegName, kind: "premium" | "escrow" | "redeem" | "abort", ev: Ev): void => {
    const m = legs[leg];
    const known = m[kind];
    if (known === undefined || (known.virtual && !ev.virtual)) m[kind] = ev;
  };
  const fieldOf = (s: Step) => (s === 1 || s === 2 ? "premium" : s === 3 || s === 4 ? "escrow" : "redeem") as "premium" | "escrow" | "redeem";

  /** Is step `s` owed at this look? "owed", "late" (conditions hold, too late or lost), or undefined. */
  const owed = (s: Step, look: { seq: number; by: "coordinator" | "recover"; heads: Heads }): "owed" | "late" | undefined => {
    const A = legs.A;
    const B = legs.B;
    const at = look;
    const tA = look.heads.A.ts;
    const tB = look.heads.B.ts;
    const lost = lostAt !== undefined && look.seq > lostAt;
    let conditions = false;
    let time = 0n;
    let margin = figures.owedMargin;
    switch (s) {
      case 1:
        conditions = !B.premium && !B.escrow;
        time = tB;
        break;
      case 2:
        conditions = final(B.premium, at) && !A.premium && !B.abort && !A.abort;
        time = tA;
        break;
      case 3:
        conditions = final(A.premium, at) && final(B.premium, at) && !A.escrow && !A.abort && !B.abort && !B.redeem && !consentedBefore("B", look.seq);
        time = tA;
        break;
      case 4:
        conditions = final(A.escrow, at) && final(B.premium, at) && !B.escrow && !B.abort && !A.abort && !A.redeem && !consentedBefore("A", look.seq) && !seen(publicSecret(), at);
        time = tB;
        break;
      case 5: {
        const aDead = !A.escrow && (tA > d(3) || (!final(A.premium, at) && tA > d(2)));
        // After a consent to abort leg B the leader reveals only once leg A is dead (nothing at stake).
        conditions = final(B.escrow, at) && !B.redeem && !B.abort && (consentedBefore("B", look.seq) ? aDead : final(A.escrow, at) || aDead);
        time = tB;
        break;
      }
      case 6:
        conditions = final(A.escrow, at) && !A.redeem && !A.abort && seen(publicSecret(), at);
        time = tA;
        margin = figures.owedMarginRedeem;
        break;
    }
    if (!conditions) return undefined;
    // After losing its state the leader only recovers: it starts no step 1 or 3.
    if (lost && (s === 1 || s === 3)) return "late";
    if (look.by === "recover" && (s === 1 || s === 3)) return undefined;
    if (time + margin > d(s)) return "late";
    // The party's own next step must still land under the clocks it saw (else it stops here).
    if ((s === 1 || s === 2 || s === 3 || s === 4) && !nextStepFits(s, look.heads)) return "late";
    return "owed";
  };
  /** Does step s + 2 still fit if the counterparty's step s + 1 lands at its deadline? (`NextStepFigures`) */
  const nextStepFits = (s: 1 | 2 | 3 | 4, heads: Heads): boolean => {
    const f = figures.nextStep;
    if (f === undefined) return true;
    const between = (s + 1) as Step;
    const next = (s + 2) as Step;
    const offset = STEP_LEG[between] === STEP_LEG[next] ? 0n : heads[STEP_LEG[next]].ts - heads[STEP_LEG[between]].ts;
    const see = between === 5 ? 0n : f.confirmationTime;
    const act = next === 5 ? f.inclusionTime + f.confirmationTime + f.clockSkew + f.reaction : f.reaction + f.inclusionTime + f.clockSkew;
    return d(between) + offset + see + act + f.slack <= d(next);
  };

  for (const e of timeline) {
    if (e.type === "loss") {
      lostAt = e.seq;
      continue;
    }
    if (e.type === "consent") {
      consents[e.leg].push(e.seq);
      continue;
    }
    if (e.type === "block") {
      for (const x of e.events) {
        const ev: Ev = { seq: e.seq, chain: e.chain, block: e.number };
        const what = `${x.leg === "other" ? "a redeem of another leg with the swap's secret" : `leg ${x.leg} ${x.kind}`} (chain ${e.chain} block ${e.number} t=${e.ts - terms.start}${x.tx ? ` tx ${x.tx.slice(0, 10)}` : ""})`;
        if (x.leg === "other") {
          if (x.kind !== "redeem") continue;
          // A reveal elsewhere: by the counterparty leader, a fact; by the conforming leader (its own
          // secret on a leg it did not agree to), a leak the model's leader never makes.
          if (roles.has("leader") && !legs.B.redeem) leftOut.push(`${what}: the conforming leader's secret leaked before it redeemed leg B`);
          else revealed ??= ev;
          continue;
        }
        if (x.kind === "refund" || x.kind === "premiumRefund") continue; // settlements: the model derives them
        const why = admit(x.leg, x.kind, e.seq);
        if (why !== undefined) {
          leftOut.push(`${what}: ${why}`);
          continue;
        }
        if (x.leg === "A" && x.kind === "redeem" && (!roles.has("follower") || roles.has("leader"))) {
          // Without the leader's reveal, a redeem of leg A means the leader's secret leaked (or a process
          // holding both keys used it for the follower): it counts only if leg B is redeemed in the model.
          redeemAPending = { ev, what };
          continue;
        }
        if (x.kind === "abort" && legs[x.leg].redeem?.virtual) delete legs[x.leg].redeem;
        apply(x.leg, x.kind, ev);
      }
      continue;
    }
    // A look: every step the party owes now exists in the model from here on.
    for (const s of [1, 2, 3, 4, 5, 6] as const) {
      if (!conforming(s)) continue;
      if (legs[STEP_LEG[s]][fieldOf(s)]) continue;
      const o = owed(s, e);
      if (o === "late") lateOrLost.add(s);
      if (o !== "owed") continue;
      owedAt.set(s, e.heads[STEP_LEG[s]].ts - terms.start);
      apply(STEP_LEG[s], fieldOf(s), { seq: e.seq, virtual: true });
    }
  }
  if (redeemAPending) {
    if (legs.B.redeem && legs.A.escrow && !legs.A.abort) apply("A", "redeem", redeemAPending.ev);
    else leftOut.push(`${redeemAPending.what}: the secret was not public (leg B never redeemed) in the model`);
  }
  for (const s of [1, 2, 3, 4, 5, 6] as const) {
    if (legs[STEP_LEG[s]][fieldOf(s)]?.virtual) owedNotTaken.push(`step ${s} (owed from the party's look at t=${owedAt.get(s)}, never on chain)`);
  }

  const outcome = (m: LegModel): Outcome => {
    if (m.escrow) {
      const end = firstOf(m.redeem, m.abort);
      return end === undefined ? "refunded" : end === m.abort ? "aborted" : "redeemed";
    }
    if (m.premium) return m.abort ? "aborted" : "premiumRefunded";
    return "never";
  };
  const outcomes = { A: outcome(legs.A), B: outcome(legs.B) };
  const h = holdingsAfter(terms, outcomes.A, outcomes.B);
  const holdings: Verdict["holdings"] = {};
  const guarantee: Verdict["guarantee"] = {};
  // The party's own stop: the first of its steps it did not take, that it could no longer take in time
  // when it looked (a stall, or a lost state).
  const taken = (s: Step) => legs[STEP_LEG[s]][fieldOf(s)] !== undefined;
  const ownStop = ([1, 2, 3, 4, 5, 6] as const).find((s) => conforming(s) && !taken(s) && lateOrLost.has(s));
  // The matrix has no row for a counterparty that takes a step of its own after an earlier step was
  // skipped, by either side (e.g. the follower escrows leg B without its premium on leg A, or after the
  // leader missed its escrow of leg A). While the party takes its steps the
  // rule still keeps it at or above every row (it redeems such a leg B); once the party itself missed a
  // step (a stall, a lost state), no row applies, and only the exact model of the run is checked.
  const steps = [1, 2, 3, 4, 5, 6] as const;
  const outOfTurn = steps.some((s2) => !conforming(s2) && taken(s2) && steps.some((s1) => s1 < s2 && !taken(s1)));
  const promise = (role: Role) => (ownStop !== undefined && outOfTurn ? { value: 0n, rows: ["none (own step missed after the counterparty stepped out of turn)"] } : guaranteeOf(terms, role, ownStop, mode === "both"));
  if (roles.has("leader")) {
    holdings.alice = h.alice;
    guarantee.alice = promise("leader");
  }
  if (roles.has("follower")) {
    holdings.bob = h.bob;
    guarantee.bob = promise("follower");
  }
  return { outcomes, holdings, guarantee, owedNotTaken, leftOut };
}
