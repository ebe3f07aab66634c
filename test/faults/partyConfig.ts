/**
 * The coordinator configuration of the fault suite: the world's party configuration with figures
 * that fit Δ = 20 s on 1 s blocks, each chain reached through the party's own RPC proxy, and the
 * fields that issue 16's fixes add to a chain (fee cap, gas budget per swap, kind of chain) once the
 * configuration schema knows them (until then the schema would refuse them as unknown keys).
 */
import { parseUnits } from "ethers";

import { chainSchema, parseConfig, type CoordinatorConfig } from "../../src/coordinator/config";
import { partyConfigJson, type World } from "../coordinator/world";

/** Δ of the fault suite, seconds of chain time: the §6 margins below (9 s) fit twice. */
export const FAULT_DELTA = 20n;
/** The fee cap per chain: well above a devnet's normal fees, well below the suite's spike. */
export const FEE_CAP = parseUnits("100", "gwei");
/** The gas budget of one swap on one chain. */
export const SWAP_GAS_BUDGET = parseUnits("0.05", "ether");
/** The base fee of a spike: 100 times the fee cap. */
export const SPIKE_BASE_FEE = FEE_CAP * 100n;

/** The §6 figures of every chain (seconds and blocks) for 1 s blocks. */
export const CHAIN_FIGURES = { confirmations: 2, blockInterval: 1, inclusionTime: 2, clockSkew: 2, rpcTimeoutMs: 1500 } as const;

/** Adds the chain fields of the fixes (`maxFeePerGas`, `swapGasBudget`, `kind`) that the configuration schema knows. */
export function withFixFields(chain: Record<string, unknown>): Record<string, unknown> {
  const known = chainSchema.shape as Record<string, unknown>;
  const fields: Record<string, unknown> = { maxFeePerGas: FEE_CAP.toString(), swapGasBudget: SWAP_GAS_BUDGET.toString(), kind: "devnet" };
  return { ...chain, ...Object.fromEntries(Object.entries(fields).filter(([k]) => k in known)) };
}

/** Which of the fixes' chain fields the schema knows today (for the report). */
export function knownFixFields(): string[] {
  return ["maxFeePerGas", "swapGasBudget", "kind"].filter((k) => k in (chainSchema.shape as Record<string, unknown>));
}

/**
 * The configuration file content of `party` in the fault suite: chains reached at `rpcUrls` (the
 * party's proxies), the figures above, and `extra` top-level fields (e.g. `faults`).
 */
export function faultPartyConfigJson(w: World, party: "alice" | "bob", rpcUrls: { A: string; B: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const json = partyConfigJson(w, party, { pollIntervalMs: 200, settleGrace: 3, feeBumpAfterBlocks: 2, reactionMargin: 3, minDelta: 10, ...extra });
  const chains = (json.chains as Record<string, unknown>[]).map((c) => withFixFields({ ...c, ...CHAIN_FIGURES, rpcUrl: rpcUrls[c.name as "A" | "B"] }));
  return { ...json, chains };
}

/** The parsed form of `faultPartyConfigJson`. */
export function faultPartyConfig(w: World, party: "alice" | "bob", rpcUrls: { A: string; B: string }, extra: Record<string, unknown> = {}): CoordinatorConfig {
  return parseConfig(faultPartyConfigJson(w, party, rpcUrls, extra));
}
