/**
 * `npm run demo [-- --scenario <name>]`: the main job end to end on this machine (`--help` for the
 * options and scenarios; unknown options are refused with exit status 2 before anything starts).
 *
 * Compiles the contracts and bundles the coordinator (unless --skip-build), starts two local chains
 * (two `hardhat node` processes on 127.0.0.1, chain ids 31361 and 31362, a block every second), deploys
 * the escrow on both, funds Alice and Bob with demo tokens (APR on chain A, BAN on chain B), and runs a
 * hedged swap (or an HTLC option) with two coordinator processes — Alice's and Bob's — each holding
 * only its own key and learning about the other only through the chains and the signed offer. Shows
 * progress, then the timeline of every step on both chains (by step) and the final balances with each
 * party's change per asset, stops the chains and exits 0 (1 if a balance differs from the matrix).
 * Everything it writes (configurations, databases, coordinator and chain logs) goes to one temporary
 * folder, removed at the end of a successful run (kept with --keep, and after a failure).
 *
 * The ring3 scenarios (`--scenario ring3`, `ring3-carol-walks`, `ring3-leader-withholds`) run a
 * three-party hedged cycle (PROTOCOLS.md §7) on three chains (31361–31363) with three coordinator
 * processes instead: scripts/demo/ring3.ts. This file is the dispatcher and the two-party run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Contract, formatUnits, type Wallet } from "ethers";

import { deriveSecret, hashlockOf, planHedgedSwap, planOption, randomSeed, signOffer, signedOfferToJson } from "../src/sdk";
import type { StoredStatus } from "../src/coordinator/domain/phase";
import { isFinal } from "../src/coordinator/domain/status";
import { openSqliteStore } from "../src/coordinator/store";
import { devAccounts, deployToken, mintAndApprove, startDevnet, type Devnet, type DevnetChain } from "../src/devnet";
import { startCoordinatorProcess, stopCoordinatorProcess, type CoordinatorProcess } from "../src/devnet/coordinatorProcess";
import { hardhatCli, repoRoot } from "../src/devnet/paths";
import { DemoUsageError, demoHelp, optionList, parseDemoArgs, scenarioList, type DemoRequest } from "./demo/args";
import { runRing3 } from "./demo/ring3";
import { RING3_CHAINS } from "./demo/ring3Scenarios";
import { INITIAL, netChange, type Holdings, type Scenario } from "./demo/scenarios";
import { TimelineReader, type TimelineEntry } from "./demo/timeline";

const U = 10n ** 18n;
const DELTA = 30n;

const started = Date.now();
const since = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (text: string) => console.log(`${since()}  ${text}`);

async function main(): Promise<void> {
  let request: DemoRequest;
  try {
    request = parseDemoArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof DemoUsageError)) throw e;
    console.error(`demo: ${e.message}\n\nOptions:\n${optionList()}\n\nScenarios:\n${scenarioList()}`);
    process.exit(2);
  }
  if (request.kind === "help") return void console.log(demoHelp());
  if (request.kind === "list") return void console.log(scenarioList(""));
  const { scenario: sc, keep } = request;
  if (request.build) build();

  console.log(`hedgeswap demo: ${sc.title}\n`);
  // One folder for everything the run writes, the chains' logs included.
  const dir = mkdtempSync(join(tmpdir(), "hedgeswap-demo-"));
  const procs: CoordinatorProcess[] = [];
  let devnet: Devnet | undefined;
  let ok = false;
  const cleanUp = async () => {
    await Promise.all(procs.map(stopCoordinatorProcess));
    await devnet?.stop();
    if (ok && !keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`\nConfigurations, databases and logs kept in ${dir}`);
  };
  // Ctrl-C: stop the coordinators and chains, and keep the folder for a look.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the coordinators and the chains`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    if (sc.kind === "cycle") {
      say("starting chains A (31361), B (31362) and C (31363) on 127.0.0.1, one block per second...");
      devnet = await startDevnet({ chains: RING3_CHAINS.map((c) => ({ name: c.name, chainId: c.chainId })), blockIntervalMs: 1000, logDir: dir });
      ok = await runRing3(sc, devnet, { dir, procs, say, started });
    } else {
      say("starting chains A (31361) and B (31362) on 127.0.0.1, one block per second...");
      devnet = await startDevnet({ chains: [{ name: "A", chainId: 31361n }, { name: "B", chainId: 31362n }], blockIntervalMs: 1000, logDir: dir });
      ok = await runScenario(sc, devnet, dir, procs);
    }
  } finally {
    await cleanUp();
  }
  if (!ok) process.exitCode = 1;
}

/** Compiles the contracts and bundles the coordinator (and the dashboard, when its build script is there), quietly. */
function build(): void {
  const root = repoRoot();
  const steps: [string, string[]][] = [
    ["compiling the contracts", [hardhatCli(root), "compile", "--quiet"]],
    ["bundling the coordinator", [join(root, "scripts", "build-coordinator.mjs"), "--quiet"]],
  ];
  const dashboard = join(root, "scripts", "build-dashboard.mjs");
  if (existsSync(dashboard)) steps.push(["building the dashboard", [dashboard, "--quiet"]]);
  for (const [what, args] of steps) {
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
    if (r.status !== 0) {
      console.error(`demo: ${what} failed (exit ${r.status ?? r.signal})`);
      process.exit(1);
    }
  }
}

