/**
 * The reference dApp's page: the user (Alice, the leader) sells chain A's token to a market maker
 * (Bob) for chain B's token in a premium-hedged swap (`PROTOCOLS.md` §3).
 *
 * - Connect: `eth_requestAccounts`; balances on both chains, read through each chain's own RPC URL.
 * - Offer: the terms from Bob's quote are checked by the SDK planner (`planHedgedSwap`: Δ, deadlines,
 *   premiums) and against the balances before the wallet is asked for anything; then the seed
 *   signature (once per page load), the offer signature (`signOffer`, `eth_signTypedData_v4`), and the
 *   maker countersigns and hands the offer to Bob's coordinator, which takes steps 2, 4 and 6.
 * - Steps 1, 3 and 5 are the user's, sent through the wallet, each only when the SDK's rule
 *   (`decideNext`) gives it, re-checked on fresh reads just before sending; step 5 reveals the secret
 *   and is withheld when the redeem could be mined after leg B's timeout.
 * - Recovery: the seed comes from the wallet's signature (./seed.ts), the signed offers from
 *   localStorage or a pasted copy; `recover()` redeems and settles what the rule allows.
 */
import { parseUnits } from "ethers";

import {
  deriveSecret,
  depositPremium,
  escrowPrincipal,
  hashlockOf,
  offerDigest,
  offerToJson,
  planFromOffer,
  planHedgedSwap,
  recover,
  redeem,
  settle,
  signOffer,
  signedOfferFromJson,
  signedOfferToJson,
  verifyOfferSignatures,
  type Intent,
  type PartyDecision,
  type RecoveryReport,
  type SignedOffer,
  type SwapPlan,
} from "../../../src/sdk";
import { quoteAmounts, termsFromQuote, type DappConfig, type MakerQuote } from "../shared";
import {
  ApiUnreachableError,
  CounterpartyRefusedError,
  InvalidInputError,
  MalformedOfferError,
  StepNotAllowedError,
  explain,
} from "./errors";
import { deriveSeed } from "./seed";
import { currentSwapId, saveSeedCheck, saveSwap, saveTx, savedSwaps, seedCheck, setCurrent, type SavedSwap } from "./storage";
import {
  SEED_SCAN,
  balances,
  checkFunds,
  connectChains,
  decide,
  finished,
  freeIndex,
  readSnapshot,
  revealAllowed,
  secretFor,
  timeline,
  units,
  type Chains,
  type Snapshot,
} from "./swap";
import { InjectedWallet, injectedProvider, type WalletChainSigner } from "./wallet";

/** The swap on screen. */
interface Current {
  saved: SavedSwap;
  signed: SignedOffer;
  plan: SwapPlan;
  secret?: string;
}

interface State {
  config: DappConfig;
  quote: MakerQuote;
  chains: Chains;
  wallet?: InjectedWallet;
  seed?: string;
  current?: Current;
  snap?: Snapshot;
  decision?: PartyDecision;
  /** The user's sends in flight, as `action:leg` (the rule's `pending`). */
  pending: Set<string>;
  busy: boolean;
  bob: { up: boolean; status?: string; txs: Record<string, string> };
}

let S: State;

// ---------------------------------------------------------------- DOM helpers

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`no #${id}`);
  return e as T;
}

function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

const short = (h: string) => `${h.slice(0, 10)}…${h.slice(-6)}`;

function log(text: string): void {
  const list = $("log");
  list.prepend(el("li", {}, `${new Date().toLocaleTimeString()} — ${text}`));
  while (list.children.length > 100) list.lastChild?.remove();
}

function showError(e: unknown): void {
  const x = explain(e);
  const box = $("error");
  box.dataset.code = x.code;
  $("error-title").textContent = x.title;
  $("error-text").textContent = x.text;
  box.hidden = false;
  notice(undefined);
  log(`${x.title}: ${x.text}`);
}

function clearError(): void {
  const box = $("error");
  box.hidden = true;
  delete box.dataset.code;
}

function notice(text: string | undefined): void {
  const n = $("notice");
  n.hidden = text === undefined;
  n.textContent = text ?? "";
}

/** Runs a user action: one at a time, errors shown, the screen refreshed after. */
async function guard(fn: () => Promise<void>): Promise<void> {
  if (S.busy) return;
  S.busy = true;
  document.body.dataset.busy = "1";
  clearError();
  renderControls();
  try {
    await fn();
  } catch (e) {
    showError(e);
  } finally {
    S.busy = false;
    delete document.body.dataset.busy;
    renderControls();
    void refresh();
  }
}

