/**
 * The coordinator drives n-party hedged cycles (`PROTOCOLS.md` §7) on real chains: one `hardhat node`
 * per arc, one coordinator per party holding only its own key, the cycle offer signed by every party
 * and admitted by each. The happy path and the two deviations of the demo (Carol walks after her
 * premium; the leader withholds the secret) end in §7's exact holdings per party per chain; bad cycle
 * offers are refused before any transaction.
 */
import { expect } from "chai";
import pino from "pino";

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { CyclePremiumError, CycleSizeError, DuplicatePartyError, DeltaUnsafeError, InvalidOfferSignatureError, UnknownChainError, cycleOfferDigest, signCycleOffer, signedCycleOfferToJson, type SignedCycleOffer } from "../../src/sdk";
import { readOffers } from "../../src/coordinator/cli";
import { legDeadlines, timelineEntries, timelineSteps } from "../../src/coordinator/dashboard/page/model";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import { OfferRefusedError } from "../../src/coordinator/engine/accept";
import { DuplicateSwapError } from "../../src/coordinator/store/types";
import { CYCLE_DELTA, cycleHoldings, cyclePartyConfig, expectCycleHoldings, freshCycleTokens, signedCycle, startCycleWorld, type CycleWorld } from "./cycleWorld";
import { until } from "./world";

const signedCycleId = (s: SignedCycleOffer) => cycleOfferDigest(s.offer).toLowerCase();

