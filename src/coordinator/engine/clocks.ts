/**
 * Measured clocks (issue 16, defect 3): each chain's clock as its latest head shows it, against the
 * local clock and against the other chains. The engine feeds it once per round with every reachable
 * chain's head; the metrics read it (`CoordinatorMetrics.setClocks`), and the engine logs, rate-limited,
 * the pairs whose measured skew exceeds the configured bound (`check`, `due`). No I/O.
 *
 * Two figures, and which one matters:
 * - **chain vs chain** (`skew(a, b)`): chain a's clock minus chain b's, each head's timestamp taken
 *   against the local instant it was read at (so two heads read a few milliseconds apart compare
 *   exactly). This is what the decision rule uses (`nextStepCanLand` in src/sdk/rules.ts, from the
 *   heads' timestamps `timeA`/`timeB` of the same round): a step on one chain is projected onto the
 *   other chain's clock by this offset.
 * - **chain vs local** (`offset(a)`): head timestamp minus local time. Informational only. A chain's
 *   head is as old as its last block: on an automine dev chain no block is mined while nothing is
 *   sent, so its head can lag the local clock by minutes (and two idle dev chains can show a large
 *   chain-vs-chain skew that only lasts until the next block); on a live chain the lag is at most
 *   about one block interval.
 */
import { InvalidArgumentError } from "../../sdk";

/** One chain's clock as the last sample gave it. */
export interface ChainClock {
  readonly chainId: string;
  /** The chain's configured name (the metrics' `chain` label). */
  readonly name: string;
  /** The latest head's `block.timestamp`, seconds. */
  readonly timestamp: bigint;
  /** Local wall time the head was read at, ms since the epoch. */
  readonly localMs: number;
  /** The chain's clock minus the local clock, seconds: `timestamp − localMs / 1000`. */
  readonly offset: number;
}

/** The measured skew between two chains' clocks. */
export interface ClockSkew {
  readonly chainId: string;
  readonly name: string;
  readonly otherChainId: string;
  readonly otherName: string;
  /** `chainId`'s clock minus `otherChainId`'s, seconds (positive: `chainId` is ahead). */
  readonly seconds: number;
}

/** A pair of chains whose measured skew exceeds the configured bound. */
export interface ClockSkewWarning extends ClockSkew {
  /** The bound: the larger of the two chains' configured `clockSkew`, seconds. */
  readonly bound: number;
}

/** Each chain's clock against the local clock and against the other chains, from the heads of each round. */
export class ClockMonitor {
  readonly #clocks = new Map<string, ChainClock>();
  /** Pair key → local ms of its last warning reported by `due`. */
  readonly #warned = new Map<string, number>();

  /**
   * Records a chain's latest head, read at local time `localMs`. A head seen before (same timestamp)
   * keeps the sample of when it was first seen: a chain that mines no block for a while (a devnet that
   * mines on demand, a stalled chain) keeps the offset its last block showed instead of drifting back
   * by the time elapsed since.
   *
   * The first head of a chain (since the process started, or since `forget`) may have been mined long
   * before it was read: an idle chain's head, read by a coordinator that has just been restarted,
   * would make the chain look behind by the whole idle time, and the rule would refuse steps for a
   * skew that is not there. So the first sample can show that a chain is ahead (its timestamp is past
   * the local clock), never that it is behind: its offset is at least 0. The next head, seen arriving,
   * gives the measured offset.
   *
   * @throws InvalidArgumentError - an empty chain id, a negative timestamp, or a local time that is not a finite number.
   */
  observe(chainId: string, name: string, timestamp: bigint, localMs: number): void {
    if (chainId === "") throw new InvalidArgumentError("chainId", "must not be empty", chainId);
    if (timestamp < 0n) throw new InvalidArgumentError("timestamp", "must not be negative", timestamp);
    if (!Number.isFinite(localMs)) throw new InvalidArgumentError("localMs", "must be a finite number of milliseconds", localMs);
    const previous = this.#clocks.get(chainId);
    if (previous?.timestamp === timestamp) return;
    const measured = Number(timestamp) - localMs / 1000;
    this.#clocks.set(chainId, { chainId, name, timestamp, localMs, offset: previous === undefined ? Math.max(0, measured) : measured });
  }

