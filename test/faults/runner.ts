/**
 * Runs one scenario of the fault suite on a pair of interval-mined chains (automine off, 1 s blocks):
 * fresh tokens at the matrix balances, a signed swap with Δ = 20 s, both parties' coordinators each
 * behind its own RPC proxy per chain, the fault injected at its step, then every deadline passed
 * (both clocks moved together once nothing is pending) and the run judged: exact holdings against the
 * scenario's matrix rows, the secret never on a chain (nor broadcast) after leg B's timeout unless
 * leg B was redeemed, each party's gas within the swap's budget and the fee cap, and every
 * coordinator start successful.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Contract, Transaction, keccak256 } from "ethers";

import { LegState, getLegState, type SwapPlan } from "../../src/sdk";
import { HAPPY_PATH, isFinal, type SwapStatus } from "../../src/coordinator/domain/status";
import {
  clocksTo,
  dropPending,
  holdBaseFee,
    reorg,
  reorgPoint,
  setGasCoin,
  startDevnet,
  startRpcProxy,
  useIntervalMining,
  waitDepth,
  withAutomine,
  devAccounts,
  type DevNode,
  type HeldBaseFee,
  type ReorgPoint,
  type RpcProxy,
} from "../../src/devnet";
import { U, freshTokens, signedOffer, until, type Tokens, type World } from "../coordinator/world";
import { carriesSecret, scanChain, type SecretSighting } from "./chainScan";
import { STEP_CHAIN, STEP_PARTY, rowNames, rowsOf, type Holdings } from "./expected";
import { FAULT_DELTA, FEE_CAP, SPIKE_BASE_FEE, SWAP_GAS_BUDGET, faultPartyConfig } from "./partyConfig";
import { SupervisedParty } from "./party";
import type { Scenario } from "./scenarios";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Party = "alice" | "bob";
type ChainName = "A" | "B";
const other = <T extends string>(x: T, a: T, b: T): T => (x === a ? b : a);

/** What a scenario ended with. */
export interface ScenarioResult {
  readonly id: string;
  /** Empty when the run passed. */
  readonly failures: string[];
  /** The matrix rows the final holdings are ("no row" when none). */
  readonly endedOn: string;
  readonly ms: number;
  /** Where the coordinators' logs are. */
  readonly logDir: string;
  readonly notes: string[];
}

/** Starts a pair of chains A and B (chain ids 31381 + 2i and 31382 + 2i) with the escrow, automine off and 1 s blocks. */
export async function startFaultWorld(index: number): Promise<World> {
  const id = 31381n + 2n * BigInt(index);
  const devnet = await startDevnet({ chains: [{ name: "A", chainId: id }, { name: "B", chainId: id + 1n }], blockIntervalMs: 1000 });
  await Promise.all(devnet.chains.map((c) => useIntervalMining(c.node, 1000)));
  const [, alice, bob, carol] = devAccounts(4);
  return { devnet, A: devnet.chain("A"), B: devnet.chain("B"), alice: alice!, bob: bob!, carol: carol!, nextIndex: 0 };
}

/** The leg of each step that a fault can follow. */
const STEP_TX: Readonly<Record<number, { leg: ChainName }>> = { 2: { leg: "A" }, 3: { leg: "A" }, 4: { leg: "B" }, 5: { leg: "B" } };
/** The status a party's swap reaches once step k is final for it. */
const STATUS_AFTER: Readonly<Record<number, SwapStatus>> = { 2: "premiumA", 3: "escrowedA", 4: "escrowedB", 5: "redeemedB", 6: "completed" };

/** A sendRawTransaction that went through a party's proxy to a node, with chain B's clock at the time. */
interface Broadcast {
  readonly party: Party;
  readonly chain: ChainName;
  readonly raw: string;
  readonly chainBTime: bigint;
}

/** One run's moving parts. */
class Run {
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  readonly cleanups: (() => Promise<void>)[] = [];
  readonly broadcasts: Broadcast[] = [];
  readonly proxies = {} as Record<Party, Record<ChainName, RpcProxy>>;
  readonly parties = {} as Record<Party, SupervisedParty>;
  tokens!: Tokens;
  plan!: SwapPlan;
  secret!: string;
  startBlocks!: Record<ChainName, number>;
  /** A party that walked away (its coordinator stopped on purpose): not waited for. */
  walkedAway: Party | undefined;

