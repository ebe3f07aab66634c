/**
 * The coordinator driver: each party of a cycle is driven by its own coordinator, holding only that
 * party's key (the leader's with the secret seed), the deviator's configured with
 * `faults.haltAfterStep = k`. Nothing of the protocol is decided here: the coordinator decides and sends;
 * the driver only waits for it and reports, from the coordinator's own database, what it sent.
 *
 * Two ways to run a party's coordinator:
 * - `process`: a real coordinator process (`src/devnet/coordinatorProcess.ts`, `cli.ts run`) with its
 *   HTTP API on a free port; the cycle goes in with `POST /cycles`; it polls the chains on its own loop
 *   (`pollIntervalMs`), all the time, also while the harness moves the clocks.
 * - `inProcess`: a `Coordinator` in this process, never started: each of its rounds is a `tick()` the
 *   driver calls.
 *
 * How a driver cooperates with the harness's rounds (driver.ts): `act` returns once the party's
 * coordinator is settled on what the chains show now, that is once a whole coordinator round that began
 * after `act` was called (a process: its round counter, `hedgeswap_round_duration_seconds_count` on
 * `GET /metrics`, up by 2; in process: one `tick()`) has left the swap's transactions exactly as they were
 * before it and none of them open. A round that sends something is followed by another (which finds it
 * mined), so every transaction the coordinator sent is mined and reported by the time `act` returns.
 * Each wait is for the coordinator's next round, a fraction of a second of real time; chain time is only
 * ever moved by the harness, never waited for.
 *
 * Coordinators are reused from row to row (a pool per matrix): a party's coordinator is started again,
 * on a fresh data directory, only when its `haltAfterStep` changes (the deviator's, each row).
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pino from "pino";

import { signCycleOffer, signedCycleOfferToJson, type CyclePlan, type SignedCycleOffer } from "../../src/sdk";
import { parseConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import { openSqliteStore } from "../../src/coordinator/store";
import type { ArcStatus } from "../../src/coordinator/domain/arcs";
import { LEG_NAMES, type CoordinatorStore, type EventRow, type TxRow } from "../../src/coordinator/store/types";
import { freePort, repoRoot } from "../../src/devnet";
import { startCoordinatorProcess, stopCoordinatorProcess, type CoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import type { ActionRecord, DriverContext, DriverFactory, MissedRecord, PartyDriver, Round } from "./driver";
import { SEED } from "./harness";
import type { CycleWorld } from "./world";

/** How the parties' coordinators run. */
export type CoordinatorMode = "process" | "inProcess";

/** Options of a coordinator pool. */
export interface CoordinatorPoolOptions {
  readonly mode: CoordinatorMode;
  /** A process's poll interval (ms); default 40. */
  readonly pollIntervalMs?: number;
  /** Run the esbuild bundle (`dist/coordinator/cli.cjs`, build it first) instead of ts-node; default false. */
  readonly bundle?: boolean;
  /**
   * The coordinators likely needed next once party `party`'s with `halt` was taken (e.g. the next row's
   * deviator): started in the background, so that a process's start-up overlaps a cycle's run.
   */
  readonly upcoming?: (party: number, halt: number | undefined) => readonly (readonly [number, number | undefined])[];
}

/** What a pool measured. */
export interface PoolStats {
  /** Coordinators started, and the real time their start-ups took (process: until `GET /health` answered). */
  starts: number;
  startMs: number;
  /** Calls of `act`, and the coordinator rounds they waited for. */
  acts: number;
  waits: number;
  /** Settlements that failed because another party's settlement of the arc landed first (see `act`). */
  lostSettleRaces: number;
}

/** The parties' coordinators of one world, kept from cycle to cycle. */
export interface CoordinatorPool {
  /** The harness's driver factory. */
  readonly factory: DriverFactory;
  readonly stats: PoolStats;
  /** Stops every coordinator (processes: SIGTERM, SIGKILL after 5 s); safe to call twice. */
  stop(): Promise<void>;
}

