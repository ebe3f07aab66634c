// Builds the coordinator's dashboard (src/coordinator/dashboard/page) into dist/dashboard: app.js (the
// page's TypeScript bundled and minified by esbuild into one file, no framework), app.css and
// index.html. The coordinator's API serves that folder at / (src/coordinator/dashboard/serve.ts).
// Run by `npm run build:dashboard`, and before `npm test`, `npm run coordinator` and `npm run demo`.
// Written to a temporary folder first, then moved in place, so a running coordinator never serves half a build.
// --if-possible (the `prepare` hook of `npm install`): skip, exit 0, when esbuild is not installed (--omit=dev).
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src", "coordinator", "dashboard", "page");
const out = join(root, "dist", "dashboard");
const tmp = `${out}.tmp-${process.pid}`;

let build;
try {
  ({ build } = await import("esbuild"));
} catch (e) {
  if (!process.argv.includes("--if-possible")) throw e;
  console.log("esbuild is not installed (a production install?): the dashboard is not built; the API serves a page that says so");
  process.exit(0);
}

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
try {
  const common = { bundle: true, minify: true, legalComments: "none", logLevel: "warning", target: ["chrome109", "firefox115", "safari16"] };
  await build({ ...common, entryPoints: [join(src, "main.ts")], outfile: join(tmp, "app.js"), format: "iife", platform: "browser" });
  await build({ ...common, entryPoints: [join(src, "style.css")], outfile: join(tmp, "app.css") });
  copyFileSync(join(src, "index.html"), join(tmp, "index.html"));
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
const size = (f) => {
  const bytes = readFileSync(join(out, f));
  return `${f} ${(bytes.length / 1024).toFixed(1)} KiB (${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzip)`;
};
if (!process.argv.includes("--quiet")) console.log(`wrote dist/dashboard: ${["app.js", "app.css", "index.html"].map(size).join(", ")}`);
