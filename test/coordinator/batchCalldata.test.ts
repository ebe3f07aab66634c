/**
 * The coordinator's batch calldata encoder (`src/coordinator/chain/batchCalldata.ts`, viem) must give
 * the bytes of the SDK's builders without it (ethers' `Interface`), for native and ERC-20 legs, amounts
 * up to 2^255 and batches up to 500 legs, and keep the builders' checks and native values.
 */
import { expect } from "chai";
import { Wallet, ZeroAddress } from "ethers";

import { VIEM_BATCH, viemBatchEncoder } from "../../src/coordinator/chain/batchCalldata";
import { CallInputError, depositPremiumBatchTx, escrowBatchTx, escrowInterface, hashlockOf, planHedgedSwap, redeemBatchTx, settleBatchTx } from "../../src/sdk";

describe("coordinator batch calldata (viem)", function () {
  const leader = new Wallet("0x" + "11".repeat(32)).address;
  const follower = new Wallet("0x" + "22".repeat(32)).address;
  const escrow = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const secretOf = (i: number) => "0x" + (i + 1).toString(16).padStart(64, "0");
  /** Swap `i`: leg A an ERC-20 principal with a native premium; leg B all native, growing amounts. */
  const plan = (i: number) =>
    planHedgedSwap(
      {
        leader,
        follower,
        hashlock: hashlockOf(secretOf(i)),
        start: 1_900_000_000n,
        delta: 600n + BigInt(i),
        legA: { chainId: 1n, escrow, token: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", amount: 10n ** 24n + BigInt(i), premiumToken: ZeroAddress, premiumAmount: 1n },
        legB: { chainId: 1n, escrow, token: ZeroAddress, amount: 2n ** 255n + BigInt(i), premiumAmount: 3n + BigInt(i) },
      },
      { now: 1_900_000_000n, allowSameChain: true },
    );

  for (const swaps of [1, 2, 250]) {
    it(`gives the SDK's bytes and values for depositPremiumBatch, escrowBatch, redeemBatch and settleBatch of ${2 * swaps} legs`, function () {
      const legs = Array.from({ length: swaps }, (_, i) => plan(i)).flatMap((p) => [p.legA, p.legB]);
      const items = legs.map((leg, k) => ({ leg, secret: secretOf(k >> 1) }));
      expect(depositPremiumBatchTx(legs, VIEM_BATCH)).to.deep.equal(depositPremiumBatchTx(legs));
      expect(escrowBatchTx(legs, VIEM_BATCH)).to.deep.equal(escrowBatchTx(legs));
      expect(settleBatchTx(legs, VIEM_BATCH)).to.deep.equal(settleBatchTx(legs));
      expect(redeemBatchTx(items, VIEM_BATCH)).to.deep.equal(redeemBatchTx(items));
      expect(viemBatchEncoder("settleBatch", [legs.map((l) => l.leg)])).to.equal(escrowInterface.encodeFunctionData("settleBatch", [legs.map((l) => l.leg)]));
    });
  }

  it("keeps the builders' checks: an empty batch or legs of two escrows are refused before encoding", function () {
    const p = plan(0);
    const other = { ...p.legB, at: { ...p.legB.at, escrow: "0x0000000000000000000000000000000000000001" } };
    expect(() => escrowBatchTx([], VIEM_BATCH)).to.throw(CallInputError);
    expect(() => settleBatchTx([p.legA, other], VIEM_BATCH)).to.throw(CallInputError);
    expect(() => redeemBatchTx([{ leg: p.legA, secret: "0x12" }], VIEM_BATCH)).to.throw();
  });
});
