/**
 * The multi-chain world of the coordinator tests: two real `hardhat node` processes (chains A and B)
 * with the escrow deployed, fresh tokens per test minted to the scenario matrix's balances, coordinator
 * configurations for Alice and Bob (each with only its own key), and signed offers.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Contract, type Wallet } from "ethers";
import pino from "pino";

import { deriveSecret, hashlockOf, planHedgedSwap, planOption, signOffer, type SignedOffer, type SwapPlan } from "../../src/sdk";
import { parseConfig, type CoordinatorConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import { isFinal } from "../../src/coordinator/domain/status";
import { devAccounts, deployToken, mintAndApprove, startDevnet, type Devnet, type DevnetChain } from "../../src/devnet";

/** One token unit. */
export const U = 10n ** 18n;
/** Δ of the coordinator tests, seconds of chain time. */
export const DELTA = 20n;
/** Alice's secret seed (she leads every swap). */
export const ALICE_SEED = "0x" + "a1".repeat(32);

export interface World {
  devnet: Devnet;
  A: DevnetChain;
  B: DevnetChain;
  alice: Wallet;
  bob: Wallet;
  carol: Wallet;
  /** Next secret index (one per swap). */
  nextIndex: number;
}

/** Starts chains A (31351) and B (31352). */
export async function startWorld(): Promise<World> {
  const devnet = await startDevnet({ chains: [{ name: "A", chainId: 31351n }, { name: "B", chainId: 31352n }] });
  const [, alice, bob, carol] = devAccounts(4);
  return { devnet, A: devnet.chain("A"), B: devnet.chain("B"), alice: alice!, bob: bob!, carol: carol!, nextIndex: 0 };
}

export interface Tokens {
  APR: string;
  BAN: string;
}

/** Fresh APR on A and BAN on B: Alice 100 APR + 3 BAN, Bob 1 APR + 100 BAN, all approved to the escrows. */
export async function freshTokens(w: World, approve = true): Promise<Tokens> {
  const deployer = devAccounts(1)[0]!;
  const APR = await deployToken(w.A.node, deployer, "Apricot", "APR");
  const BAN = await deployToken(w.B.node, deployer, "Banana", "BAN");
  const grant = async (chain: DevnetChain, token: string, who: Wallet, amount: bigint) => mintAndApprove(chain.node, token, who, amount, approve ? chain.escrow : who.address);
  await grant(w.A, APR, w.alice, 100n * U);
  await grant(w.B, BAN, w.alice, 3n * U);
  await grant(w.A, APR, w.bob, 1n * U);
  await grant(w.B, BAN, w.bob, 100n * U);
  return { APR, BAN };
}

/** One devnet chain as the coordinator tests configure it: one confirmation, 1 s blocks, 2 s inclusion and skew. */
export function testChainJson(c: DevnetChain): Record<string, unknown> {
  return {
    name: c.name,
    chainId: c.node.chainId.toString(),
    rpcUrl: c.node.url,
    escrow: c.escrow,
    deploymentBlock: c.deploymentBlock,
    confirmations: 1,
    blockInterval: 1,
    inclusionTime: 2,
    clockSkew: 2,
    rpcTimeoutMs: 1500,
  };
}

/** A coordinator configuration file's content for one party, with a fresh data directory. */
export function partyConfigJson(w: World, party: "alice" | "bob", extra: Record<string, unknown> = {}): Record<string, unknown> {
  const wallet = party === "alice" ? w.alice : w.bob;
  return {
    dataDir: mkdtempSync(join(tmpdir(), `hedgeswap-${party}-`)),
    chains: [testChainJson(w.A), testChainJson(w.B)],
    parties: [{ name: party, privateKey: wallet.privateKey, ...(party === "alice" ? { secretSeed: ALICE_SEED } : {}) }],
    minDelta: 10,
    reactionMargin: 3,
    pollIntervalMs: 100,
    settleGrace: 5,
    logLevel: "silent",
    ...extra,
  };
}

/** A parsed coordinator configuration for one party, with a fresh data directory. */
export function partyConfig(w: World, party: "alice" | "bob", extra: Record<string, unknown> = {}): CoordinatorConfig {
  return parseConfig(partyConfigJson(w, party, extra));
}

/** A coordinator with silent logs. */
export function coordinator(config: CoordinatorConfig): Coordinator {
  return new Coordinator(config, { logger: pino({ level: "silent" }) });
}

/** Plans the matrix swap (a = b = 100, p_b = 1, Alice's deposit 3) from the chains' clocks, signed by both. */
export async function signedOffer(w: World, t: Tokens, kind: "hedged-swap" | "option" = "hedged-swap", delta = DELTA): Promise<{ signed: SignedOffer; plan: SwapPlan; secret: string }> {
  const index = w.nextIndex++;
  const secret = deriveSecret(ALICE_SEED, index);
  const now = [await w.A.node.latestTimestamp(), await w.B.node.latestTimestamp()].reduce((a, b) => (a > b ? a : b));
  const terms = {
    leader: w.alice.address,
    follower: w.bob.address,
    hashlock: hashlockOf(secret),
    start: now,
    delta,
    legA: { chainId: w.A.node.chainId, escrow: w.A.escrow, token: t.APR, amount: 100n * U, premiumAmount: 1n * U },
    legB: { chainId: w.B.node.chainId, escrow: w.B.escrow, token: t.BAN, amount: 100n * U, premiumAmount: 3n * U },
  };
  const plan = kind === "option" ? planOption(terms, { now, minDelta: 1n }) : planHedgedSwap(terms, { now, minDelta: 1n });
  const signed = { offer: plan.offer, signatures: { leader: await signOffer(w.alice, plan.offer), follower: await signOffer(w.bob, plan.offer) } };
  return { signed, plan, secret };
}

/** Connects both coordinators, has each admit `signed`, and starts both loops. */
export async function driveBoth(alice: Coordinator, bob: Coordinator, signed: SignedOffer): Promise<void> {
  await alice.init();
  await bob.init();
  await alice.submit(signed);
  await bob.submit(signed);
  alice.start();
  bob.start();
}

/** Polls `predicate` every 50 ms until it holds; fails after `timeoutMs` with `what`. */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** Waits until `coordinator`'s swap `id` is in a final status; returns its outcome. */
export async function finished(c: Coordinator, id: string, timeoutMs = 30_000): Promise<string | null> {
  await until(`swap ${id.slice(0, 10)} final`, () => {
    const row = c.store.getSwap(id);
    return row !== undefined && isFinal(row.status);
  }, timeoutMs);
  return c.store.getSwap(id)!.outcome;
}

const BALANCE = ["function balanceOf(address) view returns (uint256)"];

/** Asserts Alice's and Bob's exact APR and BAN balances, in whole units. */
export async function expectHoldings(w: World, t: Tokens, units: { aliceAPR: bigint; aliceBAN: bigint; bobAPR: bigint; bobBAN: bigint }): Promise<void> {
  const bal = (chain: DevnetChain, token: string, who: Wallet) => new Contract(token, BALANCE, chain.node.provider).getFunction("balanceOf")(who.address) as Promise<bigint>;
  const actual = {
    aliceAPR: await bal(w.A, t.APR, w.alice),
    aliceBAN: await bal(w.B, t.BAN, w.alice),
    bobAPR: await bal(w.A, t.APR, w.bob),
    bobBAN: await bal(w.B, t.BAN, w.bob),
  };
  expect(actual).to.deep.equal({ aliceAPR: units.aliceAPR * U, aliceBAN: units.aliceBAN * U, bobAPR: units.bobAPR * U, bobBAN: units.bobBAN * U });
}
