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
import type { ChainClient } from "../chain/client";
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

/** Gas each party keeps for its transactions on a chain (a generous bound of three escrow calls). */
const GAS_RESERVE_UNITS = 600_000n;

/** Runs every admission check; throws a typed error naming the first failure. */
export async function admitOffer(
  signed: SignedOffer,
  ctx: { config: CoordinatorConfig; chains: ReadonlyMap<string, ChainClient>; parties: readonly PartyKeys[]; store: CoordinatorStore },
): Promise<Admission> {
  verifyOfferSignatures(signed);
  const offer = signed.offer;
  const chainA = ctx.chains.get(BigInt(offer.legA.chainId).toString());
  const chainB = ctx.chains.get(BigInt(offer.legB.chainId).toString());
  if (!chainA) throw new UnknownChainError(BigInt(offer.legA.chainId));
  if (!chainB) throw new UnknownChainError(BigInt(offer.legB.chainId));
  const registry = new DeploymentRegistry(
    [chainA, chainB].map((c) => ({ chainId: Number(c.chainId), contract: "HedgeSwapEscrow", address: c.config.escrow, deploymentBlock: c.config.deploymentBlock, transactionHash: "", version: "1.0.0", deployedAt: "" })),
  );
  const [headA, headB] = await Promise.all([chainA.head(), chainB.head()]);
  const now = headA.timestamp > headB.timestamp ? headA.timestamp : headB.timestamp;
  const plan = planFromOffer(offer, { deployments: registry, minDelta: safeDelta(ctx.config, [chainA.config, chainB.config]), now });

  const leader = ctx.parties.find((p) => p.wallet.address === plan.offer.leader);
  const follower = ctx.parties.find((p) => p.wallet.address === plan.offer.follower);
  if (!leader && !follower) throw new OfferRefusedError("this coordinator holds neither party's key", { leader: plan.offer.leader, follower: plan.offer.follower });
  const margin = BigInt(ctx.config.reactionMargin);
  const firstStep = plan.steps[0]!.deadline;
  if (leader && headB.timestamp + margin > firstStep) throw new DeadlineInPastError("step 1 can no longer land before its deadline", firstStep, headB.timestamp);

  let secretIndex: number | null = null;
  if (leader) {
    if (!leader.seed) throw new OfferRefusedError("the leader's party has no secret seed configured", { party: leader.name });
    const hit = seedIndex(leader.seed, ctx.config.seedScan).get(plan.offer.hashlock);
    if (!hit) throw new OfferRefusedError("the hashlock is not one of the leader's derived secrets", { party: leader.name, scanned: ctx.config.seedScan });
    secretIndex = Number(hit.index);
  }

  if (ctx.store.getSwap(plan.id)) throw new DuplicateSwapError(plan.id, "id");
  if (ctx.store.listSwaps().some((s) => s.hashlock === plan.offer.hashlock)) throw new DuplicateSwapError(plan.id, "hashlock");

  // Funds: the leader pays leg B's premium on B and leg A's principal on A; the follower the reverse.
  const needs: [PartyKeys | undefined, ChainClient, string, bigint][] = [
    [leader, chainB, plan.legB.leg.premiumToken, plan.legB.leg.premiumAmount],
    [leader, chainA, plan.legA.leg.token, plan.legA.leg.amount],
    [follower, chainA, plan.legA.leg.premiumToken, plan.legA.leg.premiumAmount],
    [follower, chainB, plan.legB.leg.token, plan.legB.leg.amount],
  ];
  for (const [party, chain, token, amount] of needs) {
    if (party) await checkFunds(chain, party.wallet.address, token, amount);
  }
  return { plan, roles: { leader: leader !== undefined, follower: follower !== undefined }, secretIndex };
}

async function checkFunds(chain: ChainClient, account: string, token: string, amount: bigint): Promise<void> {
  const fees = await chain.provider.getFeeData();
  const gas = GAS_RESERVE_UNITS * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n);
  const native = await chain.provider.getBalance(account);
  if (token === ZeroAddress) {
    if (native < amount + gas) throw new InsufficientFundsError("balance", { chain: chain.name, account, token, needed: amount + gas, available: native });
    return;
  }
  if (native < gas) throw new InsufficientFundsError("balance", { chain: chain.name, account, token: ZeroAddress, needed: gas, available: native });
  const erc20 = new Contract(token, erc20Interface, chain.provider);
  const balance = (await erc20.getFunction("balanceOf").staticCall(account)) as bigint;
  if (balance < amount) throw new InsufficientFundsError("balance", { chain: chain.name, account, token, needed: amount, available: balance });
  const allowance = (await erc20.getFunction("allowance").staticCall(account, chain.at.escrow)) as bigint;
  if (allowance < amount) throw new InsufficientFundsError("allowance", { chain: chain.name, account, token, needed: amount, available: allowance });
}
