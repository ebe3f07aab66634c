/**
 * `npm run demo`'s hygiene: its command line (--help, --list, unknown options refused with exit 2 and
 * the list, before anything is built or started), timelines in step order, amounts of different assets
 * never added together, no compiler warning, one real run (happy path) that leaves no temporary
 * folder or chain log behind, and the three-party runs (ring3, ring3-carol-walks,
 * ring3-leader-withholds: three chains, three coordinator processes fed over POST /cycles) ending in
 * PROTOCOLS.md §7's holdings.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ALL_SCENARIOS, DEMO_OPTIONS, DemoUsageError, demoHelp, parseDemoArgs, scenarioList } from "../../scripts/demo/args";
import { RING3_INITIAL, RING3_SCENARIOS, ring3Change } from "../../scripts/demo/ring3Scenarios";
import { byCycleStep } from "../../scripts/demo/ring3Timeline";
import { INITIAL, SCENARIOS, netChange, type Holdings } from "../../scripts/demo/scenarios";
import { byStep, type TimelineEntry } from "../../scripts/demo/timeline";
import { hardhatCli } from "../../src/devnet/paths";

const ROOT = join(__dirname, "..", "..");
const DEMO = join(ROOT, "scripts", "demo.ts");

/** Runs scripts/demo.ts through ts-node, as `npm run demo -- <args>` does. */
function demo(args: readonly string[], timeout = 30_000) {
  return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", DEMO, ...args], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, "tsconfig.json") },
    encoding: "utf8",
    timeout,
  });
}

/** PROTOCOLS.md §7's table for n = 3 (holdings per party as T0,T1,T2), written out here rather than taken from the demo. */
const SECTION7: Readonly<Record<string, readonly (readonly bigint[])[]>> = {
  start: [[100n, 0n, 3n], [1n, 100n, 0n], [0n, 2n, 100n]],
  ring3: [[0n, 0n, 103n], [101n, 0n, 0n], [0n, 102n, 0n]],
  "ring3-carol-walks": [[101n, 0n, 3n], [0n, 102n, 0n], [0n, 0n, 100n]],
  "ring3-leader-withholds": [[101n, 0n, 0n], [0n, 102n, 0n], [0n, 0n, 103n]],
};

const entry = (step: string, chain: string, timestamp: number, block = 1): TimelineEntry => ({ step, chain, timestamp, block, text: `${step}@${chain}`, tx: "0x" });

describe("demo: command line", function () {
  this.timeout(60_000);

  it("parses --help, --list, --scenario, --keep and --skip-build; refuses unknown options, stray arguments and unknown scenarios", function () {
    expect(parseDemoArgs(["--help"])).to.deep.equal({ kind: "help" });
    expect(parseDemoArgs(["-h", "--scenario", "nope"])).to.deep.equal({ kind: "help" });
    expect(parseDemoArgs(["--list"])).to.deep.equal({ kind: "list" });
    const run = parseDemoArgs(["--scenario", "alice-withholds", "--keep"]);
    expect(run).to.deep.include({ kind: "run", keep: true, build: true });
    expect(run.kind === "run" && run.scenario.name).to.equal("alice-withholds");
    const dflt = parseDemoArgs([]);
    expect(dflt.kind === "run" && [dflt.scenario.name, dflt.keep, dflt.build]).to.deep.equal(["happy", false, true]);
    expect(parseDemoArgs(["-s", "option", "--skip-build"])).to.deep.include({ build: false });
    const refusals: [string[], RegExp][] = [
      [["--bogus"], /^Unknown option '--bogus'$/],
      [["--scenario"], /argument missing/],
      [["happy"], /Unexpected argument 'happy'/],
      [["--scenario", "nope"], /unknown scenario "nope"; choose one of: happy, /],
      [["--list=yes"], /does not take an argument/],
    ];
    for (const [args, message] of refusals) expect(() => parseDemoArgs(args), args.join(" ")).to.throw(DemoUsageError, message);
  });

  it("--help names every option and scenario", function () {
    const help = demoHelp();
    for (const name of Object.keys(DEMO_OPTIONS)) expect(help).to.include(`--${name}`);
    for (const s of ALL_SCENARIOS) expect(help).to.include(s.name).and.include(s.title);
    // One line each, the three-party ones included.
    const list = scenarioList().split("\n");
    expect(list).to.have.length(ALL_SCENARIOS.length);
    for (const name of ["ring3", "ring3-carol-walks", "ring3-leader-withholds"]) {
      expect(list.filter((l) => l.trim().split(/ +/)[0] === name), name).to.have.length(1);
      const run = parseDemoArgs(["--scenario", name]);
      expect(run.kind === "run" && [run.scenario.name, run.scenario.kind]).to.deep.equal([name, "cycle"]);
    }
  });

  it("npm run demo -- --help prints the scenarios and options and runs nothing; an unknown flag exits 2 with the list", function () {
    const help = demo(["--help"]);
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.include("Usage: npm run demo -- [options]").and.include("--scenario <name>").and.include("bob-never-redeems");
    expect(help.stdout).to.not.include("starting chains");
    const bogus = demo(["--bogus"]);
    expect([bogus.status, bogus.stdout]).to.deep.equal([2, ""]);
    expect(bogus.stderr).to.match(/^demo: Unknown option '--bogus'\n/).and.include("Options:").and.include("Scenarios:").and.include("option-unexercised").and.include("ring3-leader-withholds");
  });
});

