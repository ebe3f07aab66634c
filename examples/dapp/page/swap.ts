/**
 * The swap as the page sees it, without the DOM: both chains read through their own JSON-RPC URLs,
 * each leg's state at its chain's final block and its outcome (SDK `getLegStates`, `getLegStatus`),
 * each chain's clock (`chainTime`), the decision of the SDK's rule for the leader (`decideNext`: the
 * only place that says whether step 5 may be taken), and the six-step timeline built from them.
 */
import { Contract, JsonRpcProvider, Network, formatUnits } from "ethers";

import {
  LegState,
  deriveSecret,
  erc20Interface,
  findLegs,
  getLegStates,
  getLegStatus,
  hashlockOf,
  decideNext,
  mayReveal,
  wasCreated,
  wasEscrowed,
  type EscrowLocation,
  type LegObservation,
  type LegStatus,
  type PartyDecision,
  type PlannedLeg,
  type SafetyMargins,
  type SwapPlan,
} from "../../../src/sdk";
import type { DappChain, DappConfig } from "../shared";
import { InsufficientFundsError } from "./errors";

/** How many seed indexes the page uses and recovery scans. */
export const SEED_SCAN = 1000;

/** One chain: its configuration, a read-only provider on its own RPC URL, and its escrow. */
export interface ChainHandle {
  readonly info: DappChain;
  readonly provider: JsonRpcProvider;
  readonly at: EscrowLocation;
}

export type Chains = { readonly A: ChainHandle; readonly B: ChainHandle };

/** Read-only providers for both chains (static network, no request cache: the page polls). */
export function connectChains(config: DappConfig): Chains {
  const handle = (info: DappChain): ChainHandle => {
    const network = new Network(`hedgeswap-${info.name}`, BigInt(info.chainId));
    const provider = new JsonRpcProvider(info.rpcUrl, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: 500 });
    return { info, provider, at: { chainId: BigInt(info.chainId), escrow: info.escrow } };
  };
  return { A: handle(config.chains.A), B: handle(config.chains.B) };
}

/** The rule's margins from the chains' figures (`PROTOCOLS.md` §6). */
export function marginsOf(config: DappConfig): SafetyMargins {
  const chain = (c: DappChain) => ({ inclusionTime: BigInt(c.inclusionTime), confirmationTime: BigInt(c.confirmations) * BigInt(c.blockInterval), clockSkew: BigInt(c.clockSkew) });
  return { reaction: BigInt(config.reactionMargin), chainA: chain(config.chains.A), chainB: chain(config.chains.B) };
}

/** One leg as read: its observation for the rule (state at the final block, outcome once final) and its status. */
export interface LegRead {
  readonly obs: LegObservation;
  readonly status: LegStatus;
}

/** Both legs and both clocks, read at one moment. */
export interface Snapshot {
  readonly legA: LegRead;
  readonly legB: LegRead;
  readonly timeA: bigint;
  readonly timeB: bigint;
  /** The secret, once a redeem revealed it on either chain. */
  readonly revealed?: string;
}

async function readLeg(c: ChainHandle, leg: PlannedLeg): Promise<{ read: LegRead; time: bigint }> {
  const latest = await c.provider.getBlock("latest");
  if (!latest) throw new Error(`chain ${c.info.name} returned no latest block`);
  const finalBlock = Math.max(0, latest.number - (c.info.confirmations - 1));
  const [[state], status] = await Promise.all([
    getLegStates(c.provider, c.at, [leg.id], { blockTag: finalBlock }),
    getLegStatus(c.provider, leg, { fromBlock: c.info.deploymentBlock }),
  ]);
  const k = status.kind;
  const final = (k === "redeemed" || k === "refunded" || k === "premiumRefunded") && status.blockNumber <= finalBlock;
  const obs: LegObservation = final ? { state: state!, outcome: k } : { state: state! };
  return { read: { obs, status }, time: BigInt(latest.timestamp) };
}

/** Reads both legs of `plan` and both chains' clocks. */
export async function readSnapshot(chains: Chains, plan: SwapPlan): Promise<Snapshot> {
  const [a, b] = await Promise.all([readLeg(chains.A, plan.legA), readLeg(chains.B, plan.legB)]);
  const secretOf = (s: LegStatus) => (s.kind === "redeemed" ? s.secret : undefined);
  const revealed = secretOf(b.read.status) ?? secretOf(a.read.status);
  return { legA: a.read, legB: b.read, timeA: a.time, timeB: b.time, ...(revealed ? { revealed } : {}) };
}

