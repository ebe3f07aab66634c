/**
 * The coordinator's SQLite store, on real database files: migrations, swaps and their transitions,
 * transactions, the append-only event trail, chain tips, and durability across a SIGKILLed process.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";

import { IllegalArcTransitionError } from "../../src/coordinator/domain/arcs";
import { IllegalTransitionError } from "../../src/coordinator/domain/status";
import { DuplicateSwapError, DuplicateTxError, LATEST_VERSION, MIGRATIONS, SchemaVersionError, SqliteStore } from "../../src/coordinator/store";
import { applyMigrations, openSqliteStore, type CoordinatorStore, type NewEvent, type NewTx } from "../../src/coordinator/store";
import { InvalidArgumentError } from "../../src/sdk";

const hex32 = (prefix: string, n: number): string => "0x" + prefix + n.toString(16).padStart(64 - prefix.length, "0");
const swapInput = (n: number, hashlockOf = n) => ({
  id: hex32("1d", n),
  offer: { leader: "0x1111", follower: "0x2222", legA: { chainId: "31337", amount: "1000000000000000000000" }, legB: { chainId: "31338" }, nested: { n } },
  signatures: { leader: "0x" + "aa".repeat(65), follower: "0x" + "bb".repeat(65) },
  kind: "hedged-swap" as const,
  hashlock: hex32("4a", hashlockOf),
  roles: { leader: true, follower: false },
  secretIndex: n,
});
const ev = (kind: string, data: Record<string, unknown> = {}): NewEvent => ({ swapId: null, chainId: null, kind, data });
const newTx = (n: number, over: Partial<NewTx> = {}): NewTx => ({
  swapId: hex32("1d", 1), chainId: "1", account: "0x1111", nonce: n, action: "escrow", leg: "A", to: "0x2222", data: "0x",
  value: "0", maxFeePerGas: "30000000000", maxPriorityFeePerGas: "1000000000", gasLimit: "210000",
  raw: "0x02" + n.toString(16), hash: hex32("7e", n), status: "signed", attempt: 1, ...over,
});

describe("coordinator SQLite store", function () {
  let dir: string;
  let file: string;
  let clock: number;
  let store: CoordinatorStore;
  const open = (): CoordinatorStore => openSqliteStore(file, { now: () => clock });
  const raw = <T>(fn: (db: Database.Database) => T, path: string = file): T => {
    const db = new Database(path);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  const count = (table: string): number => raw((db) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), "hedgeswap-store-"));
    file = join(dir, "nested", "dir", "coordinator.sqlite");
    clock = 1_000;
    store = open();
  });
  afterEach(function () {
    store.close(); // a no-op when the test closed it already
    rmSync(dir, { recursive: true, force: true });
  });

  describe("opening and migrations", function () {
    it("creates the file and its directory, applies every migration once, WAL + FULL sync", function () {
      expect(existsSync(file)).to.equal(true);
      expect(store.schemaVersion()).to.equal(6).and.equal(LATEST_VERSION);
      const s = new SqliteStore(join(dir, "other.sqlite"));
      expect(s.settings()).to.deep.equal({ journalMode: "wal", synchronous: 2, foreignKeys: 1, busyTimeout: 5000 });
      s.close();
      expect(raw((db) => db.pragma("journal_mode", { simple: true }))).to.equal("wal");
      expect(raw((db) => db.prepare("SELECT version, name, applied_at FROM schema_migrations").all())).to.deep.equal([
        { version: 1, name: "initial schema", applied_at: 1_000 },
        { version: 2, name: "transactions covering several swaps (batched redeems and settles)", applied_at: 1_000 },
        { version: 3, name: "abort consent vows (the leader never reveals, the follower never escrows leg B)", applied_at: 1_000 },
        { version: 4, name: "credit withdrawals as transactions (action withdraw)", applied_at: 1_000 },
        { version: 5, name: "step deadlines on transactions, cancels, block checkpoints for reorganisations", applied_at: 1_000 },
        { version: 6, name: "swaps as cycles: parties and arcs", applied_at: 1_000 },
      ]);
    });

    it("reopening applies nothing new and keeps every row", function () {
      const swap = store.insertSwap(swapInput(1), ev("accepted"));
      store.insertTx(newTx(0));
      store.setTip({ chainId: "1", blockNumber: 7, blockHash: "0xbeef" });
      store.close();
      clock = 9_000;
      store = open();
      expect(store.schemaVersion()).to.equal(6);
      expect(raw((db) => db.prepare("SELECT version, applied_at FROM schema_migrations").all())).to.deep.equal([
        { version: 1, applied_at: 1_000 },
        { version: 2, applied_at: 1_000 },
        { version: 3, applied_at: 1_000 },
        { version: 4, applied_at: 1_000 },
        { version: 5, applied_at: 1_000 },
        { version: 6, applied_at: 1_000 },
      ]);
      expect(store.getSwap(swap.id)).to.deep.equal(swap);
      expect(store.events()).to.have.length(1);
      expect(store.txsOfSwap(swap.id)).to.have.length(1);
      expect(store.getTip("1")).to.deep.equal({ chainId: "1", blockNumber: 7, blockHash: "0xbeef" });
    });

    it("a migration that rebuilds a referenced table runs with foreign keys off, is rolled back when it leaves a dangling reference, and foreign keys are on again after it", function () {
      store.insertSwap(swapInput(1), ev("accepted"));
      const later = LATEST_VERSION + 1;
      const dangling = { version: later, name: "drops swaps", rebuildsParent: true, up: "DELETE FROM swap_arcs; DELETE FROM swap_parties; DELETE FROM swaps;" };
      store.close();
      raw((db) => {
        db.pragma("foreign_keys = ON");
        expect(() => applyMigrations(db, () => 5, [...MIGRATIONS, dangling])).to.throw(SchemaVersionError, /references do not resolve/);
        expect(db.pragma("foreign_keys", { simple: true })).to.equal(1);
        expect(db.prepare("SELECT COUNT(*) FROM swaps").pluck().get()).to.equal(1);
        expect(db.prepare("SELECT MAX(version) FROM schema_migrations").pluck().get()).to.equal(LATEST_VERSION);
      });
      store = open();
    });

    it("refuses a database whose schema is newer than the code", function () {
      store.close();
      raw((db) => db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run());
      expect(() => open()).to.throw(SchemaVersionError, /newer than this code/);
    });

    it("applies a later migration in order on an existing database, once", function () {
      const later = LATEST_VERSION + 1;
      const next = [...MIGRATIONS, { version: later, name: "notes", up: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)" }];
      raw((db) => {
        expect(applyMigrations(db, () => 5, next)).to.deep.equal([later]);
        expect(applyMigrations(db, () => 6, next)).to.deep.equal([]);
        expect(db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all()).to.deep.equal([...MIGRATIONS.map((m) => m.version), later]);
      });
      // The shipped code now refuses this database.
      store.close();
      expect(() => open()).to.throw(SchemaVersionError);
    });
  });

  describe("swaps as cycles of parties and arcs (migration 6)", function () {
    const offer2 = (n: number) => JSON.stringify({ leader: "0xAa" + n, follower: "0xBb" + n, legA: { chainId: "31337" }, legB: { chainId: "31338" } });
    const rows: [status: string, outcome: string | null, arcs: [string, string]][] = [
      ["accepted", null, ["open", "open"]],
      ["premiumB", null, ["open", "premium"]],
      ["premiumA", null, ["premium", "premium"]],
      ["escrowedA", null, ["escrowed", "premium"]],
      ["escrowedB", null, ["escrowed", "escrowed"]],
      ["committed", null, ["escrowed", "escrowed"]],
      ["redeemedB", null, ["escrowed", "redeemed"]],
      ["completed", "completed", ["redeemed", "redeemed"]],
      ["settled", "S0", ["expired", "expired"]],
      ["settled", "S1", ["expired", "premiumRefunded"]],
      ["settled", "S2", ["premiumRefunded", "premiumRefunded"]],
      ["settled", "S3", ["refunded", "premiumRefunded"]],
      ["settled", "S4", ["refunded", "refunded"]],
      ["settled", "S5", ["refunded", "redeemed"]],
      ["settled", "exercised", ["redeemed", "redeemed"]],
      ["settled", "abandoned", ["refunded", "refunded"]],
      ["settled", "A:redeemed B:never", ["redeemed", "expired"]],
      ["aborting", null, ["open", "open"]],
    ];

    it("migration 6 turns every swap of a version-5 database, mid-swap or finished, into a 2-cycle: parties from the offer with the held roles, arcs on legs A's and B's chains with the status the swap shows; every other row kept", function () {
      store.close();
      const v5 = join(dir, "v5.sqlite");
      raw((db) => {
        db.pragma("foreign_keys = ON");
        expect(applyMigrations(db, () => 500, MIGRATIONS.filter((m) => m.version <= 5))).to.deep.equal([1, 2, 3, 4, 5]);
        rows.forEach(([status, outcome], n) => {
          db.prepare(
            `INSERT INTO swaps (id, offer, signatures, kind, hashlock, role_leader, role_follower, secret_index, status, outcome, revealed_secret, created_at, updated_at)
             VALUES (?, ?, '{"leader":"0x","follower":"0x"}', 'hedged-swap', ?, 1, 0, ?, ?, ?, NULL, 500, 600)`,
          ).run(hex32("1d", n), offer2(n), hex32("4a", n), n, status, outcome);
        });
        // A swap mid-way has its signed and sent transactions, and an event trail.
        db.prepare(
          "INSERT INTO txs (swap_id, chain_id, account, nonce, action, leg, to_address, data, value, max_fee_per_gas, max_priority_fee_per_gas, gas_limit, raw, hash, status, attempt, created_at, updated_at) VALUES (?, '31337', '0x1', 0, 'escrow', 'A', '0x2', '0x', '0', '1', '1', '1', '0x', ?, 'sent', 1, 0, 0)",
        ).run(hex32("1d", 2), hex32("7e", 1));
        db.prepare("INSERT INTO tx_members (tx_id, swap_id, leg) VALUES (1, ?, 'A')").run(hex32("1d", 2));
        db.prepare("INSERT INTO events (swap_id, chain_id, at, kind, data) VALUES (?, NULL, 500, 'swap.accepted', '{}')").run(hex32("1d", 2));
      }, v5);
      const before = raw((db) => ({ swaps: db.prepare("SELECT * FROM swaps ORDER BY id").all(), txs: db.prepare("SELECT * FROM txs").all(), events: db.prepare("SELECT * FROM events").all() }), v5);
      clock = 3_000;
      store = openSqliteStore(v5, { now: () => clock });
      expect(store.schemaVersion()).to.equal(6);
      rows.forEach(([status, outcome, arcs], n) => {
        const id = hex32("1d", n);
        expect(store.getSwap(id), `${status} ${outcome}`).to.deep.include({ status, outcome, parties: 2 });
        expect(store.partiesOf(id)).to.deep.equal([
          { swapId: id, index: 0, address: "0xAa" + n, held: true },
          { swapId: id, index: 1, address: "0xBb" + n, held: false },
        ]);
        expect(store.arcsOf(id), `${status} ${outcome}`).to.deep.equal([
          { swapId: id, index: 0, chainId: "31337", status: arcs[0], updatedAt: 600 },
          { swapId: id, index: 1, chainId: "31338", status: arcs[1], updatedAt: 600 },
        ]);
      });
      const after = raw((db) => ({ swaps: db.prepare("SELECT * FROM swaps ORDER BY id").all(), txs: db.prepare("SELECT * FROM txs").all(), events: db.prepare("SELECT * FROM events").all() }), v5);
      expect(after).to.deep.equal({ ...before, swaps: (before.swaps as Record<string, unknown>[]).map((r) => ({ ...r, parties: 2 })) });
      // The mid-swap swap goes on: its open transaction is still open, its arcs move on.
      const mid = hex32("1d", 2);
      expect(store.openTxMembers()).to.deep.equal([{ swapId: mid, leg: "A", action: "escrow", chainId: "31337" }]);
      expect(store.setArcStatus(mid, 0, "escrowed", ev("arc.status", { arc: 0, to: "escrowed" }))).to.deep.include({ status: "escrowed", updatedAt: 3_000 });
      expect(store.transition(mid, "escrowedA", ev("swap.status"))).to.deep.include({ status: "escrowedA", parties: 2 });
      store.close();
      raw((db) => {
        db.pragma("foreign_keys = ON");
        expect(db.pragma("foreign_key_check")).to.deep.equal([]);
        expect(() => db.prepare("INSERT INTO swap_arcs (swap_id, idx, chain_id, status, updated_at) VALUES (?, 2, '1', 'open', 0)").run(hex32("9d", 1))).to.throw(/FOREIGN KEY/);
        expect(() => db.prepare("UPDATE swap_arcs SET status = 'lost' WHERE swap_id = ?").run(mid)).to.throw(/CHECK constraint/);
        expect(() => db.prepare("UPDATE swaps SET parties = 9 WHERE id = ?").run(mid)).to.throw(/CHECK constraint/);
        // A cycle's generic status labels and arcs beyond B fit the rebuilt tables; nonsense does not.
        for (const label of ["premiums@8", "escrows@3", "escrows@16", "revealed"]) db.prepare("UPDATE swaps SET status = ? WHERE id = ?").run(label, hex32("1d", 0));
        for (const label of ["premiums@9", "escrows@2", "escrows@17", "premiums@", "lost"]) expect(() => db.prepare("UPDATE swaps SET status = ? WHERE id = ?").run(label, hex32("1d", 0)), label).to.throw(/CHECK constraint/);
        db.prepare("UPDATE tx_members SET leg = 'H' WHERE tx_id = 1").run();
        expect(() => db.prepare("UPDATE tx_members SET leg = 'I' WHERE tx_id = 1").run()).to.throw(/CHECK constraint/);
        expect(() => db.prepare("UPDATE txs SET leg = 'I' WHERE id = 1").run()).to.throw(/CHECK constraint/);
        // The rebuilt swaps keep their index, their vow trigger and every reference to them.
        expect(db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'swaps' AND type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all()).to.deep.equal(["swaps_status", "swaps_vows_kept"]);
        expect(() => db.prepare("INSERT INTO events (swap_id, chain_id, at, kind, data) VALUES (?, NULL, 0, 'x', '{}')").run(hex32("9d", 1))).to.throw(/FOREIGN KEY/);
        expect(() => db.prepare("DELETE FROM swaps WHERE id = ?").run(mid)).to.throw(/FOREIGN KEY/);
      }, v5);
    });

    it("a new swap gets its parties and arcs in the same transaction: from a two-party offer, or the n-cycle given; a bad cycle writes nothing", function () {
      const two = store.insertSwap(swapInput(1), ev("accepted"));
      expect(two.parties).to.equal(2);
      expect(store.partiesOf(two.id).map((p) => [p.address, p.held])).to.deep.equal([["0x1111", true], ["0x2222", false]]);
      expect(store.arcsOf(two.id).map((a) => [a.chainId, a.status])).to.deep.equal([["31337", "open"], ["31338", "open"]]);
      const cycle = { parties: [{ address: "0xA", held: false }, { address: "0xB", held: true }, { address: "0xC", held: false }], arcChains: ["1", "2", "3"] };
      const three = store.insertSwap({ ...swapInput(2), offer: { parties: ["0xA", "0xB", "0xC"] }, cycle }, ev("accepted"));
      expect(three.parties).to.equal(3);
      expect(store.partiesOf(three.id).map((p) => p.held)).to.deep.equal([false, true, false]);
      expect(store.arcsOf(three.id).map((a) => [a.index, a.chainId, a.status])).to.deep.equal([[0, "1", "open"], [1, "2", "open"], [2, "3", "open"]]);
      const nine = { parties: Array.from({ length: 9 }, (_, i) => ({ address: "0x" + i, held: false })), arcChains: Array.from({ length: 9 }, () => "1") };
      expect(() => store.insertSwap({ ...swapInput(3), cycle: nine }, ev("accepted"))).to.throw(InvalidArgumentError, /cycle/);
      expect(() => store.insertSwap({ ...swapInput(4), cycle: { ...cycle, arcChains: ["1", "2"] } }, ev("accepted"))).to.throw(InvalidArgumentError, /cycle/);
      expect(() => store.insertSwap({ ...swapInput(5), offer: { parties: [] } }, ev("accepted"))).to.throw(InvalidArgumentError, /two-party offer/);
      expect(store.listSwaps().map((s) => s.id)).to.deep.equal([two.id, three.id]);
      expect(count("swap_arcs")).to.equal(5);
    });

    it("an arc moves along the arc table with its event in one transaction; a move outside it throws IllegalArcTransitionError and writes nothing; a reopening after a reorganisation may go back", function () {
      const { id } = store.insertSwap(swapInput(1), ev("accepted"));
      const events = () => store.events(id).length;
      expect(store.setArcStatus(id, 1, "premium", ev("arc.status"))).to.deep.include({ index: 1, status: "premium" });
      expect(store.setArcStatus(id, 1, "premium", ev("arc.status"))).to.deep.include({ status: "premium" });
      expect(events()).to.equal(2);
      expect(() => store.setArcStatus(id, 1, "redeemed", ev("arc.status"))).to.throw(IllegalArcTransitionError).with.property("from", "premium");
      expect(events()).to.equal(2);
      store.setArcStatus(id, 1, "escrowed", ev("arc.status"));
      expect(() => store.setArcStatus(id, 1, "premium", ev("arc.status"))).to.throw(IllegalArcTransitionError);
      expect(store.setArcStatus(id, 1, "premium", ev("arc.reopened"), { reopen: true })).to.deep.include({ status: "premium" });
      expect(() => store.setArcStatus(id, 5, "premium", ev("arc.status"))).to.throw(InvalidArgumentError, /no such arc/);
      expect(store.events(id).map((e) => e.kind)).to.deep.equal(["accepted", "arc.status", "arc.status", "arc.reopened"]);
    });
  });

  describe("credit withdrawals (migration 4)", function () {
    it("migration 4 rebuilds txs and tx_members of a version-3 database: every row and id kept, foreign keys enforced, withdraw accepted, ids continue", function () {
      store.close();
      const id = hex32("1d", 1);
      const v3 = join(dir, "v3.sqlite");
      const insTx = "INSERT INTO txs (swap_id, chain_id, account, nonce, action, leg, to_address, data, value, max_fee_per_gas, max_priority_fee_per_gas, gas_limit, raw, hash, status, attempt, created_at, updated_at) VALUES (?, '1', '0x1', ?, ?, 'A', '0x2', '0x', '0', '1', '1', '1', '0x', ?, 'mined', 1, 0, 0)";
      raw((db) => {
        db.pragma("foreign_keys = ON");
        expect(applyMigrations(db, () => 500, MIGRATIONS.filter((m) => m.version <= 3))).to.deep.equal([1, 2, 3]);
        db.prepare(
          `INSERT INTO swaps (id, offer, signatures, kind, hashlock, role_leader, role_follower, secret_index, status, outcome, revealed_secret, created_at, updated_at)
           VALUES (?, '{}', '{"leader":"0x","follower":"0x"}', 'hedged-swap', ?, 1, 1, 7, 'completed', 'completed', NULL, 500, 500)`,
        ).run(id, hex32("4a", 1));
        expect(() => db.prepare(insTx).run(id, 9, "withdraw", hex32("7e", 99))).to.throw(/CHECK constraint/);
        for (const n of [0, 1, 2]) {
          const { lastInsertRowid } = db.prepare(insTx).run(id, n, "redeem", hex32("7e", 50 + n));
          db.prepare("INSERT INTO tx_members (tx_id, swap_id, leg) VALUES (?, ?, 'A')").run(lastInsertRowid, id);
        }
        // A gap: ids 1 and 3 remain, the AUTOINCREMENT sequence stays at 3.
        db.prepare("DELETE FROM tx_members WHERE tx_id = 2").run();
        db.prepare("DELETE FROM txs WHERE id = 2").run();
      }, v3);
      const before = raw((db) => ({ txs: db.prepare("SELECT * FROM txs ORDER BY id").all(), members: db.prepare("SELECT * FROM tx_members ORDER BY tx_id").all() }), v3);
      store = openSqliteStore(v3, { now: () => clock });
      expect(store.schemaVersion()).to.equal(6);
      // Migration 5 adds each row's step deadline (unknown: NULL) and reveal flag (redeems of leg B).
      const migrated = { ...before, txs: (before.txs as Record<string, unknown>[]).map((t) => ({ ...t, deadline: null, reveals: t.action === "redeem" && t.leg === "B" ? 1 : 0 })) };
      expect(raw((db) => ({ txs: db.prepare("SELECT * FROM txs ORDER BY id").all(), members: db.prepare("SELECT * FROM tx_members ORDER BY tx_id").all() }), v3)).to.deep.equal(migrated);
      const w = store.insertTx(newTx(7, { swapId: id, action: "withdraw", hash: hex32("7e", 77) }));
      expect(w).to.deep.include({ action: "withdraw", id: 4 });
      expect(store.txsOfSwap(id).map((t) => [t.id, t.action])).to.deep.equal([[1, "redeem"], [3, "redeem"], [4, "withdraw"]]);
      store.close();
      raw((db) => {
        db.pragma("foreign_keys = ON");
        expect(db.pragma("foreign_key_check")).to.deep.equal([]);
        expect(() => db.prepare("INSERT INTO tx_members (tx_id, swap_id, leg) VALUES (999, ?, 'A')").run(id)).to.throw(/FOREIGN KEY/);
        const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('txs_chain_account_nonce', 'txs_status', 'txs_swap', 'tx_members_swap') ORDER BY name").pluck().all();
        expect(indexes).to.deep.equal(["tx_members_swap", "txs_chain_account_nonce", "txs_status", "txs_swap"]);
      }, v3);
    });
  });

  describe("abort consent vows (migration 3)", function () {
    it("migration 3 applies to a version-2 database with swaps in it: existing swaps have no vow; the vows round-trip and are never withdrawn", function () {
      store.close();
      const old = join(dir, "v2.sqlite");
      raw((db) => {
        expect(applyMigrations(db, () => 500, MIGRATIONS.filter((m) => m.version <= 2))).to.deep.equal([1, 2]);
        db.prepare(
          `INSERT INTO swaps (id, offer, signatures, kind, hashlock, role_leader, role_follower, secret_index, status, outcome, revealed_secret, created_at, updated_at)
           VALUES (?, '{}', '{"leader":"0x","follower":"0x"}', 'hedged-swap', ?, 1, 1, 7, 'escrowedB', NULL, NULL, 500, 500)`,
        ).run(hex32("1d", 1), hex32("4a", 1));
      }, old);
      clock = 2_000;
      store = openSqliteStore(old, { now: () => clock });
      expect(store.schemaVersion()).to.equal(LATEST_VERSION);
      const id = hex32("1d", 1);
      expect(store.getSwap(id)).to.deep.include({ status: "escrowedB", secretIndex: 7, neverReveal: false, neverEscrow: false, createdAt: 500 });
      expect(store.insertSwap(swapInput(2), ev("accepted"))).to.deep.include({ neverReveal: false, neverEscrow: false });

      let row = store.patchSwap(id, { neverReveal: true }, ev("reveal.forsworn", { leg: "B" }));
      expect(row).to.deep.include({ status: "escrowedB", neverReveal: true, neverEscrow: false, updatedAt: 2_000 });
      row = store.patchSwap(id, { neverEscrow: true }, ev("escrow.forsworn", { leg: "B" }));
      expect(row).to.deep.include({ neverReveal: true, neverEscrow: true });
      // Later writes keep them: a transition, another patch.
      row = store.transition(id, "aborting", ev("aborting"), { outcome: null });
      expect(row).to.deep.include({ status: "aborting", neverReveal: true, neverEscrow: true });
      expect(store.events(id).map((e) => e.kind)).to.deep.equal(["reveal.forsworn", "escrow.forsworn", "aborting"]);
      store.close();
      store = openSqliteStore(old, { now: () => clock });
      expect(store.getSwap(id)).to.deep.equal(row);
      expect(store.getSwap(hex32("1d", 2))).to.deep.include({ neverReveal: false, neverEscrow: false });
      // No connection can withdraw a vow.
      store.close();
      raw((db) => {
        expect(() => db.prepare("UPDATE swaps SET never_reveal = 0 WHERE id = ?").run(id)).to.throw(/cannot be withdrawn/);
        expect(() => db.prepare("UPDATE swaps SET never_escrow = 0 WHERE id = ?").run(id)).to.throw(/cannot be withdrawn/);
        expect(() => db.prepare("UPDATE swaps SET never_escrow = 2 WHERE id = ?").run(hex32("1d", 2))).to.throw(/CHECK constraint/);
        expect(db.prepare("SELECT never_reveal, never_escrow FROM swaps WHERE id = ?").get(id)).to.deep.equal({ never_reveal: 1, never_escrow: 1 });
      }, old);
    });
  });

  describe("swaps", function () {
    it("inserts (status accepted, with its event), gets and lists", function () {
      const a = store.insertSwap(swapInput(1), ev("accepted", { by: "test" }));
      expect(a).to.deep.include({ status: "accepted", outcome: null, revealedSecret: null, createdAt: 1_000, updatedAt: 1_000, secretIndex: 1 });
      expect(a.offer).to.deep.equal(swapInput(1).offer);
      expect(a.roles).to.deep.equal({ leader: true, follower: false });
      expect(store.getSwap(a.id)).to.deep.equal(a);
      expect(store.getSwap(hex32("1d", 99))).to.equal(undefined);
      expect(store.events(a.id)).to.deep.equal([{ id: 1, swapId: a.id, chainId: null, at: 1_000, kind: "accepted", data: { by: "test" } }]);

      clock = 2_000;
      const b = store.insertSwap(swapInput(2), ev("accepted"));
      clock = 3_000;
      const c = store.insertSwap(swapInput(3), ev("accepted"));
      store.transition(a.id, "completed", ev("completed"), { outcome: "completed" });
      store.transition(b.id, "aborting", ev("aborting"));
      store.transition(b.id, "settled", ev("settled"));
      expect(store.listSwaps().map((s) => s.id)).to.deep.equal([a.id, b.id, c.id]);
      expect(store.listSwaps({ activeOnly: true }).map((s) => s.id)).to.deep.equal([c.id]);
      expect(store.activeSwapIds()).to.deep.equal([c.id]);
      expect(store.listSwaps({ status: "settled" }).map((s) => s.id)).to.deep.equal([b.id]);
      expect(store.listSwaps({ status: "settled", activeOnly: true })).to.deep.equal([]);
    });

    it("refuses a duplicate id or hashlock with DuplicateSwapError, writing nothing", function () {
      store.insertSwap(swapInput(1), ev("accepted"));
      const before = { swaps: count("swaps"), events: count("events") };
      const dupId = { ...swapInput(1), hashlock: hex32("4a", 50) };
      expect(() => store.insertSwap(dupId, ev("accepted"))).to.throw(DuplicateSwapError).with.property("field", "id");
      expect(() => store.insertSwap(swapInput(2, 1), ev("accepted")))
        .to.throw(DuplicateSwapError)
        .that.deep.includes({ field: "hashlock", swapId: hex32("1d", 2) });
      expect({ swaps: count("swaps"), events: count("events") }).to.deep.equal(before);
      expect(store.getSwap(hex32("1d", 2))).to.equal(undefined);
    });

    it("refuses ids and hashlocks that are not lower-case 32-byte hex", function () {
      const upper = { ...swapInput(1), hashlock: swapInput(1).hashlock.replace("4a", "4A") };
      expect(() => store.insertSwap(upper, ev("accepted"))).to.throw(InvalidArgumentError, /hashlock/);
      expect(() => store.insertSwap({ ...swapInput(1), id: "swap-1" }, ev("accepted"))).to.throw(InvalidArgumentError, /id/);
      expect(count("swaps")).to.equal(0);
    });

    it("rolls the swap back when its event cannot be written", function () {
      expect(() => store.insertSwap(swapInput(1), ev("accepted", { big: 1n }))).to.throw(TypeError);
      expect(store.getSwap(swapInput(1).id)).to.equal(undefined);
      expect(count("events")).to.equal(0);
    });
  });

  describe("transition and patch", function () {
    const id = hex32("1d", 1);
    beforeEach(function () {
      store.insertSwap(swapInput(1), ev("accepted"));
    });

    it("a legal move writes the status and its event together", function () {
      clock = 5_000;
      const row = store.transition(id, "premiumA", { swapId: null, chainId: "1", kind: "premiumA", data: { block: 3 }, at: 4_500 });
      expect(row).to.deep.include({ status: "premiumA", updatedAt: 5_000, createdAt: 1_000 });
      expect(store.getSwap(id)).to.deep.equal(row);
      expect(store.events(id).map((e) => [e.kind, e.swapId, e.chainId, e.at])).to.deep.equal([
        ["accepted", id, null, 1_000],
        ["premiumA", id, "1", 4_500],
      ]);
      // atomic: an event that cannot be written leaves the status where it was
      expect(() => store.transition(id, "escrowedA", ev("escrowedA", { big: 2n }))).to.throw(TypeError);
      expect(store.getSwap(id)?.status).to.equal("premiumA");
      expect(store.events(id)).to.have.length(2);
    });

    it("an illegal move throws IllegalTransitionError and writes nothing", function () {
      const before = store.transition(id, "escrowedA", ev("escrowedA"));
      clock = 6_000;
      expect(() => store.transition(id, "premiumB", ev("premiumB"), { outcome: "x" }))
        .to.throw(IllegalTransitionError)
        .that.deep.includes({ from: "escrowedA", to: "premiumB" });
      expect(store.getSwap(id)).to.deep.equal(before);
      store.transition(id, "completed", ev("completed"));
      expect(() => store.transition(id, "aborting", ev("aborting"))).to.throw(IllegalTransitionError);
      expect(store.getSwap(id)?.status).to.equal("completed");
      expect(store.events(id).map((e) => e.kind)).to.deep.equal(["accepted", "escrowedA", "completed"]);
    });

    it("moving to the current status is a no-op", function () {
      const row = store.transition(id, "premiumB", ev("premiumB"));
      clock = 7_000;
      const again = store.transition(id, "premiumB", ev("premiumB again"), { outcome: "ignored" });
      expect(again).to.deep.equal(row);
      expect(store.getSwap(id)).to.deep.equal(row);
      expect(store.events(id)).to.have.length(2);
    });

    it("applies patch fields: with a transition, alone, and null clears", function () {
      const secret = "0x" + "5e".repeat(32);
      let row = store.patchSwap(id, { revealedSecret: secret }, ev("secretSeen"));
      expect(row).to.deep.include({ status: "accepted", revealedSecret: secret, outcome: null });
      row = store.transition(id, "completed", ev("completed"), { outcome: "completed" });
      expect(row).to.deep.include({ status: "completed", revealedSecret: secret, outcome: "completed" });
      row = store.patchSwap(id, { outcome: null }, ev("cleared"));
      expect(row).to.deep.include({ revealedSecret: secret, outcome: null });
      expect(store.events(id).map((e) => e.kind)).to.deep.equal(["accepted", "secretSeen", "completed", "cleared"]);
    });
  });

  describe("transactions", function () {
    beforeEach(function () {
      store.insertSwap(swapInput(1), ev("accepted"));
      store.insertSwap(swapInput(2), ev("accepted"));
    });

    it("a batched transaction belongs to every swap leg it covers; open members list what must not be sent again", function () {
      const batch = store.insertTx(newTx(5, { action: "redeem", leg: "B" }), [
        { swapId: hex32("1d", 1), leg: "B" },
        { swapId: hex32("1d", 2), leg: "B" },
      ]);
      expect(store.txMembers(batch.id)).to.deep.equal([
        { swapId: hex32("1d", 1), leg: "B" },
        { swapId: hex32("1d", 2), leg: "B" },
      ]);
      expect(store.txsOfSwap(hex32("1d", 2)).map((t) => t.hash)).to.deep.equal([batch.hash]);
      expect(store.openTxMembers()).to.have.deep.members([
        { swapId: hex32("1d", 1), leg: "B", action: "redeem", chainId: "1" },
        { swapId: hex32("1d", 2), leg: "B", action: "redeem", chainId: "1" },
      ]);
      store.updateTx(batch.id, { status: "mined", blockNumber: 3 });
      expect(store.openTxMembers()).to.deep.equal([]);
      const single = store.insertTx(newTx(6));
      expect(store.txMembers(single.id)).to.deep.equal([{ swapId: hex32("1d", 1), leg: "A" }]);
    });

    it("inserts, updates status and block, lists open ones by chain, tracks the max nonce", function () {
      const t0 = store.insertTx(newTx(0));
      expect(t0).to.deep.include({ id: 1, nonce: 0, blockNumber: null, status: "signed", createdAt: 1_000, updatedAt: 1_000 });
      const t1 = store.insertTx(newTx(1, { action: "redeem", status: "sent" }));
      const t2 = store.insertTx(newTx(5, { chainId: "10", swapId: hex32("1d", 2), leg: "B" }));
      const t3 = store.insertTx(newTx(7, { account: "0x3333" }));
      expect(store.openTxs().map((t) => t.id)).to.deep.equal([t0.id, t1.id, t2.id, t3.id]);
      clock = 8_000;
      const mined = store.updateTx(t0.id, { status: "mined", blockNumber: 12 });
      expect(mined).to.deep.include({ status: "mined", blockNumber: 12, updatedAt: 8_000, createdAt: 1_000 });
      expect(store.updateTx(t1.id, { status: "dropped" }).blockNumber).to.equal(null);
      expect(store.openTxs().map((t) => t.id)).to.deep.equal([t2.id, t3.id]);
      expect(store.openTxs("1").map((t) => t.id)).to.deep.equal([t3.id]);
      expect(store.openTxs("10").map((t) => t.id)).to.deep.equal([t2.id]);
      expect(store.maxNonce("1", "0x1111")).to.equal(1);
      expect(store.maxNonce("1", "0x3333")).to.equal(7);
      expect(store.maxNonce("10", "0x1111")).to.equal(5);
      expect(store.maxNonce("10", "0x3333")).to.equal(undefined);
      expect(store.txsOfSwap(hex32("1d", 1)).map((t) => t.id)).to.deep.equal([t0.id, t1.id, t3.id]);
      expect(store.txsOfSwap(hex32("1d", 1))[0]).to.deep.equal(mined);
    });

    it("refuses a duplicate hash, a non-decimal amount and an unknown swap", function () {
      store.insertTx(newTx(0));
      expect(() => store.insertTx(newTx(1, { hash: newTx(0).hash }))).to.throw(DuplicateTxError);
      expect(() => store.insertTx(newTx(2, { value: "1.5" }))).to.throw(/CHECK constraint/);
      expect(() => store.insertTx(newTx(3, { swapId: hex32("1d", 9) }))).to.throw(/FOREIGN KEY/);
      expect(count("txs")).to.equal(1);
    });
  });

  describe("events and tips", function () {
    it("lists events by kind prefix (literal: % and _ match themselves) and since an id", function () {
      const a = store.appendEvent(ev("leg.redeemed"));
      store.appendEvent(ev("legacy"));
      const c = store.appendEvent(ev("leg.refunded"));
      store.appendEvent(ev("le%g.x"));
      expect(store.eventsOfKind("leg.").map((e) => e.id)).to.deep.equal([a.id, c.id]);
      expect(store.eventsOfKind("le%").map((e) => e.kind)).to.deep.equal(["le%g.x"]);
      expect(store.eventsSince(a.id, 2).map((e) => e.kind)).to.deep.equal(["legacy", "leg.refunded"]);
      expect(store.lastEventId()).to.equal(c.id + 1);
    });

    it("appends events and refuses UPDATE and DELETE from any connection", function () {
      const e = store.appendEvent({ swapId: null, chainId: "1", kind: "reorg", data: { depth: 2 } });
      expect(e).to.deep.equal({ id: 1, swapId: null, chainId: "1", at: 1_000, kind: "reorg", data: { depth: 2 } });
      raw((db) => {
        expect(() => db.prepare("UPDATE events SET kind = 'tampered'").run()).to.throw(/append-only: UPDATE refused/);
        expect(() => db.prepare("DELETE FROM events").run()).to.throw(/append-only: DELETE refused/);
      });
      expect(store.events()).to.deep.equal([e]);
    });

    it("gets, sets and overwrites chain tips", function () {
      expect(store.getTip("1")).to.equal(undefined);
      store.setTip({ chainId: "1", blockNumber: 100, blockHash: "0xaa" });
      store.setTip({ chainId: "10", blockNumber: 5, blockHash: "0xbb" });
      store.setTip({ chainId: "1", blockNumber: 101, blockHash: "0xcc" });
      expect(store.getTip("1")).to.deep.equal({ chainId: "1", blockNumber: 101, blockHash: "0xcc" });
      expect(store.getTip("10")).to.deep.equal({ chainId: "10", blockNumber: 5, blockHash: "0xbb" });
      expect(count("chain_tips")).to.equal(2);
    });
  });

  it("a swap written by a process SIGKILLed right after the write is there on reopen", function () {
    store.close();
    const input = swapInput(42);
    const script = `
      const { openSqliteStore } = require(${JSON.stringify(resolve(__dirname, "../../src/coordinator/store"))});
      const store = openSqliteStore(${JSON.stringify(file)});
      store.insertSwap(${JSON.stringify(input)}, { swapId: null, chainId: null, kind: "accepted", data: { pid: process.pid } });
      process.kill(process.pid, "SIGKILL");
    `;
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: resolve(__dirname, "../.."),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.signal, child.stderr).to.equal("SIGKILL");
    // Killed without close(): the commit is still in the WAL, not checkpointed into the main file.
    expect(statSync(`${file}-wal`).size).to.be.greaterThan(0);
    store = open();
    expect(store.getSwap(input.id)).to.deep.include({ status: "accepted", hashlock: input.hashlock, offer: input.offer });
    expect(store.events(input.id).map((e) => e.kind)).to.deep.equal(["accepted"]);
  });
});
