/**
 * The coordinator database's schema, as numbered migrations, and the runner that applies them.
 * Migrations are append-only: a released migration is never edited, a change is a new number.
 * Bigints are stored as decimal TEXT, times as INTEGER unix milliseconds, JSON as TEXT.
 */
import type BetterSqlite3 from "better-sqlite3";
import { HedgeSwapError } from "../../sdk";
import { ARC_TRANSITIONS } from "../domain/arcs";
import { TRANSITIONS } from "../domain/status";

/** One schema migration: applied once, in order of `version`, inside its own transaction. */
export interface Migration {
  /** 1, 2, 3, ... without gaps. */
  readonly version: number;
  /** A short label, recorded with the version. */
  readonly name: string;
  /** The SQL to run (several statements). */
  readonly up: string;
  /**
   * The migration rebuilds a table other tables reference (SQLite cannot change a CHECK in place):
   * foreign keys are switched off around its transaction, as SQLite's own procedure for such changes
   * prescribes, and `foreign_key_check` must find nothing before it commits.
   */
  readonly rebuildsParent?: boolean;
}

/** Thrown when a database cannot be used by this code: its schema is newer, or its history differs. */
export class SchemaVersionError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown>) {
    super("SCHEMA_VERSION", reason, details);
  }
}

const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(", ");
/** A TEXT column holding a non-negative decimal integer. */
const decimal = (column: string): string => `${column} TEXT NOT NULL CHECK (${column} <> '' AND ${column} NOT GLOB '*[^0-9]*')`;

const STATUSES = sqlList(Object.keys(TRANSITIONS));
const TX_ACTIONS = sqlList(["depositPremium", "escrow", "redeem", "settle", "abort", "approve"]);
/** Since migration 4: credits withdrawn by the coordinator (`withdraw(token, to[, amount])`). */
const TX_ACTIONS_V4 = sqlList(["depositPremium", "escrow", "redeem", "settle", "abort", "approve", "withdraw"]);
const TX_STATUSES = sqlList(["signed", "sent", "mined", "reverted", "replaced", "dropped"]);
/** Since migration 5: same-nonce replacements that reveal nothing (a 0-value self-transfer). */
const TX_ACTIONS_V5 = sqlList(["depositPremium", "escrow", "redeem", "settle", "abort", "approve", "withdraw", "cancel"]);
/** Since migration 6: the status of one arc (`domain/arcs.ts`). */
const ARC_STATUSES = sqlList(Object.keys(ARC_TRANSITIONS));
/** The legs a transaction may act on: A and B until migration 6, then arcs 0 … 7 as A … H (arc 0 = leg A, arc 1 = leg B). */
const LEGS_AB = sqlList(["A", "B"]);
const ARC_LEGS = sqlList(["A", "B", "C", "D", "E", "F", "G", "H"]);
/** Migration 5's columns at the end of `txs`: the step's chain-clock deadline and whether the calldata reveals the secret. */
const TX_V5_EXTRA = `,
  deadline   TEXT    CHECK (deadline IS NULL OR (deadline <> '' AND deadline NOT GLOB '*[^0-9]*')),
  reveals    INTEGER NOT NULL DEFAULT 0 CHECK (reveals IN (0, 1))`;
/**
 * Since migration 6: a swap's status is a two-party name (n = 2, `domain/status.ts`) or, for a larger
 * cycle, the generic label of `domain/phase.ts` (`premiums@1` … `premiums@8`, `escrows@3` … `escrows@16`, or a phase).
 */
const STATUS_CHECK_V6 = `status IN (${STATUSES}) OR status IN ('accepted', 'committed', 'revealed', 'completed', 'aborting', 'settled')
    OR status GLOB 'premiums@[1-8]' OR status GLOB 'escrows@[3-9]' OR status GLOB 'escrows@1[0-6]'`;

/**
 * The `txs` table (as `name`), its actions limited to `actions`: migration 1's, rebuilt by migrations
 * 4 and 5; `extra` adds columns at the end (migration 5's step deadline and reveal flag).
 */