// ---------------------------------------------------------------- wallet and seed

function wallet(): InjectedWallet {
  S.wallet ??= new InjectedWallet(injectedProvider());
  return S.wallet;
}

function signer(leg: "A" | "B"): WalletChainSigner {
  const c = S.chains[leg];
  return wallet().signerFor(c.info, c.provider);
}

async function connect(): Promise<void> {
  const account = await wallet().connect();
  S.seed = undefined;
  $("account").textContent = account;
  $("connect").textContent = "Reconnect";
  log(`connected ${account}`);
  const mine = savedSwaps(account);
  if (S.current && S.current.saved.account !== account.toLowerCase()) S.current = undefined;
  if (!S.current && mine[0]) select(mine[0]);
  await renderNetwork();
}

/** The seed, from the wallet's signature (asked once per page load and account). */
async function ensureSeed(): Promise<string> {
  if (S.seed) return S.seed;
  const account = wallet().account;
  const { seed, check } = await deriveSeed(wallet(), seedCheck(account));
  saveSeedCheck(account, check);
  S.seed = seed;
  log("seed derived from your wallet signature (kept in memory only)");
  if (S.current && !S.current.secret) {
    const secret = secretFor(seed, S.current.plan, S.current.saved.index);
    if (secret) S.current.secret = secret;
  }
  return seed;
}

// ---------------------------------------------------------------- the counterparty

async function apiHealth(): Promise<void> {
  const url = S.config.coordinatorApi;
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(4000) });
  } catch (e) {
    throw new ApiUnreachableError(url, e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) throw new ApiUnreachableError(url, `HTTP ${res.status}`);
}

async function countersign(plan: SwapPlan, leaderSignature: string): Promise<SignedOffer> {
  const url = `${S.config.makerUrl}/offers`;
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ offer: offerToJson(plan.offer), leaderSignature }) });
  } catch (e) {
    throw new ApiUnreachableError(url, e instanceof Error ? e.message : String(e));
  }
  const body = (await res.json().catch(() => ({}))) as { signed?: unknown; error?: string; message?: string; details?: Record<string, unknown> };
  if (res.status !== 201) {
    if (body.error === "COORDINATOR_UNREACHABLE") throw new ApiUnreachableError(S.config.coordinatorApi, body.message ?? "through the maker");
    throw new CounterpartyRefusedError(res.status, body.error ?? `HTTP_${res.status}`, body.message ?? "", body.details ?? {});
  }
  const signed = signedOfferFromJson(body.signed);
  verifyOfferSignatures(signed);
  if (offerDigest(signed.offer) !== plan.id) throw new CounterpartyRefusedError(res.status, "OFFER_CHANGED", "the countersigned offer is not the one you signed", {});
  return signed;
}

/** Bob's coordinator's view of the swap (its status and its transactions), read over its API (CORS). */
async function readBob(id: string): Promise<void> {
  try {
    const res = await fetch(`${S.config.coordinatorApi}/swaps/${id}`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) {
      S.bob = { up: true, status: res.status === 404 ? "unknown to Bob's coordinator" : `HTTP ${res.status}`, txs: {} };
      return;
    }
    const d = (await res.json()) as { swap: { status: string }; steps: { step: number; actor: string; tx: { hash: string } | null }[] };
    const txs: Record<string, string> = {};
    for (const s of d.steps) if (s.actor === "follower" && s.tx) txs[String(s.step)] = s.tx.hash;
    S.bob = { up: true, status: d.swap.status, txs };
  } catch {
    S.bob = { up: false, txs: S.bob.txs };
  }
}

// ---------------------------------------------------------------- offer

function readForm(): { amountA: bigint; delta: bigint; allowanceOnly: boolean } {
  const text = $<HTMLInputElement>("amount").value.trim();
  let amountA: bigint;
  try {
    amountA = parseUnits(text, S.config.chains.A.token.decimals);
  } catch {
    throw new InvalidInputError("the amount", "must be a decimal number", text);
  }
  if (amountA <= 0n) throw new InvalidInputError("the amount", "must be positive", text);
  const d = $<HTMLInputElement>("delta").value.trim();
  if (!/^[0-9]{1,9}$/.test(d)) throw new InvalidInputError("Δ", "must be a whole number of seconds", d);
  return { amountA, delta: BigInt(d), allowanceOnly: $<HTMLSelectElement>("funding").value === "allowance" };
}

