/**
 * The coordinator's configuration: one zod schema for the JSON file, environment variables for
 * secrets (private keys and seeds are named by variable, never written in the file nor logged), and
 * the Δ safety rule of `PROTOCOLS.md` §6 computed from each chain's figures.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";

import { Wallet } from "ethers";
import { z } from "zod";

import { HedgeSwapError, InvalidArgumentError, seedBytes } from "../sdk";
import { DEFAULT_BATCH_SIZE } from "./engine/work";

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

/** One chain the coordinator acts on. */
/** EIP-7825's cap on one transaction's gas limit (2^24), which Ethereum nodes enforce since Fusaka. */
export const TX_GAS_CAP = 16_777_216;

export const chainSchema = z.object({
  /** A short name for logs and the timeline ("A", "sepolia"). */
  name: z.string().min(1),
  chainId: bigintish,
  rpcUrl: z.string().url(),
  /** The escrow deployment on this chain. */
  escrow: address,
  /** Where event scans start on a fresh data directory. */
  deploymentBlock: z.number().int().nonnegative().default(0),
  /** Blocks that make an observation final (1 = the including block itself). */
  confirmations: z.number().int().min(1).default(1),
  /** Expected seconds between blocks. */
  blockInterval: z.number().positive().default(12),
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
});

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
    /** Take no protocol step after step k (1–6); settling still happens. 0 = take none. */
    haltAfterStep: z.number().int().min(0).max(6).optional(),
    /** Kill the process with SIGKILL at a point: `recorded:<step>`, `sent:<step>`, `final:<step>` (step 1–6 or `settle`). */
    crashAt: z.string().regex(/^(recorded|sent|final):([1-6]|settle)$/).optional(),
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

/** A parsed configuration file. */
export type CoordinatorConfig = z.infer<typeof configSchema>;
/** A parsed chain entry. */
export type ChainConfig = z.infer<typeof chainSchema>;

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
 * The smallest safe Δ for swaps between two configured chains (`PROTOCOLS.md` §6): on the slower
 * chain, inclusion time + confirmation depth × block interval + clock skew, plus the coordinator's
 * reaction margin (restart included); never below `minDelta`.
 */
export function safeDelta(config: CoordinatorConfig, chains: readonly ChainConfig[]): bigint {
  const worst = Math.max(...chains.map((c) => c.inclusionTime + c.confirmations * c.blockInterval + c.clockSkew));
  return BigInt(Math.max(config.minDelta, Math.ceil(worst + config.reactionMargin)));
}
