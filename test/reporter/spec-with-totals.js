// Mocha's spec reporter, closed by one plain totals line ("N passed, N failed, N skipped", nothing
// before it) that CI reads to tell a run that executed tests from one that executed none. The same
// line is written to `.test-totals` (git-ignored) so that `.ci/run` can repeat it as its very last line.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Mocha = require("mocha");

const { EVENT_RUN_END } = Mocha.Runner.constants;
const TOTALS_FILE = path.join(__dirname, "..", "..", ".test-totals");

class SpecWithTotals extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = this.stats;
      const line = `${passes} passed, ${failures} failed, ${pending} skipped`;
      process.stdout.write(`${line}\n`);
      try {
        fs.writeFileSync(TOTALS_FILE, `${line}\n`);
      } catch {
        // A read-only checkout still gets the line on standard output.
      }
    });
  }
}

module.exports = SpecWithTotals;