async function chainsNow(): Promise<bigint> {
  const [a, b] = await Promise.all([S.chains.A.provider.getBlock("latest"), S.chains.B.provider.getBlock("latest")]);
  return BigInt(Math.max(a?.timestamp ?? 0, b?.timestamp ?? 0));
}

/** Builds, checks and signs the offer; the maker countersigns. Every check runs before the first wallet prompt. */
async function signNewOffer(): Promise<void> {
  const account = wallet().account;
  const { amountA, delta, allowanceOnly } = readForm();
  const minDelta = BigInt(S.config.minDelta);
  await apiHealth();
  // The planner's checks (Δ, deadlines, premiums) on the real terms with a stand-in hashlock: typed errors, no prompt yet.
  const probeNow = await chainsNow();
  planHedgedSwap(termsFromQuote(S.config, S.quote, { leader: account, hashlock: hashlockOf(`0x${"11".repeat(32)}`), start: probeNow, delta, amountA }), { now: probeNow, minDelta });
  const { premiumB } = quoteAmounts(S.quote, amountA);
  await checkFunds(S.chains.A, account, amountA, "step 3 (your escrow on leg A)", allowanceOnly);
  await checkFunds(S.chains.B, account, premiumB, "step 1 (your premium on leg B)", allowanceOnly);

  const seed = await ensureSeed();
  const used = savedSwaps(account).map((s) => String((s.signed.offer as { hashlock?: unknown } | undefined)?.hashlock ?? ""));
  const index = await freeIndex(seed, S.chains, account, used);
  const secret = deriveSecret(seed, index);
  const start = await chainsNow();
  const plan = planHedgedSwap(termsFromQuote(S.config, S.quote, { leader: account, hashlock: hashlockOf(secret), start, delta, amountA }), { now: start, minDelta });
  const leaderSignature = await signOffer(signer("B"), plan.offer);
  log(`you signed offer ${short(plan.id)}`);
  const signed = await countersign(plan, leaderSignature);
  log("Bob countersigned; his coordinator accepted the swap");
  const saved: SavedSwap = { id: plan.id, account: account.toLowerCase(), signed: signedOfferToJson(signed), index, savedAt: Date.now(), txs: {} };
  saveSwap(saved);
  S.current = { saved, signed, plan, secret };
  S.snap = undefined;
  notice(`Offer signed by both. Next: step 1, your premium of ${units(plan.legB.leg.premiumAmount, S.config.chains.B.token.decimals)} ${S.config.chains.B.token.symbol} on chain B.`);
}

/** Loads a pasted signed offer (a backup, another device): checked, then saved and shown. */
async function loadPasted(): Promise<void> {
  const text = $<HTMLTextAreaElement>("paste").value.trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new MalformedOfferError(`the text is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const signed = signedOfferFromJson(value);
  verifyOfferSignatures(signed);
  const plan = planFromOffer(signed.offer, { skipTimeChecks: true, minDelta: 0n });
  const { A, B } = S.config.chains;
  const on = (leg: typeof plan.offer.legA, c: typeof A) => leg.chainId === BigInt(c.chainId) && leg.escrow.toLowerCase() === c.escrow.toLowerCase();
  if (!on(plan.offer.legA, A) || !on(plan.offer.legB, B)) throw new MalformedOfferError("the offer's legs are not on this dApp's chains and escrows");
  if (S.wallet?.connected && plan.offer.leader.toLowerCase() !== S.wallet.account.toLowerCase()) {
    throw new MalformedOfferError(`the offer's leader is ${plan.offer.leader}, not your account ${S.wallet.account}`);
  }
  const previous = savedSwaps().find((s) => s.id === plan.id);
  const saved: SavedSwap = previous ?? { id: plan.id, account: plan.offer.leader.toLowerCase(), signed: signedOfferToJson(signed), index: null, savedAt: Date.now(), txs: {} };
  saveSwap(saved);
  select(saved);
  log(`loaded signed offer ${short(plan.id)}`);
}

