/**
 * The demo's command line: `npm run demo -- [--scenario <name>] [--list] [--keep] [--skip-build] [--help]`.
 * Unknown options and stray arguments are refused (exit 2 with the list), before anything is built or started.
 */
import { parseArgs } from "node:util";

import { RING3_SCENARIOS, type Ring3Scenario } from "./ring3Scenarios";
import { SCENARIOS, type Scenario } from "./scenarios";

/** A scenario of either kind: two parties (`scenarios.ts`) or three around a cycle (`ring3Scenarios.ts`). */
export type AnyScenario = Scenario | Ring3Scenario;

/** Every scenario, the two-party ones first. */
export const ALL_SCENARIOS: readonly AnyScenario[] = [...SCENARIOS, ...RING3_SCENARIOS];

/** The scenario called `name`; throws with the list of names when there is none. */
export function anyScenario(name: string): AnyScenario {
  const found = ALL_SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"; choose one of: ${ALL_SCENARIOS.map((s) => s.name).join(", ")}`);
  return found;
}

/** Every option, with what `--help` says of it. */
export const DEMO_OPTIONS = {
  scenario: { type: "string", short: "s", value: "<name>", text: "the scenario to run (default: happy); one of the list below" },
  list: { type: "boolean", text: "print the scenarios and exit" },
  keep: { type: "boolean", text: "keep the temporary folder (configurations, databases, coordinator and chain logs) after a successful run; it is always kept after a failure" },
  "skip-build": { type: "boolean", text: "do not compile the contracts or bundle the coordinator first (they are up to date)" },
  help: { type: "boolean", short: "h", text: "print this help and exit" },
} as const;

/** What the command line asks for. */
export type DemoRequest = { readonly kind: "help" } | { readonly kind: "list" } | { readonly kind: "run"; readonly scenario: AnyScenario; readonly keep: boolean; readonly build: boolean };

/** A command line the demo refuses; `message` says why (one line). */
export class DemoUsageError extends Error {}

/** The scenarios, one a line: name and title. */
export function scenarioList(indent = "  "): string {
  return ALL_SCENARIOS.map((s) => `${indent}${s.name.padEnd(22)} ${s.title}`).join("\n");
}

/** The options, one a line. */
export function optionList(): string {
  return Object.entries(DEMO_OPTIONS)
    .map(([name, o]) => {
      const flags = `${"short" in o ? `-${o.short}, ` : "    "}--${name}${"value" in o ? ` ${o.value}` : ""}`;
      return `  ${flags.padEnd(24)} ${o.text}`;
    })
    .join("\n");
}

/** The `--help` text. */
export function demoHelp(): string {
  return [
    "Usage: npm run demo -- [options]",
    "",
    "A hedged swap (or an HTLC option) across two local chains (chain ids 31361 and 31362), driven by two",
    "coordinator processes, Alice's and Bob's; prints each step as it lands, the timeline and the balances,",
    "and checks them against the scenario matrix of PROTOCOLS.md. The ring3 scenarios run a three-party hedged",
    "cycle (PROTOCOLS.md §7) across three local chains (31361–31363) with Alice's, Bob's and Carol's coordinator",
    "processes, the signed cycle offer submitted to each over its HTTP API (POST /cycles), and check every",
    "party's holdings on every chain against §7's row. Exit status 0 when they match, 1 otherwise, 2 for a",
    "command line it refuses.",
    "",
    "Options:",
    optionList(),
    "",
    "Scenarios:",
    scenarioList(),
    "",
    "Examples: npm run demo -- --scenario alice-withholds",
    "          npm run demo -- --scenario ring3-carol-walks",
  ].join("\n");
}

/** Reads the demo's arguments (after `npm run demo --`); `DemoUsageError` for unknown options, stray arguments or an unknown scenario. */
export function parseDemoArgs(args: readonly string[]): DemoRequest {
  let values: { scenario?: string; list?: boolean; keep?: boolean; "skip-build"?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(DEMO_OPTIONS).map(([k, o]) => [k, { type: o.type, ...("short" in o ? { short: o.short } : {}) }])),
      strict: true,
      allowPositionals: false,
    }) as { values: typeof values });
  } catch (e) {
    // Node's message names the option ("Unknown option '--foo'"), minus its advice about "--".
    throw new DemoUsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, "").replace(/\.$/, ""));
  }
  if (values.help) return { kind: "help" };
  if (values.list) return { kind: "list" };
  try {
    return { kind: "run", scenario: anyScenario(values.scenario ?? "happy"), keep: values.keep === true, build: values["skip-build"] !== true };
  } catch (e) {
    throw new DemoUsageError((e as Error).message);
  }
}
