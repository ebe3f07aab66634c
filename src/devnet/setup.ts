/**
 * A local multi-chain devnet: several `hardhat node`s started in parallel, the escrow deployed on each
 * by development account 0, and helpers for test tokens and for moving every chain's clock together.
 */
import { join } from "node:path";

import { BaseWallet, Contract, ContractFactory, type InterfaceAbi } from "ethers";

import type { DeploymentRecord } from "../sdk/deployments";
import type { TestToken } from "../../typechain-types/contracts/test/TestToken";
import { InvalidArgumentError } from "../sdk/errors";
import { devAccounts } from "./accounts";
import { DevnetError } from "./errors";
import { startHardhatNode, type DevNode } from "./node";
import { ESCROW_ARTIFACT, TOKEN_ARTIFACT, loadArtifact, type Artifact } from "./paths";

/** Where the escrow was deployed on one chain. */
export interface EscrowDeployment {
  readonly address: string;
  readonly deploymentBlock: number;
  readonly transactionHash: string;
}

async function deploy(node: DevNode, deployer: BaseWallet, artifact: Artifact, args: unknown[]): Promise<EscrowDeployment> {
  const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, deployer.connect(node.provider));
  const contract = await factory.deploy(...args);
  const receipt = await contract.deploymentTransaction()?.wait();
  if (!receipt || receipt.status !== 1) {
    throw new DevnetError("DEVNET_DEPLOY", `deploying ${artifact.contractName} failed`, { chainId: node.chainId });
  }
  return { address: await contract.getAddress(), deploymentBlock: receipt.blockNumber, transactionHash: receipt.hash };
}

/** Deploys `HedgeSwapEscrow` from its compiled artifact on `node`, sent by `deployer`. */
export function deployEscrow(node: DevNode, deployer: BaseWallet): Promise<EscrowDeployment> {
  return deploy(node, deployer, loadArtifact(ESCROW_ARTIFACT), []);
}

/** Deploys a `TestToken` (ERC-20 + ERC-2612 permit, open `mint`) on `node`; returns its address. */
export async function deployToken(node: DevNode, deployer: BaseWallet, name: string, symbol: string): Promise<string> {
  return (await deploy(node, deployer, loadArtifact(TOKEN_ARTIFACT), [name, symbol])).address;
}

/** Mints `amount` of the test token at `token` to `holder` and has `holder` approve `spender` for it. */
export async function mintAndApprove(node: DevNode, token: string, holder: BaseWallet, amount: bigint, spender: string): Promise<void> {
  const signer = holder.connect(node.provider);
  const contract = new Contract(token, loadArtifact(TOKEN_ARTIFACT).abi as InterfaceAbi, signer) as unknown as TestToken;
  await (await contract.mint(signer.address, amount)).wait();
  await (await contract.approve(spender, amount)).wait();
}

/** One chain of a devnet. */
export interface DevnetChain {
  readonly name: string;
  readonly node: DevNode;
  /** The escrow's address. */
  readonly escrow: string;
  readonly deploymentBlock: number;
  readonly transactionHash: string;
  readonly version: string;
  /** ISO time of the deployment. */
  readonly deployedAt: string;
}

/** Several local chains, each with the escrow deployed. */
export interface Devnet {
  readonly chains: readonly DevnetChain[];
  /** Stops every node; resolves once all have exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Moves every chain's clock to max(latest timestamps) + `seconds` (at least 1) and mines a block on each. */
  increaseTime(seconds: number | bigint): Promise<void>;
  /** The chain with this name or chain id; throws `InvalidArgumentError` when there is none. */
  chain(nameOrChainId: string | bigint): DevnetChain;
  /** The chain's escrow as the SDK's `DeploymentRecord` (what `npm run deploy` writes). */
  record(nameOrChainId: string | bigint): DeploymentRecord;
}

