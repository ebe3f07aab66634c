/**
 * The oracle of the adversarial cycle property (n = 3, `PROTOCOLS.md` §2, §6, §7): pure, written from
 * the protocol text, not from the code under test. From what the chains show at the end of a run (every
 * agreed arc's events with their blocks, every redeem that published s, the conforming party's looks
 * with the heads it saw) it gives, for the one conforming party P_p (incoming arc p−1, outgoing arc p):
 *
 * 1. **Its exact holdings** (§2's payouts, hedge mode), per chain, from each of its two arcs' ends:
 *
 *    | arc's end            | as redeemer (incoming arc, it deposited π_in) | as escrower (outgoing arc, it locked a_out) |
 *    |----------------------|-----------------------------------------------|---------------------------------------------|
 *    | never created        | 0                                             | 0                                           |
 *    | premium refunded     | 0 (π_in back)                                 | 0                                           |
 *    | redeemed             | +a_in (principal; π_in back in the redeem)    | −a_out                                      |
 *    | refunded (timeout)   | −π_in (to the escrower)                       | +π_out (the redeemer's premium)             |
 *    | aborted              | 0 (π_in back)                                 | 0 (a_out back)                              |
 *
 *    Every other chain's balance is unchanged. The harness compares these with the real balances exactly.
 *
 * 2. **Its guarantee** (§7: "conforming parties never lose"), stated on those two ends:
 *    - principal: its outgoing arc is redeemed only if its incoming arc is redeemed too (it never gives
 *      a_out without receiving a_in);
 *    - premiums: (π_out if the outgoing arc was refunded) − (π_in if the incoming arc was refunded) ≥ 0:
 *      a premium it paid is forfeited only when it is compensated by at least as much. For the leader
 *      (π_in = π_2 = 3 > π_out = π_0 = 1) this says its incoming arc is never refunded: only a leader
 *      that withholds s loses its premium, and a conforming leader never walks away.
 *    - nothing of it is left locked: every arc of its that was created has ended.
 *
 * 3. **Its owed steps** (§7's "only if" column with §6's margins), so that the guarantee cannot be met
 *    by doing nothing: a step is owed when the party looked while its conditions were visible at the
 *    final block (confirmations 2) and it could still land before its deadline with the margins to
 *    spare; an owed step missing from the chain is a failure. Conservatively, no premium or escrow step
 *    is owed once arc 2 was redeemed (the commit) or an arc was aborted.
 */

export const N = 3;

export type ArcEnd = "redeemed" | "refunded" | "premiumRefunded" | "aborted";
export type ArcOutcome = ArcEnd | "never" | "open";

/** Where an event landed: its chain, block number and block timestamp. */
export interface At {
  readonly chain: number;
  readonly block: number;
  readonly ts: bigint;
}

export interface ArcFacts {
  readonly premium?: At;
  readonly escrow?: At;
  readonly end?: At & { readonly kind: ArcEnd };
}

export interface CycleFacts {
  /** Arc 0, 1, 2. */
  readonly arcs: readonly ArcFacts[];
  /** Every block holding a redeem (of any leg on an agreed escrow) that presents s. */
  readonly secret: readonly At[];
  /** The conforming party's looks: the heads (number, timestamp) of chain 0, 1, 2 it saw. */
  readonly looks: readonly { readonly heads: readonly { readonly number: number; readonly ts: bigint }[] }[];
}

export interface CycleTerms {
  readonly start: bigint;
  readonly delta: bigint;
  readonly principals: readonly bigint[];
  readonly premiums: readonly bigint[];
}

export interface CycleFigures {
  readonly confirmations: number;
  /** Seconds before a premium or escrow deadline under which the step is no longer owed. */
  readonly owedMargin: bigint;
  /** The same for the leader's reveal (the reveal margin of §6, and slack). */
  readonly owedReveal: bigint;
  /** The same for a redeem with a public secret. */
  readonly owedRedeem: bigint;
}

export interface CycleVerdict {
  readonly outcomes: readonly ArcOutcome[];
  /** The conforming party's holdings change per chain (final − start). */
  readonly delta: readonly bigint[];
  /** Broken guarantee clauses (empty: kept). */
  readonly broken: readonly string[];
  /** Owed steps not on chain. */
  readonly owedNotTaken: readonly string[];
}

export const premiumDeadline = (t: CycleTerms, i: number) => t.start + BigInt(N - i) * t.delta;
export const escrowDeadline = (t: CycleTerms, i: number) => t.start + BigInt(N + 1 + i) * t.delta;
export const timeoutOf = (t: CycleTerms, i: number) => t.start + BigInt(3 * N - i) * t.delta;

export function outcomeOf(a: ArcFacts): ArcOutcome {
  if (a.end) return a.end.kind;
  return a.premium || a.escrow ? "open" : "never";
}

/** §2's payouts to the conforming party P_p from its two arcs' ends, per chain. */
export function holdingsDelta(t: CycleTerms, p: number, outcomes: readonly ArcOutcome[]): bigint[] {
  const incoming = (p + N - 1) % N;
  const delta = [0n, 0n, 0n];
  const oin = outcomes[incoming]!;
  const oout = outcomes[p]!;
  if (oin === "redeemed") delta[incoming]! += t.principals[incoming]!;
  else if (oin === "refunded") delta[incoming]! -= t.premiums[incoming]!;
  if (oout === "redeemed") delta[p]! -= t.principals[p]!;
  else if (oout === "refunded") delta[p]! += t.premiums[p]!;
  return delta;
}

