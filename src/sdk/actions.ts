/**
 * Actions: plain async functions that take an ethers v6 runner first (a browser wallet's signer, a
 * Hardhat signer, the coordinator's wallet) and send one escrow step each. Every failure comes back as
 * a `HedgeSwapError`: escrow reverts decoded into their typed classes, anything else as
 * `TransactionFailedError` with the cause kept.
 */
import {
  BaseWallet,
  Contract,
  Signature,
  TypedDataEncoder,
  type ContractRunner,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
  type TransactionResponse,
} from "ethers";

import {
  abortTx,
  approveTx,
  depositPremiumTx,
  depositPremiumWithPermitTx,
  erc20Interface,
  escrowTx,
  escrowWithPermitTx,
  redeemBatchTx,
  redeemTx,
  settleBatchTx,
  settleTx,
  withdrawTx,
  type PermitSignature,
  type TxRequest,
} from "./calldata";
import { checkAddress } from "./bytes";
import { providerOf } from "./deployments";
import { RunnerError, TransactionFailedError, WrongChainError } from "./errors";
import { toHedgeSwapError } from "./escrowErrors";
import { abortTypedData, type EscrowLocation, type LocatedLeg } from "./leg";

/** Options of every sending action. */
export interface TxOptions {
  /** Blocks to wait for after inclusion; default 1. 0 returns as soon as the transaction is sent. */
  readonly confirmations?: number;
  /** Extra fields for the transaction (gas limit, fees, nonce). */
  readonly overrides?: Omit<TransactionRequest, "to" | "data" | "value" | "from">;
  /** Called with the hash as soon as the transaction is sent. */
  readonly onSent?: (hash: string) => void;
}

/** How an ERC-20 amount reaches the escrow when the allowance is short. */
export type FundingMethod = "auto" | "permit" | "approve";

/** Options of the two funding actions (premium deposit and escrow). */
export interface FundingOptions extends TxOptions {
  /** `auto` (default): an existing allowance, else an ERC-2612 permit when the token has one, else an approve. */
  readonly funding?: FundingMethod;
  /** Seconds a permit stays valid; default 3600. */
  readonly permitLifetime?: number;
}

/** What a sent action returns: its hash, and the receipt unless `confirmations` was 0. */
export interface ActionResult {
  readonly hash: string;
  readonly receipt: TransactionReceipt | null;
}

function signerOf(runner: ContractRunner, action: string): Signer {
  const s = runner as Signer;
  if (typeof s.sendTransaction !== "function" || typeof s.getAddress !== "function") throw new RunnerError("signer", action);
  return s;
}

async function checkChain(runner: ContractRunner, at: EscrowLocation, action: string): Promise<void> {
  const actual = (await providerOf(runner, action).getNetwork()).chainId;
  if (actual !== at.chainId) throw new WrongChainError(at.chainId, actual);
}

/** Sends `tx` from `runner` after checking its chain; decodes any failure. Shared by every action. */
export async function sendTx(runner: ContractRunner, at: EscrowLocation, tx: TxRequest, action: string, opts: TxOptions = {}): Promise<ActionResult> {
  await checkChain(runner, at, action);
  return sendChecked(runner, tx, action, opts);
}

/**
 * `sendTx` after the chain check (the funding actions check once, before reading allowances).
 *
 * Nonces. Two actions from one account sent without awaiting each other used to collide: ethers' provider
 * shares identical requests made within 250 ms (`cacheTimeout`), so a `Wallet` populating its second
 * transaction got the `pending` nonce it had read for the first ("nonce has already been used"), and a
 * second action that would revert showed that nonce error instead of its own. Both halves of the fix:
 * - every send of one account on one chain goes through a per-account queue (`sendSerially`), held from
 *   the nonce read until the node has taken the transaction (not while waiting for the receipt), so no two
 *   sends read the account's state at the same time. Safe for every signer, whoever assigns the nonce.
 * - for a local signer (an ethers `BaseWallet`: `Wallet`, `HDNodeWallet`) without a `nonce` override, the
 *   nonce is read here, from the node's `pending` state, bypassing the request cache (`freshPendingNonce`).
 *   It is read rather than counted locally because a count kept in this process goes wrong when the chain
 *   moves under it (another process with the same key, a restarted devnet, a reverted snapshot), where a
 *   too-high nonce would leave the transaction queued forever. A signer that manages nonces itself (a
 *   browser wallet's `JsonRpcSigner`, a node's unlocked account, an ethers `NonceManager`) is never given one.
 */
