/**
 * Recovery of a hedged 3-cycle (`PROTOCOLS.md` §7): `planRecovery` judges each of a party's two arcs by the
 * cycle rule with that party's key alone — the leader reveals s only under the cycle reveal rule (arcs 2
 * and 0 escrowed at their final blocks, or arc 0 closed; the reveal margin on arc 2's chain), the middle
 * parties redeem only with a secret seen on a chain, every arc is settled after its deadline — and, end to
 * end on the in-process Hardhat network with three escrows, `recover` completes the cycle from seeds.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { Wallet } from "ethers";

import {
  DEFAULT_CHAIN_SAFETY,
  DEFAULT_REACTION_MARGIN,
  LegState,
  NATIVE,
  agreedSwapId,
  deriveSecret,
  depositPremium,
  escrowPrincipal,
  getLegStatus,
  hashlockOf,
  planCycle,
  planRecovery,
  randomSeed,
  recover,
  revealMargin,
  type CyclePlan,
  type FoundLeg,
  type LegStatus,
  type RecoveryContext,
  type RecoveryStep,
  type SignedCycleOffer,
} from "../../src/sdk";

const SECRET = "0x" + "3c".repeat(32);
const T0 = 1_900_000_000n;
const D = 3600n;
const N = 3;
const PARTIES = [1, 2, 3].map((k) => new Wallet("0x" + k.toString(16).padStart(2, "0").repeat(32)).address);
const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const PLAN: CyclePlan = planCycle(
  {
    leader: PARTIES[0]!,
    secret: SECRET,
    start: T0,
    delta: D,
    arcs: PARTIES.map((from, i) => ({ from, to: PARTIES[(i + 1) % N]!, chainId: BigInt(i + 1), escrow: ESCROW, token: NATIVE, amount: 100n })),
    compensations: [1n, 1n, 1n],
  },
  { now: T0, minDelta: 1n },
);
const at = (k: number, plus = 0n) => T0 + BigInt(k) * D + plus;

const STATUS: Record<"premiumDeposited" | "escrowed" | "absent", LegStatus> = { premiumDeposited: { kind: "premiumDeposited" }, escrowed: { kind: "escrowed" }, absent: { kind: "absent" } };

/** Arc i as `findLegs` would report it to `party`. */
function found(i: number, party: number, status: LegStatus): FoundLeg {
  const a = PLAN.arcs[i]!;
  return { at: a.at, leg: a.leg, id: a.id, role: party === i ? "escrower" : "redeemer", status, createdAt: { blockNumber: 1, txHash: "0x" + "00".repeat(32) } };
}

/** The party's two arcs (incoming p−1, outgoing p) with the given statuses. */
function legsOf(party: number, incoming: LegStatus, outgoing: LegStatus): FoundLeg[] {
  return [found((party + N - 1) % N, party, incoming), found(party, party, outgoing)];
}

function ctx(party: number, p: Partial<RecoveryContext> = {}): RecoveryContext {
  return {
    account: PARTIES[party]!,
    agreed: [PLAN],
    revealed: new Map(),
    own: party === 0 ? new Map([[hashlockOf(SECRET), SECRET]]) : new Map(),
    clocks: new Map(PLAN.arcs.map((a) => [a.at.chainId, at(2 * N, 1n)])),
    ...p,
  };
}

const byArc = (steps: RecoveryStep[]) => new Map(steps.map((s) => [PLAN.arcs.findIndex((a) => a.id === s.leg.id), s]));

