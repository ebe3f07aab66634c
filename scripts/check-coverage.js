#!/usr/bin/env node
// Fails unless every production contract has 100% line and branch coverage (after `hardhat coverage`).
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const summary = JSON.parse(readFileSync(join(__dirname, "..", "coverage", "coverage-summary.json"), "utf8"));
let failed = false;
for (const [file, m] of Object.entries(summary)) {
  if (file === "total") continue;
  for (const key of ["lines", "branches", "functions", "statements"]) {
    if (m[key].pct !== 100 && m[key].total > 0) {
      console.error(`${file}: ${key} ${m[key].covered}/${m[key].total} (${m[key].pct}%)`);
      failed = true;
    }
  }
}
const t = summary.total;
console.log(
  `coverage of production contracts: lines ${t.lines.pct}%, branches ${t.branches.pct}%, functions ${t.functions.pct}%, statements ${t.statements.pct}%`,
);
if (failed) {
  console.error("coverage below 100%");
  process.exit(1);
}
