/**
 * The SDK's committed ABI (`src/sdk/abi.ts`) must be the compiled contract's: a contract change
 * without `npm run abi` fails here.
 */
import { expect } from "chai";
import { artifacts } from "hardhat";

import { escrowAbi } from "../../src/sdk";

describe("SDK ABI", function () {
  it("equals the compiled HedgeSwapEscrow artifact's ABI", async function () {
    const { abi } = await artifacts.readArtifact("HedgeSwapEscrow");
    expect(JSON.parse(JSON.stringify(escrowAbi))).to.deep.equal(abi);
  });
});