  constructor(
    readonly w: World,
    readonly sc: Scenario,
    readonly logDir: string,
  ) {}

  node(chain: ChainName): DevNode {
    return chain === "A" ? this.w.A.node : this.w.B.node;
  }
  get nodes(): DevNode[] {
    return [this.w.A.node, this.w.B.node];
  }
  /** The deadline of step k on its chain's clock (T0 + kΔ). */
  deadline(k: number): bigint {
    return this.plan.offer.start + BigInt(k) * FAULT_DELTA;
  }
  /**
   * The party's swap status, once its current coordinator has driven a first round (after a restart the
   * stored status is what it was before the stop until the chains are read again: a reorganisation
   * found then may reopen a swap that looked final).
   */
  status(p: Party): SwapStatus | undefined {
    const store = this.parties[p].current?.store;
    if (!store) return undefined;
    const life = store.eventsOfKind("coordinator.");
    if (life[life.length - 1]?.kind !== "coordinator.driving") return undefined;
    return store.getSwap(this.plan.id)?.status as SwapStatus | undefined;
  }
  reached(p: Party, s: SwapStatus): boolean {
    const now = this.status(p);
    if (now === undefined) return false;
    if (isFinal(now)) return true;
    return HAPPY_PATH.indexOf(now) >= HAPPY_PATH.indexOf(s) && HAPPY_PATH.includes(now);
  }
  /** Step k is mined, read from the chain (not from a store: a store marks it once final, after the next party may have acted). */
  async stepMined(k: number): Promise<boolean> {
    const { leg } = STEP_TX[k]!;
    const planned = leg === "A" ? this.plan.legA : this.plan.legB;
    const state = await getLegState(this.node(leg).provider, planned);
    if (k === 2) return state === LegState.PremiumDeposited || state === LegState.Escrowed;
    if (k === 3 || k === 4) return state === LegState.Escrowed;
    // A redeem deletes the leg: step 5 is mined once leg B is gone after a broadcast of the secret there.
    return state === LegState.None && this.broadcasts.some((b) => b.chain === leg && carriesSecret(Transaction.from(b.raw).data, this.secret));
  }
  pending(p: Party): number {
    return this.parties[p].current?.store.txsOfSwap(this.plan.id).filter((t) => t.status === "signed" || t.status === "sent").length ?? 0;
  }
  /** The parties whose coordinators the run waits for. */
  get running(): Party[] {
    return (["alice", "bob"] as Party[]).filter((p) => p !== this.walkedAway);
  }

  async setup(): Promise<void> {
    const { w } = this;
    this.tokens = await withAutomine(this.nodes, () => freshTokens(w));
    // The pair of chains is reused from run to run, and a clock jump of an earlier run left one chain
    // ahead: both start this run on the same clock.
    const latest = [await w.A.node.latestTimestamp(), await w.B.node.latestTimestamp()].reduce((a, b) => (a > b ? a : b));
    await clocksTo(this.nodes, latest + 1n);
    this.startBlocks = { A: (await w.A.node.provider.getBlockNumber()) + 1, B: (await w.B.node.provider.getBlockNumber()) + 1 };
    const { signed, plan, secret } = await signedOffer(w, this.tokens, "hedged-swap", FAULT_DELTA);
    this.plan = plan;
    this.secret = secret;
    for (const p of ["alice", "bob"] as Party[]) {
      this.proxies[p] = { A: await startRpcProxy(w.A.node.url), B: await startRpcProxy(w.B.node.url) };
      for (const chain of ["A", "B"] as ChainName[]) {
        this.proxies[p][chain].addHook({
          method: "eth_sendRawTransaction",
          after: async (c) => {
            if (typeof c.params[0] === "string") this.broadcasts.push({ party: p, chain, raw: c.params[0], chainBTime: await w.B.node.latestTimestamp() });
          },
        });
      }
    }
    const walker = this.sc.kind === "reorg-settle" ? STEP_PARTY[this.sc.step] : undefined;
    for (const p of ["alice", "bob"] as Party[]) {
      const extra = p === walker ? { faults: { haltAfterStep: this.sc.step - 1 } } : {};
      const config = faultPartyConfig(w, p, { A: this.proxies[p].A.url, B: this.proxies[p].B.url }, extra);
      this.parties[p] = new SupervisedParty(p, config, join(this.logDir, `${p}.log`));
    }
    await this.parties.alice.begin(signed);
    await this.parties.bob.begin(signed);
  }

