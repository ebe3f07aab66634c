/**
 * Migration 6 (swaps as cycles) on a database of the previous schema with a swap in flight, finished on
 * real chains: Bob's coordinator stops mid-swap (leg A escrowed, his escrow of leg B not yet sent),
 * his database is rewritten in the version-5 schema (every row of every version-5 table copied into a
 * database built by migrations 1 … 5 only), and a coordinator of this release opens it, migrates it
 * and finishes the swap: S6's exact holdings, the swap's parties and arcs in the new tables.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import Database from "better-sqlite3";

import { parseConfig } from "../../src/coordinator/config";
import { MIGRATIONS, applyMigrations } from "../../src/coordinator/store";
import type { Coordinator } from "../../src/coordinator/engine/coordinator";
import { coordinator, expectHoldings, finished, freshTokens, partyConfigJson, signedOffer, startWorld, until, type World } from "./world";

/** Rewrites the database at `from` into a new version-5 database at `to` (migrations 1 … 5, then every row of their tables). */
function asVersion5(from: string, to: string): void {
  const db = new Database(to);
  try {
    applyMigrations(db, () => 0, MIGRATIONS.filter((m) => m.version <= 5));
    db.prepare("ATTACH DATABASE ? AS old").run(from);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'").all();
    db.transaction(() => {
      for (const { name } of tables) {
        const cols = db.prepare<[], { name: string }>(`PRAGMA main.table_info(${name})`).all().map((c) => c.name).join(", ");
        db.exec(`INSERT INTO main.${name} (${cols}) SELECT ${cols} FROM old.${name}`);
      }
    })();
    db.exec("DETACH DATABASE old");
  } finally {
    db.close();
  }
}

describe("coordinator: migration 6 on a version-5 database with a swap in flight, finished on real chains", function () {
  this.timeout(180_000);
  let w: World;
  const running: Coordinator[] = [];

  before(async function () {
    w = await startWorld();
  });
  after(async function () {
    await Promise.all(running.splice(0).map((c) => c.stop()));
    await w?.devnet.stop();
  });

  it("Bob's mid-swap version-5 database is migrated and the swap ends as S6, its 2-cycle in swap_parties and swap_arcs", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens);
    const aliceJson = partyConfigJson(w, "alice");
    const bobJson = partyConfigJson(w, "bob", { faults: { haltAfterStep: 2 } });
    const alice = coordinator(parseConfig(aliceJson));
    let bob = coordinator(parseConfig(bobJson));
    running.push(alice);
    await alice.init();
    await bob.init();
    await alice.submit(signed);
    await bob.submit(signed);
    alice.start();
    bob.start();
    // Bob deposits his premium (step 2) and stops before his escrow of leg B (step 4); Alice escrows leg A.
    await until("leg A escrowed, seen by Bob", () => bob.store.getSwap(plan.id)?.status === "escrowedA", 60_000);
    await bob.stop();

    const v6 = join(String(bobJson.dataDir), "coordinator.sqlite");
    const dataDir = `${String(bobJson.dataDir)}-v5`;
    mkdirSync(dataDir, { recursive: true });
    asVersion5(v6, join(dataDir, "coordinator.sqlite"));
    const check = new Database(join(dataDir, "coordinator.sqlite"), { readonly: true });
    try {
      expect(check.prepare("SELECT MAX(version) FROM schema_migrations").pluck().get()).to.equal(5);
      expect(check.prepare("SELECT status FROM swaps WHERE id = ?").pluck().get(plan.id)).to.equal("escrowedA");
      expect(check.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('swap_arcs', 'swap_parties')").pluck().get()).to.equal(0);
    } finally {
      check.close();
    }

    // This release opens it (migration 6 runs), without the halt, and finishes the swap.
    bob = coordinator(parseConfig({ ...bobJson, dataDir, faults: {} }));
    running.push(bob);
    await bob.init();
    expect(bob.store.schemaVersion()).to.equal(6);
    expect(bob.store.getSwap(plan.id)).to.deep.include({ status: "escrowedA", parties: 2 });
    expect(bob.store.arcsOf(plan.id).map((a) => a.status)).to.deep.equal(["escrowed", "premium"]);
    bob.start();
    expect(await finished(bob, plan.id, 90_000)).to.equal("completed");
    expect(await finished(alice, plan.id, 90_000)).to.equal("completed");
    await expectHoldings(w, tokens, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
    const store = bob.store;
    expect(store.partiesOf(plan.id).map((p) => [p.address, p.held])).to.deep.equal([[w.alice.address, false], [w.bob.address, true]]);
    expect(store.arcsOf(plan.id).map((a) => `${a.chainId}:${a.status}`)).to.deep.equal([`${w.A.node.chainId}:redeemed`, `${w.B.node.chainId}:redeemed`]);
    // Bob's own steps after the migration: his escrow of leg B (step 4) and his redeem of leg A (step 6).
    expect(store.txsOfSwap(plan.id).filter((t) => t.status === "mined").map((t) => `${t.action}:${t.leg}`)).to.include.members(["depositPremium:A", "escrow:B", "redeem:A"]);
  });
});
