/**
 * `npm run bench:coordinator` → benchmarks/coordinator.json.
 *
 * On two local chains with a 1-second block interval, Alice's and Bob's coordinators (separate
 * processes, as in the demo) run 10, 100 and 1000 concurrent hedged swaps. Measured: completed swaps
 * per minute; end-to-end latency p50/p99 in seconds and in blocks (from the round in which both
 * coordinators drive every swap to the block of step 6; the protocol's minimum is 6 sequential
 * blocks); reaction latency from the block that reveals a secret to Bob's redeem being recorded for
 * broadcast; each coordinator's CPU time and peak memory; transactions per swap. Then recovery: Bob's
 * coordinator is SIGKILLed with every swap in flight and restarted; the time until it drives them all
 * again, and whether all end as expected. `--sizes 10,100` limits the runs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";

import { toQuantity, type Wallet } from "ethers";

import { escrowInterface } from "../src/sdk";
import { isFinal } from "../src/coordinator/domain/status";
import { openSqliteStore } from "../src/coordinator/store";
import type { CoordinatorStore, TxRow } from "../src/coordinator/store/types";
import { devAccounts } from "../src/devnet";
import { stopCoordinatorProcess, type CoordinatorProcess } from "../src/devnet/coordinatorProcess";
import { percentile, processUsage } from "./bench/procfs";
import { BENCH_BATCH_SIZE, BENCH_POLL_INTERVAL_MS, U, balance, benchWorld, startParty, type BenchWorld } from "./bench/world";

const BLOCK_GAS_LIMIT = 300_000_000;
process.env.HEDGESWAP_BLOCK_GAS_LIMIT = String(BLOCK_GAS_LIMIT);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => console.log(`[bench] ${text}`);

function withStore<T>(w: BenchWorld, party: string, fn: (s: CoordinatorStore) => T): T {
  const s = openSqliteStore(join(w.dir, party, "coordinator.sqlite"));
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

/** Watches a chain's head every 25 ms: wall time at which each block number was first seen. */
function watchBlocks(w: BenchWorld, chain: "A" | "B"): { seen: Map<number, number>; stop: () => void } {
  const seen = new Map<number, number>();
  let on = true;
  void (async () => {
    while (on) {
      try {
        const n = await w.devnet.chain(chain).node.provider.getBlockNumber();
        for (let k = n; k >= 0 && !seen.has(k); k--) seen.set(k, Date.now());
      } catch {
        /* the node is busy; try again */
      }
      await sleep(25);
    }
  })();
  return { seen, stop: () => void (on = false) };
}

async function drivingSince(w: BenchWorld, party: string, after: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const at = withStore(w, party, (s) => s.events().filter((e) => e.kind === "coordinator.driving" && e.at >= after).map((e) => e.at)[0]);
    if (at !== undefined) return at;
    await sleep(100);
  }
  throw new Error(`${party}'s coordinator did not start driving within ${timeoutMs} ms`);
}

async function waitAllFinal(w: BenchWorld, n: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    const [a, b] = ["alice", "bob"].map((p) => withStore(w, p, (s) => s.listSwaps().filter((r) => isFinal(r.status)).length));
    const line = `final: alice ${a}/${n}, bob ${b}/${n}`;
    if (line !== last) log(line);
    last = line;
    if (a === n && b === n) return;
    await sleep(1000);
  }
  throw new Error(`not every swap finished within ${timeoutMs / 1000} s (${last})`);
}

/** Milliseconds the node takes for one call, best of three (the node is idle by then). */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return Math.round(best);
}

/**
 * What the local chain costs per batch: each mined batch kind (largest batch) is replayed on the state
 * before its block with `eth_call` and `eth_estimateGas`, the two calls a coordinator makes before
 * it signs; and the raw transaction's size, which the node parses again on `eth_sendRawTransaction`.
 */
