/**
 * The ring3 benchmark's world (`npm run bench:coordinator -- --parties 3`): three local chains with a
 * 1-second block interval (automine off), one token per chain, §7's funds for N cycles (party i: N·100
 * of token i, its principal on arc i, and N·i·1 of token i−1, the premium it deposits on its incoming
 * arc; the leader N·3 of token 2), N cycle offers signed by all three parties, and one coordinator
 * process per party, each with only its own key (the leader also with its seed) and every chain
 * configured exactly as the two-party benchmark configures its two (`world.ts`).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Wallet } from "ethers";

import { deriveSecret, hashlockOf, planCycle, signCycleOffer, signedCycleOfferToJson, type CyclePlan } from "../../src/sdk";
import { devAccounts, deployToken, mintAndApprove, repoRoot, startDevnet, type Devnet, type DevnetChain } from "../../src/devnet";
import type { CoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import { BENCH_BATCH_SIZE, BENCH_POLL_INTERVAL_MS, SEED, U } from "./world";

export const RING_NAMES = ["alice", "bob", "carol"] as const;

export interface CycleBenchWorld {
  devnet: Devnet;
  /** Chain i holds arc i. */
  chains: DevnetChain[];
  parties: Wallet[];
  tokens: string[];
  dir: string;
  plans: CyclePlan[];
  offersPath: string;
}

/** Starts n chains, funds every party for `count` cycles, writes `count` signed cycle offers; the chains then mine one block a second. */
export async function cycleBenchWorld(n: number, count: number, delta: bigint): Promise<CycleBenchWorld> {
  const devnet = await startDevnet({ chains: Array.from({ length: n }, (_, i) => ({ name: `C${i}`, chainId: 31371n + BigInt(i) })) });
  const chains = Array.from({ length: n }, (_, i) => devnet.chain(`C${i}`));
  const [deployer, ...parties] = devAccounts(n + 1) as Wallet[];
  const tokens: string[] = [];
  for (const [i, c] of chains.entries()) tokens.push(await deployToken(c.node, deployer!, `Token${i}`, `T${i}`));
  const N = BigInt(count);
  for (let i = 0; i < n; i++) {
    const incoming = (i + n - 1) % n;
    await mintAndApprove(chains[i]!.node, tokens[i]!, parties[i]!, N * 100n * U, chains[i]!.escrow);
    await mintAndApprove(chains[incoming]!.node, tokens[incoming]!, parties[i]!, N * BigInt(incoming + 1) * U, chains[incoming]!.escrow);
  }
  const now = (await Promise.all(chains.map((c) => c.node.latestTimestamp()))).reduce((x, y) => (x > y ? x : y));
  const plans: CyclePlan[] = [];
  const signed: Record<string, unknown>[] = [];
  for (let k = 0; k < count; k++) {
    const plan = planCycle(
      {
        leader: parties[0]!.address,
        hashlock: hashlockOf(deriveSecret(SEED, k)),
        start: now,
        delta,
        arcs: chains.map((c, i) => ({ from: parties[i]!.address, to: parties[(i + 1) % n]!.address, chainId: c.node.chainId, escrow: c.escrow, token: tokens[i]!, amount: 100n * U })),
        compensations: Array.from({ length: n }, () => 1n * U),
      },
      { now, minDelta: 1n },
    );
    plans.push(plan);
    signed.push(signedCycleOfferToJson({ offer: plan.offer, signatures: await Promise.all(parties.map((p) => signCycleOffer(p, plan.offer))) }));
  }
  const dir = mkdtempSync(join(tmpdir(), `hedgeswap-bench-ring${n}-${count}-`));
  const offersPath = join(dir, "cycles.json");
  writeFileSync(offersPath, JSON.stringify(signed));
  for (const c of chains) {
    await c.node.provider.send("evm_setAutomine", [false]);
    await c.node.provider.send("evm_setIntervalMining", [1000]);
  }
  return { devnet, chains, parties, tokens, dir, plans, offersPath };
}

/** The bundle of `cycleParty.ts`, built once per benchmark run (inside the repository, so its npm packages resolve). */
let bundle: Promise<string> | undefined;
function cyclePartyBundle(): Promise<string> {
  return (bundle ??= (async () => {
    const { build } = await import("esbuild");
    const outfile = join(repoRoot(), "dist", "bench", "cycle-party.cjs");
    await build({ entryPoints: [join(__dirname, "cycleParty.ts")], outfile, bundle: true, platform: "node", format: "cjs", target: "node20", packages: "external", sourcemap: true, logLevel: "warning" });
    return outfile;
  })());
}

/** Starts party i's coordinator process; `HEDGESWAP_BENCH_LOG_LEVEL=debug` logs every round's phases (engine/round.ts). */
export async function startCycleParty(w: CycleBenchWorld, i: number, count: number): Promise<CoordinatorProcess> {
  const name = RING_NAMES[i]!;
  const dataDir = join(w.dir, name);
  mkdirSync(dataDir, { recursive: true });
  const config = {
    dataDir,
    chains: w.chains.map((c) => ({
      name: c.name,
      chainId: c.node.chainId.toString(),
      rpcUrl: c.node.url,
      escrow: c.escrow,
      deploymentBlock: c.deploymentBlock,
      confirmations: 1,
      blockInterval: 1,
      inclusionTime: 5,
      clockSkew: 2,
      rpcTimeoutMs: 30_000,
    })),
    parties: [{ name, privateKeyEnv: "BENCH_KEY", ...(i === 0 ? { secretSeedEnv: "BENCH_SEED" } : {}) }],
    minDelta: 60,
    reactionMargin: 5,
    pollIntervalMs: BENCH_POLL_INTERVAL_MS,
    batchSize: BENCH_BATCH_SIZE,
    settleGrace: 30,
    seedScan: Math.max(count, 16),
    logLevel: process.env.HEDGESWAP_BENCH_LOG_LEVEL ?? "warn",
  };
  const configPath = join(dataDir, `coordinator-${Date.now()}.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = configPath.replace(/\.json$/, ".log");
  const log = openSync(logPath, "a");
  const profile = process.env.HEDGESWAP_BENCH_PROFILE;
  const nodeArgs = [...(process.env.HEDGESWAP_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []), ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [])];
  const env = { ...process.env, BENCH_KEY: w.parties[i]!.privateKey, ...(i === 0 ? { BENCH_SEED: SEED } : {}) };
  const child = spawn(process.execPath, [...nodeArgs, await cyclePartyBundle(), configPath, w.offersPath], { cwd: repoRoot(), stdio: ["ignore", log, log], env });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  process.once("exit", () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"));
  return { child, configPath, logPath, ended };
}
