/**
 * Safety of a conforming party through its coordinator (issue 12), on two real `hardhat node` chains:
 * the reveal is never sent when it could be mined after leg B's timeout (inclusion time, confirmations
 * and clock skew count, not only the reaction margin), and one process holding both keys keeps the
 * roles apart (the follower's redeem waits for the secret to appear on chain).
 */
import { expect } from "chai";
import { Transaction, getBytes, sha256, type Wallet } from "ethers";

import { depositPremium, escrowPrincipal, redeem } from "../../src/sdk";
import { parseConfig } from "../../src/coordinator/config";
import { startRpcProxy, type RpcProxy } from "../../src/devnet";
import { DELTA, coordinator, expectHoldings, finished, freshTokens, partyConfigJson, signedOffer, startWorld, until, type World } from "./world";

/** The first 32-byte word of `data` that opens `hashlock`: what a watcher of the mempool would take. */
function secretIn(data: string, hashlock: string): string | undefined {
  const bytes = getBytes(data);
  for (let i = 4; i + 32 <= bytes.length; i++) {
    const word = "0x" + Buffer.from(bytes.slice(i, i + 32)).toString("hex");
    if (sha256(word) === hashlock.toLowerCase()) return word;
  }
  return undefined;
}

describe("coordinator safety: the reveal margin and separate roles", function () {
  this.timeout(120_000);
  let w: World;
  before(async function () {
    w = await startWorld();
  });
  after(async function () {
    await w?.devnet.stop();
  });

  it("does not reveal when the redeem could be mined after leg B's timeout; a held redeem would have cost the leader both assets (defect 2)", async function () {
    const t = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, t);
    const proxyB: RpcProxy = await startRpcProxy(w.B.node.url);
    try {
      const json = partyConfigJson(w, "alice");
      (json.chains as { rpcUrl: string }[])[1]!.rpcUrl = proxyB.url;
      const alice = coordinator(parseConfig(json));
      await alice.init();
      await alice.submit(signed);
      const bobA = w.bob.connect(w.A.node.provider) as Wallet;
      const bobB = w.bob.connect(w.B.node.provider) as Wallet;
      const tickUntil = async (what: string, p: () => boolean) => until(what, async () => (await alice.tick(), p()), 20_000);
      const status = () => alice.store.getSwap(plan.id)!.status;

      await tickUntil("step 1", () => status() === "premiumB");
      await depositPremium(bobA, plan.legA);
      await tickUntil("step 3", () => status() === "escrowedA");
      await escrowPrincipal(bobB, plan.legB);
      // Alice's coordinator does not look again until 6 s before leg B's timeout: more than its
      // reaction margin (3 s), less than the reveal margin (2 s inclusion + 1 s confirmation + 2 s skew + 3 s).
      const timeoutB = plan.legB.terms.timelocks.timeout;
      await w.B.node.setNextTimestamp(timeoutB - 6n);
      await w.B.node.mine(1);
      // From here on the chain B node accepts transactions into a "mempool" it does not mine.
      proxyB.setMode("holdTx");
      for (let i = 0; i < 3; i++) await alice.tick();
      expect(status()).to.equal("aborting");
      expect(alice.store.events(plan.id).some((e) => e.kind === "deadline.unreachable" && e.data.step === "5" && e.data.reason === "reveal-margin")).to.equal(true);

      // Leg B's timeout passes; whatever Alice broadcast is now mined, too late to redeem.
      await w.B.node.setNextTimestamp(timeoutB + 1n);
      await w.B.node.mine(1);
      const held = proxyB.heldTransactions();
      await proxyB.release();
      proxyB.setMode("pass");
      // Bob watches the mempool and the chain for the secret; were it in a late redeem he would take leg A.
      const leaked = held.map((raw) => secretIn(Transaction.from(raw).data, plan.offer.hashlock)).find((s) => s !== undefined);
      expect(leaked, "a transaction revealing the secret was broadcast").to.equal(undefined);
      if (leaked) await redeem(bobA, plan.legA, leaked);

      // Every deadline passes; the leader settles what it is owed: S4 for Alice (she could not reveal in time).
      await w.devnet.increaseTime(4n * DELTA);
      await tickUntil("swap final", () => status() === "settled");
      await alice.stop();
      await expectHoldings(w, t, { aliceAPR: 101n, aliceBAN: 0n, bobAPR: 0n, bobBAN: 103n });
    } finally {
      await proxyB.close();
    }
  });

  it("one process holding both keys completes the swap: the follower's redeem waits for the secret on chain (defect 5)", async function () {
    const t = await freshTokens(w);
    const { signed, plan } = await signedOffer(w, t);
    const json = partyConfigJson(w, "alice");
    (json.parties as unknown[]).push({ name: "bob", privateKey: w.bob.privateKey });
    const both = coordinator(parseConfig(json));
    await both.init();
    const row = await both.submit(signed);
    expect(row.roles).to.deep.equal({ leader: true, follower: true });
    both.start();
    expect(await finished(both, plan.id)).to.equal("completed");
    await both.stop();
    await expectHoldings(w, t, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
  });
});
