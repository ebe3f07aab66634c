/**
 * `npm run demo -- --scenario ring3[-…]`: a three-party hedged cycle (`PROTOCOLS.md` §7) on three local
 * chains A, B, C (arc i on chain i), driven by three coordinator processes — Alice's (the leader, with
 * her secret seed), Bob's and Carol's — each holding only its own key. The cycle offer is signed by all
 * three and handed to each coordinator over its HTTP API (`POST /cycles`, bearer token); the demo then
 * follows the chains' escrow events and each coordinator's `GET /swaps/:id`, fast-forwards the chains'
 * clocks when only the deadlines can move the cycle on, and checks every party's holdings on every
 * chain against §7's row.
 */
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

import { Contract, type Wallet } from "ethers";

import { deriveSecret, hashlockOf, planCycle, randomSeed, signCycleOffer, signedCycleOfferToJson, type CyclePlan } from "../../src/sdk";
import { devAccounts, deployToken, freePorts, mintAndApprove, type Devnet, type DevnetChain } from "../../src/devnet";
import { startCoordinatorProcess, type CoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import { RING3_CHAINS, RING3_INITIAL, RING3_PARTIES, ring3Change, ring3Row, type Ring3Holdings, type Ring3Scenario } from "./ring3Scenarios";
import { CycleTimelineReader } from "./ring3Timeline";
import type { TimelineEntry } from "./timeline";

const U = 10n ** 18n;
const DELTA = 30n;
/** How long a run may take before the demo gives up (real seconds; the deadlines are jumped over). */
const RUN_LIMIT_MS = 150_000;
const FINAL = new Set(["completed", "settled"]);

/** What the dispatcher (scripts/demo.ts) shares with a run. */
export interface Ring3Context {
  readonly dir: string;
  /** Every coordinator process started is pushed here, so the dispatcher stops it whatever happens. */
  readonly procs: CoordinatorProcess[];
  readonly say: (text: string) => void;
  /** `Date.now()` when the demo started (for the wall time). */
  readonly started: number;
}

/** One coordinator as the demo talks to it. */
interface Party {
  readonly index: number;
  readonly name: string;
  readonly wallet: Wallet;
  readonly url: string;
  readonly proc: CoordinatorProcess;
  status: string;
}

/** Runs one three-party scenario on `devnet` (chains A, B, C); true when every holding matches §7's row. */
export async function runRing3(sc: Ring3Scenario, devnet: Devnet, ctx: Ring3Context): Promise<boolean> {
  const { dir, say } = ctx;
  const chains = RING3_CHAINS.map((c) => devnet.chain(c.name));
  say(chains.map((c) => `chain ${c.name} at ${c.node.url}, escrow ${c.escrow.slice(0, 10)}…`).join("; "));
  const [deployer, ...wallets] = devAccounts(4) as [Wallet, Wallet, Wallet, Wallet];
  const tokens = await Promise.all(chains.map((c, i) => deployToken(c.node, deployer, RING3_CHAINS[i]!.token, RING3_CHAINS[i]!.symbol)));
  // §7's start: party i holds 100 of token i (its principal on arc i) and i+1 … of its incoming arc's token (its premium).
  for (const [p, row] of RING3_INITIAL.entries()) {
    for (const [i, amount] of row.entries()) if (amount > 0n) await mintAndApprove(chains[i]!.node, tokens[i]!, wallets[p]!, amount * U, chains[i]!.escrow);
  }
  say(`holdings (APR on A, BAN on B, CHE on C): ${RING3_PARTIES.map((name, p) => `${name} ${ring3Row(RING3_INITIAL[p]!)}`).join(" · ")}`);

  // Three coordinator processes, each with its own key (Alice's with her seed) and its HTTP API on a free port.
  const seed = randomSeed();
  const token = randomBytes(24).toString("hex");
  const ports = await freePorts(3);
  const parties: Party[] = RING3_PARTIES.map((name, index) => {
    const key = name.toUpperCase();
    const config = {
      dataDir: join(dir, name.toLowerCase()),
      chains: chains.map((c: DevnetChain) => ({ name: c.name, chainId: c.node.chainId.toString(), rpcUrl: c.node.url, escrow: c.escrow, deploymentBlock: c.deploymentBlock, confirmations: 1, blockInterval: 1, inclusionTime: 5, clockSkew: 4 })),
      parties: [{ name: name.toLowerCase(), privateKeyEnv: `${key}_KEY`, ...(index === 0 ? { secretSeedEnv: `${key}_SEED` } : {}) }],
      minDelta: 20,
      reactionMargin: 5,
      pollIntervalMs: 250,
      settleGrace: 10,
      logLevel: "info",
      faults: sc.halt?.party === index ? { haltAfterStep: sc.halt.afterStep } : {},
      api: { enabled: true, host: "127.0.0.1", port: ports[index]!, tokenEnv: "DEMO_API_TOKEN" },
    };
    mkdirSync(config.dataDir, { recursive: true });
    const env: Record<string, string> = { [`${key}_KEY`]: wallets[index]!.privateKey, DEMO_API_TOKEN: token, ...(index === 0 ? { [`${key}_SEED`]: seed } : {}) };
    const proc = startCoordinatorProcess(config, "coordinator", { env, bundle: true });
    ctx.procs.push(proc);
    return { index, name, wallet: wallets[index]!, url: `http://127.0.0.1:${ports[index]!}`, proc, status: "" };
  });
  const halted = sc.halt ? ` (${RING3_PARTIES[sc.halt.party]}'s stops after step ${sc.halt.afterStep})` : "";
  say(`started Alice's, Bob's and Carol's coordinators${halted}; configurations, databases and logs in ${dir}`);
  await Promise.all(parties.map((p) => waitReady(p)));
  say(`all three APIs ready: ${parties.map((p) => `${p.name} ${p.url}`).join(", ")}`);

  // The offer, planned from the chains' clocks now, signed by all three, submitted to each coordinator.
  const secret = deriveSecret(seed, 0);
  const now = (await Promise.all(chains.map((c) => c.node.latestTimestamp()))).reduce((x, y) => (x > y ? x : y));
  const plan = planCycle(
    {
      leader: wallets[0]!.address,
      hashlock: hashlockOf(secret),
      start: now,
      delta: DELTA,
      arcs: chains.map((c, i) => ({ from: wallets[i]!.address, to: wallets[(i + 1) % 3]!.address, chainId: c.node.chainId, escrow: c.escrow, token: tokens[i]!, amount: 100n * U })),
      compensations: [U, U, U],
    },
    { now, minDelta: 20n },
  );
  const signed = { offer: plan.offer, signatures: await Promise.all(wallets.map((w) => signCycleOffer(w, plan.offer))) };
  say(`cycle ${plan.id.slice(0, 18)}… signed by all three: arcs of 100 APR (Alice → Bob), 100 BAN (Bob → Carol), 100 CHE (Carol → Alice); premiums 1 APR (Bob), 2 BAN (Carol), 3 CHE (Alice); Δ = ${DELTA} s, ${plan.steps.length} steps`);
  const body = JSON.stringify(signedCycleOfferToJson(signed));
  for (const p of parties) {
    const r = await fetch(`${p.url}/cycles`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body, signal: AbortSignal.timeout(15_000) });
    const answer = (await r.json()) as { status?: string; error?: string; message?: string };
    if (r.status !== 201) throw new Error(`${p.name}'s coordinator refused the cycle: POST /cycles → ${r.status} ${answer.error ?? ""}: ${answer.message ?? ""}`);
    say(`${p.name.padEnd(5)}'s coordinator admitted it: POST /cycles → 201, status ${answer.status}`);
  }

  const timeline = new CycleTimelineReader(plan, RING3_PARTIES, chains.map((c, i) => ({ name: c.name, chainId: c.node.chainId, provider: c.node.provider, escrow: c.escrow, symbol: RING3_CHAINS[i]!.symbol })));
  await follow(sc, devnet, plan, parties, timeline, say);
  for (const e of await timeline.poll()) say(line(e));
  const outcomes = await Promise.all(parties.map(async (p) => (await swapDetail(p, plan.id))?.swap.outcome ?? "?"));
  say(`all three coordinators finished: outcome ${[...new Set(outcomes)].join(" / ")}`);

  console.log("\nTimeline (all three chains, by step; T0 is the first step's block time):");
  const t0 = Math.min(...timeline.entries.map((e) => e.timestamp));
  for (const e of timeline.entries) console.log(`  chain ${e.chain}  block ${String(e.block).padStart(3)}  T0${fmtOffset(e.timestamp - t0)}  ${e.step.padEnd(6)} ${e.text}`);

  const final = await holdings(chains, tokens, wallets);
  const ok = printHoldings(sc, final);
  console.log(`\nPremiums: ${sc.premiums}`);
  console.log(`${ok ? "✓ holdings match §7's row" : "✗ holdings differ from §7's row"}; wall time ${((Date.now() - ctx.started) / 1000).toFixed(1)} s`);
  return ok;
}

