/**
 * The ring3 run of `npm run bench:coordinator -- --parties 3`: N concurrent three-party hedged cycles
 * (`PROTOCOLS.md` §7, 9 steps, protocol floor 9 sequential blocks) on three chains, one coordinator
 * process per party (`cycleWorld.ts`). The conventions are the two-party run's (bench-coordinator.ts):
 *
 * - admission excluded: every coordinator admits all offers before its first round; the clock starts
 *   at the latest of the three `coordinator.driving` events (the first round that drives every cycle),
 *   the chains' heads are read then, and CPU spent until then is reported apart;
 * - latency in seconds: to the update of the cycle's `completed` row in the store of the coordinator
 *   whose party takes the last step (step 9: P1 = bob redeems arc 0, as bob takes step 6 of a swap);
 * - latency in blocks: to the block of the last redeem, on its chain, counted from that chain's head
 *   at the start (the latest of arc 0's and arc 1's redeem, steps 9 and 8; a swap counts only leg A's);
 * - reaction: from the wall time the block revealing the secret (step 7, the leader's redeem of arc 2)
 *   was first seen on chain 2 to the follower's redeem being recorded for broadcast; both followers'
 *   redeems (steps 8 and 9) count, and are also given per step.
 */
import { escrowInterface } from "../../src/sdk";
import type { TxRow } from "../../src/coordinator/store/types";
import { stopCoordinatorProcess, type CoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import { logsCost, nodeCosts, type PerBatch } from "./nodeCosts";
import { drivingSince, log, waitAllFinal, watchBlocks, withStore } from "./observe";
import { percentile, processUsage } from "./procfs";
import { roundProfile, type RoundProfile } from "./roundProfile";
import { RING_NAMES, cycleBenchWorld, startCycleParty, type CycleBenchWorld } from "./cycleWorld";
import { U, balance } from "./world";

type Pct = { p50?: number; p99?: number };

export interface Ring3Run {
  name: "ring3";
  parties: 3;
  swaps: number;
  completed: number;
  missedDeadlines: number;
  wallSeconds: number;
  completedPerMinute: number;
  latencySeconds: Pct;
  latencyBlocks: Pct;
  reactionMs: Pct;
  /** Per follower redeem: step 8 (carol, arc 1) and step 9 (bob, arc 0). */
  reactionMsByStep: Record<string, Pct>;
  /** Seconds from spawning the processes until all three drive every cycle (excluded from the figures above). */
  admissionSeconds: number;
  coordinators: Record<string, { cpuSeconds?: number; peakRssMiB?: number }>;
  /** CPU (all three coordinators) per cycle while driving, after start-up and admission. */
  cpuMsPerSwap?: number;
  /** CPU (all three coordinators) for start-up and admitting every offer. */
  cpuSecondsBeforeDriving: number;
  transactionsPerSwap: number;
  chain: {
    /** Blocks mined on chains 0, 1, 2 (arcs A, B, C) from the start to the end. */
    blocksA: number;
    blocksB: number;
    blocksC: number;
    maxTxsPerBlock: number;
    nodeCpuSeconds: Record<string, number | undefined>;
    perBatch: PerBatch;
    getLogs?: Awaited<ReturnType<typeof logsCost>>;
  };
  balancesOk: boolean;
  /** Only with HEDGESWAP_BENCH_LOG_LEVEL=debug: the round phases of every coordinator (engine/round.ts). */
  rounds?: Record<string, RoundProfile>;
}

async function measure(w: CycleBenchWorld, n: number, procs: CoordinatorProcess[], startMs: number, startBlocks: number[], watchC: Map<number, number>, cpuAtStart: number) {
  const usage = Object.fromEntries(procs.map((p, i) => [RING_NAMES[i]!, processUsage(p.child.pid!)]));
  const stores = RING_NAMES.map((name) =>
    withStore(w, name, (s) => {
      const swaps = s.listSwaps();
      const txsBySwap = new Map(swaps.map((r) => [r.id, s.txsOfSwap(r.id)]));
      const txs = [...new Map([...txsBySwap.values()].flat().map((t) => [t.id, t])).values()];
      return { swaps, txsBySwap, txs, events: s.events(), members: new Map(txs.map((t) => [t.id, s.txMembers(t.id).length])) };
    }),
  );
  const [, bob, carol] = stores as [(typeof stores)[0], (typeof stores)[0], (typeof stores)[0]];
  const completedIds = stores.map((st) => new Set(st.swaps.filter((r) => r.status === "completed").map((r) => r.id)));
  const completed = w.plans.filter((p) => completedIds.every((ids) => ids.has(p.id))).length;
  const missed = stores.flatMap((st) => st.events).filter((e) => e.kind === "deadline.unreachable").length;

  const redeemed = escrowInterface.getEvent("LegRedeemed")!.topicHash;
  const blockOf = await Promise.all(
    w.chains.map(async (c) => new Map((await c.node.provider.getLogs({ address: c.escrow, topics: [redeemed], fromBlock: 0, toBlock: "latest" })).map((l) => [l.topics[1]!, l.blockNumber]))),
  );
  const latencyS: number[] = [];
  const latencyBlocks: number[] = [];
  const reaction: number[] = [];
  const byStep: Record<string, number[]> = { "8": [], "9": [] };
  const firstRedeem = (txs: readonly TxRow[] | undefined, leg: string) => txs?.filter((t) => t.action === "redeem" && t.leg === leg).sort((x, y) => x.createdAt - y.createdAt)[0];
  for (const plan of w.plans) {
    const row = bob.swaps.find((r) => r.id === plan.id);
    if (row?.status === "completed") latencyS.push((row.updatedAt - startMs) / 1000);
    const b0 = blockOf[0]!.get(plan.arcs[0]!.id);
    const b1 = blockOf[1]!.get(plan.arcs[1]!.id);
    if (b0 !== undefined && b1 !== undefined) latencyBlocks.push(Math.max(b0 - startBlocks[0]!, b1 - startBlocks[1]!));
    const b2 = blockOf[2]!.get(plan.arcs[2]!.id);
    const seen = b2 === undefined ? undefined : watchC.get(b2);
    if (seen === undefined) continue;
    for (const [step, tx] of [["8", firstRedeem(carol.txsBySwap.get(plan.id), "B")], ["9", firstRedeem(bob.txsBySwap.get(plan.id), "A")]] as const) {
      if (!tx) continue;
      reaction.push(tx.createdAt - seen);
      byStep[step]!.push(tx.createdAt - seen);
    }
  }
  const uniqueTx = new Set(stores.flatMap((st) => st.txs).filter((t) => t.status === "mined").map((t) => t.hash));
  const heads = await Promise.all(w.chains.map((c) => c.node.provider.getBlockNumber()));
  let maxTxs = 0;
  for (const [i, c] of w.chains.entries()) {
    for (let k = startBlocks[i]!; k <= heads[i]!; k++) maxTxs = Math.max(maxTxs, (await c.node.provider.getBlock(k))?.transactions.length ?? 0);
  }
  // §7's happy path, per cycle: A 0,0,103 · B 101,0,0 · C 0,102,0 (tokens of chains 0, 1, 2).
  const N = BigInt(n);
  const expected = [[0n, 0n, 103n], [101n, 0n, 0n], [0n, 102n, 0n]];
  let balancesOk = true;
  for (const [p, party] of w.parties.entries()) {
    for (const [i, c] of w.chains.entries()) if ((await balance(c, w.tokens[i]!, party.address)) !== N * expected[p]![i]! * U) balancesOk = false;
  }
  const cpu = Object.values(usage).reduce((sum, u) => sum + (u.cpuSeconds ?? 0), 0);
  return {
    swaps: n,
    completed,
    missedDeadlines: missed,
    latencySeconds: { p50: percentile(latencyS, 50), p99: percentile(latencyS, 99) },
    latencyBlocks: { p50: percentile(latencyBlocks, 50), p99: percentile(latencyBlocks, 99) },
    reactionMs: { p50: percentile(reaction, 50), p99: percentile(reaction, 99) },
    reactionMsByStep: Object.fromEntries(Object.entries(byStep).map(([k, v]) => [k, { p50: percentile(v, 50), p99: percentile(v, 99) }])),
    coordinators: usage,
    cpuMsPerSwap: Math.round(((cpu - cpuAtStart) * 1000) / n),
    cpuSecondsBeforeDriving: Math.round(cpuAtStart * 100) / 100,
    transactionsPerSwap: Math.round((uniqueTx.size / n) * 100) / 100,
    chain: {
      blocksA: heads[0]! - startBlocks[0]!,
      blocksB: heads[1]! - startBlocks[1]!,
      blocksC: heads[2]! - startBlocks[2]!,
      maxTxsPerBlock: maxTxs,
      nodeCpuSeconds: Object.fromEntries(w.chains.map((c, i) => ["ABC"[i]!, processUsage(c.node.pid).cpuSeconds])),
      perBatch: await nodeCosts(w.chains, bob.txs, (t) => bob.members.get(t.id) ?? 1),
      getLogs: await logsCost(w.chains[0]!, bob.txs),
    },
    balancesOk,
  };
}

/** One ring3 run of `n` concurrent cycles with Δ = `delta`; the run and the targets. */
export async function ring3(n: number, delta: bigint): Promise<{ run: Ring3Run; targets: Record<string, unknown>; notes: typeof RING3_NOTES }> {
  log(`--- ring3: ${n} concurrent three-party cycles: setting up`);
  const w = await cycleBenchWorld(3, n, delta);
  const procs: CoordinatorProcess[] = [];
  const watch = watchBlocks(w.chains[2]!.node.provider);
  let run: Ring3Run;
  try {
    const spawned = Date.now();
    for (let i = 0; i < 3; i++) procs.push(await startCycleParty(w, i, n));
    const driving = await Promise.all(RING_NAMES.map((name) => drivingSince(w, name, spawned, 600_000)));
    const start = Math.max(...driving);
    const startBlocks = await Promise.all(w.chains.map((c) => c.node.provider.getBlockNumber()));
    const cpuAtStart = procs.reduce((sum, p) => sum + (processUsage(p.child.pid!).cpuSeconds ?? 0), 0);
    const admissionSeconds = (start - spawned) / 1000;
    log(`all three coordinators drive ${n} cycles (admission took ${admissionSeconds.toFixed(1)} s)`);
    await waitAllFinal(w, RING_NAMES, n, 900_000);
    const end = Date.now();
    const m = await measure(w, n, procs, start, startBlocks, watch.seen, cpuAtStart);
    const wallSeconds = (end - start) / 1000;
    const rounds = process.env.HEDGESWAP_BENCH_LOG_LEVEL === "debug" ? Object.fromEntries(procs.map((p, i) => [RING_NAMES[i]!, roundProfile(p.logPath, start, end)])) : undefined;
    run = { name: "ring3", parties: 3, ...m, admissionSeconds, wallSeconds, completedPerMinute: Math.round((m.completed / wallSeconds) * 60 * 10) / 10, ...(rounds ? { rounds } : {}) };
    log(JSON.stringify(run));
  } finally {
    watch.stop();
    await Promise.all(procs.map(stopCoordinatorProcess));
    await w.devnet.stop();
  }
  const peak = Math.max(...Object.values(run.coordinators).map((c) => c.peakRssMiB ?? 0));
  const targets = {
    allCompleteNoMissedDeadline: { target: true, measured: run.completed === run.swaps && run.missedDeadlines === 0 && run.balancesOk },
    latencyP50Blocks: { target: "<= 11 (protocol floor 9)", measured: run.latencyBlocks.p50, met: (run.latencyBlocks.p50 ?? Infinity) <= 11 },
    reactionP99Ms: { target: "< 1000 (one block interval)", measured: run.reactionMs.p99, met: (run.reactionMs.p99 ?? Infinity) < 1000 },
    peakMemoryMiB: { target: "< 300 per coordinator", measured: peak, met: Object.values(run.coordinators).every((c) => (c.peakRssMiB ?? Infinity) < 300) },
  };
  return { run, targets, notes: RING3_NOTES };
}

/** How the ring3 figures are taken (also in the file's header), recorded with them. */
export const RING3_NOTES = {
  conventions:
    "as the two-party runs: admission excluded (clock and chain heads from the latest of the three coordinators' first driving round; CPU before it in cpuSecondsBeforeDriving); " +
    "latencySeconds to the completed row of the last step's actor (P1 = bob, step 9); latencyBlocks to the later of the two follower redeems (steps 8, 9), each on its chain from that chain's head at the start; " +
    "reactionMs from the block revealing s on chain 2 (step 7) first seen to each follower's redeem recorded for broadcast (steps 8 and 9, 2 per cycle)",
  latencyFloor:
    "steps 8 and 9 need only s, which both followers' coordinators see on chain 2 (§7: 's visible anywhere'), so they land in the same block interval: 8 sequential blocks when every step lands in the next block (9 if step 9 waited for step 8)",
};
