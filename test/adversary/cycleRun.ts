/**
 * One run of the adversarial cycle property (n = 3, `PROTOCOLS.md` §7): the conforming party's
 * coordinator (in process, holding only its own key, ticked by the harness) against the two other
 * parties played by the harness with raw contract calls, on the three chains of `./cycleWorld`. As in
 * `./run`, the harness owns the clocks and the blocks: automine is off and every block is mined by
 * `evm_mine` at a second of the harness's clock, so a run is a deterministic function of its input.
 * Then `./cycleOracle` says what the conforming party must hold, and the run compares exactly.
 *
 * Fairness (§6), and nothing more: a transaction the party sends at a look is mined at most
 * `inclusionTime + clockSkew` (4 s) after the head it saw; the head it sees is at most `clockSkew` old;
 * it looks every 2–6 s. The hostile parties read every pending transaction of the conforming party for
 * s before it is mined (and so can redeem with it in the same block).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";

import { sha256, type Wallet } from "ethers";
import pino from "pino";

import { PremiumMode, deriveSecret, depositPremiumTx, escrowInterface, escrowTx, hashlockOf, legIdOfCreationLog, locateLeg, packTimelocks, planCycle, redeemTx, settleTx, signCycleOffer, type CyclePlan, type LegStruct } from "../../src/sdk";
import { parseConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import type { CycleAt, CycleHostileAction, CycleRunInput } from "./cycleArbitraries";
import { N, judgeCycle, type ArcEnd, type ArcFacts, type At, type CycleFacts, type CycleFigures } from "./cycleOracle";
import { FLOAT, resetCycleWorld, startUnits, type AdvCycleWorld } from "./cycleWorld";
import { DELTA, PARTY } from "./run";
import { U, balanceOf, hex, rpc } from "./world";

export const LEADER_SEED = "0x" + "c7".repeat(32);
const GWEI = 10n ** 9n;
const MAX_DELAY = BigInt(PARTY.inclusionTime + PARTY.clockSkew);
export const CYCLE_FIGURES: CycleFigures = {
  confirmations: PARTY.confirmations,
  owedMargin: BigInt(PARTY.inclusionTime + PARTY.confirmations * PARTY.blockInterval + PARTY.clockSkew + PARTY.reactionMargin) + 2n,
  owedReveal: BigInt(PARTY.inclusionTime + PARTY.confirmations * PARTY.blockInterval + PARTY.clockSkew + PARTY.reactionMargin) + 2n,
  owedRedeem: BigInt(PARTY.inclusionTime + PARTY.clockSkew) + 2n,
};

export interface CycleRunResult {
  readonly ok: boolean;
  readonly report: string;
  readonly looks: number;
  readonly ms: number;
  /** The conforming party and its arcs' ends, e.g. `P1 0:redeemed 1:redeemed 2:refunded` (for the coverage summary). */
  readonly summary: string;
}

const fmt = (v: bigint) => (v % U === 0n ? `${v / U}` : `${Number(v) / 1e18}`);
const incomingOf = (p: number) => (p + N - 1) % N;

class CycleRun {
  readonly log: string[] = [];
  readonly blocks: { chain: number; number: number; ts: bigint }[] = [];
  readonly looks: CycleFacts["looks"][number][] = [];
  plan!: CyclePlan;
  secret = deriveSecret(LEADER_SEED, 0);
  t0 = 0n;
  now = 0n;
  latest: { number: number; ts: bigint }[] = [];
  mustMineBy: (bigint | undefined)[] = [undefined, undefined, undefined];
  hostileBy: (bigint | undefined)[] = [undefined, undefined, undefined];
  ours = [false, false, false];
  /** s has gone out (a hostile transaction carrying it, or a conforming one read from the mempool). */
  published = false;
  tasks: { at: bigint; run: () => Promise<void> }[] = [];
  nonces = new Map<string, number>();
  coord: Coordinator | undefined;
  dir: string | undefined;
  nextLook = 0n;
  lookIndex = 0;
  readonly me: Wallet;
  readonly hostile: number[];