/** What chains to start. */
export interface DevnetOptions {
  /** Distinct names and distinct local chain ids (31337 or 31330–31399). */
  readonly chains: readonly { readonly name: string; readonly chainId: bigint }[];
  /** Interval mining on every chain, as in `startHardhatNode`. */
  readonly blockIntervalMs?: number;
  /** Where the nodes' logs go (`node-<chainId>.log` each); `startHardhatNode`'s shared default when omitted. */
  readonly logDir?: string;
}

/** Same range as `isLocalChain` in scripts/lib/deployEscrow.ts: chains whose records are never committed. */
function isLocalChainId(chainId: bigint): boolean {
  return chainId === 31337n || (chainId >= 31330n && chainId <= 31399n);
}

function checkChains(chains: DevnetOptions["chains"]): void {
  if (chains.length === 0) throw new InvalidArgumentError("chains", "must not be empty", chains);
  const names = new Set(chains.map((c) => c.name));
  const ids = new Set(chains.map((c) => c.chainId));
  if (names.size !== chains.length) throw new InvalidArgumentError("chains", "names must be distinct", [...names]);
  if (ids.size !== chains.length) throw new InvalidArgumentError("chains", "chain ids must be distinct", [...ids]);
  for (const c of chains) {
    if (!isLocalChainId(c.chainId)) throw new InvalidArgumentError("chainId", "must be 31337 or in 31330–31399", c.chainId);
  }
}

async function escrowVersion(chain: DevNode, address: string): Promise<string> {
  const escrow = new Contract(address, ["function VERSION() view returns (string)"], chain.provider);
  return String(await escrow.getFunction("VERSION")());
}

/**
 * Starts one node per chain in parallel and deploys the escrow on each with development account 0.
 * If any node fails to start or deploy, the others are stopped and the error is rethrown.
 */
export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  checkChains(options.chains);
  const deployer = devAccounts(1)[0] as BaseWallet;
  const started = await Promise.allSettled(
    options.chains.map((c) =>
      startHardhatNode({ chainId: c.chainId, blockIntervalMs: options.blockIntervalMs, ...(options.logDir !== undefined ? { logFile: join(options.logDir, `node-${c.chainId}.log`) } : {}) }),
    ),
  );
  const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  const stopAll = async () => void (await Promise.all(nodes.map((n) => n.stop())));
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  let chains: DevnetChain[];
  try {
    chains = await Promise.all(
      options.chains.map(async (c, i) => {
        const node = nodes[i] as DevNode;
        const deployment = await deployEscrow(node, deployer);
        const version = await escrowVersion(node, deployment.address);
        const { address: escrow, deploymentBlock, transactionHash } = deployment;
        return { name: c.name, node, escrow, deploymentBlock, transactionHash, version, deployedAt: new Date().toISOString() };
      }),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  return makeDevnet(chains, stopAll);
}

function makeDevnet(chains: DevnetChain[], stop: () => Promise<void>): Devnet {
  const chain = (key: string | bigint): DevnetChain => {
    const found = chains.find((c) => (typeof key === "bigint" ? c.node.chainId === key : c.name === key));
    if (!found) throw new InvalidArgumentError("chain", "no such chain in the devnet", key);
    return found;
  };
  return {
    chains,
    stop,
    chain,
    async increaseTime(seconds) {
      if (typeof seconds === "number" && !Number.isSafeInteger(seconds)) throw new InvalidArgumentError("seconds", "must be an integer", seconds);
      if (BigInt(seconds) < 1n) throw new InvalidArgumentError("seconds", "must be at least 1", seconds);
      const latest = await Promise.all(chains.map((c) => c.node.latestTimestamp()));
      const target = latest.reduce((a, b) => (a > b ? a : b)) + BigInt(seconds);
      await Promise.all(
        chains.map(async (c) => {
          await c.node.setNextTimestamp(target);
          await c.node.mine();
        }),
      );
    },
    record(key) {
      const c = chain(key);
      return {
        chainId: Number(c.node.chainId),
        contract: "HedgeSwapEscrow",
        address: c.escrow,
        deploymentBlock: c.deploymentBlock,
        transactionHash: c.transactionHash,
        version: c.version,
        deployedAt: c.deployedAt,
      };
    },
  };
}
