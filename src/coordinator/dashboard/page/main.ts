/**
 * The coordinator's dashboard: a static page served by the coordinator's API at `/`, reading
 * `GET /swaps`, `GET /swaps/:id` and `GET /metrics`, and updated live from `GET /events` (server-sent
 * events, EventSource): an event of a swap refetches that swap; the metrics are read again every few
 * seconds for the chains' clocks and tips. Read-only unless the user enters the API token (kept in
 * sessionStorage, sent as a bearer token) to request a cooperative abort.
 *
 * Routes (the URL's hash): `#/` the overview and the swap list, `#/swaps/<id>` one swap.
 */
import { byId, fill, h } from "./dom";
import {
  ChainClocks,
  SWAP_ID,
  attention,
  formatLeft,
  isFinalStatus,
  legDeadlines,
  needsAttention,
  overviewFromMetrics,
  parsePrometheus,
  shortHex,
  timelineEntries,
  timelineSteps,
  type EventRow,
  type Overview,
  type StepState,
  type SwapDetail,
  type SwapRow,
} from "./model";
import { STATUS_ORDER, attentionList, eventTable, legsTable, overview, swapAttention, swapHead, swapTable, timeline, txTable, type Clock, type ListItem } from "./view";

const TOKEN_KEY = "hedgeswap.apiToken";
const PAGE_SIZE = 50;
const METRICS_EVERY_MS = 5_000;
/** A chain reported unreachable by an event counts as down this long unless the metrics say it is up again. */
const DOWN_FOR_MS = 15_000;

/** Every event kind the coordinator writes (named server-sent events reach only listeners of their name). */
const EVENT_KINDS = [
  "swap.accepted", "swap.status", "secret.revealed", "deadline.unreachable", "action.refused",
  "leg.premiumDeposited", "leg.escrowed", "leg.locked", "leg.redeemed", "leg.refunded", "leg.premiumRefunded", "leg.aborted",
  "abort.consented", "abort.sent", "reveal.forsworn", "escrow.forsworn",
  "chain.unreachable", "chain.reorg", "coordinator.started", "coordinator.driving",
  "tx.sent", "tx.feeBumped", "tx.rebroadcast", "tx.dropped", "tx.reverted", "tx.broadcastFailed",
  "credit.withdrawing", "credit.stuck",
];

/** An API answer that is an error (with the API's code and message). */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API could not be reached at all. */
class Unreachable extends Error {}

async function request<T>(path: string, init: RequestInit = {}, as: "json" | "text" = "json"): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { cache: "no-store", ...init });
  } catch (e) {
    throw new Unreachable(`cannot reach the coordinator at ${location.origin} (${(e as Error).message})`);
  }
  const text = await res.text();
  if (!res.ok) {
    let body: { error?: string; message?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(res.status, body.error ?? `HTTP_${res.status}`, body.message ?? text.slice(0, 200));
  }
  if (as === "text") return text as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, "INVALID_JSON", `the answer of ${path} is not JSON`);
  }
}

type Route = { view: "list" } | { view: "swap"; id: string } | { view: "bad-swap"; raw: string } | { view: "unknown"; raw: string };

function parseRoute(): Route {
  let raw = location.hash.replace(/^#\/?/, "");
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // keep it as it is
  }
  if (raw === "" || raw === "swaps") return { view: "list" };
  const m = /^swaps\/(.*)$/.exec(raw);
  if (!m) return { view: "unknown", raw };
  return SWAP_ID.test(m[1]!) ? { view: "swap", id: m[1]!.toLowerCase() } : { view: "bad-swap", raw: m[1]! };
}

interface Cached {
  detail: SwapDetail;
  at: number;
}

const state = {
  route: parseRoute(),
  overview: undefined as Overview | undefined,
  metricsProblem: undefined as string | undefined,
  clocks: new ChainClocks(),
  down: new Map<string, { reason: string; at: number }>(),
  list: [] as SwapRow[],
  listLoaded: false,
  listProblem: undefined as string | undefined,
  filter: { status: "", kind: "", active: false, offset: 0 },
  details: new Map<string, Cached>(),
  detailProblem: new Map<string, ApiError | Unreachable>(),
  token: sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  events: 0,
  lastStates: new Map<string, Map<number, StepState>>(),
  lastStatus: new Map<string, string>(),
  problems: new Map<string, string>(),
};

const clock: Clock = { now: (chain) => state.clocks.now(chain, Date.now()) };