  /** Waits for `what`; on timeout the run fails with `what` (and the statuses) instead of throwing. */
  async wait(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
    try {
      await until(what, predicate, timeoutMs);
      return true;
    } catch {
      this.failures.push(`timed out (${timeoutMs / 1000} s) waiting for: ${what} (alice ${this.status("alice")}, bob ${this.status("bob")})`);
      return false;
    }
  }

  /**
   * Waits until every running party's coordinator has seen the reorganisation of `chain` (its tip was
   * among the blocks removed): until then a swap may still look final in its store.
   */
  async sawReorg(chain: ChainName): Promise<void> {
    const chainId = this.node(chain).chainId.toString();
    await this.wait(`every running party sees the reorganisation of chain ${chain}`, () => this.running.every((p) => (this.parties[p].current?.store.eventsOfKind("chain.reorg") ?? []).some((e) => e.chainId === chainId)), 20_000);
  }

  /** The faulted party's restart in the middle of the fault, when the scenario asks for it. */
  async middle(p: Party): Promise<void> {
    if (this.sc.restart) await this.parties[p].restart();
  }

  /** Moves both clocks to the start of step k's window (T0 + (k-1)Δ): every earlier step took its whole Δ, the fault meets a full deadline. */
  async toWindowOf(k: number): Promise<void> {
    await clocksTo(this.nodes, this.deadline(k - 1));
  }

  /**
   * Arms a one-shot hook on `party`'s next broadcast on `chain`: `before` runs before it is forwarded
   * (or meets the proxy's mode), `after` once the node answered. Resolves with the hash when `before` ran.
   */
  nextBroadcast(party: Party, chain: ChainName, before?: () => unknown, after?: (hash: string, answer: { result?: unknown; error?: unknown }) => unknown): Promise<string> {
    return new Promise((resolve) => {
      let fired = false;
      let done = false;
      const remove = this.proxies[party][chain].addHook({
        method: "eth_sendRawTransaction",
        before: async (c) => {
          if (fired) return;
          fired = true;
          await before?.();
          resolve(keccak256(c.params[0] as string));
          if (!after) remove();
        },
        after: async (c, answer) => {
          if (done || !fired) return;
          done = true;
          remove();
          await after?.(keccak256(c.params[0] as string), answer);
        },
      });
    });
  }

  /** Waits up to 40 s for a broadcast armed with `nextBroadcast`; fails the run otherwise. */
  async broadcastOf(sent: Promise<string>, what: string): Promise<string | undefined> {
    const timeout = sleep(40_000).then(() => undefined);
    const hash = await Promise.race([sent, timeout]);
    if (hash === undefined) this.failures.push(`${what} was never broadcast (alice ${this.status("alice")}, bob ${this.status("bob")})`);
    return hash;
  }

  /** Nothing pending and no status change in either running coordinator for `quietMs`, or both final. */
  async quiet(quietMs = 6000, timeoutMs = 90_000): Promise<boolean> {
    let last = "";
    let since = Date.now();
    return this.wait(
      "the parties to go quiet (nothing pending, no status change)",
      async () => {
        await Promise.all(this.running.map((p) => this.parties[p].ready()));
        // A coordinator still connecting a chain again (degraded) has steps to take once it is back.
        if (this.running.some((p) => this.parties[p].current?.health().status !== "ok")) {
          since = Date.now();
          return false;
        }
        const snapshot = this.running.map((p) => `${this.status(p)}:${this.pending(p)}:${this.parties[p].current?.store.txsOfSwap(this.plan.id).length}`).join(",");
        if (this.running.every((p) => isFinal(this.status(p) ?? "accepted") && this.pending(p) === 0)) return true;
        if (snapshot !== last || this.running.some((p) => this.pending(p) > 0)) {
          last = snapshot;
          since = Date.now();
          return false;
        }
        return Date.now() - since >= quietMs;
      },
      timeoutMs,
    );
  }

  /** Every deadline passed on both chains (and the settle grace), once nothing is pending; then both parties final and quiet. */
  async finish(): Promise<void> {
    await this.quiet();
    if (!this.running.every((p) => isFinal(this.status(p) ?? "accepted"))) {
      await clocksTo(this.nodes, this.deadline(6) + 3n + 10n);
    }
    await this.wait("every running party's swap final", () => this.running.every((p) => isFinal(this.status(p) ?? "accepted") && this.pending(p) === 0), 90_000);
    await this.quiet(4000, 60_000);
  }

