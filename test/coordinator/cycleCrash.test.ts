/**
 * Crash recovery of n-party cycles (`PROTOCOLS.md` §7), n = 3 on three real chains: one party's
 * coordinator runs as a child process (`cli.ts run`, the esbuild bundle built from the sources), the
 * cycle submitted over its `POST /cycles`; it is killed with SIGKILL at each crash point in turn — right
 * after it recorded each of its own transactions (before broadcast), right after it broadcast each, and
 * at the status boundary each of its own steps completes (`final:<step>`) — and started again at once on
 * the same data directory, with the next crash point configured. The other two parties' coordinators run
 * in this process. The cycle ends exactly as an uninterrupted one (§7's happy path: A 0,0,103 ·
 * B 101,0,0 · C 0,102,0), every one of the 3n steps mined exactly once and before its deadline, and no
 * coordinator reports a step it could no longer take. Real time passes while a process restarts (the
 * chains' clocks run with it); nothing sleeps through a deadline: Δ leaves each restart ample room.
 */
import { join } from "node:path";

import { expect } from "chai";
import pino from "pino";

import { signedCycleOfferToJson, type CyclePlan } from "../../src/sdk";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import { openSqliteStore } from "../../src/coordinator/store";
import { LEG_NAMES, type CoordinatorStore, type TxRow } from "../../src/coordinator/store/types";
import { freePort } from "../../src/devnet";
import { startCoordinatorProcess, stopCoordinatorProcess, type CoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import { buildCoordinatorBundle, stepOf } from "../cycle/coordinatorDriver";
import { cyclePartyConfig, cyclePartyConfigJson, expectCycleHoldings, freshCycleTokens, signedCycle, startCycleWorld, type CycleWorld } from "./cycleWorld";
import { until } from "./world";

/** Δ of the crash runs: each party's steps are 3Δ apart, far more than a few restarts take. */
const CRASH_DELTA = 30n;
const TOKEN = "cycle-crash-" + "k".repeat(16);

/** Party i's own steps in a 3-cycle: its premium on arc i−1, its escrow of arc i, its redeem of arc i−1. */
function ownSteps(i: number, n = 3): number[] {
  const incoming = (i + n - 1) % n;
  return [stepOf(n, "depositPremium", incoming), stepOf(n, "escrow", i), stepOf(n, "redeem", incoming)].map(Number).sort((a, b) => a - b);
}

/** Every crash point of party i's own steps, in the order they are reached: recorded, sent, final of each. */
function crashPointsOf(i: number): string[] {
  return ownSteps(i).flatMap((k) => [`recorded:${k}`, `sent:${k}`, `final:${k}`]);
}

describe("coordinator: crash recovery of hedged cycles (§7, n = 3, SIGKILL)", function () {
  this.timeout(600_000);
  let w: CycleWorld;

  before(async function () {
    this.timeout(120_000);
    await buildCoordinatorBundle();
    w = await startCycleWorld(3);
  });
  after(async function () {
    await w?.devnet.stop();
  });

  it("the crash points are every own step's recorded, sent and final boundary: the leader's steps 1, 4, 7 and party 1's steps 3, 5, 9", function () {
    expect(ownSteps(0)).to.deep.equal([1, 4, 7]);
    expect(ownSteps(1)).to.deep.equal([3, 5, 9]);
    expect(crashPointsOf(1)).to.deep.equal(["recorded:3", "sent:3", "final:3", "recorded:5", "sent:5", "final:5", "recorded:9", "sent:9", "final:9"]);
  });

  /**
   * Runs one cycle with party `crasher`'s coordinator as a child process killed at each of `points` in
   * turn (started again at once each time), the others in this process; checks holdings, steps and
   * deadlines; returns the crash points hit.
   */
  async function crashRun(crasher: number, points: readonly string[]): Promise<string[]> {
    await freshCycleTokens(w);
    const { signed, plan } = await signedCycle(w, 100n, 1n, CRASH_DELTA);
    const port = await freePort();
    const base = cyclePartyConfigJson(w, crasher, { logLevel: "info", api: { enabled: true, host: "127.0.0.1", port, token: TOKEN } });
    const dbPath = join(base.dataDir as string, "coordinator.sqlite");
    const others = [0, 1, 2].filter((i) => i !== crasher).map((i) => new Coordinator(cyclePartyConfig(w, i), { logger: pino({ level: "silent" }) }));
    const hit: string[] = [];
    let proc: CoordinatorProcess | undefined;
    try {
      for (const c of others) await c.init();
      for (const c of others) await c.submitCycle(signed);
      for (const c of others) c.start();
      for (const [i, point] of [...points, undefined].entries()) {
        const config = point ? { ...base, faults: { crashAt: point } } : base;
        proc = startCoordinatorProcess(config, `run-${i}`, { bundle: true });
        if (i === 0) await submitOverApi(proc, port, plan, signed);
        if (point) {
          const ended = await Promise.race([proc.ended, new Promise<"alive">((r) => setTimeout(() => r("alive"), 60_000))]);
          expect(ended, `the process was not killed at ${point} (log ${proc.logPath})`).to.not.equal("alive");
          expect((ended as { signal: string | null }).signal, `the process ended otherwise than by the injected crash at ${point} (log ${proc.logPath})`).to.equal("SIGKILL");
          hit.push(point);
        } else {
          await until(`the cycle final in P${crasher}'s database`, () => withStore(dbPath, (s) => ["completed", "settled"].includes(String(s.getSwap(plan.id)?.status))), 120_000);
        }
      }
      await until("every coordinator completed", () => others.every((c) => c.store.getSwap(plan.id)?.status === "completed"), 120_000);

      await expectCycleHoldings(w, [[0n, 0n, 103n], [101n, 0n, 0n], [0n, 102n, 0n]]);
      const crasherTxs = withStore(dbPath, (s) => {
        expect(s.getSwap(plan.id)).to.deep.include({ status: "completed", outcome: "completed" });
        expect(s.events(plan.id).filter((e) => e.kind === "deadline.unreachable"), "the crashed coordinator missed a step").to.deep.equal([]);
        return s.txsOfSwap(plan.id);
      });
      for (const c of others) expect(c.store.events(plan.id).filter((e) => e.kind === "deadline.unreachable"), "a coordinator missed a step").to.deep.equal([]);
      await expectStepsOnce(plan, [crasherTxs, ...others.map((c) => c.store.txsOfSwap(plan.id))]);
      const own = crasherTxs.filter((t) => t.status === "mined").map((t) => stepOf(3, t.action, LEG_NAMES.indexOf(t.leg)));
      expect(own.sort(), `P${crasher}'s coordinator took exactly its own steps`).to.deep.equal(ownSteps(crasher));
    } finally {
      if (proc) await stopCoordinatorProcess(proc);
      await Promise.all(others.map((c) => c.stop()));
    }
    return hit;
  }

  /** Waits for the process's API and submits the signed cycle to it (`POST /cycles`). */
  async function submitOverApi(proc: CoordinatorProcess, port: number, plan: CyclePlan, signed: Awaited<ReturnType<typeof signedCycle>>["signed"]): Promise<void> {
    const url = `http://127.0.0.1:${port}`;
    await until("the coordinator process's API", async () => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`the coordinator process ended before its API answered (log ${proc.logPath})`);
      return fetch(`${url}/health`).then((r) => r.ok, () => false);
    }, 60_000);
    const r = await fetch(`${url}/cycles`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(signedCycleOfferToJson(signed)) });
    expect(r.status, await r.clone().text()).to.equal(201);
    expect(((await r.json()) as { id: string }).id).to.equal(plan.id);
  }

  /** Every protocol step of the cycle mined exactly once over all coordinators, each in a block no later than its deadline. */
  async function expectStepsOnce(plan: CyclePlan, stores: readonly (readonly TxRow[])[]): Promise<void> {
    const mined = stores.flat().filter((t) => t.status === "mined" && t.action !== "withdraw");
    const steps = mined.map((t) => stepOf(plan.n, t.action, LEG_NAMES.indexOf(t.leg)));
    expect([...steps].sort((a, b) => Number(a) - Number(b)), `each step mined exactly once: ${mined.map((t) => `${t.action}:${t.leg}`).join(", ")}`).to.deep.equal(plan.steps.map((_, k) => k + 1));
    for (const t of mined) {
      const step = stepOf(plan.n, t.action, LEG_NAMES.indexOf(t.leg)) as number;
      const chain = w.chains[LEG_NAMES.indexOf(t.leg)]!;
      const block = await chain.node.provider.getBlock(t.blockNumber!);
      expect(BigInt(block!.timestamp) <= plan.steps[step - 1]!.deadline, `step ${step} mined at ${block!.timestamp}, after its deadline ${plan.steps[step - 1]!.deadline}`).to.equal(true);
    }
  }

  it("the leader's coordinator killed after recording, after sending and at the final boundary of each of its steps (1, 4, 7: the reveal) ends as §7's happy path", async function () {
    const points = crashPointsOf(0);
    expect(await crashRun(0, points)).to.deep.equal(points);
  });

  it("a middle party's (P1's) coordinator killed after recording, after sending and at the final boundary of each of its steps (3, 5, 9: its redeem with the revealed s) ends as §7's happy path", async function () {
    const points = crashPointsOf(1);
    expect(await crashRun(1, points)).to.deep.equal(points);
  });
});

/** Runs `f` on a fresh read of the store at `path` (the process writes it meanwhile). */
function withStore<T>(path: string, f: (s: CoordinatorStore) => T): T {
  const s = openSqliteStore(path);
  try {
    return f(s);
  } finally {
    s.close();
  }
}
