/** What the local chains cost the coordinators per batch and per `eth_getLogs` (measured after a run, on idle nodes). */
import { toQuantity, type Wallet } from "ethers";

import type { TxRow } from "../../src/coordinator/store/types";
import { devAccounts, type DevnetChain } from "../../src/devnet";
import { timed } from "./observe";

export type PerBatch = Record<string, { legs: number; rawKiB: number; ethCallMs: number; estimateGasMs: number; sendRawTransactionMs: number }>;

/**
 * What the local chain costs per batch: each mined batch kind (largest batch) is replayed on the state
 * before its block with `eth_call` and `eth_estimateGas`, the two calls a coordinator makes before
 * it signs; and the raw transaction's size, which the node parses again on `eth_sendRawTransaction`.
 */
export async function nodeCosts(chains: readonly DevnetChain[], txs: readonly TxRow[], members: (t: TxRow) => number): Promise<PerBatch> {
  const out: PerBatch = {};
  const [prober] = devAccounts(1) as [Wallet];
  for (const action of ["depositPremium", "escrow", "redeem"] as const) {
    const t = txs.filter((x) => x.action === action && x.status === "mined" && x.blockNumber !== null).sort((x, y) => members(y) - members(x))[0];
    if (!t) continue;
    const chain = chains.find((c) => c.node.chainId.toString() === t.chainId)!;
    const req = { from: t.account, to: t.to, data: t.data, value: BigInt(t.value), blockTag: t.blockNumber! - 1 };
    out[`${action}Batch`] = {
      legs: members(t),
      rawKiB: Math.round((t.raw.length - 2) / 2 / 102.4) / 10,
      ethCallMs: await timed(() => chain.node.provider.call(req)),
      // (ethers' estimateGas sends no block tag)
      estimateGasMs: await timed(() => chain.node.provider.send("eth_estimateGas", [{ from: req.from, to: req.to, data: req.data, value: toQuantity(req.value) }, toQuantity(req.blockTag)])),
      // The same calldata signed by another account (it reverts when mined; only the node's acceptance is timed).
      sendRawTransactionMs: await (async () => {
        const signer = prober.connect(chain.node.provider);
        const base = await signer.populateTransaction({ to: t.to, data: t.data, gasLimit: BigInt(t.gasLimit) });
        const raws: string[] = [];
        for (let k = 0; k < 3; k++) raws.push(await signer.signTransaction({ ...base, nonce: base.nonce! + k }));
        let k = 0;
        return timed(() => chain.node.provider.broadcastTransaction(raws[k++]!));
      })(),
    };
  }
  return out;
}

/** The node's time to answer the `eth_getLogs` a watcher sends for the block of `chain` holding the most escrow logs of a redeem among `txs`. */
export async function logsCost(chain: DevnetChain, txs: readonly TxRow[]): Promise<{ block: number; logs: number; ms: number } | undefined> {
  const id = chain.node.chainId.toString();
  const blocks = [...new Set(txs.filter((t) => t.action === "redeem" && t.status === "mined" && t.blockNumber !== null && t.chainId === id).map((t) => t.blockNumber!))];
  let best: { block: number; logs: number; ms: number } | undefined;
  for (const block of blocks) {
    const filter = { address: chain.escrow, fromBlock: toQuantity(block), toBlock: toQuantity(block) };
    const logs = ((await chain.node.provider.send("eth_getLogs", [filter])) as unknown[]).length;
    if (best && best.logs >= logs) continue;
    best = { block, logs, ms: await timed(() => chain.node.provider.send("eth_getLogs", [filter])) };
  }
  return best;
}
