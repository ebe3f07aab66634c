/**
 * A round's work, turned into transactions (pure): legs that share a chain, a sending party and an
 * action become one batch call of at most DEFAULT_BATCH_SIZE legs, in protocol order; a single leg uses the
 * single-leg function; native values are summed; batches of one shape share a gas estimate key.
 */
import { expect } from "chai";
import { Wallet, ZeroAddress } from "ethers";

import { CallInputError, escrowBatchTx, escrowInterface, hashlockOf, planHedgedSwap } from "../../src/sdk";
import type { PartyKeys } from "../../src/coordinator/config";
import { DEFAULT_BATCH_SIZE, RoundWork, workItem, workItems, type WorkEntry } from "../../src/coordinator/engine/work";

const T0 = 1_900_000_000n;
const ESCROW_A = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const ESCROW_B = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const TOKEN = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const leader = new Wallet("0x" + "11".repeat(32));
const follower = new Wallet("0x" + "22".repeat(32));

function secretOf(i: number): string {
  return "0x" + (i + 1).toString(16).padStart(64, "0");
}

/** Swap `i`: leg A pays an ERC-20 principal (`token`) with a native premium; leg B is all native. */
function swap(i: number, token = TOKEN) {
  return planHedgedSwap(
    {
      leader: leader.address,
      follower: follower.address,
      hashlock: hashlockOf(secretOf(i)),
      start: T0,
      delta: 600n,
      legA: { chainId: 1n, escrow: ESCROW_A, token, amount: 100n, premiumToken: ZeroAddress, premiumAmount: 1n + BigInt(i) },
      legB: { chainId: 2n, escrow: ESCROW_B, token: ZeroAddress, amount: 1000n + BigInt(i), premiumAmount: 3n + BigInt(i) },
    },
    { now: T0 },
  );
}

const entry = (i: number, leg: "A" | "B", step: string, token = TOKEN): WorkEntry => {
  const p = swap(i, token);
  return { swapId: p.id, leg: leg === "A" ? p.legA : p.legB, step, secret: secretOf(i) };
};
const party = (w: Wallet): PartyKeys => ({ name: "p", wallet: w, seed: undefined });
/** The batch call (never the single-leg one) of a one-entry work item. */
const escrowInterfaceBatch = (one: ReturnType<typeof workItem>) => escrowBatchTx(one.entries.map((e) => e.leg));
const legsOf = (data: string, fn: string) => (escrowInterface.decodeFunctionData(fn, data)[0] as unknown[]).length;

