/**
 * The dashboard's model, pure (no DOM, no fetch): the Prometheus series the overview needs, each
 * chain's clock, a swap's timeline (steps 1–6 with their state, then settlements and aborts), its
 * payouts, what needs attention, and the formatting of amounts, hashes and durations. The page
 * (`main.ts`) feeds it the API's answers; the tests call it directly too.
 *
 * Protocol rules are not re-derived here: deadlines, actors and leg outcomes come from the API
 * (`GET /swaps/:id`), which takes them from the SDK's plan and the chains' final events.
 */
import type { LegDetail, StepDetail, SwapDetail } from "../../api/port";
import type { SwapStatus } from "../../domain/status";
import type { EventRow, LegName, SwapRow, TxRow } from "../../store/types";

export type { EventRow, LegDetail, StepDetail, SwapDetail, SwapRow, SwapStatus, TxRow };

// ---- Prometheus text ----

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?[0-9]+)?$/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text exposition format (comments and malformed lines skipped). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_all, c: string) => (c === "n" ? "\n" : c));
    const v = m[3]!;
    const value = v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v);
    if (!Number.isNaN(value) || v === "NaN") out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** One chain in the overview. */
export interface ChainView {
  readonly name: string;
  /** The last round reached its RPC (undefined: the coordinator does not say). */
  readonly up: boolean | undefined;
  readonly head?: number;
  /** The head's timestamp: the chain's clock, unix seconds. */
  readonly time?: number;
  /** The last final block whose logs were processed. */
  readonly processed?: number;
  readonly rpcErrors: number;
}

/** The key metrics. */
export interface Overview {
  readonly swaps: Partial<Record<SwapStatus, number>>;
  readonly total: number;
  readonly active: number;
  /** Steps of this coordinator's parties that could no longer land before their deadlines (since its start). */
  readonly missedDeadlines: number;
  /** Swaps that finished with a deviation (S1–S5, abandoned options, aborts), since its start. */
  readonly deviations: number;
  /** Seconds (chain clock) to the nearest pending deadline; undefined when none. */
  readonly nearestDeadline?: number;
  readonly chains: readonly ChainView[];
}

const FINAL: ReadonlySet<string> = new Set(["completed", "settled"]);

/** True for a final status. */
export function isFinalStatus(status: string): boolean {
  return FINAL.has(status);
}

/** The overview from `/metrics`. */
export function overviewFromMetrics(samples: readonly Sample[]): Overview {
  const swaps: Partial<Record<SwapStatus, number>> = {};
  let missedDeadlines = 0;
  let deviations = 0;
  let nearestDeadline: number | undefined;
  const chains = new Map<string, { up?: boolean; head?: number; time?: number; processed?: number; rpcErrors: number }>();
  const chain = (name: string) => {
    let c = chains.get(name);
    if (!c) chains.set(name, (c = { rpcErrors: 0 }));
    return c;
  };
  for (const s of samples) {
    const name = s.labels.chain;
    switch (s.name) {
      case "hedgeswap_swaps":
        if (s.labels.status) swaps[s.labels.status as SwapStatus] = s.value;
        break;
      case "hedgeswap_deadlines_missed_total":
        missedDeadlines += s.value;
        break;
      case "hedgeswap_swap_outcomes_total":
        if (s.labels.outcome !== "completed" && s.labels.outcome !== "exercised") deviations += s.value;
        break;
      case "hedgeswap_nearest_deadline_seconds":
        if (s.value >= 0) nearestDeadline = s.value;
        break;
      case "hedgeswap_chain_up":
        if (name) chain(name).up = s.value === 1;
        break;
      case "hedgeswap_chain_head_block":
        if (name) chain(name).head = s.value;
        break;
      case "hedgeswap_chain_head_timestamp_seconds":
        if (name) chain(name).time = s.value;
        break;
      case "hedgeswap_chain_processed_block":
        if (name) chain(name).processed = s.value;
        break;
      case "hedgeswap_rpc_errors_total":
        if (name) chain(name).rpcErrors += s.value;
        break;
    }
  }
  const counts = Object.entries(swaps) as [SwapStatus, number][];
  return {
    swaps,
    total: counts.reduce((a, [, n]) => a + n, 0),
    active: counts.filter(([s]) => !isFinalStatus(s)).reduce((a, [, n]) => a + n, 0),
    missedDeadlines,
    deviations,
    ...(nearestDeadline !== undefined ? { nearestDeadline } : {}),
    chains: [...chains].sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => ({ name: n, up: c.up, ...c })),
  };
}