const txsTable = (name: string, actions: string, extra = "", legs = LEGS_AB): string => `CREATE TABLE ${name} (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  swap_id    TEXT    NOT NULL REFERENCES swaps (id),
  chain_id   TEXT    NOT NULL,
  account    TEXT    NOT NULL,
  nonce      INTEGER NOT NULL CHECK (nonce >= 0),
  action     TEXT    NOT NULL CHECK (action IN (${actions})),
  leg        TEXT    NOT NULL CHECK (leg IN (${legs})),
  to_address TEXT    NOT NULL,
  data       TEXT    NOT NULL,
  ${decimal("value")},
  ${decimal("max_fee_per_gas")},
  ${decimal("max_priority_fee_per_gas")},
  ${decimal("gas_limit")},
  raw        TEXT    NOT NULL,
  hash       TEXT    NOT NULL UNIQUE,
  status     TEXT    NOT NULL CHECK (status IN (${TX_STATUSES})),
  block_number INTEGER CHECK (block_number IS NULL OR block_number >= 0),
  attempt    INTEGER NOT NULL CHECK (attempt >= 1),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL${extra}
);`;

/**
 * Rebuilds `txs` with `actions` (and `extra` columns at the end, filled by `select`) together with
 * `tx_members`, its only child: SQLite cannot change a CHECK in place, so both are created under a
 * suffixed name, rows copied with their ids, the old tables dropped child first, the new ones renamed
 * and indexed (migrations 4 and 5).
 */
const rebuildTxs = (suffix: string, actions: string, extra = "", select = "*", legs = LEGS_AB): string => `
${txsTable(`txs_${suffix}`, actions, extra, legs)}
INSERT INTO txs_${suffix} SELECT ${select} FROM txs;
CREATE TABLE tx_members_${suffix} (
  tx_id   INTEGER NOT NULL REFERENCES txs_${suffix} (id),
  swap_id TEXT    NOT NULL REFERENCES swaps (id),
  leg     TEXT    NOT NULL CHECK (leg IN (${legs})),
  PRIMARY KEY (tx_id, swap_id, leg)
);
INSERT INTO tx_members_${suffix} SELECT tx_id, swap_id, leg FROM tx_members;
DROP TABLE tx_members;
DROP TABLE txs;
ALTER TABLE txs_${suffix} RENAME TO txs;
ALTER TABLE tx_members_${suffix} RENAME TO tx_members;
CREATE INDEX txs_chain_account_nonce ON txs (chain_id, account, nonce);
CREATE INDEX txs_status ON txs (status);
CREATE INDEX txs_swap ON txs (swap_id, id);
CREATE INDEX tx_members_swap ON tx_members (swap_id, tx_id);
`;

