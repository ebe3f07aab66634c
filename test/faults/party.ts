/**
 * One party's coordinator in the fault suite, embedded in this process and restartable on its data
 * directory as a supervisor would: a start that fails (e.g. a chain's RPC hangs) is recorded and
 * tried again every 2 s until it succeeds or the party is closed. Logs go to a file per party.
 */
import pino, { type Logger } from "pino";

import type { SignedOffer } from "../../src/sdk";
import type { CoordinatorConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import type { CoordinatorStore } from "../../src/coordinator/store/types";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long one start may take before it counts as failed (a hung RPC without its own timeout). */
const START_TIMEOUT_MS = 15_000;
/** The supervisor's pause between two starts. */
const RESTART_DELAY_MS = 2000;

/** A restartable coordinator of one party. */
export class SupervisedParty {
  /** The running coordinator, undefined while (re)starting or stopped. */
  current: Coordinator | undefined;
  /** Why starts failed, in order. */
  readonly startFailures: string[] = [];
  /** How many times a coordinator was started (1 = never restarted). */
  starts = 0;
  #closed = false;
  #starting: Promise<void> = Promise.resolve();
  readonly #logger: Logger;

  constructor(
    readonly name: "alice" | "bob",
    readonly config: CoordinatorConfig,
    logFile: string,
  ) {
    this.#logger = pino({ level: "debug", base: { party: name } }, pino.destination({ dest: logFile, sync: true }));
  }

  /** The running coordinator's store; throws while none runs. */
  get store(): CoordinatorStore {
    if (!this.current) throw new Error(`${this.name}'s coordinator is not running`);
    return this.current.store;
  }

  /** First start: connect, admit the offer, run. Throws when it fails (nothing is faulted yet). */
  async begin(signed: SignedOffer): Promise<void> {
    const c = new Coordinator(this.config, { logger: this.#logger });
    await c.init();
    await c.submit(signed);
    c.start();
    this.starts++;
    this.current = c;
  }

  /** Stops the running coordinator and starts a new one on the same data directory (supervised, in the background: see `ready`). */
  async restart(): Promise<void> {
    await this.stop();
    this.#closed = false;
    this.#starting = this.#supervise();
  }

  /** Resolves once the coordinator started after the last `restart` runs (or the party was closed). */
  ready(): Promise<void> {
    return this.#starting;
  }

  /** Stops the running coordinator (if any) and any pending restart. */
  async stop(): Promise<void> {
    this.#closed = true;
    await this.#starting;
    const c = this.current;
    this.current = undefined;
    await c?.stop();
  }

  async #supervise(): Promise<void> {
    while (!this.#closed) {
      const c = new Coordinator(this.config, { logger: this.#logger });
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.init(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`init did not finish within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
        c.start();
        this.starts++;
        this.current = c;
        return;
      } catch (e) {
        clearTimeout(timer);
        this.startFailures.push((e as Error).message.split("\n")[0]!.slice(0, 200));
        await c.stop().catch(() => undefined);
        await sleep(RESTART_DELAY_MS);
      }
    }
  }
}