/** What the rule says the user (the leader) does now; `pending` holds the user's sends in flight (`action:leg`). */
export function decide(config: DappConfig, plan: SwapPlan, snap: Snapshot, leaderSecret: string | undefined, pending: ReadonlySet<string>): PartyDecision {
  return decideNext({
    plan,
    roles: { leader: true, follower: false },
    legA: snap.legA.obs,
    legB: snap.legB.obs,
    timeA: snap.timeA,
    timeB: snap.timeB,
    ...(leaderSecret !== undefined ? { leaderSecret } : {}),
    ...(snap.revealed !== undefined ? { revealedSecret: snap.revealed } : {}),
    pending,
    margins: marginsOf(config),
    settleGrace: BigInt(config.settleGrace),
  });
}

/** Would the rule let the leader reveal now (for offering to unlock the seed before step 5)? */
export function revealAllowed(config: DappConfig, plan: SwapPlan, snap: Snapshot): boolean {
  return snap.legB.obs.outcome === undefined && mayReveal({ plan, legA: snap.legA.obs, legB: snap.legB.obs, timeA: snap.timeA, timeB: snap.timeB, margins: marginsOf(config), pending: new Set(), ...(snap.revealed ? { revealedSecret: snap.revealed } : {}) });
}

/** How a timeline row stands. */
export type RowState = "done" | "yours" | "waiting" | "withheld" | "missed" | "settled" | "later";

/** One row of the six-step timeline. */
export interface TimelineRow {
  readonly step: number;
  readonly you: boolean;
  readonly chain: "A" | "B";
  readonly action: string;
  readonly deadline: bigint;
  /** Seconds from the chain's clock to the deadline (negative once past). */
  readonly left: bigint;
  readonly state: RowState;
  readonly note: string;
}

/** The six steps with their state, from a snapshot and the rule's decision. */
export function timeline(config: DappConfig, plan: SwapPlan, snap: Snapshot, decision: PartyDecision): TimelineRow[] {
  const { legA, legB } = snap;
  const a = legA.obs;
  const b = legB.obs;
  const sym = (leg: "A" | "B") => config.chains[leg].token.symbol;
  const amt = (x: bigint, leg: "A" | "B") => `${units(x, config.chains[leg].token.decimals)} ${sym(leg)}`;
  const done = [wasCreated(b), wasCreated(a), wasEscrowed(a), wasEscrowed(b), b.outcome === "redeemed", a.outcome === "redeemed"];
  const label = [
    `deposit premium ${amt(plan.legB.leg.premiumAmount, "B")} (p_a + p_b)`,
    `deposit premium ${amt(plan.legA.leg.premiumAmount, "A")} (p_b)`,
    `escrow ${amt(plan.legA.leg.amount, "A")}`,
    `escrow ${amt(plan.legB.leg.amount, "B")}`,
    `redeem ${amt(plan.legB.leg.amount, "B")}, revealing the secret`,
    `redeem ${amt(plan.legA.leg.amount, "A")} with the secret`,
  ];
  const settledNote = (r: LegRead) => (r.status.kind === "refunded" ? "settled: principal back to its escrower" : r.status.kind === "premiumRefunded" ? "settled: premium back to its depositor" : r.status.kind === "aborted" ? "aborted" : undefined);
  return plan.steps.map((s, i): TimelineRow => {
    const time = s.leg === "A" ? snap.timeA : snap.timeB;
    const you = s.actor === "leader";
    const leg = s.leg === "A" ? legA : legB;
    const row = { step: s.step, you, chain: s.leg, action: label[i]!, deadline: s.deadline, left: s.deadline - time };
    if (done[i]) return { ...row, state: "done", note: "" };
    const missed = decision.missed.find((m) => m.step === s.step);
    if (missed) return { ...row, state: missed.reason === "reveal-margin" ? "withheld" : "missed", note: missed.reason === "reveal-margin" ? "not revealing: the redeem could be mined after leg B's timeout (reveal margin)" : "can no longer land before its deadline" };
    const settled = settledNote(leg);
    if (settled) return { ...row, state: "settled", note: settled };
    if (decision.intents.some((x) => x.step === s.step)) return { ...row, state: "yours", note: "your turn" };
    if (time > s.deadline) return { ...row, state: "missed", note: "deadline passed" };
    const previousDone = i === 0 || done[i - 1];
    return { ...row, state: previousDone ? (you ? "yours" : "waiting") : "later", note: previousDone ? (you ? "your turn" : "waiting for Bob") : "" };
  });
}

