/**
 * Admission of a signed offer: every check that can refuse it happens here, before any transaction —
 * signatures, the terms (through the SDK planner), the chains and deployments, Δ against the chains'
 * safety figures, the leader's secret, duplicates, and the balances and allowances the held parties need.
 */
import { Contract, ZeroAddress } from "ethers";

import {
  DeadlineInPastError,
  DeploymentRegistry,
  HedgeSwapError,
  UnknownChainError,
  erc20Interface,
  planFromOffer,
  secretsByHashlock,
  verifyOfferSignatures,
  type SignedOffer,
  type SwapPlan,
} from "../../sdk";
import { safeDelta, type CoordinatorConfig, type PartyKeys } from "../config";
import type { ChainClient, Head } from "../chain/client";
import { ChainUnavailableError } from "../errors";
import { DuplicateSwapError, type CoordinatorStore } from "../store/types";

/** The offer cannot be run by this coordinator (no key for either party, no secret for the leader). */
export class OfferRefusedError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super("OFFER_REFUSED", reason, details);
  }
}

/** A held party lacks the balance or allowance a step of the swap needs. */
export class InsufficientFundsError extends HedgeSwapError {
  constructor(what: "balance" | "allowance", details: { chain: string; account: string; token: string; needed: bigint; available: bigint }) {
    super("INSUFFICIENT_FUNDS", `the ${what} is too small for the swap`, { what, ...details });
  }
}

/** An accepted offer: its plan, the roles held, and the leader's secret index. */
export interface Admission {
  readonly plan: SwapPlan;
  readonly roles: { readonly leader: boolean; readonly follower: boolean };
  readonly secretIndex: number | null;
}

const SEED_INDEXES = new Map<string, Map<string, { secret: string; index: bigint }>>();

/** The hashlocks of a seed's first `scan` secrets, derived once per process. */
function seedIndex(seed: string, scan: number): Map<string, { secret: string; index: bigint }> {
  const key = `${seed}:${scan}`;
  let map = SEED_INDEXES.get(key);
  if (!map) SEED_INDEXES.set(key, (map = secretsByHashlock(seed, scan)));
  return map;
}

/**
 * The index under the leader's seed of the secret behind `hashlock` (one of its first `scan`);
 * `OfferRefusedError` when the party has no seed or the hashlock is not one of its secrets.
 */
export function leaderSecretIndex(leader: PartyKeys, hashlock: string, scan: number): number {
  if (!leader.seed) throw new OfferRefusedError("the leader's party has no secret seed configured", { party: leader.name });
  const hit = seedIndex(leader.seed, scan).get(hashlock);
  if (!hit) throw new OfferRefusedError("the hashlock is not one of the leader's derived secrets", { party: leader.name, scanned: scan });
  return Number(hit.index);
}

/** Gas each party keeps for its transactions on a chain (a generous bound of three escrow calls). */
const GAS_RESERVE_UNITS = 600_000n;

/** The chain's head for admission; a chain that does not answer refuses the offer with `ChainUnavailableError`. */
async function headOf(chain: ChainClient): Promise<Head> {
  try {
    return await chain.head();
  } catch (e) {
    throw new ChainUnavailableError(chain.name, chain.chainId.toString(), null, String((e as Error).message ?? e).slice(0, 200));
  }
}

/** Runs every admission check; throws a typed error naming the first failure. */
export async function admitOffer(
  signed: SignedOffer,
  ctx: {
    config: CoordinatorConfig;
    chains: ReadonlyMap<string, ChainClient>;
    parties: readonly PartyKeys[];
    store: CoordinatorStore;
    /** Shared by the offers of one submission, so that together they must fit the funds; a fresh one when omitted. */
    funds?: FundsLedger;
    /**
     * The refusal for a chain the coordinator cannot reach now (degraded mode), undefined when it can:
     * such an offer is refused with `ChainUnavailableError` before anything else is asked of its chains.
     */
    unavailable?: (chainId: string) => ChainUnavailableError | undefined;
  },
): Promise<Admission> {
  verifyOfferSignatures(signed);
  const offer = signed.offer;
  const chainA = ctx.chains.get(BigInt(offer.legA.chainId).toString());
  const chainB = ctx.chains.get(BigInt(offer.legB.chainId).toString());
  if (!chainA) throw new UnknownChainError(BigInt(offer.legA.chainId));
  if (!chainB) throw new UnknownChainError(BigInt(offer.legB.chainId));
  for (const c of [chainA, chainB]) {
    const refusal = ctx.unavailable?.(c.chainId.toString());
    if (refusal) throw refusal;
  }
  const registry = new DeploymentRegistry(
    [chainA, chainB].map((c) => ({ chainId: Number(c.chainId), contract: "HedgeSwapEscrow", address: c.config.escrow, deploymentBlock: c.config.deploymentBlock, transactionHash: "", version: "1.0.0", deployedAt: "" })),
  );
  const [headA, headB] = await Promise.all([headOf(chainA), headOf(chainB)]);
  const now = headA.timestamp > headB.timestamp ? headA.timestamp : headB.timestamp;
  const plan = planFromOffer(offer, { deployments: registry, minDelta: safeDelta(ctx.config, [chainA.config, chainB.config]), now });

  const leader = ctx.parties.find((p) => p.wallet.address === plan.offer.leader);
  const follower = ctx.parties.find((p) => p.wallet.address === plan.offer.follower);
  if (!leader && !follower) throw new OfferRefusedError("this coordinator holds neither party's key", { leader: plan.offer.leader, follower: plan.offer.follower });
  const margin = BigInt(ctx.config.reactionMargin);
  const firstStep = plan.steps[0]!.deadline;
  if (leader && headB.timestamp + margin > firstStep) throw new DeadlineInPastError("step 1 can no longer land before its deadline", firstStep, headB.timestamp);

  const secretIndex = leader ? leaderSecretIndex(leader, plan.offer.hashlock, ctx.config.seedScan) : null;

  if (ctx.store.getSwap(plan.id)) throw new DuplicateSwapError(plan.id, "id");
  if (ctx.store.getSwapByHashlock(plan.offer.hashlock)) throw new DuplicateSwapError(plan.id, "hashlock");

  // Funds: the leader pays leg B's premium on B and leg A's principal on A; the follower the reverse.
  const needs: FundsNeed[] = [];
  const need = (party: PartyKeys | undefined, chain: ChainClient, token: string, amount: bigint) => {
    if (party) needs.push({ chain, account: party.wallet.address, token, amount });
  };
  need(leader, chainB, plan.legB.leg.premiumToken, plan.legB.leg.premiumAmount);
  need(leader, chainA, plan.legA.leg.token, plan.legA.leg.amount);
  need(follower, chainA, plan.legA.leg.premiumToken, plan.legA.leg.premiumAmount);
  need(follower, chainB, plan.legB.leg.token, plan.legB.leg.amount);
  await (ctx.funds ?? new FundsLedger()).reserve(needs);
  return { plan, roles: { leader: leader !== undefined, follower: follower !== undefined }, secretIndex };
}

