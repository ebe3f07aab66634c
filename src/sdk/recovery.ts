/**
 * Recovery: rebuild every leg involving an address from the escrow's events, learn every secret that
 * can be known (revealed on any scanned chain, or re-derived from the party's seed), and finish what
 * the party agreed to — redeem what it is owed, settle what is past its deadline — under the same
 * decision rule as the coordinator (`./rules`). A leg that belongs to no swap the party agreed to is
 * reported and never touched: a counterparty can create legs with the swap's hashlock (a 1-wei "bait"
 * leg to the leader), and redeeming one would publish the secret before the real leg is escrowed.
 * Agreed hedged cycles (`PROTOCOLS.md` §7) are judged arc by arc by the cycle rule (`./cycleRecovery`).
 */
import { keccak256, sha256, toBeHex, type BytesLike, type ContractRunner, type Log } from "ethers";

import { settleBatch, redeemBatch, withdrawCredits, type ActionResult, type TxOptions } from "./actions";
import { withdrawableCredit } from "./credits";
import { checkAddress } from "./bytes";
import { InvalidArgumentError } from "./errors";
import { escrowInterface } from "./calldata";
import { providerOf } from "./deployments";
import { LegState, locateLeg, NATIVE, type EscrowLocation, type LegStruct, type LocatedLeg } from "./leg";
import { getLegStates, getLegStatus, type LegStatus, type ScanOptions } from "./read";
import { offerDigest, type SignedOffer, type SwapOffer } from "./offer";
import { planFromOffer, type SwapPlan } from "./plan";
import { DEFAULT_CHAIN_SAFETY, DEFAULT_REACTION_MARGIN, decideNext, type ChainSafety } from "./rules";
import { secretsByHashlock } from "./secrets";
import { agreedCycleId, agreedCyclePlan, judgeCycle, legsOf, observeLeg as observe, waitOrDone, withheldReason, type AgreedCycle } from "./cycleRecovery";
import type { CyclePlan } from "./cyclePlan";
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
  let parsed: ReturnType<typeof escrowInterface.parseLog>;
  try {
    parsed = escrowInterface.parseLog({ topics: [...log.topics], data: log.data });
  } catch (e) {
    throw new InvalidArgumentError("log", `is not a well-formed escrow event (${e instanceof Error ? e.message : String(e)})`, log.transactionHash);
  }
  if (!parsed || !(CREATION as readonly string[]).includes(parsed.name)) throw new InvalidArgumentError("log", "is not a leg creation event", log.transactionHash);
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

/**
 * What recovery does with one leg. `step` is the protocol step of a redeem: 5 (the leader's commit, under
 * the reveal rule) or 6 (with s seen on chain) for a two-party swap; for a cycle of n parties 2n+1 (the
 * leader's reveal on arc n−1) or 2n+1+j (party n−j's redeem of arc n−1−j), with the arc's index in `arc`.
 * `swapId` is the swap's or the cycle's id (its offer's digest).
 */
export type RecoveryStep =
  | { readonly kind: "redeem"; readonly leg: FoundLeg; readonly secret: string; readonly step: number; readonly arc?: number; readonly swapId: string }
  | { readonly kind: "settle"; readonly leg: FoundLeg }
  | { readonly kind: "wait"; readonly leg: FoundLeg; readonly until: bigint; readonly reason: string }
  /** The rule forbids the step now (e.g. a reveal that could be mined after its deadline): not sent, ever. */
  | { readonly kind: "withheld"; readonly leg: FoundLeg; readonly step: number; readonly arc?: number; readonly reason: string; readonly swapId: string }
  /** The leg belongs to no agreed swap (or its terms differ from the agreed ones): reported, not touched. */
  | { readonly kind: "unrecognised"; readonly leg: FoundLeg; readonly reason: string }
  | { readonly kind: "done"; readonly leg: FoundLeg };

