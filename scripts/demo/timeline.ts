/**
 * The demo's view of the chains: every escrow event on both chains, described in the words of the
 * protocol (which party, which step, which leg), for the live progress and the final timeline.
 */
import { formatUnits, type JsonRpcProvider, type Log } from "ethers";

import { escrowInterface, type SwapPlan } from "../../src/sdk";

/** One described event. */
export interface TimelineEntry {
  readonly chain: string;
  readonly block: number;
  readonly timestamp: number;
  readonly step: string;
  readonly text: string;
  readonly tx: string;
}

/** A chain as the demo watches it. */
export interface WatchedChain {
  readonly name: string;
  readonly chainId: bigint;
  readonly provider: JsonRpcProvider;
  readonly escrow: string;
  readonly symbol: string;
}

const units = (x: bigint) => formatUnits(x, 18).replace(/\.0$/, "");

/** Where each kind of entry goes in a timeline: the protocol's steps 1–6 in order, then aborts, then settlements. */
const STEP_RANK: Readonly<Record<string, number>> = { "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, abort: 7, settle: 8 };

/**
 * The order of a timeline: by step (1–6, abort, settle), then block time, chain and block. Two steps
 * can land in blocks with the same time on the two chains; the steps still read in protocol order.
 */
export function byStep(x: TimelineEntry, y: TimelineEntry): number {
  return (STEP_RANK[x.step] ?? 99) - (STEP_RANK[y.step] ?? 99) || x.timestamp - y.timestamp || x.chain.localeCompare(y.chain) || x.block - y.block;
}

/** Describes one escrow log of the swap's legs; undefined for logs of other legs. */
export function describe(plan: SwapPlan, chain: WatchedChain, log: Log, timestamp: number): TimelineEntry | undefined {
  const parsed = escrowInterface.parseLog({ topics: [...log.topics], data: log.data });
  if (!parsed) return undefined;
  const leg = [plan.legA, plan.legB].find((l) => l.at.chainId === chain.chainId && l.at.escrow === chain.escrow && (parsed.args[0] === l.id || parsed.args[0] === l.leg.hashlock));
  if (!leg) return undefined;
  const isA = leg.name === "A";
  const escrower = isA ? "Alice" : "Bob";
  const redeemer = isA ? "Bob" : "Alice";
  const base = { chain: chain.name, block: log.blockNumber, timestamp, tx: log.transactionHash };
  switch (parsed.name) {
    case "LegPremiumDeposited":
      return { ...base, step: isA ? "2" : "1", text: `${redeemer} deposits a premium of ${units(leg.leg.premiumAmount)} ${chain.symbol} on leg ${leg.name}` };
    case "LegEscrowed":
      return { ...base, step: isA ? "3" : "4", text: `${escrower} escrows ${units(leg.leg.amount)} ${chain.symbol} on leg ${leg.name} (hashlock ${leg.leg.hashlock.slice(0, 10)}…)` };
    case "LegRedeemed":
      return { ...base, step: isA ? "6" : "5", text: `leg ${leg.name} redeemed: ${redeemer} receives ${units(leg.leg.amount)} ${chain.symbol}${isA ? " (secret read from chain B)" : ", revealing the secret"}` };
    case "LegRefunded":
      return { ...base, step: "settle", text: `leg ${leg.name} expired: ${escrower} gets ${units(leg.leg.amount)} ${chain.symbol} back and the premium of ${units(leg.leg.premiumAmount)} ${chain.symbol}` };
    case "LegPremiumRefunded":
      return { ...base, step: "settle", text: `leg ${leg.name} never escrowed: ${redeemer}'s premium of ${units(leg.leg.premiumAmount)} ${chain.symbol} goes back` };
    case "LegAborted":
      return { ...base, step: "abort", text: `leg ${leg.name} cooperatively aborted` };
    default:
      return undefined;
  }
}

/** Reads new escrow logs of both chains since the last call. */
export class TimelineReader {
  /** Every entry so far, sorted by step (`byStep`). */
  readonly entries: TimelineEntry[] = [];
  readonly #from = new Map<string, number>();
  readonly #times = new Map<string, number>();

  constructor(
    private readonly plan: SwapPlan,
    private readonly chains: readonly WatchedChain[],
  ) {}

  /** Returns the entries that appeared since the last poll (also kept in `entries`). */
  async poll(): Promise<TimelineEntry[]> {
    const fresh: TimelineEntry[] = [];
    for (const c of this.chains) {
      const latest = await c.provider.getBlockNumber();
      const from = this.#from.get(c.name) ?? 0;
      if (latest < from) continue;
      const logs = await c.provider.getLogs({ address: c.escrow, fromBlock: from, toBlock: latest });
      this.#from.set(c.name, latest + 1);
      for (const log of logs) {
        const key = `${c.name}:${log.blockNumber}`;
        if (!this.#times.has(key)) this.#times.set(key, (await c.provider.getBlock(log.blockNumber))!.timestamp);
        const entry = describe(this.plan, c, log, this.#times.get(key)!);
        if (entry) fresh.push(entry);
      }
    }
    fresh.sort(byStep);
    this.entries.push(...fresh);
    this.entries.sort(byStep);
    return fresh;
  }
}
