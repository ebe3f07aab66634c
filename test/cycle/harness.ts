/**
 * Runs one hedged cycle (§7) on a `CycleWorld`'s real chains and judges it against the model:
 *
 * 1. plans it with the SDK's `planCycle` (arc i on chain i, each arc's principal and premium the chain's
 *    native coin or its TestToken), a fresh secret, the start after every earlier cycle's deadlines;
 * 2. mints the ERC-20 amounts of the model's start holdings, then snapshots every balance (accounting.ts);
 * 3. walks the Δ slots 1 … 3n: all chains' clocks to just after the previous slot's deadline, then rounds
 *    in which every party's driver acts in turn, until a round in which nobody acts (or, in the late
 *    schedule, all clocks to shortly before each slot's deadline); then past the last
 *    timeout and the settle grace for a last slot ("end"), and a sweep by a non-party account that
 *    settles whatever the parties left;
 * 4. compares, exactly: every party's balance change per chain and asset (native fees added back) with
 *    the model's final − start holdings, every escrow's and the sweeper's change with 0, every arc's
 *    outcome with the model's; any failed transaction is a failure too.
 *
 * The harness never decides for a party: that is the driver's (driver.ts).
 */
import { deriveSecret, planCycle, settle, LegState, NATIVE, type CyclePlan } from "../../src/sdk";
import { balanceDeltas, snapshotBalances, type BalanceKey } from "./accounting";
import { errorText, observeCycle, type ActionRecord, type CycleObservation, type DriverFactory, type MissedRecord, type PartyDriver, type Round } from "./driver";
import { deviationName, runModel, type ArcOutcome, type Deviation, type ModelResult, type ModelTerms } from "./model";
import { clocks, mint, setClocks, type CycleWorld } from "./world";

/** Δ of the cycle runs, seconds of chain time. */
export const DELTA = 100n;
/** The reaction margin the drivers are given (seconds). */
export const REACTION = 5n;
/** Seconds after a deadline before a party settles an arc that pays another. */
export const SETTLE_GRACE = 10n;
/** One unit of every amount: 10^15 wei (the parties' 10000 ETH last for thousands of cycles). */
export const U = 10n ** 15n;
/** The leader's secret seed: cycle k uses `deriveSecret(SEED, k)`. */
export const SEED = "0x" + "c7".repeat(32);
/** In the late schedule, how long before each slot's deadline the clocks are set (the margins need 9 s). */
export const LATE_BY = 15n;
/** Rounds per slot before the harness calls it a livelock. */
const MAX_ROUNDS = 12;

/** The chain's native coin, or the chain's TestToken. */
export type AssetKind = "native" | "token";

/** The assets of one arc: its principal's and its premium's (default: the principal's). */
export interface ArcAssets {
  readonly principal: AssetKind;
  readonly premium?: AssetKind;
}

/** One cycle to run. */
export interface CycleSpec {
  /** a_i, in wei / token base units. */
  readonly principals: readonly bigint[];
  /** c_j: arc i's premium is `c_0 + … + c_i`. */
  readonly compensations: readonly bigint[];
  readonly assets: readonly ArcAssets[];
  readonly deviation?: Deviation;
  /**
   * Where in each Δ slot the clocks are set: `eager` (default), just after the previous slot's deadline;
   * `late`, `LATE_BY` seconds before the slot's own deadline (pair it with drivers that take each step in
   * its own slot only, `sdkDriverFactory({ ownSlotOnly: true })`, to run every step at its last moment).
   */
  readonly schedule?: "eager" | "late";
}

/** One compared amount. */
export interface Compared {
  readonly what: string;
  readonly expected: bigint;
  readonly actual: bigint;
}

/** What a run did and how it compares. */
export interface CycleRun {
  readonly name: string;
  readonly plan: CyclePlan;
  readonly model: ModelResult;
  /** Every compared balance change (parties, escrows, sweeper). */
  readonly balances: readonly Compared[];
  /** Each arc's end on its chain (`getLegStatus`'s kind; "absent" is the model's "none"). */
  readonly outcomes: readonly string[];
  readonly actions: readonly ActionRecord[];
  readonly missed: readonly MissedRecord[];
  /** The settlements the sweeper had to send. */
  readonly sweeps: readonly ActionRecord[];
  readonly rounds: number;
  readonly ms: number;
  /** Empty when the run matches the model exactly and no transaction failed. */
  readonly failures: readonly string[];
}

