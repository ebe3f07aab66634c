/**
 * The coordinator's HTTP API over Alice's and Bob's real coordinators on two `hardhat node` chains:
 * submit and follow a swap (detail, server-sent events), list filters, validation, refusals mapped to
 * statuses, bearer auth, the cooperative abort between two APIs, the OpenAPI document, and limits.
 */
import { expect } from "chai";

import { signCooperativeAbort, signedOfferToJson } from "../../src/sdk";
import { startApi, type ApiServer, type CoordinatorPort } from "../../src/coordinator/api";
import { errorSchema, swapDetailSchema, swapListSchema, swapRowSchema, abortResultSchema } from "../../src/coordinator/api/schemas";
import { apiSchema } from "../../src/coordinator/config";
import { HAPPY_PATH, isFinal, type SwapStatus } from "../../src/coordinator/domain/status";
import type { Coordinator } from "../../src/coordinator/engine/coordinator";
import { DELTA, coordinator, freshTokens, partyConfig, signedOffer, startWorld, until, type World } from "./world";

const TOKEN = "api-test-token-0123456789";
const NO_SUCH_SWAP = "0x" + "00".repeat(31) + "01";

/** POSTs `body` (JSON unless `raw`) with an `Authorization` header (none when null). */
function post(base: string, path: string, body: unknown, authorization: string | null = `Bearer ${TOKEN}`, raw?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(authorization === null ? {} : { authorization }) };
  return fetch(base + path, { method: "POST", headers, body: raw ?? JSON.stringify(body) });
}

/** A server-sent event stream read in the background: its frames (with an `event:` line), its comments, and `stop` (client close). */
type SseStream = { contentType: string | null; events: { id?: string; event?: string; data: string }[]; comments: string[]; stop(): Promise<unknown> };

/** Opens `url` with fetch and parses its frames (`field: value` lines, blank-line separated) as they come. */
async function openSse(url: string): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  expect(res.status).to.equal(200);
  const stream: SseStream = { contentType: res.headers.get("content-type"), events: [], comments: [], stop: () => (ac.abort(), pump) };
  const [reader, decoder] = [res.body!.getReader(), new TextDecoder()];
  let buffer = "";
  const pump = (async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; buffer = buffer.slice(cut + 2), cut = buffer.indexOf("\n\n")) {
        const frame: SseStream["events"][number] = { data: "" };
        for (const line of buffer.slice(0, cut).split("\n")) {
          const [field, value] = [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).replace(/^ /, "")];
          if (field === "") stream.comments.push(value.trim());
          else if (field === "id" || field === "event") frame[field] = value;
          else if (field === "data") frame.data += value;
        }
        if (frame.event !== undefined) stream.events.push(frame);
      }
    }
  })().catch(() => undefined); // the client's abort ends the read with an AbortError
  return stream;
}

/** Expects `res` to answer `status`; returns its JSON body. */
async function ok(res: Response, status = 200): Promise<unknown> {
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).to.equal(status);
  return body;
}

/** Expects `res` to be an error answer with `status` and `code`; returns the parsed body. */
async function expectError(res: Response, status: number, code: string) {
  const body = errorSchema.parse(await res.json());
  expect([res.status, body.error], body.message).to.deep.equal([status, code]);
  return body;
}

