/**
 * The coordinator's credit withdrawals (`src/coordinator/engine/credits.ts`): the pure helpers (the keys
 * of a swap's legs for the held parties, the amounts tried), then, against a real `hardhat node` with the
 * escrow deployed, a hedged leg in a token that refuses transfers above a limit: its redeem merges
 * principal and premium (103) above the limit (101), the escrow credits the redeemer, and round after
 * round the check finds what the party can withdraw (51.5, then the 51.5 left in full), the party sends
 * exactly that, and the credit comes out to the wei. Also: a credit no amount can move (a blacklisted
 * party) is stuck, with as many simulations as halvings; an unconfigured chain or an unreachable node is
 * a failed key, not a stuck credit; and the SDK's `withdrawCredits` with an amount.
 */
import { expect } from "chai";
import { Contract, ContractFactory, JsonRpcProvider, Network, ZeroAddress, id, type InterfaceAbi, type Wallet } from "ethers";

import {
  NATIVE,
  PremiumMode,
  WithdrawExceedsCreditError,
  depositPremium,
  escrowPrincipal,
  getCredits,
  hashlockOf,
  locateLeg,
  packTimelocks,
  redeem,
  withdrawCredits,
  type EscrowLocation,
  type LocatedLeg,
} from "../../src/sdk";
import { MAX_HALVINGS, checkCredit, creditKeys, roundCredits, withdrawAmounts } from "../../src/coordinator/engine/credits";
import { devAccounts, freePort, loadArtifact, startDevnet, type Devnet, type DevnetChain } from "../../src/devnet";

const U = 10n ** 18n;
/** The limited token's per-transfer limit: above one principal (100), below principal + premium (103). */
const LIMIT = 101n * U;
const CHAIN_ID = 31381n;
const WITHDRAW_ALL = id("withdraw(address,address)").slice(0, 10);
const WITHDRAW_PART = id("withdraw(address,address,uint256)").slice(0, 10);

async function deploy(chain: DevnetChain, deployer: Wallet, contract: string, args: unknown[]): Promise<Contract> {
  const artifact = loadArtifact(`artifacts/contracts/test/${contract}.sol/${contract}.json`);
  const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, deployer.connect(chain.node.provider));
  const c = await factory.deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

async function send(chain: DevnetChain, c: Contract, who: Wallet, fn: string, ...args: unknown[]): Promise<void> {
  const tx = (await (c.connect(who.connect(chain.node.provider)) as Contract).getFunction(fn)(...args)) as { wait(): Promise<unknown> };
  await tx.wait();
}

