/**
 * Degraded mode: which chains the coordinator can reach, and what it may do while one of them is down.
 *
 * Every chain is connected (chain id, escrow code and VERSION: `ChainClient.connect`) before the
 * coordinator acts on it. At start every chain is tried once, in parallel: a configuration error (the
 * node answers with another chain id, no escrow code, a wrong VERSION) fails the start; a chain that
 * cannot be reached (timeout, refused connection, HTTP 5xx) leaves the coordinator running *degraded*.
 * Such a chain is connected again in the background, never inside a round, with exponential backoff
 * and jitter (1 s doubling to 30 s, ±25 %). A connected chain whose poll fails in a round is probed in
 * the background (its head, one probe at a time, every round) until it answers, and polled in the
 * rounds again from then on, so a hanging RPC holds up at most the one round in which it went down.
 *
 * Each transition is recorded once: `chain.unreachable` when a chain goes down (again when the kind of
 * failure changes, e.g. HTTP 503 to a timeout), `chain.connected` when it is reached again; the first
 * failure is logged at warn, then at most one line per 30 s with the count of failures in between.
 *
 * While a chain is down, `degradedIntents` keeps only what the decision rule asks for that is safe
 * without it: redeems with a secret already seen (two parties: the follower's step 6) and settlements, each on
 * a chain that was polled this round. Their conditions are the leg's own state and its own chain's
 * clock, so the other chain's stale view cannot make them wrong; statuses are not moved on it.
 */
import type { Logger } from "pino";

import { HedgeSwapError } from "../../sdk";
import type { ChainHealthReport, HealthReport } from "../api/port";
import type { ChainClient, Head } from "../chain/client";
import { ChainUnavailableError, ChainUnreachableError } from "../errors";
import type { CycleIntent } from "../../sdk";

/** How a chain that cannot be reached is connected again. */
export interface BackoffPolicy {
  /** The wait after the first failure, ms. */
  readonly initialMs: number;
  /** The longest wait, ms. */
  readonly maxMs: number;
  /** Each wait is the nominal one times a random factor in [1 − jitter, 1 + jitter]. */
  readonly jitter: number;
  /** While a chain stays down, at most one log line per this many ms. */
  readonly logEveryMs: number;
}

/** 1 s doubling to 30 s, ±25 % jitter; a log line per 30 s at most. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 1000, maxMs: 30_000, jitter: 0.25, logEveryMs: 30_000 });

/** The nominal wait (no jitter) before connection attempt `failures + 1`, after `failures` failed ones. */
export function backoffMs(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(30, failures - 1));
}

/** What `ChainHealth` records and logs through. */
export interface ChainHealthHooks {
  /** Appends a chain event (`chain.unreachable`, `chain.connected`, `chain.misconfigured`). */
  readonly event: (chainId: string, kind: string, data: Record<string, unknown>) => void;
  readonly log: () => Logger;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly policy?: BackoffPolicy;
}

interface State {
  connected: boolean;
  reachable: boolean;
  since: number | null;
  lastError: string | null;
  /** The kind of the last failure recorded in an event (the ethers code, or the error's name). */
  lastKind: string | null;
  /** Consecutive failed connection attempts (for the backoff). */
  failures: number;
  nextRetryAt: number;
  attempt: Promise<void> | undefined;
  lastHead: Head | undefined;
  /** A configuration error found by a background attempt (the node answers, but it is the wrong one). */
  misconfigured: HedgeSwapError | undefined;
  lastLogAt: number;
  /** Failures since the last log line. */
  unlogged: number;
}

/** The failure's kind: its ethers/HedgeSwap code, else its cause's, else its name. */
function kindOf(e: unknown): string {
  const err = e instanceof ChainUnreachableError ? (e.cause ?? e) : e;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && code !== "") return code;
  const causeCode = ((err as { cause?: { code?: unknown } }).cause ?? {}).code;
  if (typeof causeCode === "string") return causeCode;
  return (err as Error).name ?? "Error";
}

function messageOf(e: unknown): string {
  const err = e instanceof ChainUnreachableError ? (e.cause ?? e) : e;
  const m = (err as Error).message ?? String(err);
  const cause = (err as { cause?: { message?: unknown } }).cause?.message;
  return (typeof cause === "string" && !m.includes(cause) ? `${m}: ${cause}` : m).slice(0, 200);
}