describe("coordinator: HTTP API", function () {
  this.timeout(120_000);
  let w: World, alice: Coordinator, bob: Coordinator, api: ApiServer;
  let subscribers = 0, completedId = "";
  const [apis, coordinators]: [ApiServer[], Coordinator[]] = [[], []];

  before(async function () {
    w = await startWorld();
    [alice, bob] = [coordinator(partyConfig(w, "alice")), coordinator(partyConfig(w, "bob"))];
    coordinators.push(alice, bob);
    await Promise.all([alice.init(), bob.init()]);
    for (const c of [alice, bob]) c.start();
    // Alice's real coordinator, with its subscriptions counted (to see streams unsubscribe).
    const counted: CoordinatorPort = {
      submit: (s) => alice.submit(s), listSwaps: (f) => alice.listSwaps(f), swapDetail: (id) => alice.swapDetail(id),
      requestAbort: (id, leg, sig) => alice.requestAbort(id, leg, sig),
      onEvent: (listener) => {
        const off = alice.onEvent(listener);
        subscribers++;
        return () => (subscribers--, off());
      },
    };
    api = await startApi(counted, { port: 0, token: TOKEN, heartbeatMs: 200 });
    apis.push(api);
  });

  after(async function () {
    for (const a of apis) await a.close();
    for (const c of coordinators) await c.stop();
    await w?.devnet.stop();
  });

  it("submits over POST (201), refuses the same offer again (409), streams its events in order and shows it completed", async function () {
    const { signed, plan } = await signedOffer(w, await freshTokens(w));
    const stream = await openSse(`${api.url}/events?swap=${plan.id}`);
    expect(stream.contentType).to.match(/^text\/event-stream/);
    expect(subscribers).to.equal(1);
    const row = swapRowSchema.parse(await ok(await post(api.url, "/swaps", signedOfferToJson(signed)), 201));
    expect([row.id, row.kind, row.status, row.roles]).to.deep.equal([plan.id, "hedged-swap", "accepted", { leader: true, follower: false }]);
    const dup = await expectError(await post(api.url, "/swaps", signedOfferToJson(signed)), 409, "DUPLICATE_SWAP");
    expect(dup.details).to.include({ swapId: plan.id });
    await bob.submit(signed);
    let detail = swapDetailSchema.parse(await ok(await fetch(`${api.url}/swaps/${plan.id}`)));
    await until("completed, as seen over HTTP", async () => {
      detail = swapDetailSchema.parse(await ok(await fetch(`${api.url}/swaps/0x${plan.id.slice(2).toUpperCase()}`))); // ids match in any case
      return detail.swap.status === "completed" && detail.legs.every((l) => l.outcome !== null);
    }, 60_000);
    completedId = plan.id;
    expect(detail.legs.map((l) => [l.name, l.legId, l.outcome])).to.deep.equal([["A", plan.legA.id, "redeemed"], ["B", plan.legB.id, "redeemed"]]);
    expect(detail.legs.map((l) => l.amount)).to.deep.equal([plan.legA.leg.amount.toString(), plan.legB.leg.amount.toString()]);
    expect(detail.steps.map((s) => [s.step, s.deadline])).to.deep.equal(plan.steps.map((s) => [s.step, s.deadline.toString()]));
    for (const s of detail.steps) expect(s.secondsLeft, `step ${s.step}`).to.be.a("number");
    // Same chain, same clock: the time left differs exactly by the deadlines' gap (steps 2, 3 on A; 4, 5 on B).
    const left = (k: number) => detail.steps[k - 1]!.secondsLeft!;
    expect([left(3) - left(2), left(5) - left(4)]).to.deep.equal([Number(DELTA), Number(DELTA)]);
    // Alice's coordinator sent steps 1, 3 and 5 (mined, with their blocks); Bob's steps are not its own.
    const mined = new Map(detail.transactions.filter((t) => t.status === "mined").map((t) => [t.hash, t]));
    const own = detail.steps.map((s) => s.tx && [s.step, s.tx.status, typeof s.tx.blockNumber, s.tx.blockNumber === mined.get(s.tx.hash)?.blockNumber]);
    expect(own).to.deep.equal([[1, "mined", "number", true], null, [3, "mined", "number", true], null, [5, "mined", "number", true], null]);
    await until("the stream shows completion", () => stream.events.some((e) => e.event === "swap.status" && JSON.parse(e.data).data.to === "completed"));
    const rows = stream.events.map((e) => ({ frame: e, row: JSON.parse(e.data) as { id: number; swapId: string; kind: string; data: { from?: SwapStatus; to?: SwapStatus } } }));
    expect(rows[0]!.row.kind).to.equal("swap.accepted");
    for (const { frame, row: r } of rows) expect([frame.id, frame.event, r.swapId]).to.deep.equal([String(r.id), r.kind, plan.id]);
    expect(rows.map((r) => r.row.id)).to.deep.equal([...rows.map((r) => r.row.id)].sort((a, b) => a - b));
    const moves = rows.filter((r) => r.row.kind === "swap.status").map((r) => r.row.data);
    expect(moves.map((m) => m.from), "each move starts where the previous one ended").to.deep.equal(["accepted", ...moves.slice(0, -1).map((m) => m.to)]);
    const order = moves.map((m) => HAPPY_PATH.indexOf(m.to!)); // forward along the happy path, ending completed
    expect([order.every((o, i) => o > (order[i - 1] ?? 0)), moves.at(-1)!.to]).to.deep.equal([true, "completed"]);
    expect(stream.comments).to.include("heartbeat");
    await stream.stop();
    await until("the closed stream unsubscribed", () => subscribers === 0, 5_000);
  });

  it("lists swaps with status, kind, active, limit and offset filters", async function () {
    const { signed, plan } = await signedOffer(w, await freshTokens(w), "option");
    await ok(await post(api.url, "/swaps", signedOfferToJson(signed)), 201); // Bob never hears of it: it stays active
    const list = async (q: string) => swapListSchema.parse(await ok(await fetch(`${api.url}/swaps${q}`))).swaps;
    const all = await list("");
    expect(all.map((s) => s.id)).to.include.members([completedId, plan.id]);
    const options = await list("?kind=option");
    expect(options.map((s) => s.id)).to.include(plan.id).and.not.include(completedId);
    expect(options.every((s) => s.kind === "option")).to.equal(true);
    const completed = await list("?status=completed");
    expect(completed.map((s) => s.id)).to.include(completedId).and.not.include(plan.id);
    const active = await list("?active=true");
    expect(active.map((s) => s.id)).to.include(plan.id).and.not.include(completedId);
    expect(active.every((s) => !isFinal(s.status))).to.equal(true);
    const finished = await list("?active=false");
    expect(finished.map((s) => s.id)).to.include(completedId).and.not.include(plan.id);
    expect(finished.every((s) => isFinal(s.status))).to.equal(true);
    expect(await list("?limit=1")).to.deep.equal(all.slice(0, 1));
    expect(await list("?limit=1&offset=1")).to.deep.equal(all.slice(1, 2));
    expect(await list(`?offset=${all.length}`)).to.deep.equal([]);
    const status = all.find((s) => s.id === plan.id)!.status;
    expect((await list(`?kind=option&active=true&status=${status}`)).map((s) => s.id)).to.include(plan.id);
    for (const [q, path] of [["?limit=0", "query.limit"], ["?limit=501", "query.limit"], ["?limit=ten", "query.limit"], ["?offset=-1", "query.offset"], ["?status=done", "query.status"], ["?kind=swap", "query.kind"], ["?active=yes", "query.active"], ["?page=2", "query"]] as const) {
      const body = await expectError(await fetch(`${api.url}/swaps${q}`), 400, "INVALID_REQUEST");
      expect(body.issues!.map((i) => i.path), q).to.include(path);
    }
  });

  it("answers 404 for unknown ids and routes; refuses malformed ids and JSON, schema violations, bad checksums, oversized bodies (4xx)", async function () {
    const body = await expectError(await fetch(`${api.url}/swaps/${NO_SUCH_SWAP}`), 404, "UNKNOWN_SWAP");
    expect(body.details).to.deep.equal({ swapId: NO_SUCH_SWAP });
    const bad = await expectError(await fetch(`${api.url}/swaps/0x1234`), 400, "INVALID_REQUEST");
    expect(bad.issues!.map((i) => i.path)).to.deep.equal(["params.id"]);
    await expectError(await fetch(`${api.url}/events?swap=nope`), 400, "INVALID_REQUEST");
    await expectError(await fetch(`${api.url}/nowhere`), 404, "NOT_FOUND");
    const { signed } = await signedOffer(w, await freshTokens(w));
    const good = signedOfferToJson(signed) as { offer: Record<string, unknown> & { legA: Record<string, unknown> }; signatures: Record<string, unknown> };
    const json = await expectError(await post(api.url, "/swaps", null, undefined, '{"offer": {'), 400, "INVALID_JSON");
    expect(json.message).to.match(/not valid JSON/);
    const cases: [string, unknown, string][] = [
      ["bad hashlock", { ...good, offer: { ...good.offer, hashlock: "0x1234" } }, "body.offer.hashlock"],
      ["missing field", { ...good, signatures: { leader: good.signatures.leader } }, "body.signatures.follower"],
      ["negative amount", { ...good, offer: { ...good.offer, legA: { ...good.offer.legA, amount: "-5" } } }, "body.offer.legA.amount"],
      ["amount over uint256", { ...good, offer: { ...good.offer, legA: { ...good.offer.legA, amount: (1n << 256n).toString() } } }, "body.offer.legA.amount"],
      ["unknown field", { ...good, extra: 1 }, "body"],
      ["no object", [1, 2], "body"],
    ];
    for (const [what, body, path] of cases) {
      const err = await expectError(await post(api.url, "/swaps", body), 400, "INVALID_REQUEST");
      expect(err.issues!.map((i) => i.path), what).to.include(path);
      expect(err.message, what).to.include(path);
    }
    const leader = good.offer.leader as string; // every letter's case flipped: the same address with a wrong EIP-55 checksum
    const badChecksum = "0x" + [...leader.slice(2)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
    expect(badChecksum).to.not.equal(leader);
    const checksum = await expectError(await post(api.url, "/swaps", { ...good, offer: { ...good.offer, leader: badChecksum } }), 400, "INVALID_ADDRESS");
    expect(checksum.details).to.include({ field: "offer.leader" });
    const big = await expectError(await post(api.url, "/swaps", { ...good, pad: "x".repeat(70 * 1024) }), 413, "PAYLOAD_TOO_LARGE");
    expect(big.message).to.include("65536");
  });

  it("maps refusals: a tampered offer (400 INVALID_OFFER_SIGNATURE), missing allowance (422, bigints as strings)", async function () {
    const { signed } = await signedOffer(w, await freshTokens(w));
    const json = signedOfferToJson(signed) as { offer: { legA: { amount: string } } };
    json.offer.legA.amount = (BigInt(json.offer.legA.amount) - 1n).toString();
    const tampered = await expectError(await post(api.url, "/swaps", json), 400, "INVALID_OFFER_SIGNATURE");
    expect(tampered.details).to.include({ party: "leader", expected: w.alice.address });
    const { signed: unapproved, plan } = await signedOffer(w, await freshTokens(w, false));
    const poor = await expectError(await post(api.url, "/swaps", signedOfferToJson(unapproved)), 422, "INSUFFICIENT_FUNDS");
    expect(poor.details).to.include({ what: "allowance", account: w.alice.address });
    expect(poor.details!.needed).to.be.a("string").and.match(/^[0-9]+$/);
    await expectError(await fetch(`${api.url}/swaps/${plan.id}`), 404, "UNKNOWN_SWAP"); // nothing recorded
  });

  it("needs the bearer token on mutating routes: none 401, wrong 403; reads are open", async function () {
    const abortPath = `/swaps/${completedId}/abort`;
    for (const path of ["/swaps", abortPath]) {
      const none = await post(api.url, path, { leg: "A" }, null);
      expect(none.headers.get("www-authenticate")).to.match(/^Bearer/);
      await expectError(none, 401, "UNAUTHORIZED");
      await expectError(await post(api.url, path, { leg: "A" }, `Bearer ${TOKEN}x`), 403, "FORBIDDEN");
      for (const header of ["", "Bearer", `Basic ${TOKEN}`]) await expectError(await post(api.url, path, { leg: "A" }, header), 401, "UNAUTHORIZED");
    }
    expect((await fetch(`${api.url}/swaps`)).status).to.equal(200);
    await expectError(await post(api.url, abortPath, { leg: "A" }), 409, "SWAP_FINAL"); // the right token gets through
  });

  it("without a configured token answers 503 on mutating routes; binds 127.0.0.1 by default; serves metrics when given", async function () {
    expect(apiSchema.parse({}).host).to.equal("127.0.0.1");
    const open = await startApi(alice, { port: 0, metrics: { contentType: "text/plain; version=0.0.4; charset=utf-8", text: async () => "hedgeswap_up 1\n" } });
    apis.push(open);
    expect(open.url).to.match(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    for (const path of ["/swaps", `/swaps/${completedId}/abort`]) {
      const res = await expectError(await post(open.url, path, { leg: "A" }), 503, "API_TOKEN_NOT_CONFIGURED");
      expect(res.message).to.equal("API token not configured");
    }
    // Liveness with each chain's state (degraded mode: README "Degraded mode"); readiness 200 while every chain is up.
    const health = (await ok(await fetch(`${open.url}/health`))) as { ok: boolean; status: string; chains: { name: string; connected: boolean; reachable: boolean }[] };
    expect([health.ok, health.status, health.chains.map((c) => [c.name, c.connected, c.reachable])]).to.deep.equal([true, "ok", [["A", true, true], ["B", true, true]]]);
    expect((await fetch(`${open.url}/ready`)).status).to.equal(200);
    const metrics = await fetch(`${open.url}/metrics`);
    expect([metrics.status, metrics.headers.get("content-type"), await metrics.text()]).to.deep.equal([200, "text/plain; version=0.0.4; charset=utf-8", "hedgeswap_up 1\n"]);
    await expectError(await fetch(`${api.url}/metrics`), 404, "NOT_FOUND");
  });

  it("answers 500 without internals when the coordinator fails unexpectedly", async function () {
    const dead = coordinator(partyConfig(w, "alice"));
    await dead.stop(); // its store is closed: every read throws a non-HedgeSwap error
    const broken = await startApi(dead, { port: 0, token: TOKEN });
    apis.push(broken);
    for (const path of ["/swaps", `/swaps/${NO_SUCH_SWAP}`]) {
      const res = await fetch(broken.url + path);
      const text = await res.text();
      expect([res.status, JSON.parse(text)]).to.deep.equal([500, { error: "INTERNAL", message: "internal error" }]);
      expect(text).to.not.match(/database|sqlite|stack/i);
    }
  });

  it("aborts cooperatively in the safe order over two APIs: Bob refuses leg A while leg B is escrowed (409); Alice consents to B, Bob aborts B, then Bob consents to A, Alice aborts A", async function () {
    const { signed, plan } = await signedOffer(w, await freshTokens(w));
    const halted = coordinator(partyConfig(w, "alice", { faults: { haltAfterStep: 3 } })); // Alice escrows leg A, then never reveals
    coordinators.push(halted);
    await halted.init().then(() => halted.start());
    const [apiA, apiB] = await Promise.all([startApi(halted, { port: 0, token: TOKEN }), startApi(bob, { port: 0, token: TOKEN })]);
    apis.push(apiA, apiB);
    for (const a of [apiA, apiB]) await ok(await post(a.url, "/swaps", signedOfferToJson(signed)), 201);
    const detail = async (base: string) => swapDetailSchema.parse(await ok(await fetch(`${base}/swaps/${plan.id}`)));
    await until("step 4 final for Alice", async () => (await detail(apiA.url)).swap.status === "escrowedB", 60_000);
    const abort = (base: string, body: unknown, id = plan.id) => post(base, `/swaps/${id}/abort`, body);
    await expectError(await abort(apiA.url, { leg: "A" }, NO_SUCH_SWAP), 404, "UNKNOWN_SWAP");
    expect((await expectError(await abort(apiA.url, { leg: "C" }), 400, "INVALID_REQUEST")).issues!.map((i) => i.path)).to.deep.equal(["body.leg"]);
    await expectError(await abort(apiA.url, { leg: "A", signature: "0x123" }), 400, "INVALID_REQUEST");
    await expectError(await abort(apiA.url, { leg: "A" }), 400, "ABORT_NOT_POSSIBLE"); // the escrower needs the consent
    // The follower consents to abort leg A only once its leg B is no longer escrowed.
    const early = await expectError(await abort(apiB.url, { leg: "A" }), 409, "COUNTER_LEG_ESCROWED");
    expect(early.details).to.include({ leg: "A", legA: "Escrowed", legB: "Escrowed" });
    // The leader first: its consent to abort leg B (it vows never to reveal the secret).
    const { signature: consentB, txHash: none } = abortResultSchema.parse(await ok(await abort(apiA.url, { leg: "B" })));
    expect([typeof consentB, none]).to.deep.equal(["string", undefined]);
    const vowed = await detail(apiA.url);
    expect(vowed.swap.neverReveal).to.equal(true);
    expect(vowed.events.map((e) => e.kind)).to.include.members(["reveal.forsworn", "abort.consented"]);
    const forgedB = await signCooperativeAbort(w.carol, plan.legB);
    const invalid = await expectError(await abort(apiB.url, { leg: "B", signature: forgedB }), 400, "INVALID_ABORT_SIGNATURE");
    expect(invalid.details).to.include({ expected: w.alice.address, recovered: w.carol.address, scheme: "ecdsa" });
    // The consent under the deprecated name too, but not two different ones.
    const both = await expectError(await abort(apiB.url, { leg: "B", signature: consentB, redeemerSignature: forgedB }), 400, "INVALID_REQUEST");
    expect(both.issues!.map((i) => i.path)).to.deep.equal(["body.redeemerSignature"]);
    // The answer's field name is the request's: `signature` goes back as it came.
    const { txHash: abortB } = abortResultSchema.parse(await ok(await abort(apiB.url, { leg: "B", signature: consentB })));
    expect(abortB).to.match(/^0x[0-9a-f]{64}$/);
    await until("leg B aborted", async () => (await detail(apiB.url)).legs[1]!.outcome === "aborted", 30_000);
    // Now the follower's consent to abort leg A, and the leader's abort.
    const { signature: consentA } = abortResultSchema.parse(await ok(await abort(apiB.url, { leg: "A" })));
    const forged = await signCooperativeAbort(w.carol, plan.legA);
    const wrong = await expectError(await abort(apiA.url, { leg: "A", redeemerSignature: forged }), 400, "INVALID_ABORT_SIGNATURE");
    expect(wrong.details).to.include({ expected: w.bob.address, recovered: w.carol.address });
    const { txHash } = abortResultSchema.parse(await ok(await abort(apiA.url, { leg: "A", redeemerSignature: consentA }))); // the deprecated name still works
    expect(txHash).to.match(/^0x[0-9a-f]{64}$/);
    await until("leg A aborted", async () => (await detail(apiA.url)).legs[0]!.outcome === "aborted", 30_000);
    const after = await detail(apiA.url);
    expect(after.transactions.filter((t) => t.action === "abort").map((t) => [t.leg, t.hash])).to.deep.equal([["A", txHash]]);
    expect(after.events.map((e) => e.kind)).to.include.members(["abort.sent", "leg.aborted"]);
    await until("final for Alice", async () => isFinal((await detail(apiA.url)).swap.status), 30_000);
    expect((await detail(apiA.url)).swap).to.include({ status: "settled", outcome: "aborted" }); // the swap says so, not only its legs
    await expectError(await abort(apiA.url, { leg: "A", signature: consentA, redeemerSignature: consentA }), 409, "SWAP_FINAL"); // both, equal: accepted
  });

  it("serves an OpenAPI 3.1 document of every route, with request schemas and bearer security", async function () {
    const res = await fetch(`${api.url}/openapi.json`);
    expect(res.headers.get("content-type")).to.match(/^application\/json/);
    type Operation = { security?: unknown; parameters: { name: string }[]; requestBody?: { content: Record<string, { schema: { required?: string[] } }> } };
    const doc = JSON.parse(await res.text()) as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.openapi).to.equal("3.1.0");
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(routes).to.have.members(["GET /swaps", "POST /swaps", "POST /cycles", "GET /swaps/{id}", "POST /swaps/{id}/abort", "GET /events", "GET /openapi.json", "GET /metrics", "GET /health", "GET /ready"]);
    expect(doc.components.securitySchemes.bearerAuth).to.deep.include({ type: "http", scheme: "bearer" });
    expect(doc.paths["/swaps"]!.post!.security).to.deep.equal([{ bearerAuth: [] }]);
    expect(doc.paths["/cycles"]!.post!.security).to.deep.equal([{ bearerAuth: [] }]);
    expect(doc.paths["/swaps/{id}/abort"]!.post!.security).to.deep.equal([{ bearerAuth: [] }]);
    // The consent order is written where API users read it.
    expect((doc.paths["/swaps/{id}/abort"]!.post as { description?: string }).description).to.match(/leader first/i).and.match(/COUNTER_LEG_ESCROWED/);
    // The consent goes back under the name the answer uses; the old name is marked deprecated.
    const abortBody = doc.paths["/swaps/{id}/abort"]!.post!.requestBody!.content["application/json"]!.schema as { properties: Record<string, { deprecated?: boolean }> };
    expect(Object.keys(abortBody.properties)).to.deep.equal(["leg", "signature", "redeemerSignature"]);
    expect([abortBody.properties.signature!.deprecated, abortBody.properties.redeemerSignature!.deprecated]).to.deep.equal([undefined, true]);
    expect(doc.paths["/swaps"]!.get!.security).to.equal(undefined);
    expect(doc.paths["/swaps"]!.post!.requestBody!.content["application/json"]!.schema.required).to.have.members(["offer", "signatures"]);
    expect(doc.paths["/swaps"]!.get!.parameters.map((p) => p.name)).to.deep.equal(["status", "kind", "active", "limit", "offset"]);
    expect(doc.paths["/swaps/{id}"]!.get!.parameters).to.deep.include.members([{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } }]);
  });
});
