/**
 * The real-chain world of the cycle tests: n `hardhat node` processes on 127.0.0.1 (chain i carries
 * arc i), the escrow deployed on each by src/devnet's `startDevnet`, one `TestToken` per chain for the
 * ERC-20 arcs (every party's allowance to that chain's escrow set once, at start), the n party accounts
 * and a sweeper account, and the clock control: every chain's clock is moved forward together, only
 * with `evm_setNextBlockTimestamp` + a mined block (no sleeping through a timeout).
 *
 * One world serves many cycles: each cycle starts after the previous one's last deadline, with a fresh
 * secret; time only moves forward.
 */
import { Contract, JsonRpcProvider, MaxUint256, Network, toQuantity, type InterfaceAbi, type Wallet } from "ethers";

import { TOKEN_ARTIFACT, devAccounts, deployToken, loadArtifact, startDevnet, type Devnet, type DevnetChain } from "../../src/devnet";

/** A world of n chains. */
export interface CycleWorld {
  readonly n: number;
  readonly devnet: Devnet;
  /** Chain i carries arc i. */
  readonly chains: readonly DevnetChain[];
  /** P0 (the leader) … P(n−1): development accounts 1 … n. */
  readonly parties: readonly Wallet[];
  /** Settles what is left after the last deadline ("anyone"): development account n + 1. */
  readonly sweeper: Wallet;
  /** Deployed the escrows and tokens, mints: development account 0. */
  readonly minter: Wallet;
  /**
   * Chain i's provider for everything the cycle tests send and read: like the node's own (static network,
   * no cache) but without ethers' 10 ms batch stall per request (`batchMaxCount` 1) and polling every
   * 20 ms, which makes a round several times faster than through `node.provider`.
   */
  readonly providers: readonly JsonRpcProvider[];
  /** The TestToken of chain i. */
  readonly tokens: readonly string[];
  /** How many cycles have used the world (the next secret's index). */
  cycles: number;
  /** Stops every node; safe to call twice. */
  stop(): Promise<void>;
}

/** Chain ids of the cycle worlds: 31361 + i (n ≤ 8, so 31361 … 31368). */
export const FIRST_CYCLE_CHAIN_ID = 31361n;

const TOKEN_ABI = loadArtifact(TOKEN_ARTIFACT).abi as InterfaceAbi;

/**
 * Starts n chains with the escrow and a TestToken each; every party approves every chain's escrow for
 * that chain's token without limit, so ERC-20 steps need no approval of their own. Stops the nodes
 * again if anything after their start fails.
 */
export async function startCycleWorld(n: number, firstChainId = FIRST_CYCLE_CHAIN_ID): Promise<CycleWorld> {
  const devnet = await startDevnet({ chains: Array.from({ length: n }, (_, i) => ({ name: `C${i}`, chainId: firstChainId + BigInt(i) })) });
  try {
    const accounts = devAccounts(n + 2);
    const minter = accounts[0]!;
    const parties = accounts.slice(1, n + 1);
    const sweeper = accounts[n + 1]!;
    const chains = devnet.chains;
    const providers = chains.map((c) => {
      const network = new Network(`cycle-${c.node.chainId}`, c.node.chainId);
      return new JsonRpcProvider(c.node.url, network, { staticNetwork: network, cacheTimeout: -1, batchMaxCount: 1, pollingInterval: 20 });
    });
    const tokens = await Promise.all(chains.map((c, i) => deployToken(c.node, minter, `Cycle token ${i}`, `CT${i}`)));
    await Promise.all(
      chains.map(async (c, i) => {
        for (const p of parties) {
          const token = new Contract(tokens[i]!, TOKEN_ABI, p.connect(providers[i]!));
          await (await token.getFunction("approve")(c.escrow, MaxUint256)).wait();
        }
      }),
    );
    const stop = async () => {
      for (const p of providers) p.destroy();
      await devnet.stop();
    };
    return { n, devnet, chains, providers, parties, sweeper, minter, tokens, cycles: 0, stop };
  } catch (error) {
    await devnet.stop();
    throw error;
  }
}

/** Mints `amount` of chain i's token to `to` (sent by the minter, so the parties' balances and nonces are untouched). */
export async function mint(w: CycleWorld, chain: number, to: string, amount: bigint): Promise<void> {
  if (amount === 0n) return;
  const token = new Contract(w.tokens[chain]!, TOKEN_ABI, w.minter.connect(w.providers[chain]!));
  await (await token.getFunction("mint")(to, amount)).wait();
}

/** The latest block timestamp of every chain. */
export function clocks(w: CycleWorld): Promise<bigint[]> {
  return Promise.all(w.providers.map(async (p) => BigInt((await p.getBlock("latest"))!.timestamp)));
}

/**
 * Moves every chain's clock to exactly `t` with one mined block each. Refuses (throws) when a chain is
 * already at or past `t`: the harness plans its slots so that this never happens, and a clock that ran
 * into the next slot would make the run mean something else than intended.
 */
export async function setClocks(w: CycleWorld, t: bigint): Promise<void> {
  const now = await clocks(w);
  now.forEach((c, i) => {
    if (c >= t) throw new Error(`chain ${i}'s clock is at ${c}, not before the target ${t}`);
  });
  // What DevNode's setNextTimestamp + mine send, through the world's faster providers.
  await Promise.all(
    w.providers.map(async (p) => {
      await p.send("evm_setNextBlockTimestamp", [toQuantity(t)]);
      await p.send("evm_mine", []);
    }),
  );
}
