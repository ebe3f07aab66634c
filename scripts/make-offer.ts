/**
 * `npm run offer -- --config <coordinator.json> --token-a <0x…> --amount-a 100 --premium-a 1 --token-b <0x…> --amount-b 100 --premium-b 3`:
 * plans a hedged swap (or, with --kind option, an HTLC option) between two chains of a coordinator
 * configuration, has both parties sign it, and writes the signed offer (the SDK's `signedOfferToJson`)
 * for `hedgeswap-coordinator run --offer` / `submit --offer`. For trying the coordinator when one person
 * holds both keys; between two real parties each signs the same offer with the SDK's `signOffer`.
 *
 * Keys from the environment, never the command line: LEADER_KEY and FOLLOWER_KEY (private keys),
 * LEADER_SEED (the seed of the leader's coordinator, its `secretSeedEnv`: the hashlock is that of
 * `deriveSecret(seed, --index)`, which is how the leader's coordinator finds the secret). Amounts are
 * in whole tokens (the tokens' own `decimals()`); the start T0 is now (the later of the chains' clocks and this
 * machine's), Δ is --delta.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

import { Contract, JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { HedgeSwapError, deriveSecret, hashlockOf, planHedgedSwap, planOption, signOffer, signedOfferToJson } from "../src/sdk";
import { loadConfig, seedProblem, type ChainConfig } from "../src/coordinator/config";

const USAGE = `Usage: npm run offer -- --config <file> --token-a <address> --amount-a <n> --premium-a <n> --token-b <address> --amount-b <n> --premium-b <n> [options]

Options:
  --config <file>        a coordinator configuration: its chains (names, chain ids, RPC URLs, escrows)
  --chain-a <name>       leg A's chain, by its name in the configuration (default: the first chain)
  --chain-b <name>       leg B's chain (default: the second chain)
  --token-a <address>    leg A's token: the leader escrows --amount-a of it, the follower deposits --premium-a of it
  --amount-a <n>         whole tokens
  --premium-a <n>        whole tokens (the follower's premium p_b)
  --token-b <address>    leg B's token: the follower escrows --amount-b, the leader deposits --premium-b (p_a + p_b)
  --amount-b <n>         whole tokens
  --premium-b <n>        whole tokens; for a hedged swap more than --premium-a
  --delta <seconds>      Δ, the time each step has (default 600)
  --index <n>            the leader's secret index under LEADER_SEED; a new one for every offer (default 0)
  --kind <kind>          hedged-swap (default) or option
  --out <file>           where the signed offer goes (default signed-offer.json)
  -h, --help             print this help

Environment: LEADER_KEY, FOLLOWER_KEY (private keys), LEADER_SEED (the leader's secret seed).`;

/** Paths are relative to where `npm run offer` was typed (npm itself runs scripts from the repository root). */
const here = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

function fail(message: string): never {
  console.error(`offer: ${message}`);
  process.exit(2);
}

function envKey(name: string): Wallet {
  const value = process.env[name];
  if (!value || !/^0x[0-9a-fA-F]{64}$/.test(value)) fail(`${name} must hold a private key (0x and 64 hex digits)`);
  return new Wallet(value);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    const str = { type: "string" } as const;
    ({ values } = parseArgs({
      options: {
        config: str, "chain-a": str, "chain-b": str, "token-a": str, "amount-a": str, "premium-a": str, "token-b": str, "amount-b": str, "premium-b": str,
        delta: str, index: str, kind: str, out: str, help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, "")}\n\n${USAGE}`);
  }
  if (values.help) return void console.log(USAGE);
  const need = (k: string): string => (typeof values[k] === "string" ? (values[k] as string) : fail(`--${k} is required\n\n${USAGE}`));
  const config = loadConfig(here(need("config")));
  const chain = (flag: string, fallback: number): ChainConfig => {
    const name = values[flag];
    const found = typeof name === "string" ? config.chains.find((c) => c.name === name) : config.chains[fallback];
    return found ?? fail(`--${flag}: no chain ${typeof name === "string" ? `"${name}"` : `number ${fallback + 1}`} in ${need("config")} (it has ${config.chains.map((c) => c.name).join(", ")})`);
  };
  const [chainA, chainB] = [chain("chain-a", 0), chain("chain-b", 1)];
  const kind = values.kind ?? "hedged-swap";
  if (kind !== "hedged-swap" && kind !== "option") fail(`--kind must be hedged-swap or option, not ${String(kind)}`);
  const [delta, index] = [BigInt(values.delta ?? "600"), BigInt(values.index ?? "0")];
  const leader = envKey("LEADER_KEY");
  const follower = envKey("FOLLOWER_KEY");
  const seed = process.env.LEADER_SEED;
  const problem = seed === undefined ? "is not set" : seedProblem(seed);
  if (problem !== undefined) fail(`LEADER_SEED ${problem}`);

  const providers = [chainA, chainB].map((c) => new JsonRpcProvider(c.rpcUrl, Number(c.chainId), { staticNetwork: true }));
  try {
    const amount = async (i: 0 | 1, token: string, flag: string) => {
      const decimals = Number(await new Contract(token, ["function decimals() view returns (uint8)"], providers[i]).getFunction("decimals")());
      return parseUnits(need(flag), decimals);
    };
    const [tokenA, tokenB] = [need("token-a"), need("token-b")];
    // T0: the later of the chains' clocks and this machine's; an idle local chain's last block can be minutes old,
    // and its next block takes the wall clock's time.
    const clocks = await Promise.all(providers.map(async (p) => BigInt((await p.getBlock("latest"))!.timestamp)));
    const now = [...clocks, BigInt(Math.floor(Date.now() / 1000))].reduce((x, y) => (x > y ? x : y));
    const terms = {
      leader: leader.address,
      follower: follower.address,
      hashlock: hashlockOf(deriveSecret(seed!, index)),
      start: now,
      delta,
      legA: { chainId: chainA.chainId, escrow: chainA.escrow, token: tokenA, amount: await amount(0, tokenA, "amount-a"), premiumAmount: await amount(0, tokenA, "premium-a") },
      legB: { chainId: chainB.chainId, escrow: chainB.escrow, token: tokenB, amount: await amount(1, tokenB, "amount-b"), premiumAmount: await amount(1, tokenB, "premium-b") },
    };
    const plan = kind === "option" ? planOption(terms, { now, minDelta: delta }) : planHedgedSwap(terms, { now, minDelta: delta });
    const signed = { offer: plan.offer, signatures: { leader: await signOffer(leader, plan.offer), follower: await signOffer(follower, plan.offer) } };
    const out = typeof values.out === "string" ? values.out : "signed-offer.json";
    writeFileSync(here(out), JSON.stringify(signedOfferToJson(signed), null, 2) + "\n");
    console.log(JSON.stringify({ id: plan.id, kind: plan.kind, leader: leader.address, follower: follower.address, start: now.toString(), delta: delta.toString(), secretIndex: index.toString(), out }));
  } finally {
    for (const p of providers) p.destroy();
  }
}

main().catch((e: unknown) => {
  const err = e as { code?: unknown; shortMessage?: unknown; message?: unknown };
  console.error(`offer: ${String(err.shortMessage ?? err.message)}${typeof err.code === "string" ? ` (${err.code})` : ""}`);
  // A typed refusal (a bad configuration, terms the planner refuses) is bad input, exit 2; anything else (a chain unreachable) 1.
  process.exit(e instanceof HedgeSwapError ? 2 : 1);
});
