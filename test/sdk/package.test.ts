/**
 * Packaging of the SDK (`npm run build`, scripts/build-sdk.mjs): ESM and CommonJS bundles with
 * `ethers` and `viem` left external, TypeScript declarations including the TypeChain types, a package.json
 * whose entry points and `exports` map lead to them, and no Node built-in anywhere in what a
 * browser bundle of the SDK pulls in (ethers included).
 *
 * Covered:
 * - the build script exits 0 and every path package.json names (main, module, types, exports) exists;
 * - the CommonJS build, loaded by the package's own name (`require` condition), has the same export
 *   names as the ESM build (loaded by name in a child `node` process, `import` condition) and as
 *   the TypeScript source, and both builds compute the same hashlock as ethers does directly;
 * - both builds import `ethers` and `viem` instead of inlining them;
 * - the declarations exist, mention `escrowAbi` and the TypeChain types, are what TypeScript resolves
 *   for the package name (node16 import/require and bundler resolution), and type-check on their
 *   own for a browser consumer (lib es2022 + dom, no Node types);
 * - an esbuild browser bundle of src/sdk/index.ts (ethers bundled too) builds without errors and
 *   imports no Node built-in; a negative control shows the detector reports `node:fs` and `path`
 *   imported by a temporary entry file.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { build, type Plugin } from "esbuild";
import ts from "typescript";
import { sha256 } from "ethers";

import { escrowAbi } from "../../src/sdk/abi";

type Sdk = typeof import("../../src/sdk");

const ROOT = resolve(__dirname, "..", "..");
const DIST = join(ROOT, "dist", "sdk");
const DTS = join(DIST, "types", "src", "sdk", "index.d.ts");
const SECRET = `0x${"11".repeat(32)}`;

interface PackageJson {
  name: string;
  main: string;
  module: string;
  types: string;
  sideEffects: boolean;
  dependencies?: Record<string, string>;
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

/** Bundles `entry` and everything it imports, ethers included, as a browser would get it. */
async function bundleForBrowser(entry: string) {
  const nodeImports: NodeImport[] = [];
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
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

describe("SDK package (npm run build)", () => {
  let pkg: PackageJson;
  let cjs: Sdk;
  let cjsPath: string;

  before(function () {
    this.timeout(180_000);
    const res = runNode(["scripts/build-sdk.mjs"]);
    expect(res.error, String(res.error)).to.equal(undefined);
    expect(res.status, `build-sdk.mjs failed:\n${res.stdout}\n${res.stderr}`).to.equal(0);
    pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;
    const req = createRequire(__filename);
    cjsPath = req.resolve(pkg.name);
    cjs = req(pkg.name) as Sdk;
  });

  describe("package.json", () => {
    it("points main, module, types and every exports condition at files the build wrote", () => {
      const root = pkg.exports["."];
      expect(root).to.be.an("object");
      const conditions = root as Record<string, string>;
      expect(Object.keys(conditions)).to.have.members(["types", "import", "require"]);
      expect(conditions.types).to.equal(pkg.types);
      expect(conditions.import).to.equal(pkg.module);
      expect(conditions.require).to.equal(pkg.main);
      for (const p of [pkg.main, pkg.module, pkg.types]) {
        expect(resolve(ROOT, p).startsWith(DIST), p).to.equal(true);
        expect(existsSync(resolve(ROOT, p)), `${p} missing`).to.equal(true);
      }
      expect(pkg.sideEffects).to.equal(false);
      expect(pkg.dependencies?.ethers).to.equal("6.17.0");
      expect(pkg.dependencies?.viem).to.equal("2.57.20");
    });
  });

  describe("CommonJS and ESM builds", () => {
    it("resolves the package name to dist/sdk/index.cjs under require and exports the SDK", () => {
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

    it("leaves ethers and viem external in both builds", () => {
      const esm = readFileSync(join(DIST, "index.mjs"), "utf8");
      const cjsText = readFileSync(join(DIST, "index.cjs"), "utf8");
      expect(esm).to.match(/from "ethers";/);
      expect(cjsText).to.include('require("ethers")');
      expect(esm).to.match(/from "viem";/);
      expect(cjsText).to.include('require("viem")');
      expect(esm).not.to.include("node_modules/");
      expect(cjsText).not.to.include("node_modules/");
    });
  });

  describe("declarations", () => {
    it("emits index.d.ts with escrowAbi and the TypeChain declarations it references", () => {
      expect(existsSync(DTS)).to.equal(true);
      const text = readFileSync(DTS, "utf8");
      expect(text).to.include("escrowAbi");
      expect(text).to.match(/HedgeSwapEscrow/);
      expect(existsSync(join(DIST, "types", "typechain-types", "contracts", "HedgeSwapEscrow.d.ts"))).to.equal(true);
      expect(existsSync(join(DIST, "types", "typechain-types", "contracts", "interfaces", "IHedgeSwapEscrow.d.ts"))).to.equal(true);
      // Only the escrow's types ship, not the test contracts' or OpenZeppelin's.
      expect(existsSync(join(DIST, "types", "typechain-types", "index.d.ts"))).to.equal(false);
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
    it("bundles src/sdk with ethers for the browser without any Node built-in", async function () {
      this.timeout(60_000);
      const { result, nodeImports } = await bundleForBrowser(join(ROOT, "src", "sdk", "index.ts"));
      expect(result.errors).to.deep.equal([]);
      expect(nodeImports, `Node-only imports in the browser bundle:\n${describeImports(nodeImports)}`).to.deep.equal([]);
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.some((p) => p.includes("node_modules/ethers/")), "ethers is bundled").to.equal(true);
      expect(result.outputFiles).to.have.lengthOf(1);
    });

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
  });
});
