/**
 * One lock per sending account on a chain: nonces are read, signed and broadcast under it, so two
 * sends (a round's batch, a fee bump, a cancel) never take the same nonce.
 */

/** Runs work per account one piece after the other (a failure does not block the next). */
export class AccountLocks {
  readonly #locks = new Map<string, Promise<unknown>>();

  /** Runs `fn` under the lock of `account`. */
  async run<T>(account: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(account) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.#locks.set(account, next);
    return next;
  }
}
