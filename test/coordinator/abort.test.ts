/**
 * The cooperative abort's consent order (`PROTOCOLS.md` §2) on two real `hardhat node` chains: the
 * follower consents to abort leg A only once its own leg B is aborted, refunded or was never escrowed
 * (a hostile leader who asks first is refused and cannot take both sides); the leader consents first,
 * to the abort of leg B, after vowing durably never to reveal the secret, and keeps that vow across a
 * restart; a follower that consents before escrowing leg B vows never to escrow it; the escrower's side
 * accepts an ERC-1271 contract wallet's consent and refuses a wrong one.
 */
import { expect } from "chai";
import { Contract, ContractFactory, type InterfaceAbi, type Wallet } from "ethers";

import {
  LegState,
  NO_CHAIN_DELAY,
  cooperativeAbort,
  depositPremium,
  deriveSecret,
  escrowInterface,
  escrowPrincipal,
  findRevealedSecret,
  getLegState,
  hashlockOf,
  offerToJson,
  planHedgedSwap,
  recoverAbortSigner,
  redeem,
  signCooperativeAbort,
  signOffer,
  verifyAbortConsent,
  type LocatedLeg,
  type SwapPlan,
} from "../../src/sdk";
import { startApi } from "../../src/coordinator/api";
import { errorSchema } from "../../src/coordinator/api/schemas";
import { parseConfig } from "../../src/coordinator/config";
import type { Coordinator } from "../../src/coordinator/engine/coordinator";
import { decide } from "../../src/coordinator/engine/decide";
import { CounterLegEscrowedError, InvalidAbortConsentError } from "../../src/coordinator/errors";
import { loadArtifact } from "../../src/devnet";
import { ALICE_SEED, DELTA, U, coordinator, expectHoldings, finished, freshTokens, partyConfig, partyConfigJson, signedOffer, startWorld, until, type World } from "./world";

const TOKEN = "abort-test-token-0123456789";
const TEST_WALLET_ARTIFACT = "artifacts/contracts/test/TestWallet.sol/TestWallet.json";

