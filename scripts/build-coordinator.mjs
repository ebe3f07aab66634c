// Bundles the coordinator's CLI (src/coordinator/cli.ts) into dist/coordinator/cli.cjs with esbuild:
// our TypeScript compiled once, every npm dependency left external (better-sqlite3 is native). The
// `hedgeswap-coordinator` command (bin/hedgeswap-coordinator.js), the demo and the benchmark run this
// bundle, which needs no TypeScript toolchain and starts faster and uses less memory than ts-node.
// Run by `npm run build:coordinator` and by `npm install` (the `prepare` script).
// Written next to the old bundle and renamed over it, so a coordinator starting meanwhile never reads half a file.
// --quiet: no line on success. --if-possible (the `prepare` hook): skip, exit 0, when esbuild is not
// installed (a production install, --omit=dev); the bin then says how to build.
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist", "coordinator", "cli.cjs");
const quiet = process.argv.includes("--quiet");

let build;
try {
  ({ build } = await import("esbuild"));
} catch (e) {
  if (!process.argv.includes("--if-possible")) throw e;
  console.log("esbuild is not installed (a production install?): the coordinator CLI is not built; run `npm run build:coordinator` after installing the dev dependencies");
  process.exit(0);
}

const tmp = join(dirname(outfile), `.tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
try {
  const result = await build({
    entryPoints: [join(root, "src", "coordinator", "cli.ts")],
    outfile: join(tmp, "cli.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    metafile: true,
  });
  // The source map first: the bundle names it, and a bundle is never left without its map.
  renameSync(join(tmp, "cli.cjs.map"), `${outfile}.map`);
  renameSync(join(tmp, "cli.cjs"), outfile);
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  if (!quiet) console.log(`wrote dist/coordinator/cli.cjs (${(bytes / 1024).toFixed(1)} KiB)`);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