/** One party's coordinator, as the driver needs it. */
interface PartyCoordinator {
  readonly party: number;
  readonly halt: number | undefined;
  readonly dataDir: string;
  submit(signed: SignedCycleOffer): Promise<void>;
  /** Resolves once a whole coordinator round has run that began after the call. */
  round(): Promise<void>;
  txs(swapId: string): TxRow[];
  events(swapId: string): EventRow[];
  arcs(swapId: string): ArcStatus[];
  stop(): Promise<void>;
}

/** The Δ-safety figures every coordinator is configured with for the harness's automined chains (§6). */
function configJson(w: CycleWorld, party: number, halt: number | undefined, pollIntervalMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataDir: mkdtempSync(join(tmpdir(), `hedgeswap-cycle-p${party}-`)),
    chains: w.chains.map((c) => ({
      name: c.name,
      chainId: c.node.chainId.toString(),
      rpcUrl: c.node.url,
      escrow: c.escrow,
      kind: "devnet",
      deploymentBlock: c.deploymentBlock,
      confirmations: 1,
      blockInterval: 1,
      inclusionTime: 2,
      clockSkew: 2,
      rpcTimeoutMs: 5000,
    })),
    parties: [{ name: `p${party}`, privateKey: w.parties[party]!.privateKey, ...(party === 0 ? { secretSeed: SEED } : {}) }],
    minDelta: 10,
    // The harness's REACTION and SETTLE_GRACE.
    reactionMargin: 5,
    settleGrace: 10,
    pollIntervalMs,
    logLevel: "warn",
    faults: halt === undefined ? {} : { haltAfterStep: halt },
    ...extra,
  };
}

const TOKEN = "cycle-matrix-" + "t".repeat(16);
const ROUNDS = /^hedgeswap_round_duration_seconds_count(?:\{[^}]*\})? (\d+)/m;

let bundleBuilt: Promise<void> | undefined;

/**
 * Builds the coordinator's bundle (`dist/coordinator/cli.cjs`, scripts/build-coordinator.mjs) from the
 * sources once per test process, so that the processes started with `bundle: true` run the code under test.
 */
export function buildCoordinatorBundle(): Promise<void> {
  bundleBuilt ??= new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [join(repoRoot(), "scripts", "build-coordinator.mjs"), "--quiet"], { cwd: repoRoot() }, (error, _stdout, stderr) => (error ? reject(new Error(`building the coordinator bundle failed: ${stderr || error.message}`)) : resolve()));
  });
  return bundleBuilt;
}

async function startProcessCoordinator(w: CycleWorld, party: number, halt: number | undefined, opts: CoordinatorPoolOptions): Promise<PartyCoordinator> {
  if (opts.bundle) await buildCoordinatorBundle();
  const port = await freePort();
  const config = configJson(w, party, halt, opts.pollIntervalMs ?? 40, { api: { enabled: true, host: "127.0.0.1", port, token: TOKEN } });
  const dataDir = config.dataDir as string;
  const proc: CoordinatorProcess = startCoordinatorProcess(config, "coordinator", { bundle: opts.bundle ?? false });
  const url = `http://127.0.0.1:${port}`;
  let exited: string | undefined;
  void proc.ended.then((e) => (exited = `the coordinator process of P${party} ended (code ${e.code}, signal ${e.signal}); log ${proc.logPath}`));
  const get = async (path: string): Promise<Response> => {
    if (exited) throw new Error(exited);
    return fetch(url + path, { signal: AbortSignal.timeout(10_000) });
  };
  let store: CoordinatorStore | undefined;
  const stop = async () => {
    store?.close();
    store = undefined;
    await stopCoordinatorProcess(proc);
  };
  try {
    const limit = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await get("/health")).ok) break;
      } catch (e) {
        if (exited || Date.now() > limit) throw e;
      }
      await pause(25);
    }
    store = openSqliteStore(join(dataDir, "coordinator.sqlite"));
  } catch (e) {
    await stop();
    throw e;
  }
  const rounds = async () => {
    const m = ROUNDS.exec(await (await get("/metrics")).text());
    return m ? Number(m[1]) : 0;
  };
  return {
    party,
    halt,
    dataDir,
    async submit(signed) {
      if (exited) throw new Error(exited);
      const r = await fetch(`${url}/cycles`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(signedCycleOfferToJson(signed)),
        signal: AbortSignal.timeout(15_000),
      });
      if (r.status !== 201) throw new Error(`P${party}'s coordinator refused the cycle: POST /cycles → ${r.status} ${await r.text()}`);
    },
    async round() {
      const target = (await rounds()) + 2;
      const limit = Date.now() + 30_000;
      while ((await rounds()) < target) {
        if (Date.now() > limit) throw new Error(`P${party}'s coordinator ran no round in 30 s; log ${proc.logPath}`);
        await pause(10);
      }
    },
    txs: (id) => store!.txsOfSwap(id),
    events: (id) => store!.events(id),
    arcs: (id) => store!.arcsOf(id).map((a) => a.status),
    stop,
  };
}

