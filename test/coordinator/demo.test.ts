/**
 * `npm run demo`'s hygiene: its command line (--help, --list, unknown options refused with exit 2 and
 * the list, before anything is built or started), timelines in step order, amounts of different assets
 * never added together, no compiler warning, and one real run (happy path) that leaves no temporary
 * folder or chain log behind.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DEMO_OPTIONS, DemoUsageError, demoHelp, parseDemoArgs } from "../../scripts/demo/args";
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
    for (const s of SCENARIOS) expect(help).to.include(s.name).and.include(s.title);
  });

  it("npm run demo -- --help prints the scenarios and options and runs nothing; an unknown flag exits 2 with the list", function () {
    const help = demo(["--help"]);
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.include("Usage: npm run demo -- [options]").and.include("--scenario <name>").and.include("bob-never-redeems");
    expect(help.stdout).to.not.include("starting chains");
    const bogus = demo(["--bogus"]);
    expect([bogus.status, bogus.stdout]).to.deep.equal([2, ""]);
    expect(bogus.stderr).to.match(/^demo: Unknown option '--bogus'\n/).and.include("Options:").and.include("Scenarios:").and.include("option-unexercised");
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