function select(saved: SavedSwap): void {
  const signed = signedOfferFromJson(saved.signed);
  const plan = planFromOffer(signed.offer, { skipTimeChecks: true, minDelta: 0n });
  const secret = S.seed ? secretFor(S.seed, plan, saved.index) : undefined;
  S.current = { saved, signed, plan, ...(secret ? { secret } : {}) };
  S.snap = undefined;
  S.decision = undefined;
  S.bob = { up: true, txs: {} };
  setCurrent(saved.id);
  renderSaved();
}

// ---------------------------------------------------------------- steps

const STEP_KEY = (i: Pick<Intent, "step" | "leg">) => (i.step === "settle" ? `settle ${i.leg}` : String(i.step));

function intentLabel(i: Pick<Intent, "step" | "leg" | "action">, plan: SwapPlan): string {
  const c = S.config.chains;
  const amt = (x: bigint, leg: "A" | "B") => `${units(x, c[leg].token.decimals)} ${c[leg].token.symbol}`;
  if (i.step === 1) return `Step 1: deposit your premium (${amt(plan.legB.leg.premiumAmount, "B")} on chain B)`;
  if (i.step === 3) return `Step 3: escrow ${amt(plan.legA.leg.amount, "A")} on chain A`;
  if (i.step === 5) return `Step 5: redeem ${amt(plan.legB.leg.amount, "B")} on chain B (reveals the secret)`;
  return `Settle leg ${i.leg} on chain ${i.leg}`;
}

/** What the action button offers: the rule's first intent, or step 5 behind the seed when the rule would allow it. */
function nextAction(): Pick<Intent, "step" | "leg" | "action"> | undefined {
  const cur = S.current;
  if (!cur || !S.snap || !S.decision) return undefined;
  const first = S.decision.intents[0];
  if (first) return first;
  if (!cur.secret && revealAllowed(S.config, cur.plan, S.snap)) return { step: 5, leg: "B", action: "redeem" };
  return undefined;
}

/** Takes one of the user's steps, after asking the rule again on fresh reads. */
async function perform(want: Pick<Intent, "step" | "leg" | "action">): Promise<void> {
  const cur = S.current!;
  const plan = cur.plan;
  const account = wallet().account;
  const label = intentLabel(want, plan);
  const allowanceOnly = $<HTMLSelectElement>("funding").value === "allowance";
  if (want.step === 1) await checkFunds(S.chains.B, account, plan.legB.leg.premiumAmount, "step 1 (your premium on leg B)", allowanceOnly);
  if (want.step === 3) await checkFunds(S.chains.A, account, plan.legA.leg.amount, "step 3 (your escrow on leg A)", allowanceOnly);
  if (want.step === 5 && !cur.secret) {
    const seed = await ensureSeed();
    const secret = secretFor(seed, plan, cur.saved.index);
    if (!secret) throw new StepNotAllowedError("step 5", "your seed does not open this swap's hashlock (was it made with another wallet?)");
    cur.secret = secret;
  }
  const fresh = await readSnapshot(S.chains, plan);
  const decision = decide(S.config, plan, fresh, cur.secret, S.pending);
  const intent = decision.intents.find((i) => i.step === want.step && i.leg === want.leg);
  if (!intent) {
    const missed = decision.missed.find((m) => m.step === want.step);
    throw new StepNotAllowedError(label, missed?.reason === "reveal-margin" ? "the redeem could be mined after leg B's timeout, so the secret is withheld" : missed ? "it can no longer land before its deadline" : "the chains no longer allow it");
  }
  const key = `${intent.action}:${intent.leg}`;
  const leg = intent.leg === "A" ? plan.legA : plan.legB;
  const opts = {
    confirmations: S.config.chains[intent.leg].confirmations,
    onSent: (hash: string) => {
      saveTx(cur.saved.id, STEP_KEY(intent), hash);
      cur.saved = { ...cur.saved, txs: { ...cur.saved.txs, [STEP_KEY(intent)]: hash } };
      log(`${label}: sent ${short(hash)}`);
    },
  };
  S.pending.add(key);
  try {
    if (intent.action === "depositPremium") await depositPremium(signer(intent.leg), leg, opts);
    else if (intent.action === "escrow") await escrowPrincipal(signer(intent.leg), leg, opts);
    else if (intent.action === "redeem") await redeem(signer(intent.leg), leg, intent.secret!, opts);
    else await settle(signer(intent.leg), leg, opts);
  } finally {
    S.pending.delete(key);
  }
  log(`${label}: mined`);
  notice(undefined);
}

