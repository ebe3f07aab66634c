/**
 * The adversarial suite's world: two real `hardhat node` chains (A and B, as in the coordinator
 * tests) started once, with the escrow, a second escrow deployment (the "wrong escrow" of hostile
 * legs), a plain ERC-20 and a per-transfer-capped ERC-20 on each chain, every party funded to the
 * scenario matrix's start and every allowance given, then automine off and one snapshot per chain.
 * Every run reverts both chains to that snapshot, so runs are independent and reproducible: the same
 * input replays the same blocks at the same timestamps.
 */
import { ContractFactory, Interface, MaxUint256, Wallet, type InterfaceAbi } from "ethers";

import { erc20Interface } from "../../src/sdk";
import { deployEscrow, deployToken, devAccounts, loadArtifact, startDevnet, type DevNode, type Devnet } from "../../src/devnet";
import type { LegName } from "./oracle";

/** One token unit of the suite's amounts. */
export const U = 10n ** 18n;
/** The capped token's per-transfer limit: the principal passes, principal + premium does not. */
export const CAP = 100n * U;

/** A token that refuses any single transfer above a limit (the escrow then credits a merged payout above it). */
const CAPPED_ARTIFACT = "artifacts/contracts/test/TransferLimitToken.sol/TransferLimitToken.json";

/** Both test tokens' open `mint`. */
export const MINT = new Interface(["function mint(address to, uint256 amount)"]);

export interface AdvChain {
  readonly name: LegName;
  readonly node: DevNode;
  readonly url: string;
  readonly chainId: bigint;
  readonly escrow: string;
  /** A second deployment of the escrow on the same chain: legs there are not the agreed ones. */
  readonly wrongEscrow: string;
  readonly deploymentBlock: number;
  /** The chain's two tokens: a plain one and one that refuses any transfer above `CAP`. */
  readonly tokens: { readonly plain: string; readonly capped: string };
  /** Latest block at the snapshot every run starts from. */
  readonly base: { readonly number: number; readonly ts: bigint };
  snapshot: string;
}

export interface AdvWorld {
  readonly devnet: Devnet;
  readonly A: AdvChain;
  readonly B: AdvChain;
  readonly deployer: Wallet;
  readonly alice: Wallet;
  readonly bob: Wallet;
  readonly carol: Wallet;
}

/** A JSON-RPC call over fetch (ethers' provider batches with a 10 ms stall per call). */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message?: string; data?: unknown } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message ?? "error"}`);
  return body.result as T;
}

export const hex = (n: bigint | number) => "0x" + BigInt(n).toString(16);

/** `balanceOf(who)` of `token`. */
export async function balanceOf(url: string, token: string, who: string): Promise<bigint> {
  return BigInt(await rpc<string>(url, "eth_call", [{ to: token, data: erc20Interface.encodeFunctionData("balanceOf", [who]) }, "latest"]));
}

async function send(node: DevNode, from: Wallet, tx: { to: string; data: string }): Promise<void> {
  const r = await from.connect(node.provider).sendTransaction({ ...tx, gasLimit: 3_000_000n });
  const receipt = await r.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`setup transaction ${r.hash} failed`);
}

/** Starts both chains and prepares the snapshot every run starts from. */
export async function startAdversaryWorld(chainIds: { A: bigint; B: bigint } = { A: 31391n, B: 31392n }): Promise<AdvWorld> {
  const devnet = await startDevnet({ chains: [{ name: "A", chainId: chainIds.A }, { name: "B", chainId: chainIds.B }] });
  const [deployer, alice, bob, carol] = devAccounts(4) as Wallet[];
  const capped = loadArtifact(CAPPED_ARTIFACT);
  try {
    const prepare = async (name: LegName): Promise<AdvChain> => {
      const c = devnet.chain(name);
      const node = c.node;
      const wrong = await deployEscrow(node, deployer!);
      const plain = await deployToken(node, deployer!, name === "A" ? "Apricot" : "Banana", name === "A" ? "APR" : "BAN");
      const factory = new ContractFactory(capped.abi as InterfaceAbi, capped.bytecode, deployer!.connect(node.provider));
      const cappedToken = await factory.deploy(CAP);
      await cappedToken.waitForDeployment();
      const cappedAddress = await cappedToken.getAddress();
      // The matrix's start: Alice a on A and her deposit (p_a + p_b) on B; Bob p_b on A and b on B.
      const start = name === "A" ? { alice: 100n * U, bob: 1n * U } : { alice: 3n * U, bob: 100n * U };
      for (const token of [plain, cappedAddress]) {
        const mint = (to: string, amount: bigint) => ({ to: token, data: MINT.encodeFunctionData("mint", [to, amount]) });
        await send(node, deployer!, mint(alice!.address, start.alice));
        await send(node, deployer!, mint(bob!.address, start.bob));
        for (const who of [alice!, bob!, carol!]) {
          for (const spender of [c.escrow, wrong.address]) await send(node, who, { to: token, data: erc20Interface.encodeFunctionData("approve", [spender, MaxUint256]) });
        }
      }
      await node.provider.send("evm_setAutomine", [false]);
      const latest = await node.provider.getBlock("latest");
      const base = { number: latest!.number, ts: BigInt(latest!.timestamp) };
      return { name, node, url: node.url, chainId: node.chainId, escrow: c.escrow, wrongEscrow: wrong.address, deploymentBlock: c.deploymentBlock, tokens: { plain, capped: cappedAddress }, base, snapshot: "" };
    };
    const A = await prepare("A");
    const B = await prepare("B");
    // Both chains' clocks start together: one block at the same timestamp on each.
    const ts = (A.base.ts > B.base.ts ? A.base.ts : B.base.ts) + 1n;
    const world = { devnet, deployer: deployer!, alice: alice!, bob: bob!, carol: carol! } as Omit<AdvWorld, "A" | "B">;
    for (const c of [A, B]) {
      await rpc(c.url, "evm_mine", [hex(ts)]);
      (c as { base: AdvChain["base"] }).base = { number: c.base.number + 1, ts };
      c.snapshot = await rpc<string>(c.url, "evm_snapshot");
    }
    return { ...world, A, B };
  } catch (e) {
    await devnet.stop();
    throw e;
  }
}

/** Back to the snapshot on both chains (and a fresh snapshot for the next run). */
export async function resetWorld(w: AdvWorld): Promise<void> {
  for (const c of [w.A, w.B]) {
    if ((await rpc<boolean>(c.url, "evm_revert", [c.snapshot])) !== true) throw new Error(`evm_revert refused on chain ${c.name}`);
    c.snapshot = await rpc<string>(c.url, "evm_snapshot");
  }
}