/** The bookkeeping table, created before any migration runs. */
export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/** Every migration this code knows, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    up: `
CREATE TABLE swaps (
  id              TEXT    PRIMARY KEY,
  offer           TEXT    NOT NULL,
  signatures      TEXT    NOT NULL,
  kind            TEXT    NOT NULL CHECK (kind IN ('hedged-swap', 'option')),
  hashlock        TEXT    NOT NULL UNIQUE,
  role_leader     INTEGER NOT NULL CHECK (role_leader IN (0, 1)),
  role_follower   INTEGER NOT NULL CHECK (role_follower IN (0, 1)),
  secret_index    INTEGER CHECK (secret_index IS NULL OR secret_index >= 0),
  status          TEXT    NOT NULL CHECK (status IN (${STATUSES})),
  outcome         TEXT,
  revealed_secret TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX swaps_status ON swaps (status);

CREATE TABLE events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  swap_id  TEXT    REFERENCES swaps (id),
  chain_id TEXT,
  at       INTEGER NOT NULL,
  kind     TEXT    NOT NULL,
  data     TEXT    NOT NULL
);
CREATE INDEX events_swap ON events (swap_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;

${txsTable("txs", TX_ACTIONS)}
CREATE INDEX txs_chain_account_nonce ON txs (chain_id, account, nonce);
CREATE INDEX txs_status ON txs (status);
CREATE INDEX txs_swap ON txs (swap_id, id);

CREATE TABLE chain_tips (
  chain_id     TEXT    PRIMARY KEY,
  block_number INTEGER NOT NULL CHECK (block_number >= 0),
  block_hash   TEXT    NOT NULL
);
`,
  },
  {
    version: 2,
    name: "transactions covering several swaps (batched redeems and settles)",
    up: `
CREATE TABLE tx_members (
  tx_id   INTEGER NOT NULL REFERENCES txs (id),
  swap_id TEXT    NOT NULL REFERENCES swaps (id),
  leg     TEXT    NOT NULL CHECK (leg IN ('A', 'B')),
  PRIMARY KEY (tx_id, swap_id, leg)
);
CREATE INDEX tx_members_swap ON tx_members (swap_id, tx_id);
INSERT INTO tx_members (tx_id, swap_id, leg) SELECT id, swap_id, leg FROM txs;
`,
  },
  {
    version: 3,
    name: "abort consent vows (the leader never reveals, the follower never escrows leg B)",
    up: `
ALTER TABLE swaps ADD COLUMN never_reveal INTEGER NOT NULL DEFAULT 0 CHECK (never_reveal IN (0, 1));
ALTER TABLE swaps ADD COLUMN never_escrow INTEGER NOT NULL DEFAULT 0 CHECK (never_escrow IN (0, 1));
CREATE TRIGGER swaps_vows_kept BEFORE UPDATE OF never_reveal, never_escrow ON swaps
WHEN NEW.never_reveal < OLD.never_reveal OR NEW.never_escrow < OLD.never_escrow
BEGIN SELECT RAISE(ABORT, 'an abort consent vow cannot be withdrawn'); END;
`,
  },
  {
    version: 4,
    name: "credit withdrawals as transactions (action withdraw)",
    // SQLite cannot change a CHECK in place: txs is rebuilt under a new name with tx_members (its only
    // child), rows copied with their ids, the old tables dropped child first, the new ones renamed.
    up: rebuildTxs("v4", TX_ACTIONS_V4),
  },
  {
    version: 5,
    name: "step deadlines on transactions, cancels, block checkpoints for reorganisations",
    // txs is rebuilt once more (action cancel); every row gains the chain-clock deadline of its step
    // (NULL for actions without one) and whether its calldata reveals the secret (step-5 redeems).
    // chain_blocks keeps the hashes of recent final tips, to find how deep a reorganisation went.
    up: `
${rebuildTxs("v5", TX_ACTIONS_V5, `,
  deadline   TEXT    CHECK (deadline IS NULL OR (deadline <> '' AND deadline NOT GLOB '*[^0-9]*')),
  reveals    INTEGER NOT NULL DEFAULT 0 CHECK (reveals IN (0, 1))`, "*, NULL, CASE WHEN action = 'redeem' AND leg = 'B' THEN 1 ELSE 0 END")}
CREATE TABLE chain_blocks (
  chain_id     TEXT    NOT NULL,
  block_number INTEGER NOT NULL CHECK (block_number >= 0),
  block_hash   TEXT    NOT NULL,
  PRIMARY KEY (chain_id, block_number)
);
`,
  },
  {
    version: 6,
    name: "swaps as cycles: parties and arcs",
    // A swap is a cycle of n parties (2 … 8) and n arcs (PROTOCOLS.md §7; a two-party swap is n = 2,
    // arc 0 = leg A, arc 1 = leg B). swap_parties: who is party i and whether this coordinator holds its
    // key; swap_arcs: arc i's chain and its status as the chains last showed it. The swaps already
    // recorded become 2-cycles: parties and chains from their offers, each arc's status the best the
    // swap's status and outcome label tell (the engine reads every leg again at start and corrects it).
    // An offer without these fields (none was ever written by the coordinator) gets '' and chain '0'.
    // swaps is rebuilt (its status may be a cycle's generic label; its size is a column), and so are
    // txs and tx_members (a transaction acts on arcs 0 … 7, named A … H).
    rebuildsParent: true,
    up: `
CREATE TABLE swaps_v6 (
  id              TEXT    PRIMARY KEY,
  offer           TEXT    NOT NULL,
  signatures      TEXT    NOT NULL,
  kind            TEXT    NOT NULL CHECK (kind IN ('hedged-swap', 'option')),
  hashlock        TEXT    NOT NULL UNIQUE,
  role_leader     INTEGER NOT NULL CHECK (role_leader IN (0, 1)),
  role_follower   INTEGER NOT NULL CHECK (role_follower IN (0, 1)),
  secret_index    INTEGER CHECK (secret_index IS NULL OR secret_index >= 0),
  status          TEXT    NOT NULL CHECK (${STATUS_CHECK_V6}),
  outcome         TEXT,
  revealed_secret TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  never_reveal    INTEGER NOT NULL DEFAULT 0 CHECK (never_reveal IN (0, 1)),
  never_escrow    INTEGER NOT NULL DEFAULT 0 CHECK (never_escrow IN (0, 1)),
  parties         INTEGER NOT NULL DEFAULT 2 CHECK (parties BETWEEN 2 AND 8)
);
INSERT INTO swaps_v6 SELECT id, offer, signatures, kind, hashlock, role_leader, role_follower, secret_index, status, outcome,
  revealed_secret, created_at, updated_at, never_reveal, never_escrow, 2 FROM swaps;
DROP TABLE swaps;
ALTER TABLE swaps_v6 RENAME TO swaps;
CREATE INDEX swaps_status ON swaps (status);
CREATE TRIGGER swaps_vows_kept BEFORE UPDATE OF never_reveal, never_escrow ON swaps
WHEN NEW.never_reveal < OLD.never_reveal OR NEW.never_escrow < OLD.never_escrow
BEGIN SELECT RAISE(ABORT, 'an abort consent vow cannot be withdrawn'); END;
${rebuildTxs("v6", TX_ACTIONS_V5, TX_V5_EXTRA, "*", ARC_LEGS)}
CREATE TABLE swap_parties (
  swap_id TEXT    NOT NULL REFERENCES swaps (id),
  idx     INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 7),
  address TEXT    NOT NULL,
  held    INTEGER NOT NULL CHECK (held IN (0, 1)),
  PRIMARY KEY (swap_id, idx)
);
CREATE TABLE swap_arcs (
  swap_id    TEXT    NOT NULL REFERENCES swaps (id),
  idx        INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 7),
  ${decimal("chain_id")},
  status     TEXT    NOT NULL CHECK (status IN (${ARC_STATUSES})),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (swap_id, idx)
);
CREATE INDEX swap_arcs_chain ON swap_arcs (chain_id, status);
INSERT INTO swap_parties (swap_id, idx, address, held)
  SELECT id, 0, COALESCE(json_extract(offer, '$.leader'), ''), role_leader FROM swaps;
INSERT INTO swap_parties (swap_id, idx, address, held)
  SELECT id, 1, COALESCE(json_extract(offer, '$.follower'), ''), role_follower FROM swaps;
INSERT INTO swap_arcs (swap_id, idx, chain_id, status, updated_at)
  SELECT id, 0, COALESCE(CAST(json_extract(offer, '$.legA.chainId') AS TEXT), '0'),
    CASE
      WHEN status = 'premiumA' THEN 'premium'
      WHEN status IN ('escrowedA', 'escrowedB', 'committed', 'redeemedB') THEN 'escrowed'
      WHEN status = 'completed' OR outcome = 'exercised' THEN 'redeemed'
      WHEN outcome IN ('S0', 'S1') THEN 'expired'
      WHEN outcome = 'S2' THEN 'premiumRefunded'
      WHEN outcome IN ('S3', 'S4', 'S5', 'abandoned') THEN 'refunded'
      WHEN outcome = 'aborted' THEN 'aborted'
      WHEN outcome LIKE 'A:% B:%' AND replace(substr(outcome, 3, instr(outcome, ' B:') - 3), 'never', 'expired') IN (${ARC_STATUSES}) THEN replace(substr(outcome, 3, instr(outcome, ' B:') - 3), 'never', 'expired')
      ELSE 'open'
    END, updated_at FROM swaps;
INSERT INTO swap_arcs (swap_id, idx, chain_id, status, updated_at)
  SELECT id, 1, COALESCE(CAST(json_extract(offer, '$.legB.chainId') AS TEXT), '0'),
    CASE
      WHEN status IN ('premiumB', 'premiumA', 'escrowedA') THEN 'premium'
      WHEN status IN ('escrowedB', 'committed') THEN 'escrowed'
      WHEN status IN ('redeemedB', 'completed') OR outcome IN ('exercised', 'S5') THEN 'redeemed'
      WHEN outcome = 'S0' THEN 'expired'
      WHEN outcome IN ('S1', 'S2', 'S3') THEN 'premiumRefunded'
      WHEN outcome IN ('S4', 'abandoned') THEN 'refunded'
      WHEN outcome = 'aborted' THEN 'aborted'
      WHEN outcome LIKE 'A:% B:%' AND replace(substr(outcome, instr(outcome, ' B:') + 3), 'never', 'expired') IN (${ARC_STATUSES}) THEN replace(substr(outcome, instr(outcome, ' B:') + 3), 'never', 'expired')
      ELSE 'open'
    END, updated_at FROM swaps;
`,
  },
];

/** The version of the newest migration this code knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Applies the pending migrations in order, each in its own IMMEDIATE transaction (so two processes
 * opening the same file cannot both apply one), recording each in `schema_migrations`.
 * Throws `SchemaVersionError` when the database is newer than this code, or when a recorded
 * migration's name differs from the one this code has under that number. Returns the versions applied.
 */
