/**
 * Runs the adversarial-counterparty suite (test/adversary/, issue 12) with a chosen number of runs:
 *
 *   npm run test:adversary -- --runs 10000
 *   npm run test:adversary -- --seed 2066100908 --path "0:1:3" --modes alice   # replay a failure
 *
 * Options (each also readable from the environment variable named in test/adversary/adversary.test.ts):
 *   --runs N        runs in all, shared out over the properties (HEDGESWAP_ADVERSARY_RUNS, default 200)
 *   --seed N        fast-check seed (HEDGESWAP_ADVERSARY_SEED)
 *   --path P        fast-check path of a counterexample (HEDGESWAP_ADVERSARY_PATH)
 *   --modes LIST    alice,bob,recover,both (HEDGESWAP_ADVERSARY_MODES); `cycle` runs the three-party cycle
 *                   property instead (test/adversary/cycle.adversary.test.ts; --runs sets its runs,
 *                   HEDGESWAP_ADVERSARY_CYCLE_RUNS), with `--party 0|1|2` to fix the conforming party
 *   --exclude LIST  features to leave out: capped,option,consent,reorg,bait,wrong,stall,late,settle,skip,earlyLoss (HEDGESWAP_ADVERSARY_EXCLUDE)
 *   --shrink S      seconds spent shrinking a failure at most (HEDGESWAP_ADVERSARY_SHRINK_S, default 60)
 *   --target T      one narrowed property around a known failure: d1 … d5, reverse, elsewhere (HEDGESWAP_ADVERSARY_TARGET)
 */
import { spawnSync } from "node:child_process";

const OPTIONS: Record<string, string> = {
  "--runs": "HEDGESWAP_ADVERSARY_RUNS",
  "--seed": "HEDGESWAP_ADVERSARY_SEED",
  "--path": "HEDGESWAP_ADVERSARY_PATH",
  "--modes": "HEDGESWAP_ADVERSARY_MODES",
  "--exclude": "HEDGESWAP_ADVERSARY_EXCLUDE",
  "--shrink": "HEDGESWAP_ADVERSARY_SHRINK_S",
  "--target": "HEDGESWAP_ADVERSARY_TARGET",
  "--party": "HEDGESWAP_ADVERSARY_CYCLE_PARTY",
};

const env: NodeJS.ProcessEnv = { ...process.env };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
  const name = OPTIONS[flag];
  if (name === undefined) {
    console.error(`unknown option ${arg}; known: ${Object.keys(OPTIONS).join(", ")}`);
    process.exit(2);
  }
  const value = inline ?? args[++i];
  if (value === undefined) {
    console.error(`${flag} needs a value`);
    process.exit(2);
  }
  env[name] = value;
}
if (env.HEDGESWAP_ADVERSARY_RUNS !== undefined && !/^[1-9][0-9]*$/.test(env.HEDGESWAP_ADVERSARY_RUNS)) {
  console.error(`--runs must be a positive integer, got ${env.HEDGESWAP_ADVERSARY_RUNS}`);
  process.exit(2);
}
// On demand, a new draw every time unless a seed was given (npm test replays a fixed one).
if (env.HEDGESWAP_ADVERSARY_SEED === undefined || env.HEDGESWAP_ADVERSARY_SEED === "") env.HEDGESWAP_ADVERSARY_SEED = "random";
// `--modes cycle`: the n = 3 cycle property, on its own (its runs are ~4 s each).
const cycle = env.HEDGESWAP_ADVERSARY_MODES?.split(",").map((m) => m.trim()).includes("cycle") === true;
if (cycle && env.HEDGESWAP_ADVERSARY_RUNS !== undefined) env.HEDGESWAP_ADVERSARY_CYCLE_RUNS = env.HEDGESWAP_ADVERSARY_RUNS;
const file = cycle ? "test/adversary/cycle.adversary.test.ts" : "test/adversary/adversary.test.ts";
const result = spawnSync("npx", ["hardhat", "test", file], { stdio: "inherit", env });
process.exit(result.status ?? 1);