/** The promise's rejection (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  expect.fail("expected a refusal");
}

describe("coordinator: cooperative abort, consents in the safe order", function () {
  this.timeout(180_000);
  let w: World;
  const running: Coordinator[] = [];

  before(async function () {
    w = await startWorld();
  });
  afterEach(async function () {
    for (const c of running.splice(0)) await c.stop().catch(() => undefined);
  });
  after(async function () {
    await w?.devnet.stop();
  });

  const track = (c: Coordinator): Coordinator => (running.push(c), c);
  const on = (chain: World["A"], who: Wallet): Wallet => who.connect(chain.node.provider);
  const stateOf = (chain: World["A"], leg: LocatedLeg) => getLegState(chain.node.provider, leg);
  const kinds = (c: Coordinator, id: string) => c.store.events(id).map((e) => e.kind);
  /** The leg B redeems on chain B (each reveals the secret). */
  const redeemsOfB = async (plan: SwapPlan) =>
    (await w.B.node.provider.getLogs({ address: w.B.escrow, topics: [escrowInterface.getEvent("LegRedeemed")!.topicHash, plan.legB.id], fromBlock: 0 })).length;

  /** Ticks `c` (its loop not started) until `predicate` holds. */
  async function tickUntil(c: Coordinator, what: string, predicate: () => boolean | Promise<boolean>): Promise<void> {
    await until(what, async () => {
      await c.tick();
      return predicate();
    }, 60_000);
  }

  it("a hostile leader asks the follower's coordinator to consent to abort leg A while leg B is escrowed: refused, nothing signed; Bob ends on his S6 row", async function () {
    const t = await freshTokens(w);
    const { signed, plan, secret } = await signedOffer(w, t);
    const bob = track(coordinator(partyConfig(w, "bob")));
    await bob.init();
    await bob.submit(signed);
    bob.start();
    const api = await startApi(bob, { port: 0, token: TOKEN });
    try {
      // The leader is test code with the SDK, not a coordinator: steps 1 and 3, then it wants out of leg A.
      await depositPremium(on(w.B, w.alice), plan.legB);
      await until("Bob's premium on leg A", async () => (await stateOf(w.A, plan.legA)) === LegState.PremiumDeposited);
      await escrowPrincipal(on(w.A, w.alice), plan.legA);
      await until("Bob escrowed leg B", async () => (await stateOf(w.B, plan.legB)) === LegState.Escrowed && bob.store.getSwap(plan.id)!.status === "escrowedB");

      const refused = await rejection(bob.requestAbort(plan.id, "A"));
      expect(refused).to.be.instanceOf(CounterLegEscrowedError);
      expect((refused as CounterLegEscrowedError).code).to.equal("COUNTER_LEG_ESCROWED");
      expect((refused as CounterLegEscrowedError).details).to.deep.include({ swapId: plan.id, leg: "A", legA: "Escrowed", legB: "Escrowed" });
      expect((refused as Error).message).to.match(/leg B is escrowed/);
      // Over the HTTP API too: 409, the same code.
      const res = await fetch(`${api.url}/swaps/${plan.id}/abort`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ leg: "A" }) });
      const body = errorSchema.parse(await res.json());
      expect([res.status, body.error, body.details?.legB]).to.deep.equal([409, "COUNTER_LEG_ESCROWED", "Escrowed"]);
      // Nothing signed, nothing vowed.
      expect(kinds(bob, plan.id)).to.not.include.members(["abort.consented"]);
      expect(kinds(bob, plan.id)).to.not.include("escrow.forsworn");
      expect(bob.store.getSwap(plan.id)).to.deep.include({ neverEscrow: false, neverReveal: false });

      // Without Bob's consent the leader's only way on is to redeem leg B; Bob then redeems leg A.
      await redeem(on(w.B, w.alice), plan.legB, secret);
      expect(await finished(bob, plan.id, 60_000)).to.equal("completed");
      await expectHoldings(w, t, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
    } finally {
      await api.close();
    }
  });

  it("the cooperative path in order: the leader vows and consents to abort leg B, Bob aborts B, then consents to abort A, Alice aborts A; everyone back to the start, s never revealed", async function () {
    const t = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, t);
    const aliceJson = partyConfigJson(w, "alice");
    const halted = coordinator(parseConfig({ ...aliceJson, faults: { haltAfterStep: 4 } })); // escrows leg A, then waits
    const bob = track(coordinator(partyConfig(w, "bob")));
    await Promise.all([halted.init(), bob.init()]);
    await halted.submit(signed);
    await bob.submit(signed);
    halted.start();
    bob.start();
    let alice = track(halted);
    await until("both legs escrowed", () => halted.store.getSwap(plan.id)!.status === "escrowedB" && bob.store.getSwap(plan.id)!.status === "escrowedB", 60_000);

    // Asked in the wrong order, Bob refuses.
    expect(await rejection(bob.requestAbort(plan.id, "A"))).to.be.instanceOf(CounterLegEscrowedError);

    // 1. The leader consents to abort leg B: the vow and its event, then the signature.
    const { signature: consentB, txHash: none } = await alice.requestAbort(plan.id, "B");
    expect([typeof consentB, none]).to.deep.equal(["string", undefined]);
    expect(alice.store.getSwap(plan.id)).to.deep.include({ neverReveal: true, neverEscrow: false, status: "escrowedB" });
    const trail = kinds(alice, plan.id);
    expect(trail.indexOf("reveal.forsworn")).to.be.greaterThan(-1).and.lessThan(trail.indexOf("abort.consented"));
    expect((await verifyAbortConsent(w.B.node.provider, plan.legB, consentB!)).valid).to.equal(true);

    // The leader's coordinator restarts without its halt switch: it would reveal s now (both legs
    // escrowed), but its vow holds.
    await alice.stop();
    alice = track(coordinator(parseConfig(aliceJson)));
    await alice.init();
    alice.start();

    // 2. Bob aborts leg B with the leader's consent (through his coordinator, the escrower of B).
    const abortB = await bob.requestAbort(plan.id, "B", consentB);
    expect(abortB.signature).to.equal(undefined);
    expect(abortB.txHash).to.match(/^0x[0-9a-f]{64}$/);
    await until("leg B aborted", async () => (await stateOf(w.B, plan.legB)) === LegState.Aborted);

    // 3. Now Bob consents to abort leg A (leg B is aborted: no vow needed), and Alice aborts it.
    const { signature: consentA } = await bob.requestAbort(plan.id, "A");
    expect(consentA).to.be.a("string");
    expect(kinds(bob, plan.id)).to.include("abort.consented").and.not.include("escrow.forsworn");
    const abortA = await alice.requestAbort(plan.id, "A", consentA);
    expect(abortA.txHash).to.match(/^0x[0-9a-f]{64}$/);
    await until("leg A aborted", async () => (await stateOf(w.A, plan.legA)) === LegState.Aborted);

    expect(await finished(alice, plan.id, 60_000)).to.equal("aborted");
    expect(await finished(bob, plan.id, 60_000)).to.equal("aborted");
    // Every deadline passes with both coordinators running: still no reveal.
    await w.devnet.increaseTime(7n * DELTA);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await redeemsOfB(plan)).to.equal(0);
    expect(await findRevealedSecret(w.A.node.provider, plan.legA)).to.equal(undefined);
    expect(kinds(alice, plan.id)).to.not.include("secret.revealed");
    // Principals back to their escrowers, premiums back to their depositors.
    await expectHoldings(w, t, { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n });
  });

  it("after the leader consented to abort leg B, its restarted coordinator never reveals, though both legs stay escrowed to their timeouts (S4)", async function () {
    const t = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, t);
    const aliceJson = partyConfigJson(w, "alice");
    const halted = track(coordinator(parseConfig({ ...aliceJson, faults: { haltAfterStep: 4 } })));
    const bob = track(coordinator(partyConfig(w, "bob")));
    await Promise.all([halted.init(), bob.init()]);
    await halted.submit(signed);
    await bob.submit(signed);
    halted.start();
    bob.start();
    await until("both legs escrowed", () => halted.store.getSwap(plan.id)!.status === "escrowedB", 60_000);
    const { signature } = await halted.requestAbort(plan.id, "B");
    expect(signature).to.be.a("string");
    await halted.stop();
    running.splice(running.indexOf(halted), 1);

    // A new Coordinator on the same SQLite file, no halt switch, with its secret seed: the vow is read back.
    const alice = track(coordinator(parseConfig(aliceJson)));
    await alice.init();
    expect(alice.activeSwaps().find((r) => r.id === plan.id)).to.deep.include({ neverReveal: true, status: "escrowedB" });
    alice.start();
    // Bob never uses the consent. Rounds go by with both legs escrowed and final, step 5 in time.
    const until5 = plan.legB.terms.timelocks.timeout - (await w.B.node.latestTimestamp());
    expect(Number(until5)).to.be.greaterThan(30);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await stateOf(w.B, plan.legB)).to.equal(LegState.Escrowed);
    expect(await redeemsOfB(plan)).to.equal(0);
    expect(alice.store.getSwap(plan.id)!.status).to.equal("escrowedB");
    expect(alice.store.txsOfSwap(plan.id).filter((tx) => tx.action === "redeem")).to.deep.equal([]);

    // Past every deadline: the legs are settled as when the leader withholds s.
    await w.devnet.increaseTime(7n * DELTA);
    expect(await finished(alice, plan.id, 60_000)).to.equal("S4");
    expect(await finished(bob, plan.id, 60_000)).to.equal("S4");
    expect(await redeemsOfB(plan)).to.equal(0);
    expect(kinds(alice, plan.id)).to.not.include("secret.revealed");
    expect(alice.store.events(plan.id).some((e) => e.kind === "swap.status" && e.data.to === "committed")).to.equal(false);
    await expectHoldings(w, t, { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n });
  });

  it("the follower consents to abort leg A before escrowing leg B: it vows first, then never escrows leg B though it otherwise would", async function () {
    const t = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, t);
    const bob = track(coordinator(partyConfig(w, "bob")));
    await bob.init();
    await bob.submit(signed);
    // The leader is test code; Bob's coordinator is ticked by hand.
    await depositPremium(on(w.B, w.alice), plan.legB);
    await tickUntil(bob, "Bob's premium on leg A, final", async () => (await stateOf(w.A, plan.legA)) === LegState.PremiumDeposited && bob.store.openTxs().length === 0);
    await escrowPrincipal(on(w.A, w.alice), plan.legA);
    expect(await stateOf(w.A, plan.legA)).to.equal(LegState.Escrowed);
    expect(await stateOf(w.B, plan.legB)).to.equal(LegState.PremiumDeposited);

    // What Bob's rule would do now, with and without the vow: step 4 (escrow leg B), and nothing.
    const timeA = await w.A.node.latestTimestamp();
    const timeB = await w.B.node.latestTimestamp();
    const view = {
      plan, roles: { leader: false, follower: true }, status: "escrowedA" as const, legA: { state: LegState.Escrowed }, legB: { state: LegState.PremiumDeposited },
      timeA, timeB, pending: new Set<string>(), margins: { reaction: 3n, chainA: NO_CHAIN_DELAY, chainB: NO_CHAIN_DELAY }, settleGrace: 5n,
    };
    expect(decide(view).intents.map((i) => `${i.step}:${i.action}:${i.leg}`)).to.deep.equal(["4:escrow:B"]);
    expect(decide({ ...view, noEscrow: true }).intents).to.deep.equal([]);

    const { signature } = await bob.requestAbort(plan.id, "A");
    expect(signature).to.be.a("string");
    expect(bob.store.getSwap(plan.id)).to.deep.include({ neverEscrow: true, neverReveal: false });
    const trail = kinds(bob, plan.id);
    expect(trail.indexOf("escrow.forsworn")).to.be.greaterThan(-1).and.lessThan(trail.indexOf("abort.consented"));
    expect(bob.store.events(plan.id).find((e) => e.kind === "escrow.forsworn")!.data).to.deep.equal({ leg: "B", legB: "PremiumDeposited" });

    // Rounds go by with leg A escrowed and leg B's escrow deadline ahead: Bob sends no escrow.
    const end = Date.now() + 3_000;
    while (Date.now() < end) {
      await bob.tick();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(bob.store.txsOfSwap(plan.id).filter((tx) => tx.action === "escrow")).to.deep.equal([]);
    expect(await stateOf(w.B, plan.legB)).to.equal(LegState.PremiumDeposited);
    expect((await w.B.node.latestTimestamp()) + 3n).to.be.lessThanOrEqual(plan.legB.terms.timelocks.escrowDeadline);

    // Alice aborts leg A with the consent; past the deadlines leg B's premium goes back to her.
    await cooperativeAbort(on(w.A, w.alice), plan.legA, signature!);
    expect(await stateOf(w.A, plan.legA)).to.equal(LegState.Aborted);
    await w.devnet.increaseTime(7n * DELTA);
    await tickUntil(bob, "Bob's swap final", () => bob.store.getSwap(plan.id)!.status === "settled");
    expect(bob.store.getSwap(plan.id)!.outcome).to.equal("aborted");
    expect(bob.store.txsOfSwap(plan.id).filter((tx) => tx.action === "escrow")).to.deep.equal([]);
    await expectHoldings(w, t, { aliceAPR: 100n, aliceBAN: 3n, bobAPR: 1n, bobBAN: 100n });
  });

  it("recoverAbortSigner judges an ECDSA consent as the escrow's ECDSA.tryRecover does: 65 bytes, v 27 or 28, low s", async function () {
    const { plan } = await signedOffer(w, await freshTokens(w));
    const sig = await signCooperativeAbort(w.bob, plan.legA);
    expect(recoverAbortSigner(plan.legA, sig)).to.equal(w.bob.address);
    expect(recoverAbortSigner(plan.legB, sig)).to.not.equal(w.bob.address); // another leg's digest
    const [r, sHex, v] = [sig.slice(2, 66), BigInt("0x" + sig.slice(66, 130)), parseInt(sig.slice(130), 16)];
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const twin = "0x" + r + (N - sHex).toString(16).padStart(64, "0") + (v === 27 ? "1c" : "1b"); // the malleable twin
    expect(recoverAbortSigner(plan.legA, twin)).to.equal(null);
    expect(recoverAbortSigner(plan.legA, sig.slice(0, 130) + (v - 27).toString(16).padStart(2, "0"))).to.equal(null); // v 0/1
    expect(recoverAbortSigner(plan.legA, sig.slice(0, 130))).to.equal(null); // 64 bytes
    expect(recoverAbortSigner(plan.legA, sig + "00")).to.equal(null);
    expect(recoverAbortSigner(plan.legA, "0x1234")).to.equal(null);
    // On chain: an EOA redeemer is judged by ECDSA; Bob's consent for leg A is valid, Carol's is not.
    expect(await verifyAbortConsent(w.A.node.provider, plan.legA, sig)).to.deep.equal({ valid: true, scheme: "ecdsa", recovered: w.bob.address });
    const carol = await signCooperativeAbort(w.carol, plan.legA);
    expect(await verifyAbortConsent(w.A.node.provider, plan.legA, carol)).to.deep.equal({ valid: false, scheme: "ecdsa", recovered: w.carol.address });
    expect(await rejection(verifyAbortConsent(w.B.node.provider, plan.legA, sig))).to.have.property("code", "WRONG_CHAIN");
  });

  it("ERC-1271: the escrower's coordinator accepts the consent of a contract-wallet redeemer (TestWallet) and refuses a wrong one", async function () {
    const t = await freshTokens(w);
    // A TestWallet owned by Carol is the follower: the redeemer of leg A.
    const artifact = loadArtifact(TEST_WALLET_ARTIFACT);
    const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, on(w.A, w.carol));
    const deployed = await factory.deploy(w.carol.address);
    await deployed.waitForDeployment();
    const walletAddress = await deployed.getAddress();
    const execute = new Contract(walletAddress, artifact.abi as InterfaceAbi, on(w.A, w.carol)).getFunction("execute");
    const index = w.nextIndex++;
    const secret = deriveSecret(ALICE_SEED, index);
    const now = await w.A.node.latestTimestamp();
    const plan = planHedgedSwap({
      leader: w.alice.address, follower: walletAddress, hashlock: hashlockOf(secret), start: now, delta: DELTA,
      legA: { chainId: w.A.node.chainId, escrow: w.A.escrow, token: t.APR, amount: 100n * U, premiumAmount: 1n * U },
      legB: { chainId: w.B.node.chainId, escrow: w.B.escrow, token: t.BAN, amount: 100n * U, premiumAmount: 3n * U },
    }, { now, minDelta: 1n });

    // Alice's coordinator drives the swap as the leader. Admission checks offer signatures with ECDSA only,
    // so the swap is recorded directly (the abort path is what this test is about).
    const alice = track(coordinator(partyConfig(w, "alice")));
    await alice.init();
    alice.store.insertSwap(
      { id: plan.id, offer: offerToJson(plan.offer), signatures: { leader: await signOffer(w.alice, plan.offer), follower: "0x" }, kind: plan.kind, hashlock: plan.offer.hashlock.toLowerCase(), roles: { leader: true, follower: false }, secretIndex: index },
      { swapId: plan.id, chainId: null, kind: "swap.accepted", data: {} },
    );
    // The wallet deposits its premium on leg A (Carol through execute); Alice escrows leg A.
    const apr = new Contract(t.APR, ["function mint(address,uint256)", "function approve(address,uint256) returns (bool)", "function balanceOf(address) view returns (uint256)"], on(w.A, w.carol));
    await (await apr.getFunction("mint")(walletAddress, 1n * U)).wait();
    await (await execute(t.APR, apr.interface.encodeFunctionData("approve", [w.A.escrow, 1n * U]))).wait();
    await (await execute(w.A.escrow, escrowInterface.encodeFunctionData("depositPremium", [plan.legA.leg]))).wait();
    await escrowPrincipal(on(w.A, w.alice), plan.legA);
    expect(await stateOf(w.A, plan.legA)).to.equal(LegState.Escrowed);

    // Carol's ECDSA signature is the wallet's consent (ERC-1271), not an EOA signature of the redeemer.
    const consent = await signCooperativeAbort(w.carol, plan.legA);
    expect(await verifyAbortConsent(w.A.node.provider, plan.legA, consent)).to.deep.equal({ valid: true, scheme: "erc1271", recovered: w.carol.address });
    const forged = await signCooperativeAbort(w.bob, plan.legA);
    const refused = await rejection(alice.requestAbort(plan.id, "A", forged));
    expect(refused).to.be.instanceOf(InvalidAbortConsentError);
    expect((refused as InvalidAbortConsentError).details).to.deep.include({ expected: walletAddress, recovered: w.bob.address, scheme: "erc1271" });
    expect(alice.store.txsOfSwap(plan.id)).to.deep.equal([]);

    const { txHash, signature } = await alice.requestAbort(plan.id, "A", consent);
    expect(signature).to.equal(undefined);
    expect(txHash).to.match(/^0x[0-9a-f]{64}$/);
    await until("leg A aborted", async () => (await stateOf(w.A, plan.legA)) === LegState.Aborted);
    expect(alice.store.events(plan.id).find((e) => e.kind === "abort.sent")!.data).to.deep.include({ leg: "A", scheme: "erc1271" });
    // Alice has her 100 APR back, the wallet its 1 APR premium.
    const balance = async (who: string) => (await apr.getFunction("balanceOf")(who)) as bigint;
    expect([await balance(w.alice.address), await balance(walletAddress)]).to.deep.equal([100n * U, 1n * U]);
  });
});