// ---- Chain clocks ----

/**
 * Each chain's clock as last observed (a block timestamp and the local time it was seen), carried
 * forward at wall-clock speed. Deadlines are judged by the chain's clock, never the local one.
 */
export class ChainClocks {
  readonly #seen = new Map<string, { time: number; at: number }>();

  /** Records that chain `name` was at `time` (unix seconds) at local time `atMs`; older observations are ignored. */
  observe(name: string, time: number, atMs: number): void {
    const known = this.#seen.get(name);
    if (!known || known.at <= atMs) this.#seen.set(name, { time, at: atMs });
  }

  /** Observes every chain of an overview fetched at `atMs`. */
  observeOverview(o: Overview, atMs: number): void {
    for (const c of o.chains) if (c.time !== undefined && c.up !== false) this.observe(c.name, c.time, atMs);
  }

  /** Observes the chains of a swap detail fetched at `atMs` (deadline − seconds left = the chain's time). */
  observeDetail(d: SwapDetail, atMs: number): void {
    for (const s of d.steps) if (s.secondsLeft !== null) this.observe(s.chain, Number(s.deadline) - s.secondsLeft, atMs);
  }

  /** The chain's estimated time now (unix seconds), undefined when never observed. */
  now(name: string, nowMs: number): number | undefined {
    const c = this.#seen.get(name);
    return c ? Math.floor(c.time + Math.max(0, nowMs - c.at) / 1000) : undefined;
  }
}

// ---- A swap's timeline ----

/** Where a step is. */
export type StepState = "done" | "pending" | "due" | "waiting" | "missed" | "skipped";

/** What each state means, for people. */
export const STEP_STATE_TEXT: Readonly<Record<StepState, string>> = {
  done: "done",
  pending: "sent, not final yet",
  due: "next",
  waiting: "waiting",
  missed: "missed",
  skipped: "not taken",
};

/** A transaction as the timeline shows it. */
export interface TimelineTx {
  readonly hash: string;
  readonly block: number | null;
  /** Final on chain (seen by the watcher), or this coordinator's own send and its status. */
  readonly status: string;
  /** This coordinator's row (gas limit, nonce), when it sent it. */
  readonly row?: TxRow;
}

/** One of the six steps. */
export interface TimelineStep {
  readonly step: number;
  /** Two parties: leader or follower; a cycle: P0 … P7. */
  readonly actor: string;
  readonly party: string;
  /** This coordinator holds the actor's key. */
  readonly held: boolean;
  readonly leg: LegName;
  readonly chain: string;
  readonly action: string;
  readonly title: string;
  /** What the step moves: "3 × 10¹⁸ of 0x…" (none for a redeem). */
  readonly moves?: string;
  /** Unix seconds on the step's chain clock: the last second at which it is valid. */
  readonly deadline: number;
  readonly state: StepState;
  readonly tx?: TimelineTx;
}

/** A settlement, an abort or another entry after the steps. */
export interface TimelineEntry {
  readonly key: string;
  readonly kind: "settlement" | "abort" | "note";
  readonly title: string;
  readonly leg?: LegName;
  readonly chain?: string;
  /** done: it happened (event); expected: what the deadlines will do. */
  readonly state: "done" | "expected";
  /** For an expected settlement: when it becomes possible (unix seconds, the leg's chain clock: after this). */
  readonly after?: number;
  readonly tx?: TimelineTx;
  /** Local time of the event (unix ms). */
  readonly at?: number;
}

/** The leg event that completes each action. */
const DONE_BY: Readonly<Record<string, readonly string[]>> = {
  depositPremium: ["leg.premiumDeposited"],
  escrow: ["leg.escrowed", "leg.locked"],
  redeem: ["leg.redeemed"],
};

/** The last step each status proves final. */
const STEPS_DONE: Partial<Record<SwapStatus, number>> = { premiumB: 1, premiumA: 2, escrowedA: 3, escrowedB: 4, committed: 4, redeemedB: 5, completed: 6 };

