/**
 * One run of the adversarial suite: the conforming party (a coordinator in process, ticked by the
 * harness; or Alice's `recover` calls after she lost her state) against a counterparty played by the
 * harness with raw contract calls, on the two chains of `./world`. The harness owns the clocks and the
 * blocks: automine is off, every block is mined by `evm_mine` at a timestamp of the harness's clock,
 * so a run is a deterministic function of its input. Then the oracle (`./oracle`) says what the
 * conforming party must hold, and the run compares it with the party's wallet balances.
 *
 * The fairness the conforming party may rely on (`PROTOCOLS.md` §6), and nothing more:
 * - a transaction it sends at a look is mined at the latest `inclusionTime + clockSkew` seconds after
 *   the head it saw (the counterparty picks any delay up to that, including past the deadline);
 * - the head it sees is at most `clockSkew` seconds old.
 * Between looks any time may pass (a stall is the party being down); the oracle only owes the party's
 * steps it could still take in time when it looked.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { JsonRpcProvider, Network, Transaction, Wallet, sha256, type Log } from "ethers";
import pino from "pino";

import {
  PremiumMode,
  abortTx,
  depositPremiumTx,
  deriveSecret,
  escrowInterface,
  escrowTx,
  hashlockOf,
  legFromCreationLog,
  legIdOfCreationLog,
  locateLeg,
  packTimelocks,
  planHedgedSwap,
  planOption,
  recover,
  redeemTx,
  settleTx,
  signOffer,
  unpackTimelocks,
  type LegStruct,
  type LocatedLeg,
  type SwapPlan,
} from "../../src/sdk";
import { parseConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import type { At, HostileAction, RunInput } from "./input";
import { judge, type Entry, type Figures, type Heads, type LegEvent, type LegEventKind, type LegName, type Mode, type Terms, type Verdict } from "./oracle";
import { MINT, U, balanceOf, hex, resetWorld, rpc, type AdvChain, type AdvWorld } from "./world";

/** Δ of every run, seconds of chain time. */
export const DELTA = 20n;
/** Alice's secret seed (she leads every swap; the secret is index 0). */
export const ALICE_SEED = "0x" + "a1".repeat(32);
/** The conforming party's chain figures and margins, as in test/coordinator/world.ts (confirmations 2). */
export const PARTY = { inclusionTime: 2, clockSkew: 2, confirmations: 2, blockInterval: 1, reactionMargin: 3, settleGrace: 5, minDelta: 10 } as const;
/** Slack on top of §6's margins before the oracle owes a step: a party that sends with less may still succeed. */
const SLACK = 2n;
export const FIGURES: Figures = {
  confirmations: PARTY.confirmations,
  owedMargin: BigInt(PARTY.inclusionTime + PARTY.confirmations * PARTY.blockInterval + PARTY.clockSkew + PARTY.reactionMargin) + SLACK,
  owedMarginRedeem: BigInt(PARTY.inclusionTime + PARTY.clockSkew) + SLACK,
};
/** The longest a conforming transaction waits to be mined after the head its sender saw. */
const MAX_DELAY = BigInt(PARTY.inclusionTime + PARTY.clockSkew);
const GWEI = 10n ** 9n;

/** What a run found. */
export interface RunResult {
  readonly ok: boolean;
  /** The failure, with the chain's events, the model's view and the holdings (empty when ok). */
  readonly report: string;
  readonly looks: number;
  readonly blocks: number;
  readonly ms: number;
  /** Where the time went: setup, the conforming party's looks, mining, the counterparty's actions, the check. */
  readonly phases: Readonly<Record<string, number>>;
}

type Party = "alice" | "bob";

