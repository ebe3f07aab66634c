import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

/**
 * The exact compiler the contracts are built and measured with. It comes from the npm `solc`
 * package (pinned to the same version in package.json), so compiling never downloads anything.
 */
const SOLC_VERSION = "0.8.33";

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

/** Chain id of the in-process network and of `hardhat node`; several local chains differ by this. */
const chainId = Number(process.env.HEDGESWAP_CHAIN_ID ?? 31337);

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
    hardhat: { chainId, ...(process.env.HEDGESWAP_BLOCK_GAS_LIMIT ? { blockGasLimit: Number(process.env.HEDGESWAP_BLOCK_GAS_LIMIT) } : {}) },
    localhost: { url: process.env.HEDGESWAP_RPC_URL ?? "http://127.0.0.1:8545", chainId },
  },
  mocha: {
    timeout: 120_000,
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