/** What `planRecovery` judges the legs against. */
export interface RecoveryContext {
  /** The party whose legs these are. */
  readonly account: string;
  /** The swaps and cycles the party agreed to (plans, offers or signed offers): only their legs are acted on. */
  readonly agreed: readonly AgreedSwap[];
  /** Secrets seen on a chain (revealed by a redeem), by hashlock (lower-case hex). */
  readonly revealed: ReadonlyMap<string, string>;
  /** The party's own secrets (re-derived from its seed), by hashlock: used only when it leads the swap. */
  readonly own?: ReadonlyMap<string, string>;
  /** Each chain's clock (its latest block's timestamp), by chain id. */
  readonly clocks: ReadonlyMap<bigint, bigint>;
  /** Each chain's safety figures, by chain id; default `DEFAULT_CHAIN_SAFETY`. */
  readonly safety?: ReadonlyMap<bigint, ChainSafety>;
  /** Seconds the party needs to react; default `DEFAULT_REACTION_MARGIN`. */
  readonly reactionMargin?: bigint;
  /**
   * Settle legs of no agreed swap once past their deadlines (a settlement reveals nothing and pays by
   * the contract's rules). Default false: such legs are only reported.
   */
  readonly settleUnrecognised?: boolean;
  /**
   * Ids of agreed swaps whose secret the account vowed never to reveal (it consented to the abort of
   * leg B, e.g. through its coordinator): their leg B is never redeemed, whatever the chains show. For a
   * cycle it leads: its arc n−1, while arc 0 is at stake.
   */
  readonly forsworn?: ReadonlySet<string>;
}

/** A swap or cycle the party agreed to: its plan, its offer, or its signed offer. */
export type AgreedSwap = SwapPlan | SwapOffer | SignedOffer | AgreedCycle;

function planOf(a: AgreedSwap): SwapPlan | CyclePlan {
  const cycle = agreedCyclePlan(a);
  if (cycle) return cycle;
  if ("legA" in a && "terms" in a.legA) return a as SwapPlan;
  const offer = "offer" in a ? (a.offer as SwapOffer) : (a as SwapOffer);
  // The offer was validated when it was agreed: re-derive its legs without the checks against the current time.
  return planFromOffer(offer, { skipTimeChecks: true, minDelta: 0n, allowSameChain: true });
}

function pastDeadline(leg: FoundLeg, now: bigint): boolean {
  const t = unpackTimelocks(leg.leg.timelocks);
  return (leg.status.kind === "escrowed" && now > t.timeout) || (leg.status.kind === "premiumDeposited" && now > t.escrowDeadline);
}

/**
 * Decides, for each found leg, what to do now (pure). Legs of an agreed swap are judged by the
 * protocol's decision rule (`decideNext`): the leader redeems leg B (revealing s) only when both legs
 * are escrowed at their chains' final blocks, with the agreed terms, and the redeem can be mined before
 * leg B's timeout with inclusion time + confirmation time + clock skew + reaction margin to spare; the
 * follower redeems leg A only with a secret seen on a chain; every leg is settled after its deadline.
 * An agreed cycle's arcs of the account are judged by the cycle rule (`judgeCycle`): the leader reveals s
 * only when arcs n−1 and 0 are escrowed at their final blocks (or arc 0 is closed), a middle party redeems
 * its incoming arc only with a secret seen on a chain. A leg of no agreed swap is reported as `unrecognised` and not touched (unless `settleUnrecognised`).
 *
 * @param legs - the account's legs on every chain, from `findLegs`.
 * @param finalStates - each leg's state at its chain's final block, by leg id (default: the leg's found status).
 */
