import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

/**
 * The exact compiler the contracts are built and measured with. It comes from the npm `solc`
 * package (pinned to the same version in package.json), so compiling never downloads anything.
 */
const SOLC_VERSION = "0.8.33";

// Hardhat 2.29 decodes Solidity stack traces only for solc <= 0.8.30, and says so on every
// `hardhat compile` ("Solidity 0.8.33 is not fully supported yet ..."). We keep 0.8.33 on purpose:
// the bytecode and the committed gas figures (benchmarks/gas.json) are measured with it. What the
// warning is about, Hardhat Network's own stack traces, is not something the project relies on: the
// tests read reverts from the returned error data (custom errors with their arguments, chai matchers),
// which works with any compiler. Hardhat has no setting for this warning, so this one message (and
// only for this exact version) is dropped while Hardhat loads this file, which is when it prints it
// (config-loading.js, checkUnsupportedSolidityConfig); console.warn is restored right after.
const UNSUPPORTED_SOLC_WARNING = `Solidity ${SOLC_VERSION} is not fully supported yet`;
{
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].includes(UNSUPPORTED_SOLC_WARNING)) return;
    warn(...args);
  };
  // Hardhat checks the versions synchronously, in the same call that loads this file.
  queueMicrotask(() => void (console.warn = warn));
}

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion === SOLC_VERSION) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc") as { version(): string };
    const longVersion = solc.version();
    if (!longVersion.startsWith(SOLC_VERSION)) {
      throw new Error(`npm solc is ${longVersion}, expected ${SOLC_VERSION}: run npm ci`);
    }
    return { compilerPath: require.resolve("solc/soljson.js"), isSolcJs: true, version: SOLC_VERSION, longVersion };
  }
  return runSuper();
});

// Under `hardhat coverage` the instrumented escrow is larger than the 24 KiB code limit. The plugin
// lifts the limit for its in-process network; SOLIDITY_COVERAGE makes it apply the same settings to
// every Hardhat process started from here, so the devnet's `hardhat node` chains can deploy it too.
if (process.argv.includes("coverage")) process.env.SOLIDITY_COVERAGE = "true";

/**
 * Chain id of the in-process network and of `hardhat node` (HEDGESWAP_CHAIN_ID, default 31337); several
 * local chains differ by this: `HEDGESWAP_CHAIN_ID=31361 npx hardhat node --port 8545`. The `localhost`
 * network expects the same id at HEDGESWAP_RPC_URL (default http://127.0.0.1:8545).
 */
const chainId = Number(process.env.HEDGESWAP_CHAIN_ID ?? 31337);

/**
 * The `remote` network: any EVM JSON-RPC endpoint (HEDGESWAP_RPC_URL), sending from the key in the
 * environment variable HEDGESWAP_DEPLOYER_KEY (never written in a file). Its chain id is checked
 * against HEDGESWAP_CHAIN_ID when that is set. A malformed key stops only a command that uses `remote`.
 */
function remoteAccounts(): string[] {
  const key = process.env.HEDGESWAP_DEPLOYER_KEY;
  if (key === undefined || key === "") return [];
  if (/^0x[0-9a-fA-F]{64}$/.test(key)) return [key];
  const usesRemote = process.env.HARDHAT_NETWORK === "remote" || process.argv.some((a, i) => a === "--network" && process.argv[i + 1] === "remote");
  if (usesRemote) throw new Error("HEDGESWAP_DEPLOYER_KEY must be a private key: 0x and 64 hex digits");
  return [];
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  networks: {
    // HEDGESWAP_BLOCK_GAS_LIMIT lets the coordinator benchmark give a local chain room for many swaps per block.
    // HEDGESWAP_BLOCK_INTERVAL_MS also mines a block every so many ms (transactions are still mined at once),
    // so that an idle `hardhat node`'s clock moves on and deadlines pass, as on a real chain.
    hardhat: {
      chainId,
      ...(process.env.HEDGESWAP_BLOCK_GAS_LIMIT ? { blockGasLimit: Number(process.env.HEDGESWAP_BLOCK_GAS_LIMIT) } : {}),
      ...(process.env.HEDGESWAP_BLOCK_INTERVAL_MS ? { mining: { auto: true, interval: Number(process.env.HEDGESWAP_BLOCK_INTERVAL_MS) } } : {}),
    },
    localhost: { url: process.env.HEDGESWAP_RPC_URL ?? "http://127.0.0.1:8545", chainId },
    remote: { url: process.env.HEDGESWAP_RPC_URL ?? "http://127.0.0.1:8545", accounts: remoteAccounts(), ...(process.env.HEDGESWAP_CHAIN_ID ? { chainId } : {}) },
  },
  mocha: {
    timeout: 120_000,
    // Spec, closed by a plain "N passed, N failed, N skipped" line that CI reads (also in .test-totals).
    reporter: path.join(__dirname, "test", "reporter", "spec-with-totals.js"),
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
  },
  gasReporter: {
    enabled: false,
  },
};

export default config;