  constructor(
    readonly w: AdvCycleWorld,
    readonly input: CycleRunInput,
  ) {
    this.me = w.parties[input.conforming]!;
    this.hostile = [0, 1, 2].filter((p) => p !== input.conforming);
  }

  rel(x: bigint = this.now): string {
    return `t=${x - this.t0}`;
  }

  abs(at: CycleAt): bigint {
    const t = this.t0 + BigInt(at.step) * DELTA - BigInt(at.before);
    return t <= this.t0 ? this.t0 + 1n : t;
  }

  knows(p: number): boolean {
    return p === 0 || this.input.conforming !== 0 || this.published;
  }

  async mine(chain: number): Promise<boolean> {
    if (this.latest[chain]!.ts >= this.now) return false;
    if (this.ours[chain] && !this.published) await this.sniff(chain);
    await rpc(this.w.chains[chain]!.url, "evm_mine", [hex(this.now)]);
    this.latest[chain] = { number: this.latest[chain]!.number + 1, ts: this.now };
    this.blocks.push({ chain, number: this.latest[chain]!.number, ts: this.now });
    this.mustMineBy[chain] = undefined;
    this.hostileBy[chain] = undefined;
    this.ours[chain] = false;
    return true;
  }

  async sendAs(p: number, chain: number, tx: { to: string; data: string; value?: bigint }, label: string): Promise<void> {
    const c = this.w.chains[chain]!;
    const from = this.w.parties[p]!;
    const key = `${chain}:${p}`;
    let nonce = this.nonces.get(key);
    if (nonce === undefined) nonce = Number(BigInt(await rpc<string>(c.url, "eth_getTransactionCount", [from.address, "pending"])));
    const raw = await from.signTransaction({ type: 2, chainId: c.chainId, nonce, to: tx.to, data: tx.data, value: tx.value ?? 0n, gasLimit: 1_500_000n, maxFeePerGas: 1000n * GWEI, maxPriorityFeePerGas: GWEI });
    try {
      const hash = await rpc<string>(c.url, "eth_sendRawTransaction", [raw]);
      this.nonces.set(key, nonce + 1);
      this.hostileBy[chain] ??= this.now + 1n;
      this.log.push(`${this.rel()} P${p} sends ${label} on chain ${chain} (${hash.slice(0, 10)})`);
    } catch (e) {
      this.nonces.delete(key);
      this.log.push(`${this.rel()} P${p}'s ${label} on chain ${chain} refused by the node: ${(e as Error).message.slice(0, 100)}`);
    }
  }

  /** The hostile parties read the conforming party's pending transactions for s. */
  async sniff(chain: number): Promise<void> {
    const block = await rpc<{ transactions: { input: string; hash: string }[] }>(this.w.chains[chain]!.url, "eth_getBlockByNumber", ["pending", true]);
    const h = this.plan.offer.hashlock.toLowerCase();
    for (const tx of block.transactions) {
      const body = tx.input.slice(10);
      for (let i = 0; i + 64 <= body.length; i += 64) {
        if (sha256("0x" + body.slice(i, i + 64)) !== h) continue;
        this.log.push(`${this.rel()} the hostile parties read s from a pending transaction on chain ${chain} (${tx.hash.slice(0, 10)})`);
        return this.publish();
      }
    }
  }

  /** s is out: every hostile party that watches redeems its incoming arc after its delay. */
  publish(): void {
    if (this.published) return;
    this.published = true;
    for (const p of this.hostile) {
      const after = this.input.watch[p];
      if (after === null || after === undefined) continue;
      const arc = incomingOf(p);
      this.tasks.push({ at: this.now + BigInt(after), run: () => this.sendAs(p, arc, redeemTx(this.plan.arcs[arc]!, this.secret), `a redeem of arc ${arc} with s (watching, +${after} s)`) });
    }
  }

