/**
 * The parties and arcs of the swaps in the SQLite store (migration 6): a swap is a cycle of n parties
 * and n arcs; a two-party swap is the 2-cycle of its offer (arc 0 = leg A, arc 1 = leg B). `SqliteStore`
 * composes this part and runs its writes inside its own transactions.
 */
import type Database from "better-sqlite3";
import { InvalidArgumentError, MAX_CYCLE_PARTIES, MIN_CYCLE_PARTIES } from "../../sdk";
import { checkArcTransition, type ArcStatus } from "../domain/arcs";
import type { ArcRow, NewCycle, NewSwap, PartyRow } from "./types";

type PartyRecord = { swap_id: string; idx: number; address: string; held: number };
type ArcRecord = { swap_id: string; idx: number; chain_id: string; status: ArcStatus; updated_at: number };

const DECIMAL = /^[0-9]+$/;

/**
 * The cycle of a new swap: `row.cycle` when given (checked: 2 … 8 parties, one chain id per arc), else
 * the 2-cycle of a two-party offer (`leader`, `follower`, `legA.chainId`, `legB.chainId`) with the
 * coordinator's roles. Refuses anything else with `InvalidArgumentError`.
 */
export function cycleOfNewSwap(row: NewSwap): NewCycle {
  if (row.cycle !== undefined) {
    const { parties, arcChains } = row.cycle;
    if (parties.length < MIN_CYCLE_PARTIES || parties.length > MAX_CYCLE_PARTIES || arcChains.length !== parties.length) {
      throw new InvalidArgumentError("cycle", `needs ${MIN_CYCLE_PARTIES} … ${MAX_CYCLE_PARTIES} parties and one chain per arc`, { parties: parties.length, arcs: arcChains.length });
    }
    arcChains.forEach((c, i) => {
      if (!DECIMAL.test(c)) throw new InvalidArgumentError(`cycle.arcChains[${i}]`, "must be a decimal chain id", c);
    });
    return row.cycle;
  }
  const o = row.offer as { leader?: unknown; follower?: unknown; legA?: { chainId?: unknown }; legB?: { chainId?: unknown } };
  const chains = [o.legA?.chainId, o.legB?.chainId].map((c) => (typeof c === "bigint" || typeof c === "number" ? String(c) : c));
  if (typeof o.leader !== "string" || typeof o.follower !== "string" || !chains.every((c) => typeof c === "string" && DECIMAL.test(c))) {
    throw new InvalidArgumentError("offer", "a swap without a cycle needs a two-party offer (leader, follower, legA.chainId, legB.chainId)", { id: row.id });
  }
  return { parties: [{ address: o.leader, held: row.roles.leader }, { address: o.follower, held: row.roles.follower }], arcChains: chains as string[] };
}

/** The statements and reads of `swap_parties` and `swap_arcs`. */
export class SqliteCycleTables {
  readonly #insertParty: Database.Statement<[string, number, string, number]>;
  readonly #insertArc: Database.Statement<[string, number, string, number]>;
  readonly #setCount: Database.Statement<[number, string]>;
  readonly #parties: Database.Statement<[string], PartyRecord>;
  readonly #arcs: Database.Statement<[string], ArcRecord>;
  readonly #arc: Database.Statement<[string, number], ArcRecord>;
  readonly #setArc: Database.Statement<[string, number, string, number]>;
  readonly #countActive: Database.Statement<[], { status: ArcStatus; n: number }>;

  constructor(db: Database.Database) {
    this.#insertParty = db.prepare("INSERT INTO swap_parties (swap_id, idx, address, held) VALUES (?, ?, ?, ?)");
    this.#insertArc = db.prepare("INSERT INTO swap_arcs (swap_id, idx, chain_id, status, updated_at) VALUES (?, ?, ?, 'open', ?)");
    this.#setCount = db.prepare("UPDATE swaps SET parties = ? WHERE id = ?");
    this.#parties = db.prepare("SELECT * FROM swap_parties WHERE swap_id = ? ORDER BY idx");
    this.#arcs = db.prepare("SELECT * FROM swap_arcs WHERE swap_id = ? ORDER BY idx");
    this.#arc = db.prepare("SELECT * FROM swap_arcs WHERE swap_id = ? AND idx = ?");
    this.#setArc = db.prepare("UPDATE swap_arcs SET status = ?, updated_at = ? WHERE swap_id = ? AND idx = ?");
    this.#countActive = db.prepare(
      "SELECT a.status AS status, COUNT(*) AS n FROM swap_arcs a JOIN swaps s ON s.id = a.swap_id WHERE s.status NOT IN ('completed', 'settled') GROUP BY a.status",
    );
  }

  /** Writes a new swap's parties and arcs (call inside the swap's insert transaction). */
  insert(swapId: string, cycle: NewCycle, now: number): void {
    this.#setCount.run(cycle.parties.length, swapId);
    cycle.parties.forEach((p, i) => this.#insertParty.run(swapId, i, p.address, p.held ? 1 : 0));
    cycle.arcChains.forEach((c, i) => this.#insertArc.run(swapId, i, c, now));
  }

  parties(swapId: string): PartyRow[] {
    return this.#parties.all(swapId).map((r) => ({ swapId: r.swap_id, index: r.idx, address: r.address, held: r.held === 1 }));
  }

  /** Arcs of unfinished swaps by status. */
  countActive(): Partial<Record<ArcStatus, number>> {
    return Object.fromEntries(this.#countActive.all().map((r) => [r.status, r.n]));
  }

  arcs(swapId: string): ArcRow[] {
    return this.#arcs.all(swapId).map(toArc);
  }

  /**
   * Moves arc `index` to `to` (checked unless `reopen`); returns the row and whether it changed. Call
   * inside a transaction that also writes the event.
   */
  setStatus(swapId: string, index: number, to: ArcStatus, now: number, reopen: boolean): { readonly row: ArcRow; readonly changed: boolean } {
    const current = this.#arc.get(swapId, index);
    if (current === undefined) throw new InvalidArgumentError("arc", "no such arc of this swap", { swapId, index });
    if (current.status === to) return { row: toArc(current), changed: false };
    if (!reopen) checkArcTransition(swapId, index, current.status, to);
    this.#setArc.run(to, now, swapId, index);
    return { row: toArc(this.#arc.get(swapId, index)!), changed: true };
  }
}

function toArc(r: ArcRecord): ArcRow {
  return { swapId: r.swap_id, index: r.idx, chainId: r.chain_id, status: r.status, updatedAt: r.updated_at };
}