export function planRecovery(legs: readonly FoundLeg[], ctx: RecoveryContext, finalStates: ReadonlyMap<string, LegState> = new Map()): RecoveryStep[] {
  const account = checkAddress("account", ctx.account);
  const byId = new Map(legs.map((l) => [l.id, l]));
  const claimed = new Map<string, RecoveryStep>();
  const reaction = ctx.reactionMargin ?? DEFAULT_REACTION_MARGIN;
  const safetyOf = (chainId: bigint) => ctx.safety?.get(chainId) ?? DEFAULT_CHAIN_SAFETY;
  for (const agreed of ctx.agreed) {
    const plan = planOf(agreed);
    if ("arcs" in plan) {
      for (const [id, step] of judgeCycle(plan, ctx, byId, finalStates)) claimed.set(id, step);
      continue;
    }
    const roles = { leader: checkAddress("leader", plan.offer.leader) === account, follower: checkAddress("follower", plan.offer.follower) === account };
    if (!roles.leader && !roles.follower) continue;
    const foundA = byId.get(plan.legA.id);
    const foundB = byId.get(plan.legB.id);
    const timeA = ctx.clocks.get(plan.legA.at.chainId);
    const timeB = ctx.clocks.get(plan.legB.at.chainId);
    if (timeA === undefined || timeB === undefined) {
      for (const f of [foundA, foundB]) if (f) claimed.set(f.id, { kind: "wait", leg: f, until: 0n, reason: "the swap's other chain was not scanned" });
      continue;
    }
    const hashlock = plan.offer.hashlock.toLowerCase();
    const own = roles.leader ? ctx.own?.get(hashlock) : undefined;
    const revealed = ctx.revealed.get(hashlock);
    const decision = decideNext({
      plan,
      roles,
      legA: observe(foundA, finalStates.get(plan.legA.id)),
      legB: observe(foundB, finalStates.get(plan.legB.id)),
      timeA,
      timeB,
      ...(own !== undefined ? { leaderSecret: own } : {}),
      ...(revealed !== undefined ? { revealedSecret: revealed } : {}),
      ...(ctx.forsworn?.has(plan.id) ? { noReveal: true } : {}),
      pending: new Set(),
      margins: { reaction, chainA: safetyOf(plan.legA.at.chainId), chainB: safetyOf(plan.legB.at.chainId) },
      settleGrace: 0n,
    });
    const swapId = plan.id;
    for (const [name, found] of [["A", foundA], ["B", foundB]] as const) {
      if (!found) continue;
      const intent = decision.intents.find((i) => i.leg === name && (i.action === "redeem" || i.action === "settle"));
      const missed = decision.missed.find((m) => (m.step === 5 && name === "B") || (m.step === 6 && name === "A"));
      if (intent?.action === "redeem") claimed.set(found.id, { kind: "redeem", leg: found, secret: intent.secret!, step: intent.step as 5 | 6, swapId });
      else if (intent?.action === "settle") claimed.set(found.id, { kind: "settle", leg: found });
      else if (missed) claimed.set(found.id, { kind: "withheld", leg: found, step: missed.step as 5 | 6, reason: withheldReason(missed.reason), swapId });
      else claimed.set(found.id, waitOrDone(found));
    }
  }
  return legs.map((leg): RecoveryStep => {
    const step = claimed.get(leg.id);
    if (step) return step;
    const now = ctx.clocks.get(leg.at.chainId);
    if (ctx.settleUnrecognised && now !== undefined && pastDeadline(leg, now)) return { kind: "settle", leg };
    if (leg.status.kind !== "escrowed" && leg.status.kind !== "premiumDeposited") return { kind: "done", leg };
    return { kind: "unrecognised", leg, reason: "not a leg of a swap the account agreed to (no agreed plan or offer has these terms)" };
  });
}

/** One chain for `recover`: a runner that can send (the party's signer on that chain) and the escrow. */
export interface RecoveryChain {
  readonly runner: ContractRunner;
  readonly at: EscrowLocation;
  readonly fromBlock?: number;
  /** Blocks that make a leg's state final (1 = the latest block); default 1. */
  readonly confirmations?: number;
  /** The chain's inclusion time and clock skew (seconds); the confirmation time is derived from `confirmations` × `blockInterval`. */
  readonly safety?: { readonly inclusionTime: bigint; readonly clockSkew: bigint; readonly blockInterval: bigint };
}

