/**
 * Admission of a signed n-party cycle offer (`PROTOCOLS.md` §7): every check that can refuse it runs
 * here, before any transaction — every party's signature (ECDSA, or ERC-1271 on the chain of the arc
 * the party pays), the terms through the SDK's cycle planner (a closed cycle, no party twice, 2 … 8
 * parties, deadlines in order, premiums growing by §7's rule), every arc's chain configured with its
 * escrow, Δ safe on the slowest of the cycle's chains, which parties this coordinator holds, the
 * leader's secret, duplicates, and the funds each held party needs on each chain.
 */
import { DeadlineInPastError, DeltaUnsafeError, DeploymentRegistry, UnknownChainError, planFromCycleOffer, verifyCycleOfferSignaturesOnChain, type CyclePlan, type SignedCycleOffer } from "../../sdk";
import type { ChainClient, Head } from "../chain/client";
import { safeDelta, type ChainConfig, type CoordinatorConfig, type PartyKeys } from "../config";
import { ChainUnavailableError } from "../errors";
import { DuplicateSwapError, type CoordinatorStore } from "../store/types";
import { FundsLedger, OfferRefusedError, leaderSecretIndex, type FundsNeed } from "./accept";

/** An accepted cycle: its plan, the indices of the parties whose keys this coordinator holds, the leader's secret index. */
export interface CycleAdmission {
  readonly plan: CyclePlan;
  readonly held: readonly number[];
  readonly secretIndex: number | null;
}

/** What `admitCycleOffer` reads and checks against. */
export interface CycleAdmissionContext {
  readonly config: CoordinatorConfig;
  readonly chains: ReadonlyMap<string, ChainClient>;
  readonly parties: readonly PartyKeys[];
  readonly store: CoordinatorStore;
  /** Shared by the offers of one submission; a fresh one when omitted. */
  readonly funds?: FundsLedger;
  /** The refusal for a chain the coordinator cannot reach now (degraded mode), undefined when it can. */
  readonly unavailable?: (chainId: string) => ChainUnavailableError | undefined;
}

async function headOf(chain: ChainClient): Promise<Head> {
  try {
    return await chain.head();
  } catch (e) {
    throw new ChainUnavailableError(chain.name, chain.chainId.toString(), null, String((e as Error).message ?? e).slice(0, 200));
  }
}

/**
 * The chain whose figures decide Δ for these chains: the longest inclusion time plus confirmation
 * time (the SDK's `DeltaUnsafeError` names it).
 */
function slowest(chains: readonly ChainConfig[]): ChainConfig {
  const cost = (c: ChainConfig) => c.inclusionTime + c.confirmations * c.blockInterval + c.clockSkew;
  return chains.reduce((a, b) => (cost(b) > cost(a) ? b : a));
}

/**
 * Runs every admission check of a cycle offer; throws a typed error naming the first failure:
 * `UnknownChainError` (an arc's chain is not configured), `ChainUnavailableError`, the planner's errors
 * (`NotACycleError`, `DuplicatePartyError`, `CycleSizeError`, `CyclePremiumError`, `InvalidTimelocksError`,
 * `EscrowMismatchError` …), `DeltaUnsafeError` (Δ below what the slowest chain needs), `InvalidOfferSignatureError`,
 * `OfferRefusedError` (no party held, or the leader's secret unknown), `DeadlineInPastError`,
 * `DuplicateSwapError`, `InsufficientFundsError`.
 */
export async function admitCycleOffer(signed: SignedCycleOffer, ctx: CycleAdmissionContext): Promise<CycleAdmission> {
  const offer = signed.offer;
  const chains = offer.arcs.map((a) => {
    const chain = ctx.chains.get(BigInt(a.chainId).toString());
    if (!chain) throw new UnknownChainError(BigInt(a.chainId));
    return chain;
  });
  for (const c of chains) {
    const refusal = ctx.unavailable?.(c.chainId.toString());
    if (refusal) throw refusal;
  }
  const distinct = [...new Map(chains.map((c) => [c.chainId.toString(), c])).values()];
  const registry = new DeploymentRegistry(
    distinct.map((c) => ({ chainId: Number(c.chainId), contract: "HedgeSwapEscrow", address: c.config.escrow, deploymentBlock: c.config.deploymentBlock, transactionHash: "", version: "1.0.0", deployedAt: "" })),
  );
  const heads = await Promise.all(distinct.map(headOf));
  const headOfChain = new Map(distinct.map((c, i) => [c.chainId.toString(), heads[i]!]));
  const now = heads.reduce((m, h) => (h.timestamp > m ? h.timestamp : m), 0n);
  const plan = planFromCycleOffer(offer, { deployments: registry, minDelta: 1n, now });

  const configs = distinct.map((c) => c.config);
  const required = safeDelta(ctx.config, configs);
  if (plan.offer.delta < required) throw new DeltaUnsafeError(plan.offer.delta, required, BigInt(slowest(configs).chainId));

  await verifyCycleOfferSignaturesOnChain(signed, (chainId) => ctx.chains.get(chainId.toString())!.provider);

  const keys = plan.parties.map((p) => ctx.parties.find((k) => k.wallet.address === p));
  const held = keys.flatMap((k, i) => (k ? [i] : []));
  if (held.length === 0) throw new OfferRefusedError("this coordinator holds no party's key", { parties: plan.parties });

  // Step 1 is the leader's premium on arc n−1: it must still be able to land.
  const margin = BigInt(ctx.config.reactionMargin);
  const first = plan.steps[0]!;
  const firstHead = headOfChain.get(plan.arcs[first.arc]!.at.chainId.toString())!;
  if (keys[0] && firstHead.timestamp + margin > first.deadline) throw new DeadlineInPastError("step 1 can no longer land before its deadline", first.deadline, firstHead.timestamp);

  const secretIndex = keys[0] ? leaderSecretIndex(keys[0], plan.offer.hashlock, ctx.config.seedScan) : null;

  if (ctx.store.getSwap(plan.id)) throw new DuplicateSwapError(plan.id, "id");
  if (ctx.store.getSwapByHashlock(plan.offer.hashlock)) throw new DuplicateSwapError(plan.id, "hashlock");

  // Funds: party i pays arc i's principal and arc i−1's premium (it is arc i−1's redeemer).
  const n = plan.n;
  const needs: FundsNeed[] = [];
  for (const i of held) {
    const account = plan.parties[i]!;
    const out = plan.arcs[i]!;
    const incoming = plan.arcs[(i + n - 1) % n]!;
    needs.push({ chain: chains[i]!, account, token: out.leg.token, amount: out.leg.amount });
    needs.push({ chain: chains[(i + n - 1) % n]!, account, token: incoming.leg.premiumToken, amount: incoming.leg.premiumAmount });
  }
  await (ctx.funds ?? new FundsLedger()).reserve(needs);
  return { plan, held, secretIndex };
}