describe("coordinator: n-party hedged cycles on real chains (§7)", function () {
  this.timeout(240_000);
  let w: CycleWorld;
  const running: Coordinator[] = [];

  before(async function () {
    w = await startCycleWorld(3);
  });
  afterEach(async function () {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });
  after(async function () {
    await w?.devnet.stop();
  });

  function party(i: number, extra: Record<string, unknown> = {}): Coordinator {
    const c = new Coordinator(cyclePartyConfig(w, i, extra), { logger: pino({ level: "silent" }) });
    running.push(c);
    return c;
  }

  async function drive(coordinators: readonly Coordinator[], signed: SignedCycleOffer): Promise<void> {
    for (const c of coordinators) await c.init();
    for (const c of coordinators) await c.submitCycle(signed);
    for (const c of coordinators) c.start();
  }

  const statusOf = (c: Coordinator, id: string) => c.store.getSwap(id)?.status;
  const final = (c: Coordinator, id: string) => ["completed", "settled"].includes(String(statusOf(c, id)));

  it("happy path: nine steps by three coordinators, each taking only its own party's steps; every party ends with the next one's asset (A 0,0,103 · B 101,0,0 · C 0,102,0)", async function () {
    await freshCycleTokens(w);
    await expectCycleHoldings(w, [[100n, 0n, 3n], [1n, 100n, 0n], [0n, 2n, 100n]]);
    const { signed, plan } = await signedCycle(w);
    const cs = [party(0), party(1), party(2)];
    await drive(cs, signed);
    await until("every coordinator completed", () => cs.every((c) => statusOf(c, plan.id) === "completed"), 120_000);
    await expectCycleHoldings(w, [[0n, 0n, 103n], [101n, 0n, 0n], [0n, 102n, 0n]]);
    for (const [i, c] of cs.entries()) {
      const row = c.store.getSwap(plan.id)!;
      expect(row).to.deep.include({ parties: 3, outcome: "completed" });
      expect(c.store.arcsOf(plan.id).map((a) => a.status)).to.deep.equal(["redeemed", "redeemed", "redeemed"]);
      expect(c.store.partiesOf(plan.id).map((p) => p.held)).to.deep.equal([0, 1, 2].map((k) => k === i));
      // Every status boundary was crossed on its own, in the one table's order.
      const moves = c.store.events(plan.id).filter((e) => e.kind === "swap.status").map((e) => e.data.to);
      expect(moves).to.deep.equal(["premiums@1", "premiums@2", "premiums@3", "escrows@4", "escrows@5", "escrows@6", ...(i === 0 ? ["committed"] : []), "revealed", "completed"]);
      // Each coordinator sent only its own party's transactions: a premium, an escrow and a redeem.
      const txs = c.store.txsOfSwap(plan.id).filter((t) => t.status === "mined");
      expect(txs.map((t) => t.account)).to.satisfy((a: string[]) => a.every((x) => x === w.parties[i]!.address));
      expect(txs.map((t) => `${t.action}:${t.leg}`).sort()).to.deep.equal([`depositPremium:${"ABC"[(i + 2) % 3]}`, `escrow:${"ABC"[i]}`, `redeem:${"ABC"[(i + 2) % 3]}`].sort());
      const detail = c.swapDetail(plan.id)!;
      expect(detail.legs.map((l) => l.name)).to.deep.equal(["A", "B", "C"]);
      expect(detail.steps.map((s) => `${s.step}:${s.actor}:${s.action}:${s.leg}`)).to.deep.equal([
        "1:P0:depositPremium:C", "2:P2:depositPremium:B", "3:P1:depositPremium:A", "4:P0:escrow:A", "5:P1:escrow:B", "6:P2:escrow:C", "7:P0:redeem:C", "8:P2:redeem:B", "9:P1:redeem:A",
      ]);
      expect(detail.steps.every((s) => s.tx === null || s.tx.status === "mined")).to.equal(true);
      // The dashboard's model of the page reads a cycle's detail: nine steps, all done, the reveal named.
      const timeline = timelineSteps(detail, () => undefined);
      expect(timeline.map((s) => `${s.step}:${s.state}`)).to.deep.equal(Array.from({ length: 9 }, (_, k) => `${k + 1}:done`));
      expect(timeline[6]!.title).to.equal("The leader redeems leg C, revealing the secret");
      expect(timeline[7]!.title).to.equal("Party P2 redeems leg B with the revealed secret");
      expect(timeline.filter((s) => s.held).map((s) => s.step)).to.deep.equal([[1, 4, 7], [3, 5, 9], [2, 6, 8]][i]);
      expect(legDeadlines(detail, timeline)).to.deep.equal([]);
      expect(() => timelineEntries(detail)).to.not.throw();
    }
  });

  it("ring3-carol-walks: Carol deposits her premium (step 2) and never escrows; the leader never reveals and every arc settles: A 101,0,3 · B 0,102,0 · C 0,0,100", async function () {
    await freshCycleTokens(w);
    const { signed, plan } = await signedCycle(w);
    const cs = [party(0), party(1), party(2, { faults: { haltAfterStep: 2 } })];
    await drive(cs, signed);
    // Bob's escrow of arc 1 (step 5) is the last step anyone takes; then the deadlines decide.
    await until("arc 1 escrowed", () => statusOf(cs[1]!, plan.id) === "escrows@5", 60_000);
    await w.devnet.increaseTime(10n * CYCLE_DELTA);
    await until("every coordinator settled", () => cs.every((c) => final(c, plan.id)), 120_000);
    await expectCycleHoldings(w, [[101n, 0n, 3n], [0n, 102n, 0n], [0n, 0n, 100n]]);
    expect(cs[0]!.store.getSwap(plan.id)).to.deep.include({ status: "settled", outcome: "0:refunded 1:refunded 2:premiumRefunded" });
    expect(cs[0]!.swapDetail(plan.id)!.arcs.map((a) => `${a.leg}:${a.status}`)).to.deep.equal(["A:refunded", "B:refunded", "C:premiumRefunded"]);
    expect(cs[0]!.store.txsOfSwap(plan.id).some((t) => t.action === "redeem"), "the leader revealed nothing").to.equal(false);
  });

  it("ring3-leader-withholds: every arc is escrowed, the leader never reveals; each escrower is refunded with its redeemer's premium: A 101,0,0 · B 0,102,0 · C 0,0,103", async function () {
    await freshCycleTokens(w);
    const { signed, plan } = await signedCycle(w);
    const cs = [party(0, { faults: { haltAfterStep: 6 } }), party(1), party(2)];
    await drive(cs, signed);
    await until("every arc escrowed", () => cs.every((c) => statusOf(c, plan.id) === "escrows@6"), 60_000);
    await w.devnet.increaseTime(10n * CYCLE_DELTA);
    await until("every coordinator settled", () => cs.every((c) => final(c, plan.id)), 120_000);
    await expectCycleHoldings(w, [[101n, 0n, 0n], [0n, 102n, 0n], [0n, 0n, 103n]]);
    for (const c of cs) expect(c.store.getSwap(plan.id)!.outcome).to.equal("0:refunded 1:refunded 2:refunded");
  });

  describe("bad cycle offers are refused before any transaction, with typed errors", function () {
    let alice: Coordinator;
    before(async function () {
      await freshCycleTokens(w);
      alice = new Coordinator(cyclePartyConfig(w, 0), { logger: pino({ level: "silent" }) });
      await alice.init();
    });
    after(async function () {
      await alice?.stop();
    });

    async function refused(signed: SignedCycleOffer, cls: abstract new (...args: never[]) => Error): Promise<Record<string, unknown>> {
      const nonces = await Promise.all(w.chains.map((c) => c.node.provider.getTransactionCount(w.parties[0]!.address)));
      const before = await cycleHoldings(w);
      const swaps = alice.store.listSwaps().length;
      const err = await alice.submitCycle(signed).then(() => expect.fail("accepted"), (e: unknown) => e);
      expect(err).to.be.instanceOf(cls);
      expect(alice.store.listSwaps().length, "a swap was recorded").to.equal(swaps);
      expect(alice.store.openTxs()).to.deep.equal([]);
      expect(await Promise.all(w.chains.map((c) => c.node.provider.getTransactionCount(w.parties[0]!.address)))).to.deep.equal(nonces);
      expect(await cycleHoldings(w)).to.deep.equal(before);
      return (err as { details: Record<string, unknown> }).details;
    }

    it("a tampered arc (an amount changed after signing), a missing signature", async function () {
      const { signed } = await signedCycle(w);
      const arcs = signed.offer.arcs.map((a, i) => (i === 1 ? { ...a, amount: a.amount - 1n } : a));
      expect(await refused({ ...signed, offer: { ...signed.offer, arcs } }, InvalidOfferSignatureError)).to.include({ party: "P0" });
      expect(await refused({ ...signed, signatures: [signed.signatures[0]!, signed.signatures[1]!, signed.signatures[1]!] }, InvalidOfferSignatureError)).to.include({ party: "P2" });
    });

    it("an arc on a chain with no configured deployment", async function () {
      const { signed } = await signedCycle(w);
      const arcs = signed.offer.arcs.map((a, i) => (i === 2 ? { ...a, chainId: 31999n } : a));
      const offer = { ...signed.offer, arcs };
      const signatures = await Promise.all(w.parties.map((p) => signCycleOffer(p, offer)));
      expect(await refused({ offer, signatures }, UnknownChainError)).to.include({ chainId: 31999n });
    });

    it("Δ below what the slowest of the cycle's chains needs", async function () {
      const { signed } = await signedCycle(w, 100n, 1n, 5n);
      const details = await refused(signed, DeltaUnsafeError);
      expect(details.delta).to.equal(5n);
      expect(Number(details.required)).to.be.greaterThan(5);
    });

    it("a party twice, or more than eight parties, as the planner refuses them", async function () {
      const { signed } = await signedCycle(w);
      const parties = [signed.offer.parties[0]!, signed.offer.parties[1]!, signed.offer.parties[0]!];
      const offer = { ...signed.offer, parties };
      await refused({ offer, signatures: await Promise.all([0, 1, 0].map((i) => signCycleOffer(w.parties[i]!, offer))) }, DuplicatePartyError);
      const nine = { ...signed.offer, parties: Array.from({ length: 9 }, (_, i) => w.parties[i % 3]!.address), arcs: Array.from({ length: 9 }, (_, i) => signed.offer.arcs[i % 3]!) };
      await refused({ offer: nine, signatures: Array.from({ length: 9 }, () => signed.signatures[0]!) }, CycleSizeError);
    });

    it("premiums that break §7's rule (an arc's premium not above the previous arc's)", async function () {
      const { signed } = await signedCycle(w);
      const arcs = signed.offer.arcs.map((a, i) => (i === 1 ? { ...a, premiumAmount: signed.offer.arcs[0]!.premiumAmount } : a));
      const offer = { ...signed.offer, arcs };
      const details = await refused({ offer, signatures: await Promise.all(w.parties.map((p) => signCycleOffer(p, offer))) }, CyclePremiumError);
      expect(details).to.include({ arc: 1 });
    });

    it("an offer file may hold cycle offers next to two-party ones: readOffers tells them apart and submitOffers admits each with its own checks", async function () {
      const { signed } = await signedCycle(w);
      const file = join(mkdtempSync(join(tmpdir(), "hedgeswap-offers-")), "offers.json");
      writeFileSync(file, JSON.stringify([signedCycleOfferToJson(signed)]));
      const offers = readOffers(file);
      expect(Array.isArray(offers[0]!.signatures)).to.equal(true);
      const [result] = await alice.submitOffers(offers);
      expect(result).to.have.property("row").that.deep.includes({ id: signedCycleId(signed), parties: 3 });
    });

    it("a cycle none of whose parties this coordinator holds; the same cycle twice", async function () {
      const bobOnly = new Coordinator(cyclePartyConfig(w, 1, { parties: [{ name: "mallory", privateKey: "0x" + "5a".repeat(32) }] }), { logger: pino({ level: "silent" }) });
      await bobOnly.init();
      try {
        const { signed } = await signedCycle(w);
        const err = await bobOnly.submitCycle(signed).then(() => expect.fail("accepted"), (e: unknown) => e);
        expect(err).to.be.instanceOf(OfferRefusedError);
      } finally {
        await bobOnly.stop();
      }
      const { signed } = await signedCycle(w);
      await alice.submitCycle(signed);
      await refused(signed, DuplicateSwapError);
      // Two cycles admitted (this one and the offer file's), never started: six open arcs in the metrics.
      const text = await alice.metrics.registry.metrics();
      expect(text).to.match(/^hedgeswap_arcs\{status="open"\} 6$/m).and.match(/^hedgeswap_swaps\{status="accepted"\} 2$/m);
    });
  });
});
