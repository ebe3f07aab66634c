/**
 * The three-party demo's view of the chains: every escrow event of the cycle's arcs, described in the
 * words of `PROTOCOLS.md` §7 (which party, which of the 3n steps, which arc), for the live progress
 * and the final timeline. Arc i is on chain i: its premium is step n − i, its escrow step n + 1 + i,
 * its redeem step 3n − i (the leader's redeem of arc n − 1, step 2n + 1, reveals the secret).
 */
import { formatUnits, type Log } from "ethers";

import { escrowInterface, type CyclePlan } from "../../src/sdk";
import type { TimelineEntry, WatchedChain } from "./timeline";

const units = (x: bigint) => formatUnits(x, 18).replace(/\.0$/, "");

/** Timeline order: steps 1 … 3n, then aborts, then settlements; then block time, chain and block. */
export function byCycleStep(x: TimelineEntry, y: TimelineEntry): number {
  const rank = (s: string) => (s === "abort" ? 1000 : s === "settle" ? 1001 : Number(s));
  return rank(x.step) - rank(y.step) || x.timestamp - y.timestamp || x.chain.localeCompare(y.chain) || x.block - y.block;
}

/** Describes one escrow log of the cycle's arcs (`names[i]` is party i); undefined for other logs. */
export function describeCycleLog(plan: CyclePlan, names: readonly string[], chain: WatchedChain, log: Log, timestamp: number): TimelineEntry | undefined {
  const parsed = escrowInterface.parseLog({ topics: [...log.topics], data: log.data });
  if (!parsed) return undefined;
  const arc = plan.arcs.find((a) => a.at.chainId === chain.chainId && a.at.escrow === chain.escrow && (parsed.args[0] === a.id || parsed.args[0] === a.leg.hashlock));
  if (!arc) return undefined;
  const n = plan.n;
  const i = arc.index;
  const escrower = names[i]!;
  const redeemer = names[(i + 1) % n]!;
  const name = `arc ${i} (${escrower} → ${redeemer})`;
  const base = { chain: chain.name, block: log.blockNumber, timestamp, tx: log.transactionHash };
  const amount = `${units(arc.leg.amount)} ${chain.symbol}`;
  const premium = `${units(arc.leg.premiumAmount)} ${chain.symbol}`;
  switch (parsed.name) {
    case "LegPremiumDeposited":
      return { ...base, step: String(n - i), text: `${redeemer} deposits a premium of ${premium} on ${name}` };
    case "LegEscrowed":
      return { ...base, step: String(n + 1 + i), text: `${escrower} escrows ${amount} on ${name} (hashlock ${arc.leg.hashlock.slice(0, 10)}…)` };
    case "LegRedeemed":
      return { ...base, step: String(3 * n - i), text: `${name} redeemed: ${redeemer} receives ${amount}${i === n - 1 ? ", revealing the secret" : " with the secret, now public"}` };
    case "LegRefunded":
      return { ...base, step: "settle", text: `${name} expired: ${escrower} gets ${amount} back and the premium of ${premium}` };
    case "LegPremiumRefunded":
      return { ...base, step: "settle", text: `${name} never escrowed: ${redeemer}'s premium of ${premium} goes back` };
    case "LegAborted":
      return { ...base, step: "abort", text: `${name} cooperatively aborted` };
    default:
      return undefined;
  }
}

/** Reads new escrow logs of every arc's chain since the last call. */
export class CycleTimelineReader {
  /** Every entry so far, sorted by step (`byCycleStep`). */
  readonly entries: TimelineEntry[] = [];
  readonly #from = new Map<string, number>();
  readonly #times = new Map<string, number>();

  constructor(
    private readonly plan: CyclePlan,
    private readonly names: readonly string[],
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
        const entry = describeCycleLog(this.plan, this.names, c, log, this.#times.get(key)!);
        if (entry) fresh.push(entry);
      }
    }
    fresh.sort(byCycleStep);
    this.entries.push(...fresh);
    this.entries.sort(byCycleStep);
    return fresh;
  }

  /** True once step `k` has landed on its chain. */
  landed(k: number): boolean {
    return this.entries.some((e) => e.step === String(k));
  }
}
