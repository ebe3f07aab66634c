#!/usr/bin/env node
// Builds the SDK package into dist/sdk: an ESM and a CommonJS bundle (ethers and viem left external) plus
// TypeScript declarations (tsc with tsconfig.sdk.json). Usage: `npm run build`.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "dist", "sdk");
const entry = join(root, "src", "sdk", "index.ts");

/** Options shared by the ESM and CommonJS bundles. */
const common = {
  entryPoints: [entry],
  bundle: true,
  external: ["ethers", "ethers/*", "viem", "viem/*"],
  platform: "neutral",
  mainFields: ["module", "main"],
  target: "es2022",
  sourcemap: true,
  minify: false,
  logLevel: "warning",
};

let cleaned = false;

/** Prints `message`, removes a partial dist/sdk and exits with status 1. */
function fail(message) {
  console.error(`build-sdk: ${message}`);
  if (cleaned) rmSync(outDir, { recursive: true, force: true });
  process.exit(1);
}

/** Formats a byte count for the summary. */
function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

if (!existsSync(join(root, "typechain-types", "index.ts"))) {
  fail("typechain-types/ is missing; run `npx hardhat compile` first");
}

rmSync(outDir, { recursive: true, force: true });
cleaned = true;

const bundles = [
  { format: "esm", outfile: join(outDir, "index.mjs") },
  { format: "cjs", outfile: join(outDir, "index.cjs") },
];
for (const b of bundles) {
  try {
    await build({ ...common, format: b.format, outfile: b.outfile });
  } catch (err) {
    // esbuild has already printed the diagnostics.
    fail(`esbuild (${b.format}) failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
}

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const res = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.sdk.json")], { cwd: root, stdio: "inherit" });
if (res.error) fail(`could not run tsc: ${res.error.message}`);
if (res.status !== 0) fail(`tsc failed with exit code ${res.status ?? res.signal}`);

const dts = join(outDir, "types", "src", "sdk", "index.d.ts");
if (!existsSync(dts)) fail(`tsc did not emit ${relative(root, dts)}`);

for (const b of bundles) {
  console.log(`wrote ${relative(root, b.outfile)} (${b.format}, ${kib(statSync(b.outfile).size)}) + .map`);
}
console.log(`wrote ${relative(root, dts)} and the declarations it references under ${relative(root, join(outDir, "types"))}/`);