const fmt = (v: bigint) => {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / U;
  const frac = (a % U).toString().padStart(18, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? "." + frac : ""}`;
};

/** Makes an ethers provider send each call at once instead of batching after a 10 ms stall (transport only). */
function noBatchStall(provider: JsonRpcProvider): void {
  const p = provider as unknown as { _getOption(key: string): unknown };
  const original = p._getOption.bind(p);
  p._getOption = (key: string) => (key === "batchStallTime" ? 0 : original(key));
}

function dataRoot(): string {
  return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

interface BlockRow {
  seq: number;
  chain: LegName;
  number: number;
  ts: bigint;
}

class Run {
  readonly w: AdvWorld;
  readonly mode: Mode;
  readonly input: RunInput;
  readonly chains: Record<LegName, AdvChain>;
  readonly hostile: Wallet | undefined;
  readonly conforming: Wallet[];
  readonly log: string[] = [];
  readonly timeline: (Exclude<Entry, { type: "block" }> | (BlockRow & { type: "block" }))[] = [];
  plan!: SwapPlan;
  secret!: string;
  t0 = 0n;
  now = 0n;
  latest!: Record<LegName, { number: number; ts: bigint }>;
  mustMineBy: Record<LegName, bigint | undefined> = { A: undefined, B: undefined };
  /** The counterparty's transactions go into the chain's next block, one second after they are sent (unless mined at once). */
  hostileBy: Record<LegName, bigint | undefined> = { A: undefined, B: undefined };
  /** The conforming party has transactions in the chain's mempool (they all go into its next block). */
  ours: Record<LegName, boolean> = { A: false, B: false };
  seq = 0;
  coord: Coordinator | undefined;
  coordDir: string | undefined;
  providers: Partial<Record<LegName, JsonRpcProvider>> = {};
  lost = false;
  knowsSecret = false;
  consent: { leg: LegName; signature: string; action: Extract<HostileAction, { k: "consent" }>; used: boolean } | undefined;
  tasks: { at: bigint; label: string; run: () => Promise<void> }[] = [];
  nonces = new Map<string, number>();
  looks = 0;
  readonly phases: Record<string, number> = { setup: 0, looks: 0, mining: 0, counterparty: 0, check: 0 };
  nextLook = 0n;
  lookIndex = 0;

  constructor(w: AdvWorld, mode: Mode, input: RunInput) {
    this.w = w;
    this.mode = mode;
    this.input = input;
    this.chains = { A: w.A, B: w.B };
    this.hostile = mode === "both" ? undefined : mode === "bob" ? w.alice : w.bob;
    this.conforming = mode === "both" ? [w.alice, w.bob] : mode === "bob" ? [w.bob] : [w.alice];
  }

  abs(at: At): bigint {
    const t = this.t0 + BigInt(at.step) * DELTA - BigInt(at.before);
    return t <= this.t0 ? this.t0 + 1n : t;
  }

  t(x: bigint = this.now): string {
    return `t=${x - this.t0}`;
  }

  token(chain: LegName, which: "agreed" | "other"): string {
    const capped = chain === "A" ? this.input.cappedA : this.input.cappedB;
    const c = this.chains[chain];
    return (which === "agreed") === capped ? c.tokens.capped : c.tokens.plain;
  }

  // ------------------------------------------------------------------ chain control

  async mine(chain: LegName): Promise<boolean> {
    if (this.latest[chain].ts >= this.now) return false;
    const started = performance.now();
    if (this.ours[chain] && this.hostile && this.mode !== "bob" && !this.knowsSecret) await this.sniff(chain);
    await rpc(this.chains[chain].url, "evm_mine", [hex(this.now)]);
    this.phases.mining! += performance.now() - started;
    this.latest[chain] = { number: this.latest[chain].number + 1, ts: this.now };
    this.timeline.push({ seq: this.seq++, type: "block", chain, number: this.latest[chain].number, ts: this.now });
    this.mustMineBy[chain] = undefined;
    this.hostileBy[chain] = undefined;
    this.ours[chain] = false;
    return true;
  }

  async sendAs(from: Wallet, chain: LegName, tx: { to: string; data: string; value?: bigint }, label: string, priority = 1n * GWEI): Promise<string | undefined> {
    const c = this.chains[chain];
    const key = `${chain}:${from.address}`;
    let nonce = this.nonces.get(key);
    if (nonce === undefined) nonce = Number(BigInt(await rpc<string>(c.url, "eth_getTransactionCount", [from.address, "pending"])));
    const raw = await from.signTransaction({ type: 2, chainId: c.chainId, nonce, to: tx.to, data: tx.data, value: tx.value ?? 0n, gasLimit: 1_500_000n, maxFeePerGas: 1000n * GWEI, maxPriorityFeePerGas: priority });
    try {
      const hash = await rpc<string>(c.url, "eth_sendRawTransaction", [raw]);
      this.nonces.set(key, nonce + 1);
      this.hostileBy[chain] ??= this.now + 1n;
      this.log.push(`${this.t()} ${from === this.w.alice ? "Alice" : from === this.w.bob ? "Bob" : "deployer"} sends ${label} on ${chain} (${hash.slice(0, 10)})`);
      return hash;
    } catch (e) {
      this.nonces.delete(key);
      this.log.push(`${this.t()} ${label} on ${chain} refused by the node: ${(e as Error).message.slice(0, 120)}`);
      return undefined;
    }
  }

  /** Hostile Bob watches the mempool (and so every transaction before it is mined) for the secret. */
  async sniff(chain: LegName): Promise<void> {
    const block = await rpc<{ transactions: { from: string; input: string; hash: string }[] }>(this.chains[chain].url, "eth_getBlockByNumber", ["pending", true]);
    const h = this.plan.offer.hashlock.toLowerCase();
    for (const tx of block.transactions) {
      const body = tx.input.slice(10);
      for (let i = 0; i + 64 <= body.length; i += 64) {
        const word = "0x" + body.slice(i, i + 64);
        if (sha256(word) !== h) continue;
        this.knowsSecret = true;
        this.log.push(`${this.t()} Bob reads s from a pending transaction on ${chain} (${tx.hash.slice(0, 10)})`);
        if (this.consent && !this.consent.used && this.consent.leg === "B" && this.consent.action.frontRun && chain === "B") {
          await this.useConsent("front-running the reveal", 100n * GWEI);
        }
        if (this.input.redeemAfter !== null) {
          const when = this.now + BigInt(this.input.redeemAfter);
          this.tasks.push({ at: when, label: "Bob redeems leg A with the sniffed s", run: async () => void (await this.sendAs(this.w.bob, "A", redeemTx(this.plan.legA, word), "redeem of leg A (step 6)")) });
        }
        return;
      }
    }
  }

  // ------------------------------------------------------------------ the conforming party

  async look(finale: boolean): Promise<void> {
    if (this.mode === "recover" && !this.lost && this.input.loss && this.now >= this.abs(this.input.loss)) {
      this.lost = true;
      this.timeline.push({ seq: this.seq++, type: "loss" });
      this.log.push(`${this.t()} Alice loses her state; from now on she only runs recover()`);
    }
    const fresh = this.input.schedule.fresh[this.lookIndex % this.input.schedule.fresh.length]!;
    for (const chain of ["A", "B"] as const) {
      if (fresh || this.now - this.latest[chain].ts > BigInt(PARTY.clockSkew)) await this.mine(chain);
    }
    const heads: Heads = { A: { ...this.latest.A }, B: { ...this.latest.B } };
    this.timeline.push({ seq: this.seq++, type: "look", by: this.lost ? "recover" : "coordinator", heads });
    const started = performance.now();
    if (this.lost) await this.recoverCall();
    else await this.coord!.tick();
    this.phases.looks! += performance.now() - started;
    const delay = BigInt(this.input.schedule.delays[this.lookIndex % this.input.schedule.delays.length]!);
    await this.notePending();
    for (const chain of ["A", "B"] as const) {
      if (!this.ours[chain]) continue;
      const by = this.latest[chain].ts + (delay > MAX_DELAY ? MAX_DELAY : delay);
      const known = this.mustMineBy[chain];
      this.mustMineBy[chain] = known === undefined || by < known ? by : known;
    }
    const gaps = this.input.schedule.gaps;
    let gap = BigInt(this.lost ? (this.input.recoverGap ?? 5) : gaps[this.lookIndex % gaps.length]!);
    if (finale && gap > 3n) gap = 3n;
    this.nextLook = this.now + gap;
    this.lookIndex++;
    this.looks++;
  }

  /** Which chains' mempools hold a transaction of the conforming party (sent at a look, or gossiped again after a reorganisation). */
  async notePending(): Promise<void> {
    await Promise.all(
      (["A", "B"] as const).flatMap((chain) =>
        this.conforming.map(async (who) => {
          const url = this.chains[chain].url;
          const [latest, pending] = await Promise.all([rpc<string>(url, "eth_getTransactionCount", [who.address, "latest"]), rpc<string>(url, "eth_getTransactionCount", [who.address, "pending"])]);
          if (latest !== pending) this.ours[chain] = true;
        }),
      ),
    );
  }

  stalled(s: bigint): boolean {
    return this.input.schedule.stalls.some((st) => {
      const until = this.abs(st.until);
      return s >= until - BigInt(st.length) && s < until;
    });
  }

  async recoverCall(): Promise<void> {
    const chains = (["A", "B"] as const).map((name) => {
      const c = this.chains[name];
      let provider = this.providers[name];
      if (!provider) {
        const network = new Network(`adv-${c.chainId}`, c.chainId);
        provider = new JsonRpcProvider(c.url, network, { staticNetwork: network, cacheTimeout: -1 });
        noBatchStall(provider);
        this.providers[name] = provider;
      }
      return {
        runner: this.w.alice.connect(provider),
        at: { chainId: c.chainId, escrow: c.escrow },
        fromBlock: c.deploymentBlock,
        confirmations: PARTY.confirmations,
        safety: { inclusionTime: BigInt(PARTY.inclusionTime), clockSkew: BigInt(PARTY.clockSkew), blockInterval: BigInt(PARTY.blockInterval) },
      };
    });
    // `confirmations: 0`: send and return (the harness mines); the chains' own `confirmations` is the finality depth.
    // What Alice kept besides her seed: the signed offer, and the consents to abort leg B she gave (her vow never to reveal).
    const forsworn = this.consent?.leg === "B" ? [this.plan.id] : [];
    const opts = { account: this.w.alice.address, seed: ALICE_SEED, seedScan: 4, agreed: [this.plan], forsworn, reactionMargin: BigInt(PARTY.reactionMargin), confirmations: 0 };
    try {
      const report = await recover(chains, opts as unknown as Parameters<typeof recover>[1]);
      const acted = report.steps.filter((s) => s.kind === "redeem" || s.kind === "settle");
      if (acted.length > 0) this.log.push(`${this.t()} recover(): ${acted.map((s) => `${s.kind} ${s.leg.id === this.plan.legA.id ? "leg A" : s.leg.id === this.plan.legB.id ? "leg B" : `other leg ${s.leg.id.slice(0, 10)}`}`).join(", ")}`);
    } catch (e) {
      this.log.push(`${this.t()} recover() threw: ${(e as Error).message.slice(0, 160)}`);
    }
  }

  // ------------------------------------------------------------------ the counterparty

  /** A leg like `leg` with one term changed: another leg id, not the agreed one. */
  wrongLeg(leg: LocatedLeg, chain: LegName, how: NonNullable<Extract<HostileAction, { k: "step" }>["wrong"]>): LocatedLeg {
    const l = leg.leg;
    const t = unpackTimelocks(l.timelocks);
    let struct: LegStruct = l;
    let at = leg.at;
    if (how === "amount") struct = { ...l, premiumAmount: l.premiumAmount - 1n };
    else if (how === "deadline") struct = { ...l, timelocks: packTimelocks({ ...t, escrowDeadline: t.escrowDeadline + 1n, timeout: t.timeout + 1n }) };
    else if (how === "asset") struct = { ...l, token: this.token(chain, "other"), premiumToken: this.token(chain, "other") };
    else at = { ...leg.at, escrow: this.chains[chain].wrongEscrow };
    return locateLeg(struct, at);
  }

  /** A plain leg (no premium) from the counterparty with the swap's hashlock. */
  plainLeg(chain: LegName, to: string, amount: bigint, token: string, escrow: string, timeout: bigint): LocatedLeg {
    const struct: LegStruct = {
      escrower: this.hostile!.address,
      redeemer: to,
      hashlock: this.plan.offer.hashlock,
      token,
      amount,
      timelocks: packTimelocks({ premiumDeadline: 0n, escrowDeadline: this.now + 1n, timeout: timeout > this.now + 2n ? timeout : this.now + 2n, mode: PremiumMode.Hedge }),
      premiumToken: "0x0000000000000000000000000000000000000000",
      premiumAmount: 0n,
    };
    return locateLeg(struct, { chainId: this.chains[chain].chainId, escrow });
  }

  async lockPlain(leg: LocatedLeg, chain: LegName, label: string): Promise<string | undefined> {
    const l = leg.leg;
    const data = escrowInterface.encodeFunctionData("lockToken", [l.redeemer, l.hashlock, l.token, l.amount, l.timelocks]);
    return this.sendAs(this.hostile!, chain, { to: leg.at.escrow, data }, label);
  }

  async step(a: Extract<HostileAction, { k: "step" }>): Promise<LegName> {
    const h = this.hostile!;
    const p = this.plan;
    const d = (k: number) => this.t0 + BigInt(k) * DELTA;
    const wrong = a.wrong;
    switch (a.step) {
      case 1:
        await this.sendAs(h, "B", depositPremiumTx(wrong ? this.wrongLeg(p.legB, "B", wrong) : p.legB), `${wrong ? `wrong (${wrong}) ` : ""}premium on leg B (step 1)`);
        return "B";
      case 2:
        await this.sendAs(h, "A", depositPremiumTx(wrong ? this.wrongLeg(p.legA, "A", wrong) : p.legA), `${wrong ? `wrong (${wrong}) ` : ""}premium on leg A (step 2)`);
        return "A";
      case 3:
        if (wrong) await this.lockPlain(this.wrongPlain("A", wrong, d(3), d(6)), "A", `wrong (${wrong}) escrow of leg A: a plain leg to Bob (step 3)`);
        else await this.sendAs(h, "A", escrowTx(p.legA), "escrow of leg A (step 3)");
        return "A";
      case 4:
        if (wrong) await this.lockPlain(this.wrongPlain("B", wrong, d(4), d(5)), "B", `wrong (${wrong}) escrow of leg B: a plain leg to Alice (step 4)`);
        else await this.sendAs(h, "B", escrowTx(p.legB), "escrow of leg B (step 4)");
        return "B";
      case 5:
        await this.sendAs(h, "B", redeemTx(p.legB, this.secret), "redeem of leg B, revealing s (step 5)");
        return "B";
      default:
        return "A";
    }
  }

  /** The counterparty's wrong principal step: a plain leg to the conforming party with the swap's hashlock. */
  wrongPlain(chain: LegName, how: string, escrowDeadline: bigint, timeout: bigint): LocatedLeg {
    const planned = chain === "A" ? this.plan.legA : this.plan.legB;
    const to = planned.leg.redeemer;
    const amount = how === "amount" ? planned.leg.amount - 1n : planned.leg.amount;
    const token = how === "asset" ? this.token(chain, "other") : planned.leg.token;
    const escrow = how === "escrow" ? this.chains[chain].wrongEscrow : this.chains[chain].escrow;
    const leg = this.plainLeg(chain, to, amount, token, escrow, how === "deadline" ? timeout + 1n : timeout);
    const t = unpackTimelocks(leg.leg.timelocks);
    if (escrowDeadline > t.escrowDeadline && escrowDeadline < t.timeout) {
      return locateLeg({ ...leg.leg, timelocks: packTimelocks({ ...t, escrowDeadline }) }, leg.at);
    }
    return leg;
  }

  async bait(a: Extract<HostileAction, { k: "bait" }>): Promise<void> {
    const counterparty = this.mode === "bob" ? this.w.bob : this.w.alice;
    const to = this.mode === "bob" && a.to === "carol" ? this.w.carol.address : counterparty.address;
    const planned = a.chain === "A" ? this.plan.legA : this.plan.legB;
    const amount = a.amount === "wei" ? 1n : a.amount === "less" ? planned.leg.amount - 1n : planned.leg.amount;
    const timeout = a.timeout === "short" ? this.now + 8n : a.timeout === "legB" ? this.t0 + 5n * DELTA : this.t0 + 6n * DELTA + 10n;
    const leg = this.plainLeg(a.chain, to, amount, this.token(a.chain, a.token), a.escrow === "agreed" ? this.chains[a.chain].escrow : this.chains[a.chain].wrongEscrow, timeout);
    await this.lockPlain(leg, a.chain, `a plain ${fmt(amount)}-unit leg with the swap's hashlock to ${to === this.w.carol.address ? "Carol" : this.mode === "bob" ? "Bob" : "Alice"}${a.escrow === "wrong" ? " on the other escrow" : ""}`);
    if (this.mode === "bob" && a.reveal) await this.sendAs(this.hostile!, a.chain, redeemTx(leg, this.secret), "redeem of that leg, revealing s");
  }

  async requestConsent(a: Extract<HostileAction, { k: "consent" }>): Promise<void> {
    const leg: LegName = this.mode === "bob" ? "A" : "B";
    if (!this.coord || this.lost) return;
    if (this.consent) return;
    try {
      const res = await this.coord.requestAbort(this.plan.id, leg);
      if (!res.signature) {
        this.log.push(`${this.t()} asks consent to abort leg ${leg}: no signature`);
        return;
      }
      this.timeline.push({ seq: this.seq++, type: "consent", leg, heads: { A: { ...this.latest.A }, B: { ...this.latest.B } } });
      this.consent = { leg, signature: res.signature, action: a, used: false };
      this.log.push(`${this.t()} asks the conforming coordinator to consent to the abort of leg ${leg}: signed`);
      const timeout = leg === "A" ? this.plan.legA.terms.timelocks.timeout : this.plan.legB.terms.timelocks.timeout;
      const when = a.use.kind === "now" ? this.now : a.use.kind === "last" ? timeout : this.now + BigInt(a.use.seconds) > timeout ? timeout : this.now + BigInt(a.use.seconds);
      this.tasks.push({ at: when, label: "use consent", run: () => this.useConsent(a.use.kind === "last" ? "at the leg's timeout" : "as planned", 1n * GWEI, a.use.kind === "last") });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      this.log.push(`${this.t()} asks consent to abort leg ${leg}: refused (${err.code ?? err.message?.slice(0, 80)})`);
    }
  }

  async useConsent(why: string, priority: bigint, exact = false): Promise<void> {
    const c = this.consent;
    if (!c || c.used) return;
    c.used = true;
    const leg = c.leg === "A" ? this.plan.legA : this.plan.legB;
    await this.sendAs(this.hostile!, c.leg, abortTx(leg, c.signature), `abort of leg ${c.leg} with the consent (${why})`, priority);
    if (c.leg === "A" && c.action.thenRedeemB) await this.sendAs(this.hostile!, "B", redeemTx(this.plan.legB, this.secret), "redeem of leg B, revealing s");
    if (exact) await this.mine(c.leg);
  }

  async reorg(a: Extract<HostileAction, { k: "reorg" }>): Promise<void> {
    const chain = a.chain;
    const c = this.chains[chain];
    if (this.latest[chain].ts >= this.now) return;
    const before = { ...this.latest[chain] };
    const snapshot = await rpc<string>(c.url, "evm_snapshot");
    if (a.doomed === "step") {
      const stepOf: Record<string, number> = this.mode === "bob" ? { A: 3, B: this.now <= this.t0 + DELTA ? 1 : 5 } : { A: 2, B: 4 };
      await this.step({ k: "step", step: stepOf[chain] as 1, at: { step: 1, before: 0 }, exact: false });
    } else if (a.doomed === "bait") {
      await this.bait({ k: "bait", at: a.at, chain, amount: "wei", token: "agreed", escrow: "agreed", timeout: "long", to: "counterparty", reveal: true });
    }
    this.log.push(`${this.t()} reorganisation of chain ${chain}: a block the party looks at ${a.looks} time(s), then replaced`);
    await this.mine(chain);
    const doomedNumber = this.latest[chain].number;
    for (let i = 0; i < a.looks; i++) await this.look(false);
    // What the party sent meanwhile is gossiped again after the reorganisation, as on a real network.
    const addresses = new Set(this.conforming.map((x) => x.address.toLowerCase()));
    type FullTx = { from: string; hash: string; type: string; chainId: string; nonce: string; to: string; input: string; value: string; gas: string; maxFeePerGas: string; maxPriorityFeePerGas: string; r: string; s: string; v: string; yParity?: string };
    const ours: FullTx[] = [];
    for (const tag of [hex(doomedNumber), "pending"]) {
      const b = await rpc<{ transactions: FullTx[] }>(c.url, "eth_getBlockByNumber", [tag, true]);
      for (const tx of b.transactions) if (addresses.has(tx.from.toLowerCase()) && !ours.some((o) => o.hash === tx.hash)) ours.push(tx);
    }
    if ((await rpc<boolean>(c.url, "evm_revert", [snapshot])) !== true) throw new Error("evm_revert refused");
    this.latest[chain] = before;
    const i = this.timeline.findIndex((e) => e.type === "block" && e.chain === chain && e.number === doomedNumber);
    if (i >= 0) this.timeline.splice(i, 1);
    for (const key of [...this.nonces.keys()]) if (key.startsWith(`${chain}:`)) this.nonces.delete(key);
    for (const tx of ours) {
      const raw = Transaction.from({
        type: 2,
        chainId: BigInt(tx.chainId),
        nonce: Number(BigInt(tx.nonce)),
        to: tx.to,
        data: tx.input,
        value: BigInt(tx.value),
        gasLimit: BigInt(tx.gas),
        maxFeePerGas: BigInt(tx.maxFeePerGas),
        maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas),
        signature: { r: tx.r, s: tx.s, yParity: Number(BigInt(tx.yParity ?? tx.v)) as 0 | 1 },
      }).serialized;
      await rpc(c.url, "eth_sendRawTransaction", [raw]).catch(() => undefined);
    }
    if (ours.length > 0) this.ours[chain] = true;
    await this.mine(chain);
  }

  async act(a: HostileAction): Promise<void> {
    switch (a.k) {
      case "step": {
        const chain = await this.step(a);
        if (a.exact) await this.mine(chain);
        return;
      }
      case "bait":
        return this.bait(a);
      case "consent":
        return this.requestConsent(a);
      case "reorg":
        return this.reorg(a);
      case "settle":
        await this.sendAs(this.hostile!, a.leg, settleTx(a.leg === "A" ? this.plan.legA : this.plan.legB), `settle of leg ${a.leg}`);
        return;
    }
  }

  // ------------------------------------------------------------------ the run

  async setup(): Promise<void> {
    const w = this.w;
    await resetWorld(w);
    this.latest = { A: { ...w.A.base }, B: { ...w.B.base } };
    this.t0 = w.A.base.ts;
    this.now = this.t0;
    this.secret = deriveSecret(ALICE_SEED, 0);
    const terms = {
      leader: w.alice.address,
      follower: w.bob.address,
      hashlock: hashlockOf(this.secret),
      start: this.t0,
      delta: DELTA,
      legA: { chainId: w.A.chainId, escrow: w.A.escrow, token: this.token("A", "agreed"), amount: 100n * U, premiumAmount: 1n * U },
      legB: { chainId: w.B.chainId, escrow: w.B.escrow, token: this.token("B", "agreed"), amount: 100n * U, premiumAmount: 3n * U },
    };
    const config = { now: this.t0, minDelta: 1n };
    this.plan = this.input.kind === "option" ? planOption(terms, config) : planHedgedSwap(terms, config);
    // The counterparty gets more of every token than the matrix gives it, for wrong legs and baits.
    if (this.hostile) {
      for (const chain of ["A", "B"] as const) {
        for (const token of [this.chains[chain].tokens.plain, this.chains[chain].tokens.capped]) {
          await this.sendAs(w.deployer, chain, { to: token, data: MINT.encodeFunctionData("mint", [this.hostile.address, 500n * U]) }, "mint");
        }
      }
    }
    this.now = this.t0 + 1n;
    for (const chain of ["A", "B"] as const) await this.mine(chain);
    this.log.length = 0;
    const signed = { offer: this.plan.offer, signatures: { leader: await signOffer(w.alice, this.plan.offer), follower: await signOffer(w.bob, this.plan.offer) } };
    const parties: Record<string, unknown>[] = [];
    if (this.mode !== "bob") parties.push({ name: "alice", privateKey: w.alice.privateKey, secretSeed: ALICE_SEED });
    if (this.mode === "bob" || this.mode === "both") parties.push({ name: "bob", privateKey: w.bob.privateKey });
    this.coordDir = mkdtempSync(join(dataRoot(), "hedgeswap-adversary-"));
    const cfg = parseConfig({
      dataDir: this.coordDir,
      chains: [w.A, w.B].map((c) => ({
        name: c.name,
        chainId: c.chainId.toString(),
        rpcUrl: c.url,
        escrow: c.escrow,
        deploymentBlock: c.deploymentBlock,
        confirmations: PARTY.confirmations,
        blockInterval: PARTY.blockInterval,
        inclusionTime: PARTY.inclusionTime,
        clockSkew: PARTY.clockSkew,
        rpcTimeoutMs: 10_000,
      })),
      parties,
      minDelta: PARTY.minDelta,
      reactionMargin: PARTY.reactionMargin,
      pollIntervalMs: 100,
      settleGrace: PARTY.settleGrace,
      logLevel: "silent",
    });
    this.coord = new Coordinator(cfg, { logger: pino({ level: "silent" }), defaultMetrics: false });
    for (const c of this.coord.chains.values()) noBatchStall(c.provider);
    await this.coord.init();
    await this.coord.submit(signed);
    this.nextLook = this.now;
  }

  async quiescent(): Promise<boolean> {
    const ids = { A: this.plan.legA.id, B: this.plan.legB.id };
    for (const chain of ["A", "B"] as const) {
      const c = this.chains[chain];
      const states = escrowInterface.decodeFunctionResult("legStatesOf", await rpc<string>(c.url, "eth_call", [{ to: c.escrow, data: escrowInterface.encodeFunctionData("legStatesOf", [[ids[chain]]]) }, "latest"]))[0] as bigint[];
      const state = Number(states[0]);
      if (state === 1 || state === 2) return false;
      for (const who of this.conforming) {
        const credit = BigInt(await rpc<string>(c.url, "eth_call", [{ to: c.escrow, data: escrowInterface.encodeFunctionData("credits", [who.address, this.token(chain, "agreed")]) }, "latest"]));
        if (credit > 0n) return false;
        const [latest, pending] = await Promise.all([rpc<string>(c.url, "eth_getTransactionCount", [who.address, "latest"]), rpc<string>(c.url, "eth_getTransactionCount", [who.address, "pending"])]);
        if (latest !== pending) return false;
      }
    }
    return true;
  }

  async play(): Promise<void> {
    const actions = this.input.hostile.map((a, i) => ({ a, i, at: this.abs(a.at) })).sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.i - y.i));
    let next = 0;
    const end = this.t0 + 6n * DELTA + BigInt(PARTY.settleGrace) + 2n;
    // After the deadlines the party looks every 3 s until it is done (legs settled, credits withdrawn, nothing pending).
    const last = end + 60n;
    for (let s = this.t0 + 1n; s <= last; s++) {
      this.now = s;
      const started = performance.now();
      while (next < actions.length && actions[next]!.at <= s) await this.act(actions[next++]!.a);
      this.phases.counterparty! += performance.now() - started;
      const due = this.tasks.filter((t) => t.at <= s);
      this.tasks = this.tasks.filter((t) => t.at > s);
      for (const t of due) await t.run();
      for (const chain of ["A", "B"] as const) {
        const by = this.mustMineBy[chain];
        const hostileBy = this.hostileBy[chain];
        if ((by !== undefined && by <= s) || (hostileBy !== undefined && hostileBy <= s)) await this.mine(chain);
      }
      const finale = s >= end;
      if (s >= this.nextLook && (finale || !this.stalled(s))) {
        await this.look(finale);
        if (finale && (await this.quiescent())) break;
      }
    }
  }

  async facts(): Promise<{ timeline: Entry[]; gifts: Record<Party, Record<LegName, bigint>>; reveals: string[] }> {
    const bySeq = new Map<string, BlockRow>();
    for (const e of this.timeline) if (e.type === "block") bySeq.set(`${e.chain}:${e.number}`, e);
    const events = new Map<BlockRow, LegEvent[]>();
    const gifts: Record<Party, Record<LegName, bigint>> = { alice: { A: 0n, B: 0n }, bob: { A: 0n, B: 0n } };
    const reveals: string[] = [];
    const h = this.plan.offer.hashlock.toLowerCase();
    for (const chain of ["A", "B"] as const) {
      const c = this.chains[chain];
      const logs = await rpc<{ address: string; topics: string[]; data: string; blockNumber: string; transactionHash: string; logIndex: string }[]>(c.url, "eth_getLogs", [
        { address: [c.escrow, c.wrongEscrow], fromBlock: hex(c.base.number + 1), toBlock: "latest" },
      ]);
      const plain = new Map<string, LegStruct>();
      const redeemed = new Set<string>();
      for (const log of logs) {
        const parsed = escrowInterface.parseLog({ topics: log.topics, data: log.data });
        if (!parsed) continue;
        const agreedEscrow = log.address.toLowerCase() === c.escrow.toLowerCase();
        const at = { chainId: c.chainId, escrow: log.address };
        let legId: string | undefined;
        let kind: LegEventKind | undefined;
        switch (parsed.name) {
          case "LegPremiumDeposited":
            legId = legIdOfCreationLog(log, at);
            kind = "premium";
            break;
          case "LegLocked":
          case "NativeLegLocked": {
            legId = legIdOfCreationLog(log, at);
            plain.set(`${log.address.toLowerCase()}:${legId}`, legFromCreationLog(log as unknown as Log));
            kind = "escrow";
            break;
          }
          case "LegEscrowed":
            legId = parsed.args[0] as string;
            kind = "escrow";
            break;
          case "LegRedeemed": {
            legId = parsed.args[0] as string;
            kind = "redeem";
            redeemed.add(`${log.address.toLowerCase()}:${legId}`);
            const secret = parsed.args[1] as string;
            if (sha256(secret) === h) reveals.push(`chain ${chain} block ${Number(BigInt(log.blockNumber))}${agreedEscrow ? "" : " (other escrow)"}: leg ${legId === this.plan.legA.id ? "A" : legId === this.plan.legB.id ? "B" : legId.slice(0, 10)}`);
            break;
          }
          case "LegRefunded":
            legId = parsed.args[0] as string;
            kind = "refund";
            break;
          case "LegPremiumRefunded":
            legId = parsed.args[0] as string;
            kind = "premiumRefund";
            break;
          case "LegAborted":
            legId = parsed.args[0] as string;
            kind = "abort";
            break;
        }
        if (!legId || !kind) continue;
        const row = bySeq.get(`${chain}:${Number(BigInt(log.blockNumber))}`);
        if (!row) continue;
        let leg: LegName | "other" | undefined;
        if (agreedEscrow && legId === this.plan.legA.id) leg = "A";
        else if (agreedEscrow && legId === this.plan.legB.id) leg = "B";
        else if (agreedEscrow && kind === "redeem" && sha256(parsed.args[1] as string) === h) leg = "other";
        if (!leg) continue;
        const list = events.get(row) ?? [];
        list.push({ leg, kind, tx: log.transactionHash });
        events.set(row, list);
      }
      // Gifts: plain legs the counterparty locked to a conforming party, in the agreed token, that were redeemed.
      for (const [key, leg] of plain) {
        if (!redeemed.has(key) || leg.token.toLowerCase() !== this.token(chain, "agreed").toLowerCase()) continue;
        for (const [party, wallet] of [["alice", this.w.alice], ["bob", this.w.bob]] as const) {
          if (leg.redeemer.toLowerCase() === wallet.address.toLowerCase() && this.conforming.includes(wallet) && leg.escrower.toLowerCase() !== wallet.address.toLowerCase()) gifts[party][chain] += leg.amount;
        }
      }
    }
    const timeline: Entry[] = this.timeline.map((e) => (e.type === "block" ? { ...e, events: events.get(e) ?? [] } : e));
    return { timeline, gifts, reveals };
  }

  async check(): Promise<{ ok: boolean; report: string }> {
    const { timeline, gifts, reveals } = await this.facts();
    const tl = this.plan.legB.terms.timelocks;
    const terms: Terms = {
      start: this.t0,
      delta: DELTA,
      legA: { principal: this.plan.legA.leg.amount, premium: this.plan.legA.leg.premiumAmount, option: false },
      legB: { principal: this.plan.legB.leg.amount, premium: this.plan.legB.leg.premiumAmount, option: tl.mode === PremiumMode.Option },
    };
    const verdict: Verdict = judge(this.mode, terms, FIGURES, timeline);
    const problems: string[] = [];
    const lines: string[] = [];
    for (const [party, wallet] of [["alice", this.w.alice], ["bob", this.w.bob]] as const) {
      const expected = verdict.holdings[party];
      if (!expected) continue;
      const real = { A: await balanceOf(this.w.A.url, this.token("A", "agreed"), wallet.address), B: await balanceOf(this.w.B.url, this.token("B", "agreed"), wallet.address) };
      const want = { A: expected.A + gifts[party].A, B: expected.B + gifts[party].B };
      const credits = await Promise.all(
        (["A", "B"] as const).map(async (chain) => {
          const c = this.chains[chain];
          return BigInt(await rpc<string>(c.url, "eth_call", [{ to: c.escrow, data: escrowInterface.encodeFunctionData("credits", [wallet.address, this.token(chain, "agreed")]) }, "latest"]));
        }),
      );
      const name = party === "alice" ? "Alice" : "Bob";
      lines.push(
        `${name}: holds ${fmt(real.A)} on A, ${fmt(real.B)} on B; the model gives ${fmt(want.A)} / ${fmt(want.B)}` +
          (gifts[party].A + gifts[party].B > 0n ? ` (with gifts ${fmt(gifts[party].A)} / ${fmt(gifts[party].B)})` : "") +
          (credits[0]! + credits[1]! > 0n ? `; still credited in the escrows: ${fmt(credits[0]!)} / ${fmt(credits[1]!)}` : ""),
      );
      if (real.A !== want.A || real.B !== want.B) {
        const diff = real.A + real.B - want.A - want.B;
        problems.push(`${name} ends with ${fmt(real.A)} / ${fmt(real.B)} instead of ${fmt(want.A)} / ${fmt(want.B)} (${diff < 0n ? `lost ${fmt(-diff)}` : `${fmt(diff)} more than the model`})`);
      }
      const g = verdict.guarantee[party]!;
      if (expected.A + expected.B < g.value) {
        problems.push(`the model's own outcome for ${name} (${fmt(expected.A)} / ${fmt(expected.B)}) is below the worst row the counterparty can steer to (${g.rows.join(", ")}: ${fmt(g.value)}): a consent or a rule let the counterparty push the party below its row`);
      }
    }
    if (problems.length === 0) return { ok: true, report: "" };
    const own = await this.conformingTransactions();
    const events = timeline.flatMap((e) => (e.type === "block" ? e.events.map((x) => `t=${e.ts - this.t0} chain ${e.chain} block ${e.number}: ${x.leg === "other" ? "redeem of another leg with the swap's secret" : `leg ${x.leg} ${x.kind}`}`) : []));
    const report = [
      `mode ${this.mode}, ${this.input.kind}, leg A token ${this.input.cappedA ? "capped" : "plain"}, leg B token ${this.input.cappedB ? "capped" : "plain"}; T0 + kΔ with Δ = ${DELTA}: d1..d6 = ${[1, 2, 3, 4, 5, 6].map((k) => k * Number(DELTA)).join(", ")}`,
      ...problems.map((p) => `FAILED: ${p}`),
      ...lines,
      `model outcome: leg A ${verdict.outcomes.A}, leg B ${verdict.outcomes.B}`,
      ...(verdict.owedNotTaken.length ? [`owed by the conforming party and never on chain: ${verdict.owedNotTaken.join("; ")}`] : []),
      ...(verdict.leftOut.length ? ["left out of the model's world:", ...verdict.leftOut.map((x) => `  ${x}`)] : []),
      "agreed legs on chain:",
      ...events.map((x) => `  ${x}`),
      ...(reveals.length ? ["the secret on chain:", ...reveals.map((x) => `  ${x}`)] : []),
      "what happened:",
      ...this.log.map((x) => `  ${x}`),
      "the conforming party's transactions, as mined:",
      ...own.map((x) => `  ${x}`),
      `(${this.looks} looks of the conforming party)`,
    ];
    return { ok: false, report: report.join("\n") };
  }

  /** The conforming party's mined transactions (for reports): what each called, on which leg, and whether it reverted. */
  async conformingTransactions(): Promise<string[]> {
    const out: string[] = [];
    const addresses = new Map(this.conforming.map((x) => [x.address.toLowerCase(), x === this.w.alice ? "Alice" : "Bob"]));
    for (const e of this.timeline) {
      if (e.type !== "block") continue;
      const block = await rpc<{ transactions: { from: string; hash: string; input: string; to: string }[] }>(this.chains[e.chain].url, "eth_getBlockByNumber", [hex(e.number), true]);
      for (const tx of block.transactions) {
        const who = addresses.get(tx.from.toLowerCase());
        if (!who) continue;
        const receipt = await rpc<{ status: string }>(this.chains[e.chain].url, "eth_getTransactionReceipt", [tx.hash]);
        let what = `a call to ${tx.to}`;
        try {
          const parsed = escrowInterface.parseTransaction({ data: tx.input });
          if (parsed) {
            const legs = JSON.stringify(parsed.args, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
            const names = [this.plan.legA, this.plan.legB].filter((l) => legs.includes(l.leg.timelocks.toString()) && legs.toLowerCase().includes(l.leg.token.slice(2).toLowerCase())).map((l) => (l === this.plan.legA ? "A" : "B"));
            what = `${parsed.name}${names.length ? ` (leg ${names.join(", ")})` : ""}`;
          }
        } catch {
          // not an escrow call
        }
        out.push(`t=${e.ts - this.t0} chain ${e.chain} block ${e.number}: ${who} ${what} ${receipt.status === "0x1" ? "ok" : "REVERTED"} (${tx.hash.slice(0, 10)})`);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.coord?.stop().catch(() => undefined);
    for (const p of Object.values(this.providers)) p?.destroy();
    if (this.coordDir) rmSync(this.coordDir, { recursive: true, force: true });
  }
}

/** Plays one run and judges it. */
export async function runOnce(w: AdvWorld, mode: Mode, input: RunInput): Promise<RunResult> {
  const started = Date.now();
  const run = new Run(w, mode, input);
  try {
    await run.setup();
    const played = Date.now();
    run.phases.setup = played - started;
    await run.play();
    const checking = Date.now();
    const { ok, report } = await run.check();
    run.phases.check = Date.now() - checking;
    return { ok, report, looks: run.looks, blocks: run.timeline.filter((e) => e.type === "block").length, ms: Date.now() - started, phases: run.phases };
  } finally {
    await run.close();
  }
}
