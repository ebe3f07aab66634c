/**
 * Degraded mode (issue 16, defect 4): a coordinator whose chain cannot be reached at start (its RPC
 * hangs behind the devnet proxy in `timeout` mode) starts anyway, says so on `/health`, `/ready` and in
 * the metrics, refuses offers on that chain before anything is sent (503 CHAIN_UNAVAILABLE), drives
 * what the other chain allows (the follower's step 6, settlements) without moving statuses on the
 * stale view, and connects the chain once it answers. A chain that answers with the wrong chain id or
 * without the escrow still fails the start (exit 2 from the CLI). Real hardhat nodes, real SQLite, a
 * real coordinator process for the command line.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import pino from "pino";

import { LegState, getLegState, signedOfferToJson, type CycleIntent } from "../../src/sdk";
import { parseConfig, type CoordinatorConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import { DEFAULT_BACKOFF, backoffMs, degradedIntents } from "../../src/coordinator/engine/reachability";
import { ChainUnavailableError } from "../../src/coordinator/errors";
import { startApi, type ApiServer, type HealthReport } from "../../src/coordinator/api";
import { freePort, startRpcProxy, type RpcProxy } from "../../src/devnet";
import { startCoordinatorProcess, stopCoordinatorProcess } from "../../src/devnet/coordinatorProcess";
import { coordinator, expectHoldings, finished, freshTokens, partyConfig, partyConfigJson, signedOffer, startWorld, until, type World } from "./world";

const S6 = { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n };
const TOKEN = "degraded-test-token";

/** A coordinator whose log lines (JSON) are collected in `lines`. */
function recorded(config: CoordinatorConfig): { c: Coordinator; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { c: new Coordinator(config, { logger, defaultMetrics: false }), lines };
}