function downChains(): Map<string, string> {
  const out = new Map<string, string>();
  const now = Date.now();
  for (const [name, d] of state.down) if (now - d.at < DOWN_FOR_MS) out.set(name, d.reason);
  for (const c of state.overview?.chains ?? []) if (c.up === false && !out.has(c.name)) out.set(c.name, "the last round could not reach its RPC");
  return out;
}

// ---- Messages ----

function announce(text: string): void {
  const el = byId("announcer");
  el.appendChild(h("p", {}, text));
  while (el.childElementCount > 5) el.firstElementChild?.remove();
}

function setProblem(key: string, text: string | undefined): void {
  if (text === undefined) state.problems.delete(key);
  else state.problems.set(key, text);
  const el = byId("problem");
  fill(el, [...state.problems.values()].map((p) => h("p", {}, p)));
  el.hidden = state.problems.size === 0;
}

function describe(e: unknown): string {
  if (e instanceof Unreachable) return `The coordinator's API is unreachable: ${e.message}. The page shows what it had and tries again.`;
  if (e instanceof ApiError) return `${e.status} ${e.code}: ${e.message}`;
  return String((e as Error)?.message ?? e);
}

// ---- Loading ----

async function loadMetrics(): Promise<void> {
  try {
    const text = await request<string>("/metrics", {}, "text");
    const at = Date.now();
    state.overview = overviewFromMetrics(parsePrometheus(text));
    state.clocks.observeOverview(state.overview, at);
    for (const c of state.overview.chains) if (c.up === true) state.down.delete(c.name);
    state.metricsProblem = undefined;
    setProblem("metrics", undefined);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) state.metricsProblem = "This coordinator serves no metrics (the API was started without them): no chain tips or counts.";
    else {
      state.metricsProblem = `Metrics unavailable: ${describe(e)}`;
      if (e instanceof Unreachable) setProblem("metrics", describe(e));
    }
  }
}

async function loadList(): Promise<void> {
  const q = new URLSearchParams();
  if (state.filter.status) q.set("status", state.filter.status);
  if (state.filter.kind) q.set("kind", state.filter.kind);
  if (state.filter.active) q.set("active", "true");
  q.set("limit", String(PAGE_SIZE));
  q.set("offset", String(state.filter.offset));
  try {
    state.list = (await request<{ swaps: SwapRow[] }>(`/swaps?${q}`)).swaps;
    state.listLoaded = true;
    state.listProblem = undefined;
    setProblem("list", undefined);
  } catch (e) {
    state.listProblem = describe(e);
    setProblem("list", `The swap list could not be loaded: ${describe(e)}`);
  }
}

async function loadDetail(id: string): Promise<void> {
  try {
    const detail = await request<SwapDetail>(`/swaps/${id}`);
    const at = Date.now();
    state.details.set(id, { detail, at });
    state.clocks.observeDetail(detail, at);
    state.detailProblem.delete(id);
    setProblem(`swap:${id}`, undefined);
  } catch (e) {
    state.detailProblem.set(id, e as ApiError | Unreachable);
    if (e instanceof Unreachable) setProblem(`swap:${id}`, describe(e));
  }
}

/** Runs `jobs` at most `n` at a time. */
async function limited(jobs: (() => Promise<void>)[], n = 4): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, async () => {
    while (next < jobs.length) await jobs[next++]!();
  }));
}

// ---- Refreshing: what the events made stale ----

const stale = { swaps: new Set<string>(), list: false, metrics: false, all: false };
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let flushing = false;

function schedule(ms = 120): void {
  if (flushTimer === undefined) flushTimer = setTimeout(() => void flush(), ms);
}

async function flush(): Promise<void> {
  flushTimer = undefined;
  if (flushing) return schedule(50);
  flushing = true;
  try {
    const ids = new Set(stale.swaps);
    const { list, metrics, all } = stale;
    stale.swaps.clear();
    stale.list = stale.metrics = stale.all = false;
    const route = state.route;
    const jobs: (() => Promise<void>)[] = [];
    if (metrics || all) jobs.push(loadMetrics);
    if (route.view === "swap") {
      if (all || ids.has(route.id) || !state.details.has(route.id)) jobs.push(() => loadDetail(route.id));
      await limited(jobs);
    } else if (route.view === "list") {
      await Promise.all([list || all || !state.listLoaded ? loadList() : Promise.resolve(), limited(jobs)]);
      // Details of the listed swaps: those not seen yet (active ones: their deadlines) and those with new events.
      const wanted = state.list.filter((r) => all || ids.has(r.id) || (!state.details.has(r.id) && !isFinalStatus(r.status)) || (state.details.has(r.id) && state.details.get(r.id)!.detail.swap.status !== r.status));
      await limited(wanted.map((r) => () => loadDetail(r.id)));
    } else await limited(jobs);
    render();
  } finally {
    flushing = false;
  }
}

