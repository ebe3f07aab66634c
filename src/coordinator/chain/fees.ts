/**
 * The fee policy of one chain's transactions: EIP-1559 fees under the configured cap, fee bumps of
 * stuck transactions (never above the cap, always enough to replace), and a per-swap gas budget
 * counted at the transactions' worst case (gas limit × max fee, a batch's cost split among its legs).
 */

/** EIP-1559 fees of one transaction. */
export interface Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** What the node suggests (`getFeeData`), any field possibly missing. */
export interface SuggestedFees {
  readonly maxFeePerGas?: bigint | null;
  readonly maxPriorityFeePerGas?: bigint | null;
  readonly gasPrice?: bigint | null;
}

/** The fee policy of one chain. */
export interface FeePolicy {
  /** After this many blocks without inclusion a transaction is re-signed with higher fees. */
  readonly afterBlocks: number;
  /** By how much a bump raises both fees, percent (nodes replace a same-nonce transaction from +10%). */
  readonly percent: number;
  /** The most any transaction of this chain pays per gas (wei); none: no cap. */
  readonly maxFeePerGas?: bigint;
  /** The most one swap's transactions on this chain may cost at their worst case (wei); none: no budget. */
  readonly swapGasBudget?: bigint;
}

/** The fees of a first attempt: what the node suggests, under the cap (the tip never above the max fee). */
export function initialFees(suggested: SuggestedFees, policy: Pick<FeePolicy, "maxFeePerGas">): Fees & { readonly capped: boolean } {
  const priority = suggested.maxPriorityFeePerGas ?? 1_000_000_000n;
  const wanted = suggested.maxFeePerGas ?? (suggested.gasPrice ?? 1_000_000_000n) * 2n;
  const cap = policy.maxFeePerGas;
  const maxFeePerGas = cap !== undefined && wanted > cap ? cap : wanted;
  return { maxFeePerGas, maxPriorityFeePerGas: priority > maxFeePerGas ? maxFeePerGas : priority, capped: cap !== undefined && wanted > cap };
}

/** The raise a node needs to replace a same-nonce transaction: `percent` more on both fees. */
export function raised(old: Fees, percent: number): Fees {
  const up = (x: bigint) => (x * BigInt(100 + percent)) / 100n + 1n;
  return { maxFeePerGas: up(old.maxFeePerGas), maxPriorityFeePerGas: up(old.maxPriorityFeePerGas) };
}

/**
 * The fees of a bump: the old ones raised by `percent`, or the node's suggestion if higher, never above
 * the cap. Undefined when the cap leaves no room for a replacement (the old max fee raised is above it).
 */
export function bumpFees(old: Fees, suggested: SuggestedFees, policy: Pick<FeePolicy, "percent" | "maxFeePerGas">): Fees | undefined {
  const up = raised(old, policy.percent);
  const priority = max(up.maxPriorityFeePerGas, suggested.maxPriorityFeePerGas ?? 0n);
  const fee = max(up.maxFeePerGas, suggested.maxFeePerGas ?? 0n, priority);
  const cap = policy.maxFeePerGas;
  if (cap === undefined) return { maxFeePerGas: fee, maxPriorityFeePerGas: priority };
  if (up.maxFeePerGas > cap || up.maxPriorityFeePerGas > cap) return undefined;
  const capped = fee > cap ? cap : fee;
  return { maxFeePerGas: capped, maxPriorityFeePerGas: priority > capped ? capped : priority };
}

/**
 * The fees of a cancel (a same-nonce 0-value self-transfer that replaces a transaction): at least the
 * raise a replacement needs, else what the node suggests, capped — but never below the raise: a cancel
 * that cannot replace is worthless, and it costs 21,000 gas only.
 */
export function cancelFees(old: Fees, suggested: SuggestedFees, policy: Pick<FeePolicy, "percent" | "maxFeePerGas">): Fees {
  const up = raised(old, Math.max(policy.percent, 10));
  const priority = max(up.maxPriorityFeePerGas, suggested.maxPriorityFeePerGas ?? 0n);
  let fee = max(up.maxFeePerGas, suggested.maxFeePerGas ?? 0n, priority);
  const cap = policy.maxFeePerGas;
  if (cap !== undefined && fee > cap) fee = max(cap, up.maxFeePerGas);
  return { maxFeePerGas: fee, maxPriorityFeePerGas: priority > fee ? fee : priority };
}

/** A transaction's worst-case cost to each of its `legs` legs: gas limit × max fee, split evenly. */
export function worstCaseShare(gasLimit: bigint, maxFeePerGas: bigint, legs: number): bigint {
  return (gasLimit * maxFeePerGas) / BigInt(Math.max(1, legs));
}

function max(...xs: bigint[]): bigint {
  return xs.reduce((m, x) => (x > m ? x : m));
}
