/**
 * Secrets and hashlocks: CSPRNG secrets, deterministic derivation from a seed (pinned), the hashlock
 * mirror of the contract's sha256, and the calldata builders' encodings.
 */
import { expect } from "chai";
import { createHmac } from "node:crypto";
import { sha256 } from "ethers";

import {
  InvalidArgumentError,
  InvalidBytes32Error,
  deriveSecret,
  escrowInterface,
  hashlockOf,
  opens,
  randomSecret,
  randomSeed,
  secretsByHashlock,
} from "../../src/sdk";

const SEED = "0x" + "42".repeat(32);

describe("SDK secrets", function () {
  it("random secrets and seeds are 32 bytes and distinct", function () {
    const secrets = new Set(Array.from({ length: 64 }, () => randomSecret()));
    expect(secrets.size).to.equal(64);
    for (const s of secrets) expect(s).to.match(/^0x[0-9a-f]{64}$/);
    expect(randomSeed()).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("derivation is deterministic, index-separated, and pinned", function () {
    expect(deriveSecret(SEED, 0)).to.equal(deriveSecret(SEED, 0n));
    expect(deriveSecret(SEED, 0)).to.not.equal(deriveSecret(SEED, 1));
    expect(deriveSecret(SEED, 0)).to.not.equal(deriveSecret("0x" + "43".repeat(32), 0));
    expect([deriveSecret(SEED, 0), deriveSecret(SEED, 1), deriveSecret(SEED, 2n ** 64n - 1n)]).to.deep.equal(PINNED);
    for (const [i, index] of [0n, 1n, 2n ** 64n - 1n].entries()) {
      const word = Buffer.alloc(8);
      word.writeBigUInt64BE(index);
      const mac = createHmac("sha256", Buffer.from(SEED.slice(2), "hex")).update(Buffer.concat([Buffer.from("hedgeswap/secret/v1"), word]));
      expect("0x" + mac.digest("hex")).to.equal(PINNED[i]);
    }
  });

  it("secretsByHashlock re-derives a range and maps sha256(secret) to the secret and index", function () {
    const map = secretsByHashlock(SEED, 5, 10);
    expect(map.size).to.equal(5);
    const hit = map.get(sha256(deriveSecret(SEED, 12)));
    expect(hit).to.deep.equal({ secret: deriveSecret(SEED, 12), index: 12n });
    expect(map.get(sha256(deriveSecret(SEED, 9)))).to.equal(undefined);
  });

  it("rejects a short seed, an index outside [0, 2^64), a negative count", function () {
    expect(() => deriveSecret("0x" + "42".repeat(31), 0)).to.throw(InvalidArgumentError);
    expect(() => deriveSecret(SEED, -1)).to.throw(InvalidArgumentError);
    expect(() => deriveSecret(SEED, 2n ** 64n)).to.throw(InvalidArgumentError);
    expect(() => secretsByHashlock(SEED, -1)).to.throw(InvalidArgumentError);
  });

  it("hashlockOf is sha256 over exactly 32 bytes; opens() checks a secret against a hashlock", function () {
    const s = deriveSecret(SEED, 3);
    expect(hashlockOf(s)).to.equal(sha256(s));
    expect(opens(s, hashlockOf(s).toUpperCase().replace("0X", "0x"))).to.equal(true);
    expect(opens(s, hashlockOf(deriveSecret(SEED, 4)))).to.equal(false);
    for (const bad of ["0x1234", "0x" + "00".repeat(33), "42".repeat(32), "0x" + "zz".repeat(32)]) {
      expect(() => hashlockOf(bad)).to.throw(InvalidBytes32Error);
    }
  });

  it("the escrow interface encodes the selectors the contract exposes", function () {
    expect(escrowInterface.getFunction("redeem")!.selector).to.equal(escrowInterface.getFunction("redeem((address,address,bytes32,address,uint256,uint256,address,uint256),bytes32)")!.selector);
  });
});

/** HMAC-SHA256(seed, "hedgeswap/secret/v1" ‖ uint64be(i)) for i = 0, 1, 2^64 − 1, computed with Node's crypto. */
const PINNED = [
  "0xba4596a043df19c1819d79bb261f76812b6d35f1c6afd14e32bf001e0d6ca4cb",
  "0xf3c03d3a541275a472d1ed195a83d3a6b317ae8023fc626f6f58da713d3b7c2b",
  "0xfad308b9f7f562536431d43a02d328d2ad2edff4128a3db3d4bee33d074ccb5d",
];
