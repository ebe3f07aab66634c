/**
 * Packaging of the SDK: the npm workspace `src/sdk` (package `hedgeswap`), built by
 * scripts/build-sdk.mjs (`npm run build`, and the package's `prepack`) into src/sdk/dist: ESM one
 * module per source file, a CommonJS bundle, TypeScript declarations including the TypeChain types,
 * `ethers` external everywhere (a peer dependency) and no Node built-in anywhere in what a browser
 * bundle of the SDK pulls in (ethers included).
 *
 * Covered:
 * - src/sdk/package.json: every `exports` target exists in src/sdk/dist; `"sideEffects": false`;
 *   `files` and a `prepack` that builds; ethers as a peer dependency and no runtime dependency, none of
 *   the coordinator's server libraries or viem; no `main`/`types` fields, so that the repository's own
 *   directory imports of `src/sdk` keep resolving to the TypeScript source (checked for Node's and
 *   TypeScript's resolution); src/coordinator/package.json depends on the SDK and on every package the
 *   coordinator's sources import;
 * - `npm pack --dry-run --json` lists the built ESM, CJS and declaration files and nothing else but
 *   package.json and the README;
 * - the CommonJS build, loaded by the package's name (`require` condition), has the same export names
 *   as the ESM build (loaded by name in a child `node` process, `import` condition) and as the
 *   TypeScript source, and both builds compute the same hashlock as ethers does directly;
 * - both builds import `ethers` instead of inlining it; each ESM file holds one module;
 * - the declarations exist, mention `escrowAbi` and the TypeChain types, are what TypeScript resolves
 *   for the package name (node16 import/require and bundler resolution), and type-check on their
 *   own for a browser consumer (lib es2022 + dom, no Node types);
 * - esbuild browser bundles of the built package and of src/sdk/index.ts (ethers bundled too) import
 *   no Node built-in; a negative control shows the detector reports `node:fs` and `path`;
 * - tree-shaking: a page importing only the planner from the package holds neither the escrow's ABI
 *   (`internalType` occurs only there; a whole-SDK page has it) nor the modules of calldata, errors
 *   decoding, deployments or actions, and stays under 28 KB gzipped.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import ts from "typescript";
import { sha256 } from "ethers";

import { escrowAbi } from "../../src/sdk/abi";

type Sdk = typeof import("../../src/sdk");

const ROOT = resolve(__dirname, "..", "..");
const SDK_DIR = join(ROOT, "src", "sdk");
const DIST = join(SDK_DIR, "dist");
const DTS = join(DIST, "index.d.ts");
const SECRET = `0x${"11".repeat(32)}`;

/** The coordinator's server libraries (and viem), none of which the SDK may depend on. */
const SERVER_PACKAGES = ["better-sqlite3", "fastify", "pino", "prom-client", "zod", "commander", "@ethereumjs/rlp", "viem", "hardhat"];

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  module?: string;
  types?: string;
  typesVersions?: unknown;
  sideEffects: boolean;
  files: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  workspaces?: string[];
  exports: Record<string, Record<string, string> | string>;
}

/** A Node-only import found while bundling for the browser. */
interface NodeImport {
  specifier: string;
  importer: string;
}

const NODE_BUILTINS = new Set(builtinModules);

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || NODE_BUILTINS.has(specifier);
}

/** Matches every Node built-in name (so esbuild only calls back into JS for those). */
const BUILTIN_FILTER = new RegExp(`^(?:node:.*|${builtinModules.map((m) => m.replace(/\W/g, "\\$&")).join("|")})$`);

/** An esbuild plugin that records every Node built-in import (and keeps it out of the bundle). */
function nodeImportDetector(found: NodeImport[]): Plugin {
  return {
    name: "node-import-detector",
    setup(b) {
      b.onResolve({ filter: BUILTIN_FILTER }, (args) => {
        if (!isNodeBuiltin(args.path)) return undefined;
        found.push({ specifier: args.path, importer: args.importer });
        return { path: args.path, external: true };
      });
    },
  };
}