async function runRecovery(): Promise<void> {
  const account = wallet().account;
  const seed = await ensureSeed();
  const mine = savedSwaps(account);
  const agreed = mine.map((s) => signedOfferFromJson(s.signed));
  const chain = (name: "A" | "B") => {
    const c = S.chains[name];
    const i = c.info;
    return { runner: signer(name), at: c.at, fromBlock: i.deploymentBlock, confirmations: i.confirmations, safety: { inclusionTime: BigInt(i.inclusionTime), clockSkew: BigInt(i.clockSkew), blockInterval: BigInt(i.blockInterval) } };
  };
  const report = await recover([chain("A"), chain("B")], { account, seed, agreed, seedScan: SEED_SCAN, reactionMargin: BigInt(S.config.reactionMargin) });
  renderReport(report, agreed.map((a) => planFromOffer(a.offer, { skipTimeChecks: true, minDelta: 0n })));
  if (S.current && !S.current.secret) {
    const secret = secretFor(seed, S.current.plan, S.current.saved.index);
    if (secret) S.current.secret = secret;
  }
  log(`recovery: ${report.steps.length} legs looked at, ${report.transactions.length} transactions sent`);
}

// ---------------------------------------------------------------- rendering

async function renderNetwork(): Promise<void> {
  const badge = $("network");
  if (!S.wallet?.connected) return;
  try {
    const id = await S.wallet.chainId();
    const name = id === BigInt(S.config.chains.A.chainId) ? "A" : id === BigInt(S.config.chains.B.chainId) ? "B" : undefined;
    badge.textContent = name ? `wallet on chain ${name} (${id})` : `wallet on chain ${id}: not chain A or B`;
    badge.className = name ? "badge ok" : "badge warn";
    badge.title = name ? "" : `This dApp uses chain A (${S.config.chains.A.chainId}) and chain B (${S.config.chains.B.chainId}); it asks the wallet to switch when a step needs it.`;
  } catch {
    badge.textContent = "wallet unreachable";
    badge.className = "badge warn";
  }
}

async function renderBalances(): Promise<void> {
  if (!S.wallet?.connected) return;
  const rows = await balances(S.chains, S.wallet.account);
  const table = $("balances");
  const body = table.querySelector("tbody")!;
  body.replaceChildren(
    ...rows.map((r) => {
      const info = S.config.chains[r.chain];
      return el("tr", { "data-chain": r.chain }, el("td", {}, `chain ${r.chain}`), el("td", {}, info.chainId), el("td", {}, units(r.eth, 18).replace(/(\.\d{4})\d+$/, "$1")), el("td", { class: "token" }, `${units(r.token, info.token.decimals)} ${info.token.symbol}`));
    }),
  );
  table.hidden = false;
}

function renderSummary(): void {
  const out = $("summary");
  try {
    const { amountA, delta } = readForm();
    const { amountB, premiumA, premiumB } = quoteAmounts(S.quote, amountA);
    const a = S.config.chains.A.token;
    const b = S.config.chains.B.token;
    out.textContent =
      `You send ${units(amountA, a.decimals)} ${a.symbol} on chain A and receive ${units(amountB, b.decimals)} ${b.symbol} on chain B. ` +
      `Premiums: you deposit ${units(premiumB, b.decimals)} ${b.symbol} on B (p_a + p_b, back to you when the swap completes; Bob's if you walk away after he escrowed), ` +
      `Bob deposits ${units(premiumA, a.decimals)} ${a.symbol} on A (p_b, yours if he walks away after you escrowed). ` +
      `Deadlines are T0 + kΔ: everything is settled by 6Δ = ${Number(delta * 6n) / 60} min.`;
  } catch (e) {
    out.textContent = explain(e).text;
  }
}

function renderControls(): void {
  const connected = S.wallet?.connected ?? false;
  $<HTMLButtonElement>("sign-offer").disabled = !connected || S.busy;
  $<HTMLButtonElement>("recover").disabled = !connected || S.busy;
  $<HTMLButtonElement>("connect").disabled = S.busy;
  $<HTMLButtonElement>("load-offer").disabled = S.busy;
  const act = $<HTMLButtonElement>("act");
  const next = connected ? nextAction() : undefined;
  act.hidden = next === undefined;
  act.disabled = S.busy || S.pending.size > 0;
  if (next && S.current) {
    act.textContent = intentLabel(next, S.current.plan) + (next.step === 5 && !S.current.secret ? " — asks for your seed signature first" : "");
    act.dataset.step = String(next.step);
    act.dataset.leg = next.leg;
  }
}