/** Options of `recover`. */
export interface RecoverOptions extends TxOptions {
  /** The party whose legs to recover. */
  readonly account: string;
  /**
   * The swaps and cycles the account agreed to (plans, offers or signed offers; keep the signed offer of
   * every one). Only their legs are redeemed; any other leg is reported as `unrecognised`.
   */
  readonly agreed: readonly AgreedSwap[];
  /** The party's secret seed: secrets of indexes [0, seedScan) are re-derived. */
  readonly seed?: BytesLike;
  /** How many seed indexes to try; default 1000. */
  readonly seedScan?: number;
  /** Seconds the party needs to react; default `DEFAULT_REACTION_MARGIN`. */
  readonly reactionMargin?: bigint;
  /** See `RecoveryContext.settleUnrecognised`. */
  readonly settleUnrecognised?: boolean;
  /**
   * Ids (offer digests, `agreedSwapId`) of agreed swaps whose secret the account vowed never to reveal:
   * every swap for which it consented to the abort of leg B. Keep them with the signed offers: once a
   * consent is out, the counterparty may abort leg B at any moment, and a redeem racing it would
   * publish s while leg B is refunded.
   */
  readonly forsworn?: readonly string[];
  /** Also withdraw the account's credits in the agreed legs' assets (whole, or the largest part that moves); default true. */
  readonly withdraw?: boolean;
}

/** A credit `recover` found: withdrawn (`amount`, the whole or a part), or stuck (nothing moves). */
export interface RecoveredCredit {
  readonly at: EscrowLocation;
  readonly token: string;
  readonly credit: bigint;
  readonly amount: bigint | undefined;
}

/** What `recover` found and did. */
export interface RecoveryReport {
  readonly legs: readonly FoundLeg[];
  readonly steps: readonly RecoveryStep[];
  readonly transactions: readonly ActionResult[];
  /** Non-zero credits of the account in the agreed legs' assets, and what was withdrawn of each. */
  readonly credits: readonly RecoveredCredit[];
}

/**
 * Finds every leg of `account` on every chain, gathers every known secret (seed-derived, and revealed
 * on any chain), reads each agreed leg's state at its chain's final block and each chain's clock, then
 * redeems and settles what `planRecovery` allows, in batches per escrow. Legs that must wait are
 * reported in `steps` with the time to come back; legs of no agreed swap are reported, not touched.
 * Without `safety`, a chain gets the conservative `DEFAULT_CHAIN_SAFETY`.
 */