async function startInProcessCoordinator(w: CycleWorld, party: number, halt: number | undefined): Promise<PartyCoordinator> {
  const config = configJson(w, party, halt, 1000);
  const c = new Coordinator(parseConfig(config), { logger: pino({ level: "silent" }), defaultMetrics: false });
  try {
    await c.init();
  } catch (e) {
    await c.stop();
    throw e;
  }
  return {
    party,
    halt,
    dataDir: config.dataDir as string,
    submit: async (signed) => void (await c.submitCycle(signed)),
    round: () => c.tick(),
    txs: (id) => c.store.txsOfSwap(id),
    events: (id) => c.store.events(id),
    arcs: (id) => c.store.arcsOf(id).map((a) => a.status),
    stop: () => c.stop(),
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The protocol step a transaction of the coordinator takes (§7's table), from its action and arc. */
export function stepOf(n: number, action: string, arc: number): number | "settle" {
  switch (action) {
    case "depositPremium":
      return n - arc;
    case "escrow":
      return n + 1 + arc;
    case "redeem":
      return arc === n - 1 ? 2 * n + 1 : 2 * n + 1 + (n - 1 - arc);
    default:
      return "settle";
  }
}

const OPEN = new Set(["signed", "sent"]);
const SETTLED = new Set<ArcStatus>(["refunded", "premiumRefunded"]);
const KNOWN = new Set(["depositPremium", "escrow", "redeem", "settle"]);

/** The driver of party `ctx.index` over its coordinator `pc`, for the cycle `plan`. */
function coordinatorDriver(ctx: DriverContext, pc: PartyCoordinator, stats: PoolStats): PartyDriver {
  const { plan } = ctx;
  const id = plan.id;
  const reported = new Set<string>();
  const reportedEvents = new Set<number>();
  const fingerprint = (rows: readonly TxRow[]) => rows.map((t) => `${t.id}:${t.status}:${t.hash}`).join(",");
  return {
    async act(_round: Round) {
      stats.acts++;
      // Settled: a whole round after the call left the swap's transactions as they were, none open.
      for (let i = 0; ; i++) {
        if (i === 40) throw new Error(`P${ctx.index}'s coordinator did not settle in 40 rounds`);
        const before = fingerprint(pc.txs(id));
        await pc.round();
        stats.waits++;
        const rows = pc.txs(id);
        if (fingerprint(rows) === before && !rows.some((t) => OPEN.has(t.status))) break;
      }
      const actions: ActionRecord[] = [];
      for (const t of pc.txs(id)) {
        const key = `${t.id}:${t.status}`;
        if (reported.has(`${t.id}`) || reported.has(key)) continue;
        reported.add(`${t.id}`);
        const arc = LEG_NAMES.indexOf(t.leg);
        const action = (KNOWN.has(t.action) ? t.action : "settle") as ActionRecord["action"];
        const base = { party: ctx.index, step: stepOf(plan.n, t.action, arc), arc, action, hash: t.hash };
        if (t.account !== ctx.wallet.address) actions.push({ ...base, error: `sent from ${t.account}, not the party's own account` });
        else if (!KNOWN.has(t.action)) actions.push({ ...base, error: `an unexpected ${t.action} transaction` });
        else if (t.status === "mined") actions.push(base);
        else if (t.action === "settle" && SETTLED.has(pc.arcs(id)[arc]!)) {
          // Anyone may settle an arc, and every party's coordinator runs at once: when two settle the same
          // arc in the same moment, the second is refused (the arc is settled already). Not a failure of
          // the protocol as long as the arc is settled; the chains' holdings are judged all the same.
          stats.lostSettleRaces++;
        } else actions.push({ ...base, error: `the transaction ended ${t.status}` });
      }
      const missed: MissedRecord[] = [];
      for (const e of pc.events(id)) {
        if (e.kind !== "deadline.unreachable" || reportedEvents.has(e.id)) continue;
        reportedEvents.add(e.id);
        const step = Number(e.data.step);
        missed.push({ party: ctx.index, step: Number.isInteger(step) ? step : "settle", reason: String(e.data.reason), deadline: BigInt(String(e.data.deadline)) });
      }
      return { actions, missed };
    },
    async close() {},
  };
}

/**
 * `CoordinatorPoolOptions.upcoming` for the rows of `matrixRows(n)` in order (the happy path, then party
 * 0 stopping after step 0 … 3n−1, then party 1 …): after the deviator's coordinator of one row, the next
 * row's; after a party's last row, its conforming coordinator again and the next party's first deviator.
 */
export function matrixUpcoming(n: number): (party: number, halt: number | undefined) => readonly (readonly [number, number | undefined])[] {
  return (party, halt) => {
    if (halt === undefined) return party === 0 ? [[0, 0]] : [];
    if (halt + 1 < 3 * n) return [[party, halt + 1]];
    return party + 1 < n ? [[party, undefined], [party + 1, 0]] : [];
  };
}

/** A pool of the parties' coordinators on `w`, in `opts.mode`. */
export function coordinatorPool(w: CycleWorld, opts: CoordinatorPoolOptions): CoordinatorPool {
  const coordinators = new Map<number, PartyCoordinator>();
  const stats: PoolStats = { starts: 0, startMs: 0, acts: 0, waits: 0, lostSettleRaces: 0 };
  const spares = new Map<string, Promise<PartyCoordinator>>();
  const keyOf = (party: number, halt: number | undefined) => `${party}:${halt ?? "-"}`;
  const start = async (party: number, halt: number | undefined): Promise<PartyCoordinator> => {
    const began = Date.now();
    const pc = opts.mode === "process" ? await startProcessCoordinator(w, party, halt, opts) : await startInProcessCoordinator(w, party, halt);
    stats.starts++;
    stats.startMs += Date.now() - began;
    return pc;
  };
  const signedOffers = new Map<string, Promise<SignedCycleOffer>>();
  const signed = (plan: CyclePlan) => {
    let s = signedOffers.get(plan.id);
    if (!s) {
      // Every party signs the offer (the agreement); which steps each takes is its coordinator's business.
      s = Promise.all(w.parties.slice(0, plan.n).map((p) => signCycleOffer(p, plan.offer))).then((signatures) => ({ offer: plan.offer, signatures }));
      signedOffers.set(plan.id, s);
    }
    return s;
  };
  const coordinatorOf = async (party: number, halt: number | undefined): Promise<PartyCoordinator> => {
    const have = coordinators.get(party);
    if (have && have.halt === halt) return have;
    if (have) {
      coordinators.delete(party);
      await have.stop();
    }
    const key = keyOf(party, halt);
    const spare = spares.get(key);
    spares.delete(key);
    const pc = await (spare ?? start(party, halt));
    coordinators.set(party, pc);
    for (const [p, h] of opts.upcoming?.(party, halt) ?? []) {
      const k = keyOf(p, h);
      if (spares.has(k) || coordinators.get(p)?.halt === h) continue;
      const started = start(p, h);
      // A failed start shows when the spare is taken.
      started.catch(() => undefined);
      spares.set(k, started);
    }
    return pc;
  };
  return {
    stats,
    factory: async (ctx) => {
      const pc = await coordinatorOf(ctx.index, ctx.haltAfterStep);
      await pc.submit(await signed(ctx.plan));
      return coordinatorDriver(ctx, pc, stats);
    },
    async stop() {
      const all = [...coordinators.values()];
      const waiting = [...spares.values()];
      coordinators.clear();
      spares.clear();
      await Promise.all([...all.map((c) => c.stop()), ...waiting.map((p) => p.then((c) => c.stop(), () => undefined))]);
    },
  };
}
