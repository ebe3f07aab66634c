/**
 * Credits of the held parties: payouts the escrow could not push (a recipient that rejects the coin, a
 * blacklist, or a token's per-transfer limit below a payout the escrow merged into one transfer:
 * principal + premium, a batch's sum) wait in `credits(party, token)` until the party withdraws them.
 *
 * Once per round the coordinator asks, for the (chain, party, token) triples of its finished swaps and of
 * `PayoutCredited` events to a held party, what to withdraw ({@link roundCredits}): the whole credit when
 * a simulation of `withdraw(token, party)` from the party passes, else the first of its halves (credit/2,
 * credit/4, ... down to 1 unit, at most {@link MAX_HALVINGS} halvings) whose simulated partial
 * `withdraw(token, party, amount)` passes. What is left is found again in the next round, so a credit
 * above a token's limit comes out in a few rounds (the halves that fit). A credit that no amount can move
 * (a blacklisted party) is reported as stuck, with nothing to send.
 *
 * {@link creditKeys} is pure; {@link checkCredit} (the SDK's `withdrawableCredit`, which `recover` uses
 * too) and {@link roundCredits} read the chain (`eth_call` only; nothing is sent here).
 */
import { getAddress, type Provider } from "ethers";

import { withdrawableCredit, type EscrowLocation, type LocatedLeg, type TxRequest } from "../../sdk";

export { MAX_HALVINGS, withdrawAmounts } from "../../sdk";

/** One credit to look at: a party's credit of `token` (address(0): the native coin) in one escrow. */
export interface CreditKey {
  readonly at: EscrowLocation;
  readonly party: string;
  readonly token: string;
}

/** What {@link checkCredit} found for one key. */
export interface CreditCheck extends CreditKey {
  /** The party's credit at the block read. */
  readonly credit: bigint;
  /** What to withdraw now: the whole credit or a part whose simulation passed; undefined when nothing passed (stuck). */
  readonly amount: bigint | undefined;
  /** The transaction the party sends (to itself): `withdraw(token, party)` for the whole, `withdraw(token, party, amount)` for a part. */
  readonly tx: TxRequest | undefined;
  /** How many withdrawals were simulated. */
  readonly simulations: number;
}

/** Options of {@link checkCredit} and {@link roundCredits}. */
export interface CreditOptions {
  /** The block to read the credit and simulate at; default the latest (one block for all). */
  readonly blockTag?: number | string;
  /** Halvings before giving up; default {@link MAX_HALVINGS}. */
  readonly maxHalvings?: number;
}

/** The lower-case identity of a key: chain, escrow, party, token. */
export function creditKeyId(k: CreditKey): string {
  return `${k.at.chainId}:${k.at.escrow}:${k.party}:${k.token}`.toLowerCase();
}

/**
 * The credit keys of `legs` for the parties `isHeld` accepts: each held escrower or redeemer, with the
 * leg's principal token and, when the leg has a premium, its premium token (every payout a leg can make
 * goes to one of its two parties in one of these assets). Deduplicated, in first-seen order. Pure.
 */
export function creditKeys(legs: Iterable<LocatedLeg>, isHeld: (address: string) => boolean): CreditKey[] {
  const out = new Map<string, CreditKey>();
  for (const { at, leg } of legs) {
    const tokens = leg.premiumAmount > 0n ? [leg.token, leg.premiumToken] : [leg.token];
    for (const party of [leg.escrower, leg.redeemer]) {
      if (!isHeld(party)) continue;
      for (const token of tokens) {
        const key = { at, party: getAddress(party), token: getAddress(token) };
        const id = creditKeyId(key);
        if (!out.has(id)) out.set(id, key);
      }
    }
  }
  return [...out.values()];
}

/**
 * Reads `key.party`'s credit of `key.token` and finds what it can withdraw now: simulates (`eth_call` from
 * the party, at one block) the full withdrawal, then, while the simulation reverts, half of the amount
 * before, down to 1 unit or {@link MAX_HALVINGS} halvings. The withdrawal goes to the party itself.
 * A failure to reach the node (not a revert) is thrown.
 */
export async function checkCredit(provider: Provider, key: CreditKey, opts: CreditOptions = {}): Promise<CreditCheck> {
  const found = await withdrawableCredit(provider, key.at, key.party, key.token, opts);
  return { at: key.at, party: getAddress(key.party), token: getAddress(key.token), ...found };
}

/** What one round found: the withdrawals to send, the credits nothing could move, the keys not read. */
export interface RoundCredits {
  /** Non-zero credits with an amount to withdraw and its transaction (send from `party`). */
  readonly withdrawals: CreditCheck[];
  /** Non-zero credits whose every simulated withdrawal reverted. */
  readonly stuck: CreditCheck[];
  /** Keys whose chain is not configured or whose node could not be asked; tried again next round. */
  readonly failed: { readonly key: CreditKey; readonly error: unknown }[];
}

/**
 * Checks every key (per chain at one block: the latest when the round starts), `concurrency` at a time.
 * Call once per round with the keys of the held parties' finished swaps and of their `PayoutCredited`
 * events ({@link creditKeys}); `chains` maps a chain id (decimal string) to its provider, as the
 * coordinator's `chains` does. Zero credits are left out: their keys may be dropped.
 */
export async function roundCredits(
  chains: ReadonlyMap<string, { readonly provider: Provider }>,
  keys: readonly CreditKey[],
  opts: { readonly maxHalvings?: number; readonly concurrency?: number } = {},
): Promise<RoundCredits> {
  const results: (CreditCheck | { key: CreditKey; error: unknown } | undefined)[] = new Array(keys.length);
  const blocks = new Map<string, Promise<number>>();
  const blockOf = (chainId: string, provider: Provider): Promise<number> => {
    let b = blocks.get(chainId);
    if (!b) blocks.set(chainId, (b = provider.getBlockNumber()));
    return b;
  };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const k = next++;
      const key = keys[k]!;
      const chainId = key.at.chainId.toString();
      const chain = chains.get(chainId);
      try {
        if (!chain) throw new Error(`chain ${chainId} is not configured`);
        const blockTag = await blockOf(chainId, chain.provider);
        results[k] = await checkCredit(chain.provider, key, { blockTag, ...(opts.maxHalvings !== undefined ? { maxHalvings: opts.maxHalvings } : {}) });
      } catch (error) {
        results[k] = { key, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, keys.length) }, worker));
  // In the keys' order, whatever order the node answered in.
  const out: RoundCredits = { withdrawals: [], stuck: [], failed: [] };
  for (const r of results) {
    if (r === undefined) continue;
    if ("error" in r) out.failed.push(r);
    else if (r.credit !== 0n) (r.amount === undefined ? out.stuck : out.withdrawals).push(r);
  }
  return out;
}