export async function recover(chains: readonly RecoveryChain[], opts: RecoverOptions): Promise<RecoveryReport> {
  if (!Array.isArray(opts.agreed)) throw new InvalidArgumentError("agreed", "must list the swaps the account agreed to (plans, offers or signed offers)", opts.agreed);
  const agreed = opts.agreed.map(planOf);
  const found = await Promise.all(chains.map((c) => findLegs(c.runner, c.at, opts.account, { fromBlock: c.fromBlock ?? 0 })));
  const own = new Map<string, string>();
  if (opts.seed !== undefined) for (const [h, s] of secretsByHashlock(opts.seed, opts.seedScan ?? 1000)) own.set(h, s.secret);
  const revealed = new Map<string, string>();
  for (const c of chains) for (const [h, s] of await revealedSecrets(c.runner, c.at, { fromBlock: c.fromBlock ?? 0 })) revealed.set(h, s);

  const clocks = new Map<bigint, bigint>();
  const safety = new Map<bigint, ChainSafety>();
  const finalStates = new Map<string, LegState>();
  for (const [i, c] of chains.entries()) {
    const provider = providerOf(c.runner, "recover");
    const latest = await provider.getBlock("latest");
    if (!latest) throw new InvalidArgumentError("chains", "the provider returned no latest block", c.at.chainId);
    const confirmations = c.confirmations ?? 1;
    if (!Number.isInteger(confirmations) || confirmations < 1) throw new InvalidArgumentError("confirmations", "must be an integer of at least 1", confirmations);
    clocks.set(c.at.chainId, BigInt(latest.timestamp));
    safety.set(c.at.chainId, c.safety ? { inclusionTime: c.safety.inclusionTime, clockSkew: c.safety.clockSkew, confirmationTime: BigInt(confirmations) * c.safety.blockInterval } : DEFAULT_CHAIN_SAFETY);
    const mine = agreed.flatMap(legsOf).filter((l) => l.at.chainId === c.at.chainId && l.at.escrow.toLowerCase() === c.at.escrow.toLowerCase() && found[i]!.some((f) => f.id === l.id));
    if (mine.length === 0) continue;
    const states = await getLegStates(c.runner, c.at, mine.map((l) => l.id), { blockTag: Math.max(0, latest.number - (confirmations - 1)) });
    for (const [k, l] of mine.entries()) finalStates.set(l.id, states[k]!);
  }

  const forsworn = new Set((opts.forsworn ?? []).map((id) => id.toLowerCase()));
  const steps = planRecovery(
    found.flat(),
    { account: opts.account, agreed, revealed, own, clocks, safety, forsworn, ...(opts.reactionMargin !== undefined ? { reactionMargin: opts.reactionMargin } : {}), ...(opts.settleUnrecognised ? { settleUnrecognised: true } : {}) },
    finalStates,
  );
  const transactions: ActionResult[] = [];
  for (const c of chains) {
    const here = (s: RecoveryStep) => s.leg.at.chainId === c.at.chainId && s.leg.at.escrow.toLowerCase() === c.at.escrow.toLowerCase();
    const redeems = steps.flatMap((s) => (s.kind === "redeem" && here(s) ? [{ leg: s.leg as LocatedLeg, secret: s.secret }] : []));
    const settles = steps.flatMap((s) => (s.kind === "settle" && here(s) ? [s.leg as LocatedLeg] : []));
    if (redeems.length > 0) transactions.push(await redeemBatch(c.runner, redeems, opts));
    if (settles.length > 0) transactions.push(await settleBatch(c.runner, settles, opts));
  }
  const credits: RecoveredCredit[] = [];
  if (opts.withdraw !== false) {
    for (const c of chains) {
      // Every asset a payout of an agreed leg on this escrow can be in.
      const tokens = new Set<string>();
      for (const p of agreed) {
        for (const l of legsOf(p)) {
          if (l.at.chainId !== c.at.chainId || l.at.escrow.toLowerCase() !== c.at.escrow.toLowerCase()) continue;
          tokens.add(l.leg.token.toLowerCase());
          if (l.leg.premiumAmount > 0n) tokens.add(l.leg.premiumToken.toLowerCase());
        }
      }
      for (const token of tokens) {
        const w = await withdrawableCredit(c.runner, c.at, opts.account, token);
        if (w.credit === 0n) continue;
        credits.push({ at: c.at, token, credit: w.credit, amount: w.amount });
        if (w.amount !== undefined) transactions.push(await withdrawCredits(c.runner, c.at, token, { ...opts, to: opts.account, ...(w.amount !== w.credit ? { amount: w.amount } : {}) }));
      }
    }
  }
  return { legs: found.flat(), steps, transactions, credits };
}

/** The id of an agreed swap or cycle (its offer's EIP-712 digest), for matching reports to offers. */
export function agreedSwapId(a: AgreedSwap): string {
  return "id" in a ? a.id : agreedCycleId(a) ?? offerDigest("offer" in a ? (a.offer as SwapOffer) : (a as SwapOffer));
}
