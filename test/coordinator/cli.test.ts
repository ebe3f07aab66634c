/**
 * The operator's path: the `hedgeswap-coordinator` bin (the esbuild bundle, no ts-node) as README's
 * "Run it on your own chains" uses it: help and version, every command and option described, bad
 * command lines refused, `status` on a fresh configuration, missing or garbage configuration and offer
 * files refused with one line and exit status 2 before anything is created or sent, and secret seeds
 * accepted by exactly the rule of the SDK's `deriveSecret`.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Command } from "commander";

import { EXIT, buildProgram } from "../../src/coordinator/cli";
import { ConfigError, parseConfig, resolveParties, seedProblem } from "../../src/coordinator/config";
import { openSqliteStore } from "../../src/coordinator/store";
import { deriveSecret } from "../../src/sdk";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "hedgeswap-coordinator.js");
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const SEED = "0x" + "5e".repeat(32);
const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** A configuration as README shows it (two local chains, Alice's key and seed from the environment). */
const configJson = (over: Record<string, unknown> = {}) => ({
  dataDir: "./data/alice",
  chains: [
    { name: "A", chainId: "31361", rpcUrl: "http://127.0.0.1:8545", escrow: ESCROW, deploymentBlock: 1, confirmations: 1, blockInterval: 1, inclusionTime: 5, clockSkew: 2 },
    { name: "B", chainId: "31362", rpcUrl: "http://127.0.0.1:8546", escrow: ESCROW, deploymentBlock: 1, confirmations: 1, blockInterval: 1, inclusionTime: 5, clockSkew: 2 },
  ],
  parties: [{ name: "alice", privateKeyEnv: "ALICE_KEY", secretSeedEnv: "ALICE_SEED" }],
  minDelta: 60,
  reactionMargin: 10,
  ...over,
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("coordinator: command line (the built bin)", function () {
  this.timeout(60_000);
  let dir: string;
  /** Runs the bin in `dir` with `env` added (no key or seed unless given). */
  const cli = (args: readonly string[], env: Record<string, string> = {}): Run => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALICE_|HEDGESWAP_)/.test(k)));
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...clean, ...env }, encoding: "utf8", timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** A refusal: exit status 2, nothing on stdout, one line on stderr (no stack trace); returns the line. */
  const refused = (r: Run): string => {
    expect(r.status, r.stderr).to.equal(EXIT.refused);
    expect(r.stdout).to.equal("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines, r.stderr).to.have.length(1);
    expect(r.stderr).to.not.match(/^\s+at /m);
    return lines[0]!;
  };

  before(function () {
    // The bin runs the bundle: build it from the current source (as `npm install` / `npm run build:coordinator` do).
    const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-coordinator.mjs"), "--quiet"], { cwd: ROOT, encoding: "utf8" });
    expect(build.status, build.stderr).to.equal(0);
  });
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), "hedgeswap-cli-"));
    writeFileSync(join(dir, "coordinator.json"), JSON.stringify(configJson(), null, 2));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is the package's bin, executable, built by `npm install` (prepare) and by build:coordinator", function () {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.bin).to.deep.equal({ "hedgeswap-coordinator": "bin/hedgeswap-coordinator.js" });
    expect(statSync(BIN).mode & 0o111, "executable").to.not.equal(0);
    expect(readFileSync(BIN, "utf8")).to.match(/^#!\/usr\/bin\/env node\n/);
    expect(pkg.scripts.prepare).to.include("scripts/build-coordinator.mjs");
    expect(pkg.scripts["build:coordinator"]).to.include("scripts/build-coordinator.mjs");
  });

  it("--help lists the commands with their descriptions, the exit statuses and where the walkthrough is; --version the coordinator package's", function () {
    const help = cli(["--help"]);
    expect(help.status).to.equal(0);
    for (const text of ["Usage: hedgeswap-coordinator <command> [options]", "run [options]", "submit [options]", "status [options]", "-V, --version", "Exit status", "Run it on your own chains"]) {
      expect(help.stdout).to.include(text);
    }
    const run = cli(["run", "--help"]);
    expect(run.status).to.equal(0);
    expect(run.stdout).to.include("-c, --config <file>").and.include("-o, --offer <file...>").and.include("until SIGINT or SIGTERM");
    expect(cli(["help", "status"]).stdout).to.include("-s, --swap <id>");
    const version = cli(["--version"]);
    expect([version.status, version.stdout.trim()]).to.deep.equal([0, (JSON.parse(readFileSync(join(ROOT, "src", "coordinator", "package.json"), "utf8")) as { version: string }).version]);
  });

  it("describes every command and option", function () {
    const program = buildProgram();
    const undocumented = (c: Command, path: string): string[] => [
      ...(c.description().trim() === "" ? [path] : []),
      ...c.options.filter((o) => o.description.trim() === "").map((o) => `${path} ${o.flags}`),
      ...c.commands.flatMap((sub) => undocumented(sub, `${path} ${sub.name()}`)),
    ];
    expect(program.commands.map((c) => c.name())).to.deep.equal(["run", "submit", "status"]);
    expect(undocumented(program, "hedgeswap-coordinator")).to.deep.equal([]);
  });

  it("refuses an unknown command, an unknown option, a stray argument and a missing --config (exit 2, stdout empty)", function () {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["status", "--config", "coordinator.json", "--verbose"], /unknown option '--verbose'/],
      [["status", "--config", "coordinator.json", "extra"], /too many arguments/],
      [["status"], /required option '-c, --config <file>' not specified/],
      [["submit", "--config", "coordinator.json"], /required option '-o, --offer <file>' not specified/],
      [["status", "--config", "coordinator.json", "--swap", "0x12"], /--swap takes a swap id/],
      [[], /Usage: hedgeswap-coordinator/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect([args.join(" "), r.status, r.stdout]).to.deep.equal([args.join(" "), EXIT.refused, ""]);
      expect(r.stderr, args.join(" ")).to.match(message);
    }
  });

  it("status on a fresh configuration: no swaps, exit 0, and no database or folder created", function () {
    const r = cli(["status", "--config", "coordinator.json"]);
    expect([r.status, r.stdout]).to.deep.equal([0, ""]);
    expect(r.stderr).to.match(/no database yet at .*coordinator\.sqlite.*: no swaps/);
    expect(existsSync(join(dir, "data"))).to.equal(false);
    // One swap asked for that cannot exist yet.
    expect(refused(cli(["status", "--config", "coordinator.json", "--swap", "0x" + "ab".repeat(32)]))).to.match(/no swap with this id.*UNKNOWN_SWAP/);
  });

  it("status prints each swap as a JSON line with its status and outcome (a cooperatively aborted swap says \"aborted\"), and one swap's events", function () {
    const store = openSqliteStore(join(dir, "data", "alice", "coordinator.sqlite"));
    const id = "0x" + "1d".repeat(32);
    store.insertSwap(
      { id, offer: { leader: "0x1111", follower: "0x2222", legA: { chainId: "1" }, legB: { chainId: "2" } }, signatures: { leader: "0x", follower: "0x" }, kind: "hedged-swap", hashlock: "0x" + "4a".repeat(32), roles: { leader: true, follower: false }, secretIndex: 0 },
      { swapId: id, chainId: null, kind: "swap.accepted", data: {} },
    );
    store.transition(id, "aborting", { swapId: id, chainId: null, kind: "swap.status", data: { from: "accepted", to: "aborting" } });
    store.transition(id, "settled", { swapId: id, chainId: null, kind: "swap.status", data: { from: "aborting", to: "settled", outcome: "aborted" } }, { outcome: "aborted" });
    store.close();
    const all = cli(["status", "--config", "coordinator.json"]);
    expect(all.status, all.stderr).to.equal(0);
    const rows = all.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ id, kind: "hedged-swap", status: "settled", outcome: "aborted" });
    const one = cli(["status", "--config", "coordinator.json", "--swap", id.toUpperCase().replace("0X", "0x")]);
    expect(one.status, one.stderr).to.equal(0);
    expect(one.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { kind?: string }).kind)).to.deep.equal(["hedged-swap", "swap.accepted", "swap.status", "swap.status"]);
  });

  it("refuses a missing, unreadable, garbage or invalid configuration with one line and exit 2", function () {
    mkdirSync(join(dir, "folder.json"));
    writeFileSync(join(dir, "garbage.json"), "{ not json");
    writeFileSync(join(dir, "array.json"), "[]");
    writeFileSync(join(dir, "invalid.json"), JSON.stringify(configJson({ chains: [], minDelta: -1 })));
    const cases: [string, RegExp][] = [
      ["missing.json", /cannot read the configuration file missing\.json: no such file \(CONFIG_INVALID\)$/],
      ["folder.json", /cannot read the configuration file folder\.json: it is a directory/],
      ["garbage.json", /the configuration file garbage\.json is not JSON: .*\(CONFIG_INVALID\)$/],
      ["array.json", /the configuration file array\.json does not hold a JSON object/],
      ["invalid.json", /invalid\.json: the coordinator configuration is invalid \(CONFIG_INVALID; issues=chains: .*minDelta: /],
    ];
    // Every command reads the configuration the same way (loadConfig): each case through one of them, the missing file through all.
    const commands = [["status"], ["run"], ["submit", "--offer", "offer.json"]];
    for (const [k, [file, message]] of cases.entries()) {
      for (const command of k === 0 ? commands : [commands[k % 3]!]) {
        expect(refused(cli([...command, "--config", file])), `${command[0]} ${file}`).to.match(message);
      }
    }
  });

  it("refuses a missing or garbage offer file before anything starts: one line, exit 2, no database created, nothing sent", function () {
    writeFileSync(join(dir, "garbage.json"), "offer?");
    writeFileSync(join(dir, "not-an-offer.json"), JSON.stringify({ offer: { leader: "0x1" }, signatures: {} }));
    writeFileSync(join(dir, "empty.json"), "[]");
    const env = { ALICE_KEY: KEY, ALICE_SEED: SEED };
    const cases: [string, RegExp][] = [
      ["missing.json", /cannot read the offer file missing\.json: no such file \(OFFER_FILE_INVALID; file=missing\.json\)$/],
      ["garbage.json", /the offer file garbage\.json is not JSON/],
      ["not-an-offer.json", /the offer file not-an-offer\.json holds no valid signed offer: offer\.leader is not a valid address .*cause=INVALID_ADDRESS/],
      ["empty.json", /the offer file empty\.json holds an empty array/],
    ];
    for (const [file, message] of cases) {
      expect(refused(cli(["submit", "--config", "coordinator.json", "--offer", file], env)), `submit ${file}`).to.match(message);
      expect(refused(cli(["run", "--config", "coordinator.json", "--offer", file], env)), `run ${file}`).to.match(message);
    }
    // The coordinator was never constructed: no data folder, so no database and no transaction either.
    expect(existsSync(join(dir, "data"))).to.equal(false);
  });

  it("refuses a key or seed the environment lacks or garbles, naming the variable and never the value", function () {
    const noKey = refused(cli(["run", "--config", "coordinator.json"], { ALICE_SEED: SEED }));
    expect(noKey).to.match(/party alice: no valid private key \(CONFIG_INVALID; issues=environment variable ALICE_KEY is unset/);
    const shortSeed = refused(cli(["run", "--config", "coordinator.json"], { ALICE_KEY: KEY, ALICE_SEED: "0x" + "77".repeat(31) }));
    expect(shortSeed).to.equal("hedgeswap-coordinator: party alice: the secret seed must be at least 32 bytes (CONFIG_INVALID; issues=environment variable ALICE_SEED)");
    const notHex = refused(cli(["run", "--config", "coordinator.json"], { ALICE_KEY: KEY, ALICE_SEED: "0x" + "7".repeat(65) }));
    expect(notHex).to.equal("hedgeswap-coordinator: party alice: the secret seed must be bytes or 0x-prefixed hex (CONFIG_INVALID; issues=environment variable ALICE_SEED)");
    expect(shortSeed + notHex).to.not.include("7777");
    expect(existsSync(join(dir, "data"))).to.equal(false);
  });

  it("without the bundle, the bin says how to build it (exit 1)", function () {
    const lonely = join(dir, "checkout");
    mkdirSync(join(lonely, "bin"), { recursive: true });
    copyFileSync(BIN, join(lonely, "bin", "hedgeswap-coordinator.js"));
    const r = spawnSync(process.execPath, [join(lonely, "bin", "hedgeswap-coordinator.js"), "--help"], { cwd: lonely, encoding: "utf8" });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/the coordinator is not built \(dist\/coordinator\/cli\.cjs is missing\): run `npm run build:coordinator`/);
  });
});

