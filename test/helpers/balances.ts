/**
 * Exact balance bookkeeping for the escrow tests: record every party's and the escrow's balance of
 * every asset, then assert that each moved by exactly the expected amount, with the transaction fees
 * each sender paid (failed transactions included) added back to its native-coin balance.
 */
import { expect } from "chai";
import { ethers } from "hardhat";

import { NATIVE } from "../../src/sdk/leg";

/** What the bookkeeping needs of a test's context. */
export interface BalanceContext {
  alice: { address: string };
  bob: { address: string };
  carol: { address: string };
  relayer: { address: string };
  escrowAddress: string;
  APR: string;
  BAN: string;
  /** Lower-case address -> readable name, for balance diffs. */
  names: Map<string, string>;
}

const BALANCE_ABI = ["function balanceOf(address) view returns (uint256)"];

export async function balanceOf(token: string, holder: string): Promise<bigint> {
  if (token === NATIVE) return ethers.provider.getBalance(holder);
  const contract = new ethers.Contract(token, BALANCE_ABI, ethers.provider);
  return (await contract.getFunction("balanceOf")(holder)) as bigint;
}

export interface Tracker {
  block: number;
  keys: [token: string, holder: string][];
  before: bigint[];
}

/**
 * Records the balances of native coin, APR, BAN (and `extraTokens`) of alice, bob, carol, the
 * relayer, the escrow (and `extraHolders`).
 */
export async function track(c: BalanceContext, extraTokens: string[] = [], extraHolders: string[] = []): Promise<Tracker> {
  const tokens = [NATIVE, c.APR, c.BAN, ...extraTokens];
  const holders = [c.alice.address, c.bob.address, c.carol.address, c.relayer.address, c.escrowAddress, ...extraHolders];
  const keys = tokens.flatMap((token) => holders.map((holder): [string, string] => [token, holder]));
  const block = await ethers.provider.getBlockNumber();
  const before = await Promise.all(keys.map(([token, holder]) => balanceOf(token, holder)));
  return { block, keys, before };
}

/** Fees paid per sender (lower-case address) in the blocks after `block`, failed transactions included. */
export async function feesSince(block: number): Promise<Map<string, bigint>> {
  const fees = new Map<string, bigint>();
  const latest = await ethers.provider.getBlockNumber();
  for (let n = block + 1; n <= latest; n++) {
    const b = await ethers.provider.getBlock(n);
    for (const hash of b?.transactions ?? []) {
      const receipt = await ethers.provider.getTransactionReceipt(hash);
      if (receipt === null) continue;
      const from = receipt.from.toLowerCase();
      fees.set(from, (fees.get(from) ?? 0n) + receipt.fee);
    }
  }
  return fees;
}

/**
 * Asserts that every tracked balance moved by exactly the listed deltas (0 when not listed), with
 * the transaction fees each sender paid added back.
 */
export async function expectDeltas(c: BalanceContext, t: Tracker, deltas: [token: string, holder: string, delta: bigint][] = []): Promise<void> {
  const fees = await feesSince(t.block);
  const after = await Promise.all(t.keys.map(([token, holder]) => balanceOf(token, holder)));
  const label = (token: string, holder: string): string =>
    `${c.names.get(token.toLowerCase()) ?? token} of ${c.names.get(holder.toLowerCase()) ?? holder}`;
  const actual: Record<string, string> = {};
  const expected: Record<string, bigint> = {};
  t.keys.forEach(([token, holder], i) => {
    const fee = token === NATIVE ? (fees.get(holder.toLowerCase()) ?? 0n) : 0n;
    actual[label(token, holder)] = (after[i]! + fee - t.before[i]!).toString();
    expected[label(token, holder)] = 0n;
  });
  for (const [token, holder, delta] of deltas) {
    const key = label(token, holder);
    if (expected[key] === undefined) throw new Error(`balance ${key} is not tracked`);
    expected[key] += delta;
  }
  const expectedStrings = Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v.toString()]));
  expect(actual).to.deep.equal(expectedStrings);
}

export async function expectUnchanged(c: BalanceContext, t: Tracker): Promise<void> {
  await expectDeltas(c, t);
}