const label = (arc: number, kind: AssetKind) => `C${arc}:${kind}`;

/** The model's terms for a spec, with the harness's asset labels (`C<i>:native`, `C<i>:token`). */
export function modelTermsOf(spec: CycleSpec): ModelTerms {
  const n = spec.principals.length;
  let sum = 0n;
  const premiums = spec.compensations.map((c) => (sum += c));
  return {
    n,
    principals: spec.principals,
    premiums,
    principalAssets: spec.assets.map((a, i) => label(i, a.principal)),
    premiumAssets: spec.assets.map((a, i) => label(i, a.premium ?? a.principal)),
  };
}

/**
 * Runs `spec` once on `w` (an n-arc spec uses the world's first n chains and parties) with one driver per
 * party from `factory`; never throws for a mismatch (see `failures`).
 */
export async function runCycle(w: CycleWorld, spec: CycleSpec, factory: DriverFactory): Promise<CycleRun> {
  const began = Date.now();
  const n = spec.principals.length;
  if (n > w.n || spec.compensations.length !== n || spec.assets.length !== n) throw new Error(`the spec must have one compensation and one asset per arc, at most ${w.n} arcs`);
  const terms = modelTermsOf(spec);
  const model = runModel(terms, spec.deviation);
  const tokenOf = (arc: number, kind: AssetKind) => (kind === "native" ? NATIVE : w.tokens[arc]!);

  // Plan: a fresh secret, the start after everything before.
  const secret = deriveSecret(SEED, w.cycles++);
  const now = (await clocks(w)).reduce((a, b) => (a > b ? a : b));
  const start = now + 30n;
  const plan = planCycle(
    {
      leader: w.parties[0]!.address,
      secret,
      start,
      delta: DELTA,
      compensations: spec.compensations,
      arcs: spec.assets.map((a, i) => ({
        from: w.parties[i]!.address,
        to: w.parties[(i + 1) % n]!.address,
        chainId: w.chains[i]!.node.chainId,
        escrow: w.chains[i]!.escrow,
        token: tokenOf(i, a.principal),
        amount: spec.principals[i]!,
        premiumToken: tokenOf(i, a.premium ?? a.principal),
      })),
    },
    { now, minDelta: 1n },
  );

  // The model's start holdings of ERC-20s are minted; native coin the parties have.
  const keys: BalanceKey[] = [];
  const keyOf = (l: string, holder: string): BalanceKey => {
    const [chain, kind] = [Number(l.slice(1, l.indexOf(":"))), l.slice(l.indexOf(":") + 1) as AssetKind];
    return { chain, token: tokenOf(chain, kind), holder };
  };
  const labels = Object.keys(model.start[0]!);
  for (let p = 0; p < n; p++) {
    for (const l of labels) {
      const k = keyOf(l, w.parties[p]!.address);
      if (k.token !== NATIVE) await mint(w, k.chain, k.holder, model.start[p]![l]!);
      keys.push(k);
    }
  }
  for (const l of labels) keys.push(keyOf(l, w.chains[keyOf(l, "").chain]!.escrow));
  for (let c = 0; c < n; c++) keys.push({ chain: c, token: NATIVE, holder: w.sweeper.address });
  const snap = await snapshotBalances(w, keys);

  const drivers: PartyDriver[] = [];
  const actions: ActionRecord[] = [];
  const missed: MissedRecord[] = [];
  const sweeps: ActionRecord[] = [];
  const failures: string[] = [];
  let rounds = 0;
  try {
    for (let i = 0; i < n; i++) {
      const halt = spec.deviation?.party === i ? { haltAfterStep: spec.deviation.afterStep } : {};
      drivers.push(await factory({ world: w, plan, index: i, wallet: w.parties[i]!, ...(i === 0 ? { secret } : {}), ...halt, reaction: REACTION, settleGrace: SETTLE_GRACE }));
    }
    let cached: Promise<CycleObservation> | undefined;
    const round = (slot: number | "end"): Round => ({ slot, observe: () => (cached ??= observeCycle(w, plan, snap.blocks)) });
    const play = async (slot: number | "end") => {
      for (let r = 0; r < MAX_ROUNDS; r++) {
        rounds++;
        let acted = false;
        for (const d of drivers) {
          const report = await d.act(round(slot));
          actions.push(...report.actions);
          missed.push(...report.missed);
          if (report.actions.length > 0) [acted, cached] = [true, undefined];
        }
        if (!acted) return;
      }
      failures.push(`slot ${slot}: the parties still acted after ${MAX_ROUNDS} rounds`);
    };
    for (let slot = 1; slot <= 3 * n; slot++) {
      await setClocks(w, spec.schedule === "late" ? start + BigInt(slot) * DELTA - LATE_BY : start + BigInt(slot - 1) * DELTA + 1n);
      cached = undefined;
      await play(slot);
    }
    await setClocks(w, plan.end + SETTLE_GRACE + 1n);
    cached = undefined;
    await play("end");
    // The sweep: anyone settles what is left.
    const seen = await observeCycle(w, plan, snap.blocks);
    for (let i = 0; i < n; i++) {
      if (seen.legs[i]!.state !== LegState.PremiumDeposited && seen.legs[i]!.state !== LegState.Escrowed) continue;
      const base = { party: -1, step: "settle" as const, arc: i, action: "settle" as const };
      try {
        const res = await settle(w.sweeper.connect(w.providers[i]!), plan.arcs[i]!);
        sweeps.push({ ...base, hash: res.hash });
      } catch (e) {
        sweeps.push({ ...base, error: errorText(e) });
      }
    }
  } finally {
    for (const d of drivers) await d.close();
  }

  // Judge.
  const deltas = await balanceDeltas(w, snap);
  const who = (holder: string) => {
    const p = w.parties.findIndex((x) => x.address === holder);
    if (p >= 0) return `P${p}`;
    return holder === w.sweeper.address ? "sweeper" : "escrow";
  };
  const balances: Compared[] = keys.map((k, i) => {
    const p = w.parties.findIndex((x) => x.address === k.holder);
    const l = label(k.chain, k.token === NATIVE ? "native" : "token");
    const expected = p >= 0 ? model.final[p]![l]! - model.start[p]![l]! : 0n;
    return { what: `${who(k.holder)} ${l}`, expected, actual: deltas[i]! };
  });
  for (const b of balances) if (b.expected !== b.actual) failures.push(`${b.what}: expected ${fmt(b.expected)}, got ${fmt(b.actual)}`);
  const last = await observeCycle(w, plan, snap.blocks);
  const outcomes = last.statuses.map((s) => s.kind);
  outcomes.forEach((o, i) => {
    const want: ArcOutcome = model.outcomes[i]!;
    if ((o === "absent" ? "none" : o) !== want) failures.push(`arc ${i}: ended ${o}, the model says ${want}`);
  });
  for (const a of [...actions, ...sweeps]) if (a.error !== undefined) failures.push(`P${a.party} ${a.action} arc ${a.arc} (step ${a.step}) failed: ${a.error}`);
  return { name: deviationName(spec.deviation), plan, model, balances, outcomes, actions, missed, sweeps, rounds, ms: Date.now() - began, failures };
}

/** An amount in units of `U` when it is a whole number of them, else in wei. */
function fmt(x: bigint): string {
  return x % U === 0n ? `${x / U}u` : `${x} wei`;
}

/** A short account of a run for a failure message. */
export function describeRun(r: CycleRun): string {
  const acts = r.actions.map((a) => `P${a.party}:${a.action}@${a.arc}${a.error ? "!" : ""}(${a.step})`).join(" ");
  const miss = r.missed.map((m) => `P${m.party}:${m.step}:${m.reason}`).join(" ");
  return [`${r.name}: ${r.failures.length} failure(s)`, ...r.failures.map((f) => `  ${f}`), `  actions: ${acts}`, `  missed: ${miss || "none"}`, `  sweeps: ${r.sweeps.length}`].join("\n");
}