// ---- The event stream ----

let source: EventSource | undefined;
let retry: ReturnType<typeof setTimeout> | undefined;
let everOpen = false;

function setConnection(kind: "connecting" | "live" | "reconnecting" | "closed", text: string): void {
  const el = byId("connection");
  el.dataset.state = kind;
  el.textContent = text;
}

function onFrame(ev: MessageEvent<string>): void {
  let row: EventRow;
  try {
    row = JSON.parse(ev.data) as EventRow;
  } catch {
    return;
  }
  state.events++;
  byId("connection").dataset.events = String(state.events);
  if (row.kind === "chain.unreachable" && typeof row.data.chain === "string") {
    state.down.set(row.data.chain, { reason: String(row.data.reason ?? "no answer").slice(0, 120), at: Date.now() });
    stale.metrics = true;
    schedule(1000);
    return;
  }
  if (row.kind.startsWith("chain.") || row.kind.startsWith("coordinator.")) stale.metrics = true;
  if (row.swapId) {
    stale.swaps.add(row.swapId);
    if (row.kind === "swap.accepted" || row.kind === "swap.status") {
      stale.list = true;
      stale.metrics = true;
    }
  }
  // The swap on screen follows its events closely (one fetch per burst); the list coalesces more.
  schedule(state.route.view === "swap" && row.swapId === state.route.id ? 30 : 150);
}

function connect(): void {
  clearTimeout(retry);
  source?.close();
  setConnection("connecting", "Connecting to the coordinator's event stream…");
  const es = new EventSource("/events");
  source = es;
  es.onopen = () => {
    setConnection("live", "Live: the page follows the coordinator's event stream.");
    setProblem("stream", undefined);
    // Whatever happened while the stream was down is read again.
    if (everOpen) {
      stale.all = true;
      schedule(0);
    }
    everOpen = true;
  };
  es.onerror = () => {
    const closed = es.readyState === EventSource.CLOSED;
    setConnection(closed ? "closed" : "reconnecting", closed ? "The event stream closed; retrying in 5 s. The page may be out of date." : "Disconnected from the event stream; reconnecting… The page may be out of date.");
    setProblem("stream", `The coordinator's event stream (${location.origin}/events) is unreachable: live updates are paused and the page retries by itself. Check that the coordinator is running with its API enabled.`);
    if (closed) retry = setTimeout(connect, 5_000);
  };
  for (const kind of EVENT_KINDS) es.addEventListener(kind, onFrame as EventListener);
}

// ---- Token and actions ----

function renderToken(): void {
  const el = byId("token");
  if (state.token) {
    fill(
      el,
      h("p", { class: "token-state" }, "Actions enabled with your API token (kept in this browser tab only). "),
      h("button", { type: "button", id: "token-forget", onclick: () => setToken(undefined) }, "Forget the token"),
    );
    return;
  }
  const input = h("input", { id: "token-input", name: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true, "aria-describedby": "token-hint" });
  fill(
    el,
    h(
      "form",
      {
        id: "token-form",
        class: "token-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const v = input.value.trim();
          if (v) setToken(v);
        },
      },
      h("label", { for: "token-input" }, "API token"),
      input,
      h("button", { type: "submit" }, "Enable actions"),
      h("p", { id: "token-hint", class: "hint" }, "Optional. The dashboard is read-only without it; with it you can request a cooperative abort. Kept in this tab's session storage, sent as a bearer token."),
    ),
  );
}

function setToken(token: string | undefined): void {
  state.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  renderToken();
  renderActions(true);
  announce(token ? "Actions enabled." : "Token forgotten: read-only.");
}

