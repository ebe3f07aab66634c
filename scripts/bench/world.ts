/**
 * The benchmark's world: two local chains with a 1-second block interval (automine off, so a block
 * carries many transactions), tokens for N swaps, N signed offers, and the two coordinators as
 * separate processes, exactly as `npm run demo` runs them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Contract, MaxUint256, type Wallet } from "ethers";

import { deriveSecret, hashlockOf, planHedgedSwap, signOffer, signedOfferToJson, type SwapPlan } from "../../src/sdk";
import { devAccounts, deployToken, startDevnet, type Devnet, type DevnetChain } from "../../src/devnet";
import { startCoordinatorProcess, type CoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import { DEFAULT_BATCH_SIZE } from "../../src/coordinator/engine/work";

export const U = 10n ** 18n;
/** The coordinators' poll interval in the benchmark: a tenth of the chains' 1-second block interval (`HEDGESWAP_BENCH_POLL_MS` to try others). */
export const BENCH_POLL_INTERVAL_MS = Number(process.env.HEDGESWAP_BENCH_POLL_MS ?? 100);
/** The coordinators' batch size in the benchmark: the default (`HEDGESWAP_BENCH_BATCH` to try others). */
export const BENCH_BATCH_SIZE = Number(process.env.HEDGESWAP_BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
export const SEED = "0x" + "be".repeat(32);

export interface BenchWorld {
  devnet: Devnet;
  A: DevnetChain;
  B: DevnetChain;
  alice: Wallet;
  bob: Wallet;
  APR: string;
  BAN: string;
  dir: string;
  plans: SwapPlan[];
  offersPath: string;
}

const TOKEN_ABI = ["function mint(address to, uint256 amount)", "function approve(address spender, uint256 amount) returns (bool)", "function balanceOf(address) view returns (uint256)"];

/** Starts the chains, funds both parties for `n` swaps, writes `n` signed offers; the chains then mine one block a second. */
export async function benchWorld(n: number, delta: bigint): Promise<BenchWorld> {
  const devnet = await startDevnet({ chains: [{ name: "A", chainId: 31371n }, { name: "B", chainId: 31372n }] });
  const A = devnet.chain("A");
  const B = devnet.chain("B");
  const [deployer, alice, bob] = devAccounts(3) as [Wallet, Wallet, Wallet];
  const APR = await deployToken(A.node, deployer, "Apricot", "APR");
  const BAN = await deployToken(B.node, deployer, "Banana", "BAN");
  const fund = async (chain: DevnetChain, token: string, who: Wallet, amount: bigint) => {
    const c = new Contract(token, TOKEN_ABI, who.connect(chain.node.provider));
    await (await c.getFunction("mint")(who.address, amount)).wait();
    await (await c.getFunction("approve")(chain.escrow, MaxUint256)).wait();
  };
  await fund(A, APR, alice, BigInt(n) * 100n * U);
  await fund(B, BAN, alice, BigInt(n) * 3n * U);
  await fund(A, APR, bob, BigInt(n) * 1n * U);
  await fund(B, BAN, bob, BigInt(n) * 100n * U);

  const now = [await A.node.latestTimestamp(), await B.node.latestTimestamp()].reduce((x, y) => (x > y ? x : y));
  const plans: SwapPlan[] = [];
  const signed: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const plan = planHedgedSwap(
      {
        leader: alice.address,
        follower: bob.address,
        hashlock: hashlockOf(deriveSecret(SEED, i)),
        start: now,
        delta,
        legA: { chainId: A.node.chainId, escrow: A.escrow, token: APR, amount: 100n * U, premiumAmount: 1n * U },
        legB: { chainId: B.node.chainId, escrow: B.escrow, token: BAN, amount: 100n * U, premiumAmount: 3n * U },
      },
      { now, minDelta: 1n },
    );
    plans.push(plan);
    signed.push(signedOfferToJson({ offer: plan.offer, signatures: { leader: await signOffer(alice, plan.offer), follower: await signOffer(bob, plan.offer) } }));
  }
  const dir = mkdtempSync(join(tmpdir(), `hedgeswap-bench-${n}-`));
  const offersPath = join(dir, "offers.json");
  writeFileSync(offersPath, JSON.stringify(signed));
  for (const c of [A, B]) {
    await c.node.provider.send("evm_setAutomine", [false]);
    await c.node.provider.send("evm_setIntervalMining", [1000]);
  }
  return { devnet, A, B, alice, bob, APR, BAN, dir, plans, offersPath };
}

/** Starts one party's coordinator process on the world's chains. */
export function startParty(w: BenchWorld, party: "alice" | "bob", n: number, withOffers: boolean): CoordinatorProcess {
  const dataDir = join(w.dir, party);
  mkdirSync(dataDir, { recursive: true });
  const config = {
    dataDir,
    chains: [w.A, w.B].map((c) => ({
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
    parties: [{ name: party, privateKeyEnv: "BENCH_KEY", ...(party === "alice" ? { secretSeedEnv: "BENCH_SEED" } : {}) }],
    minDelta: 60,
    reactionMargin: 5,
    pollIntervalMs: BENCH_POLL_INTERVAL_MS,
    batchSize: BENCH_BATCH_SIZE,
    settleGrace: 30,
    seedScan: Math.max(n, 16),
    // HEDGESWAP_BENCH_LOG_LEVEL=debug: every round's phases in the log (engine/round.ts; bench/roundProfile.ts).
    logLevel: process.env.HEDGESWAP_BENCH_LOG_LEVEL ?? "warn",
  };
  const env: Record<string, string> = {
    BENCH_KEY: (party === "alice" ? w.alice : w.bob).privateKey,
    ...(party === "alice" ? { BENCH_SEED: SEED } : {}),
  };
  // HEDGESWAP_BENCH_PROFILE=<dir>: write a V8 CPU profile of each coordinator there.
  // HEDGESWAP_BENCH_NODE_ARGS="...": extra Node.js flags for the coordinators (e.g. a heap limit).
  const profile = process.env.HEDGESWAP_BENCH_PROFILE;
  const nodeArgs = [...(process.env.HEDGESWAP_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []), ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [])];
  return startCoordinatorProcess(config, `coordinator-${Date.now()}`, { args: withOffers ? ["--offer", w.offersPath] : [], env, bundle: true, nodeArgs });
}

/** A token balance. */
export async function balance(chain: DevnetChain, token: string, who: string): Promise<bigint> {
  return (await new Contract(token, TOKEN_ABI, chain.node.provider).getFunction("balanceOf")(who)) as bigint;
}
