/**
 * Rate limiting of repeated log lines: the first of a kind (per key) is written at once, the same one
 * again at most once per interval, with how many were held back in between. A chain that fails every
 * round, or a transaction stuck at the fee cap, writes a line every 30 s, not every second.
 */

/** One line to write, with how many identical ones were held back since the last. */
export interface LimitedLine {
  readonly suppressed: number;
}

/** Decides which of many identical log lines are written. */
export class LogLimiter {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  /**
   * @param intervalMs the least time between two lines of one key
   * @param now the clock (unix ms), for tests
   */
  constructor(
    private readonly intervalMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the line of `key` is written now: the line (with the count held back) or undefined. */
  take(key: string): LimitedLine | undefined {
    const t = this.now();
    const seen = this.#last.get(key);
    if (seen && t - seen.at < this.intervalMs) {
      seen.suppressed++;
      return undefined;
    }
    this.#last.set(key, { at: t, suppressed: 0 });
    return { suppressed: seen?.suppressed ?? 0 };
  }

  /** Forgets `key` (the condition ended: its next line is written at once). */
  reset(key: string): void {
    this.#last.delete(key);
  }
}