/** A token amount without trailing zeros. */
export function units(x: bigint, decimals: number): string {
  const s = formatUnits(x, decimals);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/** The account's balances: ETH and the chain's token on each chain. */
export async function balances(chains: Chains, account: string): Promise<{ chain: "A" | "B"; eth: bigint; token: bigint }[]> {
  return Promise.all(
    (["A", "B"] as const).map(async (name) => {
      const c = chains[name];
      const token = new Contract(c.info.token.address, erc20Interface, c.provider);
      const [eth, bal] = await Promise.all([c.provider.getBalance(account), token.getFunction("balanceOf").staticCall(account) as Promise<bigint>]);
      return { chain: name, eth, token: bal };
    }),
  );
}

/**
 * Checks before a funding step that the account holds `amount` of the chain's token and some ETH for
 * gas, and with `allowanceOnly` that the escrow's allowance covers it; throws `InsufficientFundsError`.
 */
export async function checkFunds(c: ChainHandle, account: string, amount: bigint, step: string, allowanceOnly: boolean): Promise<void> {
  const token = new Contract(c.info.token.address, erc20Interface, c.provider);
  const [bal, allowance, eth] = await Promise.all([
    token.getFunction("balanceOf").staticCall(account) as Promise<bigint>,
    token.getFunction("allowance").staticCall(account, c.info.escrow) as Promise<bigint>,
    c.provider.getBalance(account),
  ]);
  const d = c.info.token.decimals;
  const p = { chain: c.info.name, symbol: c.info.token.symbol, needed: units(amount, d), step };
  if (bal < amount) throw new InsufficientFundsError("balance", { ...p, available: units(bal, d) });
  if (eth === 0n) throw new InsufficientFundsError("balance", { chain: c.info.name, symbol: "ETH", needed: "some (gas)", available: "0", step });
  if (allowanceOnly && allowance < amount) throw new InsufficientFundsError("allowance", { ...p, available: units(allowance, d) });
}

/**
 * The first seed index whose hashlock no saved swap and no leg of the account on either chain uses: a
 * hashlock must never serve two swaps (the first swap's redeem made its secret public).
 */
export async function freeIndex(seed: string, chains: Chains, account: string, savedHashlocks: readonly string[]): Promise<number> {
  const used = new Set(savedHashlocks.map((h) => h.toLowerCase()));
  for (const c of [chains.A, chains.B]) {
    for (const leg of await findLegs(c.provider, c.at, account, { fromBlock: c.info.deploymentBlock })) used.add(leg.leg.hashlock.toLowerCase());
  }
  for (let i = 0; i < SEED_SCAN; i++) if (!used.has(hashlockOf(deriveSecret(seed, i)).toLowerCase())) return i;
  throw new Error(`all ${SEED_SCAN} secrets of this seed are used`);
}

/** The secret of `plan` under `seed`: at `index` when known, else searched among the first `SEED_SCAN`. */
export function secretFor(seed: string, plan: SwapPlan, index: number | null): string | undefined {
  const want = plan.offer.hashlock.toLowerCase();
  if (index !== null) {
    const s = deriveSecret(seed, index);
    return hashlockOf(s).toLowerCase() === want ? s : undefined;
  }
  for (let i = 0; i < SEED_SCAN; i++) {
    const s = deriveSecret(seed, i);
    if (hashlockOf(s).toLowerCase() === want) return s;
  }
  return undefined;
}

/** True when both legs are finished (nothing more can happen). */
export function finished(snap: Snapshot): boolean {
  const over = (r: LegRead) => r.obs.outcome !== undefined || r.obs.state === LegState.Aborted;
  const never = (r: LegRead) => !wasCreated(r.obs);
  return (over(snap.legA) || never(snap.legA)) && (over(snap.legB) || never(snap.legB)) && !(never(snap.legA) && never(snap.legB));
}
