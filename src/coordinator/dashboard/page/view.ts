/**
 * The dashboard's views, as DOM nodes built from the model: the overview (key metrics, chains), the
 * swaps needing attention, the swap list, and one swap (attention, legs, the timeline of its steps,
 * settlements and aborts, transactions, the event trail). Deadlines carry `data-deadline` and
 * `data-chain` so that `main.ts` can count them down on their own chain's clock without re-rendering.
 */
import type { LegName } from "../../store/types";
import { h, type Child } from "./dom";
import {
  STEP_STATE_TEXT,
  formatAmount,
  formatChainTime,
  formatDuration,
  formatLeft,
  compactData,
  isFinalStatus,
  legPayout,
  legState,
  outcomeText,
  shortHex,
  type ChainView,
  type Notice,
  type Overview,
  type SwapDetail,
  type SwapRow,
  type SwapStatus,
  type TimelineEntry,
  type TimelineStep,
  type TimelineTx,
} from "./model";

/** The statuses in the order a swap goes through them. */
export const STATUS_ORDER: readonly SwapStatus[] = ["accepted", "premiumB", "premiumA", "escrowedA", "escrowedB", "committed", "redeemedB", "completed", "aborting", "settled"];

/** What the view needs to tell time on each chain. */
export interface Clock {
  now(chain: string): number | undefined;
}

/** A full hex value shown short, with the whole value in its title and for copying. */
export function hex(value: string, keep = 4): HTMLElement {
  return h("code", { class: "hex", title: value }, shortHex(value, keep));
}

/**
 * A deadline: its time on the chain's clock and, with `countdown`, the time left, counted down by the
 * page (`after`: a text instead, e.g. "met" for a step taken in time).
 */
export function deadline(unix: number, chain: string, clock: Clock, prefix = "", opts: { countdown?: boolean; after?: string } = {}): HTMLElement {
  const now = clock.now(chain);
  return h(
    "span",
    { class: "deadline" },
    prefix,
    h("time", { datetime: new Date(unix * 1000).toISOString() }, formatChainTime(unix)),
    ` on chain ${chain}'s clock`,
    opts.countdown ?? true ? [" · ", h("span", { class: now !== undefined && now > unix ? "left past" : "left", "data-deadline": unix, "data-chain": chain }, formatLeft(unix, now))] : null,
    opts.after ? h("span", { class: "muted" }, ` · ${opts.after}`) : null,
  );
}

function statusBadge(status: string, outcome: string | null): HTMLElement {
  return h("span", { class: "badge", "data-status": status }, status, outcome && outcome !== status ? ` · ${outcome}` : null);
}

function notices(list: readonly Notice[]): HTMLElement {
  return h("ul", { class: "notices" }, list.map((n) => h("li", { class: `notice ${n.level}`, "data-code": n.code }, h("strong", {}, n.level === "danger" ? "Needs attention: " : n.level === "warning" ? "Warning: " : "Note: "), n.text)));
}

/** A table with a caption, column headers and rows, in a region that scrolls sideways when narrow. */
function table(caption: string, headers: readonly string[], rows: readonly Child[][], opts: { id?: string; empty?: string; rowAttrs?: (i: number) => Record<string, string> } = {}): HTMLElement {
  const body = rows.length
    ? rows.map((cells, i) => h("tr", opts.rowAttrs?.(i) ?? {}, cells.map((c, k) => (k === 0 ? h("th", { scope: "row" }, c) : h("td", {}, c)))))
    : [h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, opts.empty ?? "Nothing yet."))];
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": caption, tabindex: 0 },
    h("table", opts.id ? { id: opts.id } : {}, h("caption", {}, caption), h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, body)),
  );
}

// ---- Overview ----

function chainRow(c: ChainView, nowMs: number, down: ReadonlyMap<string, string>): Child[] {
  const unreachable = c.up === false || down.has(c.name);
  const behind = c.time !== undefined ? Math.round(nowMs / 1000 - c.time) : undefined;
  return [
    c.name,
    h("span", { class: unreachable ? "rpc down" : "rpc up" }, unreachable ? `down${down.get(c.name) ? `: ${down.get(c.name)}` : ""}` : c.up === undefined ? "unknown" : "up"),
    c.head ?? "—",
    c.time !== undefined ? formatChainTime(c.time) : "—",
    behind === undefined ? "—" : behind >= 0 ? `behind by ${formatDuration(behind)}` : `ahead by ${formatDuration(behind)}`,
    c.processed ?? "—",
    c.head !== undefined && c.processed !== undefined ? `${c.head - c.processed} blocks` : "—",
    c.rpcErrors,
  ];
}

