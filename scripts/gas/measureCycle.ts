/**
 * `npm run gas`: the 3-party hedged cycle (PROTOCOLS.md §7, n = 3), its nine steps and its total, on the
 * legs the SDK's cycle planner (`planCycle`) makes, under the conventions of the two-party swap.
 */
import { ethers } from "hardhat";
import type { Signer } from "ethers";

// The planner the SDK exports (src/sdk/index.ts), imported from its module as the other parts import theirs.
import { planCycle } from "../../src/sdk/cyclePlan";
import { NATIVE } from "../../src/sdk/leg";
import type { HedgeSwapEscrow, PlainToken } from "../../typechain-types";
import { deployEscrow, gasOf, hasNoZeroByte, HOUR, now, plainLeg, secret, type Ctx } from "./harness";

/** The parties of the cycle. */
const N = 3;
/** `LegState.Escrowed` of the escrow's `legState`. */
const ESCROWED = 2n;

/** The context of the cycle measurements: the shared one plus the third party, Carol, and the third chain's token. */
export interface CycleCtx extends Ctx {
  carol: Signer;
  carolAddr: string;
  /** A plain OpenZeppelin ERC-20 for arc 2, like tokenA (arc 0) and tokenB (arc 1). */
  tokenC: PlainToken;
}

/**
 * Adds the third party and the third token to `ctx`: Carol is the fourth signer, whose address has no
 * zero byte like Alice's and Bob's (the third signer, the relayer, has one, which would make calldata
 * cheaper); tokenC's address has none either (checked, as Carol's). Every party holds every token, so every recipient already holds what it receives. Sends
 * transactions, so it runs after every other measurement (the addresses of the contracts those deploy
 * depend on the deployer's nonce).
 */
export async function prepareCycle(ctx: Ctx): Promise<CycleCtx> {
  const carol = (await ethers.getSigners())[3]!;
  const carolAddr = await carol.getAddress();
  if (ethers.getBytes(carolAddr).includes(0)) throw new Error(`Carol's address ${carolAddr} has a zero byte`);
  const tokenC = await ethers.deployContract("PlainToken", ["Cherry", "CHE"]);
  // Like tokenA's and tokenB's: a zero byte in a token address would make the ERC-20 cycle's calldata cheaper.
  if (ethers.getBytes(await tokenC.getAddress()).includes(0)) throw new Error(`tokenC's address ${await tokenC.getAddress()} has a zero byte`);
  for (const [token, holders] of [
    [ctx.tokenA, [carolAddr]],
    [ctx.tokenB, [carolAddr]],
    [tokenC, [ctx.aliceAddr, ctx.bobAddr, carolAddr]],
  ] as const) {
    for (const who of holders) await token.mint(who, ethers.parseEther("1000000"));
  }
  return { ...ctx, carol, carolAddr, tokenC };
}

/**
 * The first start at or after `t` whose deadlines `start + kΔ` (k = 1 … 3n, every deadline of the cycle)
 * all have non-zero low bytes: the planner's deadlines are exact multiples of Δ, so the two-party
 * measurement's per-deadline `noZeroBytes` is applied to the start instead.
 */
function cycleStart(t: bigint, delta: bigint, n: number): bigint {
  for (let start = t; ; start++) {
    let ok = true;
    for (let k = 1n; k <= BigInt(3 * n) && ok; k++) ok = hasNoZeroByte(start + k * delta);
    if (ok) return start;
  }
}

/**
 * The nine transactions of a 3-party hedged cycle (§7): premiums backwards from the leader (Alice, on arc
 * 2), escrows forwards from arc 0, the leader's revealing redeem of arc 2, then Carol's and Bob's redeems
 * with s, in the order and with the legs of `planCycle` (principal 100 on every arc, one compensation of
 * 1 per party, so premiums 1, 2, 3; Δ an hour). As the two-party measurement puts its two legs on two
 * escrow deployments, each arc is on its own deployment: arc 0 on the shared `ctx.escrow`, arcs 1 and 2 on
 * fresh ones (ERC-20: tokenA, tokenB, tokenC), all on the one Hardhat chain (hence `allowSameChain`). Each
 * escrow holds its asset in a background leg. Records `hedged.cycle3.step<k>.<action>.arc<i>.<kind>` and
 * `hedged.cycle3.<kind>.total`.
 */
export async function measureCycle(ctx: CycleCtx, kind: "native" | "erc20", out: Record<string, number>): Promise<void> {
  const escrows: HedgeSwapEscrow[] = [ctx.escrow, await deployEscrow(), await deployEscrow()];
  const signers = [ctx.alice, ctx.bob, ctx.carol];
  const addrs = [ctx.aliceAddr, ctx.bobAddr, ctx.carolAddr];
  const erc20s = [ctx.tokenA, ctx.tokenB, ctx.tokenC];
  const tokens = kind === "native" ? [NATIVE, NATIVE, NATIVE] : await Promise.all(erc20s.map((t) => t.getAddress()));
  for (let i = 0; i < N; i++) {
    const at = await escrows[i]!.getAddress();
    if (kind === "erc20") for (const who of signers) await erc20s[i]!.connect(who).approve(at, ethers.MaxUint256);
    // Background leg: the escrow holds the arc's asset before and after every step.
    const bg = await plainLeg(ctx, tokens[i]!, secret());
    await escrows[i]!.connect(ctx.alice).escrow(bg, { value: kind === "native" ? bg.amount : 0n });
  }

  const s = secret();
  const t = await now();
  const { chainId } = await ethers.provider.getNetwork();
  const escrowAddrs = await Promise.all(escrows.map((e) => e.getAddress()));
  const plan = planCycle(
    {
      leader: ctx.aliceAddr,
      secret: s,
      start: cycleStart(t, HOUR, N),
      delta: HOUR,
      arcs: addrs.map((from, i) => ({ from, to: addrs[(i + 1) % N]!, chainId, escrow: escrowAddrs[i]!, token: tokens[i]!, amount: ethers.parseEther("100") })),
      compensations: [ethers.parseEther("1"), ethers.parseEther("1"), ethers.parseEther("1")],
    },
    { now: t, allowSameChain: true },
  );
  if (plan.steps.length !== 3 * N) throw new Error(`expected ${3 * N} steps, the plan has ${plan.steps.length}`);

  let total = 0;
  for (const step of plan.steps) {
    const { leg } = plan.arcs[step.arc]!;
    const escrow = escrows[step.arc]!.connect(signers[step.actor]!);
    if (step.step === 2 * N + 1) {
      // Before the first redeem: every arc escrowed under the planner's leg id (the legs measured are the plan's).
      for (let i = 0; i < N; i++) if ((await escrows[i]!.legState(plan.arcs[i]!.id)) !== ESCROWED) throw new Error(`arc ${i} is not escrowed under ${plan.arcs[i]!.id}`);
    }
    const value = { value: kind === "native" ? step.amount : 0n };
    const tx = step.action === "depositPremium" ? escrow.depositPremium(leg, value) : step.action === "escrow" ? escrow.escrow(leg, value) : escrow.redeem(leg, s);
    const gas = await gasOf(tx);
    out[`hedged.cycle3.step${step.step}.${step.action}.arc${step.arc}.${kind}`] = gas;
    total += gas;
  }
  out[`hedged.cycle3.${kind}.total`] = total;
}
