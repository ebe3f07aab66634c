/**
 * Local multi-chain devnet for the demo and multi-chain tests: `hardhat node` processes on 127.0.0.1
 * with distinct chain ids, the escrow deployed on each. Node-only (spawns processes, reads artifacts).
 */
export { DEV_MNEMONIC, DEV_PATH_PREFIX, FUNDED_DEV_ACCOUNTS, devAccounts } from "./accounts";
export { DevnetError } from "./errors";
export { startHardhatNode, type DevNode, type FundedAccount, type StartNodeOptions } from "./node";
export { ESCROW_ARTIFACT, TOKEN_ARTIFACT, loadArtifact, repoRoot, type Artifact } from "./paths";
export { freePort, freePorts, isPortFree } from "./ports";
export { rawRpc } from "./rpc";
export {
  deployEscrow,
  deployToken,
  mintAndApprove,
  startDevnet,
  type Devnet,
  type DevnetChain,
  type DevnetOptions,
  type EscrowDeployment,
} from "./setup";
export {
  RPC_PROXY_ERROR_CODE,
  RPC_PROXY_MODES,
  startRpcProxy,
  type RpcCall,
  type RpcHook,
  type RpcProxy,
  type RpcProxyMode,
  type RpcProxyModeOptions,
  type RpcProxyStats,
} from "./rpcProxy";
export {
  clocksTo,
  dropPending,
  holdBaseFee,
  jumpClock,
  reorg,
  reorgPoint,
  setGasCoin,
  useAutomine,
  useIntervalMining,
  waitDepth,
  withAutomine,
  type HeldBaseFee,
  type ReorgPoint,
} from "./chainFaults";
