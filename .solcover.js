// solidity-coverage: production contracts only; the test-only contracts under contracts/test are mocks.
module.exports = {
  skipFiles: ["test/"],
  configureYulOptimizer: true,
  istanbulReporter: ["html", "lcov", "text", "json-summary"],
  mocha: { timeout: 300000 },
};