/** Bundles `entry` (a file, or a page's source resolved from the repository) and everything it imports, ethers included, as a browser would get it. */
async function bundleForBrowser(entry: string | { contents: string }, minify = false) {
  const nodeImports: NodeImport[] = [];
  const result = await build({
    ...(typeof entry === "string" ? { entryPoints: [entry] } : { stdin: { contents: entry.contents, resolveDir: ROOT, sourcefile: "page.js", loader: "js" as const } }),
    absWorkingDir: ROOT,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify,
    legalComments: "none",
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [nodeImportDetector(nodeImports)],
  });
  nodeImports.sort((a, b) => `${a.specifier} ${a.importer}`.localeCompare(`${b.specifier} ${b.importer}`));
  return { result, nodeImports };
}

function describeImports(found: NodeImport[]): string {
  return found.map((f) => `  ${f.specifier}  imported by  ${relative(ROOT, f.importer) || f.importer}`).join("\n");
}

function runNode(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
}

function exportNames(mod: object): string[] {
  return Object.keys(mod).sort();
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** The npm package a bare import specifier names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Every .ts file under `dir`. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : tsFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

describe("SDK package (src/sdk, npm run build)", () => {
  let pkg: PackageJson;
  let cjs: Sdk;
  let cjsPath: string;

  before(function () {
    this.timeout(180_000);
    const res = runNode(["scripts/build-sdk.mjs"]);
    expect(res.error, String(res.error)).to.equal(undefined);
    expect(res.status, `build-sdk.mjs failed:\n${res.stdout}\n${res.stderr}`).to.equal(0);
    pkg = readJson<PackageJson>(join(SDK_DIR, "package.json"));
    const req = createRequire(__filename);
    cjsPath = req.resolve(pkg.name);
    cjs = req(pkg.name) as Sdk;
  });

  describe("package.json", () => {
    it("points every exports condition at files the build wrote in src/sdk/dist, and ships dist with a prepack that builds", () => {
      expect(pkg.name).to.equal("hedgeswap");
      expect(pkg.private).to.equal(undefined);
      const root = pkg.exports["."];
      expect(root).to.be.an("object");
      const conditions = root as Record<string, string>;
      expect(Object.keys(conditions)).to.deep.equal(["types", "import", "require", "default"]);
      expect(conditions).to.deep.equal({ types: "./dist/index.d.ts", import: "./dist/index.mjs", require: "./dist/index.cjs", default: "./dist/index.mjs" });
      for (const p of Object.values(conditions)) {
        expect(resolve(SDK_DIR, p).startsWith(DIST), p).to.equal(true);
        expect(existsSync(resolve(SDK_DIR, p)), `${p} missing`).to.equal(true);
      }
      expect(pkg.exports["./package.json"]).to.equal("./package.json");
      expect(pkg.sideEffects).to.equal(false);
      expect(pkg.files).to.deep.equal(["dist"]);
      expect(pkg.scripts?.prepack).to.include("scripts/build-sdk.mjs");
    });

    it("has ethers v6 as its one peer dependency and no runtime dependency: no server library, no viem", () => {
      expect(pkg.peerDependencies).to.deep.equal({ ethers: "^6.17.0" });
      expect(pkg.dependencies ?? {}).to.deep.equal({});
      expect(pkg.optionalDependencies ?? {}).to.deep.equal({});
      const runtime = { ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies };
      for (const name of SERVER_PACKAGES) expect(runtime, name).not.to.have.property(name);
    });

    it("has no main, module, types or typesVersions field, so the repository's directory imports of src/sdk reach the TypeScript source", () => {
      for (const field of ["main", "module", "types", "typesVersions"] as const) expect(pkg, field).not.to.have.property(field);
      const importer = join(ROOT, "src", "coordinator", "engine", "work.ts");
      const node10 = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 };
      expect(ts.resolveModuleName("../../sdk", importer, node10, ts.sys).resolvedModule?.resolvedFileName).to.equal(join(SDK_DIR, "index.ts"));
      // This process runs under ts-node, as the coordinator and the scripts do.
      expect(require.resolve("../../src/sdk")).to.equal(join(SDK_DIR, "index.ts"));
    });

    it("is a workspace of the private root, and the coordinator's package depends on it and on every package its sources import", () => {
      const rootPkg = readJson<PackageJson>(join(ROOT, "package.json"));
      expect(rootPkg.private).to.equal(true);
      expect(rootPkg.name).not.to.equal(pkg.name);
      expect(rootPkg.workspaces).to.deep.equal(["src/sdk", "src/coordinator"]);
      const coordinator = readJson<PackageJson>(join(ROOT, "src", "coordinator", "package.json"));
      expect(coordinator.private).to.equal(true);
      expect(coordinator.dependencies?.[pkg.name]).to.equal(pkg.version);
      const declared = { ...coordinator.dependencies, ...coordinator.devDependencies };
      const imported = new Set<string>();
      for (const file of tsFiles(join(ROOT, "src", "coordinator"))) {
        for (const ref of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
          if (!ref.fileName.startsWith(".") && !isNodeBuiltin(ref.fileName)) imported.add(packageOf(ref.fileName));
        }
      }
      expect([...imported].filter((name) => !(name in declared)), "imported by src/coordinator but not in its package.json").to.deep.equal([]);
      for (const name of ["better-sqlite3", "fastify", "viem"]) expect(declared, name).to.have.property(name);
    });
  });

  describe("npm pack", () => {
    it("packs the built ESM, CJS and declarations (and only those, package.json and the README)", function () {
      this.timeout(120_000);
      // --ignore-scripts: the prepack would build again, which `before` has just done.
      const res = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: SDK_DIR, encoding: "utf8", timeout: 120_000 });
      expect(res.status, `npm pack failed:\n${res.stderr}`).to.equal(0);
      const [packed] = JSON.parse(res.stdout) as { name: string; version: string; files: { path: string }[] }[];
      expect(packed!.name).to.equal("hedgeswap");
      const paths = packed!.files.map((f) => f.path).sort();
      for (const p of ["dist/index.mjs", "dist/index.cjs", "dist/index.d.ts", "dist/plan.mjs", "dist/plan.d.ts", "dist/typechain-types/contracts/HedgeSwapEscrow.d.ts", "dist/typechain-types/contracts/interfaces/IHedgeSwapEscrow.d.ts", "package.json", "README.md"]) {
        expect(paths, p).to.include(p);
      }
      const built = readdirSync(DIST).filter((f) => f.endsWith(".mjs") || f.endsWith(".d.ts"));
      for (const f of built) expect(paths, f).to.include(`dist/${f}`);
      expect(paths.filter((p) => !p.startsWith("dist/") && p !== "package.json" && p !== "README.md")).to.deep.equal([]);
      expect(paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).to.deep.equal([]);
    });
  });

  describe("CommonJS and ESM builds", () => {
    it("resolves the package name to src/sdk/dist/index.cjs under require and exports the SDK", () => {
      expect(cjsPath).to.equal(join(DIST, "index.cjs"));
      for (const name of ["escrowAbi", "legId", "hashlockOf", "HedgeSwapError"] as const) {
        expect(cjs, name).to.have.property(name);
      }
      expect(cjs.escrowAbi).to.deep.equal(escrowAbi);
      expect(cjs.legId).to.be.a("function");
      expect(cjs.hashlockOf(SECRET)).to.equal(sha256(SECRET));
      expect(() => cjs.hashlockOf("0x12")).to.throw(cjs.HedgeSwapError);
    });

    it("has the same export names in CJS, ESM and the TypeScript source", async () => {
      const script = [
        `const name = ${JSON.stringify(pkg.name)};`,
        "const m = await import(name);",
        `const hashlock = m.hashlockOf(${JSON.stringify(SECRET)});`,
        "process.stdout.write(JSON.stringify({ url: import.meta.resolve(name), names: Object.keys(m), hashlock }));",
      ].join("\n");
      const res = runNode(["--input-type=module", "-e", script]);
      expect(res.status, `ESM load failed:\n${res.stderr}`).to.equal(0);
      const esm = JSON.parse(res.stdout) as { url: string; names: string[]; hashlock: string };
      expect(new URL(esm.url).pathname).to.equal(join(DIST, "index.mjs"));
      expect(esm.hashlock).to.equal(sha256(SECRET));
      expect(esm.names.sort()).to.deep.equal(exportNames(cjs));
      // Loaded here, not at the top, so a broken src/sdk/index.ts fails this test, not the whole run.
      const source = (await import("../../src/sdk")) as Sdk;
      expect(exportNames(cjs)).to.deep.equal(exportNames(source));
    });

    it("leaves ethers external in both builds and writes one ESM file per source module", () => {
      const cjsText = readFileSync(join(DIST, "index.cjs"), "utf8");
      expect(cjsText).to.include('require("ethers")');
      expect(cjsText).not.to.include("node_modules/");
      expect(cjsText).not.to.include("viem");
      const sources = readdirSync(SDK_DIR).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, ".mjs"));
      const modules = readdirSync(DIST).filter((f) => f.endsWith(".mjs"));
      expect(modules.sort()).to.deep.equal(sources.sort());
      let importsEthers = 0;
      for (const f of modules) {
        const text = readFileSync(join(DIST, f), "utf8");
        expect(text, f).not.to.include("node_modules/");
        expect(text, f).not.to.match(/from "viem/);
        if (/from "ethers";/.test(text)) importsEthers++;
        // Every relative import names a sibling .mjs the build wrote.
        for (const m of text.matchAll(/from "(\.[^"]*)"/g)) {
          expect(m[1], `${f} imports ${m[1]}`).to.match(/^\.\/\w+\.mjs$/);
          expect(modules, `${f} imports ${m[1]}`).to.include(m[1]!.slice(2));
        }
      }
      expect(importsEthers).to.be.greaterThan(5);
    });
  });

  describe("declarations", () => {
    it("emits index.d.ts with escrowAbi and the TypeChain declarations it references", () => {
      expect(existsSync(DTS)).to.equal(true);
      const text = readFileSync(DTS, "utf8");
      expect(text).to.include("escrowAbi");
      expect(text).to.include('from "./typechain-types/contracts/HedgeSwapEscrow"');
      expect(existsSync(join(DIST, "typechain-types", "contracts", "HedgeSwapEscrow.d.ts"))).to.equal(true);
      expect(existsSync(join(DIST, "typechain-types", "contracts", "interfaces", "IHedgeSwapEscrow.d.ts"))).to.equal(true);
      // Only the escrow's types ship, not the test contracts' or OpenZeppelin's.
      expect(existsSync(join(DIST, "typechain-types", "index.d.ts"))).to.equal(false);
      expect(existsSync(join(DIST, ".tsc"))).to.equal(false);
    });

    it("is what TypeScript resolves for the package name", () => {
      const importer = join(ROOT, "test", "sdk", "consumer.ts");
      const node16 = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 };
      const bundler = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
      const resolved = [
        ts.resolveModuleName(pkg.name, importer, node16, ts.sys, undefined, undefined, ts.ModuleKind.ESNext),
        ts.resolveModuleName(pkg.name, importer, node16, ts.sys, undefined, undefined, ts.ModuleKind.CommonJS),
        ts.resolveModuleName(pkg.name, importer, bundler, ts.sys),
      ].map((r) => r.resolvedModule?.resolvedFileName);
      expect(resolved).to.deep.equal([DTS, DTS, DTS]);
    });

    it("type-checks on its own for a browser consumer and references no Node types itself", function () {
      this.timeout(60_000);
      const program = ts.createProgram([DTS], {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
        const where = d.file ? `${relative(ROOT, d.file.fileName)}: ` : "";
        return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
      });
      expect(diagnostics, diagnostics.join("\n")).to.deep.equal([]);
      const files = program.getSourceFiles().map((f) => f.fileName);
      expect(files.some((f) => f.includes("/src/sdk/index.ts") || f.includes("/typechain-types/index.ts"))).to.equal(false);
      // ethers' own declarations reference Node types (its IPC provider); the SDK's must not.
      const ours = program.getSourceFiles().filter((f) => resolve(f.fileName).startsWith(DIST));
      expect(ours.length).to.be.greaterThan(1);
      const nodeRefs = ours.flatMap((f) => {
        const info = ts.preProcessFile(f.text, true, true);
        const refs = [
          ...info.typeReferenceDirectives.map((r) => r.fileName).filter((n) => n === "node"),
          ...info.importedFiles.map((r) => r.fileName).filter(isNodeBuiltin),
        ];
        return refs.map((r) => `${relative(ROOT, f.fileName)} -> ${r}`);
      });
      expect(nodeRefs, "SDK declarations referencing Node").to.deep.equal([]);
    });
  });

  describe("browser bundle", () => {
    for (const [what, entry] of [
      ["the built package (by name)", { contents: 'export * from "hedgeswap";' }],
      ["src/sdk", join(ROOT, "src", "sdk", "index.ts")],
    ] as const) {
      it(`bundles ${what} with ethers for the browser without any Node built-in or viem`, async function () {
        this.timeout(60_000);
        const { result, nodeImports } = await bundleForBrowser(entry);
        expect(result.errors).to.deep.equal([]);
        expect(nodeImports, `Node-only imports in the browser bundle:\n${describeImports(nodeImports)}`).to.deep.equal([]);
        const inputs = Object.keys(result.metafile.inputs);
        expect(inputs.some((p) => p.includes("node_modules/ethers/")), "ethers is bundled").to.equal(true);
        expect(inputs.filter((p) => p.includes("node_modules/viem/"))).to.deep.equal([]);
        expect(result.outputFiles).to.have.lengthOf(1);
      });
    }

    it("detects Node built-ins and their importer (negative control)", async function () {
      this.timeout(60_000);
      const dir = mkdtempSync(join(tmpdir(), "hedgeswap-browser-"));
      try {
        const entry = join(dir, "entry.ts");
        const sdk = join(ROOT, "src", "sdk", "index.ts").replace(/\\/g, "/");
        writeFileSync(
          entry,
          [
            'import { readFileSync } from "node:fs";',
            'import { join } from "path";',
            `import { hashlockOf } from ${JSON.stringify(sdk)};`,
            'export const read = (dir: string): string => hashlockOf(readFileSync(join(dir, "secret"), "utf8"));',
          ].join("\n"),
        );
        const { result, nodeImports } = await bundleForBrowser(entry);
        expect(result.errors).to.deep.equal([]);
        expect(nodeImports).to.deep.equal([
          { specifier: "node:fs", importer: entry },
          { specifier: "path", importer: entry },
        ]);
        expect(describeImports(nodeImports)).to.include("node:fs  imported by").and.include("entry.ts");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("tree-shakes: a planner-only page holds neither the escrow's ABI nor the calldata, error, deployment and action modules", async function () {
      this.timeout(60_000);
      const page = async (contents: string) => {
        const { result } = await bundleForBrowser({ contents }, true);
        const js = result.outputFiles[0]!.text;
        const sdkModules = Object.keys(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.inputs)
          .filter((p) => p.startsWith("src/sdk/dist/"))
          .map((p) => p.slice("src/sdk/dist/".length))
          .sort();
        return { js, gzip: gzipSync(js, { level: 9 }).length, sdkModules };
      };
      const whole = await page('import * as sdk from "hedgeswap"; globalThis.sdk = sdk;');
      const planner = await page('import { planHedgedSwap } from "hedgeswap"; globalThis.plan = planHedgedSwap;');
      // `internalType` is a key of the ABI's entries only (ethers' code does not contain it).
      expect(whole.js).to.include("internalType");
      expect(whole.sdkModules).to.include.members(["abi.mjs", "calldata.mjs", "escrowErrors.mjs", "actions.mjs"]);
      expect(planner.js.includes("internalType"), "the ABI is in the planner-only page").to.equal(false);
      expect(planner.js).not.to.include("depositPremiumWithPermit");
      expect(planner.sdkModules).to.include("plan.mjs");
      for (const m of ["abi.mjs", "calldata.mjs", "escrowErrors.mjs", "deployments.mjs", "actions.mjs", "read.mjs", "recovery.mjs"]) {
        expect(planner.sdkModules, m).not.to.include(m);
      }
      expect(planner.gzip).to.be.below(28_000);
      expect(planner.gzip).to.be.below(whole.gzip / 2);
      // The ABI alone is over 20 KB minified; the built abi.mjs is in src/sdk/dist.
      expect(statSync(join(DIST, "abi.mjs")).size).to.be.above(20_000);
    });
  });
});