/** One amount a held party must be able to pay on a chain. */
export interface FundsNeed {
  readonly chain: ChainClient;
  readonly account: string;
  /** The asset; `ZeroAddress` for the native coin. */
  readonly token: string;
  readonly amount: bigint;
}

/**
 * Balances, allowances and fees read once per admission run, and what the offers admitted in that run
 * already need: a submission of many offers is accepted only as far as the funds cover all of them
 * together, and costs a handful of reads per account instead of several per offer.
 */
export class FundsLedger {
  readonly #reads = new Map<string, Promise<bigint>>();
  readonly #used = new Map<string, bigint>();

  #once(key: string, read: () => Promise<bigint>): Promise<bigint> {
    let p = this.#reads.get(key);
    if (!p) this.#reads.set(key, (p = read()));
    return p;
  }

  /** Checks every need against what is left and reserves them all, or throws naming the first that does not fit and reserves nothing. */
  async reserve(needs: readonly FundsNeed[]): Promise<void> {
    // Every read first; then the checks and the reservation run without an await in between, so
    // concurrent admissions sharing the ledger cannot both take the same funds.
    const read = await Promise.all(
      needs.map(async (n) => {
        const c = n.chain.chainId.toString();
        const [fee, native] = await Promise.all([
          this.#once(`fee:${c}`, async () => {
            const f = await n.chain.provider.getFeeData();
            return f.maxFeePerGas ?? f.gasPrice ?? 0n;
          }),
          this.#once(`native:${c}:${n.account}`, () => n.chain.provider.getBalance(n.account)),
        ]);
        if (n.token === ZeroAddress) return { n, c, gas: GAS_RESERVE_UNITS * fee, native, balance: 0n, allowance: 0n };
        const erc20 = new Contract(n.token, erc20Interface, n.chain.provider);
        const [balance, allowance] = await Promise.all([
          this.#once(`balance:${c}:${n.account}:${n.token}`, () => erc20.getFunction("balanceOf").staticCall(n.account) as Promise<bigint>),
          this.#once(`allowance:${c}:${n.account}:${n.token}`, () => erc20.getFunction("allowance").staticCall(n.account, n.chain.at.escrow) as Promise<bigint>),
        ]);
        return { n, c, gas: GAS_RESERVE_UNITS * fee, native, balance, allowance };
      }),
    );
    const used = new Map(this.#used);
    const take = (key: string, amount: bigint) => {
      const total = (used.get(key) ?? 0n) + amount;
      used.set(key, total);
      return total;
    };
    for (const { n, c, gas, native, balance, allowance } of read) {
      const where = { chain: n.chain.name, account: n.account };
      if (n.token === ZeroAddress) {
        const needed = take(`native:${c}:${n.account}`, n.amount + gas);
        if (native < needed) throw new InsufficientFundsError("balance", { ...where, token: n.token, needed, available: native });
        continue;
      }
      const gasNeeded = take(`native:${c}:${n.account}`, gas);
      if (native < gasNeeded) throw new InsufficientFundsError("balance", { ...where, token: ZeroAddress, needed: gasNeeded, available: native });
      const needed = take(`token:${c}:${n.account}:${n.token}`, n.amount);
      if (balance < needed) throw new InsufficientFundsError("balance", { ...where, token: n.token, needed, available: balance });
      if (allowance < needed) throw new InsufficientFundsError("allowance", { ...where, token: n.token, needed, available: allowance });
    }
    for (const [k, v] of used) this.#used.set(k, v);
  }
}
