/**
 * Exact balance accounting across the cycle's chains. The method: record every tracked balance (native
 * coin and ERC-20) and every chain's block number before a cycle; afterwards read them again and, for
 * the native coin, add back the fee of every transaction the holder sent on that chain since then, read
 * from the receipts of every block in between (`gasUsed × effectiveGasPrice`, reverted transactions
 * included). What is left is exactly what the escrow moved, in wei, whoever sent the transactions (a
 * driver's own, an approval, a settlement by the sweeper): no gas price of 0, no `hardhat_setBalance`.
 */
import { Contract } from "ethers";

import type { CycleWorld } from "./world";

/** One balance: `holder`'s balance of `token` (`NATIVE`, the zero address, or an ERC-20) on chain `chain`. */
export interface BalanceKey {
  readonly chain: number;
  readonly token: string;
  readonly holder: string;
}

/** Balances and block numbers taken before a cycle. */
export interface BalanceSnapshot {
  readonly keys: readonly BalanceKey[];
  readonly before: readonly bigint[];
  /** Each chain's block number when the snapshot was taken. */
  readonly blocks: readonly number[];
}

const BALANCE_ABI = ["function balanceOf(address) view returns (uint256)"];

async function balance(w: CycleWorld, k: BalanceKey): Promise<bigint> {
  const provider = w.providers[k.chain]!;
  if (BigInt(k.token) === 0n) return provider.getBalance(k.holder);
  return (await new Contract(k.token, BALANCE_ABI, provider).getFunction("balanceOf")(k.holder)) as bigint;
}

/** Records `keys`' balances and every chain's block number. */
export async function snapshotBalances(w: CycleWorld, keys: readonly BalanceKey[]): Promise<BalanceSnapshot> {
  const blocks = await Promise.all(w.providers.map((p) => p.getBlockNumber()));
  const before = await Promise.all(keys.map((k) => balance(w, k)));
  return { keys, before, blocks };
}

/** The fees paid per sender (lower-case address) on chain `chain` in the blocks after `fromBlock`. */
export async function feesSince(w: CycleWorld, chain: number, fromBlock: number): Promise<Map<string, bigint>> {
  const provider = w.providers[chain]!;
  const latest = await provider.getBlockNumber();
  const fees = new Map<string, bigint>();
  const blocks = await Promise.all(Array.from({ length: latest - fromBlock }, (_, i) => provider.getBlock(fromBlock + 1 + i)));
  const hashes = blocks.flatMap((b) => b?.transactions ?? []);
  const receipts = await Promise.all(hashes.map((h) => provider.getTransactionReceipt(h)));
  for (const r of receipts) {
    if (r === null) throw new Error(`chain ${chain}: a mined transaction has no receipt`);
    const from = r.from.toLowerCase();
    fees.set(from, (fees.get(from) ?? 0n) + r.fee);
  }
  return fees;
}

/**
 * How much each tracked balance moved since `snap`, native-coin fees added back (see the file's header),
 * in the snapshot's key order.
 */
export async function balanceDeltas(w: CycleWorld, snap: BalanceSnapshot): Promise<bigint[]> {
  const fees = await Promise.all(w.chains.map((_, i) => feesSince(w, i, snap.blocks[i]!)));
  const after = await Promise.all(snap.keys.map((k) => balance(w, k)));
  return snap.keys.map((k, i) => {
    const fee = BigInt(k.token) === 0n ? (fees[k.chain]!.get(k.holder.toLowerCase()) ?? 0n) : 0n;
    return after[i]! + fee - snap.before[i]!;
  });
}
