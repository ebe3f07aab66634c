/**
 * The demo's scenarios: the matrix of `PROTOCOLS.md` with a = 100 APR on chain A, b = 100 BAN on
 * chain B, p_a = 2, p_b = 1 (option fee f = 2). Each says which party's coordinator deviates (halts
 * after step k), where the demo fast-forwards the chains' clocks, and the balances it must end with.
 */

/** Final balances in whole tokens. */
export interface Holdings {
  readonly aliceAPR: bigint;
  readonly aliceBAN: bigint;
  readonly bobAPR: bigint;
  readonly bobBAN: bigint;
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
    premiums: "Both premiums went back to their depositors in the redeem transactions: nobody gained or lost.",
  },
  {
    name: "bob-never-escrows",
    title: "Bob deposits his premium but never escrows (S3)",
    kind: "hedged-swap",
    bobHalt: 2,
    jumpAt: "escrowedA",
    expected: { aliceAPR: 101n, aliceBAN: 3n, bobAPR: 0n, bobBAN: 100n },
    premiums: "Bob's premium p_b = 1 APR went to Alice, whose 100 APR sat locked for nothing; her own premium came back.",
  },
  {
    name: "alice-withholds",
    title: "Alice never reveals the secret: the sore-loser attack (S4)",
    kind: "hedged-swap",
    aliceHalt: 4,
    jumpAt: "escrowedB",
    expected: { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n },
    premiums: "Alice's deposit p_a + p_b = 3 BAN went to Bob: he nets p_a = 2 after paying her p_b = 1 on chain A.",
  },
  {
    name: "bob-never-redeems",
    title: "Bob never redeems after Alice revealed (S5)",
    kind: "hedged-swap",
    bobHalt: 5,
    jumpAt: "redeemedB",
    expected: { aliceAPR: 101n, aliceBAN: 103n, bobAPR: 0n, bobBAN: 0n },
    premiums: "Only the deviator loses: Alice keeps her APR (and Bob's premium) and gets the BAN.",
  },
  {
    name: "option",
    title: "HTLC option, exercised",
    kind: "option",
    expected: { aliceAPR: 0n, aliceBAN: 100n, bobAPR: 101n, bobBAN: 3n },
    premiums: "Alice's deposit f + p_b = 3 BAN went to Bob, the writer: the option fee was earned.",
  },
  {
    name: "option-unexercised",
    title: "HTLC option left unexercised",
    kind: "option",
    aliceHalt: 4,
    jumpAt: "escrowedB",
    expected: { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n },
    premiums: "Bob kept Alice's deposit of 3 BAN (fee f = 2 plus p_b = 1, which covers the 1 APR premium Alice receives on chain A).",
  },
];

/** The scenario called `name`; throws with the list of names when there is none. */
export function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return found;
}
