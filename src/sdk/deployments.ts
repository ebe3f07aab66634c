/**
 * Where the escrow lives on each chain: deployment records (the JSON files under `deployments/`, which
 * the caller loads and passes in, since the SDK reads no files) or an explicit address, checked on
 * chain for code and a supported `VERSION` before use.
 */
import { Contract, type ContractRunner, type Provider } from "ethers";

import { escrowAbi } from "./abi";
import { checkAddress } from "./bytes";
import {
  InvalidArgumentError,
  RunnerError,
  UnknownChainError,
  UnknownDeploymentError,
  UnsupportedVersionError,
  WrongChainError,
} from "./errors";
import type { EscrowLocation } from "./leg";
import type { HedgeSwapEscrow } from "../../typechain-types/contracts/HedgeSwapEscrow";

/** Escrow versions this SDK speaks. */
export const SUPPORTED_ESCROW_VERSIONS: readonly string[] = ["1.0.0"];

/** One chain's deployment record, as `npm run deploy` writes it (`deployments/<chainId>.json`). */
export interface DeploymentRecord {
  readonly chainId: number;
  readonly contract: "HedgeSwapEscrow";
  readonly address: string;
  /** The block of the deployment: where event scans (recovery, watchers) start. */
  readonly deploymentBlock: number;
  readonly transactionHash: string;
  readonly version: string;
  readonly deployedAt: string;
}

/** Checks the shape of a parsed record file and returns it with the address checksummed. */
export function parseDeploymentRecord(value: unknown): DeploymentRecord {
  const r = value as Partial<DeploymentRecord> | null;
  if (r === null || typeof r !== "object") throw new InvalidArgumentError("deployment record", "must be an object", value);
  if (!Number.isSafeInteger(r.chainId) || (r.chainId as number) <= 0) {
    throw new InvalidArgumentError("deployment record chainId", "must be a positive integer", r.chainId);
  }
  if (r.contract !== "HedgeSwapEscrow") throw new InvalidArgumentError("deployment record contract", "must be HedgeSwapEscrow", r.contract);
  if (!Number.isSafeInteger(r.deploymentBlock) || (r.deploymentBlock as number) < 0) {
    throw new InvalidArgumentError("deployment record deploymentBlock", "must be a block number", r.deploymentBlock);
  }
  if (typeof r.version !== "string") throw new InvalidArgumentError("deployment record version", "must be a string", r.version);
  return {
    chainId: r.chainId as number,
    contract: "HedgeSwapEscrow",
    address: checkAddress("deployment record address", r.address),
    deploymentBlock: r.deploymentBlock as number,
    transactionHash: String(r.transactionHash ?? ""),
    version: r.version,
    deployedAt: String(r.deployedAt ?? ""),
  };
}

/** The known deployments, one per chain id. Immutable once built; `with` returns a new registry. */
export class DeploymentRegistry {
  readonly #byChain: ReadonlyMap<bigint, DeploymentRecord>;

  /** Builds a registry from records (parsed objects, e.g. the contents of `deployments/*.json`). */
  constructor(records: Iterable<unknown> = []) {
    const map = new Map<bigint, DeploymentRecord>();
    for (const raw of records) {
      const record = parseDeploymentRecord(raw);
      map.set(BigInt(record.chainId), record);
    }
    this.#byChain = map;
  }

  /** A registry with `record` added (replacing any record of the same chain). */
  with(record: unknown): DeploymentRegistry {
    return new DeploymentRegistry([...this.#byChain.values(), record]);
  }

  /** The chain ids that have a record. */
  chainIds(): bigint[] {
    return [...this.#byChain.keys()];
  }

  /** The record of `chainId`, or undefined. */
  get(chainId: bigint | number): DeploymentRecord | undefined {
    return this.#byChain.get(BigInt(chainId));
  }

  /** The record of `chainId`; throws `UnknownChainError` when there is none. */
  require(chainId: bigint | number): DeploymentRecord {
    const record = this.get(chainId);
    if (!record) throw new UnknownChainError(BigInt(chainId));
    return record;
  }

  /**
   * The location of the escrow for `chainId`. With an explicit `escrow` address, checks that it is
   * the recorded one (throws `UnknownDeploymentError` otherwise); without, returns the recorded one.
   */
  locate(chainId: bigint | number, escrow?: string): EscrowLocation {
    const record = this.require(chainId);
    if (escrow !== undefined && checkAddress("escrow", escrow) !== record.address) {
      throw new UnknownDeploymentError(BigInt(chainId), escrow, "this escrow address is not the recorded deployment for the chain");
    }
    return { chainId: BigInt(chainId), escrow: record.address };
  }
}

/** A verified escrow: its location, a typed contract bound to the runner, and its version. */
export interface EscrowHandle {
  readonly at: EscrowLocation;
  readonly contract: HedgeSwapEscrow;
  readonly version: string;
  /** From the record when known, else 0: where event scans start. */
  readonly deploymentBlock: number;
}

/** How to find the escrow: an explicit address, or a registry to look the runner's chain up in. */
export interface ConnectOptions {
  readonly address?: string;
  readonly registry?: DeploymentRegistry;
  /** When set, the runner must be on this chain (else `WrongChainError`). */
  readonly chainId?: bigint;
}

/** A typed contract object for the escrow at `address`, without any check (see `connectEscrow`). */
export function escrowContract(address: string, runner?: ContractRunner | null): HedgeSwapEscrow {
  return new Contract(checkAddress("escrow", address), escrowAbi, runner ?? null) as unknown as HedgeSwapEscrow;
}

/** The provider behind a runner: the runner itself or its `provider`. */
export function providerOf(runner: ContractRunner, action: string): Provider {
  const candidate = (runner as { provider?: Provider | null }).provider ?? (runner as Provider);
  if (typeof (candidate as Provider).getNetwork !== "function") throw new RunnerError("provider", action);
  return candidate as Provider;
}

/**
 * Finds the escrow for the runner's chain and checks it: code at the address, and a `VERSION` this SDK
 * supports. Throws `UnknownChainError`, `UnknownDeploymentError`, `UnsupportedVersionError` or
 * `WrongChainError`.
 */
export async function connectEscrow(runner: ContractRunner, options: ConnectOptions): Promise<EscrowHandle> {
  const provider = providerOf(runner, "connectEscrow");
  const chainId = (await provider.getNetwork()).chainId;
  if (options.chainId !== undefined && options.chainId !== chainId) throw new WrongChainError(options.chainId, chainId);
  const record = options.registry?.get(chainId);
  let address: string;
  if (options.address !== undefined) address = checkAddress("address", options.address);
  else if (record) address = record.address;
  else throw new UnknownChainError(chainId);

  if ((await provider.getCode(address)) === "0x") {
    throw new UnknownDeploymentError(chainId, address, "no contract code at the escrow address");
  }
  const contract = escrowContract(address, runner);
  let version: string;
  try {
    version = await contract.VERSION();
  } catch {
    throw new UnknownDeploymentError(chainId, address, "the contract at the escrow address has no VERSION(): not a HedgeSwap escrow");
  }
  if (!SUPPORTED_ESCROW_VERSIONS.includes(version)) {
    throw new UnsupportedVersionError(chainId, address, version, SUPPORTED_ESCROW_VERSIONS);
  }
  const deploymentBlock = record && record.address === address ? record.deploymentBlock : 0;
  return { at: { chainId, escrow: address }, contract, version, deploymentBlock };
}