/** Prints each step as it lands and each coordinator's status changes until all three are final; jumps the clocks where the scenario says. */
async function follow(sc: Ring3Scenario, devnet: Devnet, plan: CyclePlan, parties: Party[], timeline: CycleTimelineReader, say: (t: string) => void): Promise<void> {
  const deadline = Date.now() + RUN_LIMIT_MS;
  let jumped = sc.jumpAfterStep === undefined;
  let landedAt: number | undefined;
  for (;;) {
    for (const e of await timeline.poll()) say(line(e));
    for (const p of parties) {
      const d = await swapDetail(p, plan.id);
      if (d && d.swap.status !== p.status) {
        say(`${p.name.padEnd(5)}'s coordinator: ${p.status || "-"} → ${d.swap.status}   (arcs ${d.arcs.map((a) => `${a.leg}:${a.status}`).join(" ")})`);
        p.status = d.swap.status;
      }
      if (p.proc.child.exitCode !== null || p.proc.child.signalCode !== null) throw new Error(`${p.name}'s coordinator exited (${p.proc.child.exitCode ?? p.proc.child.signalCode}); see ${p.proc.logPath}`);
    }
    if (!jumped && timeline.landed(sc.jumpAfterStep!)) {
      landedAt ??= Date.now();
      // Every coordinator has seen the last step anyone will take (or 5 s passed): only the deadlines remain.
      if (parties.every((p) => p.status === sc.jumpAt || p.status === "aborting") || Date.now() - landedAt > 5000) {
        await sleep(1000);
        await devnet.increaseTime(10n * DELTA);
        jumped = true;
        say(`nothing more will happen before the deadlines: fast-forwarding all three chains' clocks by 10Δ = ${10n * DELTA} s`);
      }
    }
    if (parties.every((p) => FINAL.has(p.status))) return;
    if (Date.now() > deadline) throw new Error(`the cycle did not finish within ${RUN_LIMIT_MS / 1000} s; see the coordinator logs (${parties.map((p) => p.proc.logPath).join(", ")})`);
    await sleep(250);
  }
}