const legEvent = (events: readonly EventRow[], leg: string, kinds: readonly string[]) => events.find((e) => kinds.includes(e.kind) && e.data.leg === leg);

function legOf(d: SwapDetail, name: LegName): LegDetail {
  return d.legs.find((l) => l.name === name) ?? d.legs[name === "A" ? 0 : 1]!;
}

/**
 * How many steps a status proves done, for a swap of n parties: two parties by name (`STEPS_DONE`); a
 * cycle's `premiums@k` and `escrows@k` k, `committed` 2n, `revealed` 2n+1, `completed` 3n.
 */
function stepsDone(status: string, n: number): number {
  if (n === 2) return STEPS_DONE[status as SwapStatus] ?? 0;
  const m = /^(?:premiums|escrows)@([0-9]+)$/.exec(status);
  if (m) return Number(m[1]);
  return status === "committed" ? 2 * n : status === "revealed" ? 2 * n + 1 : status === "completed" ? 3 * n : 0;
}

function stepTitle(s: StepDetail, n: number): string {
  const who = s.actor === "leader" || s.actor === "P0" ? "The leader" : s.actor === "follower" ? "The follower" : `Party ${s.actor}`;
  switch (s.action) {
    case "depositPremium":
      return `${who} deposits the premium on leg ${s.leg}`;
    case "escrow":
      return `${who} escrows the principal of leg ${s.leg}`;
    case "redeem":
      return s.step === 2 * n + 1 ? `${who} redeems leg ${s.leg}, revealing the secret` : `${who} redeems leg ${s.leg} with the revealed secret`;
    default:
      return `${who}: ${s.action} on leg ${s.leg}`;
  }
}

/** The steps of a swap (six for two parties, 3n for a cycle) with their states; `chainNow` gives a chain's time (unix seconds) now. */
export function timelineSteps(d: SwapDetail, chainNow: (chain: string) => number | undefined): TimelineStep[] {
  const status = d.swap.status;
  const provenDone = stepsDone(status, d.legs.length);
  const over = status === "aborting" || isFinalStatus(status);
  let broken = false;
  return d.steps.map((s) => {
    const leg = legOf(d, s.leg);
    const event = legEvent(d.events, s.leg, DONE_BY[s.action] ?? []);
    const own = ownTx(d.transactions, s);
    const deadline = Number(s.deadline);
    const now = chainNow(s.chain);
    let state: StepState;
    if (event || s.step <= provenDone) state = "done";
    else if (broken) state = "skipped";
    else if (now !== undefined && now > deadline) {
      state = "missed";
      broken = true;
    } else if (over) {
      // Aborting or over before this step's deadline (the secret withheld, a cooperative abort): never taken.
      state = "skipped";
      broken = true;
    } else if (own && own.status !== "reverted" && own.status !== "dropped") state = "pending";
    else state = "due";
    if (state === "missed" && isCooperativeAbort(d)) state = "skipped";
    const tx: TimelineTx | undefined = event
      ? { hash: String(event.data.txHash), block: typeof event.data.blockNumber === "number" ? event.data.blockNumber : null, status: "final", ...(own && own.hash === event.data.txHash ? { row: own } : {}) }
      : own
        ? { hash: own.hash, block: own.blockNumber, status: own.status, row: own }
        : undefined;
    const moves = s.action === "depositPremium" ? `${formatAmount(leg.premiumAmount)} of ${shortHex(leg.premiumToken)}` : s.action === "escrow" ? `${formatAmount(leg.amount)} of ${shortHex(leg.token)}` : undefined;
    return {
      step: s.step,
      actor: s.actor,
      party: s.party,
      // Two parties: the role's flag; a cycle's step (actor P<i>): whether this coordinator holds party i.
      held: s.actor === "leader" || s.actor === "follower" ? d.swap.roles[s.actor] : (d.parties ?? []).some((p) => `P${p.index}` === s.actor && p.held),
      leg: s.leg,
      chain: s.chain,
      action: s.action,
      title: stepTitle(s, d.legs.length),
      ...(moves ? { moves } : {}),
      deadline,
      state,
      ...(tx ? { tx } : {}),
    };
  }).map((t, i, all) => (t.state === "due" && all.slice(0, i).some((p) => p.state === "due" || p.state === "pending") ? { ...t, state: "waiting" as const } : t));
}

