/**
 * The SQLite store's rows as the database holds them, their conversion into the store's row types,
 * and the prepared statements `SqliteStore` runs (`sqlite.ts`).
 */
import Database from "better-sqlite3";
import { TRANSITIONS, isFinal, type SwapStatus } from "../domain/status";
import type { StoredStatus } from "../domain/phase";
import type { EventRow, LegName, SwapRow, TxRow, TxStatus } from "./types";
export type SwapRecord = {
  id: string; offer: string; signatures: string; kind: SwapRow["kind"]; hashlock: string; role_leader: number; role_follower: number;
  secret_index: number | null; status: StoredStatus; outcome: string | null; revealed_secret: string | null; never_reveal: number; never_escrow: number;
  parties: number; created_at: number; updated_at: number;
};
export type TxRecord = {
  id: number; swap_id: string; chain_id: string; account: string; nonce: number; action: TxRow["action"]; leg: TxRow["leg"];
  to_address: string; data: string; value: string; max_fee_per_gas: string; max_priority_fee_per_gas: string; gas_limit: string;
  raw: string; hash: string; status: TxStatus; block_number: number | null; attempt: number; created_at: number; updated_at: number;
  deadline: string | null; reveals: number;
};
export type EventRecord = { id: number; swap_id: string | null; chain_id: string | null; at: number; kind: string; data: string };

export const BYTES32 = /^0x[0-9a-f]{64}$/;
export const FINAL = (Object.keys(TRANSITIONS) as SwapStatus[]).filter(isFinal).map((s) => `'${s}'`).join(", ");
export const OPEN_TX = "status IN ('signed', 'sent')";

export const toSwap = (r: SwapRecord): SwapRow => ({
  id: r.id, offer: JSON.parse(r.offer) as Record<string, unknown>, signatures: JSON.parse(r.signatures) as SwapRow["signatures"],
  kind: r.kind, hashlock: r.hashlock, roles: { leader: r.role_leader === 1, follower: r.role_follower === 1 },
  secretIndex: r.secret_index, status: r.status, outcome: r.outcome, revealedSecret: r.revealed_secret,
  neverReveal: r.never_reveal === 1, neverEscrow: r.never_escrow === 1, parties: r.parties, createdAt: r.created_at, updatedAt: r.updated_at,
});
export const toTx = (r: TxRecord): TxRow => ({
  id: r.id, swapId: r.swap_id, chainId: r.chain_id, account: r.account, nonce: r.nonce, action: r.action, leg: r.leg,
  to: r.to_address, data: r.data, value: r.value, maxFeePerGas: r.max_fee_per_gas, maxPriorityFeePerGas: r.max_priority_fee_per_gas,
  gasLimit: r.gas_limit, raw: r.raw, hash: r.hash, status: r.status, blockNumber: r.block_number, attempt: r.attempt,
  deadline: r.deadline, reveals: r.reveals === 1, createdAt: r.created_at, updatedAt: r.updated_at,
});
export const toEvent = (r: EventRecord): EventRow => ({
  id: r.id, swapId: r.swap_id, chainId: r.chain_id, at: r.at, kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown>,
});

export const isConstraint = (e: unknown, code: string, column: string): boolean =>
  e instanceof Database.SqliteError && e.code === code && e.message.includes(column);

