/**
 * Crash recovery: a coordinator process is killed with SIGKILL at every step boundary of a swap, right
 * after it recorded a transaction (before broadcast) and right after it broadcast one, and started again
 * at once on the same data directory. The swap ends exactly as an uninterrupted run (S6), and no action
 * lands twice. Also: a chain's node frozen (SIGSTOP) in the middle of a swap and brought back.
 */
import { writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { join } from "node:path";

import { expect } from "chai";

import { signedOfferToJson } from "../../src/sdk";
import { HAPPY_PATH, isFinal, type SwapStatus } from "../../src/coordinator/domain/status";
import { openSqliteStore } from "../../src/coordinator/store";
import { startCoordinatorProcess, stopCoordinatorProcess, type CoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import { coordinator, driveBoth, expectHoldings, finished, freshTokens, partyConfig, partyConfigJson, signedOffer, startWorld, until, type World } from "./world";

describe("coordinator: crash recovery", function () {
  this.timeout(300_000);
  let w: World;

  before(async function () {
    w = await startWorld();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  /**
   * Runs one swap with `party`'s coordinator as a child process that crashes at each point of
   * `crashes` in turn (restarted at once each time), the other party's in this process.
   * Returns the crash points actually hit.
   */
  async function crashRun(party: "alice" | "bob", crashes: string[]): Promise<string[]> {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens);
    const base = partyConfigJson(w, party);
    const offerPath = join(base.dataDir as string, "offer.json");
    writeFileSync(offerPath, JSON.stringify(signedOfferToJson(signed)));
    const other = coordinator(partyConfig(w, party === "alice" ? "bob" : "alice"));
    await other.init();
    await other.submit(signed);
    other.start();
    const hit: string[] = [];
    const path = join(base.dataDir as string, "coordinator.sqlite");
    const store = () => openSqliteStore(path);
    /** The swap's status, read without a write lock (the process is writing; no migration is run). */
    const statusNow = (): string | undefined => {
      try {
        const db = new Database(path, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare("SELECT status FROM swaps WHERE id = ?").get(plan.id) as { status: string } | undefined)?.status;
        } finally {
          db.close();
        }
      } catch {
        return undefined; // not created yet, or busy for a moment: asked again
      }
    };
    let proc: CoordinatorProcess | undefined;
    try {
      for (const [i, point] of [...crashes, undefined].entries()) {
        const config = point ? { ...base, faults: { crashAt: point } } : base;
        proc = startCoordinatorProcess(config, `run-${i}`, { args: i === 0 ? ["--offer", offerPath] : [] });
        // One watcher per process, stopped with it: each waits for the swap to end or its process to die.
        let stopped = false;
        const done = until(`swap done by ${party}'s process`, () => {
          if (stopped) return true;
          const status = statusNow();
          return status !== undefined && isFinal(status);
        }, 90_000).then(() => "done" as const);
        const first = await Promise.race([proc.ended.then((e) => e), done]);
        stopped = true;
        if (first === "done") break;
        expect(first.signal, `process ended without the injected crash at ${point}`).to.equal("SIGKILL");
        hit.push(point!);
      }
      expect(await finished(other, plan.id, 60_000)).to.equal("completed");
      const s = store();
      try {
        expect(s.getSwap(plan.id)!.outcome).to.equal("completed");
        const mined = s.txsOfSwap(plan.id).filter((t) => t.status === "mined").map((t) => `${t.action}:${t.leg}`);
        expect(new Set(mined).size, `a step mined twice: ${mined.join(", ")}`).to.equal(mined.length);
      } finally {
        s.close();
      }
      await expectHoldings(w, tokens, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
    } finally {
      if (proc) await stopCoordinatorProcess(proc);
      await other.stop();
    }
    return hit;
  }

  it("Alice's coordinator killed at every boundary she sees and around each of her sends ends as S6", async function () {
    const points = ["recorded:1", "sent:1", "final:1", "final:2", "recorded:3", "sent:3", "final:3", "final:4", "recorded:5", "sent:5", "final:5"];
    const hit = await crashRun("alice", points);
    expect(hit).to.deep.equal(points);
  });

  it("Bob's coordinator killed at every boundary he sees and around each of his sends ends as S6", async function () {
    const points = ["final:1", "recorded:2", "sent:2", "final:2", "final:3", "recorded:4", "sent:4", "final:4", "final:5", "recorded:6", "sent:6"];
    const hit = await crashRun("bob", points);
    expect(hit).to.deep.equal(points);
  });

  it("a chain's node frozen mid-swap (requests time out) and brought back: the swap completes, the outage is on record", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens);
    const alice = coordinator(partyConfig(w, "alice"));
    const bob = coordinator(partyConfig(w, "bob"));
    try {
      await driveBoth(alice, bob, signed);
      const reached = (status: SwapStatus) => HAPPY_PATH.indexOf(alice.store.getSwap(plan.id)!.status as SwapStatus) >= HAPPY_PATH.indexOf(status);
      await until("leg A escrowed", () => reached("escrowedA"), 30_000);
      w.B.node.pause();
      expect(reached("redeemedB"), "the swap got past step 5 before chain B was frozen").to.equal(false);
      await new Promise((r) => setTimeout(r, 4000));
      w.B.node.resume();
      expect(await finished(alice, plan.id, 60_000)).to.equal("completed");
      expect(await finished(bob, plan.id, 60_000)).to.equal("completed");
      const outages = [...alice.store.events(), ...bob.store.events()].filter((e) => e.kind === "chain.unreachable");
      expect(outages.length).to.be.greaterThan(0);
      await expectHoldings(w, tokens, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
    } finally {
      w.B.node.resume();
      await alice.stop();
      await bob.stop();
    }
  });
});
