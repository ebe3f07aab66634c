/**
 * What the page keeps in localStorage: the signed offer of every swap (public data: both parties and
 * Bob's coordinator have it too; it is what `recover()` needs as `agreed`), the index of its secret
 * under the seed (not the secret), the hashes of the user's own transactions, and per account the
 * seed's check value. Never the seed, never a secret.
 */

/** One saved swap. */
export interface SavedSwap {
  /** The offer's EIP-712 digest, the swap id. */
  readonly id: string;
  /** The leader's account, lower-case. */
  readonly account: string;
  /** `signedOfferToJson` of the doubly-signed offer. */
  readonly signed: Record<string, unknown>;
  /** The secret's index under the seed, when this page made the swap (a pasted offer has none: recovery scans). */
  readonly index: number | null;
  readonly savedAt: number;
  /** The user's transactions, by step ("1", "3", "5", "settle A", ...). */
  readonly txs: Record<string, string>;
}

interface Saved {
  swaps: SavedSwap[];
  /** keccak256(seed) by account (lower-case). */
  seedChecks: Record<string, string>;
  current?: string;
}

const KEY = "hedgeswap-dapp/v1";

function read(): Saved {
  try {
    const raw = localStorage.getItem(KEY);
    const v = raw ? (JSON.parse(raw) as Partial<Saved>) : {};
    return { swaps: Array.isArray(v.swaps) ? v.swaps : [], seedChecks: v.seedChecks ?? {}, ...(typeof v.current === "string" ? { current: v.current } : {}) };
  } catch {
    return { swaps: [], seedChecks: {} };
  }
}

function write(s: Saved): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

/** Every saved swap of `account` (all when omitted), newest first. */
export function savedSwaps(account?: string): SavedSwap[] {
  const a = account?.toLowerCase();
  return read().swaps.filter((s) => a === undefined || s.account === a).sort((x, y) => y.savedAt - x.savedAt);
}

/** Saves (or replaces) a swap and makes it the current one. */
export function saveSwap(s: SavedSwap): void {
  const all = read();
  all.swaps = [...all.swaps.filter((x) => x.id !== s.id), s];
  all.current = s.id;
  write(all);
}

/** Records a transaction of the user for a step of a swap. */
export function saveTx(id: string, step: string, hash: string): void {
  const all = read();
  all.swaps = all.swaps.map((s) => (s.id === id ? { ...s, txs: { ...s.txs, [step]: hash } } : s));
  write(all);
}

export function currentSwapId(): string | undefined {
  return read().current;
}

export function setCurrent(id: string): void {
  const all = read();
  all.current = id;
  write(all);
}

export function seedCheck(account: string): string | undefined {
  return read().seedChecks[account.toLowerCase()];
}

export function saveSeedCheck(account: string, check: string): void {
  const all = read();
  all.seedChecks[account.toLowerCase()] = check;
  write(all);
}