/** The abort form of the swap view, built once per swap (so typing is never interrupted), shown while the swap is not final. */
let actionsFor: string | undefined;
function renderActions(force = false): void {
  const el = document.getElementById("swap-actions");
  const route = state.route;
  if (!el || route.view !== "swap") return;
  const d = state.details.get(route.id)?.detail;
  const final = d ? isFinalStatus(d.swap.status) : true;
  el.hidden = final;
  const key = `${route.id}:${state.token ? "token" : "none"}`;
  if (final || (!force && actionsFor === key)) return;
  actionsFor = key;
  if (!state.token) {
    fill(el, h("h2", { id: "actions-h" }, "Actions"), h("p", { class: "muted" }, "Read-only. Enter the API token at the top of the page to request a cooperative abort."));
    return;
  }
  const result = h("div", { id: "abort-result", role: "status", "aria-live": "polite" });
  const sig = h("textarea", { id: "abort-signature", name: "redeemerSignature", rows: 2, spellcheck: "false", placeholder: "0x…", "aria-describedby": "abort-signature-hint" });
  const confirm = h("input", { id: "abort-confirm", type: "checkbox", required: true });
  const radio = (leg: "A" | "B", checked: boolean) => h("label", { class: "inline" }, h("input", { type: "radio", name: "leg", value: leg, checked }), ` Leg ${leg}`);
  const form = h(
    "form",
    {
      id: "abort-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const leg = (form.querySelector("input[name=leg]:checked") as HTMLInputElement | null)?.value ?? "B";
        void requestAbort(route.id, leg, sig.value.trim(), result);
      },
    },
    h("fieldset", {}, h("legend", {}, "Leg to abort"), radio("B", true), radio("A", false)),
    h("label", { for: "abort-signature" }, "The redeemer's consent signature (optional)"),
    sig,
    h("p", { id: "abort-signature-hint", class: "hint" }, "Leave it empty to ask this coordinator for its own consent as the leg's redeemer; paste the counterparty's consent to send the escrower's abort."),
    h("label", { class: "inline" }, confirm, " I understand that a consent cannot be taken back (the leader's consent to abort leg B is a vow never to reveal the secret)."),
    h("button", { type: "submit" }, "Request the abort"),
  );
  fill(
    el,
    h("h2", { id: "actions-h" }, "Cooperative abort"),
    h("p", {}, "Consents come in one order: the leader first consents to abort leg B, and the follower aborts leg B with it; then the follower consents to abort leg A, and the leader aborts leg A. A refusal signs nothing."),
    form,
    result,
  );
}

