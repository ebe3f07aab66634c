/**
 * What the reference dApp's page and its runner share: the configuration the runner serves at
 * `/config.json`, the market maker's quote (`/maker/quote`), and the one function that turns a quote
 * and an amount into swap terms, which the page plans and signs and the maker checks offers against.
 * Pure: no DOM, no Node built-in (the page bundles it, the runner imports it).
 */
import { NATIVE, PremiumMode, type SwapOffer, type SwapTerms } from "../../src/sdk";

/** One chain as the page sees it: where to read it, its escrow and token, and its safety figures (`PROTOCOLS.md` §6). */
export interface DappChain {
  /** "A" (the user's asset, leg A) or "B" (the maker's asset, leg B). */
  readonly name: "A" | "B";
  /** Decimal string. */
  readonly chainId: string;
  /** JSON-RPC URL the page reads the chain through (the wallet is used only to sign and send). */
  readonly rpcUrl: string;
  readonly escrow: string;
  readonly deploymentBlock: number;
  readonly token: { readonly address: string; readonly symbol: string; readonly decimals: number };
  /** Blocks that make an observation final (1 = the including block). */
  readonly confirmations: number;
  /** Seconds. */
  readonly blockInterval: number;
  readonly inclusionTime: number;
  readonly clockSkew: number;
}

/** The configuration of the page, served by the runner at `/config.json`. */
export interface DappConfig {
  readonly chains: { readonly A: DappChain; readonly B: DappChain };
  /** Base URL of the counterparty's (Bob's) coordinator API: the page reads its view of the swap (CORS). */
  readonly coordinatorApi: string;
  /** Where the maker's endpoints are (same origin as the page). */
  readonly makerUrl: string;
  /** The smallest Δ the counterparty's coordinator accepts on these chains (its `safeDelta`), seconds. */
  readonly minDelta: number;
  /** Seconds the user (and the page) needs to react: no step is started closer than this to its deadline. */
  readonly reactionMargin: number;
  /** Seconds after a deadline before the page offers to settle a leg whose payout goes to the counterparty. */
  readonly settleGrace: number;
  /** Milliseconds between the page's polls of both chains. */
  readonly pollIntervalMs: number;
}

/**
 * What the maker (Bob) offers: he sells leg B's token for leg A's at `rate` (B units per A unit, as
 * `rateNum / rateDen`), deposits `premiumBpsA` of leg A's amount as his premium on leg A (`p_b`) and
 * asks the user for `premiumBpsB` of leg B's amount on leg B (`p_a + p_b`), valued 1:1 as in the
 * scenario matrix. All amounts are decimal strings in the tokens' smallest units.
 */
export interface MakerQuote {
  readonly maker: string;
  readonly rateNum: string;
  readonly rateDen: string;
  readonly premiumBpsA: number;
  readonly premiumBpsB: number;
  /** The largest leg A amount the maker takes. */
  readonly maxAmountA: string;
  /** The Δ the maker proposes, and the range it accepts (seconds). */
  readonly delta: number;
  readonly minDelta: number;
  readonly maxDelta: number;
  /** How far (seconds) an offer's T0 may be from the chains' clocks. */
  readonly startTolerance: number;
}

/** What the page asks the maker to countersign: the offer and the leader's (the user's) EIP-712 signature. */
export interface CountersignRequest {
  readonly offer: Record<string, unknown>;
  readonly leaderSignature: string;
}

const BPS = 10_000n;

/** Leg B's amount and both premiums for `amountA` under `quote`. */
export function quoteAmounts(quote: MakerQuote, amountA: bigint): { amountB: bigint; premiumA: bigint; premiumB: bigint } {
  const amountB = (amountA * BigInt(quote.rateNum)) / BigInt(quote.rateDen);
  return { amountB, premiumA: (amountA * BigInt(quote.premiumBpsA)) / BPS, premiumB: (amountB * BigInt(quote.premiumBpsB)) / BPS };
}

/**
 * The hedged-swap terms for the user (leader, leg A's escrower) selling `amountA` of chain A's token to
 * the maker (follower) at `quote`; premiums in the principals' tokens, hedge mode (`planHedgedSwap`).
 */
export function termsFromQuote(
  config: DappConfig,
  quote: MakerQuote,
  p: { readonly leader: string; readonly hashlock: string; readonly start: bigint; readonly delta: bigint; readonly amountA: bigint },
): SwapTerms {
  const { amountB, premiumA, premiumB } = quoteAmounts(quote, p.amountA);
  const side = (c: DappChain, amount: bigint, premiumAmount: bigint) => ({ chainId: BigInt(c.chainId), escrow: c.escrow, token: c.token.address, amount, premiumAmount });
  return {
    leader: p.leader,
    follower: quote.maker,
    hashlock: p.hashlock,
    start: p.start,
    delta: p.delta,
    legA: side(config.chains.A, p.amountA, premiumA),
    legB: side(config.chains.B, amountB, premiumB),
  };
}

/**
 * Why the maker refuses `offer` under `quote`, or undefined when the offer is exactly what the quote
 * gives for its amount: the maker as follower, the configured chains, escrows and tokens (premiums in
 * the principals' tokens, hedge mode), leg B's amount and both premiums as `quoteAmounts` computes them,
 * Δ within the quote's range and T0 within `startTolerance` of `now` (the chains' clock).
 */
export function quoteMismatch(config: DappConfig, quote: MakerQuote, offer: SwapOffer, now: bigint): string | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!same(offer.follower, quote.maker)) return `the follower must be the maker ${quote.maker}`;
  for (const [name, leg, chain] of [["legA", offer.legA, config.chains.A], ["legB", offer.legB, config.chains.B]] as const) {
    if (leg.chainId !== BigInt(chain.chainId)) return `${name} must be on chain ${chain.chainId}`;
    if (!same(leg.escrow, chain.escrow)) return `${name} must use the escrow ${chain.escrow}`;
    if (!same(leg.token, chain.token.address) || same(leg.token, NATIVE)) return `${name} must move ${chain.token.symbol} (${chain.token.address})`;
    if (!same(leg.premiumToken, leg.token)) return `${name}'s premium must be in ${chain.token.symbol}`;
    if (leg.premiumMode !== PremiumMode.Hedge) return `${name}'s premium must be a hedge`;
  }
  if (offer.legA.amount <= 0n || offer.legA.amount > BigInt(quote.maxAmountA)) return `legA.amount must be in (0, ${quote.maxAmountA}]`;
  const want = quoteAmounts(quote, offer.legA.amount);
  if (offer.legB.amount !== want.amountB) return `legB.amount must be ${want.amountB} at the quoted rate`;
  if (offer.legA.premiumAmount !== want.premiumA) return `legA.premiumAmount (the maker's premium) must be ${want.premiumA}`;
  if (offer.legB.premiumAmount !== want.premiumB) return `legB.premiumAmount (your premium) must be ${want.premiumB}`;
  if (offer.delta < BigInt(quote.minDelta) || offer.delta > BigInt(quote.maxDelta)) return `delta must be in [${quote.minDelta}, ${quote.maxDelta}] seconds`;
  const drift = offer.start > now ? offer.start - now : now - offer.start;
  if (drift > BigInt(quote.startTolerance)) return `start must be within ${quote.startTolerance} s of the chains' clock (${now})`;
  return undefined;
}
