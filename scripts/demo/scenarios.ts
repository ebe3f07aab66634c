/**
 * The demo's scenarios: the matrix of `PROTOCOLS.md` with a = 100 APR on chain A, b = 100 BAN on
 * chain B, Bob's premium of 1 APR on leg A and Alice's of 3 BAN on leg B (p_a + p_b, with p_a = 2 and
 * p_b = 1; the option's fee f = 2). Each says which party's coordinator deviates (halts after step k),
 * where the demo fast-forwards the chains' clocks, and the balances it must end with.
 *
 * APR and BAN are different assets: an amount of one is never added to or set off against an amount
 * of the other in what the demo prints (a net change is "+1 APR, −3 BAN", never "−2").
 */

/** Balances in whole tokens. */
export interface Holdings {
  readonly aliceAPR: bigint;
  readonly aliceBAN: bigint;
  readonly bobAPR: bigint;
  readonly bobBAN: bigint;
}

/** What Alice and Bob hold before the swap (the demo mints it): Alice 100 APR + 3 BAN, Bob 1 APR + 100 BAN. */
export const INITIAL: Holdings = { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n };

/** One party's change per asset, each asset on its own: "+1 APR, −3 BAN"; "no change" when nothing moved. */
export function netChange(before: Holdings, after: Holdings, party: "alice" | "bob"): string {
  const parts = (["APR", "BAN"] as const).flatMap((asset) => {
    const key = `${party}${asset}` as keyof Holdings;
    const d = after[key] - before[key];
    return d === 0n ? [] : [`${d > 0n ? "+" : "−"}${d < 0n ? -d : d} ${asset}`];
  });
  return parts.length === 0 ? "no change" : parts.join(", ");
}

/** One demo scenario. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly kind: "hedged-swap" | "option";
  readonly aliceHalt?: number;
  readonly bobHalt?: number;
  /** The status (as Alice's coordinator records it) after which nothing more happens until the deadlines. */
  readonly jumpAt?: string;
  readonly expected: Holdings;
  /** Who the premiums paid, in one sentence. */
  readonly premiums: string;
}

/** Every scenario `npm run demo -- --scenario <name>` accepts. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "happy",
    title: "hedged swap, everyone conforms (S6)",
    kind: "hedged-swap",
    expected: { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n },
    premiums: "Both premiums went back to their depositors in the redeem transactions: Bob's 1 APR to Bob, Alice's 3 BAN to Alice.",
  },
  {
    name: "bob-never-escrows",
    title: "Bob deposits his premium but never escrows (S3)",
    kind: "hedged-swap",
    bobHalt: 2,
    jumpAt: "escrowedA",
    expected: { aliceAPR: 101n, aliceBAN: 3n, bobAPR: 0n, bobBAN: 100n },
    premiums: "Bob's premium of 1 APR (p_b) went to Alice, whose 100 APR sat locked for nothing; her own 3 BAN came back.",
  },
  {
    name: "alice-withholds",
    title: "Alice never reveals the secret: the sore-loser attack (S4)",
    kind: "hedged-swap",
    aliceHalt: 4,
    jumpAt: "escrowedB",
    expected: { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n },
    premiums: "Alice's deposit of 3 BAN (p_a + p_b) went to Bob, the sore loser's penalty; Bob's 1 APR (p_b) went to Alice on chain A.",
  },
  {
    name: "bob-never-redeems",
    title: "Bob never redeems after Alice revealed (S5)",
    kind: "hedged-swap",
    bobHalt: 5,
    jumpAt: "redeemedB",
    expected: { aliceAPR: 101n, aliceBAN: 103n, bobAPR: 0n, bobBAN: 0n },
    premiums: "Only the deviator loses: Alice gets her 100 APR back with Bob's 1 APR premium, and the 100 BAN with her own 3 BAN premium.",
  },
  {
    name: "option",
    title: "HTLC option, exercised",
    kind: "option",
    expected: { aliceAPR: 0n, aliceBAN: 100n, bobAPR: 101n, bobBAN: 3n },
    premiums: "Alice's deposit of 3 BAN (the fee f plus p_b) went to Bob, the writer: the option's fee was earned; Bob's 1 APR came back to him.",
  },
  {
    name: "option-unexercised",
    title: "HTLC option left unexercised",
    kind: "option",
    aliceHalt: 4,
    jumpAt: "escrowedB",
    expected: { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n },
    premiums: "Bob kept Alice's deposit of 3 BAN (the fee f plus p_b); Alice received Bob's 1 APR premium on chain A.",
  },
];

/** The scenario called `name`; throws with the list of names when there is none. */
export function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return found;
}