/** The key metrics: counts, swaps by status, chains. */
export function overview(o: Overview | undefined, problem: string | undefined, attentionCount: number, nowMs: number, down: ReadonlyMap<string, string>): Child[] {
  if (!o) return [h("p", { class: "muted" }, problem ?? "Loading the metrics…")];
  const stat = (label: string, value: Child, attrs: Record<string, string> = {}) => h("div", { class: "stat", ...attrs }, h("dt", {}, label), h("dd", {}, value));
  return [
    h(
      "dl",
      { class: "stats" },
      stat("Swaps", o.total, { "data-metric": "total" }),
      stat("Active", o.active, { "data-metric": "active" }),
      stat("Need attention (this page)", attentionCount, { "data-metric": "attention" }),
      stat("Missed deadlines", o.missedDeadlines, { "data-metric": "missed" }),
      stat("Finished with a deviation", o.deviations, { "data-metric": "deviations" }),
      stat("Nearest deadline", o.nearestDeadline === undefined ? "none pending" : `in ${formatDuration(o.nearestDeadline)}`, { "data-metric": "nearest" }),
    ),
    h(
      "div",
      { class: "grid2" },
      table("Swaps by status", ["Status", "Swaps"], STATUS_ORDER.map((s) => [h("span", { class: "badge", "data-status": s }, s), o.swaps[s] ?? 0]), { id: "by-status" }),
      table("Chains, as of the coordinator's last round (chain clock: the head's timestamp; lag: head minus the last final block processed)", ["Chain", "RPC", "Head", "Chain clock", "vs. this computer", "Processed", "Lag", "RPC errors"], o.chains.map((c) => chainRow(c, nowMs, down)), { id: "chains", empty: "No chain reported yet." }),
    ),
    problem ? h("p", { class: "muted" }, problem) : null,
  ];
}

// ---- Swap list ----

/** What the list knows of one swap. */
export interface ListItem {
  readonly row: SwapRow;
  readonly detail?: SwapDetail;
  readonly notices: readonly Notice[];
  readonly attention: boolean;
  readonly deadlines: readonly { leg: LegName; chain: string; what: string; deadline: number }[];
}

interface OfferLeg {
  chainId: string;
  token: string;
  amount: string;
  premiumToken: string;
  premiumAmount: string;
}

function parties(row: SwapRow): HTMLElement {
  const o = row.offer as { leader?: string; follower?: string };
  const held = (r: "leader" | "follower") => (row.roles[r] ? h("span", { class: "held" }, " (held here)") : null);
  return h("ul", { class: "plain" }, h("li", {}, "leader ", hex(o.leader ?? "?"), held("leader")), h("li", {}, "follower ", hex(o.follower ?? "?"), held("follower")));
}

function assets(row: SwapRow, chainNames: ReadonlyMap<string, string>): HTMLElement {
  const o = row.offer as { legA?: OfferLeg; legB?: OfferLeg };
  const leg = (name: "A" | "B", l: OfferLeg | undefined) => {
    if (!l) return null;
    const chain = chainNames.get(String(l.chainId)) ?? `id ${l.chainId}`;
    return h("li", {}, `${name} · chain ${chain}: `, formatAmount(l.amount), " of ", hex(l.token), BigInt(l.premiumAmount) > 0n ? [", premium ", formatAmount(l.premiumAmount)] : null);
  };
  return h("ul", { class: "plain" }, leg("A", o.legA), leg("B", o.legB));
}

function timeLeft(item: ListItem, clock: Clock): Child {
  if (isFinalStatus(item.row.status)) return h("span", { class: "muted" }, "finished");
  if (!item.detail) return h("span", { class: "muted" }, "loading…");
  if (item.deadlines.length === 0) return "—";
  return h("ul", { class: "plain" }, item.deadlines.map((d) => h("li", {}, `${d.leg}: ${d.what} `, h("span", { class: "left", "data-deadline": d.deadline, "data-chain": d.chain }, formatLeft(d.deadline, clock.now(d.chain))), h("span", { class: "muted" }, ` (chain ${d.chain})`))));
}