async function requestAbort(id: string, leg: string, signature: string, out: HTMLElement): Promise<void> {
  fill(out, h("p", {}, `Requesting the abort of leg ${leg}…`));
  try {
    const answer = await request<{ signature?: string; txHash?: string }>(`/swaps/${id}/abort`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${state.token ?? ""}` },
      body: JSON.stringify({ leg, ...(signature ? { redeemerSignature: signature } : {}) }),
    });
    fill(
      out,
      h("p", { class: "ok" }, `Leg ${leg}: done.`),
      answer.signature ? h("p", {}, "The redeemer's consent (give it to the escrower's coordinator): ", h("code", { class: "wrap" }, answer.signature)) : null,
      answer.txHash ? h("p", {}, "The abort transaction: ", h("code", { class: "wrap" }, answer.txHash)) : null,
    );
  } catch (e) {
    const hint = e instanceof ApiError && (e.status === 401 || e.status === 403) ? " Check the token: forget it and enter it again." : "";
    fill(out, h("p", { class: "error", "data-error": e instanceof ApiError ? e.code : "UNREACHABLE" }, `Refused: ${describe(e)}.${hint}`));
  }
}

// ---- Views ----

function listItems(): ListItem[] {
  const down = downChains();
  return state.list.map((row) => {
    const cached = state.details.get(row.id)?.detail;
    const detail = cached ? { ...cached, swap: row.updatedAt >= cached.swap.updatedAt ? row : cached.swap } : undefined;
    if (!detail) return { row, notices: [], attention: row.status === "aborting", deadlines: [] };
    const steps = timelineSteps(detail, clock.now);
    const notices = attention(detail, steps, down);
    return { row, detail, notices, attention: needsAttention(row.status, notices), deadlines: legDeadlines(detail, steps) };
  });
}

let shown: string | undefined;

function skeleton(): void {
  const route = state.route;
  const key = route.view === "swap" ? `swap:${route.id}` : route.view;
  if (shown === key) return;
  shown = key;
  actionsFor = undefined;
  const view = byId("view");
  if (route.view === "list") {
    document.title = "Swaps · hedgeswap coordinator";
    const filterChanged = (e: Event) => {
      const f = e.currentTarget as HTMLFormElement;
      const data = new FormData(f);
      state.filter = { status: String(data.get("status") ?? ""), kind: String(data.get("kind") ?? ""), active: data.get("active") === "on", offset: 0 };
      stale.list = true;
      schedule(0);
    };
    fill(
      view,
      h("h1", {}, "Swaps"),
      h("section", { "aria-labelledby": "overview-h", class: "card" }, h("h2", { id: "overview-h" }, "Overview"), h("div", { id: "overview" })),
      h("section", { "aria-labelledby": "attention-h", class: "card" }, h("h2", { id: "attention-h" }, "Needs attention"), h("div", { id: "attention" })),
      h(
        "section",
        { "aria-labelledby": "list-h", class: "card" },
        h("h2", { id: "list-h" }, "All swaps"),
        h(
          "form",
          { id: "filters", class: "filters", onchange: filterChanged, onsubmit: (e: Event) => (e.preventDefault(), filterChanged(e)) },
          h("label", { for: "f-status" }, "Status "),
          h("select", { id: "f-status", name: "status" }, h("option", { value: "" }, "any"), STATUS_ORDER.map((s) => h("option", { value: s, selected: state.filter.status === s }, s))),
          h("label", { for: "f-kind" }, "Kind "),
          h("select", { id: "f-kind", name: "kind" }, h("option", { value: "" }, "any"), h("option", { value: "hedged-swap", selected: state.filter.kind === "hedged-swap" }, "hedged swap"), h("option", { value: "option", selected: state.filter.kind === "option" }, "HTLC option")),
          h("label", { class: "inline" }, h("input", { type: "checkbox", name: "active", id: "f-active", checked: state.filter.active }), " unfinished only"),
        ),
        h("div", { id: "list" }),
        h("nav", { "aria-label": "Pages of the swap list", class: "pager", id: "pager" }),
      ),
    );
  } else if (route.view === "swap") {
    document.title = `Swap ${shortHex(route.id)} · hedgeswap coordinator`;
    fill(
      view,
      h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← All swaps")),
      h("h1", {}, "Swap ", h("code", { class: "hex wrap" }, route.id)),
      h("div", { id: "swap-body" }, h("p", {}, "Loading the swap…")),
    );
  } else if (route.view === "bad-swap") {
    document.title = "Not a swap id · hedgeswap coordinator";
    fill(
      view,
      h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← All swaps")),
      h("h1", {}, "Not a swap id"),
      h("p", { class: "notice danger", role: "alert", id: "swap-error" }, `“${route.raw.slice(0, 100)}” is not a swap id. A swap id is 0x followed by 64 hexadecimal digits (the signed offer's EIP-712 digest).`),
    );
  } else {
    document.title = "Page not found · hedgeswap coordinator";
    fill(view, h("h1", {}, "No such page"), h("p", { role: "alert", class: "notice warning" }, `The dashboard has no page “${route.raw.slice(0, 100)}”. `, h("a", { href: "#/" }, "Go to the swap list.")));
  }
}

/** The swap view's sections, built once per swap, filled on every update. */
function swapSkeleton(body: HTMLElement): void {
  if (body.dataset.ready === "true") return;
  body.dataset.ready = "true";
  fill(
    body,
    h("div", { id: "swap-head" }),
    h("section", { "aria-labelledby": "swap-attention-h", class: "card" }, h("h2", { id: "swap-attention-h" }, "Attention"), h("div", { id: "swap-attention" })),
    h("section", { "aria-labelledby": "timeline-h", class: "card" }, h("h2", { id: "timeline-h" }, "Timeline"), h("p", { class: "hint" }, "Each deadline is on its own chain's clock: an action is valid up to and including its deadline, a settlement only after it."), h("div", { id: "swap-timeline" })),
    h("section", { "aria-labelledby": "legs-h", class: "card" }, h("h2", { id: "legs-h" }, "Legs and payouts"), h("div", { id: "swap-legs" })),
    h("section", { id: "swap-actions", class: "card actions", "aria-labelledby": "actions-h" }),
    h("section", { "aria-labelledby": "txs-h", class: "card" }, h("h2", { id: "txs-h" }, "Transactions"), h("p", { class: "hint" }, "Gas used is not recorded by the coordinator; the gas limit is the one it signed."), h("div", { id: "swap-txs" })),
    h("section", { "aria-labelledby": "events-h", class: "card" }, h("h2", { id: "events-h" }, "Event trail"), h("div", { id: "swap-events" })),
  );
}

function renderSwap(id: string): void {
  const body = document.getElementById("swap-body");
  if (!body) return;
  const cached = state.details.get(id);
  const problem = state.detailProblem.get(id);
  if (!cached) {
    body.dataset.ready = "false";
    if (problem instanceof ApiError && problem.code === "UNKNOWN_SWAP") {
      fill(body, h("p", { class: "notice danger", role: "alert", id: "swap-error", "data-error": "UNKNOWN_SWAP" }, `This coordinator has no swap ${id}. It may be another coordinator's swap, or the offer was never submitted here.`));
    } else if (problem) {
      fill(body, h("p", { class: "notice danger", role: "alert", id: "swap-error", "data-error": problem instanceof ApiError ? problem.code : "UNREACHABLE" }, `The swap could not be loaded: ${describe(problem)}`));
    }
    return;
  }
  swapSkeleton(body);
  const d = cached.detail;
  const steps = timelineSteps(d, clock.now);
  const notices = attention(d, steps, downChains());
  const flagged = needsAttention(d.swap.status, notices);
  body.dataset.status = d.swap.status;
  body.dataset.attention = String(flagged);
  fill(byId("swap-head"), swapHead(d));
  fill(byId("swap-attention"), swapAttention(notices, d.swap.status));
  fill(byId("swap-timeline"), timeline(steps, timelineEntries(d), clock));
  fill(byId("swap-legs"), legsTable(d, clock));
  fill(byId("swap-txs"), txTable(d));
  fill(byId("swap-events"), eventTable(d));
  renderActions();
  // Tell screen readers what changed.
  const before = state.lastStates.get(id);
  const now = new Map(steps.map((s) => [s.step, s.state]));
  if (before) for (const s of steps) if (s.state === "done" && before.get(s.step) !== "done") announce(`Step ${s.step} done: ${s.title}.`);
  state.lastStates.set(id, now);
  const was = state.lastStatus.get(id);
  if (was !== undefined && was !== d.swap.status) announce(`Swap status: ${d.swap.status}${d.swap.outcome ? `, outcome ${d.swap.outcome}` : ""}${flagged ? ", needs attention" : ""}.`);
  state.lastStatus.set(id, d.swap.status);
}

function renderList(): void {
  const items = listItems();
  const flagged = items.filter((i) => i.attention).length;
  const o = document.getElementById("overview");
  if (o) fill(o, overview(state.overview, state.metricsProblem, flagged, Date.now(), downChains()));
  const a = document.getElementById("attention");
  if (a) fill(a, attentionList(items));
  const l = document.getElementById("list");
  if (l) {
    if (!state.listLoaded) fill(l, h("p", { class: state.listProblem ? "notice danger" : "muted" }, state.listProblem ?? "Loading the swaps…"));
    else fill(l, swapTable(items, clock, `Swaps ${state.filter.offset + 1}–${state.filter.offset + items.length}, oldest first`));
  }
  const p = document.getElementById("pager");
  if (p) {
    const page = (delta: number) => () => {
      state.filter = { ...state.filter, offset: Math.max(0, state.filter.offset + delta) };
      stale.list = true;
      schedule(0);
    };
    fill(
      p,
      state.filter.offset > 0 ? h("button", { type: "button", onclick: page(-PAGE_SIZE) }, "Previous page") : null,
      items.length === PAGE_SIZE ? h("button", { type: "button", onclick: page(PAGE_SIZE) }, "Next page") : null,
    );
  }
  for (const it of items) {
    const was = state.lastStatus.get(it.row.id);
    if (was !== undefined && was !== it.row.status) announce(`Swap ${shortHex(it.row.id)}: ${it.row.status}${it.row.outcome ? `, outcome ${it.row.outcome}` : ""}.`);
    state.lastStatus.set(it.row.id, it.row.status);
  }
}

function render(): void {
  skeleton();
  const route = state.route;
  if (route.view === "swap") renderSwap(route.id);
  else if (route.view === "list") renderList();
}

/** Counts every visible deadline down on its chain's clock, without re-rendering. */
function tick(): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-deadline]")) {
    const deadline = Number(el.dataset.deadline);
    const now = clock.now(el.dataset.chain ?? "");
    el.textContent = formatLeft(deadline, now);
    el.classList.toggle("past", now !== undefined && now > deadline);
  }
}

function start(): void {
  renderToken();
  window.addEventListener("hashchange", () => {
    state.route = parseRoute();
    render();
    stale.metrics = true;
    schedule(0);
    byId("main").focus();
  });
  connect();
  stale.metrics = true;
  stale.list = true;
  render();
  schedule(0);
  setInterval(tick, 1_000);
  setInterval(() => {
    stale.metrics = true;
    schedule(0);
  }, METRICS_EVERY_MS);
}

start();