describe("cycle recovery (3-cycle, planRecovery and recover)", function () {
  it("the leader reveals s on arc 2 (step 7) when arcs 2 and 0 are escrowed at their final blocks, and waits on arc 0", function () {
    const steps = byArc(planRecovery(legsOf(0, STATUS.escrowed, STATUS.escrowed), ctx(0)));
    expect(steps.get(2)).to.include({ kind: "redeem", step: 2 * N + 1, arc: 2, secret: SECRET, swapId: PLAN.id });
    expect(steps.get(0)).to.include({ kind: "wait", until: PLAN.arcs[0]!.terms.timelocks.timeout });
  });

  it("the leader does not reveal while arc 0 is not escrowed at its final block, even when the latest block shows it escrowed", function () {
    const legs = legsOf(0, STATUS.escrowed, STATUS.escrowed);
    const steps = byArc(planRecovery(legs, ctx(0, { clocks: new Map(PLAN.arcs.map((a) => [a.at.chainId, at(N + 1)])) }), new Map([[PLAN.arcs[0]!.id, LegState.PremiumDeposited]])));
    expect(steps.get(2)).to.include({ kind: "wait" });
    expect([...steps.values()].some((s) => s.kind === "redeem")).to.equal(false);
    // Nor while arc 2 is not escrowed at its final block.
    const notIn = byArc(planRecovery(legs, ctx(0), new Map([[PLAN.arcs[2]!.id, LegState.PremiumDeposited]])));
    expect([...notIn.values()].some((s) => s.kind === "redeem")).to.equal(false);
  });

  it("with arc 0 closed (never escrowed, past its escrow deadline on its chain) the leader redeems arc 2 and settles arc 0's premium", function () {
    const steps = byArc(planRecovery(legsOf(0, STATUS.escrowed, STATUS.premiumDeposited), ctx(0)));
    expect(steps.get(2)).to.include({ kind: "redeem", step: 2 * N + 1, arc: 2 });
    expect(steps.get(0)).to.include({ kind: "settle" });
  });

  it("the leader withholds the reveal (step 7) when the redeem could be mined after arc 2's timeout on its chain", function () {
    const timeout = PLAN.arcs[2]!.terms.timelocks.timeout;
    const margin = revealMargin(DEFAULT_CHAIN_SAFETY, DEFAULT_REACTION_MARGIN);
    const clocks = (t: bigint) => new Map(PLAN.arcs.map((a) => [a.at.chainId, a.index === 2 ? t : at(2 * N)]));
    expect(byArc(planRecovery(legsOf(0, STATUS.escrowed, STATUS.escrowed), ctx(0, { clocks: clocks(timeout - margin) }))).get(2)).to.include({ kind: "redeem" });
    const late = byArc(planRecovery(legsOf(0, STATUS.escrowed, STATUS.escrowed), ctx(0, { clocks: clocks(timeout - margin + 1n) })));
    expect(late.get(2)).to.include({ kind: "withheld", step: 2 * N + 1, arc: 2, swapId: PLAN.id });
  });

  it("a cycle the leader forswore is not revealed while arc 0 is at stake", function () {
    const steps = byArc(planRecovery(legsOf(0, STATUS.escrowed, STATUS.escrowed), ctx(0, { forsworn: new Set([PLAN.id]) })));
    expect(steps.get(2)).to.include({ kind: "wait" });
  });

  it("the middle parties redeem their incoming arcs only with a secret seen on a chain (P2 arc 1 at step 8, P1 arc 0 at step 9), never with a seed's", function () {
    for (const party of [1, 2]) {
      const legs = legsOf(party, STATUS.escrowed, STATUS.escrowed);
      const withSeed = byArc(planRecovery(legs, ctx(party, { own: new Map([[hashlockOf(SECRET), SECRET]]) })));
      expect([...withSeed.values()].map((s) => s.kind), `P${party}`).to.deep.equal(["wait", "wait"]);
      const seen = byArc(planRecovery(legs, ctx(party, { revealed: new Map([[hashlockOf(SECRET), SECRET]]) })));
      expect(seen.get(party - 1), `P${party}`).to.include({ kind: "redeem", step: 3 * N + 1 - party, arc: party - 1, secret: SECRET });
      expect(seen.get(party)).to.include({ kind: "wait" });
    }
  });

  it("settles after the deadlines: an escrowed outgoing arc past its timeout goes back to its escrower, an incoming premium-only arc past its escrow deadline to its redeemer", function () {
    const clocks = new Map(PLAN.arcs.map((a) => [a.at.chainId, at(3 * N, 1n)]));
    const p1 = byArc(planRecovery(legsOf(1, STATUS.premiumDeposited, STATUS.escrowed), ctx(1, { clocks })));
    expect([p1.get(0)?.kind, p1.get(1)?.kind]).to.deep.equal(["settle", "settle"]);
  });

  it("waits on both arcs when one of the party's chains was not scanned; reports a leg of no agreed cycle as unrecognised", function () {
    const clocks = new Map(PLAN.arcs.filter((a) => a.index !== 0).map((a) => [a.at.chainId, at(2 * N, 1n)]));
    const steps = planRecovery(legsOf(0, STATUS.escrowed, STATUS.escrowed), ctx(0, { clocks }));
    expect(steps.map((s) => s.kind)).to.deep.equal(["wait", "wait"]);
    // The same legs, agreed to nothing: reported, not touched.
    const blind = planRecovery(legsOf(0, STATUS.escrowed, STATUS.escrowed), ctx(0, { agreed: [] }));
    expect(blind.map((s) => s.kind)).to.deep.equal(["unrecognised", "unrecognised"]);
  });

  it("accepts the cycle's plan, offer and signed offer alike, and agreedSwapId gives the plan's id for each", function () {
    const signed: SignedCycleOffer = { offer: PLAN.offer, signatures: ["0x", "0x", "0x"] };
    const legs = legsOf(0, STATUS.escrowed, STATUS.escrowed);
    const want = planRecovery(legs, ctx(0)).map((s) => [s.kind, s.leg.id]);
    for (const agreed of [PLAN.offer, signed]) {
      expect(planRecovery(legs, ctx(0, { agreed: [agreed] })).map((s) => [s.kind, s.leg.id])).to.deep.equal(want);
      expect(agreedSwapId(agreed)).to.equal(PLAN.id);
    }
    expect(agreedSwapId(PLAN)).to.equal(PLAN.id);
  });

  it("end to end on three escrows: from the seed and the agreed offer only, recover has the leader reveal, then P2 and P1 redeem with the revealed secret", async function () {
    const signers = (await ethers.getSigners()).slice(0, N);
    const escrows: string[] = [];
    for (let i = 0; i < N; i++) escrows.push(await (await ethers.deployContract("HedgeSwapEscrow")).getAddress());
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const seed = randomSeed();
    const secret = deriveSecret(seed, 4);
    const now = BigInt(await time.latest());
    const plan = planCycle(
      {
        leader: signers[0]!.address,
        hashlock: hashlockOf(secret),
        start: now,
        delta: D,
        arcs: signers.map((s, i) => ({ from: s.address, to: signers[(i + 1) % N]!.address, chainId, escrow: escrows[i]!, token: NATIVE, amount: 10n ** 15n })),
        compensations: [10n ** 12n, 10n ** 12n, 10n ** 12n],
      },
      { now, allowSameChain: true },
    );
    for (const step of plan.steps.slice(0, 2 * N)) {
      const signer = signers[step.actor]!;
      if (step.action === "depositPremium") await depositPremium(signer, plan.arcs[step.arc]!);
      else await escrowPrincipal(signer, plan.arcs[step.arc]!);
    }
    const chains = (signer: (typeof signers)[number]) => escrows.map((escrow) => ({ runner: signer, at: { chainId, escrow } }));
    const agreed = [plan.offer];

    // Before the reveal the middle parties have nothing to redeem with.
    const early = await recover(chains(signers[1]!), { account: signers[1]!.address, agreed, seed, seedScan: 8 });
    expect(early.transactions).to.have.length(0);
    expect(early.steps.map((s) => s.kind)).to.deep.equal(["wait", "wait"]);

    const leader = await recover(chains(signers[0]!), { account: signers[0]!.address, agreed, seed, seedScan: 8 });
    expect(leader.steps.find((s) => s.leg.id === plan.arcs[2]!.id)).to.include({ kind: "redeem", step: 2 * N + 1, arc: 2 });
    expect(await getLegStatus(signers[0]!, plan.arcs[2]!)).to.include({ kind: "redeemed", secret });

    const p2 = await recover(chains(signers[2]!), { account: signers[2]!.address, agreed });
    expect(p2.steps.find((s) => s.leg.id === plan.arcs[1]!.id)).to.include({ kind: "redeem", step: 2 * N + 2, arc: 1 });
    const p1 = await recover(chains(signers[1]!), { account: signers[1]!.address, agreed });
    expect(p1.steps.find((s) => s.leg.id === plan.arcs[0]!.id)).to.include({ kind: "redeem", step: 2 * N + 3, arc: 0 });
    for (const arc of plan.arcs) expect((await getLegStatus(signers[0]!, arc)).kind, `arc ${arc.index}`).to.equal("redeemed");
  });
});