/** This coordinator's transaction for a step: the mined one, else the latest attempt. */
function ownTx(txs: readonly TxRow[], s: StepDetail): TxRow | undefined {
  const mine = txs.filter((t) => t.leg === s.leg && t.action === s.action);
  return mine.find((t) => t.status === "mined") ?? mine[mine.length - 1];
}

function isCooperativeAbort(d: SwapDetail): boolean {
  return d.events.some((e) => e.kind === "leg.aborted" || e.kind === "abort.sent" || e.kind === "abort.consented");
}

/** A leg's state from its final events: the kind of its last leg event, without the prefix. */
export function legState(d: SwapDetail, leg: LegName): string {
  let state = "none";
  for (const e of d.events) if (e.kind.startsWith("leg.") && e.data.leg === leg) state = e.kind.slice(4);
  return state;
}

function ownAbortTx(d: SwapDetail, leg: string): TxRow | undefined {
  return d.transactions.filter((t) => t.leg === leg && (t.action === "settle" || t.action === "abort")).at(-1);
}

/** Settlements and aborts: those that happened (leg events), then those the deadlines will bring (while the swap is aborting). */
export function timelineEntries(d: SwapDetail): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of d.events) {
    const leg: LegName | undefined = typeof e.data.leg === "string" && /^[A-H]$/.test(e.data.leg) ? (e.data.leg as LegName) : undefined;
    const l = leg ? legOf(d, leg) : undefined;
    const tx = (hash: unknown): TimelineTx | undefined =>
      typeof hash === "string" ? { hash, block: typeof e.data.blockNumber === "number" ? e.data.blockNumber : null, status: "final", ...(leg && ownAbortTx(d, leg)?.hash === hash ? { row: ownAbortTx(d, leg)! } : {}) } : undefined;
    const base = { key: `e${e.id}`, at: e.at, ...(leg ? { leg } : {}), ...(l ? { chain: l.chain } : {}) };
    const t = tx(e.data.txHash);
    switch (e.kind) {
      case "leg.refunded":
        out.push({ ...base, kind: "settlement", state: "done", title: `Leg ${leg} settled after its timeout: never redeemed; ${toEscrower(l!)}`, ...(t ? { tx: t } : {}) });
        break;
      case "leg.premiumRefunded":
        out.push({ ...base, kind: "settlement", state: "done", title: `Leg ${leg} settled after its escrow deadline: never escrowed; the premium ${formatAmount(l!.premiumAmount)} back to the redeemer ${shortHex(l!.redeemer)}`, ...(t ? { tx: t } : {}) });
        break;
      case "leg.aborted":
        out.push({ ...base, kind: "abort", state: "done", title: `Leg ${leg} aborted cooperatively: the principal back to the escrower, the premium back to the redeemer`, ...(t ? { tx: t } : {}) });
        break;
      case "abort.consented":
        out.push({ ...base, kind: "abort", state: "done", title: `This coordinator signed the redeemer's consent to abort leg ${leg}` });
        break;
      case "abort.sent":
        out.push({ ...base, kind: "abort", state: "done", title: `This coordinator sent the escrower's abort of leg ${leg}`, ...(typeof e.data.hash === "string" ? { tx: { hash: e.data.hash, block: null, status: "sent" } } : {}) });
        break;
      case "reveal.forsworn":
        out.push({ ...base, kind: "note", state: "done", title: "The leader vowed never to reveal the secret for this swap (before consenting to abort leg B)" });
        break;
      case "escrow.forsworn":
        out.push({ ...base, kind: "note", state: "done", title: "The follower vowed never to escrow leg B for this swap (before consenting to abort leg A)" });
        break;
      case "credit.withdrawing":
        out.push({ ...base, kind: "settlement", state: "done", title: `A payout the escrow could not push was credited: withdrawing ${formatAmount(String(e.data.amount))} of the credit ${formatAmount(String(e.data.credit))} of ${shortHex(String(e.data.token))} to ${shortHex(String(e.data.party))}`, ...(typeof e.data.hash === "string" ? { tx: { hash: e.data.hash, block: null, status: "sent" } } : {}) });
        break;
      case "credit.stuck":
        out.push({ ...base, kind: "settlement", state: "done", title: `A credit no withdrawal can move: ${formatAmount(String(e.data.credit))} of ${shortHex(String(e.data.token))} for ${shortHex(String(e.data.party))} (the token refuses every amount tried)` });
        break;
      default:
        if (/credit/i.test(e.kind)) out.push({ ...base, kind: "settlement", state: "done", title: `${e.kind}: ${compactData(e.data)}` });
    }
  }
  if (d.swap.status === "aborting") {
    for (const l of d.legs) {
      if (l.outcome !== null) continue;
      const state = legState(d, l.name);
      if (state === "escrowed" || state === "locked") {
        out.push({ key: `x${l.name}`, kind: "settlement", state: "expected", leg: l.name, chain: l.chain, after: Number(l.timeout), title: `Leg ${l.name} settles after its timeout: ${toEscrower(l)}` });
      } else if (state === "premiumDeposited") {
        out.push({ key: `x${l.name}`, kind: "settlement", state: "expected", leg: l.name, chain: l.chain, after: Number(l.escrowDeadline), title: `Leg ${l.name} settles after its escrow deadline: the premium ${formatAmount(l.premiumAmount)} back to the redeemer ${shortHex(l.redeemer)}` });
      }
    }
  }
  return out;
}