/** The swap table. */
export function swapTable(items: readonly ListItem[], clock: Clock, caption: string): HTMLElement {
  // Chain names come with swap details; every swap of a coordinator is on its configured chains.
  const chainNames = new Map<string, string>();
  for (const it of items) for (const l of it.detail?.legs ?? []) chainNames.set(l.chainId, l.chain);
  const rows = items.map((it) => [
    h("a", { href: `#/swaps/${it.row.id}`, class: "swap-link" }, h("code", { class: "hex", title: it.row.id }, shortHex(it.row.id, 6))),
    it.row.kind === "option" ? "HTLC option" : "hedged swap",
    h("span", {}, statusBadge(it.row.status, it.row.outcome), it.attention ? h("span", { class: "flag" }, " needs attention") : null),
    parties(it.row),
    assets(it.row, chainNames),
    timeLeft(it, clock),
    h("time", { datetime: new Date(it.row.updatedAt).toISOString() }, new Date(it.row.updatedAt).toLocaleTimeString()),
  ]);
  return table(caption, ["Swap", "Kind", "Status", "Parties", "Assets (base units)", "Time left (each leg's chain clock)", "Updated"], rows, {
    id: "swaps",
    empty: "No swaps match.",
    rowAttrs: (i) => ({ "data-swap": items[i]!.row.id, "data-status": items[i]!.row.status, ...(items[i]!.attention ? { "data-attention": "true", class: "attention" } : {}) }),
  });
}

/** The swaps of the list that need attention. */
export function attentionList(items: readonly ListItem[]): Child {
  const flagged = items.filter((i) => i.attention);
  if (flagged.length === 0) return h("p", { class: "ok" }, "Nothing needs attention on this page.");
  return h(
    "ul",
    { class: "attention-list" },
    flagged.map((i) =>
      h("li", { "data-swap": i.row.id }, h("a", { href: `#/swaps/${i.row.id}` }, h("code", { class: "hex" }, shortHex(i.row.id, 6))), " ", statusBadge(i.row.status, i.row.outcome), notices(i.notices.filter((n) => n.level !== "info"))),
    ),
  );
}

// ---- One swap ----

function txLine(tx: TimelineTx | undefined, chain: string | undefined, state?: string): Child {
  if (!tx) return h("span", { class: "muted" }, state === "missed" || state === "skipped" ? "none" : "none seen yet");
  return [
    hex(tx.hash, 6),
    tx.block !== null ? ` in block ${tx.block}` : "",
    chain ? ` on chain ${chain}` : "",
    ` · ${tx.status}`,
    tx.row ? ` · sent by this coordinator (nonce ${tx.row.nonce}, gas limit ${Number(tx.row.gasLimit).toLocaleString("en")})` : "",
  ];
}

function stepItem(s: TimelineStep, clock: Clock): HTMLElement {
  return h(
    "li",
    { class: "step", "data-step": s.step, "data-state": s.state },
    h("span", { class: "marker", "aria-hidden": "true" }, String(s.step)),
    h(
      "div",
      { class: "step-body" },
      h("h3", {}, `Step ${s.step}: ${s.title} `, h("span", { class: "state" }, `(${STEP_STATE_TEXT[s.state]})`)),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Who"),
        h("dd", {}, `${s.actor} `, hex(s.party), s.held ? h("span", { class: "held" }, " (held by this coordinator)") : h("span", { class: "muted" }, " (the counterparty)")),
        s.moves ? [h("dt", {}, "Moves"), h("dd", {}, s.moves)] : null,
        h("dt", {}, "Deadline"),
        h("dd", {}, deadline(s.deadline, s.chain, clock, "by ", s.state === "done" ? { countdown: false, after: "met" } : s.state === "skipped" ? { countdown: false } : {})),
        h("dt", {}, "Transaction"),
        h("dd", {}, txLine(s.tx, s.chain, s.state)),
      ),
    ),
  );
}

function entryItem(e: TimelineEntry, clock: Clock): HTMLElement {
  return h(
    "li",
    { class: `entry ${e.kind}`, "data-entry": e.kind, "data-state": e.state, ...(e.leg ? { "data-leg": e.leg } : {}) },
    h("span", { class: "marker", "aria-hidden": "true" }, e.kind === "settlement" ? "S" : e.kind === "abort" ? "×" : "i"),
    h(
      "div",
      { class: "step-body" },
      h("h3", {}, e.title, " ", h("span", { class: "state" }, e.state === "done" ? "(done)" : "(expected)")),
      h(
        "dl",
        { class: "facts" },
        e.after !== undefined && e.chain ? [h("dt", {}, "Possible"), h("dd", {}, deadline(e.after, e.chain, clock, "after "))] : null,
        e.tx ? [h("dt", {}, "Transaction"), h("dd", {}, txLine(e.tx, e.chain))] : null,
        e.at !== undefined ? [h("dt", {}, "Seen"), h("dd", {}, h("time", { datetime: new Date(e.at).toISOString() }, new Date(e.at).toLocaleString()))] : null,
      ),
    ),
  );
}

