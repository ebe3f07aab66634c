/**
 * The pinned leg-id vectors of `test/vectors/leg-ids.json`, checked against the contract: for each
 * vector the escrow's runtime code is placed at the vector's escrow address, and the contract's
 * `hashLeg` and `hashAbort` there must equal the pinned values. (The SDK tests check the same file
 * against the SDK's helpers; the mirror in src/sdk/leg.ts is checked here too.)
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";

import vectorsFile from "../vectors/leg-ids.json";
import { abortDigest, legId, type LegStruct } from "../../src/sdk/leg";

interface Vector {
  name: string;
  chainId: string;
  escrow: string;
  leg: Record<string, string>;
  legId: string;
  abortDigest: string;
}

function toLeg(raw: Record<string, string>): LegStruct {
  return {
    escrower: raw.escrower!,
    redeemer: raw.redeemer!,
    hashlock: raw.hashlock!,
    token: raw.token!,
    amount: BigInt(raw.amount!),
    timelocks: BigInt(raw.timelocks!),
    premiumToken: raw.premiumToken!,
    premiumAmount: BigInt(raw.premiumAmount!),
  };
}

describe("leg-id vectors (test/vectors/leg-ids.json)", function () {
  const vectors = vectorsFile.vectors as Vector[];

  it("has vectors for plain, premium, option and non-canonical legs at two escrow addresses", function () {
    expect(vectors.length).to.be.greaterThanOrEqual(8);
    expect(new Set(vectors.map((v) => v.escrow)).size).to.equal(2);
    expect(new Set(vectors.map((v) => v.legId)).size).to.equal(vectors.length);
  });

  for (const v of vectors) {
    it(`contract and SDK agree with the pinned id and abort digest: ${v.name}`, async function () {
      const chainId = (await ethers.provider.getNetwork()).chainId;
      expect(chainId.toString()).to.equal(v.chainId);

      const deployed = await ethers.deployContract("HedgeSwapEscrow");
      const code = await ethers.provider.getCode(await deployed.getAddress());
      await network.provider.send("hardhat_setCode", [v.escrow, code]);
      const escrow = deployed.attach(v.escrow) as typeof deployed;

      const leg = toLeg(v.leg);
      expect(await escrow.hashLeg(leg)).to.equal(v.legId);
      expect(await escrow.hashAbort(leg)).to.equal(v.abortDigest);
      expect(legId(leg, { chainId, escrow: v.escrow })).to.equal(v.legId);
      expect(abortDigest(leg, { chainId, escrow: v.escrow })).to.equal(v.abortDigest);
    });
  }
});
