/**
 * `npm run measure:sdk` → benchmarks/sdk.json: what a consumer of the SDK package (`hedgeswap`,
 * src/sdk) gets. Not part of `npm test` (it installs from the npm registry).
 *
 * - The package: `npm pack` in src/sdk (its `prepack` builds it), the tarball's size and file count.
 * - The consumer's install: a fresh project in a temporary directory runs
 *   `npm install <tarball> ethers@<the repository's version>`; counted: packages (lockfile entries),
 *   size on disk (`du`) and in bytes, packages with install scripts, native binaries (`*.node`,
 *   `binding.gyp`), EBADENGINE warnings on this Node, the install's wall time; then the package is
 *   loaded by name with `require` and `import`.
 * - Browser bundles of pages using the installed package (esbuild, minified, gzip level 9): every SDK
 *   export; every SDK export with ethers' `BrowserProvider` (a wallet page); the planner alone
 *   (`planHedgedSwap`), which must hold neither the escrow's ABI (`internalType` occurs only there) nor
 *   a Node built-in.
 * - Batch calldata for 500 legs (250 swaps) and for 2 legs: the SDK's builders (ethers' `Interface`) and
 *   the coordinator's viem encoder (`src/coordinator/chain/batchCalldata.ts`), median of repeated runs.
 *
 * Exits 1 when a target is missed: more than 30 packages, an install script or native binary, an engine
 * warning, or a planner page with the ABI or over 30 KB gzipped. `--keep` leaves the temporary directory;
 * `--pages <dir>` only prints the page bundles of a project already installed at <dir> (how the figures
 * of `BEFORE` were taken from the old package).
 */
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";
import { Wallet, ZeroAddress } from "ethers";

import { VIEM_BATCH } from "../src/coordinator/chain/batchCalldata";
import { depositPremiumBatchTx, escrowBatchTx, hashlockOf, planHedgedSwap, redeemBatchTx, settleBatchTx, type BatchOptions, type PlannedLeg } from "../src/sdk";

const ROOT = resolve(__dirname, "..");
const SDK_DIR = join(ROOT, "src", "sdk");
const OUT = join(ROOT, "benchmarks", "sdk.json");

/** The targets of issue 15. */
const TARGETS = { maxPackages: 30, maxPlannerGzipBytes: 30_000 };

/**
 * The same measurements before the SDK was a package of its own (commit 66ea13c: the root package
 * packed with its dist/sdk build, ethers + viem + the coordinator's server libraries as dependencies,
 * one ESM bundle, the batch builders on viem), taken with this script's method on this machine.
 */
const BEFORE = {
  commit: "66ea13c",
  install: { packages: 118, diskKiB: 177_344, bytes: 124_749_701, installScripts: ["better-sqlite3"], nativeBinaries: 4, engineWarnings: ["cookie@2.0.2 requires node >=22"], seconds: 264 },
  tarball: { bytes: 225_066, unpackedBytes: 1_130_201, files: 27 },
  bundles: {
    sdk: { bytes: 248_542, gzipBytes: 75_344, hasAbi: true, viem: true },
    sdkWithBrowserProvider: { bytes: 354_586, gzipBytes: 122_207, hasAbi: true, viem: true },
    planner: { bytes: 108_031, gzipBytes: 30_505, hasAbi: true, viem: true },
  },
};

const log = (text: string) => console.log(`[measure-sdk] ${text}`);

/** The environment for a child npm, without the variables `npm run` sets for this package. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_|^npm_config_(workspace|workspaces|include_workspace_root|prefix|global)/i.test(k) || k === "INIT_CWD") continue;
    env[k] = v;
  }
  return env;
}

function npm(args: string[], cwd: string) {
  const res = spawnSync("npm", args, { cwd, env: npmEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res;
}

/** Total size of the files under `dir` (symbolic links not followed). */
function bytesUnder(dir: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sum += bytesUnder(p);
    else sum += lstatSync(p).size;
  }
  return sum;
}