describe("npm run offer (scripts/make-offer.ts): the walkthrough's offer maker refuses bad input before reaching a chain", function () {
  this.timeout(60_000);
  let dir: string;
  const offer = (args: readonly string[], env: Record<string, string> = {}) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LEADER_|FOLLOWER_)/.test(k)));
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", join(ROOT, "scripts", "make-offer.ts"), ...args], {
      cwd: ROOT,
      env: { ...clean, TS_NODE_PROJECT: join(ROOT, "tsconfig.json"), INIT_CWD: dir, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
  };
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "hedgeswap-offer-"));
    writeFileSync(join(dir, "alice.json"), JSON.stringify(configJson()));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("--help, an unknown option, a missing option, a missing key or seed (paths relative to where npm run was typed)", function () {
    const help = offer(["--help"]);
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.include("--token-a <address>").and.include("LEADER_SEED");
    const legs = ["--token-a", ESCROW, "--amount-a", "100", "--premium-a", "1", "--token-b", ESCROW, "--amount-b", "100", "--premium-b", "3"];
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["--bogus"], {}, /^offer: Unknown option '--bogus'/],
      [["--token-a", ESCROW], {}, /^offer: --config is required/],
      [["--config", "missing.json", ...legs], {}, /cannot read the configuration file .*missing\.json: no such file/],
      [["--config", "alice.json", ...legs], {}, /^offer: LEADER_KEY must hold a private key/],
      [["--config", "alice.json", ...legs], { LEADER_KEY: KEY, FOLLOWER_KEY: KEY }, /^offer: LEADER_SEED is not set/],
      [["--config", "alice.json", ...legs], { LEADER_KEY: KEY, FOLLOWER_KEY: KEY, LEADER_SEED: "0x1234" }, /^offer: LEADER_SEED must be at least 32 bytes/],
    ];
    for (const [args, env, message] of cases) {
      const r = offer(args, env);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).to.equal(2);
      expect(r.stderr, args.join(" ")).to.match(message);
    }
  });
});