/** The guarantee's clauses broken by these ends (empty: kept). */
export function guaranteeBroken(t: CycleTerms, p: number, outcomes: readonly ArcOutcome[]): string[] {
  const incoming = (p + N - 1) % N;
  const out: string[] = [];
  const oin = outcomes[incoming]!;
  const oout = outcomes[p]!;
  if (oout === "redeemed" && oin !== "redeemed") out.push(`principal: its outgoing arc ${p} was redeemed but its incoming arc ${incoming} ended ${oin}`);
  const comp = (oout === "refunded" ? t.premiums[p]! : 0n) - (oin === "refunded" ? t.premiums[incoming]! : 0n);
  if (comp < 0n) out.push(`premium: its premium on arc ${incoming} was forfeited (refunded to the escrower) and arc ${p} ${oout === "refunded" ? "paid back less" : `ended ${oout}`}: net ${comp}`);
  for (const i of [incoming, p]) if (outcomes[i] === "open") out.push(`arc ${i} left locked`);
  return out;
}

/** Judges a run for the conforming party P_p. */
export function judgeCycle(t: CycleTerms, p: number, f: CycleFigures, facts: CycleFacts): CycleVerdict {
  const outcomes = facts.arcs.map(outcomeOf);
  const incoming = (p + N - 1) % N;
  const owed: string[] = [];
  const conf = f.confirmations - 1;
  type Heads = CycleFacts["looks"][number]["heads"];
  const final = (e: At | undefined, h: Heads) => e !== undefined && e.block <= h[e.chain]!.number - conf;
  const seen = (e: At | undefined, h: Heads) => e !== undefined && e.block <= h[e.chain]!.number;
  const a = facts.arcs;
  const ended = (i: number, h: Heads) => final(a[i]!.end, h);
  const premiumIn = (i: number, h: Heads) => final(a[i]!.premium, h) && !final(a[i]!.escrow, h) && !ended(i, h);
  const escrowed = (i: number, h: Heads) => final(a[i]!.escrow, h) && !ended(i, h);
  const committed = (h: Heads) => seen(a[N - 1]!.end, h) && a[N - 1]!.end!.kind === "redeemed";
  const aborted = (h: Heads) => a.some((x) => seen(x.end, h) && x.end!.kind === "aborted");
  const owedAt = (cond: (h: Heads) => boolean, chain: number, deadline: bigint, margin: bigint) =>
    facts.looks.find((l) => cond(l.heads) && l.heads[chain]!.ts + margin <= deadline);

  // The premium step of P_p, on its incoming arc: the leader first; then once its outgoing arc's premium is in.
  const pd = premiumDeadline(t, incoming);
  const premiumLook = owedAt((h) => !seen(a[incoming]!.premium, h) && !committed(h) && !aborted(h) && (p === 0 || premiumIn(p, h)), incoming, pd, f.owedMargin);
  if (premiumLook && !a[incoming]!.premium) owed.push(`premium on arc ${incoming} (owed at the look with heads ${fmtHeads(premiumLook.heads)})`);

  // The escrow step of P_p, of its outgoing arc: its premium in, and every other premium in (leader) / arc p−1 escrowed.
  const ed = escrowDeadline(t, p);
  const escrowCond = (h: Heads) =>
    premiumIn(p, h) && !committed(h) && !aborted(h) && (p === 0 ? [1, 2].every((j) => premiumIn(j, h) || escrowed(j, h)) : escrowed(incoming, h));
  const escrowLook = owedAt(escrowCond, p, ed, f.owedMargin);
  if (escrowLook && !a[p]!.escrow) owed.push(`escrow of arc ${p} (owed at the look with heads ${fmtHeads(escrowLook.heads)})`);

  // Its redeem of the incoming arc: the leader's reveal (arcs 2 and 0 escrowed, or arc 0 closed); the others once s is visible.
  const to = timeoutOf(t, incoming);
  if (p === 0) {
    const closed0 = (h: Heads) => !seen(a[0]!.escrow, h) && h[0]!.ts > (a[0]!.premium && final(a[0]!.premium, h) ? escrowDeadline(t, 0) : premiumDeadline(t, 0)) + BigInt(f.confirmations);
    const revealLook = owedAt((h) => escrowed(N - 1, h) && (escrowed(0, h) || closed0(h)), N - 1, to, f.owedReveal);
    if (revealLook && outcomes[N - 1] !== "redeemed") owed.push(`the reveal, a redeem of arc ${N - 1} (owed at the look with heads ${fmtHeads(revealLook.heads)})`);
  } else {
    const visible = (h: Heads) => facts.secret.some((s) => final(s, h));
    const redeemLook = owedAt((h) => escrowed(incoming, h) && visible(h), incoming, to, f.owedRedeem);
    if (redeemLook && outcomes[incoming] !== "redeemed") owed.push(`a redeem of arc ${incoming} with the public s (owed at the look with heads ${fmtHeads(redeemLook.heads)})`);
  }
  return { outcomes, delta: holdingsDelta(t, p, outcomes), broken: guaranteeBroken(t, p, outcomes), owedNotTaken: owed };
}

function fmtHeads(h: CycleFacts["looks"][number]["heads"]): string {
  return h.map((x, i) => `${i}:#${x.number}@${x.ts}`).join(" ");
}
