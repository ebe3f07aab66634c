/**
 * `CoordinatorStore` on one SQLite file (better-sqlite3, synchronous). WAL journal with
 * `synchronous = FULL`: a call that returned has its commit fsynced, so a decision written survives a
 * SIGKILL and a power cut. Every change that touches several rows runs in one transaction.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { HedgeSwapError, InvalidArgumentError } from "../../sdk";
import { mayMove, parseStoredStatus, type StoredStatus } from "../domain/phase";
import { IllegalTransitionError, checkReopening } from "../domain/status";
import type { ArcStatus } from "../domain/arcs";
import { applyMigrations } from "./migrations";
import { SqliteCycleTables, cycleOfNewSwap } from "./sqliteCycle";
import { BYTES32, isConstraint, prepareStatements, toEvent, toSwap, toTx, type Statements } from "./sqliteRows";
import { DuplicateSwapError } from "./types";
import type { ArcRow, BlockCheckpoint, ChainTip, CoordinatorStore, EventRow, NewEvent, NewSwap, NewTx, OpenTxMember, PartyRow, SwapPatch, SwapRow, TxAction, TxMember, TxRow, TxStatus } from "./types";

/** Options of `openSqliteStore`. */
export interface SqliteStoreOptions {
  /** The clock for `createdAt`/`updatedAt`/event `at` (unix ms). Default `Date.now`. */
  readonly now?: () => number;
}

/** Thrown when a swap, a transaction or an event that must exist does not. */
export class RowNotFoundError extends HedgeSwapError {
  constructor(table: "swaps" | "txs" | "events", key: string | number) {
    super("ROW_NOT_FOUND", `no such row in ${table}`, { table, key });
  }
}

/** Thrown by `insertTx` when a transaction with the same hash is already recorded. */
export class DuplicateTxError extends HedgeSwapError {
  constructor(readonly hash: string) {
    super("DUPLICATE_TX", "a transaction with the same hash is already recorded", { hash });
  }
}


/** The SQLite implementation of `CoordinatorStore`. Open it with `openSqliteStore`. */
export class SqliteStore implements CoordinatorStore {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly sql: Statements;
  private readonly cycles: SqliteCycleTables;