  async act(a: CycleHostileAction): Promise<void> {
    const arcs = this.plan.arcs;
    let chain: number | undefined;
    switch (a.k) {
      case "premium":
        chain = incomingOf(a.party);
        await this.sendAs(a.party, chain, depositPremiumTx(arcs[chain]!), `its premium on arc ${chain}`);
        break;
      case "escrow":
        chain = a.party;
        await this.sendAs(a.party, chain, escrowTx(arcs[chain]!), `its escrow of arc ${chain}`);
        break;
      case "redeem":
        if (!this.knows(a.party)) return;
        chain = incomingOf(a.party);
        await this.sendAs(a.party, chain, redeemTx(arcs[chain]!, this.secret), `a redeem of arc ${chain} with s`);
        this.publish();
        break;
      case "bait": {
        chain = a.chain;
        const c = this.w.chains[chain]!;
        const to = this.w.parties[this.hostile.find((p) => p !== 0) ?? 0]!.address;
        const struct: LegStruct = {
          escrower: this.w.parties[0]!.address,
          redeemer: to,
          hashlock: this.plan.offer.hashlock,
          token: c.token,
          amount: 1n,
          timelocks: packTimelocks({ premiumDeadline: 0n, escrowDeadline: this.now + 1n, timeout: this.now + 30n, mode: PremiumMode.Hedge }),
          premiumToken: "0x0000000000000000000000000000000000000000",
          premiumAmount: 0n,
        };
        const leg = locateLeg(struct, { chainId: c.chainId, escrow: c.escrow });
        await this.sendAs(0, chain, { to: c.escrow, data: escrowInterface.encodeFunctionData("lockToken", [struct.redeemer, struct.hashlock, struct.token, struct.amount, struct.timelocks]) }, "a 1-wei bait leg with the cycle's hashlock");
        await this.sendAs(0, chain, redeemTx(leg, this.secret), "a redeem of the bait, revealing s");
        this.publish();
        break;
      }
      case "settle":
        await this.sendAs(this.hostile[0]!, a.arc, settleTx(arcs[a.arc]!), `a settle of arc ${a.arc}`);
        return;
    }
    if (chain !== undefined && "exact" in a && a.exact) await this.mine(chain);
  }

  async look(finale: boolean): Promise<void> {
    const s = this.input.schedule;
    const fresh = s.fresh[this.lookIndex % s.fresh.length]!;
    for (let i = 0; i < N; i++) if (fresh || this.now - this.latest[i]!.ts > BigInt(PARTY.clockSkew)) await this.mine(i);
    this.looks.push({ heads: this.latest.map((x) => ({ ...x })) });
    await this.coord!.tick();
    const delay = BigInt(s.delays[this.lookIndex % s.delays.length]!);
    for (let i = 0; i < N; i++) {
      const url = this.w.chains[i]!.url;
      const [latest, pending] = await Promise.all([rpc<string>(url, "eth_getTransactionCount", [this.me.address, "latest"]), rpc<string>(url, "eth_getTransactionCount", [this.me.address, "pending"])]);
      if (latest !== pending) this.ours[i] = true;
      if (!this.ours[i]) continue;
      const by = this.latest[i]!.ts + (delay > MAX_DELAY ? MAX_DELAY : delay);
      const known = this.mustMineBy[i];
      this.mustMineBy[i] = known === undefined || by < known ? by : known;
    }
    let gap = BigInt(s.gaps[this.lookIndex % s.gaps.length]!);
    if (finale && gap > 3n) gap = 3n;
    this.nextLook = this.now + gap;
    this.lookIndex++;
  }