describe("demo: what it prints", function () {
  it("sorts a timeline by step, whatever the two chains' clocks say", function () {
    // Chain A's clock runs a second behind chain B's: step 2 (A) has an earlier block time than step 1 (B).
    const entries = [entry("settle", "A", 50), entry("2", "A", 10), entry("6", "A", 12), entry("1", "B", 11), entry("abort", "B", 40), entry("5", "B", 13), entry("4", "B", 12), entry("3", "A", 11)];
    expect(entries.sort(byStep).map((e) => e.step)).to.deep.equal(["1", "2", "3", "4", "5", "6", "abort", "settle"]);
    // Two settlements: by time, then chain.
    expect([entry("settle", "B", 5), entry("settle", "A", 5), entry("settle", "A", 4)].sort(byStep).map((e) => `${e.chain}${e.timestamp}`)).to.deep.equal(["A4", "A5", "B5"]);
  });

  it("states each party's change per asset, never one sum of APR and BAN", function () {
    const after: Holdings = { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n };
    expect(netChange(INITIAL, after, "alice")).to.equal("+1 APR, −3 BAN");
    expect(netChange(INITIAL, after, "bob")).to.equal("−1 APR, +3 BAN");
    expect(netChange(INITIAL, INITIAL, "bob")).to.equal("no change");
  });

  it("orders a cycle's timeline by step 1 … 9, then aborts, then settlements", function () {
    const entries = [entry("settle", "A", 50), entry("9", "A", 12), entry("10", "C", 1), entry("2", "B", 11), entry("abort", "B", 40), entry("7", "C", 13), entry("1", "C", 12)];
    expect(entries.sort(byCycleStep).map((e) => e.step)).to.deep.equal(["1", "2", "7", "9", "10", "abort", "settle"]);
  });

  it("the three-party scenarios are §7's rows, conserve each asset, and state changes per asset", function () {
    expect(RING3_INITIAL).to.deep.equal(SECTION7.start);
    for (const s of RING3_SCENARIOS) {
      expect(s.expected, s.name).to.deep.equal(SECTION7[s.name]);
      for (let chain = 0; chain < 3; chain++) expect(s.expected.reduce((t, row) => t + row[chain]!, 0n), `${s.name} chain ${chain}`).to.equal(RING3_INITIAL.reduce((t, row) => t + row[chain]!, 0n));
      const bare = [...s.premiums.matchAll(/\b\d+(?:\.\d+)?\b(?! ?(?:APR|BAN|CHE)\b)/g)].map((m) => m[0]);
      expect(bare, `${s.name}: "${s.premiums}"`).to.deep.equal([]);
    }
    expect(ring3Change(RING3_INITIAL, SECTION7["ring3-leader-withholds"]!, 0)).to.equal("+1 APR, −3 CHE");
    expect(ring3Change(RING3_INITIAL, RING3_INITIAL, 1)).to.equal("no change");
  });

  it("every scenario conserves each asset, and its explanation gives every amount with its asset (no cross-asset sums)", function () {
    for (const s of SCENARIOS) {
      expect(s.expected.aliceAPR + s.expected.bobAPR, `${s.name} APR`).to.equal(INITIAL.aliceAPR + INITIAL.bobAPR);
      expect(s.expected.aliceBAN + s.expected.bobBAN, `${s.name} BAN`).to.equal(INITIAL.aliceBAN + INITIAL.bobBAN);
      // Every number in the sentence is an amount of a named asset ("3 BAN"), so none is a sum across assets.
      const bare = [...s.premiums.matchAll(/\b\d+(?:\.\d+)?\b(?! ?(?:APR|BAN)\b)/g)].map((m) => m[0]);
      expect(bare, `${s.name}: "${s.premiums}"`).to.deep.equal([]);
      expect(s.premiums, s.name).to.not.match(/\bnets?\b/);
    }
  });
});

