/**
 * Reading legs from the chain: stored state, the outcome of finished legs (from their events), credits,
 * the chain's own clock, and waiting until a leg's secret is revealed.
 */
import { sha256, type ContractRunner, type Log, type Provider } from "ethers";

import { checkAddress, checkBytes32 } from "./bytes";
import { escrowInterface } from "./calldata";
import { escrowContract, providerOf } from "./deployments";
import { WaitEndedError } from "./errors";
import { LegState, type EscrowLocation, type LocatedLeg } from "./leg";
import { unpackTimelocks } from "./timelocks";

/**
 * Where a leg is in its life: the stored states, plus the outcomes of legs the contract has deleted
 * (redeemed or settled), told apart by their events.
 */
export type LegStatus =
  | { readonly kind: "absent" }
  | { readonly kind: "premiumDeposited" }
  | { readonly kind: "escrowed" }
  | { readonly kind: "aborted"; readonly txHash?: string }
  | { readonly kind: "redeemed"; readonly secret: string; readonly txHash: string; readonly blockNumber: number }
  | { readonly kind: "refunded"; readonly txHash: string; readonly blockNumber: number }
  | { readonly kind: "premiumRefunded"; readonly txHash: string; readonly blockNumber: number };

/** Options of event scans: the first block to read (default 0, or the deployment block if you know it). */
export interface ScanOptions {
  readonly fromBlock?: number;
  readonly toBlock?: number | "latest";
}

/** The leg's stored state (`legState(legId)`). */
export async function getLegState(runner: ContractRunner, leg: LocatedLeg): Promise<LegState> {
  return Number(await escrowContract(leg.at.escrow, runner).legState(leg.id)) as LegState;
}

/**
 * The stored states of many legs of one escrow (`legStatesOf(legIds)`), in order, `chunk` ids per call,
 * all read at `blockTag` (default latest).
 */
export async function getLegStates(runner: ContractRunner, at: EscrowLocation, legIds: readonly string[], opts: { blockTag?: number | string; chunk?: number } = {}): Promise<LegState[]> {
  const escrow = escrowContract(at.escrow, runner);
  const chunk = opts.chunk ?? 1000;
  const calls: Promise<bigint[]>[] = [];
  for (let i = 0; i < legIds.length; i += chunk) {
    calls.push(escrow.legStatesOf(legIds.slice(i, i + chunk).map((id) => checkBytes32("legId", id)), opts.blockTag === undefined ? {} : { blockTag: opts.blockTag }));
  }
  return (await Promise.all(calls)).flat().map((s) => Number(s) as LegState);
}

/** The chain's own clock: the timestamp of its latest block. Deadlines are judged by this, not the local clock. */
export async function chainTime(runner: ContractRunner): Promise<bigint> {
  const block = await providerOf(runner, "chainTime").getBlock("latest");
  if (!block) throw new WaitEndedError("the provider returned no latest block");
  return BigInt(block.timestamp);
}

const TOPIC = {
  redeemed: escrowInterface.getEvent("LegRedeemed")!.topicHash,
  refunded: escrowInterface.getEvent("LegRefunded")!.topicHash,
  premiumRefunded: escrowInterface.getEvent("LegPremiumRefunded")!.topicHash,
  aborted: escrowInterface.getEvent("LegAborted")!.topicHash,
};

async function legLogs(provider: Provider, leg: LocatedLeg, scan: ScanOptions): Promise<Log[]> {
  return provider.getLogs({
    address: leg.at.escrow,
    topics: [[TOPIC.redeemed, TOPIC.refunded, TOPIC.premiumRefunded, TOPIC.aborted], leg.id],
    fromBlock: scan.fromBlock ?? 0,
    toBlock: scan.toBlock ?? "latest",
  });
}

/** The leg's status: its stored state, or for a deleted leg the event that finished it. */
export async function getLegStatus(runner: ContractRunner, leg: LocatedLeg, scan: ScanOptions = {}): Promise<LegStatus> {
  const state = await getLegState(runner, leg);
  if (state === LegState.PremiumDeposited) return { kind: "premiumDeposited" };
  if (state === LegState.Escrowed) return { kind: "escrowed" };
  const logs = await legLogs(providerOf(runner, "getLegStatus"), leg, scan);
  const last = logs[logs.length - 1];
  if (state === LegState.Aborted) return { kind: "aborted", ...(last ? { txHash: last.transactionHash } : {}) };
  if (!last) return { kind: "absent" };
  const where = { txHash: last.transactionHash, blockNumber: last.blockNumber };
  if (last.topics[0] === TOPIC.redeemed) return { kind: "redeemed", secret: secretOf(last), ...where };
  if (last.topics[0] === TOPIC.refunded) return { kind: "refunded", ...where };
  if (last.topics[0] === TOPIC.premiumRefunded) return { kind: "premiumRefunded", ...where };
  return { kind: "absent" };
}

function secretOf(log: Log): string {
  return escrowInterface.decodeEventLog("LegRedeemed", log.data, log.topics)[1] as string;
}

/** The secret revealed by a redeem of `leg`, if any (scans `LegRedeemed` events). */
export async function findRevealedSecret(runner: ContractRunner, leg: LocatedLeg, scan: ScanOptions = {}): Promise<string | undefined> {
  const logs = await providerOf(runner, "findRevealedSecret").getLogs({
    address: leg.at.escrow,
    topics: [TOPIC.redeemed, leg.id],
    fromBlock: scan.fromBlock ?? 0,
    toBlock: scan.toBlock ?? "latest",
  });
  for (const log of logs) {
    const secret = secretOf(log);
    if (sha256(secret) === leg.leg.hashlock.toLowerCase()) return secret;
  }
  return undefined;
}

/** Options of `waitForSecret`. */
export interface WaitOptions extends ScanOptions {
  /** Milliseconds between polls; default 1000. */
  readonly pollInterval?: number;
  /** Stops the wait (with `WaitEndedError`) when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves with the leg's secret as soon as a redeem reveals it. Ends with `WaitEndedError` when the
 * leg's timeout has passed on its chain with no redeem (it can no longer be revealed there) or when
 * `signal` aborts. Polls, so it works over plain HTTP JSON-RPC.
 */
export async function waitForSecret(runner: ContractRunner, leg: LocatedLeg, opts: WaitOptions = {}): Promise<string> {
  const timeout = unpackTimelocks(leg.leg.timelocks).timeout;
  const interval = opts.pollInterval ?? 1000;
  for (;;) {
    if (opts.signal?.aborted) throw new WaitEndedError("the wait was aborted", { legId: leg.id });
    const now = await chainTime(runner);
    const secret = await findRevealedSecret(runner, leg, opts);
    if (secret) return secret;
    if (now > timeout) throw new WaitEndedError("the leg's timeout passed without a redeem", { legId: leg.id, timeout, now });
    await sleep(interval, opts.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The caller-withdrawable credit of `account` in `token` (payouts that could not be pushed). */
export async function getCredits(runner: ContractRunner, at: EscrowLocation, account: string, token: string): Promise<bigint> {
  return escrowContract(at.escrow, runner).credits(checkAddress("account", account), checkAddress("token", token));
}