async function nodeCosts(w: BenchWorld, txs: readonly TxRow[], members: (t: TxRow) => number): Promise<Record<string, { legs: number; rawKiB: number; ethCallMs: number; estimateGasMs: number; sendRawTransactionMs: number }>> {
  const out: Record<string, { legs: number; rawKiB: number; ethCallMs: number; estimateGasMs: number; sendRawTransactionMs: number }> = {};
  const [prober] = devAccounts(1) as [Wallet];
  for (const action of ["depositPremium", "escrow", "redeem"] as const) {
    const t = txs.filter((x) => x.action === action && x.status === "mined" && x.blockNumber !== null).sort((x, y) => members(y) - members(x))[0];
    if (!t) continue;
    const chain = t.chainId === w.A.node.chainId.toString() ? w.A : w.B;
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

/** The node's time to answer the `eth_getLogs` a watcher sends for the block holding the most escrow logs of a redeem. */
async function logsCost(w: BenchWorld, txs: readonly TxRow[]): Promise<{ block: number; logs: number; ms: number } | undefined> {
  const blocks = [...new Set(txs.filter((t) => t.action === "redeem" && t.status === "mined" && t.blockNumber !== null).map((t) => t.blockNumber!))];
  let best: { block: number; logs: number; ms: number } | undefined;
  for (const block of blocks) {
    const filter = { address: w.A.escrow, fromBlock: toQuantity(block), toBlock: toQuantity(block) };
    const logs = ((await w.A.node.provider.send("eth_getLogs", [filter])) as unknown[]).length;
    if (best && best.logs >= logs) continue;
    best = { block, logs, ms: await timed(() => w.A.node.provider.send("eth_getLogs", [filter])) };
  }
  return best;
}

interface RunResult {
  swaps: number;
  completed: number;
  missedDeadlines: number;
  wallSeconds: number;
  completedPerMinute: number;
  latencySeconds: { p50?: number; p99?: number };
  latencyBlocks: { p50?: number; p99?: number };
  reactionMs: { p50?: number; p99?: number };
  coordinators: Record<string, { cpuSeconds?: number; peakRssMiB?: number }>;
  /** CPU (both coordinators) per swap while driving, after start-up and admission. */
  cpuMsPerSwap?: number;
  /** CPU (both coordinators) for start-up and admitting every offer. */
  cpuSecondsBeforeDriving: number;
  transactionsPerSwap: number;
  chain: {
    blocksA: number;
    blocksB: number;
    maxTxsPerBlock: number;
    nodeCpuSeconds: Record<string, number | undefined>;
    /** Per batch kind: the node's time for the simulation and the estimate a coordinator runs before signing. */
    perBatch: Awaited<ReturnType<typeof nodeCosts>>;
    /** `eth_getLogs` of one block of redeems on chain A (what each coordinator's watcher reads). */
    getLogs?: Awaited<ReturnType<typeof logsCost>>;
  };
  balancesOk: boolean;
}

async function measure(
  w: BenchWorld,
  n: number,
  procs: Record<string, CoordinatorProcess>,
  startMs: number,
  startBlockA: number,
  watchB: Map<number, number>,
  cpuAtStart: number,
): Promise<Omit<RunResult, "wallSeconds" | "completedPerMinute">> {
  const usage = Object.fromEntries(Object.entries(procs).map(([p, proc]) => [p, processUsage(proc.child.pid!)]));
  const bob = withStore(w, "bob", (s) => {
    const txs = [...new Map(s.listSwaps().flatMap((r) => s.txsOfSwap(r.id)).map((t) => [t.id, t])).values()];
    return { swaps: s.listSwaps(), txs, events: s.events(), members: new Map(txs.map((t) => [t.id, s.txMembers(t.id).length])) };
  });
  const alice = withStore(w, "alice", (s) => ({ swaps: s.listSwaps(), txs: s.listSwaps().flatMap((r) => s.txsOfSwap(r.id)), events: s.events() }));
  const completed = bob.swaps.filter((r) => r.status === "completed").length;
  const missed = [...alice.events, ...bob.events].filter((e) => e.kind === "deadline.unreachable").length;

  const redeemed = escrowInterface.getEvent("LegRedeemed")!.topicHash;
  const logsA = await w.A.node.provider.getLogs({ address: w.A.escrow, topics: [redeemed], fromBlock: 0, toBlock: "latest" });
  const logsB = await w.B.node.provider.getLogs({ address: w.B.escrow, topics: [redeemed], fromBlock: 0, toBlock: "latest" });
  const blockOfA = new Map(logsA.map((l) => [l.topics[1]!, l.blockNumber]));
  const blockOfB = new Map(logsB.map((l) => [l.topics[1]!, l.blockNumber]));
  const latencyS: number[] = [];
  const latencyBlocks: number[] = [];
  const reaction: number[] = [];
  for (const plan of w.plans) {
    const row = bob.swaps.find((r) => r.id === plan.id);
    if (row?.status === "completed") latencyS.push((row.updatedAt - startMs) / 1000);
    const bA = blockOfA.get(plan.legA.id);
    if (bA !== undefined) latencyBlocks.push(bA - startBlockA);
    const bB = blockOfB.get(plan.legB.id);
    const tx = bob.txs.filter((t) => t.action === "redeem" && t.leg === "A" && t.data.includes(plan.legA.leg.hashlock.slice(2).toLowerCase())).sort((x, y) => x.createdAt - y.createdAt)[0];
    const seen = bB === undefined ? undefined : watchB.get(bB);
    if (tx && seen !== undefined) reaction.push(tx.createdAt - seen);
  }
  const uniqueTx = new Set([...alice.txs, ...bob.txs].filter((t) => t.status === "mined").map((t) => t.hash));
  const headA = await w.A.node.provider.getBlockNumber();
  const headB = await w.B.node.provider.getBlockNumber();
  let maxTxs = 0;
  for (let k = startBlockA; k <= headA; k++) maxTxs = Math.max(maxTxs, (await w.A.node.provider.getBlock(k))?.transactions.length ?? 0);
  const final = {
    aliceAPR: await balance(w.A, w.APR, w.alice.address),
    aliceBAN: await balance(w.B, w.BAN, w.alice.address),
    bobAPR: await balance(w.A, w.APR, w.bob.address),
    bobBAN: await balance(w.B, w.BAN, w.bob.address),
  };
  const N = BigInt(n);
  const balancesOk = final.aliceAPR === 0n && final.aliceBAN === N * 103n * U && final.bobAPR === N * 101n * U && final.bobBAN === 0n;
  const cpu = Object.values(usage).reduce((sum, u) => sum + (u.cpuSeconds ?? 0), 0);
  return {
    swaps: n,
    completed,
    missedDeadlines: missed,
    latencySeconds: { p50: percentile(latencyS, 50), p99: percentile(latencyS, 99) },
    latencyBlocks: { p50: percentile(latencyBlocks, 50), p99: percentile(latencyBlocks, 99) },
    reactionMs: { p50: percentile(reaction, 50), p99: percentile(reaction, 99) },
    coordinators: usage,
    cpuMsPerSwap: Math.round(((cpu - cpuAtStart) * 1000) / n),
    cpuSecondsBeforeDriving: cpuAtStart,
    transactionsPerSwap: Math.round((uniqueTx.size / n) * 100) / 100,
    chain: {
      blocksA: headA - startBlockA,
      blocksB: headB,
      maxTxsPerBlock: maxTxs,
      nodeCpuSeconds: { A: processUsage(w.A.node.pid).cpuSeconds, B: processUsage(w.B.node.pid).cpuSeconds },
      perBatch: await nodeCosts(w, bob.txs, (t) => bob.members.get(t.id) ?? 1),
      getLogs: await logsCost(w, bob.txs),
    },
    balancesOk,
  };
}

async function throughput(n: number): Promise<RunResult> {
  log(`--- ${n} concurrent swaps: setting up`);
  const w = await benchWorld(n, 900n);
  const procs: Record<string, CoordinatorProcess> = {};
  const watch = watchBlocks(w, "B");
  try {
    const spawned = Date.now();
    procs.alice = startParty(w, "alice", n, true);
    procs.bob = startParty(w, "bob", n, true);
    const start = Math.max(await drivingSince(w, "alice", spawned, 600_000), await drivingSince(w, "bob", spawned, 600_000));
    const startBlockA = await w.A.node.provider.getBlockNumber();
    const cpuAtStart = Object.values(procs).reduce((sum, p) => sum + (processUsage(p.child.pid!).cpuSeconds ?? 0), 0);
    log(`both coordinators drive ${n} swaps (admission took ${((start - spawned) / 1000).toFixed(1)} s)`);
    await waitAllFinal(w, n, 900_000);
    const end = Date.now();
    const m = await measure(w, n, procs, start, startBlockA, watch.seen, cpuAtStart);
    const wallSeconds = (end - start) / 1000;
    const r = { ...m, wallSeconds, completedPerMinute: Math.round((m.completed / wallSeconds) * 60 * 10) / 10 };
    log(JSON.stringify(r));
    return r;
  } finally {
    watch.stop();
    await Promise.all(Object.values(procs).map(stopCoordinatorProcess));
    await w.devnet.stop();
  }
}

async function recovery(n: number) {
  log(`--- recovery with ${n} swaps in flight`);
  const w = await benchWorld(n, 900n);
  const procs: CoordinatorProcess[] = [];
  try {
    const spawned = Date.now();
    procs.push(startParty(w, "alice", n, true));
    const bob = startParty(w, "bob", n, true);
    procs.push(bob);
    await drivingSince(w, "bob", spawned, 600_000);
    await sleep(3000);
    const inFlight = withStore(w, "bob", (s) => s.listSwaps({ activeOnly: true }).length);
    bob.child.kill("SIGKILL");
    await bob.ended;
    const restarted = Date.now();
    const again = startParty(w, "bob", n, false);
    procs.push(again);
    const driving = await drivingSince(w, "bob", restarted, 120_000);
    const recoverySeconds = (driving - restarted) / 1000;
    log(`Bob's coordinator killed with ${inFlight} swaps in flight; driving them all again after ${recoverySeconds.toFixed(2)} s`);
    await waitAllFinal(w, n, 900_000);
    const completed = withStore(w, "bob", (s) => s.listSwaps({ status: "completed" }).length);
    const N = BigInt(n);
    const balancesOk =
      (await balance(w.A, w.APR, w.alice.address)) === 0n &&
      (await balance(w.B, w.BAN, w.alice.address)) === N * 103n * U &&
      (await balance(w.A, w.APR, w.bob.address)) === N * 101n * U &&
      (await balance(w.B, w.BAN, w.bob.address)) === 0n;
    return { swaps: n, inFlightAtKill: inFlight, recoverySeconds, completed, balancesOk, restartedProcess: processUsage(again.child.pid!) };
  } finally {
    await Promise.all(procs.map(stopCoordinatorProcess));
    await w.devnet.stop();
  }
}

async function main(): Promise<void> {
  const sizes = (arg("sizes") ?? "10,100,1000").split(",").map(Number);
  const runs: RunResult[] = [];
  for (const n of sizes) runs.push(await throughput(n));
  const rec = process.argv.includes("--no-recovery") ? undefined : await recovery(Math.max(...sizes));
  const big = runs[runs.length - 1]!;
  const perSwap = runs.map((r) => r.cpuMsPerSwap ?? 0);
  const result = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    setup: { blockIntervalMs: 1000, blockGasLimit: BLOCK_GAS_LIMIT, confirmations: 1, pollIntervalMs: BENCH_POLL_INTERVAL_MS, deltaSeconds: 900, batchSize: BENCH_BATCH_SIZE },
    runs,
    recovery: rec,
    targets: {
      allCompleteNoMissedDeadline: { target: true, measured: big.completed === big.swaps && big.missedDeadlines === 0 },
      latencyP50Blocks: { target: "<= 8", measured: big.latencyBlocks.p50, met: (big.latencyBlocks.p50 ?? Infinity) <= 8 },
      reactionP99Ms: { target: "< 1000", measured: big.reactionMs.p99, met: (big.reactionMs.p99 ?? Infinity) < 1000 },
      recoverySeconds: { target: "< 5", measured: rec?.recoverySeconds, met: rec !== undefined && rec.recoverySeconds < 5 },
      peakMemoryMiB: { target: "< 300", measured: Math.max(...Object.values(big.coordinators).map((c) => c.peakRssMiB ?? 0)), met: Object.values(big.coordinators).every((c) => (c.peakRssMiB ?? Infinity) < 300) },
      cpuMsPerSwapFlat: { target: "flat from 10 to 1000 swaps", measured: perSwap },
    },
  };
  mkdirSync(join(__dirname, "..", "benchmarks"), { recursive: true });
  writeFileSync(join(__dirname, "..", "benchmarks", "coordinator.json"), JSON.stringify(result, null, 2) + "\n");
  log("wrote benchmarks/coordinator.json");
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
