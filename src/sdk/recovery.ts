/**
 * Recovery: rebuild every leg involving an address from the escrow's events, learn every secret that
 * can be known (revealed on any scanned chain, or re-derived from the party's seed), and finish what
 * can be finished — redeem what the party is owed, settle what is past its deadline.
 */
import { keccak256, sha256, toBeHex, type BytesLike, type ContractRunner, type Log } from "ethers";

import { settleBatch, redeemBatch, type ActionResult, type TxOptions } from "./actions";
import { checkAddress } from "./bytes";
import { InvalidArgumentError } from "./errors";
import { escrowInterface } from "./calldata";
import { providerOf } from "./deployments";
import { locateLeg, NATIVE, type EscrowLocation, type LegStruct, type LocatedLeg } from "./leg";
import { chainTime, getLegStatus, type LegStatus, type ScanOptions } from "./read";
import { secretsByHashlock } from "./secrets";
import { unpackTimelocks } from "./timelocks";

/** A leg found on chain, with the account's role in it and its current status. */
export interface FoundLeg extends LocatedLeg {
  readonly role: "escrower" | "redeemer";
  readonly status: LegStatus;
  /** Where the leg was created (its premium deposit, or its lock for a plain leg). */
  readonly createdAt: { readonly blockNumber: number; readonly txHash: string };
}

const CREATION = ["LegPremiumDeposited", "LegLocked", "NativeLegLocked"] as const;
const CREATION_TOPICS = CREATION.map((n) => escrowInterface.getEvent(n)!.topicHash);
const REDEEMED_TOPIC = escrowInterface.getEvent("LegRedeemed")!.topicHash;

const ZERO_WORD = "0".repeat(64);
/** Per creation event topic: its name, and its data words as the leg id's words after the hashlock. */
const CREATION_WORDS = new Map<string, { name: string; size: number; idWords: (w: string[]) => string[] }>([
  // token, amount, timelocks, premiumToken, premiumAmount (a premium leg: the premium words count)
  [CREATION_TOPICS[0]!, { name: CREATION[0], size: 5, idWords: (w) => (w[3] === ZERO_WORD && w[4] === ZERO_WORD ? w.slice(0, 3) : w) }],
  // token, amount, timelocks
  [CREATION_TOPICS[1]!, { name: CREATION[1], size: 3, idWords: (w) => w }],
  // amount, timelocks (the token is the native coin, zero)
  [CREATION_TOPICS[2]!, { name: CREATION[2], size: 2, idWords: (w) => [ZERO_WORD, ...w] }],
]);

/**
 * The id of the leg a creation event (`LegPremiumDeposited`, `LegLocked`, `NativeLegLocked`) created,
 * straight from the log's words: the same value as `locateLeg(legFromCreationLog(log), at).id`,
 * without decoding (a watcher computes one per creation log it reads).
 */
export function legIdOfCreationLog(log: { readonly topics: readonly string[]; readonly data: string }, at: EscrowLocation): string {
  const [topic, hashlock, escrower, redeemer] = log.topics;
  const layout = topic === undefined ? undefined : CREATION_WORDS.get(topic);
  if (!layout) throw new InvalidArgumentError("log", "is not a leg creation event", topic);
  const data = log.data.slice(2).toLowerCase();
  if (data.length !== 64 * layout.size || hashlock === undefined || escrower === undefined || redeemer === undefined) {
    throw new InvalidArgumentError("log", `is not a well-formed ${layout.name} event`, log.data);
  }
  const words = Array.from({ length: layout.size }, (_, i) => data.slice(64 * i, 64 * (i + 1)));
  const word = (hex: string) => hex.slice(2).toLowerCase().padStart(64, "0");
  const head = [toBeHex(at.chainId, 32).slice(2), word(at.escrow), word(escrower), word(redeemer), word(hashlock)];
  return keccak256("0x" + [...head, ...layout.idWords(words)].join(""));
}