function fmtLeft(left: bigint): string {
  const s = left < 0n ? -left : left;
  const text = s >= 60n ? `${s / 60n}m ${s % 60n}s` : `${s}s`;
  return left < 0n ? `passed ${text} ago` : `in ${text}`;
}

function renderSwap(): void {
  const cur = S.current;
  $("swap").hidden = !cur;
  $("swap-none").hidden = !!cur;
  if (!cur) {
    delete document.body.dataset.swap;
    return;
  }
  $("swap-id").textContent = cur.plan.id;
  document.body.dataset.swap = cur.plan.id;
  $<HTMLTextAreaElement>("export").value = JSON.stringify(signedOfferToJson(cur.signed), null, 2);
  const snap = S.snap;
  const decision = S.decision;
  const status = $("swap-status");
  $("bob-status").textContent = S.bob.up ? (S.bob.status ? `Bob's coordinator: ${S.bob.status}` : "") : `Bob's coordinator API (${S.config.coordinatorApi}) is unreachable; reading the chains only`;
  if (!snap || !decision) {
    status.textContent = "reading the chains…";
    return;
  }
  const rows = timeline(S.config, cur.plan, snap, decision);
  const completed = snap.legA.obs.outcome === "redeemed" && snap.legB.obs.outcome === "redeemed";
  const over = finished(snap);
  const state = completed ? "completed" : over ? "finished" : rows.some((r) => r.state === "withheld") ? "withheld" : "in progress";
  status.textContent = state;
  status.dataset.state = state;
  status.className = completed ? "badge ok" : state === "withheld" ? "badge warn" : "badge";
  const body = $("timeline").querySelector("tbody")!;
  body.replaceChildren(
    ...rows.map((r) => {
      const tx = cur.saved.txs[String(r.step)] ?? S.bob.txs[String(r.step)];
      return el(
        "tr",
        { "data-step": String(r.step), "data-state": r.state },
        el("td", {}, String(r.step)),
        el("td", {}, r.you ? "you" : "Bob"),
        el("td", {}, r.chain),
        el("td", {}, r.action),
        el("td", { title: `unix ${r.deadline}` }, `T0+${(r.deadline - cur.plan.offer.start) / cur.plan.offer.delta}Δ, ${fmtLeft(r.left)}`),
        el("td", { class: "state" }, el("span", {}, r.state === "yours" ? "your turn" : r.state === "waiting" ? "waiting for Bob" : r.state === "later" ? "not yet" : r.state), r.note && r.state !== "yours" && r.state !== "waiting" ? ` ${r.note}` : ""),
        el("td", { class: "mono" }, tx ? short(tx) : ""),
      );
    }),
  );
  const reason = $("act-reason");
  const next = nextAction();
  if (S.pending.size > 0) reason.textContent = "sending… confirm in your wallet";
  else if (next) reason.textContent = "";
  else if (completed) reason.textContent = `Done: you received ${units(cur.plan.legB.leg.amount, S.config.chains.B.token.decimals)} ${S.config.chains.B.token.symbol} and your premium back; Bob redeemed leg A.`;
  else if (over) reason.textContent = "The swap is over: every leg is redeemed or settled.";
  else {
    const open = rows.find((r) => r.state !== "done" && r.state !== "settled");
    reason.textContent = open ? (open.state === "waiting" ? `Waiting for Bob's step ${open.step} (${open.action}), deadline ${fmtLeft(open.left)}.` : open.note ? `Step ${open.step}: ${open.note}.` : "") : "";
  }
}

let savedShown: string | undefined;

function renderSaved(): void {
  const list = $("saved");
  const account = S.wallet?.connected ? S.wallet.account : undefined;
  const swaps = savedSwaps(account);
  const key = [S.current?.saved.id, ...swaps.map((s) => s.id)].join();
  if (key === savedShown) return; // unchanged: keep the buttons (a poll must not swallow a click)
  savedShown = key;
  list.replaceChildren(
    ...swaps.map((s) => {
      const open = el("button", { type: "button", "data-id": s.id }, S.current?.saved.id === s.id ? "shown" : "show");
      open.addEventListener("click", () => void guard(async () => select(s)));
      return el("li", {}, el("span", { class: "mono" }, short(s.id)), ` saved ${new Date(s.savedAt).toLocaleString()}`, open);
    }),
  );
  if (swaps.length === 0) list.append(el("li", {}, "none"));
}