export function applyMigrations(db: BetterSqlite3.Database, now: () => number, migrations: readonly Migration[] = MIGRATIONS): number[] {
  // Created once; a database that has it is only read here.
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() === undefined) db.exec(MIGRATIONS_TABLE);
  const known = new Map(migrations.map((m) => [m.version, m]));
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const recorded = db.prepare<[], { version: number; name: string }>("SELECT version, name FROM schema_migrations ORDER BY version");
  const record = db.prepare<[number, string, number]>("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");

  const check = (): Set<number> => {
    const rows = recorded.all();
    for (const row of rows) {
      if (row.version > latest) {
        throw new SchemaVersionError("the database schema is newer than this code; upgrade the coordinator", {
          databaseVersion: rows[rows.length - 1]?.version,
          codeVersion: latest,
        });
      }
      const mine = known.get(row.version);
      if (mine === undefined || mine.name !== row.name) {
        throw new SchemaVersionError("the database's migration history differs from this code's", { version: row.version, name: row.name });
      }
    }
    return new Set(rows.map((r) => r.version));
  };

  const applied: number[] = [];
  // Nothing pending (every open of a migrated database, e.g. `status` or `submit` next to a running
  // `run`): no write transaction at all, so a reader never competes for the writer's lock.
  const done = check();
  if (migrations.every((m) => done.has(m.version))) return applied;
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const foreignKeys = db.pragma("foreign_keys", { simple: true }) as number;
    if (migration.rebuildsParent) db.pragma("foreign_keys = OFF");
    try {
      const ran = db
        .transaction(() => {
          if (check().has(migration.version)) return false; // another process got there first
          db.exec(migration.up);
          const broken = migration.rebuildsParent ? (db.pragma("foreign_key_check") as unknown[]) : [];
          if (broken.length > 0) throw new SchemaVersionError("a migration left rows whose references do not resolve", { version: migration.version, rows: broken.slice(0, 5) });
          record.run(migration.version, migration.name, now());
          return true;
        })
        .immediate();
      if (ran) applied.push(migration.version);
    } finally {
      if (migration.rebuildsParent) db.pragma(`foreign_keys = ${foreignKeys ? "ON" : "OFF"}`);
    }
  }
  return applied;
}