  async holdings(): Promise<Holdings> {
    const abi = ["function balanceOf(address) view returns (uint256)"];
    const bal = async (node: DevNode, token: string, who: string) => ((await new Contract(token, abi, node.provider).getFunction("balanceOf")(who)) as bigint) / U;
    return {
      aliceAPR: await bal(this.w.A.node, this.tokens.APR, this.w.alice.address),
      aliceBAN: await bal(this.w.B.node, this.tokens.BAN, this.w.alice.address),
      bobAPR: await bal(this.w.A.node, this.tokens.APR, this.w.bob.address),
      bobBAN: await bal(this.w.B.node, this.tokens.BAN, this.w.bob.address),
    };
  }

  /** The checks every run ends with. */
  async judge(): Promise<string> {
    const h = await this.holdings();
    const rows = rowsOf(h);
    const endedOn = rowNames(rows);
    if (!rows.some((r) => this.sc.rows.includes(r))) {
      this.failures.push(
        `holdings ended on ${endedOn} (alice ${h.aliceAPR} APR ${h.aliceBAN} BAN, bob ${h.bobAPR} APR ${h.bobBAN} BAN); a conforming party is owed ${rowNames(this.sc.rows)}`,
      );
    }
    const senders = [this.w.alice.address, this.w.bob.address];
    const scans = { A: await scanChain("A", this.w.A.node, this.startBlocks.A, this.secret, senders), B: await scanChain("B", this.w.B.node, this.startBlocks.B, this.secret, senders) };
    const timeoutB = this.plan.legB.terms.timelocks.timeout;
    const legBRedeemed = scans.B.sightings.some((s) => s.status === 1 && s.timestamp <= timeoutB);
    if (!legBRedeemed) {
      const late = (s: SecretSighting) => s.timestamp > timeoutB;
      for (const s of [...scans.A.sightings, ...scans.B.sightings].filter(late)) {
        this.failures.push(`the secret is on chain ${s.chain} in block ${s.block} (t = T0+${s.timestamp - this.plan.offer.start}, leg B's timeout T0+${timeoutB - this.plan.offer.start}), tx ${s.hash.slice(0, 10)} from ${s.from === this.w.alice.address.toLowerCase() ? "alice" : s.from}, ${s.status === 1 ? "succeeded" : "reverted"}; leg B was never redeemed`);
      }
      for (const b of this.broadcasts.filter((x) => x.chainBTime > timeoutB && carriesSecret(Transaction.from(x.raw).data, this.secret))) {
        this.failures.push(`${b.party} broadcast a transaction carrying the secret to chain ${b.chain} at chain B's t = T0+${b.chainBTime - this.plan.offer.start}, after leg B's timeout (T0+${timeoutB - this.plan.offer.start}); leg B was never redeemed`);
      }
    }
    for (const chain of ["A", "B"] as ChainName[]) {
      for (const [who, addr] of [["alice", this.w.alice.address], ["bob", this.w.bob.address]] as const) {
        const g = scans[chain].gas.get(addr.toLowerCase());
        if (!g) continue;
        if (g.wei > SWAP_GAS_BUDGET) this.failures.push(`${who} paid ${g.wei} wei of gas on chain ${chain} (${g.txs} txs), above the swap's gas budget ${SWAP_GAS_BUDGET}`);
        if (g.maxPrice > FEE_CAP) this.failures.push(`${who} paid ${g.maxPrice} wei per gas on chain ${chain}, above the fee cap ${FEE_CAP}`);
      }
    }
    for (const p of ["alice", "bob"] as Party[]) {
      const failed = this.parties[p].startFailures;
      if (failed.length > 0) this.failures.push(`${p}'s coordinator failed to start ${failed.length} time(s) while a chain was faulted, first: ${failed[0]}`);
    }
    return endedOn;
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.reverse()) await c().catch((e: unknown) => this.notes.push(`cleanup: ${(e as Error).message}`));
    for (const p of ["alice", "bob"] as Party[]) await this.parties[p]?.stop().catch(() => undefined);
    for (const p of ["alice", "bob"] as Party[]) for (const c of ["A", "B"] as ChainName[]) await this.proxies[p]?.[c]?.close();
  }
}