  async setup(): Promise<void> {
    const w = this.w;
    await resetCycleWorld(w);
    this.latest = w.chains.map((c) => ({ ...c.base }));
    this.t0 = w.chains[0]!.base.ts;
    this.now = this.t0;
    this.plan = planCycle(
      {
        leader: w.parties[0]!.address,
        hashlock: hashlockOf(this.secret),
        start: this.t0,
        delta: DELTA,
        arcs: w.chains.map((c, i) => ({ from: w.parties[i]!.address, to: w.parties[(i + 1) % N]!.address, chainId: c.chainId, escrow: c.escrow, token: c.token, amount: 100n * U })),
        compensations: [U, U, U],
      },
      { now: this.t0, minDelta: 1n },
    );
    this.now = this.t0 + 1n;
    for (let i = 0; i < N; i++) await this.mine(i);
    const signatures = await Promise.all(w.parties.map((p) => signCycleOffer(p, this.plan.offer)));
    const p = this.input.conforming;
    this.dir = mkdtempSync(join("/dev/shm", `hedgeswap-adv-cycle-`));
    const cfg = parseConfig({
      dataDir: this.dir,
      chains: w.chains.map((c) => ({ name: c.name, chainId: c.chainId.toString(), rpcUrl: c.url, escrow: c.escrow, deploymentBlock: c.deploymentBlock, confirmations: PARTY.confirmations, blockInterval: PARTY.blockInterval, inclusionTime: PARTY.inclusionTime, clockSkew: PARTY.clockSkew, rpcTimeoutMs: 10_000 })),
      parties: [{ name: `p${p}`, privateKey: this.me.privateKey, ...(p === 0 ? { secretSeed: LEADER_SEED } : {}) }],
      minDelta: PARTY.minDelta,
      reactionMargin: PARTY.reactionMargin,
      pollIntervalMs: 100,
      settleGrace: PARTY.settleGrace,
      logLevel: "silent",
    });
    this.coord = new Coordinator(cfg, { logger: pino({ level: "silent" }), defaultMetrics: false });
    for (const c of this.coord.chains.values()) {
      const provider = c.provider as unknown as { _getOption(key: string): unknown };
      const original = provider._getOption.bind(provider);
      provider._getOption = (key: string) => (key === "batchStallTime" ? 0 : original(key));
    }
    await this.coord.init();
    await this.coord.submitCycle({ offer: this.plan.offer, signatures });
    this.nextLook = this.now;
  }

  /** The conforming party's two arcs are final and nothing of it is pending. */
  async quiescent(): Promise<boolean> {
    const p = this.input.conforming;
    for (const i of [incomingOf(p), p]) {
      const c = this.w.chains[i]!;
      const states = escrowInterface.decodeFunctionResult("legStatesOf", await rpc<string>(c.url, "eth_call", [{ to: c.escrow, data: escrowInterface.encodeFunctionData("legStatesOf", [[this.plan.arcs[i]!.id]]) }, "latest"]))[0] as bigint[];
      if (Number(states[0]) === 1 || Number(states[0]) === 2) return false;
    }
    return !this.ours.some(Boolean);
  }

