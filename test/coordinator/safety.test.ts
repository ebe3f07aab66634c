/**
 * Safety of a conforming party through its coordinator (issue 12), on two real `hardhat node` chains:
 * the reveal is never sent when it could be mined after leg B's timeout (inclusion time, confirmations
 * and clock skew count, not only the reaction margin), and one process holding both keys keeps the
 * roles apart (the follower's redeem waits for the secret to appear on chain), and a payout the escrow
 * had to credit (a token's per-transfer limit below the merged principal + premium) is withdrawn in parts.
 */
import { expect } from "chai";
import { ContractFactory, Transaction, getBytes, sha256, type InterfaceAbi, type Wallet } from "ethers";

import { depositPremium, escrowPrincipal, getCredits } from "../../src/sdk";
import { parseConfig } from "../../src/coordinator/config";
import { deployToken, devAccounts, loadArtifact, mintAndApprove, startRpcProxy, type RpcProxy } from "../../src/devnet";
import { DELTA, U, coordinator, driveBoth, expectHoldings, finished, freshTokens, partyConfig, partyConfigJson, signedOffer, startWorld, until, type Tokens, type World } from "./world";

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
      // Bob watches the mempool and the chain for the secret: none of Alice's transactions may carry it.
      const leaked = held.map((raw) => secretIn(Transaction.from(raw).data, plan.offer.hashlock)).find((s) => s !== undefined);
      expect(leaked, "a transaction revealing the secret was broadcast").to.equal(undefined);

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

  it("withdraws in parts a merged payout the token refused to move at once: the leader's 103 BAN, above the token's 101 BAN limit per transfer (defect 3)", async function () {
    const deployer = devAccounts(1)[0]!;
    const APR = await deployToken(w.A.node, deployer, "Apricot", "APR");
    const artifact = loadArtifact("artifacts/contracts/test/TransferLimitToken.sol/TransferLimitToken.json");
    const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, deployer.connect(w.B.node.provider));
    const limited = await factory.deploy(101n * U);
    await limited.waitForDeployment();
    const BAN = await limited.getAddress();
    const t: Tokens = { APR, BAN };
    await mintAndApprove(w.A.node, APR, w.alice, 100n * U, w.A.escrow);
    await mintAndApprove(w.B.node, BAN, w.alice, 3n * U, w.B.escrow);
    await mintAndApprove(w.A.node, APR, w.bob, 1n * U, w.A.escrow);
    await mintAndApprove(w.B.node, BAN, w.bob, 100n * U, w.B.escrow);
    const { signed, plan } = await signedOffer(w, t);
    const alice = coordinator(partyConfig(w, "alice"));
    const bob = coordinator(partyConfig(w, "bob"));
    await driveBoth(alice, bob, signed);
    expect(await finished(alice, plan.id)).to.equal("completed");
    expect(await finished(bob, plan.id)).to.equal("completed");
    // The redeem of leg B paid Alice 100 + 3 BAN in one transfer, above the limit: credited, then withdrawn.
    await until("Alice's credit withdrawn", async () => (await getCredits(w.B.node.provider, { chainId: w.B.node.chainId, escrow: w.B.escrow }, w.alice.address, BAN)) === 0n, 30_000);
    await until("the last withdrawal mined", () => alice.store.txsOfSwap(plan.id).filter((x) => x.action === "withdraw").every((x) => x.status === "mined"), 30_000);
    const withdrawals = alice.store.txsOfSwap(plan.id).filter((x) => x.action === "withdraw");
    expect(withdrawals.length).to.be.greaterThanOrEqual(2);
    expect(alice.store.events(plan.id).filter((e) => e.kind === "credit.withdrawing").map((e) => e.data.amount)).to.deep.equal([(103n * U / 2n).toString(), (103n * U - 103n * U / 2n).toString()]);
    await alice.stop();
    await bob.stop();
    await expectHoldings(w, t, { aliceAPR: 0n, aliceBAN: 103n, bobAPR: 101n, bobBAN: 0n });
  });
});