describe("coordinator credits: finding what a held party can withdraw", function () {
  describe("pure helpers", function () {
    const at: EscrowLocation = { chainId: 1n, escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
    const [a, b, t1, t2] = ["0x" + "0a".repeat(20), "0x" + "0b".repeat(20), "0x" + "01".repeat(20), "0x" + "02".repeat(20)].map((x) => x.toLowerCase());
    const leg = (token: string, premiumToken: string, premiumAmount: bigint): LocatedLeg =>
      locateLeg(
        {
          escrower: a!,
          redeemer: b!,
          hashlock: hashlockOf("0x" + "11".repeat(32)),
          token,
          amount: 100n,
          timelocks: packTimelocks({ premiumDeadline: 10n, escrowDeadline: 20n, timeout: 30n, mode: PremiumMode.Hedge }),
          premiumToken,
          premiumAmount,
        },
        at,
      );

    it("withdrawAmounts: the credit, then its halves down to 1 unit, at most MAX_HALVINGS of them", function () {
      expect(withdrawAmounts(0n)).to.deep.equal([]);
      expect(withdrawAmounts(1n)).to.deep.equal([1n]);
      expect(withdrawAmounts(103n)).to.deep.equal([103n, 51n, 25n, 12n, 6n, 3n, 1n]);
      expect(withdrawAmounts(103n, 2)).to.deep.equal([103n, 51n, 25n]);
      const big = withdrawAmounts((1n << 256n) - 1n);
      expect(big.length).to.equal(MAX_HALVINGS + 1);
      expect(big[MAX_HALVINGS]).to.equal(((1n << 256n) - 1n) >> BigInt(MAX_HALVINGS));
    });

    it("creditKeys: each held party of each leg with the principal token and, with a premium, the premium token; deduplicated", function () {
      const legs = [leg(t1!, t2!, 3n), leg(t1!, t2!, 3n), leg(t1!, ZeroAddress, 0n)];
      const all = creditKeys(legs, () => true);
      expect(all.map((k) => [k.party.toLowerCase(), k.token.toLowerCase()])).to.deep.equal([
        [a, t1],
        [a, t2],
        [b, t1],
        [b, t2],
      ]);
      for (const k of all) expect(k.at).to.deep.equal(at);
      const onlyB = creditKeys(legs, (p) => p.toLowerCase() === b);
      expect(onlyB.map((k) => k.token.toLowerCase())).to.deep.equal([t1, t2]);
      expect(creditKeys([leg(NATIVE, ZeroAddress, 0n)], (p) => p.toLowerCase() === a).map((k) => k.token)).to.deep.equal([NATIVE]);
      expect(creditKeys(legs, () => false)).to.deep.equal([]);
    });
  });

  describe("against a hardhat node", function () {
    this.timeout(120_000);
    let devnet: Devnet;
    let chain: DevnetChain;
    let at: EscrowLocation;
    let chains: Map<string, { provider: JsonRpcProvider }>;
    const [deployer, alice, bob, relayer] = devAccounts(4) as [Wallet, Wallet, Wallet, Wallet];

    before(async function () {
      devnet = await startDevnet({ chains: [{ name: "C", chainId: CHAIN_ID }] });
      chain = devnet.chain("C");
      at = { chainId: CHAIN_ID, escrow: chain.escrow };
      chains = new Map([[CHAIN_ID.toString(), { provider: chain.node.provider }]]);
    });

    after(async function () {
      await devnet?.stop();
    });

    const connected = (w: Wallet) => w.connect(chain.node.provider);
    const balanceOf = async (token: Contract, who: string) => (await token.getFunction("balanceOf")(who)) as bigint;

    /** A leg alice -> bob of `amount` `token` (premium `premium` of the same token when > 0), escrowed. */
    async function escrowedLeg(token: string, amount: bigint, premium: bigint, secret: string): Promise<LocatedLeg> {
      const now = BigInt((await chain.node.provider.getBlock("latest"))!.timestamp);
      const leg = locateLeg(
        {
          escrower: alice.address,
          redeemer: bob.address,
          hashlock: hashlockOf(secret),
          token,
          amount,
          timelocks: packTimelocks({ premiumDeadline: premium > 0n ? now + 600n : 0n, escrowDeadline: now + 1200n, timeout: now + 2400n, mode: PremiumMode.Hedge }),
          premiumToken: premium > 0n ? token : ZeroAddress,
          premiumAmount: premium,
        },
        at,
      );
      if (premium > 0n) await depositPremium(connected(bob), leg, { funding: "approve" });
      await escrowPrincipal(connected(alice), leg, { funding: "approve" });
      return leg;
    }

    it("a merged payout above the token's limit is credited, then withdrawn round by round in the parts the simulation finds, to the wei", async function () {
      const lim = await deploy(chain, deployer, "TransferLimitToken", [LIMIT]);
      const LIM = await lim.getAddress();
      await send(chain, lim, deployer, "mint", alice.address, 100n * U);
      await send(chain, lim, deployer, "mint", bob.address, 3n * U);
      const secret = "0x" + "c1".repeat(32);
      const leg = await escrowedLeg(LIM, 100n * U, 3n * U, secret);
      await redeem(connected(relayer), leg, secret);
      expect(await getCredits(chain.node.provider, at, bob.address, LIM)).to.equal(103n * U);
      const bobBefore = await balanceOf(lim, bob.address);
      const escrowBefore = await balanceOf(lim, chain.escrow);

      const held = new Set([alice.address, bob.address]);
      const keys = creditKeys([leg], (p) => held.has(p));
      expect(keys.map((k) => [k.party, k.token])).to.deep.equal([
        [alice.address, LIM],
        [bob.address, LIM],
      ]);

      // Round 1: the whole 103 reverts in the token; its half, 51.5, passes.
      const round1 = await roundCredits(chains, keys);
      expect(round1.stuck).to.deep.equal([]);
      expect(round1.failed).to.deep.equal([]);
      expect(round1.withdrawals.length).to.equal(1);
      const w1 = round1.withdrawals[0]!;
      expect([w1.party, w1.token, w1.credit, w1.amount, w1.simulations]).to.deep.equal([bob.address, LIM, 103n * U, (103n * U) / 2n, 2]);
      expect(w1.tx!.data.slice(0, 10)).to.equal(WITHDRAW_PART);
      expect(w1.tx!.to).to.equal(chain.escrow);
      await (await connected(bob).sendTransaction({ to: w1.tx!.to, data: w1.tx!.data, value: w1.tx!.value })).wait();
      expect(await getCredits(chain.node.provider, at, bob.address, LIM)).to.equal(103n * U - (103n * U) / 2n);

      // Round 2: what is left fits one transfer: the full withdrawal, first try.
      const round2 = await roundCredits(chains, keys);
      expect(round2.withdrawals.length).to.equal(1);
      const w2 = round2.withdrawals[0]!;
      expect([w2.credit, w2.amount, w2.simulations]).to.deep.equal([103n * U - (103n * U) / 2n, 103n * U - (103n * U) / 2n, 1]);
      expect(w2.tx!.data.slice(0, 10)).to.equal(WITHDRAW_ALL);
      await (await connected(bob).sendTransaction({ to: w2.tx!.to, data: w2.tx!.data })).wait();

      // Round 3: nothing left.
      expect(await roundCredits(chains, keys)).to.deep.equal({ withdrawals: [], stuck: [], failed: [] });
      expect(await getCredits(chain.node.provider, at, bob.address, LIM)).to.equal(0n);
      expect((await balanceOf(lim, bob.address)) - bobBefore).to.equal(103n * U);
      expect(escrowBefore - (await balanceOf(lim, chain.escrow))).to.equal(103n * U);
    });

    it("a credit no amount can move (a blacklisted party) is stuck after every halving; once the party may receive again, it comes out whole", async function () {
      const blk = await deploy(chain, deployer, "BlacklistToken", []);
      const BLK = await blk.getAddress();
      await send(chain, blk, deployer, "mint", alice.address, 5n);
      const secret = "0x" + "c2".repeat(32);
      const leg = await escrowedLeg(BLK, 5n, 0n, secret);
      await send(chain, blk, deployer, "setBlacklisted", bob.address, true);
      await redeem(connected(relayer), leg, secret);
      const key = { at, party: bob.address, token: BLK };

      const stuck = await checkCredit(chain.node.provider, key);
      expect([stuck.credit, stuck.amount, stuck.tx, stuck.simulations]).to.deep.equal([5n, undefined, undefined, 3]); // 5, 2, 1
      expect((await checkCredit(chain.node.provider, key, { maxHalvings: 1 })).simulations).to.equal(2);
      const round = await roundCredits(chains, [key]);
      expect(round.withdrawals).to.deep.equal([]);
      expect(round.stuck.map((s) => [s.party, s.credit])).to.deep.equal([[bob.address, 5n]]);

      await send(chain, blk, deployer, "setBlacklisted", bob.address, false);
      const free = await checkCredit(chain.node.provider, key);
      expect([free.amount, free.simulations, free.tx!.data.slice(0, 10)]).to.deep.equal([5n, 1, WITHDRAW_ALL]);
    });

    it("a key of an unconfigured chain or an unreachable node is failed, not stuck, and the other keys are still checked", async function () {
      const lost = { at: { chainId: 31399n, escrow: chain.escrow }, party: bob.address, token: NATIVE };
      const port = await freePort();
      const dead = new JsonRpcProvider(`http://127.0.0.1:${port}`, Network.from(31398n), { staticNetwork: true });
      const unreachable = { at: { chainId: 31398n, escrow: chain.escrow }, party: bob.address, token: NATIVE };
      const fine = { at, party: alice.address, token: NATIVE };
      try {
        const round = await roundCredits(new Map([...chains, ["31398", { provider: dead }]]), [lost, unreachable, fine]);
        expect(round.failed.map((f) => f.key)).to.deep.equal([lost, unreachable]);
        expect(String((round.failed[0]!.error as Error).message)).to.contain("31399");
        expect(round.withdrawals).to.deep.equal([]);
        expect(round.stuck).to.deep.equal([]);
      } finally {
        dead.destroy();
      }
    });

    it("the SDK's withdrawCredits takes an amount: a part, then the rest; above the credit it is refused with WithdrawExceedsCreditError", async function () {
      const lim = await deploy(chain, deployer, "TransferLimitToken", [LIMIT]);
      const LIM = await lim.getAddress();
      await send(chain, lim, deployer, "mint", alice.address, 100n * U);
      await send(chain, lim, deployer, "mint", bob.address, 3n * U);
      const secret = "0x" + "c3".repeat(32);
      const leg = await escrowedLeg(LIM, 100n * U, 3n * U, secret);
      await redeem(connected(relayer), leg, secret);
      const bobBefore = await balanceOf(lim, bob.address);

      let refused: unknown;
      try {
        await withdrawCredits(connected(bob), at, LIM, { amount: 103n * U + 1n });
      } catch (e) {
        refused = e;
      }
      expect(refused).to.be.instanceOf(WithdrawExceedsCreditError);
      expect((refused as WithdrawExceedsCreditError).credit).to.equal(103n * U);
      expect((refused as WithdrawExceedsCreditError).amount).to.equal(103n * U + 1n);

      await withdrawCredits(connected(bob), at, LIM, { amount: LIMIT });
      expect(await getCredits(chain.node.provider, at, bob.address, LIM)).to.equal(2n * U);
      await withdrawCredits(connected(bob), at, LIM, { to: relayer.address });
      expect(await getCredits(chain.node.provider, at, bob.address, LIM)).to.equal(0n);
      expect((await balanceOf(lim, bob.address)) - bobBefore).to.equal(LIMIT);
      expect(await balanceOf(lim, relayer.address)).to.equal(2n * U);
    });
  });
});