/** Deploys the tokens, signs the offer, runs both coordinators to the end and prints the result; true when the balances match. */
async function runScenario(sc: Scenario, devnet: Devnet, dir: string, procs: CoordinatorProcess[]): Promise<boolean> {
  const A = devnet.chain("A");
  const B = devnet.chain("B");
  say(`chain A at ${A.node.url}, escrow ${A.escrow}; chain B at ${B.node.url}, escrow ${B.escrow}`);
  const [deployer, alice, bob] = devAccounts(3) as [Wallet, Wallet, Wallet];
  const APR = await deployToken(A.node, deployer, "Apricot", "APR");
  const BAN = await deployToken(B.node, deployer, "Banana", "BAN");
  await mintAndApprove(A.node, APR, alice, INITIAL.aliceAPR * U, A.escrow);
  await mintAndApprove(B.node, BAN, alice, INITIAL.aliceBAN * U, B.escrow);
  await mintAndApprove(A.node, APR, bob, INITIAL.bobAPR * U, A.escrow);
  await mintAndApprove(B.node, BAN, bob, INITIAL.bobBAN * U, B.escrow);
  say(`Alice ${alice.address.slice(0, 10)}… holds 100 APR on A and 3 BAN on B; Bob ${bob.address.slice(0, 10)}… holds 1 APR and 100 BAN`);

  // Alice (the leader) derives the secret from her seed; both sign the offer.
  const seed = randomSeed();
  const secret = deriveSecret(seed, 0);
  const now = [await A.node.latestTimestamp(), await B.node.latestTimestamp()].reduce((x, y) => (x > y ? x : y));
  const terms = {
    leader: alice.address,
    follower: bob.address,
    hashlock: hashlockOf(secret),
    start: now,
    delta: DELTA,
    legA: { chainId: A.node.chainId, escrow: A.escrow, token: APR, amount: 100n * U, premiumAmount: 1n * U },
    legB: { chainId: B.node.chainId, escrow: B.escrow, token: BAN, amount: 100n * U, premiumAmount: 3n * U },
  };
  const plan = sc.kind === "option" ? planOption(terms, { now, minDelta: 20n }) : planHedgedSwap(terms, { now, minDelta: 20n });
  const signed = { offer: plan.offer, signatures: { leader: await signOffer(alice, plan.offer), follower: await signOffer(bob, plan.offer) } };
  const offerPath = join(dir, "offer.json");
  writeFileSync(offerPath, JSON.stringify(signedOfferToJson(signed), null, 2));
  say(`offer ${plan.id.slice(0, 18)}… signed by both: a = 100 APR, b = 100 BAN, premiums 1 APR (Bob) and 3 BAN (Alice), Δ = ${DELTA} s`);

  const config = (party: "alice" | "bob", halt: number | undefined) => ({
    dataDir: join(dir, party),
    chains: [A, B].map((c: DevnetChain) => ({ name: c.name, chainId: c.node.chainId.toString(), rpcUrl: c.node.url, escrow: c.escrow, deploymentBlock: c.deploymentBlock, confirmations: 1, blockInterval: 1, inclusionTime: 5, clockSkew: 2 })),
    parties: [{ name: party, privateKeyEnv: party === "alice" ? "ALICE_KEY" : "BOB_KEY", ...(party === "alice" ? { secretSeedEnv: "ALICE_SEED" } : {}) }],
    minDelta: 20,
    reactionMargin: 5,
    pollIntervalMs: 250,
    settleGrace: 10,
    logLevel: "info",
    faults: halt === undefined ? {} : { haltAfterStep: halt },
  });
  for (const party of ["alice", "bob"] as const) {
    const c = config(party, party === "alice" ? sc.aliceHalt : sc.bobHalt);
    mkdirSync(c.dataDir, { recursive: true });
    const env: Record<string, string> = party === "alice" ? { ALICE_KEY: alice.privateKey, ALICE_SEED: seed } : { BOB_KEY: bob.privateKey };
    procs.push(startCoordinatorProcess(c, "coordinator", { args: ["--offer", offerPath], env, bundle: true }));
  }
  const halted = [sc.aliceHalt !== undefined ? `Alice's stops after step ${sc.aliceHalt}` : "", sc.bobHalt !== undefined ? `Bob's stops after step ${sc.bobHalt}` : ""].filter(Boolean).join("; ");
  say(`started Alice's and Bob's coordinators${halted ? ` (${halted})` : ""}; configurations, databases and logs in ${dir}`);

  const timeline = new TimelineReader(plan, [
    { name: "A", chainId: A.node.chainId, provider: A.node.provider, escrow: A.escrow, symbol: "APR" },
    { name: "B", chainId: B.node.chainId, provider: B.node.provider, escrow: B.escrow, symbol: "BAN" },
  ]);
  const status = { alice: "" as StoredStatus | "", bob: "" as StoredStatus | "" };
  let jumped = false;
  const deadline = Date.now() + 120_000;
  for (;;) {
    for (const e of await timeline.poll()) say(line(e));
    for (const party of ["alice", "bob"] as const) {
      const s = readStatus(join(dir, party, "coordinator.sqlite"), plan.id);
      if (s && s !== status[party]) say(`${party === "alice" ? "Alice" : "Bob  "}'s coordinator: ${status[party] || "-"} → ${s}`);
      if (s) status[party] = s;
    }
    if (sc.jumpAt && !jumped && status.alice === sc.jumpAt) {
      await sleep(2000);
      await devnet.increaseTime(7n * DELTA);
      jumped = true;
      say(`nothing more will happen before the deadlines: fast-forwarding both chains' clocks by 7Δ = ${7n * DELTA} s`);
    }
    if (status.alice && status.bob && isFinal(status.alice) && isFinal(status.bob)) break;
    if (Date.now() > deadline) throw new Error("the swap did not finish within 120 s; see the coordinator logs in " + dir);
    await sleep(250);
  }
  for (const e of await timeline.poll()) say(line(e));
  await Promise.all(procs.map(stopCoordinatorProcess));
  const outcome = readOutcome(join(dir, "alice", "coordinator.sqlite"), plan.id);
  say(`both coordinators finished: outcome ${outcome}`);

  console.log("\nTimeline (both chains, by step; T0 is the first step's block time):");
  const t0 = Math.min(...timeline.entries.map((e) => e.timestamp));
  for (const e of timeline.entries) console.log(`  chain ${e.chain}  block ${String(e.block).padStart(3)}  T0${fmtOffset(e.timestamp - t0)}  ${e.step.padEnd(6)} ${e.text}`);

  const final = await holdings(devnet, APR, BAN, alice, bob);
  console.log("\nFinal balances        APR (chain A)   BAN (chain B)   expected     change (each asset on its own)");
  const ok = (Object.keys(sc.expected) as (keyof Holdings)[]).every((k) => final[k] === sc.expected[k]);
  console.log(`  Alice               ${String(final.aliceAPR).padStart(13)}   ${String(final.aliceBAN).padStart(13)}   ${`${sc.expected.aliceAPR} / ${sc.expected.aliceBAN}`.padEnd(12)} ${netChange(INITIAL, final, "alice")}`);
  console.log(`  Bob                 ${String(final.bobAPR).padStart(13)}   ${String(final.bobBAN).padStart(13)}   ${`${sc.expected.bobAPR} / ${sc.expected.bobBAN}`.padEnd(12)} ${netChange(INITIAL, final, "bob")}`);
  console.log(`\nPremiums: ${sc.premiums}`);
  console.log(`${ok ? "✓ balances match the scenario matrix" : "✗ balances differ from the scenario matrix"}; wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ok;
}

function line(e: TimelineEntry): string {
  return `chain ${e.chain} block ${String(e.block).padStart(3)}  step ${e.step.padEnd(6)} ${e.text}`;
}

function fmtOffset(s: number): string {
  return s >= 0 ? `+${s}s`.padEnd(6) : `${s}s`.padEnd(6);
}

function readStatus(path: string, id: string): StoredStatus | undefined {
  if (!existsSync(path)) return undefined;
  const store = openSqliteStore(path);
  try {
    return store.getSwap(id)?.status;
  } finally {
    store.close();
  }
}

function readOutcome(path: string, id: string): string {
  const store = openSqliteStore(path);
  try {
    return store.getSwap(id)?.outcome ?? "?";
  } finally {
    store.close();
  }
}

async function holdings(devnet: Devnet, APR: string, BAN: string, alice: Wallet, bob: Wallet): Promise<Holdings> {
  const bal = async (chain: string, token: string, who: Wallet) =>
    BigInt(formatUnits((await new Contract(token, ["function balanceOf(address) view returns (uint256)"], devnet.chain(chain).node.provider).getFunction("balanceOf")(who.address)) as bigint, 18).replace(/\.0$/, ""));
  return { aliceAPR: await bal("A", APR, alice), aliceBAN: await bal("B", BAN, alice), bobAPR: await bal("A", APR, bob), bobBAN: await bal("B", BAN, bob) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