async function sendChecked(runner: ContractRunner, tx: TxRequest, action: string, opts: TxOptions = {}): Promise<ActionResult> {
  const signer = signerOf(runner, action);
  let hash: string;
  let response: TransactionResponse;
  try {
    response = await sendSerially(signer, async () => {
      const request: TransactionRequest = { ...opts.overrides, to: tx.to, data: tx.data, value: tx.value };
      if (request.nonce == null && signer.provider && isLocalWallet(signer)) request.nonce = await freshPendingNonce(signer.provider, await signer.getAddress());
      return signer.sendTransaction(request);
    });
    hash = response.hash;
  } catch (e) {
    throw toHedgeSwapError(e, action);
  }
  opts.onSent?.(hash);
  const confirmations = opts.confirmations ?? 1;
  if (confirmations === 0) return { hash, receipt: null };
  let receipt: TransactionReceipt | null;
  try {
    receipt = await response.wait(confirmations);
  } catch (e) {
    throw toHedgeSwapError(e, action);
  }
  if (!receipt || receipt.status !== 1) throw new TransactionFailedError(action, new Error(`transaction ${hash} reverted`));
  return { hash, receipt };
}

/** The tail of each account's send queue, by `chainId:address`; an entry is removed once its queue is idle. */
const sendQueues = new Map<string, Promise<void>>();

/**
 * Runs `send` after every earlier send of the same account on the same chain has been taken by the node
 * (or failed). Keyed by the signer's address and its provider's chain id, so two signer objects of one key
 * (a `Wallet` and its `connect`ed copy) share a queue; a signer without a provider is not queued (its send
 * fails anyway).
 */
async function sendSerially<T>(signer: Signer, send: () => Promise<T>): Promise<T> {
  if (!signer.provider) return send();
  const [address, network] = await Promise.all([signer.getAddress(), signer.provider.getNetwork()]);
  const key = `${network.chainId}:${address.toLowerCase()}`;
  const previous = sendQueues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
  sendQueues.set(key, tail);
  try {
    await previous;
    return await send();
  } finally {
    // `release` is set once `previous` has settled, which the `await` above guarantees.
    release();
    if (sendQueues.get(key) === tail) sendQueues.delete(key);
  }
}

/** True for a signer that signs locally and takes its nonce from the node itself: an ethers `BaseWallet`. */
function isLocalWallet(signer: Signer): boolean {
  return signer instanceof BaseWallet;
}

/**
 * The account's `pending` transaction count, read past ethers' request cache: with `eth_getTransactionCount`
 * over the provider's JSON-RPC `send` when it has one, else through `getTransactionCount`.
 */
async function freshPendingNonce(provider: Provider, address: string): Promise<number> {
  const rpc = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
  if (typeof rpc.send === "function") return Number(BigInt(String(await rpc.send("eth_getTransactionCount", [address, "pending"]))));
  return provider.getTransactionCount(address, "pending");
}

async function readToken<T>(runner: ContractRunner, token: string, fn: string, args: unknown[]): Promise<T> {
  const c = new Contract(token, erc20Interface, runner);
  return (await c.getFunction(fn).staticCall(...args)) as T;
}

/**
 * Signs an ERC-2612 permit of `amount` of `token` for `spender`, reading the token's EIP-712 domain
 * (ERC-5267 `eip712Domain()`, else `name()` with version "1", checked against `DOMAIN_SEPARATOR()`).
 * Returns undefined when the token has no permit.
 */