/** A leg escrowed and never redeemed pays its principal back to the escrower, and the redeemer's premium to the escrower too. */
function toEscrower(l: LegDetail): string {
  const principal = `the principal ${formatAmount(l.amount)} back to the escrower ${shortHex(l.escrower)}`;
  return BigInt(l.premiumAmount) > 0n ? `${principal}, and the redeemer's premium ${formatAmount(l.premiumAmount)} to the escrower as well` : principal;
}

/** Who got what from a leg, once it is over (from its outcome and premium mode, `PROTOCOLS.md` §2). */
export function legPayout(l: LegDetail): string {
  const premium = BigInt(l.premiumAmount) > 0n;
  const p = `${formatAmount(l.premiumAmount)} of ${shortHex(l.premiumToken)}`;
  const a = `${formatAmount(l.amount)} of ${shortHex(l.token)}`;
  switch (l.outcome) {
    case "redeemed":
      return `${a} to the redeemer ${shortHex(l.redeemer)}` + (premium ? (l.premiumMode === "option" ? `; premium ${p} to the escrower ${shortHex(l.escrower)} (the option's fee)` : `; premium ${p} back to the redeemer`) : "");
    case "refunded":
      return `${a} back to the escrower ${shortHex(l.escrower)}` + (premium ? `; premium ${p} to the escrower too` : "");
    case "premiumRefunded":
      return `never escrowed; premium ${p} back to the redeemer ${shortHex(l.redeemer)}`;
    case "aborted":
      return `aborted: ${a} back to the escrower ${shortHex(l.escrower)}` + (premium ? `; premium ${p} back to the redeemer ${shortHex(l.redeemer)}` : "");
    case null:
      return "not over yet";
    default:
      return l.outcome;
  }
}

/** What a final outcome label means (`PROTOCOLS.md` §3's scenario matrix). */
export function outcomeText(outcome: string | null): string {
  const known: Record<string, string> = {
    completed: "completed: all six steps",
    exercised: "option exercised: both legs redeemed",
    abandoned: "option left to expire: both legs refunded to their escrowers",
    S0: "S0: nobody acted",
    S1: "S1: the follower never deposited its premium; the leader's premium came back",
    S2: "S2: the leader never escrowed; both premiums came back",
    S3: "S3: the follower never escrowed; its premium pays the leader",
    S4: "S4: the leader never revealed the secret (sore loser); its premium pays the follower",
    S5: "S5: the follower never redeemed; only the deviator loses",
    "A:aborted B:aborted": "aborted cooperatively: everything back to where it came from",
  };
  return outcome === null ? "" : (known[outcome] ?? outcome);
}

// ---- Attention ----