  async play(): Promise<void> {
    const actions = this.input.hostile.map((a, i) => ({ a, i, at: this.abs(a.at) })).sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.i - y.i));
    let next = 0;
    const end = this.t0 + 3n * BigInt(N) * DELTA + BigInt(PARTY.settleGrace) + 2n;
    for (let s = this.t0 + 1n; s <= end + 60n; s++) {
      this.now = s;
      while (next < actions.length && actions[next]!.at <= s) await this.act(actions[next++]!.a);
      const due = this.tasks.filter((t) => t.at <= s);
      this.tasks = this.tasks.filter((t) => t.at > s);
      for (const t of due) await t.run();
      for (let i = 0; i < N; i++) {
        const by = this.mustMineBy[i];
        const hb = this.hostileBy[i];
        if ((by !== undefined && by <= s) || (hb !== undefined && hb <= s)) await this.mine(i);
      }
      if (s >= this.nextLook) {
        const finale = s >= end;
        await this.look(finale);
        if (finale && (await this.quiescent())) break;
      }
    }
  }

  async facts(): Promise<CycleFacts> {
    const ts = new Map(this.blocks.map((b) => [`${b.chain}:${b.number}`, b.ts]));
    const arcs: { premium?: At; escrow?: At; end?: At & { kind: ArcEnd } }[] = [{}, {}, {}];
    const secret: At[] = [];
    const h = this.plan.offer.hashlock.toLowerCase();
    const ends: Record<string, ArcEnd> = { LegRedeemed: "redeemed", LegRefunded: "refunded", LegPremiumRefunded: "premiumRefunded", LegAborted: "aborted" };
    for (const [chain, c] of this.w.chains.entries()) {
      const logs = await rpc<{ address: string; topics: string[]; data: string; blockNumber: string; transactionHash: string }[]>(c.url, "eth_getLogs", [{ address: c.escrow, fromBlock: hex(c.base.number + 1), toBlock: "latest" }]);
      const id = this.plan.arcs[chain]!.id;
      for (const log of logs) {
        const parsed = escrowInterface.parseLog({ topics: log.topics, data: log.data });
        if (!parsed) continue;
        const block = Number(BigInt(log.blockNumber));
        const at: At = { chain, block, ts: ts.get(`${chain}:${block}`) ?? -1n };
        if (parsed.name === "LegRedeemed" && sha256(parsed.args[1] as string) === h) secret.push(at);
        let legId: string;
        if (parsed.name === "LegPremiumDeposited" || parsed.name === "LegLocked") legId = legIdOfCreationLog(log, { chainId: c.chainId, escrow: c.escrow });
        else legId = parsed.args[0] as string;
        if (legId !== id) continue;
        if (parsed.name === "LegPremiumDeposited") arcs[chain]!.premium = at;
        else if (parsed.name === "LegEscrowed") arcs[chain]!.escrow = at;
        else if (ends[parsed.name]) arcs[chain]!.end = { ...at, kind: ends[parsed.name]! };
      }
    }
    return { arcs: arcs as ArcFacts[], secret, looks: this.looks };
  }

  summary = "";

  async check(): Promise<{ ok: boolean; report: string }> {
    const facts = await this.facts();
    const p = this.input.conforming;
    const terms = { start: this.t0, delta: DELTA, principals: this.plan.arcs.map((a) => a.leg.amount), premiums: this.plan.arcs.map((a) => a.leg.premiumAmount) };
    const v = judgeCycle(terms, p, CYCLE_FIGURES, facts);
    this.summary = `P${p} ${v.outcomes.map((o, i) => `${i}:${o}`).join(" ")}`;
    const real = await Promise.all(this.w.chains.map((c) => balanceOf(c.url, c.token, this.me.address)));
    const want = this.w.chains.map((_, i) => startUnits(p, i) * U + FLOAT + v.delta[i]!);
    const problems = [...v.broken.map((x) => `guarantee broken: ${x}`), ...v.owedNotTaken.map((x) => `owed and never on chain: ${x}`)];
    if (real.some((x, i) => x !== want[i])) problems.push(`P${p} holds ${real.map((x) => fmt(x - FLOAT)).join(", ")} instead of ${want.map((x) => fmt(x - FLOAT)).join(", ")} (T0, T1, T2)`);
    if (problems.length === 0) return { ok: true, report: "" };
    const rel = (a?: At) => (a ? `t=${a.ts - this.t0} (chain ${a.chain} #${a.block})` : "-");
    const report = [
      `conforming P${p}; Δ = ${DELTA}; premium deadlines 3Δ, 2Δ, 1Δ; escrow 4Δ, 5Δ, 6Δ; timeouts 9Δ, 8Δ, 7Δ (arcs 0, 1, 2)`,
      ...problems.map((x) => `FAILED: ${x}`),
      `arc ends: ${v.outcomes.map((o, i) => `${i}:${o}`).join(" ")}`,
      ...facts.arcs.map((a, i) => `arc ${i}: premium ${rel(a.premium)}, escrow ${rel(a.escrow)}, end ${a.end ? `${a.end.kind} ${rel(a.end)}` : "-"}`),
      `s on chain: ${facts.secret.map((s) => rel(s)).join(", ") || "never"}`,
      "what happened:",
      ...this.log.map((x) => `  ${x}`),
      `(${this.looks.length} looks of the conforming coordinator)`,
    ];
    return { ok: false, report: report.join("\n") };
  }

  async close(): Promise<void> {
    await this.coord?.stop().catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Plays one cycle run and judges it. */
export async function runCycleOnce(w: AdvCycleWorld, input: CycleRunInput): Promise<CycleRunResult> {
  const started = Date.now();
  const run = new CycleRun(w, input);
  try {
    await run.setup();
    await run.play();
    const { ok, report } = await run.check();
    return { ok, report, looks: run.looks.length, ms: Date.now() - started, summary: run.summary };
  } finally {
    await run.close();
  }
}
