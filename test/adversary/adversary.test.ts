/**
 * Issue 12, the adversarial-counterparty suite: a party that runs the SDK or the coordinator and
 * follows the protocol never ends below its row of the scenario matrix (`PROTOCOLS.md` §3, §4),
 * whatever the counterparty does on chain. Property-based (fast-check): each run plays a generated
 * sequence of hostile actions and time jumps against a conforming party on two real `hardhat node`
 * chains, then checks the party's exact wallet balances, after every deadline has passed and
 * everything was settled and withdrawn, against the oracle (`./oracle`).
 *
 * Conforming parties: Alice's coordinator against a hostile Bob; Bob's coordinator against a hostile
 * Alice (who knows s); Alice as an SDK user who lost her state and runs `recover()`; one coordinator
 * holding both keys (no counterparty; time jumps and interleavings only).
 *
 * Runs: HEDGESWAP_ADVERSARY_RUNS in all (default 200, shared out over the four properties),
 * HEDGESWAP_ADVERSARY_SEED / HEDGESWAP_ADVERSARY_PATH to replay (fast-check prints both on failure),
 * HEDGESWAP_ADVERSARY_MODES to run some properties only (alice,bob,recover,both),
 * HEDGESWAP_ADVERSARY_EXCLUDE to leave features out (capped,option,consent,reorg,bait,wrong,stall,late,settle,skip,earlyLoss),
 * HEDGESWAP_ADVERSARY_SHRINK_S to bound the time spent shrinking a failure (default 60 s),
 * HEDGESWAP_ADVERSARY_TARGET to run one narrowed property instead (d1 … d5, reverse, elsewhere: see `TARGETS`).
 * `npm run test:adversary -- --runs 10000 [--seed N --path P --modes alice]` sets them (scripts/adversary.ts).
 */
import fc from "fast-check";

import { TARGETS, runInput, type Feature } from "./arbitraries";
import type { Mode } from "./oracle";
import { runOnce } from "./run";
import { startAdversaryWorld, type AdvWorld } from "./world";

const PROPERTIES: readonly { mode: Mode; share: number; title: string }[] = [
  { mode: "alice", share: 0.3, title: "Alice's coordinator (leader) against a hostile Bob" },
  { mode: "bob", share: 0.3, title: "Bob's coordinator (follower) against a hostile Alice who knows s" },
  { mode: "recover", share: 0.25, title: "Alice who lost her state and runs recover() against a hostile Bob" },
  { mode: "both", share: 0.15, title: "one coordinator holding both keys: time jumps and interleavings only" },
];

const env = process.env;
const total = Number(env.HEDGESWAP_ADVERSARY_RUNS ?? 200);
/**
 * `npm test` replays one fixed seed, so that a CI run is reproducible and lands or fails on the code, not
 * on the draw; `npm run test:adversary` draws a new seed each time (HEDGESWAP_ADVERSARY_SEED=random)
 * unless `--seed` is given, and is where new counterexamples are looked for.
 */
const DEFAULT_SEED = 20261203;
const seedEnv = env.HEDGESWAP_ADVERSARY_SEED;
const seed = seedEnv === "random" ? undefined : seedEnv !== undefined && seedEnv !== "" ? Number(seedEnv) : DEFAULT_SEED;
const path = env.HEDGESWAP_ADVERSARY_PATH || undefined;
const modes = new Set((env.HEDGESWAP_ADVERSARY_MODES || "alice,bob,recover,both").split(",").map((m) => m.trim()));
const exclude = new Set((env.HEDGESWAP_ADVERSARY_EXCLUDE || "").split(",").map((f) => f.trim()).filter(Boolean) as Feature[]);
const shrinkMs = Number(env.HEDGESWAP_ADVERSARY_SHRINK_S ?? 60) * 1000;
const target = env.HEDGESWAP_ADVERSARY_TARGET || undefined;
if (target !== undefined && !(target in TARGETS)) throw new Error(`HEDGESWAP_ADVERSARY_TARGET must be one of ${Object.keys(TARGETS).join(", ")}`);
const chosen = target !== undefined ? [{ mode: TARGETS[target]!.mode, share: 1, title: `target ${target} (mode ${TARGETS[target]!.mode})` }] : PROPERTIES.filter((p) => modes.has(p.mode));
const shareSum = chosen.reduce((s, p) => s + p.share, 0);

describe("adversarial counterparty: the conforming party never ends below its row (issue 12)", function () {
  this.timeout(0);
  let w: AdvWorld;

  before(async function () {
    w = await startAdversaryWorld();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  for (const p of chosen) {
    const numRuns = Math.max(1, Math.round((total * p.share) / shareSum));
    it(`${p.title} (${numRuns} runs)`, async function () {
      let runs = 0;
      let ms = 0;
      let looks = 0;
      let failedAt: number | undefined;
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(target !== undefined ? TARGETS[target]!.arbitrary : runInput(p.mode, exclude), async (input) => {
          // Shrinking is bounded: once the budget is spent, further candidates are not played (the last
          // failure found stands as the counterexample).
          if (failedAt !== undefined && Date.now() - failedAt > shrinkMs) return;
          const r = await runOnce(w, p.mode, input);
          runs++;
          ms += r.ms;
          looks += r.looks;
          if (!r.ok) {
            failedAt ??= Date.now();
            throw new Error(r.report);
          }
        }),
        { numRuns, ...(seed !== undefined ? { seed } : {}), ...(path !== undefined ? { path } : {}) },
      );
      const secs = (Date.now() - started) / 1000;
      console.log(`      ${runs} runs in ${secs.toFixed(1)} s (${(ms / Math.max(1, runs)).toFixed(0)} ms and ${(looks / Math.max(1, runs)).toFixed(0)} looks per run)`);
    });
  }
});
