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
 * again, and whether all end as expected. `--sizes 10,100` limits the runs; `--out <file>` writes
 * elsewhere than benchmarks/coordinator.json (a short run that must not replace the recorded figures).
 *
 * `--parties 3 [--swaps 300]`: the ring3 run (`bench/ring3.ts`): three-party hedged cycles (§7) on three
 * chains, one coordinator process per party, recorded as the file's `ring3` entry (the rest is kept).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";

import { escrowInterface } from "../src/sdk";
import { stopCoordinatorProcess, type CoordinatorProcess } from "../src/devnet/coordinatorProcess";
import { logsCost, nodeCosts } from "./bench/nodeCosts";
import { drivingSince, log, sleep, waitAllFinal, watchBlocks, withStore } from "./bench/observe";
import { percentile, processUsage } from "./bench/procfs";
import { ring3 } from "./bench/ring3";
import { roundProfile } from "./bench/roundProfile";
import { BENCH_BATCH_SIZE, BENCH_POLL_INTERVAL_MS, U, balance, benchWorld, startParty, type BenchWorld } from "./bench/world";

const BLOCK_GAS_LIMIT = 300_000_000;
process.env.HEDGESWAP_BLOCK_GAS_LIMIT = String(BLOCK_GAS_LIMIT);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
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
      perBatch: await nodeCosts([w.A, w.B], bob.txs, (t) => bob.members.get(t.id) ?? 1),
      getLogs: await logsCost(w.A, bob.txs),
    },
    balancesOk,
  };
}

async function throughput(n: number): Promise<RunResult> {
  log(`--- ${n} concurrent swaps: setting up`);
  const w = await benchWorld(n, 900n);
  const procs: Record<string, CoordinatorProcess> = {};
  const watch = watchBlocks(w.B.node.provider);
  try {
    const spawned = Date.now();
    procs.alice = startParty(w, "alice", n, true);
    procs.bob = startParty(w, "bob", n, true);
    const start = Math.max(await drivingSince(w, "alice", spawned, 600_000), await drivingSince(w, "bob", spawned, 600_000));
    const startBlockA = await w.A.node.provider.getBlockNumber();
    const cpuAtStart = Object.values(procs).reduce((sum, p) => sum + (processUsage(p.child.pid!).cpuSeconds ?? 0), 0);
    log(`both coordinators drive ${n} swaps (admission took ${((start - spawned) / 1000).toFixed(1)} s)`);
    await waitAllFinal(w, ["alice", "bob"], n, 900_000);
    const end = Date.now();
    const m = await measure(w, n, procs, start, startBlockA, watch.seen, cpuAtStart);
    const wallSeconds = (end - start) / 1000;
    const rounds = process.env.HEDGESWAP_BENCH_LOG_LEVEL === "debug" ? Object.fromEntries(Object.entries(procs).map(([p, proc]) => [p, roundProfile(proc.logPath, start, end)])) : undefined;
    const r = { ...m, wallSeconds, completedPerMinute: Math.round((m.completed / wallSeconds) * 60 * 10) / 10, ...(rounds ? { rounds } : {}) };
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
    await waitAllFinal(w, ["alice", "bob"], n, 900_000);
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
  const out = resolve(arg("out") ?? join(__dirname, "..", "benchmarks", "coordinator.json"));
  const previous = (existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : {}) as Record<string, unknown>;
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version };
  const setup = { blockIntervalMs: 1000, blockGasLimit: BLOCK_GAS_LIMIT, confirmations: 1, pollIntervalMs: BENCH_POLL_INTERVAL_MS, deltaSeconds: 900, batchSize: BENCH_BATCH_SIZE };
  const parties = Number(arg("parties") ?? 2);
  if (parties === 3) {
    // The ring3 run replaces only the file's `ring3` entry; the two-party figures stay as they are.
    const ring = { generatedAt: new Date().toISOString(), machine, setup, ...(await ring3(Number(arg("swaps") ?? 300), 900n)) };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ ...previous, ring3: ring }, null, 2) + "\n");
    log(`wrote the ring3 run to ${out}`);
    return;
  }
  if (parties !== 2) throw new Error(`--parties ${arg("parties")}: 2 (the default) or 3`);
  const sizes = (arg("sizes") ?? "10,100,1000").split(",").map(Number);
  const runs: RunResult[] = [];
  for (const n of sizes) runs.push(await throughput(n));
  const rec = process.argv.includes("--no-recovery") ? undefined : await recovery(Math.max(...sizes));
  const big = runs[runs.length - 1]!;
  const perSwap = runs.map((r) => r.cpuMsPerSwap ?? 0);
  const result = {
    generatedAt: new Date().toISOString(),
    machine,
    setup,
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
    // The three-party run (`--parties 3`) is kept as it was recorded.
    ...(previous.ring3 !== undefined ? { ring3: previous.ring3 } : {}),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  log(`wrote ${out}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