  /** Opens (creating it and its directory if needed) and migrates the database at `path`. */
  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    try {
      this.db.pragma("busy_timeout = 5000");
      const mode = this.db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal" && path !== ":memory:") throw new HedgeSwapError("NO_WAL", "the database refused WAL journal mode", { path, mode });
      this.db.pragma("synchronous = FULL");
      this.db.pragma("foreign_keys = ON");
      applyMigrations(this.db, this.now);
      this.sql = prepareStatements(this.db);
      this.cycles = new SqliteCycleTables(this.db);
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  insertSwap(row: NewSwap, event: NewEvent): SwapRow {
    if (!BYTES32.test(row.id)) throw new InvalidArgumentError("id", "must be 32 bytes of lower-case 0x-hex", row.id);
    if (!BYTES32.test(row.hashlock)) throw new InvalidArgumentError("hashlock", "must be 32 bytes of lower-case 0x-hex", row.hashlock);
    const cycle = cycleOfNewSwap(row);
    return this.db.transaction(() => {
      if (this.sql.swap.get(row.id) !== undefined) throw new DuplicateSwapError(row.id, "id");
      if (this.sql.swapByHashlock.get(row.hashlock) !== undefined) throw new DuplicateSwapError(row.id, "hashlock");
      try {
        this.sql.insertSwap.run({
          id: row.id, offer: JSON.stringify(row.offer), signatures: JSON.stringify(row.signatures), kind: row.kind, hashlock: row.hashlock,
          roleLeader: row.roles.leader ? 1 : 0, roleFollower: row.roles.follower ? 1 : 0, secretIndex: row.secretIndex, now: this.now(),
        });
      } catch (e) {
        if (isConstraint(e, "SQLITE_CONSTRAINT_PRIMARYKEY", "swaps.id")) throw new DuplicateSwapError(row.id, "id");
        if (isConstraint(e, "SQLITE_CONSTRAINT_UNIQUE", "swaps.hashlock")) throw new DuplicateSwapError(row.id, "hashlock");
        throw e;
      }
      this.cycles.insert(row.id, cycle, this.now());
      this.insertEvent(event, row.id);
      return this.mustGetSwap(row.id);
    }).immediate();
  }

  partiesOf(swapId: string): PartyRow[] {
    return this.cycles.parties(swapId);
  }

  arcsOf(swapId: string): ArcRow[] {
    return this.cycles.arcs(swapId);
  }

  countActiveArcs(): Partial<Record<ArcStatus, number>> {
    return this.cycles.countActive();
  }

  setArcStatus(swapId: string, index: number, to: ArcStatus, event: NewEvent, opts: { readonly reopen?: boolean } = {}): ArcRow {
    return this.db.transaction(() => {
      const { row, changed } = this.cycles.setStatus(swapId, index, to, this.now(), opts.reopen === true);
      if (changed) this.insertEvent(event, swapId);
      return row;
    }).immediate();
  }

  getSwap(id: string): SwapRow | undefined {
    const r = this.sql.swap.get(id);
    return r === undefined ? undefined : toSwap(r);
  }

  getSwapByHashlock(hashlock: string): SwapRow | undefined {
    const r = this.sql.swapByHashlock.get(hashlock.toLowerCase());
    return r === undefined ? undefined : toSwap(r);
  }

  listSwaps(filter: { readonly activeOnly?: boolean; readonly status?: StoredStatus } = {}): SwapRow[] {
    return this.sql.swaps.all({ status: filter.status ?? null, active: filter.activeOnly === true ? 1 : 0 }).map(toSwap);
  }

  transition(id: string, to: StoredStatus, event: NewEvent, patch: SwapPatch = {}): SwapRow {
    return this.db.transaction(() => {
      const current = this.mustGetSwap(id);
      if (current.status === to) return current;
      // One table for every n (`domain/phase.ts`); for two parties it allows exactly the two-party moves.
      let allowed: boolean;
      try {
        allowed = mayMove(current.parties, parseStoredStatus(current.parties, current.status), parseStoredStatus(current.parties, to));
      } catch {
        allowed = false;
      }
      if (!allowed) throw new IllegalTransitionError(id, current.status, to);
      const next = this.writeSwap(current, to, patch);
      this.insertEvent(event, id);
      return next;
    }).immediate();
  }

  patchSwap(id: string, patch: SwapPatch, event: NewEvent): SwapRow {
    return this.db.transaction(() => {
      const current = this.mustGetSwap(id);
      const next = this.writeSwap(current, current.status, patch);
      this.insertEvent(event, id);
      return next;
    }).immediate();
  }

  reopenSwap(id: string, to: StoredStatus, event: NewEvent): SwapRow {
    return this.db.transaction(() => {
      const current = this.mustGetSwap(id);
      checkReopening(id, current.status, to);
      const next = this.writeSwap(current, to, { outcome: null });
      this.insertEvent(event, id);
      return next;
    }).immediate();
  }

  insertTx(tx: NewTx, members?: readonly TxMember[]): TxRow {
    try {
      return this.db.transaction(() => {
        const id = Number(this.sql.insertTx.run({
          swapId: tx.swapId, chainId: tx.chainId, account: tx.account, nonce: tx.nonce, action: tx.action, leg: tx.leg, to: tx.to,
          data: tx.data, value: tx.value, maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas, gasLimit: tx.gasLimit,
          raw: tx.raw, hash: tx.hash, status: tx.status, blockNumber: tx.blockNumber ?? null, attempt: tx.attempt, now: this.now(),
          deadline: tx.deadline ?? null, reveals: tx.reveals === true ? 1 : 0,
        }).lastInsertRowid);
        for (const m of members ?? [{ swapId: tx.swapId, leg: tx.leg }]) this.sql.insertMember.run(id, m.swapId, m.leg);
        return this.mustGetTx(id);
      }).immediate();
    } catch (e) {
      if (isConstraint(e, "SQLITE_CONSTRAINT_UNIQUE", "txs.hash")) throw new DuplicateTxError(tx.hash);
      throw e;
    }
  }

  updateTx(id: number, patch: { readonly status?: TxStatus; readonly blockNumber?: number | null }): TxRow {
    return this.db.transaction(() => {
      const current = this.mustGetTx(id);
      this.sql.updateTx.run({
        id, status: patch.status ?? current.status,
        blockNumber: patch.blockNumber === undefined ? current.blockNumber : patch.blockNumber, now: this.now(),
      });
      return this.mustGetTx(id);
    }).immediate();
  }

  openTxs(chainId?: string): TxRow[] {
    return (chainId === undefined ? this.sql.openTxs.all() : this.sql.openTxsOfChain.all(chainId)).map(toTx);
  }

  txMembers(txId: number): TxMember[] {
    return this.sql.membersOfTx.all(txId).map((r) => ({ swapId: r.swap_id, leg: r.leg }));
  }

  openTxMembers(): OpenTxMember[] {
    return this.sql.openMembers.all().map((r) => ({ swapId: r.swap_id, leg: r.leg, action: r.action as TxAction, chainId: r.chain_id }));
  }

  txsOfSwap(swapId: string): TxRow[] {
    return this.sql.txsOfSwap.all(swapId).map(toTx);
  }

  maxNonce(chainId: string, account: string): number | undefined {
    return this.sql.maxNonce.get(chainId, account)?.n ?? undefined;
  }

  appendEvent(event: NewEvent): EventRow {
    return this.insertEvent(event, null);
  }

  events(swapId?: string): EventRow[] {
    return (swapId === undefined ? this.sql.events.all() : this.sql.eventsOfSwap.all(swapId)).map(toEvent);
  }

  activeSwapIds(): string[] {
    return this.sql.activeIds.all().map((r) => r.id);
  }

  eventsOfKind(prefix: string): EventRow[] {
    return this.sql.eventsOfKind.all(prefix.replace(/[\\%_]/g, (c) => "\\" + c) + "%").map(toEvent);
  }

  eventsSince(afterId: number, limit = 1000): EventRow[] {
    return this.sql.eventsSince.all(afterId, limit).map(toEvent);
  }

  lastEventId(): number {
    return this.sql.lastEventId.get()?.n ?? 0;
  }

  getTip(chainId: string): ChainTip | undefined {
    const r = this.sql.tip.get(chainId);
    return r === undefined ? undefined : { chainId: r.chain_id, blockNumber: r.block_number, blockHash: r.block_hash };
  }

  setTip(tip: ChainTip): void {
    this.sql.setTip.run(tip.chainId, tip.blockNumber, tip.blockHash);
  }

  addCheckpoint(chainId: string, checkpoint: BlockCheckpoint): void {
    this.sql.addCheckpoint.run(chainId, checkpoint.blockNumber, checkpoint.blockHash);
  }

  checkpoints(chainId: string, limit: number, below = Number.MAX_SAFE_INTEGER): BlockCheckpoint[] {
    return this.sql.checkpoints.all(chainId, below, limit).map((r) => ({ blockNumber: r.block_number, blockHash: r.block_hash }));
  }

  dropCheckpoints(chainId: string, opts: { readonly above?: number; readonly keep?: number }): void {
    if (opts.above !== undefined) this.sql.dropCheckpointsAbove.run(chainId, opts.above);
    if (opts.keep !== undefined) this.sql.dropCheckpointsBelow.run(chainId, chainId, opts.keep);
  }

  txsWithNonce(chainId: string, account: string, nonce: number): TxRow[] {
    return this.sql.txsWithNonce.all(chainId, account, nonce).map(toTx);
  }

  reopenTxsAfter(chainId: string, block: number): number {
    return this.sql.reopenAfter.run(this.now(), chainId, block).changes;
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  schemaVersion(): number {
    return this.sql.version.get()?.v ?? 0;
  }

  /** The connection's durability settings as SQLite reports them (for health checks and tests). */
  settings(): { journalMode: string; synchronous: number; foreignKeys: number; busyTimeout: number } {
    const get = (name: string): unknown => this.db.pragma(name, { simple: true });
    return {
      journalMode: String(get("journal_mode")), synchronous: Number(get("synchronous")),
      foreignKeys: Number(get("foreign_keys")), busyTimeout: Number(get("busy_timeout")),
    };
  }

  close(): void {
    this.db.close();
  }

  private mustGetSwap(id: string): SwapRow {
    const row = this.getSwap(id);
    if (row === undefined) throw new RowNotFoundError("swaps", id);
    return row;
  }

  private mustGetTx(id: number): TxRow {
    const r = this.sql.tx.get(id);
    if (r === undefined) throw new RowNotFoundError("txs", id);
    return toTx(r);
  }

  /** Writes the swap's new status and fields; returns the row as now stored (without reading it back: a 1000-swap step would parse every offer twice more). */
  private writeSwap(current: SwapRow, status: StoredStatus, patch: SwapPatch): SwapRow {
    const next = {
      ...current,
      status,
      outcome: patch.outcome === undefined ? current.outcome : patch.outcome,
      revealedSecret: patch.revealedSecret === undefined ? current.revealedSecret : patch.revealedSecret,
      // The vows only ever go from false to true (a trigger refuses the other way too).
      neverReveal: current.neverReveal || patch.neverReveal === true,
      neverEscrow: current.neverEscrow || patch.neverEscrow === true,
      updatedAt: this.now(),
    };
    this.sql.updateSwap.run({
      id: current.id, status, now: next.updatedAt, outcome: next.outcome, revealedSecret: next.revealedSecret,
      neverReveal: next.neverReveal ? 1 : 0, neverEscrow: next.neverEscrow ? 1 : 0,
    });
    return next;
  }

  /** Inserts an event (`swapId` defaults to `defaultSwapId` when the event names none) and returns it as stored. */
  private insertEvent(event: NewEvent, defaultSwapId: string | null): EventRow {
    const record = { id: 0, swap_id: event.swapId ?? defaultSwapId, chain_id: event.chainId, at: event.at ?? this.now(), kind: event.kind, data: JSON.stringify(event.data) };
    record.id = Number(this.sql.insertEvent.run(record.swap_id, record.chain_id, record.at, record.kind, record.data).lastInsertRowid);
    // As stored, without reading it back.
    return toEvent(record);
  }
}

/**
 * Opens the coordinator's SQLite database at `path` (creating the file and its directory), applies
 * pending migrations, and refuses (`SchemaVersionError`) a database newer than this code.
 */
export function openSqliteStore(path: string, opts?: SqliteStoreOptions): CoordinatorStore {
  return new SqliteStore(path, opts);
}
