/**
 * The sender's EIP-1559 signing: byte for byte what ethers' `Wallet.signTransaction` produces (same
 * deterministic signature), for empty, small and batch-sized calldata and for zero and extreme
 * quantities; the hash is the keccak of the raw bytes and the transaction parses back to the wallet as
 * sender (every coordinator test sends it to real nodes); malformed fields are
 * refused with the SDK's InvalidArgumentError, naming the field.
 */
import { expect } from "chai";
import { Transaction, Wallet, hexlify, keccak256, randomBytes } from "ethers";

import { InvalidArgumentError } from "../../src/sdk";
import { signEip1559, type Eip1559Fields } from "../../src/coordinator/chain/signTx";

const wallet = new Wallet("0x" + "4c".repeat(32));
const base: Eip1559Fields = {
  chainId: 31337n,
  nonce: 0,
  maxPriorityFeePerGas: 1_000_000_000n,
  maxFeePerGas: 3_000_000_000n,
  gasLimit: 21_000n,
  to: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  value: 0n,
  data: "0x",
};

async function viaEthers(f: Eip1559Fields): Promise<string> {
  return wallet.signTransaction({ type: 2, ...f });
}

describe("coordinator: EIP-1559 signing for batch calls", function () {
  const cases: [string, Partial<Eip1559Fields>][] = [
    ["empty calldata, zero value, nonce 0", {}],
    ["a 4-byte call with value", { data: "0x12345678", value: 10n ** 18n, nonce: 1 }],
    ["a 100-leg batch's 25 KB of calldata", { data: hexlify(randomBytes(25_604)), nonce: 4_242, gasLimit: 3_456_789n }],
    ["a lower-case callee and upper-case calldata", { to: base.to.toLowerCase(), data: "0xABCDEF00" }],
    ["extreme quantities", { chainId: 2n ** 64n - 1n, nonce: Number.MAX_SAFE_INTEGER, maxFeePerGas: 2n ** 256n - 1n, maxPriorityFeePerGas: 2n ** 255n, gasLimit: 2n ** 63n, value: 2n ** 256n - 1n }],
    ["data with leading zero bytes", { data: "0x0000000001" }],
  ];
  for (const [name, patch] of cases) {
    it(`matches ethers byte for byte: ${name}`, async function () {
      const f = { ...base, ...patch };
      const ours = signEip1559(wallet.signingKey, f);
      expect(ours.raw).to.equal(await viaEthers(f));
      expect(ours.hash).to.equal(keccak256(ours.raw));
      const parsed = Transaction.from(ours.raw);
      expect(parsed.from).to.equal(wallet.address);
      expect(parsed.hash).to.equal(ours.hash);
      expect([parsed.nonce, parsed.value, parsed.data.toLowerCase()]).to.deep.equal([f.nonce, f.value, f.data.toLowerCase()]);
    });
  }

  it("refuses malformed fields with InvalidArgumentError naming the field, before signing anything", function () {
    const bad: [keyof Eip1559Fields, unknown][] = [
      ["to", "0x1234"],
      ["to", "0x" + "zz".repeat(20)],
      ["data", "0x123"],
      ["data", "1234"],
      ["data", "0x12g4"],
      ["nonce", -1],
      ["nonce", 1.5],
      ["gasLimit", -1n],
      ["value", 2n ** 256n],
    ];
    for (const [field, value] of bad) {
      const attempt = () => signEip1559(wallet.signingKey, { ...base, [field]: value } as Eip1559Fields);
      expect(attempt, `${field} = ${String(value)}`).to.throw(InvalidArgumentError).with.property("message").that.matches(new RegExp(`^${field}: `));
    }
  });
});