/** Rebuilds a leg's parameters from its creation event. */
export function legFromCreationLog(log: Log): LegStruct {
  const parsed = escrowInterface.parseLog({ topics: [...log.topics], data: log.data });
  if (!parsed || !(CREATION as readonly string[]).includes(parsed.name)) throw new Error(`not a leg creation log: ${log.transactionHash}`);
  const a = parsed.args;
  const base = { hashlock: a.hashlock as string, escrower: a.escrower as string, redeemer: a.redeemer as string, timelocks: a.timelocks as bigint };
  if (parsed.name === "NativeLegLocked") return { ...base, token: NATIVE, amount: a.amount as bigint, premiumToken: NATIVE, premiumAmount: 0n };
  if (parsed.name === "LegLocked") return { ...base, token: a.token as string, amount: a.amount as bigint, premiumToken: NATIVE, premiumAmount: 0n };
  return { ...base, token: a.token as string, amount: a.amount as bigint, premiumToken: a.premiumToken as string, premiumAmount: a.premiumAmount as bigint };
}

/**
 * Every leg of `at` in which `account` is the escrower or the redeemer, from the creation events
 * (`LegPremiumDeposited`, `LegLocked`, `NativeLegLocked`), with its current status. A plain leg
 * created again after a refund appears once.
 */
export async function findLegs(runner: ContractRunner, at: EscrowLocation, account: string, scan: ScanOptions = {}): Promise<FoundLeg[]> {
  const who = checkAddress("account", account);
  const provider = providerOf(runner, "findLegs");
  const topicOf = (a: string) => "0x" + a.slice(2).toLowerCase().padStart(64, "0");
  const range = { address: at.escrow, fromBlock: scan.fromBlock ?? 0, toBlock: scan.toBlock ?? "latest" };
  const [asEscrower, asRedeemer] = await Promise.all([
    provider.getLogs({ ...range, topics: [CREATION_TOPICS, null, topicOf(who)] }),
    provider.getLogs({ ...range, topics: [CREATION_TOPICS, null, null, topicOf(who)] }),
  ]);
  const byId = new Map<string, { leg: LocatedLeg; log: Log }>();
  for (const log of [...asEscrower, ...asRedeemer].sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index)) {
    const leg = locateLeg(legFromCreationLog(log), at);
    byId.set(leg.id, { leg, log });
  }
  const out: FoundLeg[] = [];
  for (const { leg, log } of byId.values()) {
    const status = await getLegStatus(runner, leg, scan);
    out.push({
      ...leg,
      role: checkAddress("escrower", leg.leg.escrower) === who ? "escrower" : "redeemer",
      status,
      createdAt: { blockNumber: log.blockNumber, txHash: log.transactionHash },
    });
  }
  return out;
}

/** Every secret revealed by a redeem on `at`, by hashlock. */
export async function revealedSecrets(runner: ContractRunner, at: EscrowLocation, scan: ScanOptions = {}): Promise<Map<string, string>> {
  const logs = await providerOf(runner, "revealedSecrets").getLogs({
    address: at.escrow,
    topics: [REDEEMED_TOPIC],
    fromBlock: scan.fromBlock ?? 0,
    toBlock: scan.toBlock ?? "latest",
  });
  const out = new Map<string, string>();
  for (const log of logs) {
    const secret = escrowInterface.decodeEventLog("LegRedeemed", log.data, log.topics)[1] as string;
    out.set(sha256(secret), secret);
  }
  return out;
}

/** What recovery does with one leg. */
export type RecoveryStep =
  | { readonly kind: "redeem"; readonly leg: FoundLeg; readonly secret: string }
  | { readonly kind: "settle"; readonly leg: FoundLeg }
  | { readonly kind: "wait"; readonly leg: FoundLeg; readonly until: bigint; readonly reason: string }
  | { readonly kind: "done"; readonly leg: FoundLeg };