export function prepareStatements(db: Database.Database) {
  return {
    swap: db.prepare<[string], SwapRecord>("SELECT * FROM swaps WHERE id = ?"),
    activeIds: db.prepare<[], { id: string }>(`SELECT id FROM swaps WHERE status NOT IN (${FINAL}) ORDER BY created_at, rowid`),
    swapByHashlock: db.prepare<[string], SwapRecord>("SELECT * FROM swaps WHERE hashlock = ?"),
    swaps: db.prepare<{ status: string | null; active: number }, SwapRecord>(
      `SELECT * FROM swaps WHERE (@status IS NULL OR status = @status) AND (@active = 0 OR status NOT IN (${FINAL})) ORDER BY created_at, rowid`,
    ),
    insertSwap: db.prepare(
      `INSERT INTO swaps (id, offer, signatures, kind, hashlock, role_leader, role_follower, secret_index, status, outcome, revealed_secret, created_at, updated_at)
       VALUES (@id, @offer, @signatures, @kind, @hashlock, @roleLeader, @roleFollower, @secretIndex, 'accepted', NULL, NULL, @now, @now)`,
    ),
    updateSwap: db.prepare(
      `UPDATE swaps SET status = @status, outcome = @outcome, revealed_secret = @revealedSecret, never_reveal = @neverReveal, never_escrow = @neverEscrow,
         updated_at = @now WHERE id = @id`,
    ),
    tx: db.prepare<[number], TxRecord>("SELECT * FROM txs WHERE id = ?"),
    insertTx: db.prepare(
      `INSERT INTO txs (swap_id, chain_id, account, nonce, action, leg, to_address, data, value, max_fee_per_gas, max_priority_fee_per_gas,
         gas_limit, raw, hash, status, block_number, attempt, created_at, updated_at, deadline, reveals)
       VALUES (@swapId, @chainId, @account, @nonce, @action, @leg, @to, @data, @value, @maxFeePerGas, @maxPriorityFeePerGas,
         @gasLimit, @raw, @hash, @status, @blockNumber, @attempt, @now, @now, @deadline, @reveals)`,
    ),
    updateTx: db.prepare("UPDATE txs SET status = @status, block_number = @blockNumber, updated_at = @now WHERE id = @id"),
    openTxs: db.prepare<[], TxRecord>(`SELECT * FROM txs WHERE ${OPEN_TX} ORDER BY id`),
    openTxsOfChain: db.prepare<[string], TxRecord>(`SELECT * FROM txs WHERE ${OPEN_TX} AND chain_id = ? ORDER BY id`),
    txsOfSwap: db.prepare<[string], TxRecord>(
      "SELECT DISTINCT t.* FROM txs t JOIN tx_members m ON m.tx_id = t.id WHERE m.swap_id = ? ORDER BY t.id",
    ),
    insertMember: db.prepare<[number, string, string]>("INSERT OR IGNORE INTO tx_members (tx_id, swap_id, leg) VALUES (?, ?, ?)"),
    membersOfTx: db.prepare<[number], { swap_id: string; leg: LegName }>("SELECT swap_id, leg FROM tx_members WHERE tx_id = ? ORDER BY rowid"),
    openMembers: db.prepare<[], { swap_id: string; leg: LegName; action: string; chain_id: string }>(
      `SELECT m.swap_id, m.leg, t.action, t.chain_id FROM txs t JOIN tx_members m ON m.tx_id = t.id WHERE t.status IN ('signed', 'sent')`,
    ),
    txsWithNonce: db.prepare<[string, string, number], TxRecord>("SELECT * FROM txs WHERE chain_id = ? AND account = ? AND nonce = ? ORDER BY id"),
    reopenAfter: db.prepare<[number, string, number]>(
      "UPDATE txs SET status = 'signed', block_number = NULL, updated_at = ? WHERE chain_id = ? AND status IN ('mined', 'reverted') AND block_number > ?",
    ),
    maxNonce: db.prepare<[string, string], { n: number | null }>("SELECT MAX(nonce) AS n FROM txs WHERE chain_id = ? AND account = ?"),
    insertEvent: db.prepare<[string | null, string | null, number, string, string]>(
      "INSERT INTO events (swap_id, chain_id, at, kind, data) VALUES (?, ?, ?, ?, ?)",
    ),
    events: db.prepare<[], EventRecord>("SELECT * FROM events ORDER BY id"),
    eventsOfSwap: db.prepare<[string], EventRecord>("SELECT * FROM events WHERE swap_id = ? ORDER BY id"),
    eventsOfKind: db.prepare<[string], EventRecord>("SELECT * FROM events WHERE kind LIKE ? ESCAPE '\\' ORDER BY id"),
    eventsSince: db.prepare<[number, number], EventRecord>("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?"),
    lastEventId: db.prepare<[], { n: number | null }>("SELECT MAX(id) AS n FROM events"),
    tip: db.prepare<[string], { chain_id: string; block_number: number; block_hash: string }>("SELECT * FROM chain_tips WHERE chain_id = ?"),
    setTip: db.prepare<[string, number, string]>(
      `INSERT INTO chain_tips (chain_id, block_number, block_hash) VALUES (?, ?, ?)
       ON CONFLICT (chain_id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash`,
    ),
    addCheckpoint: db.prepare<[string, number, string]>(
      `INSERT INTO chain_blocks (chain_id, block_number, block_hash) VALUES (?, ?, ?)
       ON CONFLICT (chain_id, block_number) DO UPDATE SET block_hash = excluded.block_hash`,
    ),
    checkpoints: db.prepare<[string, number, number], { block_number: number; block_hash: string }>(
      "SELECT block_number, block_hash FROM chain_blocks WHERE chain_id = ? AND block_number <= ? ORDER BY block_number DESC LIMIT ?",
    ),
    dropCheckpointsAbove: db.prepare<[string, number]>("DELETE FROM chain_blocks WHERE chain_id = ? AND block_number > ?"),
    dropCheckpointsBelow: db.prepare<[string, string, number]>(
      `DELETE FROM chain_blocks WHERE chain_id = ? AND block_number < (
         SELECT MIN(block_number) FROM (SELECT block_number FROM chain_blocks WHERE chain_id = ? ORDER BY block_number DESC LIMIT ?))`,
    ),
    version: db.prepare<[], { v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations"),
  };
}
export type Statements = ReturnType<typeof prepareStatements>;