describe("demo: a run", function () {
  this.timeout(300_000);

  it("hardhat compile prints no warning about the compiler version", function () {
    const r = spawnSync(process.execPath, [hardhatCli(ROOT), "compile", "--quiet"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout + r.stderr).to.not.match(/not fully supported/i);
  });

  it("runs the happy path: builds without warnings, timeline by step, balances checked, and leaves no temporary folder or chain log behind", function () {
    const devnetLogs = join(tmpdir(), "hedgeswap-devnet");
    const demoLogs = () => (existsSync(devnetLogs) ? readdirSync(devnetLogs).filter((f) => /^node-3136[12]-/.test(f)) : []);
    const logsBefore = demoLogs();
    const r = demo([], 240_000);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    const out = r.stdout;
    expect(out + r.stderr).to.not.match(/not fully supported|warning/i);
    expect(out).to.include("✓ balances match the scenario matrix");
    expect(out).to.match(/Alice +0 +103 +0 \/ 103 +−100 APR, \+100 BAN/);
    // The timeline's steps, in order.
    const timeline = out.slice(out.indexOf("Timeline (both chains, by step"), out.indexOf("Final balances"));
    expect([...timeline.matchAll(/T0[+-]\d+s +(\S+)/g)].map((m) => m[1])).to.deep.equal(["1", "2", "3", "4", "5", "6"]);
    // Its one folder is gone, and the chains logged into it, not into the shared devnet folder.
    const folder = /(\S*hedgeswap-demo-\w+)/.exec(out)?.[1];
    expect(folder, "the run names its folder").to.be.a("string");
    expect(existsSync(folder!), folder).to.equal(false);
    expect(demoLogs()).to.deep.equal(logsBefore);
  });
});

describe("demo: the three-party runs (§7)", function () {
  // Each run takes about 15 s (three chains and three coordinator processes start; the deadlines are jumped over).
  this.timeout(200_000);

  /** The final holdings table's rows: party, its three holdings, what §7 expects, and the mark. */
  function holdingsTable(out: string): { party: string; held: bigint[]; expected: string; mark: string }[] {
    return [...out.matchAll(/^ {2}(Alice|Bob|Carol) \(P\d\) +(\d+) +(\d+) +(\d+) +([\d,]+) +(✓|✗)/gm)].map((m) => ({ party: m[1]!, held: [m[2]!, m[3]!, m[4]!].map(BigInt), expected: m[5]!, mark: m[6]! }));
  }

  const runs: [string, string[], string[]][] = [
    ["ring3", ["1", "2", "3", "4", "5", "6", "7", "8", "9"], []],
    ["ring3-carol-walks", ["1", "2", "3", "4", "5", "settle", "settle", "settle"], ["fast-forwarding all three chains' clocks by 10Δ"]],
    ["ring3-leader-withholds", ["1", "2", "3", "4", "5", "6", "settle", "settle", "settle"], ["fast-forwarding all three chains' clocks by 10Δ"]],
  ];
  for (const [name, steps, mentions] of runs) {
    it(`--scenario ${name}: three coordinators fed over POST /cycles, steps ${steps.filter((s) => s !== "settle").join(",")}${steps.includes("settle") ? " and the settlements" : ""}, holdings exactly §7's row`, function () {
      const r = demo(["--scenario", name], 150_000);
      expect(r.status, r.stdout + r.stderr).to.equal(0);
      const out = r.stdout;
      expect((out.match(/POST \/cycles → 201/g) ?? []).length, out).to.equal(3);
      for (const m of mentions) expect(out).to.include(m);
      const timeline = out.slice(out.indexOf("Timeline (all three chains, by step"), out.indexOf("Final holdings"));
      expect([...timeline.matchAll(/T0[+-]\d+s +(\S+)/g)].map((m) => m[1]), timeline).to.deep.equal(steps);
      const rows = holdingsTable(out);
      expect(rows.map((x) => x.party), out).to.deep.equal(["Alice", "Bob", "Carol"]);
      expect(rows.map((x) => x.held), out).to.deep.equal(SECTION7[name]!.map((row) => [...row]));
      expect(rows.map((x) => x.expected)).to.deep.equal(SECTION7[name]!.map((row) => row.join(",")));
      expect(rows.map((x) => x.mark)).to.deep.equal(["✓", "✓", "✓"]);
      expect(out).to.include("✓ holdings match §7's row");
      const folder = /(\S*hedgeswap-demo-\w+)/.exec(out)?.[1];
      expect(folder && existsSync(folder), "the run's folder is removed").to.equal(false);
    });
  }
});
