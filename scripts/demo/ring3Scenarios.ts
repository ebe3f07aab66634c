/**
 * The demo's three-party scenarios: `PROTOCOLS.md` §7 with n = 3, a_i = 100 and c = 1. Alice (P0, the
 * leader), Bob (P1) and Carol (P2) swap around one cycle: arc 0 pays Alice's 100 APR to Bob on chain A,
 * arc 1 Bob's 100 BAN to Carol on chain B, arc 2 Carol's 100 CHE to Alice on chain C; the arcs'
 * premiums are 1 APR (Bob's), 2 BAN (Carol's) and 3 CHE (Alice's). Each scenario says whose
 * coordinator deviates (halts after step k), when the demo fast-forwards the chains' clocks, and §7's
 * row of expected holdings.
 *
 * APR, BAN and CHE are different assets: an amount of one is never added to or set off against an
 * amount of another in what the demo prints.
 */

/** The parties, P0 … P2. */
export const RING3_PARTIES = ["Alice", "Bob", "Carol"] as const;
/** The chains (arc i on chain i) and their assets. */
export const RING3_CHAINS = [
  { name: "A", chainId: 31361n, symbol: "APR", token: "Apricot" },
  { name: "B", chainId: 31362n, symbol: "BAN", token: "Banana" },
  { name: "C", chainId: 31363n, symbol: "CHE", token: "Cherry" },
] as const;

/** Holdings in whole tokens, `[party][chain]` (Alice, Bob, Carol × APR, BAN, CHE), as §7 writes them. */
export type Ring3Holdings = readonly (readonly bigint[])[];

/** §7's start: A:100,0,3 B:1,100,0 C:0,2,100 (the demo mints it). */
export const RING3_INITIAL: Ring3Holdings = [
  [100n, 0n, 3n],
  [1n, 100n, 0n],
  [0n, 2n, 100n],
];

/** One three-party scenario. */
export interface Ring3Scenario {
  readonly name: string;
  readonly title: string;
  readonly kind: "cycle";
  /** The deviator, if any: its party index and the last step it takes. */
  readonly halt?: { readonly party: number; readonly afterStep: number };
  /**
   * After this global step has landed and every coordinator records `jumpAt` (or `aborting`), nothing
   * happens before the deadlines: the demo moves every chain's clock forward.
   */
  readonly jumpAfterStep?: number;
  readonly jumpAt?: string;
  /** §7's row. */
  readonly expected: Ring3Holdings;
  /** Who the premiums paid, in one sentence. */
  readonly premiums: string;
}

/** Every three-party scenario `npm run demo -- --scenario <name>` accepts. */
export const RING3_SCENARIOS: readonly Ring3Scenario[] = [
  {
    name: "ring3",
    title: "three-party hedged cycle on three chains, everyone conforms (§7)",
    kind: "cycle",
    expected: [
      [0n, 0n, 103n],
      [101n, 0n, 0n],
      [0n, 102n, 0n],
    ],
    premiums: "Every premium went back to its depositor in the redeem transactions: Bob's 1 APR, Carol's 2 BAN and Alice's 3 CHE.",
  },
  {
    name: "ring3-carol-walks",
    title: "three parties: Carol deposits her premium but never escrows (§7, C after step 2)",
    kind: "cycle",
    halt: { party: 2, afterStep: 2 },
    jumpAfterStep: 5,
    jumpAt: "escrows@5",
    expected: [
      [101n, 0n, 3n],
      [0n, 102n, 0n],
      [0n, 0n, 100n],
    ],
    premiums: "Carol's premium of 2 BAN went to Bob, whose 100 BAN sat locked for nothing; Bob's 1 APR went to Alice; Alice's 3 CHE came back to her.",
  },
  {
    name: "ring3-leader-withholds",
    title: "three parties: every arc escrowed, Alice never reveals the secret (§7, A after step 6)",
    kind: "cycle",
    halt: { party: 0, afterStep: 6 },
    jumpAfterStep: 6,
    jumpAt: "escrows@6",
    expected: [
      [101n, 0n, 0n],
      [0n, 102n, 0n],
      [0n, 0n, 103n],
    ],
    premiums: "Each escrower got its principal back with its redeemer's premium: Alice 1 APR from Bob, Bob 2 BAN from Carol, Carol 3 CHE from Alice, the leader's penalty.",
  },
];

/** One party's change per asset, each asset on its own: "+1 APR, −3 CHE"; "no change" when nothing moved. */
export function ring3Change(before: Ring3Holdings, after: Ring3Holdings, party: number): string {
  const parts = RING3_CHAINS.flatMap((c, i) => {
    const d = after[party]![i]! - before[party]![i]!;
    return d === 0n ? [] : [`${d > 0n ? "+" : "−"}${d < 0n ? -d : d} ${c.symbol}`];
  });
  return parts.length === 0 ? "no change" : parts.join(", ");
}

/** A row of holdings as §7 writes it: "101,0,3". */
export function ring3Row(row: readonly bigint[]): string {
  return row.join(",");
}
