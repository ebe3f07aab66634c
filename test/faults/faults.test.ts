/**
 * The fault suite (issue 16): chain faults with the clock running. Each scenario of the table
 * (`scenarios.ts`) runs on its own pair of interval-mined `hardhat node`s, two scenarios at a time
 * (the pairs are reused one scenario after another), and is reported as its own test. `npm test`
 * runs one representative per fault kind; `HEDGESWAP_FAULTS=all` (`npm run test:faults`) the whole
 * table; `HEDGESWAP_FAULTS=<ids or kinds, comma-separated>` a part of it.
 */
import type { World } from "../coordinator/world";
import { startFaultWorld, runScenario, type ScenarioResult } from "./runner";
import { knownFixFields } from "./partyConfig";
import { rowNames } from "./expected";
import { selectScenarios, type Scenario } from "./scenarios";

/** Scenarios at a time: each takes a pair of nodes and two coordinators; the CI machine has 2 cores. */
const WORKERS = Math.max(1, Number(process.env.HEDGESWAP_FAULT_WORKERS ?? 2));

/** Runs `scenarios` on `workers` pairs of chains, in table order; each result is a promise of its own. */
function startPool(scenarios: readonly Scenario[], workers: number): { results: Map<string, Promise<ScenarioResult>>; done: Promise<void> } {
  const resolvers = new Map<string, (r: ScenarioResult) => void>();
  const results = new Map(scenarios.map((s) => [s.id, new Promise<ScenarioResult>((resolve) => resolvers.set(s.id, resolve))]));
  const queue = [...scenarios];
  const worker = async (index: number) => {
    let world: World | undefined;
    try {
      while (queue.length > 0) {
        const sc = queue.shift()!;
        try {
          world ??= await startFaultWorld(index);
          resolvers.get(sc.id)!(await runScenario(world, sc));
        } catch (e) {
          resolvers.get(sc.id)!({ id: sc.id, failures: [`harness error: ${(e as Error).message}`], endedOn: "not reached", ms: 0, logDir: "", notes: [] });
        }
      }
    } finally {
      await world?.devnet.stop();
    }
  };
  const done = Promise.all(Array.from({ length: Math.min(workers, scenarios.length) }, (_, i) => worker(i))).then(() => undefined);
  return { results, done };
}

describe("fault suite: chain faults with the clock running (interval-mined chains, Δ = 20 s)", function () {
  const scenarios = selectScenarios(process.env.HEDGESWAP_FAULTS);
  let pool: ReturnType<typeof startPool> | undefined;
  const summary: ScenarioResult[] = [];

  before(function () {
    pool = startPool(scenarios, WORKERS);
  });
  after(async function () {
    this.timeout(120_000);
    await pool?.done;
    const pad = (s: string, n: number) => s.padEnd(n);
    const lines = summary.map((r) => `  ${pad(r.id, 28)} ${pad(r.failures.length === 0 ? "pass" : "FAIL", 5)} ${pad(r.endedOn, 10)} ${(r.ms / 1000).toFixed(0)} s`);
    console.log(`\n  fault suite (fix fields known to the config schema: ${knownFixFields().join(", ") || "none"}):\n${lines.join("\n")}\n`);
  });

  for (const sc of scenarios) {
    it(`${sc.id}: ends on ${rowNames(sc.rows)}, the secret never published late, gas within budget and cap`, async function () {
      this.timeout(30 * 60_000);
      const r = await pool!.results.get(sc.id)!;
      summary.push(r);
      if (r.failures.length > 0) throw new Error(`${sc.id} (logs in ${r.logDir}):\n    - ${r.failures.join("\n    - ")}${r.notes.length > 0 ? `\n    notes: ${r.notes.join("; ")}` : ""}`);
    });
  }
});