function renderReport(report: RecoveryReport, plans: readonly SwapPlan[]): void {
  const name = (id: string) => {
    for (const p of plans) if (p.legA.id === id) return `${short(p.id)} leg A`;
    for (const p of plans) if (p.legB.id === id) return `${short(p.id)} leg B`;
    return `leg ${short(id)}`;
  };
  const what = (s: RecoveryReport["steps"][number]): string => {
    switch (s.kind) {
      case "redeem":
        return `redeemed (step ${s.step})`;
      case "settle":
        return "settled";
      case "wait":
        return `waiting: ${s.reason}`;
      case "withheld":
        return `withheld (step ${s.step}): ${s.reason}`;
      case "unrecognised":
        return `not touched: ${s.reason}`;
      case "done":
        return "nothing to do";
    }
  };
  $("report").replaceChildren(
    ...report.steps.map((s) => el("li", { "data-kind": s.kind }, `${name(s.leg.id)}: ${what(s)}`)),
    ...report.transactions.map((t) => el("li", { "data-kind": "tx" }, `transaction ${short(t.hash)}`)),
  );
  if (report.steps.length === 0) $("report").append(el("li", {}, "no legs of this account on either chain"));
}

// ---------------------------------------------------------------- polling

let refreshing = false;

async function refresh(): Promise<void> {
  if (refreshing) return;
  refreshing = true;
  try {
    await Promise.all([
      renderBalances().catch(() => undefined),
      renderNetwork(),
      (async () => {
        const cur = S.current;
        if (!cur) return;
        const [snap] = await Promise.all([readSnapshot(S.chains, cur.plan), readBob(cur.plan.id)]);
        if (S.current !== cur) return;
        S.snap = snap;
        S.decision = decide(S.config, cur.plan, snap, cur.secret, S.pending);
      })().catch((e: unknown) => log(`reading the chains failed: ${e instanceof Error ? e.message : String(e)}`)),
    ]);
    renderSwap();
    renderSaved();
    renderControls();
  } finally {
    refreshing = false;
  }
}

function loop(): void {
  void refresh().finally(() => setTimeout(loop, S.config.pollIntervalMs));
}

// ---------------------------------------------------------------- start

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function boot(): Promise<void> {
  const config = await getJson<DappConfig>("/config.json");
  const quote = await getJson<MakerQuote>(`${config.makerUrl}/quote`);
  S = { config, quote, chains: connectChains(config), pending: new Set(), busy: false, bob: { up: true, txs: {} } };
  const a = config.chains.A.token;
  const b = config.chains.B.token;
  $("sym-a").textContent = a.symbol;
  $("quote").textContent =
    `Bob (${quote.maker}) sells ${b.symbol} on chain B for ${a.symbol} on chain A at ${quote.rateNum}:${quote.rateDen}, ` +
    `up to ${units(BigInt(quote.maxAmountA), a.decimals)} ${a.symbol}; Δ from ${quote.minDelta} to ${quote.maxDelta} s.`;
  $<HTMLInputElement>("delta").value = String(quote.delta);
  for (const id of ["amount", "delta"]) $(id).addEventListener("input", renderSummary);
  renderSummary();

  $("connect").addEventListener("click", () => void guard(connect));
  $("sign-offer").addEventListener("click", () => void guard(signNewOffer));
  $("act").addEventListener("click", () => {
    const next = nextAction();
    if (next) void guard(() => perform(next));
  });
  $("recover").addEventListener("click", () => void guard(runRecovery));
  $("load-offer").addEventListener("click", () => void guard(loadPasted));
  $("error-close").addEventListener("click", clearError);

  const id = currentSwapId();
  const saved = savedSwaps().find((s) => s.id === id);
  if (saved) {
    select(saved);
    log(`restored swap ${short(saved.id)} from this browser's storage`);
  }
  renderSaved();
  const eth = (globalThis as { ethereum?: { on?: (e: string, f: () => void) => void } }).ethereum;
  eth?.on?.("chainChanged", () => void renderNetwork());
  eth?.on?.("accountsChanged", () => {
    S.seed = undefined;
    if (S.wallet?.connected) void guard(connect);
  });
  document.body.dataset.ready = "1";
  loop();
}

boot().catch((e: unknown) => {
  showError(e);
  document.body.dataset.ready = "error";
});
