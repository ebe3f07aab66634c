/**
 * The adversarial suite with n-party hedged cycles (`PROTOCOLS.md` §7, n = 3): one conforming party (the
 * leader P0, P1 or P2, drawn), running its coordinator in process with only its own key, against the two
 * other parties acting with generated raw contract calls and time jumps on three real chains; judged by
 * `./cycleOracle` (exact holdings from §2's payouts, the guarantee "never loses", the owed steps).
 *
 * Runs: HEDGESWAP_ADVERSARY_CYCLE_RUNS (default 20, the fixed seed of `npm test`),
 * HEDGESWAP_ADVERSARY_SEED / HEDGESWAP_ADVERSARY_PATH to replay, HEDGESWAP_ADVERSARY_SHRINK_S to bound
 * shrinking, HEDGESWAP_ADVERSARY_CYCLE_PARTY to fix the conforming party (0, 1 or 2).
 * `npm run test:adversary -- --modes cycle --runs 300` sets them (scripts/adversary.ts).
 */
import fc from "fast-check";

import { expect } from "chai";

import { cycleRunInput, escrowStep, premiumStep, type CycleHostileAction, type CycleRunInput } from "./cycleArbitraries";
import { runCycleOnce } from "./cycleRun";
import { startAdversaryCycleWorld, type AdvCycleWorld } from "./cycleWorld";

const env = process.env;
const DEFAULT_SEED = 20261204;
const numRuns = Number(env.HEDGESWAP_ADVERSARY_CYCLE_RUNS ?? 20);
const seedEnv = env.HEDGESWAP_ADVERSARY_SEED;
const seed = seedEnv === "random" ? undefined : seedEnv !== undefined && seedEnv !== "" ? Number(seedEnv) : DEFAULT_SEED;
const path = env.HEDGESWAP_ADVERSARY_PATH || undefined;
const shrinkMs = Number(env.HEDGESWAP_ADVERSARY_SHRINK_S ?? 60) * 1000;
const party = env.HEDGESWAP_ADVERSARY_CYCLE_PARTY ? Number(env.HEDGESWAP_ADVERSARY_CYCLE_PARTY) : undefined;

describe("adversarial counterparties in a three-party cycle: the conforming party never loses (§7)", function () {
  this.timeout(0);
  let w: AdvCycleWorld;

  before(async function () {
    w = await startAdversaryCycleWorld();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  /** Hostile parties that follow §7 on time (the leader reveals at step 7 unless `withhold`), watching for s. */
  function honest(conforming: number, withhold = false): CycleRunInput {
    const hostile: CycleHostileAction[] = [];
    for (const p of [0, 1, 2].filter((x) => x !== conforming)) {
      hostile.push({ k: "premium", party: p, at: { step: premiumStep(p), before: 10 }, exact: false });
      hostile.push({ k: "escrow", party: p, at: { step: escrowStep(p), before: 10 }, exact: false });
      if (p === 0 && !withhold) hostile.push({ k: "redeem", party: 0, at: { step: 7, before: 10 }, exact: false });
    }
    return { conforming, schedule: { gaps: [4], delays: [2], fresh: [true] }, hostile, watch: [0, 0, 0].map((x, i) => (i === conforming ? null : x)) };
  }

  it("harness self-check: counterparties that follow §7 give each conforming party the happy path; a leader that withholds s gives §7's row", async function () {
    for (const p of [0, 1, 2]) {
      const r = await runCycleOnce(w, honest(p));
      expect(r.ok, r.report).to.equal(true);
      expect(r.summary).to.equal(`P${p} 0:redeemed 1:redeemed 2:redeemed`);
    }
    // §7: "A after step 4, 5 or 6 (escrowed, withholds s)": every arc refunded, B +1 (P1 conforming).
    // Arc 2 (P2 → P0, both hostile) is settled by the hostile parties themselves after its timeout.
    const withheld = honest(1, true);
    const r = await runCycleOnce(w, { ...withheld, hostile: [...withheld.hostile, { k: "settle", arc: 2, at: { step: 8, before: 5 } }] });
    expect(r.ok, r.report).to.equal(true);
    expect(r.summary).to.equal("P1 0:refunded 1:refunded 2:refunded");
  });

  it(`one conforming coordinator (P0, P1 or P2) against two hostile parties on three chains (${numRuns} runs)`, async function () {
    let runs = 0;
    let ms = 0;
    let failedAt: number | undefined;
    const seen = new Map<string, number>();
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(cycleRunInput(party), async (input) => {
        if (failedAt !== undefined && Date.now() - failedAt > shrinkMs) return;
        const r = await runCycleOnce(w, input);
        runs++;
        ms += r.ms;
        seen.set(r.summary, (seen.get(r.summary) ?? 0) + 1);
        if (!r.ok) {
          failedAt ??= Date.now();
          throw new Error(r.report);
        }
      }),
      { numRuns, ...(seed !== undefined ? { seed } : {}), ...(path !== undefined ? { path } : {}) },
    );
    console.log(`      ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s (${(ms / Math.max(1, runs)).toFixed(0)} ms per run)`);
    if (env.HEDGESWAP_ADVERSARY_CYCLE_VERBOSE) for (const [k, v] of [...seen].sort()) console.log(`        ${v}× ${k}`);
  });
});