export async function signPermit(signer: Signer, token: string, spender: string, amount: bigint, deadline: bigint): Promise<PermitSignature | undefined> {
  const owner = await signer.getAddress();
  const chainId = (await providerOf(signer, "signPermit").getNetwork()).chainId;
  let nonce: bigint;
  let separator: string;
  try {
    nonce = await readToken<bigint>(signer, token, "nonces", [owner]);
    separator = await readToken<string>(signer, token, "DOMAIN_SEPARATOR", []);
  } catch {
    return undefined;
  }
  let name: string;
  let version = "1";
  try {
    const d = await readToken<[string, string, string]>(signer, token, "eip712Domain", []);
    name = d[1];
    version = d[2];
  } catch {
    name = await readToken<string>(signer, token, "name", []);
  }
  const domain = { name, version, chainId, verifyingContract: checkAddress("token", token) };
  if (TypedDataEncoder.hashDomain(domain) !== separator) return undefined;
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const sig = Signature.from(await signer.signTypedData(domain, types, { owner, spender, value: amount, nonce, deadline }));
  return { deadline, v: sig.v, r: sig.r, s: sig.s };
}

async function latestTimestamp(runner: ContractRunner): Promise<bigint> {
  const block = await providerOf(runner, "latestTimestamp").getBlock("latest");
  return BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
}

/** Funds an ERC-20 step: allowance, permit or approve; returns the request to send. */
async function fund(
  runner: ContractRunner,
  leg: LocatedLeg,
  token: string,
  amount: bigint,
  plain: TxRequest,
  withPermit: (p: PermitSignature) => TxRequest,
  action: string,
  opts: FundingOptions,
): Promise<TxRequest> {
  if (BigInt(token) === 0n) return plain;
  const signer = signerOf(runner, action);
  const owner = await signer.getAddress();
  const method = opts.funding ?? "auto";
  const allowance = await readToken<bigint>(runner, token, "allowance", [owner, leg.at.escrow]);
  if (allowance >= amount && method === "auto") return plain;
  if (method !== "approve") {
    const deadline = (await latestTimestamp(runner)) + BigInt(opts.permitLifetime ?? 3600);
    const permit = await signPermit(signer, token, leg.at.escrow, amount, deadline);
    if (permit) return withPermit(permit);
    if (method === "permit") throw new TransactionFailedError(action, new Error(`token ${token} has no usable ERC-2612 permit`));
  }
  await sendChecked(runner, approveTx(token, leg.at.escrow, amount), `${action}: approve`, { ...opts, confirmations: Math.max(1, opts.confirmations ?? 1) });
  return plain;
}

/** Step 1/2: the redeemer deposits the leg's premium (native value, allowance, permit or approve). */
export async function depositPremium(runner: ContractRunner, leg: LocatedLeg, opts: FundingOptions = {}): Promise<ActionResult> {
  await checkChain(runner, leg.at, "depositPremium");
  const tx = await fund(runner, leg, leg.leg.premiumToken, leg.leg.premiumAmount, depositPremiumTx(leg), (p) => depositPremiumWithPermitTx(leg, p), "depositPremium", opts);
  return sendChecked(runner, tx, "depositPremium", opts);
}

/** Step 3/4: the escrower locks the principal (a plain leg is created by this call). */
export async function escrowPrincipal(runner: ContractRunner, leg: LocatedLeg, opts: FundingOptions = {}): Promise<ActionResult> {
  await checkChain(runner, leg.at, "escrow");
  const tx = await fund(runner, leg, leg.leg.token, leg.leg.amount, escrowTx(leg), (p) => escrowWithPermitTx(leg, p), "escrow", opts);
  return sendChecked(runner, tx, "escrow", opts);
}

/** Step 5/6: redeems the leg with its secret; anyone may send it, the redeemer is paid. */
export function redeem(runner: ContractRunner, leg: LocatedLeg, secret: string, opts?: TxOptions): Promise<ActionResult> {
  return sendTx(runner, leg.at, redeemTx(leg, secret), "redeem", opts);
}