/** Paths under `dir` whose name matches `test`. */
function findFiles(dir: string, test: (name: string) => boolean, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) findFiles(p, test, out);
    else if (test(e.name)) out.push(p);
  }
  return out;
}

function diskKiB(dir: string): number | null {
  const res = spawnSync("du", ["-sk", dir], { encoding: "utf8" });
  return res.status === 0 ? Number(res.stdout.split(/\s/)[0]) : null;
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

/** `npm pack` of the SDK (its prepack builds it) into `dest`. */
function pack(dest: string) {
  const res = npm(["pack", "--json", "--pack-destination", dest], SDK_DIR);
  const json = res.stdout.slice(res.stdout.search(/^\[$/m)); // the prepack's build prints first
  const [p] = JSON.parse(json) as PackResult[];
  return { tgz: join(dest, p!.filename), bytes: p!.size, unpackedBytes: p!.unpackedSize, files: p!.entryCount, paths: p!.files.map((f) => f.path) };
}

/** Installs the tarball and ethers into a fresh project at `dir`, and what that brought. */
function install(dir: string, tgz: string) {
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "sdk-consumer", version: "1.0.0", private: true }, null, 2));
  const ethers = (JSON.parse(readFileSync(join(ROOT, "node_modules", "ethers", "package.json"), "utf8")) as { version: string }).version;
  const t0 = performance.now();
  const res = npm(["install", tgz, `ethers@${ethers}`, "--no-audit", "--no-fund"], dir);
  const seconds = (performance.now() - t0) / 1000;
  const output = `${res.stdout}\n${res.stderr}`;
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };
  const entries = Object.entries(lock.packages).filter(([k]) => k !== "");
  const modules = join(dir, "node_modules");
  const engineWarnings = [...output.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1]!);
  return {
    ethers,
    packages: entries.length,
    names: entries.map(([k, v]) => `${k.replace(/^.*node_modules\//, "")}@${v.version ?? "?"}`).sort(),
    diskKiB: diskKiB(modules),
    bytes: bytesUnder(modules),
    installScripts: entries.filter(([, v]) => v.hasInstallScript).map(([k]) => k.replace(/^.*node_modules\//, "")),
    nativeBinaries: findFiles(modules, (n) => n.endsWith(".node") || n === "binding.gyp").length,
    engineWarnings,
    warnings: output.split("\n").filter((l) => /^npm warn/i.test(l) && !/install-scripts/.test(l)),
    seconds: Math.round(seconds * 10) / 10,
  };
}

/** Loads the installed package by name from CommonJS and from ESM. */
function loads(dir: string) {
  const probe = (args: string[]) => spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8" });
  const cjs = probe(["-e", "const s = require('hedgeswap'); if (typeof s.planHedgedSwap !== 'function') process.exit(2);"]);
  const esm = probe(["--input-type=module", "-e", "const s = await import('hedgeswap'); if (typeof s.planHedgedSwap !== 'function') process.exit(2);"]);
  return { require: cjs.status === 0, import: esm.status === 0 };
}

const NODE_BUILTINS = new Set(builtinModules);

/** A page's bundle as a browser gets it: minified, gzipped; the ABI and Node built-ins detected. */
async function bundle(dir: string, contents: string) {
  const builtins: string[] = [];
  const result = await build({
    stdin: { contents, resolveDir: dir, loader: "js", sourcefile: "page.js" },
    absWorkingDir: dir,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "none",
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [
      {
        name: "node-builtins",
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (!args.path.startsWith("node:") && !NODE_BUILTINS.has(args.path)) return undefined;
            builtins.push(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const js = result.outputFiles[0]!.text;
  // The modules that put code into the page (a module tree-shaken away is not listed).
  const kept = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([p]) => p);
  return {
    bytes: Buffer.byteLength(js),
    gzipBytes: gzipSync(js, { level: 9 }).length,
    hasAbi: js.includes("internalType"),
    sdkModules: kept.filter((p) => p.includes("node_modules/hedgeswap/")).map((p) => p.replace(/^.*node_modules\/hedgeswap\/dist\//, "")).sort(),
    viem: Object.keys(result.metafile.inputs).some((p) => p.includes("node_modules/viem/")),
    nodeBuiltins: builtins,
  };
}

const PAGES = {
  sdk: 'import * as sdk from "hedgeswap";\nglobalThis.sdk = sdk;\n',
  sdkWithBrowserProvider: 'import * as sdk from "hedgeswap";\nimport { BrowserProvider } from "ethers";\nglobalThis.app = { sdk, BrowserProvider };\n',
  planner: 'import { planHedgedSwap } from "hedgeswap";\nglobalThis.plan = planHedgedSwap;\n',
};

/** `count` legs of one escrow: hedged swaps with ERC-20 and native legs and amounts up to 2^255. */
function legs(count: number): PlannedLeg[] {
  const leader = new Wallet("0x" + "11".repeat(32)).address;
  const follower = new Wallet("0x" + "22".repeat(32)).address;
  const escrow = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  return Array.from({ length: count / 2 }, (_, i) => {
    const p = planHedgedSwap(
      {
        leader,
        follower,
        hashlock: hashlockOf("0x" + (i + 1).toString(16).padStart(64, "0")),
        start: 1_900_000_000n,
        delta: 600n + BigInt(i),
        legA: { chainId: 1n, escrow, token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 10n ** 24n + BigInt(i), premiumToken: ZeroAddress, premiumAmount: 1n },
        legB: { chainId: 1n, escrow, token: ZeroAddress, amount: 2n ** 255n + BigInt(i), premiumAmount: 3n + BigInt(i) },
      },
      { now: 1_900_000_000n, allowSameChain: true },
    );
    return [p.legA, p.legB];
  }).flat();
}

/** Median milliseconds of the four batch builders over `batch`, with `opts`' encoder. */
function timeBatch(batch: PlannedLeg[], opts: BatchOptions | undefined, runs: number): number {
  const items = batch.map((leg, k) => ({ leg, secret: "0x" + (k + 1).toString(16).padStart(64, "0") }));
  const once = () => {
    depositPremiumBatchTx(batch, opts);
    escrowBatchTx(batch, opts);
    redeemBatchTx(items, opts);
    settleBatchTx(batch, opts);
  };
  for (let i = 0; i < 3; i++) once();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    once();
    ms.push((performance.now() - t0) / 4);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[ms.length >> 1]! * 1000) / 1000;
}

async function main(): Promise<void> {
  const pagesOf = process.argv.indexOf("--pages");
  if (pagesOf >= 0) {
    const dir = resolve(process.argv[pagesOf + 1] ?? ".");
    for (const [name, page] of Object.entries(PAGES)) console.log(name, JSON.stringify(await bundle(dir, page)));
    return;
  }
  const keep = process.argv.includes("--keep");
  const tmp = mkdtempSync(join(tmpdir(), "hedgeswap-measure-sdk-"));
  try {
    log("npm pack in src/sdk (prepack builds the SDK)");
    const tarball = pack(tmp);
    log(`${tarball.tgz}: ${tarball.bytes} bytes, ${tarball.files} files`);
    log("npm install <tarball> ethers in a fresh project (from the registry)");
    const app = join(tmp, "app");
    const inst = install(app, tarball.tgz);
    log(`${inst.packages} packages, ${inst.diskKiB} KiB on disk, ${inst.seconds} s`);
    const load = loads(app);
    const bundles = {
      sdk: await bundle(app, PAGES.sdk),
      sdkWithBrowserProvider: await bundle(app, PAGES.sdkWithBrowserProvider),
      planner: await bundle(app, PAGES.planner),
    };
    log("batch calldata: ethers (the SDK) against viem (the coordinator)");
    const big = legs(500);
    const small = legs(2);
    const batchEncoding = {
      method: "median ms per builder call (depositPremiumBatch, escrowBatch, redeemBatch, settleBatch averaged)",
      legs500: { ethersMs: timeBatch(big, undefined, 15), viemMs: timeBatch(big, VIEM_BATCH, 15) },
      legs2: { ethersMs: timeBatch(small, undefined, 200), viemMs: timeBatch(small, VIEM_BATCH, 200) },
    };

    const { names, ...installFigures } = inst;
    const report = {
      generatedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model.trim() ?? "?", node: process.version, npm: spawnSync("npm", ["--version"], { encoding: "utf8" }).stdout.trim() },
      targets: TARGETS,
      package: { name: "hedgeswap", tarballBytes: tarball.bytes, unpackedBytes: tarball.unpackedBytes, files: tarball.files, paths: tarball.paths },
      install: { ...installFigures, diskMiB: inst.diskKiB === null ? null : Math.round((inst.diskKiB / 1024) * 10) / 10, loads: load, packageList: names },
      bundles: { pages: PAGES, ...bundles },
      batchEncoding,
      before: BEFORE,
    };
    mkdirSync(join(ROOT, "benchmarks"), { recursive: true });
    writeFileSync(OUT, JSON.stringify(report, null, 2) + "\n");
    log(`wrote ${OUT}`);

    const kb = (b: number) => `${(b / 1000).toFixed(1)} KB`;
    console.table({
      "install: packages": { before: BEFORE.install.packages, now: inst.packages },
      "install: MiB on disk": { before: Math.round(BEFORE.install.diskKiB / 102.4) / 10, now: report.install.diskMiB },
      "install: native builds": { before: BEFORE.install.installScripts.join(", "), now: inst.installScripts.join(", ") || "none" },
      "install: engine warnings": { before: BEFORE.install.engineWarnings.length, now: inst.engineWarnings.length },
      "page, whole SDK (gzip)": { before: kb(BEFORE.bundles.sdk.gzipBytes), now: kb(bundles.sdk.gzipBytes) },
      "page, SDK + BrowserProvider (gzip)": { before: kb(BEFORE.bundles.sdkWithBrowserProvider.gzipBytes), now: kb(bundles.sdkWithBrowserProvider.gzipBytes) },
      "page, planner only (gzip)": { before: kb(BEFORE.bundles.planner.gzipBytes), now: kb(bundles.planner.gzipBytes) },
      "planner page has the ABI": { before: BEFORE.bundles.planner.hasAbi, now: bundles.planner.hasAbi },
      "500-leg batch, ms (ethers / viem)": { before: "", now: `${batchEncoding.legs500.ethersMs} / ${batchEncoding.legs500.viemMs}` },
      "2-leg batch, ms (ethers / viem)": { before: "", now: `${batchEncoding.legs2.ethersMs} / ${batchEncoding.legs2.viemMs}` },
    });

    const missed = [
      inst.packages > TARGETS.maxPackages && `${inst.packages} packages installed (target ${TARGETS.maxPackages})`,
      inst.installScripts.length > 0 && `install scripts: ${inst.installScripts.join(", ")}`,
      inst.nativeBinaries > 0 && `${inst.nativeBinaries} native binaries`,
      inst.engineWarnings.length > 0 && `engine warnings: ${inst.engineWarnings.join(", ")}`,
      !(load.require && load.import) && `the installed package does not load (require ${load.require}, import ${load.import})`,
      bundles.planner.hasAbi && "the planner page holds the escrow's ABI",
      bundles.planner.gzipBytes > TARGETS.maxPlannerGzipBytes && `the planner page is ${bundles.planner.gzipBytes} bytes gzipped`,
      Object.values(bundles).some((b) => b.nodeBuiltins.length > 0 || b.viem) && "a page imports a Node built-in or viem",
    ].filter((m): m is string => typeof m === "string");
    for (const m of missed) console.error(`[measure-sdk] target missed: ${m}`);
    process.exitCode = missed.length > 0 ? 1 : 0;
  } finally {
    if (keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