/** One reason to look at a swap. */
export interface Notice {
  readonly level: "danger" | "warning" | "info";
  readonly code: "deviation" | "deadline-unreachable" | "action-refused" | "rpc-down" | "credit" | "abort-vow";
  readonly text: string;
}

/**
 * What needs attention in a swap: a step the counterparty (or this coordinator) missed and the abort
 * branch, steps this coordinator can no longer take in time (`deadline.unreachable`), refused actions,
 * an unreachable chain of the swap, credits. `down` maps chain names to the reason they are unreachable.
 */
export function attention(d: SwapDetail, steps: readonly TimelineStep[], down: ReadonlyMap<string, string>): Notice[] {
  const notices: Notice[] = [];
  const final = isFinalStatus(d.swap.status);
  if (!final) {
    for (const s of steps.filter((t) => t.state === "missed")) {
      const who = s.held ? `This coordinator's ${s.actor}` : `The counterparty (the ${s.actor}, ${shortHex(s.party)})`;
      notices.push({ level: "danger", code: "deviation", text: `${who} did not take step ${s.step} (${s.action} on leg ${s.leg}, chain ${s.chain}) by its deadline ${formatChainTime(s.deadline)}; the swap takes the abort branch and the deadlines settle it` });
    }
    if (d.swap.status === "aborting" && !notices.some((n) => n.code === "deviation")) {
      notices.push({ level: "danger", code: "deviation", text: "The swap is aborting: a step can no longer be taken in time; the deadlines settle it" });
    }
    for (const e of d.events.filter((x) => x.kind === "deadline.unreachable")) {
      const reason = e.data.reason === "reveal-margin" ? "the reveal could be mined after leg B's timeout, so the secret is withheld (abort branch)" : "it could no longer be mined before its deadline, so it was not sent";
      notices.push({ level: "warning", code: "deadline-unreachable", text: `Step ${String(e.data.step)} is unreachable: ${reason} (deadline ${formatChainTime(Number(e.data.deadline))})` });
    }
    const refused = new Map<string, EventRow>();
    for (const e of d.events) if (e.kind === "action.refused") refused.set(`${String(e.data.step)}:${String(e.data.leg)}`, e);
    for (const e of refused.values()) {
      const step = steps.find((s) => String(s.step) === String(e.data.step));
      if (step && (step.state === "done" || step.state === "skipped")) continue;
      notices.push({ level: "warning", code: "action-refused", text: `Step ${String(e.data.step)} (${String(e.data.action)} on leg ${String(e.data.leg)}) was refused before sending: ${String(e.data.code)} ${String(e.data.reason ?? "").slice(0, 160)}` });
    }
    for (const chain of new Set(d.legs.map((l) => l.chain))) {
      const reason = down.get(chain);
      if (reason !== undefined) notices.push({ level: "danger", code: "rpc-down", text: `RPC down: chain ${chain} is unreachable (${reason || "no answer"}); this swap's steps and settlements on it wait` });
    }
    if (d.swap.neverReveal) notices.push({ level: "info", code: "abort-vow", text: "Cooperative abort under way: the leader vowed never to reveal the secret" });
    if (d.swap.neverEscrow) notices.push({ level: "info", code: "abort-vow", text: "Cooperative abort under way: the follower vowed never to escrow leg B" });
  }
  // Credits: payouts the escrow could not push (a rejecting recipient, a token's per-transfer limit).
  // The coordinator withdraws them by itself (`credit.withdrawing`, in parts when needed); one that no
  // amount can move is stuck (`credit.stuck`) and needs a person.
  for (const e of d.events.filter((x) => /credit/i.test(x.kind))) {
    if (e.kind === "credit.stuck") {
      notices.push({ level: "danger", code: "credit", text: `Credit stuck: ${formatAmount(String(e.data.credit))} of ${shortHex(String(e.data.token))} for ${shortHex(String(e.data.party))} cannot be withdrawn (the token refuses every amount tried, ${String(e.data.simulations)} simulations); withdraw it by hand once the token allows it` });
    } else if (e.kind === "credit.withdrawing") {
      notices.push({ level: "info", code: "credit", text: `Payout credited, being withdrawn: ${formatAmount(String(e.data.amount))} of the credit ${formatAmount(String(e.data.credit))} of ${shortHex(String(e.data.token))}` });
    } else notices.push({ level: "warning", code: "credit", text: `${e.kind}: ${compactData(e.data)}` });
  }
  return notices;
}