describe("coordinator: a round's work as transactions", function () {
  it("groups by chain and sending party; actions in protocol order within a group", function () {
    const work = new RoundWork();
    work.add("1", party(follower), "redeem", entry(0, "A", "6"));
    work.add("1", party(follower), "depositPremium", entry(1, "A", "2"));
    work.add("2", party(leader), "depositPremium", entry(2, "B", "1"));
    work.add("1", party(leader), "escrow", entry(3, "A", "3"));
    const groups = [...work.groups()].map((g) => ({ chain: g.chainId, from: g.party.wallet.address, actions: workItems(g).map((i) => i.action) }));
    expect(groups).to.deep.equal([
      { chain: "1", from: follower.address, actions: ["depositPremium", "redeem"] },
      { chain: "2", from: leader.address, actions: ["depositPremium"] },
      { chain: "1", from: leader.address, actions: ["escrow"] },
    ]);
  });

  it(`splits ${2 * DEFAULT_BATCH_SIZE + 5} redeems into batches of ${DEFAULT_BATCH_SIZE}, ${DEFAULT_BATCH_SIZE} and 5, each listing the swap legs it covers`, function () {
    const work = new RoundWork();
    const entries = Array.from({ length: 2 * DEFAULT_BATCH_SIZE + 5 }, (_, i) => entry(i, "A", "6"));
    for (const e of entries) work.add("1", party(follower), "redeem", e);
    const items = workItems([...work.groups()][0]!);
    expect(items.map((i) => i.entries.length)).to.deep.equal([DEFAULT_BATCH_SIZE, DEFAULT_BATCH_SIZE, 5]);
    for (const [k, it] of items.entries()) {
      const covered = entries.slice(k * DEFAULT_BATCH_SIZE, k * DEFAULT_BATCH_SIZE + it.entries.length);
      expect(it.item.members).to.deep.equal(covered.map((e) => ({ swapId: e.swapId, leg: "A" })));
      const decoded = escrowInterface.decodeFunctionData("redeemBatch", it.item.req.data);
      expect(decoded[1]).to.deep.equal(covered.map((e) => e.secret));
      expect(it.item.purpose).to.deep.equal({ swapId: covered[0]!.swapId, leg: "A", action: "redeem", step: "6" });
    }
    // Every leg moves the same assets: all three batches share one per-leg price, whatever their size.
    expect(items.map((i) => i.item.probe?.key)).to.deep.equal(Array(3).fill(items[0]!.item.probe!.key));
    expect(items.map((i) => i.item.probe?.legs)).to.deep.equal([DEFAULT_BATCH_SIZE, DEFAULT_BATCH_SIZE, 5]);
  });

  it("a batch whose legs move the same assets is priced from the same call over its first one and two legs; a mixed one shares an estimate with its size and asset set", function () {
    const same = workItem("escrow", [0, 1, 2, 3].map((i) => entry(i, "A", "3")));
    const { probe } = same.item;
    expect(probe).to.not.equal(undefined);
    expect(same.item.gasKey).to.equal(undefined);
    expect(probe!.legs).to.equal(4);
    const call = (legs: number) => workItem("escrow", [0, 1, 2, 3].slice(0, legs).map((i) => entry(i, "A", "3")));
    expect(escrowInterface.parseTransaction({ data: probe!.one.data })!.name).to.equal("escrowBatch");
    expect(probe!.one).to.deep.equal(escrowInterfaceBatch(call(1)));
    expect(probe!.two).to.deep.equal(call(2).item.req);
    expect(workItem("escrow", [5, 6].map((i) => entry(i, "A", "3"))).item.probe!.key).to.equal(probe!.key);
    // Another token: another price.
    const other = "0x" + "ab".repeat(20);
    expect(workItem("escrow", [5, 6].map((i) => entry(i, "A", "3", other))).item.probe!.key).to.not.equal(probe!.key);

    const mixed = workItem("escrow", [entry(0, "A", "3"), entry(1, "A", "3", other), entry(2, "A", "3")]);
    expect(mixed.item.probe).to.equal(undefined);
    expect(mixed.item.gasKey).to.be.a("string");
    const mixedAgain = workItem("escrow", [entry(4, "A", "3", other), entry(5, "A", "3"), entry(6, "A", "3")]);
    expect(mixedAgain.item.gasKey).to.equal(mixed.item.gasKey);
    expect(workItem("escrow", [entry(4, "A", "3", other), entry(5, "A", "3")]).item.gasKey).to.not.equal(mixed.item.gasKey);
  });

  it("premium and principal batches carry the sum of their native amounts as value", function () {
    const premiums = [0, 1, 2].map((i) => entry(i, "A", "2"));
    const p = workItem("depositPremium", premiums);
    expect(escrowInterface.parseTransaction({ data: p.item.req.data })!.name).to.equal("depositPremiumBatch");
    expect(legsOf(p.item.req.data, "depositPremiumBatch")).to.equal(3);
    expect(p.item.req.value).to.equal(1n + 2n + 3n);
    expect(p.item.req.to).to.equal(ESCROW_A);
    const principals = [0, 1, 2].map((i) => entry(i, "B", "4"));
    const e = workItem("escrow", principals);
    expect(escrowInterface.parseTransaction({ data: e.item.req.data })!.name).to.equal("escrowBatch");
    expect(e.item.req.value).to.equal(1000n + 1001n + 1002n);
    // ERC-20 principals carry no value.
    expect(workItem("escrow", [0, 1].map((i) => entry(i, "A", "3"))).item.req.value).to.equal(0n);
  });

  it("one leg uses the single-leg function and lists no separate members; settlements share no gas estimate", function () {
    const one = workItem("escrow", [entry(7, "B", "4")]);
    expect(escrowInterface.parseTransaction({ data: one.item.req.data })!.name).to.equal("escrow");
    expect(one.item.req.value).to.equal(1007n);
    expect(one.item.members).to.equal(undefined);
    const redeem = workItem("redeem", [entry(7, "A", "6")]);
    expect(escrowInterface.parseTransaction({ data: redeem.item.req.data })!.args[1]).to.equal(secretOf(7));
    const settle = workItem("settle", [entry(1, "A", "settle"), entry(2, "A", "settle")]);
    expect(escrowInterface.parseTransaction({ data: settle.item.req.data })!.name).to.equal("settleBatch");
    expect(settle.item.gasKey).to.equal(undefined);
    expect(settle.item.probe).to.equal(undefined);
    expect(one.item.probe).to.equal(undefined);
  });

  it("refuses a batch whose legs live in different escrows (the SDK's CallInputError)", function () {
    const mixed: WorkEntry[] = [entry(0, "A", "2"), entry(1, "B", "1")];
    expect(() => workItem("depositPremium", mixed))
      .to.throw(CallInputError)
      .with.property("message")
      .that.matches(/same escrow/);
  });
});