/** Redeems several legs of one escrow in one transaction. */
export function redeemBatch(runner: ContractRunner, items: readonly { leg: LocatedLeg; secret: string }[], opts?: TxOptions): Promise<ActionResult> {
  const tx = redeemBatchTx(items);
  return sendTx(runner, items[0]!.leg.at, tx, "redeemBatch", opts);
}

/** Settles a leg after its deadline (refund, premium refund or premium payout, by the §2 rules). */
export function settle(runner: ContractRunner, leg: LocatedLeg, opts?: TxOptions): Promise<ActionResult> {
  return sendTx(runner, leg.at, settleTx(leg), "settle", opts);
}

/** Settles several legs of one escrow in one transaction. */
export function settleBatch(runner: ContractRunner, legs: readonly LocatedLeg[], opts?: TxOptions): Promise<ActionResult> {
  const tx = settleBatchTx(legs);
  return sendTx(runner, legs[0]!.at, tx, "settleBatch", opts);
}

/** The redeemer's EIP-712 consent to a cooperative abort of `leg` (sent to the escrower off-chain). */
export async function signCooperativeAbort(signer: Signer, leg: LocatedLeg): Promise<string> {
  if (typeof signer.signTypedData !== "function") throw new RunnerError("signer", "signCooperativeAbort");
  const { domain, types, message } = abortTypedData(leg.leg, leg.at);
  return signer.signTypedData(domain, types, message);
}

/** The escrower aborts `leg` with the redeemer's signature: principal back now, premium to the redeemer. */
export function cooperativeAbort(runner: ContractRunner, leg: LocatedLeg, redeemerSignature: string, opts?: TxOptions): Promise<ActionResult> {
  return sendTx(runner, leg.at, abortTx(leg, redeemerSignature), "abort", opts);
}

/** Options of {@link withdrawCredits} in its options form: recipient, amount and the transaction options. */
export interface WithdrawOptions extends TxOptions {
  /** Who receives the withdrawal; default the runner's own address. */
  readonly to?: string;
  /**
   * Withdraw only this part of the credit (`withdraw(token, to, amount)`, > 0 and at most the credit);
   * the rest stays credited. Default: the whole credit (`withdraw(token, to)`). For a credit that the
   * token refuses to move in one transfer (a per-transfer limit): withdraw it in parts.
   */
  readonly amount?: bigint;
}

/**
 * Withdraws the caller's credit of `token` (payouts the escrow could not push and credited instead;
 * `NATIVE` for the native coin) to `to`, default the runner's own address.
 *
 * Two call forms: `withdrawCredits(runner, at, token, to?, opts?)` withdraws the whole credit, as it
 * always did; `withdrawCredits(runner, at, token, { to?, amount?, ...opts })` withdraws `amount` of it
 * when given (the escrow's partial withdrawal), else the whole. The escrow's refusals come back typed:
 * `NothingToWithdrawError`, `WithdrawExceedsCreditError`, `WithdrawFailedError`; an `amount` that is
 * not a uint256 above 0 is refused before sending (`CallInputError`).
 */
export async function withdrawCredits(runner: ContractRunner, at: EscrowLocation, token: string, to?: string, opts?: TxOptions): Promise<ActionResult>;
export async function withdrawCredits(runner: ContractRunner, at: EscrowLocation, token: string, options: WithdrawOptions): Promise<ActionResult>;
export async function withdrawCredits(
  runner: ContractRunner,
  at: EscrowLocation,
  token: string,
  toOrOptions?: string | WithdrawOptions,
  opts?: TxOptions,
): Promise<ActionResult> {
  const { to, amount, ...txOptions }: WithdrawOptions =
    typeof toOrOptions === "object" && toOrOptions !== null ? { ...opts, ...toOrOptions } : { ...opts, ...(toOrOptions !== undefined ? { to: toOrOptions } : {}) };
  const recipient = to ?? (await signerOf(runner, "withdraw").getAddress());
  return sendTx(runner, at, withdrawTx(at, token, recipient, amount), "withdraw", txOptions);
}