/** Injects the scenario's fault at its step; returns once the fault window is over. */
async function inject(run: Run): Promise<void> {
  const { sc } = run;
  const k = sc.step;
  const P = STEP_PARTY[k];
  const X = STEP_CHAIN[k];
  const Y = other(X, "A", "B");
  const proxy = run.proxies[P][X];
  const deltaMs = Number(FAULT_DELTA) * 1000;

  if (sc.kind === "reorg-settle") {
    // The step's party walks away; the other party settles, and its first settle on chain X' is reorganised away.
    const Q = other(P, "alice", "bob");
    const chain: ChainName = k === 5 ? "B" : "A";
    if (!(await run.wait(`step ${k - 1} mined`, () => run.stepMined(k - 1), 60_000))) return;
    await run.quiet(4000);
    await run.parties[P].stop();
    run.walkedAway = P;
    let point: ReorgPoint | undefined;
    let hash: string | undefined;
    const sent = run.nextBroadcast(Q, chain, async () => (point = await reorgPoint(run.node(chain))), (h) => (hash = h));
    await clocksTo(run.nodes, run.deadline(6) + 3n + 10n);
    if ((await run.broadcastOf(sent, `${Q}'s first transaction on chain ${chain} after the deadlines (a settle)`)) === undefined) return;
    if (!(await run.wait("the settle answered by the node", () => hash !== undefined, 20_000))) return;
    await waitDepth(run.node(chain), hash!, 3, 30_000);
    await run.wait(`${Q}'s swap settled`, () => isFinal(run.status(Q) ?? "accepted"), 30_000);
    run.notes.push(`reorganisation removed ${await reorg(point!)} blocks of chain ${chain}`);
    await run.sawReorg(chain);
    await run.middle(Q);
    return;
  }

  if (!(await run.wait(`step ${k - 1} mined`, () => run.stepMined(k - 1), 60_000))) return;

  if (sc.kind === "clock-A-ahead" || sc.kind === "clock-B-ahead") {
    // One move per chain (a pre-jump first would mine a block that lets step k go before the jump).
    const ahead: ChainName = sc.kind === "clock-A-ahead" ? "A" : "B";
    const behind = other(ahead, "A", "B");
    await Promise.all([clocksTo([run.node(behind)], run.deadline(k - 1)), clocksTo([run.node(ahead)], run.deadline(k - 1) + (FAULT_DELTA * 23n) / 4n)]);
    await run.middle(P);
    await sleep(deltaMs / 2);
    return;
  }

  if (sc.kind === "down-restart") {
    await run.toWindowOf(k);
    if (!(await run.wait(`${P} sees step ${k - 1} final`, () => run.reached(P, STATUS_AFTER[k - 1]!), 30_000))) return;
    run.proxies[P][Y].setMode("timeout");
    run.cleanups.push(async () => run.proxies[P][Y].setMode("pass"));
    await run.parties[P].restart();
    if (sc.restart) {
      await sleep(deltaMs / 2);
      await run.parties[P].restart();
    }
    await run.wait(`chain ${X} past step ${k}'s deadline`, async () => (await run.node(X).latestTimestamp()) > run.deadline(k) + 1n, 60_000);
    run.proxies[P][Y].setMode("pass");
    return;
  }

  // Each fault is armed before the clocks move to step k's window: that move mines a block, which can
  // make step k-1 final for the party at once.
  const what = `${P}'s step ${k}`;
  switch (sc.kind) {
    case "outage-50":
    case "outage-90": {
      const sent = run.nextBroadcast(P, X, () => proxy.setMode(sc.kind === "outage-50" ? "timeout" : "error"));
      run.cleanups.push(async () => proxy.setMode("pass"));
      await run.toWindowOf(k);
      if ((await run.broadcastOf(sent, what)) === undefined) return;
      const windowMs = (deltaMs * (sc.kind === "outage-50" ? 50 : 90)) / 100;
      await sleep(windowMs / 2);
      await run.middle(P);
      await sleep(windowMs / 2);
      proxy.setMode("pass");
      return;
    }
    case "outage-past": {
      const sent = run.nextBroadcast(P, X, () => proxy.setMode("timeout"));
      run.cleanups.push(async () => proxy.setMode("pass"));
      await run.toWindowOf(k);
      if ((await run.broadcastOf(sent, what)) === undefined) return;
      await sleep(3000);
      await clocksTo(run.nodes, run.deadline(k) + 2n);
      await run.middle(P);
      await sleep(5000);
      proxy.setMode("pass");
      return;
    }
    case "dropped": {
      let dropped: boolean | undefined;
      const node = run.node(X);
      const sent = run.nextBroadcast(
        P,
        X,
        () => node.provider.send("evm_setIntervalMining", [0]),
        async (hash) => {
          dropped = await dropPending(node, hash);
          await node.provider.send("evm_setIntervalMining", [1000]);
        },
      );
      await run.toWindowOf(k);
      if ((await run.broadcastOf(sent, what)) === undefined) return;
      if (!(await run.wait("the drop", () => dropped !== undefined, 10_000))) return;
      if (!dropped) run.failures.push(`harness: ${what} was not pending when dropped`);
      await run.middle(P);
      return;
    }
    case "swallowed": {
      proxy.swallowNext("eth_sendRawTransaction");
      await run.toWindowOf(k);
      if (!(await run.wait(`${what} swallowed`, () => proxy.swallowed().length > 0, 40_000))) return;
      await run.middle(P);
      return;
    }
    case "spike-past":
    case "spike-poor": {
      const node = run.node(X);
      const wallet = P === "alice" ? run.w.alice : run.w.bob;
      if (sc.kind === "spike-poor") {
        const coin = await node.provider.getBalance(wallet.address);
        // Enough for a few transactions at normal fees (≤ 10 gwei × 500,000 gas each), not for one at the spike.
        await setGasCoin(node, wallet.address, 10n * 500_000n * 10n ** 10n);
        run.cleanups.push(() => setGasCoin(node, wallet.address, coin));
      }
      let held: HeldBaseFee | undefined;
      const sent = run.nextBroadcast(P, X, async () => (held = await holdBaseFee(node, SPIKE_BASE_FEE)));
      run.cleanups.push(async () => held?.release());
      await run.toWindowOf(k);
      if ((await run.broadcastOf(sent, what)) === undefined) return;
      if (sc.kind === "spike-poor") {
        await sleep(deltaMs / 4);
        await run.middle(P);
        await sleep(deltaMs / 4);
      } else {
        await sleep(6000);
        await run.middle(P);
        await clocksTo(run.nodes, run.deadline(k) + 2n);
        await sleep(4000);
      }
      const h = held!;
      held = undefined;
      await h.release();
      return;
    }
    case "reorg": {
      let point: ReorgPoint | undefined;
      let hash: string | undefined;
      const node = run.node(X);
      const sent = run.nextBroadcast(P, X, async () => (point = await reorgPoint(node)), (h) => (hash = h));
      await run.toWindowOf(k);
      if ((await run.broadcastOf(sent, what)) === undefined) return;
      if (!(await run.wait(`${what} answered by the node`, () => hash !== undefined, 20_000))) return;
      await waitDepth(node, hash!, 3, 30_000);
      if (!(await run.wait(`${P} takes step ${k} as final`, () => run.reached(P, STATUS_AFTER[k]!), 30_000))) return;
      run.notes.push(`reorganisation removed ${await reorg(point!)} blocks of chain ${X}`);
      await run.sawReorg(X);
      await run.middle(P);
      return;
    }
  }
}

/** Runs one scenario on `w` (whose chains it leaves running, clocks moved on); never throws: failures are in the result. */
export async function runScenario(w: World, sc: Scenario): Promise<ScenarioResult> {
  const started = Date.now();
  const logDir = mkdtempSync(join(tmpdir(), `hedgeswap-faults-${sc.id.replace(/[^a-z0-9]+/gi, "-")}-`));
  const run = new Run(w, sc, logDir);
  let endedOn = "not reached";
  try {
    await run.setup();
    await inject(run);
    for (const c of run.cleanups.splice(0).reverse()) await c();
    await Promise.all((["alice", "bob"] as Party[]).map((p) => run.parties[p].ready()));
    await run.finish();
    endedOn = await run.judge();
  } catch (e) {
    run.failures.push(`harness error: ${(e as Error).stack ?? String(e)}`);
  } finally {
    await run.close();
  }
  return { id: sc.id, failures: run.failures, endedOn, ms: Date.now() - started, logDir, notes: run.notes };
}