/** True when a swap needs someone to look: a danger or warning notice, or the abort branch. */
export function needsAttention(status: string, notices: readonly Notice[]): boolean {
  return status === "aborting" || notices.some((n) => n.level !== "info");
}

/** The next deadline of each leg that is not over: its next step, else its settlement (the leg's chain clock). */
export function legDeadlines(d: SwapDetail, steps: readonly TimelineStep[]): { leg: LegName; chain: string; what: string; deadline: number }[] {
  if (isFinalStatus(d.swap.status)) return [];
  const out: { leg: LegName; chain: string; what: string; deadline: number }[] = [];
  for (const l of d.legs) {
    const next = steps.find((s) => s.leg === l.name && (s.state === "due" || s.state === "pending" || s.state === "waiting"));
    if (next && d.swap.status !== "aborting") {
      out.push({ leg: l.name, chain: l.chain, what: `step ${next.step}`, deadline: next.deadline });
      continue;
    }
    if (l.outcome !== null) continue;
    const state = legState(d, l.name);
    if (state === "escrowed" || state === "locked") out.push({ leg: l.name, chain: l.chain, what: "timeout", deadline: Number(l.timeout) });
    else if (state === "premiumDeposited") out.push({ leg: l.name, chain: l.chain, what: "escrow deadline", deadline: Number(l.escrowDeadline) });
    else out.push({ leg: l.name, chain: l.chain, what: "premium deadline", deadline: Number(l.premiumDeadline) });
  }
  return out;
}

// ---- Formatting ----

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/**
 * An integer amount in base units, exactly: `100 × 10¹⁸`, `15 × 10¹⁷`, `5 × 10⁶`, `123,456` (the
 * tokens' decimals are not known here; 10¹⁸ is the usual whole token, so it is the largest power shown).
 */
export function formatAmount(amount: string): string {
  if (!/^[0-9]+$/.test(amount)) return amount;
  const digits = amount.replace(/^0+(?=[0-9])/, "");
  const zeros = digits === "0" ? 0 : digits.length - digits.replace(/0+$/, "").length;
  if (zeros < 6) return digits.replace(/\B(?=([0-9]{3})+(?![0-9]))/g, ",");
  const power = Math.min(zeros, 18);
  const e = String(power).split("").map((c) => SUPERSCRIPT[Number(c)]).join("");
  return `${digits.slice(0, digits.length - power).replace(/\B(?=([0-9]{3})+(?![0-9]))/g, ",")} × 10${e}`;
}

/** `0x1234…abcd`. */
export function shortHex(hex: string, keep = 4): string {
  return hex.length > 2 + 2 * keep + 1 ? `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}` : hex;
}

/** A duration in seconds, e.g. `45 s`, `3 min 05 s`, `2 h 01 min`, `3 d 4 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Time to a deadline on a chain's clock: `in 12 s`, `passed 5 s ago`, or unknown. */
export function formatLeft(deadline: number, now: number | undefined): string {
  if (now === undefined) return "time left unknown (no chain clock yet)";
  const left = deadline - now;
  return left >= 0 ? `in ${formatDuration(left)}` : `passed ${formatDuration(left)} ago`;
}

/** A chain timestamp (unix seconds) as `2026-01-02 12:34:56 UTC`. */
export function formatChainTime(unix: number): string {
  if (!Number.isFinite(unix)) return String(unix);
  return new Date(unix * 1000).toISOString().replace("T", " ").replace(/\.[0-9]+Z$/, " UTC");
}

/** An event's data as `key=value` pairs (short). */
export function compactData(data: Readonly<Record<string, unknown>>): string {
  return Object.entries(data)
    .map(([k, v]) => `${k}=${typeof v === "string" && /^0x[0-9a-fA-F]{40,}$/.test(v) ? shortHex(v) : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" ")
    .slice(0, 300);
}

/** A swap id as the URL carries it: 0x and 64 hex digits. */
export const SWAP_ID = /^0x[0-9a-fA-F]{64}$/;