/** The head of a swap's page: id, kind, status, outcome, who this coordinator holds. */
export function swapHead(d: SwapDetail): Child[] {
  const row = d.swap;
  const held = [row.roles.leader ? "the leader" : null, row.roles.follower ? "the follower" : null].filter(Boolean).join(" and ");
  return [
    h("p", { class: "facts-line" }, statusBadge(row.status, row.outcome), " ", row.kind === "option" ? "HTLC option" : "hedged swap", ` · this coordinator holds ${held || "no party"}`),
    row.outcome ? h("p", { class: "outcome", "data-outcome": row.outcome }, "Outcome ", h("strong", {}, row.outcome), ": ", outcomeText(row.outcome).replace(/^[^:]*: /, "")) : null,
  ];
}

/** What needs attention in this swap (or that nothing does). */
export function swapAttention(list: readonly Notice[], status: string): Child {
  if (list.length === 0) return h("p", { class: "ok" }, isFinalStatus(status) ? "Over: nothing needs attention." : "Nothing needs attention.");
  return notices(list);
}

/** The legs with their terms, state and payout. */
export function legsTable(d: SwapDetail, clock: Clock): HTMLElement {
  const rows = d.legs.map((l) => [
    `Leg ${l.name}`,
    `${l.chain} (${l.chainId})`,
    h("span", {}, hex(l.escrower), " → ", hex(l.redeemer)),
    h("span", {}, formatAmount(l.amount), " of ", hex(l.token)),
    h("span", {}, formatAmount(l.premiumAmount), " of ", hex(l.premiumToken), ` (${l.premiumMode})`),
    h(
      "ul",
      { class: "plain" },
      h("li", {}, deadline(Number(l.premiumDeadline), l.chain, clock, "premium by ", { countdown: false })),
      h("li", {}, deadline(Number(l.escrowDeadline), l.chain, clock, "escrow by ", { countdown: false })),
      h("li", {}, deadline(Number(l.timeout), l.chain, clock, "timeout ", { countdown: false })),
    ),
    l.outcome ?? legState(d, l.name),
    legPayout(l),
  ]);
  return table("Legs (amounts in base units)", ["Leg", "Chain", "Escrower → redeemer", "Principal", "Premium", "Deadlines", "State", "Payout"], rows, { id: "legs" });
}

/** The timeline: the six steps, then the settlements and aborts. */
export function timeline(steps: readonly TimelineStep[], entries: readonly TimelineEntry[], clock: Clock): HTMLElement {
  return h("ol", { class: "timeline", id: "timeline" }, steps.map((s) => stepItem(s, clock)), entries.map((e) => entryItem(e, clock)));
}

/** This coordinator's transactions for the swap. */
export function txTable(d: SwapDetail): HTMLElement {
  const chainOf = (chainId: string) => d.legs.find((l) => l.chainId === chainId)?.chain ?? chainId;
  const rows = d.transactions.map((t) => [t.action, t.leg, chainOf(t.chainId), hex(t.hash, 6), t.status, t.blockNumber ?? "—", t.nonce, Number(t.gasLimit).toLocaleString("en"), t.attempt]);
  return table("This coordinator's transactions", ["Action", "Leg", "Chain", "Hash", "Status", "Block", "Nonce", "Gas limit", "Attempt"], rows, { id: "transactions", empty: "This coordinator sent none for this swap." });
}

/** The swap's event trail, oldest first. */
export function eventTable(d: SwapDetail): HTMLElement {
  const chainOf = (chainId: string | null) => (chainId === null ? "" : (d.legs.find((l) => l.chainId === chainId)?.chain ?? chainId));
  const rows = d.events.map((e) => [String(e.id), h("time", { datetime: new Date(e.at).toISOString() }, new Date(e.at).toLocaleTimeString()), e.kind, chainOf(e.chainId), h("span", { class: "data" }, compactData(e.data))]);
  return table("Event trail", ["#", "Seen (local time)", "Kind", "Chain", "Details"], rows, { id: "events" });
}