/** Per chain: connected, reachable, since when, the last failure, and the next attempt. */
export class ChainHealth {
  readonly #clients: ReadonlyMap<string, ChainClient>;
  readonly #hooks: ChainHealthHooks;
  readonly #policy: BackoffPolicy;
  readonly #states = new Map<string, State>();

  /** `clients`: chain id (decimal string) → client; read at each call, so it may be filled later. */
  constructor(clients: ReadonlyMap<string, ChainClient>, hooks: ChainHealthHooks) {
    this.#clients = clients;
    this.#hooks = hooks;
    this.#policy = hooks.policy ?? DEFAULT_BACKOFF;
  }

  #now(): number {
    return (this.#hooks.now ?? Date.now)();
  }

  #state(id: string): State {
    let s = this.#states.get(id);
    if (!s) {
      s = { connected: false, reachable: false, since: null, lastError: null, lastKind: null, failures: 0, nextRetryAt: 0, attempt: undefined, lastHead: undefined, misconfigured: undefined, lastLogAt: 0, unlogged: 0 };
      this.#states.set(id, s);
    }
    return s;
  }

  /**
   * The first connection attempt of every chain, in parallel. Throws the first configuration error
   * (typed, from `ChainClient.connect`); a chain that cannot be reached is left to the background
   * attempts. Resolves with the names of the chains that are down.
   */
  async connectAll(): Promise<string[]> {
    const results = await Promise.all([...this.#clients.keys()].map(async (id) => {
      await this.#connect(id, false);
      return this.#state(id).misconfigured;
    }));
    const wrong = results.find((e) => e !== undefined);
    if (wrong) throw wrong;
    return [...this.#clients].filter(([id]) => !this.#state(id).reachable).map(([, c]) => c.name);
  }

  /** The chain is connected and reachable: the round polls it. */
  usable(id: string): boolean {
    const s = this.#state(id);
    return s.connected && s.reachable;
  }

  /** True once the chain was connected in this process. */
  connected(id: string): boolean {
    return this.#state(id).connected;
  }

  /**
   * For a chain the round does not poll: starts a connection attempt (not connected yet: when its
   * backoff is over) or a probe of its head (connected, lost since), in the background. Never waits.
   */
  retry(id: string): void {
    const s = this.#state(id);
    if (s.attempt) return;
    if (!s.connected) {
      if (this.#now() >= s.nextRetryAt) void this.#connect(id, true);
      return;
    }
    const client = this.#clients.get(id)!;
    s.attempt = client
      .head()
      .then((head) => {
        s.lastHead = head;
        this.up(id);
      })
      .catch((e: unknown) => this.down(id, e))
      .catch((e: unknown) => this.#hooks.log().warn({ err: e, chain: client.name }, "chain probe bookkeeping failed"))
      .finally(() => (s.attempt = undefined));
  }

  async #connect(id: string, background: boolean): Promise<void> {
    const s = this.#state(id);
    const client = this.#clients.get(id)!;
    const run = (async () => {
      try {
        await client.connect();
        s.connected = true;
        s.failures = 0;
        s.misconfigured = undefined;
        this.up(id);
      } catch (e) {
        s.failures++;
        const wait = backoffMs(s.failures, this.#policy) * (1 + this.#policy.jitter * (2 * (this.#hooks.random ?? Math.random)() - 1));
        s.nextRetryAt = this.#now() + Math.round(wait);
        if (e instanceof HedgeSwapError && !(e instanceof ChainUnreachableError)) {
          // The node answers but is not the configured chain or escrow. At start this fails the start;
          // found later (the chain came up wrong), the chain stays out and is tried again.
          s.misconfigured = e;
          const first = s.lastKind !== e.code;
          this.#markDown(s, id, e, "connect");
          if (first) {
            this.#hooks.event(id, "chain.misconfigured", { chain: client.name, code: e.code, reason: e.shortMessage });
            if (background) this.#hooks.log().error({ chain: client.name, err: e }, "chain misconfigured: its node answers with another chain or escrow; the chain stays out");
          }
          return;
        }
        this.down(id, e, "connect");
      }
    })().catch((e: unknown) => this.#hooks.log().warn({ err: e, chain: client.name }, "chain connection bookkeeping failed"));
    s.attempt = run;
    try {
      await run;
    } finally {
      s.attempt = undefined;
    }
  }

  /** The chain's latest head, as a round (or a probe) read it. */
  seen(id: string, head: Head): void {
    this.#state(id).lastHead = head;
  }

  /** The last head read from the chain in this process (stale while it is down). */
  lastHead(id: string): Head | undefined {
    return this.#state(id).lastHead;
  }

  /** The chain answered (a round's poll, a probe, a connection): `chain.connected` on the transition. */
  up(id: string): void {
    const s = this.#state(id);
    if (s.reachable) return;
    const now = this.#now();
    const client = this.#clients.get(id)!;
    const downMs = s.since === null ? null : now - s.since;
    s.reachable = true;
    s.since = now;
    s.lastError = null;
    s.lastKind = null;
    s.unlogged = 0;
    this.#hooks.event(id, "chain.connected", { chain: client.name, ...(downMs !== null ? { downMs } : {}) });
    if (downMs !== null) this.#hooks.log().info({ chain: client.name, downMs }, "chain reachable again");
  }

  /** A round's poll, a probe or a connection failed: `chain.unreachable` on the transition (or a new kind of failure). */
  down(id: string, e: unknown, phase: "connect" | "poll" = "poll"): void {
    this.#markDown(this.#state(id), id, e, phase);
  }

  #markDown(s: State, id: string, e: unknown, phase: "connect" | "poll"): void {
    const now = this.#now();
    const client = this.#clients.get(id)!;
    const reason = e instanceof HedgeSwapError && !(e instanceof ChainUnreachableError) ? e.shortMessage : messageOf(e);
    const kind = kindOf(e);
    const wasReachable = s.reachable || s.since === null;
    s.lastError = reason;
    if (wasReachable) {
      s.reachable = false;
      s.since = now;
    }
    if (wasReachable || kind !== s.lastKind) {
      s.lastKind = kind;
      this.#hooks.event(id, "chain.unreachable", { chain: client.name, reason, phase });
    }
    const log = this.#hooks.log();
    if (wasReachable) {
      s.lastLogAt = now;
      s.unlogged = 0;
      log.warn({ chain: client.name, phase, reason, ...(phase === "connect" ? { retryInMs: s.nextRetryAt - now } : {}) }, "chain unreachable: running degraded, retrying in the background");
      return;
    }
    s.unlogged++;
    if (now - s.lastLogAt >= this.#policy.logEveryMs) {
      log.warn({ chain: client.name, phase, reason, failures: s.unlogged, downMs: now - (s.since ?? now) }, "chain still unreachable");
      s.lastLogAt = now;
      s.unlogged = 0;
    }
  }

  /** A refusal for an offer on this chain while it is not usable; undefined when it is. */
  unavailable(id: string): ChainUnavailableError | undefined {
    if (this.usable(id)) return undefined;
    const s = this.#state(id);
    return new ChainUnavailableError(this.#clients.get(id)?.name ?? id, id, s.since, s.lastError ?? (s.connected ? null : "not connected yet"));
  }

  /** Every chain's state, for `GET /health`. */
  report(): HealthReport {
    const now = this.#now();
    const chains = [...this.#clients].map(([id, c]): ChainHealthReport => {
      const s = this.#state(id);
      const usable = s.connected && s.reachable;
      return {
        name: c.name,
        chainId: id,
        connected: s.connected,
        reachable: s.reachable,
        since: s.since === null ? null : new Date(s.since).toISOString(),
        lastError: usable ? null : (s.lastError ?? null),
        nextRetryInMs: usable ? null : s.connected ? 0 : Math.max(0, s.nextRetryAt - now),
      };
    });
    return { ok: true, status: chains.every((c) => c.connected && c.reachable) ? "ok" : "degraded", chains };
  }
}

/**
 * The intents of the decision rule that are taken while a chain of the swap is down: the redeems with a
 * secret already public (steps after the reveal, 2n+2 … 3n; two parties: the follower's step 6) and
 * settlements (refunds after a deadline, paid by the escrow to their owner), each only on a chain that
 * was polled this round (`fresh[arc]`). Both depend on nothing but the leg's own state and its own
 * chain's clock, so another chain's stale view cannot make them wrong; every step that commits to
 * another chain (premiums, escrows, the reveal) waits.
 */
export function degradedIntents(intents: readonly CycleIntent[], fresh: readonly boolean[]): CycleIntent[] {
  const n = fresh.length;
  return intents.filter((i) => fresh[i.arc] === true && (i.action === "settle" || (i.action === "redeem" && typeof i.step === "number" && i.step > 2 * n + 1)));
}