/** Waits until the coordinator's `GET /ready` answers 200 (every chain connected). */
async function waitReady(p: { name: string; url: string; proc: CoordinatorProcess }): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (p.proc.child.exitCode !== null || p.proc.child.signalCode !== null) throw new Error(`${p.name}'s coordinator exited before its API was ready; see ${p.proc.logPath}`);
    const r = await fetch(`${p.url}/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (r?.status === 200) return;
    if (Date.now() > until) throw new Error(`${p.name}'s coordinator API at ${p.url} was not ready within 30 s; see ${p.proc.logPath}`);
    await sleep(200);
  }
}

interface CycleDetail {
  readonly swap: { readonly status: string; readonly outcome: string | null };
  readonly arcs: readonly { readonly leg: string; readonly status: string }[];
}

/** `GET /swaps/:id` of one coordinator; undefined while it answers 404 or not at all. */
async function swapDetail(p: Party, id: string): Promise<CycleDetail | undefined> {
  const r = await fetch(`${p.url}/swaps/${id}`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  return r?.status === 200 ? ((await r.json()) as CycleDetail) : undefined;
}

const BALANCE = ["function balanceOf(address) view returns (uint256)"];

/** Every party's balance of every chain's token, whole units, `[party][chain]`. */
async function holdings(chains: readonly DevnetChain[], tokens: readonly string[], wallets: readonly Wallet[]): Promise<Ring3Holdings> {
  return Promise.all(wallets.map((w) => Promise.all(chains.map(async (c, i) => ((await new Contract(tokens[i]!, BALANCE, c.node.provider).getFunction("balanceOf")(w.address)) as bigint) / U))));
}

/** The holdings table, one row per party; true when every holding is §7's. */
function printHoldings(sc: Ring3Scenario, final: Ring3Holdings): boolean {
  console.log(`\nFinal holdings   ${RING3_CHAINS.map((c) => `${c.symbol} (chain ${c.name})`).join("   ")}   §7 expects   change (each asset on its own)`);
  let ok = true;
  for (const [p, name] of RING3_PARTIES.entries()) {
    const match = final[p]!.every((x, i) => x === sc.expected[p]![i]);
    ok &&= match;
    const cells = final[p]!.map((x) => String(x).padStart(13)).join("   ");
    console.log(`  ${`${name} (P${p})`.padEnd(14)} ${cells}   ${ring3Row(sc.expected[p]!).padEnd(10)} ${match ? "✓" : "✗"} ${ring3Change(RING3_INITIAL, final, p)}`);
  }
  return ok;
}

function line(e: TimelineEntry): string {
  return `chain ${e.chain} block ${String(e.block).padStart(3)}  step ${e.step.padEnd(6)} ${e.text}`;
}

function fmtOffset(s: number): string {
  return s >= 0 ? `+${s}s`.padEnd(6) : `${s}s`.padEnd(6);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