describe("coordinator: degraded mode (a chain down at start or later)", function () {
  this.timeout(180_000);
  let w: World;
  const proxies: RpcProxy[] = [];
  const apis: ApiServer[] = [];
  const running: Coordinator[] = [];

  before(async function () {
    w = await startWorld();
  });
  afterEach(async function () {
    for (const a of apis.splice(0)) await a.close();
    for (const c of running.splice(0)) await c.stop();
    for (const p of proxies.splice(0)) await p.close();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  /** A party's configuration JSON with per-chain overrides (e.g. `{ A: { rpcUrl } }`). */
  function configJson(party: "alice" | "bob", chains: Partial<Record<"A" | "B", Record<string, unknown>>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const json = partyConfigJson(w, party, extra);
    return { ...json, chains: (json.chains as Record<string, unknown>[]).map((c) => ({ ...c, ...(chains[c.name as "A" | "B"] ?? {}) })) };
  }
  const config = (party: "alice" | "bob", chains: Partial<Record<"A" | "B", Record<string, unknown>>>, extra: Record<string, unknown> = {}) => parseConfig(configJson(party, chains, extra));
  async function hangingProxy(target: string): Promise<RpcProxy> {
    const proxy = await startRpcProxy(target);
    proxies.push(proxy);
    proxy.setMode("timeout");
    return proxy;
  }
  const chainHealth = (h: HealthReport, name: string) => h.chains.find((c) => c.name === name)!;
  const chainEvents = (c: Coordinator, chainId: bigint) => c.store.events().filter((e) => e.chainId === chainId.toString() && /^chain\.(unreachable|connected)$/.test(e.kind));

  it("backs off 1 s doubling to 30 s; while a chain is down only step 6 and settlements on a fresh chain are taken", function () {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffMs(n))).to.deep.equal([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(DEFAULT_BACKOFF).to.include({ initialMs: 1000, maxMs: 30_000, logEveryMs: 30_000 });
    // A two-party swap is the 2-cycle of legs A (arc 0) and B (arc 1); leader party 0, follower party 1.
    const all: CycleIntent[] = [
      { step: 1, arc: 1, action: "depositPremium", party: 0 },
      { step: 2, arc: 0, action: "depositPremium", party: 1 },
      { step: 3, arc: 0, action: "escrow", party: 0 },
      { step: 4, arc: 1, action: "escrow", party: 1 },
      { step: 5, arc: 1, action: "redeem", party: 0, commit: true, secret: "0x01" },
      { step: 6, arc: 0, action: "redeem", party: 1, secret: "0x01" },
      { step: "settle", arc: 0, action: "settle", party: 0 },
      { step: "settle", arc: 1, action: "settle", party: 1 },
    ];
    const steps = (fresh: boolean[]) => degradedIntents(all, fresh).map((i) => `${i.step}${"AB"[i.arc]}`);
    expect(steps([true, false])).to.deep.equal(["6A", "settleA"]);
    expect(steps([false, true])).to.deep.equal(["settleB"]);
    expect(steps([false, false])).to.deep.equal([]);
    // A 3-cycle with chain 1 down: the redeems after the reveal (steps 8, 9) and settlements on chains 0 and 2 only.
    const three: CycleIntent[] = [
      { step: 7, arc: 2, action: "redeem", party: 0, commit: true, secret: "0x01" },
      { step: 8, arc: 1, action: "redeem", party: 2, secret: "0x01" },
      { step: 9, arc: 0, action: "redeem", party: 1, secret: "0x01" },
      { step: 6, arc: 2, action: "escrow", party: 2 },
      { step: "settle", arc: 2, action: "settle", party: 2 },
    ];
    expect(degradedIntents(three, [true, false, true]).map((i) => `${i.step}:${i.arc}`)).to.deep.equal(["9:0", "settle:2"]);
  });

  it("starts while chain A's RPC hangs: degraded on /health, /ready and in the metrics, offers on A refused (503, nothing sent); once A answers it connects and completes a swap", async function () {
    const tokens = await freshTokens(w);
    const proxy = await hangingProxy(w.A.node.url);
    const { c: alice, lines } = recorded(config("alice", { A: { rpcUrl: proxy.url } }));
    const bob = coordinator(partyConfig(w, "bob"));
    running.push(alice, bob);
    await alice.init(); // before the change: rejected (the hanging chain's connect timed out)
    await bob.init();
    alice.start();
    bob.start();
    const api = await startApi(alice, { port: 0, token: TOKEN, metrics: { contentType: alice.metrics.contentType, text: () => alice.metrics.text() } });
    apis.push(api);

    const health = (await (await fetch(`${api.url}/health`)).json()) as HealthReport;
    expect(health.ok).to.equal(true);
    expect(health.status).to.equal("degraded");
    expect(chainHealth(health, "A")).to.include({ chainId: w.A.node.chainId.toString(), connected: false, reachable: false });
    expect(chainHealth(health, "A").lastError).to.match(/timeout/i);
    expect(chainHealth(health, "A").since).to.be.a("string");
    expect(chainHealth(health, "A").nextRetryInMs).to.be.a("number");
    expect(chainHealth(health, "B")).to.include({ connected: true, reachable: true, lastError: null, nextRetryInMs: null });
    const ready = await fetch(`${api.url}/ready`);
    expect(ready.status).to.equal(503);
    expect(((await ready.json()) as HealthReport).status).to.equal("degraded");
    await until("chain B polled, A down, in the metrics", async () => {
      const text = await alice.metrics.text();
      return text.includes('hedgeswap_chain_up{chain="A"} 0') && text.includes('hedgeswap_chain_up{chain="B"} 1');
    });

    // An offer on chain A: refused before anything, in process and over HTTP.
    const { signed: early, plan: earlyPlan } = await signedOffer(w, tokens);
    const refusal = await alice.submit(early).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).to.be.instanceOf(ChainUnavailableError);
    expect((refusal as ChainUnavailableError).details).to.include({ chain: "A", chainId: w.A.node.chainId.toString() });
    expect((refusal as ChainUnavailableError).details.since).to.be.a("string");
    const posted = await fetch(`${api.url}/swaps`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(signedOfferToJson(early)) });
    expect(posted.status).to.equal(503);
    expect(((await posted.json()) as { error: string }).error).to.equal("CHAIN_UNAVAILABLE");
    expect(alice.store.getSwap(earlyPlan.id)).to.equal(undefined);
    expect(alice.store.txsOfSwap(earlyPlan.id)).to.deep.equal([]);

    proxy.setMode("pass");
    await until("chain A connected", () => alice.health().status === "ok", 60_000);
    expect(((await (await fetch(`${api.url}/health`)).json()) as HealthReport).chains.map((c) => [c.name, c.connected, c.reachable, c.lastError])).to.deep.equal([
      ["A", true, true, null],
      ["B", true, true, null],
    ]);
    expect((await fetch(`${api.url}/ready`)).status).to.equal(200);
    await until("chain A up in the metrics", async () => (await alice.metrics.text()).includes('hedgeswap_chain_up{chain="A"} 1'));
    // One chain.unreachable per transition (a second one only for a new kind of failure: the proxy
    // drops the hanging request when it passes again), not one per round; then one chain.connected.
    const events = chainEvents(alice, w.A.node.chainId);
    const down = events.filter((e) => e.kind === "chain.unreachable");
    expect(down.length).to.be.within(1, 2);
    expect(events.map((e) => e.kind).slice(-1)).to.deep.equal(["chain.connected"]);
    expect(events.filter((e) => e.kind === "chain.connected")).to.have.length(1);
    const warned = lines.filter((l) => l.chain === "A" && l.level === 40);
    expect(warned.map((l) => l.msg)).to.include("chain unreachable: running degraded, retrying in the background");
    expect(warned.filter((l) => l.msg === "chain still unreachable"), "repeated warnings inside 30 s").to.deep.equal([]);

    // Connected: a swap on chain A goes through.
    const { signed, plan } = await signedOffer(w, tokens);
    await alice.submit(signed);
    await bob.submit(signed);
    expect(await finished(alice, plan.id, 60_000)).to.equal("completed");
    expect(await finished(bob, plan.id, 60_000)).to.equal("completed");
    await expectHoldings(w, tokens, S6);
  });

  it("the follower's step 6 while chain B is down: Bob's coordinator starts with B hanging after Alice's reveal and redeems leg A", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan, secret } = await signedOffer(w, tokens);
    const alice = coordinator(partyConfig(w, "alice"));
    const bobJson = configJson("bob", {}, { faults: { haltAfterStep: 4 } }); // Bob takes steps 2 and 4, not 6
    const bob = coordinator(parseConfig(bobJson));
    running.push(alice);
    await alice.init();
    await bob.init();
    await alice.submit(signed);
    await bob.submit(signed);
    alice.start();
    bob.start();
    await until("Bob saw the secret on chain B (Alice's step 5)", () => bob.store.getSwap(plan.id)!.revealedSecret === secret, 60_000);
    await bob.stop();
    expect(await getLegState(w.A.node.provider, plan.legA)).to.equal(LegState.Escrowed);

    // Bob again, on the same database, with chain B hanging and no halt.
    const proxy = await hangingProxy(w.B.node.url);
    const bob2 = coordinator(parseConfig({ ...configJson("bob", { B: { rpcUrl: proxy.url } }), dataDir: bobJson.dataDir }));
    running.push(bob2);
    await bob2.init(); // before the change: rejected
    expect(bob2.health().status).to.equal("degraded");
    const statusBefore = bob2.store.getSwap(plan.id)!.status;
    const onB = () => bob2.store.txsOfSwap(plan.id).filter((t) => t.leg === "B").length;
    const onBBefore = onB();
    bob2.start();
    await until("Bob's redeem of leg A (step 6) mined with chain B down", () => bob2.store.txsOfSwap(plan.id).some((t) => t.leg === "A" && t.action === "redeem" && t.status === "mined"), 60_000);
    expect(await getLegState(w.A.node.provider, plan.legA)).to.equal(LegState.None);
    expect(onB(), "Bob sent on chain B while it was down").to.equal(onBBefore);
    expect(bob2.health().status, "chain B is still down").to.equal("degraded");
    expect(bob2.store.getSwap(plan.id)!.status, "a status moved on chain B's stale view").to.equal(statusBefore);

    proxy.setMode("pass");
    expect(await finished(bob2, plan.id, 60_000)).to.equal("completed");
    expect(await finished(alice, plan.id, 60_000)).to.equal("completed");
    await expectHoldings(w, tokens, S6);
  });

  it("settlement on the reachable chain while the other is down: chain B lost mid-swap, Alice refunds leg A after its timeout on chain A's clock", async function () {
    const tokens = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, tokens);
    const proxy = await startRpcProxy(w.B.node.url);
    proxies.push(proxy);
    const alice = coordinator(config("alice", { B: { rpcUrl: proxy.url } }));
    const bob = coordinator(partyConfig(w, "bob", { faults: { haltAfterStep: 2 } })); // Bob never escrows leg B
    running.push(alice, bob);
    await alice.init();
    await bob.init();
    await alice.submit(signed);
    await bob.submit(signed);
    alice.start();
    bob.start();
    await until("Alice escrowed leg A (step 3)", () => alice.store.getSwap(plan.id)!.status === "escrowedA", 60_000);
    await bob.stop();
    running.splice(running.indexOf(bob), 1);

    proxy.setMode("timeout");
    await until("Alice sees chain B down", () => alice.health().status === "degraded", 30_000);
    const statusBefore = alice.store.getSwap(plan.id)!.status;
    // Chain A's clock past leg A's timeout; chain B's is left alone (its escrow deadline not yet reached there).
    const timeoutA = plan.legA.terms.timelocks.timeout;
    await w.A.node.setNextTimestamp(timeoutA + 5n);
    await w.A.node.mine();
    await until("Alice's settlement of leg A mined", () => alice.store.txsOfSwap(plan.id).some((t) => t.leg === "A" && t.action === "settle" && t.status === "mined"), 60_000);
    expect(await getLegState(w.A.node.provider, plan.legA)).to.equal(LegState.None);
    const settles = alice.store.txsOfSwap(plan.id).filter((t) => t.action === "settle");
    expect(settles.map((t) => [t.leg, t.status])).to.deep.equal([["A", "mined"]]);
    expect(alice.store.getSwap(plan.id)!.status, "a status moved on chain B's stale view").to.equal(statusBefore);
    const downEvents = chainEvents(alice, w.B.node.chainId).filter((e) => e.kind === "chain.unreachable");
    expect(downEvents.length, "chain.unreachable recorded every round").to.be.within(1, 2);

    // Chain B back, past its escrow deadline too: Alice takes her premium back and the swap settles (S3).
    proxy.setMode("pass");
    await w.B.node.setNextTimestamp(plan.legB.terms.timelocks.escrowDeadline + 5n);
    await w.B.node.mine();
    expect(await finished(alice, plan.id, 60_000)).to.equal("S3");
  });

  it("a wrong chain id or no escrow at the address still fails the start (typed errors)", async function () {
    const wrongId = coordinator(config("alice", { A: { chainId: "31399" } }));
    const noEscrow = coordinator(config("alice", { B: { escrow: w.alice.address } }));
    for (const [c, code] of [[wrongId, "WRONG_CHAIN"], [noEscrow, "UNKNOWN_DEPLOYMENT"]] as const) {
      const error = await c.init().then(
        () => undefined,
        (e: unknown) => e,
      );
      await c.stop();
      expect(error).to.have.property("code", code);
    }
  });

  it("the CLI: `run` with chain A hanging keeps running and reports degraded on /health; a wrong chain id exits 2 at once", async function () {
    const proxy = await hangingProxy(w.A.node.url);
    const port = await freePort();
    const json = configJson("alice", { A: { rpcUrl: proxy.url } }, { logLevel: "info", api: { enabled: true, port } });
    const proc = startCoordinatorProcess(json, "degraded");
    try {
      let health: HealthReport | undefined;
      await until(
        "the process answers /health",
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`the coordinator exited (${proc.child.exitCode}): ${readFileSync(proc.logPath, "utf8").slice(-2000)}`);
          health = await fetch(`http://127.0.0.1:${port}/health`).then(
            async (r) => (await r.json()) as HealthReport,
            () => undefined,
          );
          return health !== undefined;
        },
        60_000,
      );
      expect(health!.status).to.equal("degraded");
      expect(chainHealth(health!, "A")).to.include({ connected: false, reachable: false });
      expect(readFileSync(proc.logPath, "utf8")).to.include("starting degraded");
      proxy.setMode("pass");
      await until("chain A connected", async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as HealthReport).status === "ok", 60_000);
      expect(proc.child.exitCode).to.equal(null);
    } finally {
      await stopCoordinatorProcess(proc);
    }
    expect((await proc.ended).code).to.equal(0);

    const wrong = startCoordinatorProcess(configJson("alice", { A: { chainId: "31399" } }), "wrong-chain");
    const ended = await wrong.ended;
    expect(ended.code).to.equal(2);
    expect(readFileSync(wrong.logPath, "utf8")).to.match(/hedgeswap-coordinator: the runner is connected to a different chain \(WRONG_CHAIN; expected="?31399"?; actual="?31351"?\)/);
  });
});
