/**
 * The coordinator's configuration: one zod schema for the JSON file, environment variables for
 * secrets (private keys and seeds are named by variable, never written in the file nor logged), and
 * the Δ safety rule of `PROTOCOLS.md` §6 computed from each chain's figures.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";

import { Wallet } from "ethers";
import { z } from "zod";

import { HedgeSwapError, InvalidArgumentError, MAX_CYCLE_PARTIES, seedBytes } from "../sdk";

/**
 * The default largest number of legs in one batched call (the configuration's `batchSize`). Defined
 * here, the lowest module that needs it (`engine/work.ts` re-exports it), so the configuration imports
 * nothing of the engine.
 */
export const DEFAULT_BATCH_SIZE = 100;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address");
const bigintish = z.union([z.string().regex(/^[0-9]+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of 0x-prefixed hex");

/** Why `seed` is not a seed by the SDK's rule (`seedBytes`, the one `deriveSecret` applies): e.g. "must be at least 32 bytes"; undefined when it is one. */
export function seedProblem(seed: string): string | undefined {
  try {
    seedBytes(seed);
    return undefined;
  } catch (e) {
    if (e instanceof InvalidArgumentError) return e.shortMessage.replace(/^seed: /, "");
    throw e;
  }
}

/** A seed in the file: what `deriveSecret` accepts (0x and an even number of hex digits, at least 32 bytes); the issue never repeats the value. */
const seedString = z.string().superRefine((v, ctx) => {
  const problem = seedProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** EIP-7825's cap on one transaction's gas limit (2^24), which Ethereum nodes enforce since Fusaka. */
export const TX_GAS_CAP = 16_777_216;

/** The kinds of chain the defaults know (see `CHAIN_KINDS`). */
export type ChainKind = "ethereum" | "rollup" | "sidechain" | "devnet";

/** What a chain's kind sets when the file leaves it out. */
export interface ChainKindDefaults {
  /**
   * Blocks that make an observation final: deep enough that a reorganisation deeper than it does not
   * happen on this kind of chain in practice (a deeper one is still survived: outcomes are reopened).
   */
  readonly confirmations: number;
  /** Seconds between blocks. */
  readonly blockInterval: number;
  /** The fee cap, wei per gas. */
  readonly maxFeePerGas: bigint;
}

const GWEI = 1_000_000_000n;

/**
 * Per kind of chain, the confirmation depth, block interval and fee cap used when the file does not
 * give them (the README's operations section explains each figure):
 * - `ethereum` (L1 proof of stake, the default kind): 64 blocks = two epochs, the depth at which a
 *   block is finalized by the beacon chain's checkpoints; 12 s slots; 500 gwei.
 * - `rollup` (OP Stack, Arbitrum): 150 blocks of 2 s = 5 minutes, past the sequencer's usual batch
 *   submission to L1; 50 gwei.
 * - `sidechain` (Polygon PoS and similar BFT-checkpointed chains): 128 blocks of 2 s, past the deepest
 *   reorganisations seen before milestones; 5,000 gwei (fees in a cheap native coin).
 * - `devnet` (Hardhat, Anvil; chain ids 31337 and 1337 default to it): 1 block of 1 s; 1,000 gwei.
 */
export const CHAIN_KINDS: Readonly<Record<ChainKind, ChainKindDefaults>> = {
  ethereum: { confirmations: 64, blockInterval: 12, maxFeePerGas: 500n * GWEI },
  rollup: { confirmations: 150, blockInterval: 2, maxFeePerGas: 50n * GWEI },
  sidechain: { confirmations: 128, blockInterval: 2, maxFeePerGas: 5000n * GWEI },
  devnet: { confirmations: 1, blockInterval: 1, maxFeePerGas: 1000n * GWEI },
};

/** The kind of a chain whose entry names none: `devnet` for Hardhat's and Anvil's default chain ids, else `ethereum`. */
export function defaultKind(chainId: bigint): ChainKind {
  return chainId === 31337n || chainId === 1337n ? "devnet" : "ethereum";
}

/** One chain the coordinator acts on, as the file gives it (`parseConfig` fills in the kind's defaults). */
export const chainSchema = z.object({
  /** A short name for logs and the timeline ("A", "sepolia"). */
  name: z.string().min(1),
  chainId: bigintish,
  rpcUrl: z.string().url(),
  /** The escrow deployment on this chain. */
  escrow: address,
  /** What kind of chain it is: sets the defaults of `confirmations`, `blockInterval` and `maxFeePerGas`. */
  kind: z.enum(["ethereum", "rollup", "sidechain", "devnet"]).optional(),
  /** Where event scans start on a fresh data directory. */
  deploymentBlock: z.number().int().nonnegative().default(0),
  /** Blocks that make an observation final (1 = the including block itself); default: the kind's. */
  confirmations: z.number().int().min(1).optional(),
  /** Expected seconds between blocks; default: the kind's. */
  blockInterval: z.number().positive().optional(),
  /** Worst-case seconds for a transaction to be included under fee spikes. */
  inclusionTime: z.number().nonnegative().default(60),
  /** Largest expected difference between this chain's block.timestamp and the others', seconds. */
  clockSkew: z.number().nonnegative().default(15),
  /** Milliseconds before an RPC request to this chain counts as failed. */
  rpcTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * The most gas one transaction may carry on this chain (EIP-7825 caps it at 2^24 on Ethereum; nodes
   * refuse a larger one). A batch priced above it is sent as smaller batches that fit.
   */
  maxTxGas: z.number().int().min(100_000).default(TX_GAS_CAP),
  /**
   * The fee cap: the most any transaction on this chain pays per gas (wei, decimal). Fee bumps stop at
   * it; a reveal that cannot land before its deadline at the cap is cancelled. Default: the kind's.
   */
  maxFeePerGas: bigintish.optional(),
  /**
   * The most one swap's transactions on this chain may cost (wei, decimal), counted at their worst case
   * (gas limit × max fee, a batch's cost split among its legs): a fee bump past it is not signed.
   * Default: no budget (the fee cap alone bounds the cost).
   */
  swapGasBudget: bigintish.optional(),
});

/** A chain entry as the file gives it. */
type ChainInput = z.infer<typeof chainSchema>;

/** A parsed chain entry, with its kind's defaults filled in. */
export type ChainConfig = Omit<ChainInput, "kind" | "confirmations" | "blockInterval" | "maxFeePerGas"> & {
  readonly kind: ChainKind;
  readonly confirmations: number;
  readonly blockInterval: number;
  readonly maxFeePerGas: bigint;
};

/** Fills in a chain entry's defaults from its kind. */
export function resolveChain(c: ChainInput): ChainConfig {
  const kind = c.kind ?? defaultKind(c.chainId);
  const d = CHAIN_KINDS[kind];
  return { ...c, kind, confirmations: c.confirmations ?? d.confirmations, blockInterval: c.blockInterval ?? d.blockInterval, maxFeePerGas: c.maxFeePerGas ?? d.maxFeePerGas };
}

/** A party whose key this coordinator holds. */
export const partySchema = z
  .object({
    name: z.string().min(1),
    /** Environment variable holding the private key (preferred), or the key itself (development only). */
    privateKeyEnv: z.string().min(1).optional(),
    privateKey: hex32.optional(),
    /** An encrypted JSON keystore (Web3 Secret Storage) and the environment variable holding its password. */
    keystore: z.object({ path: z.string().min(1), passwordEnv: z.string().min(1) }).optional(),
    /** Environment variable holding the seed that secrets are derived from (needed to lead swaps). */
    secretSeedEnv: z.string().min(1).optional(),
    secretSeed: seedString.optional(),
  })
  .refine((p) => [p.privateKeyEnv, p.privateKey, p.keystore].filter((x) => x !== undefined).length === 1, "give exactly one of privateKeyEnv, privateKey and keystore");

/** Fault switches for tests and the demo's deviations. */
export const faultsSchema = z
  .object({
    /** Take no protocol step after step k (1 … 3n: 6 for a swap, up to 24 for a cycle of 8); settling still happens. 0 = take none. */
    haltAfterStep: z.number().int().min(0).max(3 * MAX_CYCLE_PARTIES).optional(),
    /** Kill the process with SIGKILL at a point: `recorded:<step>`, `sent:<step>`, `final:<step>` (step 1 … 3n, at most 24, or `settle`). */
    crashAt: z.string().regex(/^(recorded|sent|final):([1-9]|1[0-9]|2[0-4]|settle)$/).optional(),
  })
  .default({});

/** The HTTP API (see `api/server.ts`). */
export const apiSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Bound to loopback unless configured otherwise. */
    host: z.string().min(1).default("127.0.0.1"),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65535).default(8787),
    /** Environment variable holding the bearer token of mutating endpoints (preferred), or the token itself. */
    tokenEnv: z.string().min(1).optional(),
    token: z.string().min(16).optional(),
    /**
     * Origins (`scheme://host[:port]`) whose browser pages may call the API (CORS): their requests get
     * `Access-Control-Allow-Origin` and their preflights are answered. Default none: no cross-origin page
     * can read the API.
     */
    cors: z.array(z.string().regex(/^https?:\/\/[^/\s?#]+$/, "must be an origin: scheme://host[:port], without a path")).default([]),
  })
  .default({ enabled: false, host: "127.0.0.1", port: 8787, cors: [] });

/** The whole configuration file. */
export const configSchema = z.object({
  /** Directory of the SQLite database (relative paths are relative to the config file). */
  dataDir: z.string().min(1),
  chains: z.array(chainSchema).min(1),
  parties: z.array(partySchema).min(1),
  /** The smallest Δ accepted, whatever the chains' figures say (seconds). */
  minDelta: z.number().int().positive().default(600),
  /** The coordinator's own reaction time, including a restart (seconds). */
  reactionMargin: z.number().nonnegative().default(30),
  /** Milliseconds between polls of every chain. */
  pollIntervalMs: z.number().int().positive().default(1000),
  /** Seconds after a deadline before this coordinator settles a leg whose payout goes to the other party. */
  settleGrace: z.number().nonnegative().default(60),
  /** How many seed indexes to search for a led swap's secret. */
  seedScan: z.number().int().positive().default(10_000),
  /** The most legs one batched call (premiums, principals, redeems, settlements) covers; bounded by the chains' block gas limits (about 35,000 gas a leg). */
  batchSize: z.number().int().min(1).max(500).default(DEFAULT_BATCH_SIZE),
  /** Fee bumping: after this many blocks without inclusion, re-sign with fees raised by `feeBumpPercent`. */
  feeBumpAfterBlocks: z.number().int().positive().default(3),
  feeBumpPercent: z.number().int().min(10).default(25),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  faults: faultsSchema,
  api: apiSchema,
});

/** A parsed configuration file, every chain's defaults filled in. */
export type CoordinatorConfig = Omit<z.infer<typeof configSchema>, "chains"> & { readonly chains: ChainConfig[] };

/** The configuration is invalid; `details.issues` lists every problem with its path. */
export class ConfigError extends HedgeSwapError {
  constructor(reason: string, issues: string[] = []) {
    super("CONFIG_INVALID", reason, { issues: issues.join("; ") });
  }
}

/** Parses and checks a configuration object (paths resolved against `baseDir`). */
export function parseConfig(value: unknown, baseDir = process.cwd()): CoordinatorConfig {
  const result = configSchema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(
      "the coordinator configuration is invalid",
      result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  }
  const config = result.data;
  const ids = config.chains.map((c) => c.chainId.toString());
  if (new Set(ids).size !== ids.length) throw new ConfigError("two chains share a chain id", [ids.join(", ")]);
  const abs = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  return {
    ...config,
    chains: config.chains.map(resolveChain),
    dataDir: abs(config.dataDir),
    parties: config.parties.map((p) => (p.keystore ? { ...p, keystore: { ...p.keystore, path: abs(p.keystore.path) } } : p)),
  };
}

/**
 * Environment variables that override the file (handy in containers and for one-off runs):
 * HEDGESWAP_DATA_DIR, HEDGESWAP_LOG_LEVEL, HEDGESWAP_POLL_INTERVAL_MS, HEDGESWAP_API_ENABLED,
 * HEDGESWAP_API_HOST, HEDGESWAP_API_PORT, HEDGESWAP_API_TOKEN, HEDGESWAP_API_CORS (origins, comma-separated).
 */
export const ENV_OVERRIDES: Readonly<Record<string, (raw: Record<string, unknown>, value: string) => void>> = {
  HEDGESWAP_DATA_DIR: (raw, v) => void (raw.dataDir = v),
  HEDGESWAP_LOG_LEVEL: (raw, v) => void (raw.logLevel = v),
  HEDGESWAP_POLL_INTERVAL_MS: (raw, v) => void (raw.pollIntervalMs = Number(v)),
  HEDGESWAP_API_ENABLED: (raw, v) => void (raw.api = { ...(raw.api as object), enabled: v === "1" || v === "true" }),
  HEDGESWAP_API_HOST: (raw, v) => void (raw.api = { ...(raw.api as object), host: v }),
  HEDGESWAP_API_PORT: (raw, v) => void (raw.api = { ...(raw.api as object), port: Number(v) }),
  HEDGESWAP_API_TOKEN: (raw, v) => void (raw.api = { ...(raw.api as object), token: v }),
  HEDGESWAP_API_CORS: (raw, v) => void (raw.api = { ...(raw.api as object), cors: v.split(",").map((o) => o.trim()).filter((o) => o !== "") }),
};

/** Why a file could not be read, in words ("no such file", "permission denied", ...). */
export function describeFileError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const known: Record<string, string> = { ENOENT: "no such file", EACCES: "permission denied", EISDIR: "it is a directory", ENOTDIR: "a part of the path is not a directory" };
  return (typeof code === "string" ? known[code] : undefined) ?? (e as Error).message;
}

/** Reads a configuration file, applies the environment overrides, parses and checks it. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read the configuration file ${path}: ${describeFileError(e)}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`the configuration file ${path} is not JSON: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError(`the configuration file ${path} does not hold a JSON object`);
  for (const [name, apply] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value !== undefined && value !== "") apply(raw, value);
  }
  try {
    return parseConfig(raw, dirname(resolve(path)));
  } catch (e) {
    // The same reason and issues, with the file they are about.
    if (e instanceof ConfigError) throw new ConfigError(`${path}: ${e.shortMessage}`, [String(e.details.issues ?? "")].filter((i) => i !== ""));
    throw e;
  }
}

/** A party with its key material resolved from the environment. */
export interface PartyKeys {
  readonly name: string;
  readonly wallet: Wallet;
  readonly seed: string | undefined;
}

/** Resolves every party's key (and seed) from the file, a keystore or the environment; errors name the variable, never the value. */
export function resolveParties(config: CoordinatorConfig, env: NodeJS.ProcessEnv = process.env): PartyKeys[] {
  return config.parties.map((p) => {
    let wallet: Wallet;
    if (p.keystore) {
      const password = env[p.keystore.passwordEnv];
      if (password === undefined) throw new ConfigError(`party ${p.name}: the keystore password is not set`, [`environment variable ${p.keystore.passwordEnv}`]);
      try {
        const json = readFileSync(p.keystore.path, "utf8");
        const decrypted = Wallet.fromEncryptedJsonSync(json, password);
        wallet = new Wallet(decrypted.privateKey);
      } catch (e) {
        throw new ConfigError(`party ${p.name}: cannot open the keystore`, [`${p.keystore.path}: ${(e as Error).message.replace(/password[^,;]*/gi, "password")}`]);
      }
    } else {
      const key = p.privateKey ?? env[p.privateKeyEnv!];
      if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
        throw new ConfigError(`party ${p.name}: no valid private key`, [p.privateKeyEnv ? `environment variable ${p.privateKeyEnv} is unset or not 32-byte hex` : "privateKey"]);
      }
      wallet = new Wallet(key);
    }
    const seed = p.secretSeed ?? (p.secretSeedEnv ? env[p.secretSeedEnv] : undefined);
    const problem = seed === undefined ? undefined : seedProblem(seed);
    if (problem !== undefined) {
      // The SDK's reason (deriveSecret's rule), naming where the seed came from, never its value.
      throw new ConfigError(`party ${p.name}: the secret seed ${problem}`, [p.secretSeedEnv ? `environment variable ${p.secretSeedEnv}` : "secretSeed"]);
    }
    return { name: p.name, wallet, seed };
  });
}

/**
 * The smallest safe Δ for swaps between two configured chains (`PROTOCOLS.md` §6), the largest of what
 * the decision rule's checks need between two consecutive steps of one party (steps k and k+2, the
 * counterparty's step k+1 in between): the counterparty's step seen final on its chain (the longest
 * confirmation time), then the party's own step included on its chain (the longest inclusion time plus
 * that chain's confirmation time, which the reveal margin of step 5 also counts), the chains' clock
 * skew, and the coordinator's reaction margin (restart included); never below `minDelta`.
 */
export function safeDelta(config: CoordinatorConfig, chains: readonly ChainConfig[]): bigint {
  const confirm = (c: ChainConfig) => c.confirmations * c.blockInterval;
  const seen = Math.max(...chains.map(confirm));
  const land = Math.max(...chains.map((c) => c.inclusionTime + confirm(c)));
  const skew = Math.max(...chains.map((c) => c.clockSkew));
  return BigInt(Math.max(config.minDelta, Math.ceil(seen + land + skew + config.reactionMargin)));
}