/**
 * Decides, for each found leg, what to do at chain time `now` (pure): redeem an escrowed leg the
 * account is owed while its secret is known and its timeout not passed; settle a leg past its
 * deadline; otherwise wait (until the deadline, or for the secret) or nothing (already final).
 *
 * @param secrets - known secrets by hashlock (lower-case hex), e.g. from `secretsByHashlock` and `revealedSecrets`.
 */
export function planRecovery(legs: readonly FoundLeg[], secrets: ReadonlyMap<string, string>, now: bigint): RecoveryStep[] {
  return legs.map((leg): RecoveryStep => {
    const t = unpackTimelocks(leg.leg.timelocks);
    if (leg.status.kind === "escrowed") {
      const secret = secrets.get(leg.leg.hashlock.toLowerCase());
      if (now > t.timeout) return { kind: "settle", leg };
      if (leg.role === "redeemer" && secret) return { kind: "redeem", leg, secret };
      return { kind: "wait", leg, until: t.timeout, reason: leg.role === "redeemer" ? "secret unknown until now" : "counterparty may still redeem" };
    }
    if (leg.status.kind === "premiumDeposited") {
      if (now > t.escrowDeadline) return { kind: "settle", leg };
      return { kind: "wait", leg, until: t.escrowDeadline, reason: "principal may still be escrowed" };
    }
    return { kind: "done", leg };
  });
}

/** One chain for `recover`: a runner that can send (the party's signer on that chain) and the escrow. */
export interface RecoveryChain {
  readonly runner: ContractRunner;
  readonly at: EscrowLocation;
  readonly fromBlock?: number;
}

/** Options of `recover`. */
export interface RecoverOptions extends TxOptions {
  /** The party whose legs to recover. */
  readonly account: string;
  /** The party's secret seed: secrets of indexes [0, seedScan) are re-derived. */
  readonly seed?: BytesLike;
  /** How many seed indexes to try; default 1000. */
  readonly seedScan?: number;
}

/** What `recover` found and did. */
export interface RecoveryReport {
  readonly legs: readonly FoundLeg[];
  readonly steps: readonly RecoveryStep[];
  readonly transactions: readonly ActionResult[];
}

/**
 * Finds every leg of `account` on every chain, gathers every known secret (seed-derived and revealed
 * on any chain), then redeems and settles in batches per escrow, judging deadlines by each chain's
 * clock. Legs that must wait are reported in `steps` with the time to come back.
 */
export async function recover(chains: readonly RecoveryChain[], opts: RecoverOptions): Promise<RecoveryReport> {
  const found = await Promise.all(chains.map((c) => findLegs(c.runner, c.at, opts.account, { fromBlock: c.fromBlock ?? 0 })));
  const secrets = new Map<string, string>();
  if (opts.seed !== undefined) for (const [h, s] of secretsByHashlock(opts.seed, opts.seedScan ?? 1000)) secrets.set(h, s.secret);
  for (const c of chains) for (const [h, s] of await revealedSecrets(c.runner, c.at, { fromBlock: c.fromBlock ?? 0 })) secrets.set(h, s);

  const steps: RecoveryStep[] = [];
  const transactions: ActionResult[] = [];
  for (const [i, c] of chains.entries()) {
    const plan = planRecovery(found[i]!, secrets, await chainTime(c.runner));
    steps.push(...plan);
    const redeems = plan.flatMap((s) => (s.kind === "redeem" ? [{ leg: s.leg as LocatedLeg, secret: s.secret }] : []));
    const settles = plan.flatMap((s) => (s.kind === "settle" ? [s.leg as LocatedLeg] : []));
    if (redeems.length > 0) transactions.push(await redeemBatch(c.runner, redeems, opts));
    if (settles.length > 0) transactions.push(await settleBatch(c.runner, settles, opts));
  }
  return { legs: found.flat(), steps, transactions };
}