  /** Drops a chain's sample (e.g. once it is unreachable): it is in no offset, skew or warning until observed again. */
  forget(chainId: string): void {
    this.#clocks.delete(chainId);
  }

  /** The chain's last sample, if any. */
  clock(chainId: string): ChainClock | undefined {
    return this.#clocks.get(chainId);
  }

  /** The chain's clock minus the local clock, seconds (informational: see the module's note on idle chains); undefined before a sample. */
  offset(chainId: string): number | undefined {
    return this.#clocks.get(chainId)?.offset;
  }

  /**
   * The measured offset of chain a's clock over chain b's, seconds (positive: a is ahead): the
   * difference of their offsets against the local clock. Undefined unless both chains have a sample.
   */
  skew(a: string, b: string): number | undefined {
    const ca = this.#clocks.get(a);
    const cb = this.#clocks.get(b);
    return ca && cb ? ca.offset - cb.offset : undefined;
  }

  /** Every sampled chain's clock, in the order first observed. */
  clocks(): ChainClock[] {
    return [...this.#clocks.values()];
  }

  /** The skew of every ordered pair of distinct sampled chains (a over b and b over a). */
  skews(): ClockSkew[] {
    const out: ClockSkew[] = [];
    for (const a of this.#clocks.values()) {
      for (const b of this.#clocks.values()) {
        if (a.chainId !== b.chainId) out.push({ chainId: a.chainId, name: a.name, otherChainId: b.chainId, otherName: b.name, seconds: a.offset - b.offset });
      }
    }
    return out;
  }

  /**
   * The pairs of sampled chains (each once, the one ahead first) whose measured skew exceeds the
   * configured bound: the larger of the two chains' `clockSkew`.
   *
   * @param configuredSkew - a chain's configured `clockSkew`, seconds, by chain id.
   */
  check(configuredSkew: (chainId: string) => number): ClockSkewWarning[] {
    const out: ClockSkewWarning[] = [];
    const chains = [...this.#clocks.values()];
    for (let i = 0; i < chains.length; i++) {
      for (let j = i + 1; j < chains.length; j++) {
        const [a, b] = chains[i]!.offset >= chains[j]!.offset ? [chains[i]!, chains[j]!] : [chains[j]!, chains[i]!];
        const seconds = a.offset - b.offset;
        const bound = Math.max(configuredSkew(a.chainId), configuredSkew(b.chainId));
        if (seconds > bound) out.push({ chainId: a.chainId, name: a.name, otherChainId: b.chainId, otherName: b.name, seconds, bound });
      }
    }
    return out;
  }

  /**
   * The warnings of `check` to log now: a pair is due at its first warning and then at most once per
   * `intervalMs` while it stays above the bound; a pair back within the bound is due again at once
   * the next time it exceeds it.
   *
   * @param nowMs - local time, ms since the epoch.
   */
  due(configuredSkew: (chainId: string) => number, nowMs: number, intervalMs = 60_000): ClockSkewWarning[] {
    const warnings = this.check(configuredSkew);
    const current = new Set(warnings.map((w) => pairKey(w.chainId, w.otherChainId)));
    for (const key of [...this.#warned.keys()]) if (!current.has(key)) this.#warned.delete(key);
    return warnings.filter((w) => {
      const key = pairKey(w.chainId, w.otherChainId);
      const last = this.#warned.get(key);
      if (last !== undefined && nowMs - last < intervalMs) return false;
      this.#warned.set(key, nowMs);
      return true;
    });
  }

  /** The metrics' readings: each chain's offset against the local clock, by chain name. */
  offsets(): { readonly chain: string; readonly seconds: number }[] {
    return this.clocks().map((c) => ({ chain: c.name, seconds: c.offset }));
  }

  /** The metrics' readings: each ordered pair's skew, by chain names. */
  pairSkews(): { readonly chain: string; readonly other: string; readonly seconds: number }[] {
    return this.skews().map((s) => ({ chain: s.name, other: s.otherName, seconds: s.seconds }));
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
