/**
 * The SDK's committed ABI (`src/sdk/abi.ts`) must be the compiled contract's: a contract change
 * without `npm run abi` fails here. The batch calldata builders must give the bytes ethers' Interface
 * gives, for native and ERC-20 legs and up to 256-bit amounts (the coordinator's viem encoder is held to
 * the same bytes in test/coordinator/batchCalldata.test.ts).
 */
import { expect } from "chai";
import { artifacts } from "hardhat";

import { Wallet, ZeroAddress } from "ethers";

import { depositPremiumBatchTx, escrowAbi, escrowBatchTx, escrowInterface, hashlockOf, planHedgedSwap, redeemBatchTx, settleBatchTx } from "../../src/sdk";

describe("SDK ABI", function () {
  it("equals the compiled HedgeSwapEscrow artifact's ABI", async function () {
    const { abi } = await artifacts.readArtifact("HedgeSwapEscrow");
    expect(JSON.parse(JSON.stringify(escrowAbi))).to.deep.equal(abi);
  });
});

describe("SDK batch calldata", function () {
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
    it(`depositPremiumBatch, escrowBatch, redeemBatch and settleBatch of ${2 * swaps} legs: the bytes ethers' Interface encodes`, function () {
      const plans = Array.from({ length: swaps }, (_, i) => plan(i));
      const legs = plans.flatMap((p) => [p.legA, p.legB]);
      const raw = legs.map((l) => l.leg);
      expect(depositPremiumBatchTx(legs).data).to.equal(escrowInterface.encodeFunctionData("depositPremiumBatch", [raw]));
      expect(escrowBatchTx(legs).data).to.equal(escrowInterface.encodeFunctionData("escrowBatch", [raw]));
      expect(settleBatchTx(legs).data).to.equal(escrowInterface.encodeFunctionData("settleBatch", [raw]));
      const secrets = legs.map((_, k) => secretOf(k >> 1));
      expect(redeemBatchTx(legs.map((leg, k) => ({ leg, secret: secrets[k]! }))).data).to.equal(escrowInterface.encodeFunctionData("redeemBatch", [raw, secrets]));
    });
  }
});
