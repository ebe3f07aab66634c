/**
 * What the fault suite reads off the chains after a run: every transaction whose calldata carries the
 * swap's secret (mined or reverted, in any block from the run's first), and what each party paid in
 * gas there (gas used × effective price of each of its mined transactions).
 */
import { toQuantity } from "ethers";

import type { DevNode } from "../../src/devnet";

/** A mined transaction carrying the secret. */
export interface SecretSighting {
  readonly chain: string;
  readonly block: number;
  readonly timestamp: bigint;
  readonly from: string;
  readonly hash: string;
  /** 1 = succeeded, 0 = reverted. */
  readonly status: number;
}

/** What one party spent on one chain. */
export interface GasSpent {
  readonly wei: bigint;
  /** The highest effective gas price it paid, wei. */
  readonly maxPrice: bigint;
  readonly txs: number;
}

/** The scan of one chain. */
export interface ChainScan {
  readonly sightings: SecretSighting[];
  /** By lower-case sender address. */
  readonly gas: Map<string, GasSpent>;
}

interface RpcBlock {
  readonly number: string;
  readonly timestamp: string;
  readonly transactions: { readonly hash: string; readonly from: string; readonly input: string }[];
}

interface RpcReceipt {
  readonly status: string;
  readonly gasUsed: string;
  readonly effectiveGasPrice: string;
}

/** True when `data` (0x hex) holds the 32 bytes of `secret` (0x hex) anywhere. */
export function carriesSecret(data: string, secret: string): boolean {
  return data.toLowerCase().includes(secret.toLowerCase().slice(2));
}

/**
 * Scans blocks `fromBlock` to the head of `node` for transactions carrying `secret`, and adds up the
 * gas paid by the senders in `senders` (lower case).
 */
export async function scanChain(name: string, node: DevNode, fromBlock: number, secret: string, senders: readonly string[]): Promise<ChainScan> {
  const head = await node.provider.getBlockNumber();
  const sightings: SecretSighting[] = [];
  const gas = new Map<string, GasSpent>();
  const watched = new Set(senders.map((s) => s.toLowerCase()));
  for (let n = fromBlock; n <= head; n++) {
    const block = (await node.provider.send("eth_getBlockByNumber", [toQuantity(n), true])) as RpcBlock | null;
    if (block === null) continue;
    for (const tx of block.transactions) {
      const from = tx.from.toLowerCase();
      const secretHere = carriesSecret(tx.input, secret);
      if (!secretHere && !watched.has(from)) continue;
      const receipt = (await node.provider.send("eth_getTransactionReceipt", [tx.hash])) as RpcReceipt;
      if (secretHere) sightings.push({ chain: name, block: n, timestamp: BigInt(block.timestamp), from, hash: tx.hash, status: Number(receipt.status) });
      if (watched.has(from)) {
        const price = BigInt(receipt.effectiveGasPrice);
        const was = gas.get(from) ?? { wei: 0n, maxPrice: 0n, txs: 0 };
        gas.set(from, { wei: was.wei + BigInt(receipt.gasUsed) * price, maxPrice: price > was.maxPrice ? price : was.maxPrice, txs: was.txs + 1 });
      }
    }
  }
  return { sightings, gas };
}