describe("coordinator: secret seeds follow the SDK's deriveSecret rule", function () {
  const seeds = [
    SEED,
    "0x" + "5E".repeat(32), // upper-case digits
    "0X" + "5e".repeat(32), // upper-case prefix: ethers' getBytes takes it
    "0x" + "5e".repeat(33), // longer than 32 bytes
    "0x" + "5e".repeat(64),
    "0x" + "5e".repeat(31), // too short
    "0x" + "5".repeat(65), // odd number of digits
    "5e".repeat(32), // no prefix
    "0x" + "zz".repeat(32),
    "0x",
    "",
    " " + SEED,
  ];
  const config = (party: Record<string, unknown>) => parseConfig(configJson({ parties: [{ name: "alice", privateKey: KEY, ...party }] }));
  const sdkAccepts = (seed: string) => {
    try {
      deriveSecret(seed, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("accepts exactly the seeds deriveSecret accepts, from the environment and from the file, with the SDK's reasons", function () {
    for (const seed of seeds) {
      const ok = sdkAccepts(seed);
      expect(seedProblem(seed) === undefined, JSON.stringify(seed)).to.equal(ok);
      // From the environment (secretSeedEnv).
      const fromEnv = () => resolveParties(config({ secretSeedEnv: "ALICE_SEED" }), { ALICE_SEED: seed });
      // From the file (secretSeed): the schema, then the same check.
      const fromFile = () => resolveParties(config({ secretSeed: seed }), {});
      if (ok) {
        expect(fromEnv()[0]!.seed, JSON.stringify(seed)).to.equal(seed);
        expect(fromFile()[0]!.seed).to.equal(seed);
      } else {
        expect(fromEnv, JSON.stringify(seed)).to.throw(ConfigError, /the secret seed must be (at least 32 bytes|bytes or 0x-prefixed hex)/);
        expect(fromFile, JSON.stringify(seed)).to.throw(ConfigError);
      }
    }
  });

  it("gives the SDK's reason, in the file's issues too, and never the value", function () {
    const tooShort = "0x" + "5e".repeat(31);
    let caught: unknown;
    try {
      deriveSecret(tooShort, 0);
    } catch (e) {
      caught = e;
    }
    expect((caught as { shortMessage: string }).shortMessage).to.equal("seed: must be at least 32 bytes");
    expect(seedProblem(tooShort)).to.equal("must be at least 32 bytes");
    expect(seedProblem("0x123")).to.equal("must be bytes or 0x-prefixed hex");
    try {
      config({ secretSeed: tooShort });
      expect.fail("accepted a 31-byte seed");
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      expect(String((e as ConfigError).details.issues)).to.equal("parties.0.secretSeed: must be at least 32 bytes");
      expect((e as Error).message).to.not.include("5e5e");
    }
  });
});
