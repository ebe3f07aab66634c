#!/usr/bin/env node
// `hedgeswap-coordinator` (package.json "bin"): the coordinator's command line, run from the esbuild
// bundle dist/coordinator/cli.cjs, so no TypeScript toolchain is needed at run time. `npm install`
// builds the bundle (the `prepare` script); `npm run build:coordinator` builds it again after a change.
"use strict";

const { existsSync } = require("node:fs");
const { join, relative } = require("node:path");

const root = join(__dirname, "..");
const bundle = join(root, "dist", "coordinator", "cli.cjs");
if (!existsSync(bundle)) {
  const where = relative(process.cwd(), root) || ".";
  console.error(`hedgeswap-coordinator: the coordinator is not built (${relative(process.cwd(), bundle)} is missing): run \`npm run build:coordinator\` in ${where}`);
  process.exit(1);
}
require(bundle).main(process.argv);
