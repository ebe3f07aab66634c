/**
 * The n-chain world of the coordinator's cycle tests (`PROTOCOLS.md` §7): one real `hardhat node` per
 * arc with the escrow deployed, one fresh token per chain minted to §7's starting balances, one
 * coordinator configuration per party (each with only its own key; the leader with its seed), and
 * cycle offers signed by every party.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Contract, type Wallet } from "ethers";

import { deriveSecret, hashlockOf, planCycle, signCycleOffer, type CyclePlan, type SignedCycleOffer } from "../../src/sdk";
import { parseConfig, type CoordinatorConfig } from "../../src/coordinator/config";
import { devAccounts, deployToken, mintAndApprove, startDevnet, type Devnet, type DevnetChain } from "../../src/devnet";
import { testChainJson } from "./world";

/** One token unit. */
export const U = 10n ** 18n;
/** Δ of the cycle tests, seconds of chain time. */
export const CYCLE_DELTA = 20n;
/** The leader's secret seed. */
export const LEADER_SEED = "0x" + "c1".repeat(32);

/** n chains (arc i on chain i), n parties (P0 the leader), one token per chain. */
export interface CycleWorld {
  readonly devnet: Devnet;
  readonly chains: readonly DevnetChain[];
  readonly parties: readonly Wallet[];
  readonly names: readonly string[];
  /** Token of chain i (arc i's principal and premium asset), fresh per `freshCycleTokens`. */
  tokens: string[];
  nextIndex: number;
}

const NAMES = ["alice", "bob", "carol", "dave", "erin"];

/** Starts n chains (ids 31371 …) and picks n parties. */
export async function startCycleWorld(n: number): Promise<CycleWorld> {
  const devnet = await startDevnet({ chains: Array.from({ length: n }, (_, i) => ({ name: `C${i}`, chainId: 31371n + BigInt(i) })) });
  const accounts = devAccounts(n + 1).slice(1);
  return { devnet, chains: Array.from({ length: n }, (_, i) => devnet.chain(`C${i}`)), parties: accounts, names: NAMES.slice(0, n), tokens: [], nextIndex: 0 };
}

/**
 * Fresh tokens, one per chain, with §7's starting balances for principal `a` and uniform compensation
 * `c` (arc i carries the premium (i+1)·c): party i holds `a` of token i (its principal on arc i) and
 * `i·c` of token i−1 (the premium it deposits on its incoming arc i−1; the leader n·c of token n−1).
 */
export async function freshCycleTokens(w: CycleWorld, a = 100n, c = 1n): Promise<void> {
  const deployer = devAccounts(1)[0]!;
  const n = w.chains.length;
  w.tokens = [];
  for (const [i, chain] of w.chains.entries()) w.tokens.push(await deployToken(chain.node, deployer, `Token${i}`, `T${i}`));
  for (let i = 0; i < n; i++) {
    const incoming = (i + n - 1) % n;
    await mintAndApprove(w.chains[i]!.node, w.tokens[i]!, w.parties[i]!, a * U, w.chains[i]!.escrow);
    await mintAndApprove(w.chains[incoming]!.node, w.tokens[incoming]!, w.parties[i]!, BigInt(incoming + 1) * c * U, w.chains[incoming]!.escrow);
  }
}

/** A coordinator configuration file's content for party `i`, with a fresh data directory. */
export function cyclePartyConfigJson(w: CycleWorld, i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const name = w.names[i]!;
  return {
    dataDir: mkdtempSync(join(tmpdir(), `hedgeswap-cycle-${name}-`)),
    chains: w.chains.map(testChainJson),
    parties: [{ name, privateKey: w.parties[i]!.privateKey, ...(i === 0 ? { secretSeed: LEADER_SEED } : {}) }],
    minDelta: 10,
    reactionMargin: 3,
    pollIntervalMs: 100,
    settleGrace: 5,
    logLevel: "silent",
    ...extra,
  };
}

/** A parsed configuration for party `i`. */
export function cyclePartyConfig(w: CycleWorld, i: number, extra: Record<string, unknown> = {}): CoordinatorConfig {
  return parseConfig(cyclePartyConfigJson(w, i, extra));
}

/** Plans §7's cycle (principal `a` per arc, compensation `c` per party) from the chains' clocks, signed by every party. */
export async function signedCycle(w: CycleWorld, a = 100n, c = 1n, delta = CYCLE_DELTA): Promise<{ signed: SignedCycleOffer; plan: CyclePlan; secret: string }> {
  const index = w.nextIndex++;
  const secret = deriveSecret(LEADER_SEED, index);
  const times = await Promise.all(w.chains.map((ch) => ch.node.latestTimestamp()));
  const now = times.reduce((x, y) => (x > y ? x : y));
  const n = w.chains.length;
  const plan = planCycle(
    {
      leader: w.parties[0]!.address,
      hashlock: hashlockOf(secret),
      start: now,
      delta,
      arcs: w.chains.map((ch, i) => ({ from: w.parties[i]!.address, to: w.parties[(i + 1) % n]!.address, chainId: ch.node.chainId, escrow: ch.escrow, token: w.tokens[i]!, amount: a * U })),
      compensations: Array.from({ length: n }, () => c * U),
    },
    { now, minDelta: 1n },
  );
  const signatures = await Promise.all(w.parties.map((p) => signCycleOffer(p, plan.offer)));
  return { signed: { offer: plan.offer, signatures }, plan, secret };
}

const BALANCE = ["function balanceOf(address) view returns (uint256)"];

/** Every party's balance of every chain's token, in whole units: `holdings[party][chain]`. */
export async function cycleHoldings(w: CycleWorld): Promise<bigint[][]> {
  return Promise.all(
    w.parties.map((p) => Promise.all(w.chains.map(async (ch, i) => ((await new Contract(w.tokens[i]!, BALANCE, ch.node.provider).getFunction("balanceOf")(p.address)) as bigint) / U))),
  );
}

/** Asserts every party's holdings per chain (whole units). */
export async function expectCycleHoldings(w: CycleWorld, expected: readonly (readonly bigint[])[]): Promise<void> {
  expect(await cycleHoldings(w)).to.deep.equal(expected.map((r) => [...r]));
}
