/**
 * Writes `test/vectors/leg-ids.json`: pinned leg-id and abort-digest vectors that the contract tests
 * check against the deployed escrow and the SDK tests check against its own helpers. Run once with
 * `npx ts-node scripts/make-vectors.ts`; the file is committed and must never change silently.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { abortDigest, hashlockOf, legId, NATIVE, toLegStruct, type LegStruct } from "../src/sdk/leg";
import { PremiumMode } from "../src/sdk/timelocks";

const ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const TOKEN_A = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const TOKEN_B = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
const ESCROWS = ["0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x1111111111111111111111111111111111111111"];
const CHAIN_ID = 31337n;
const SECRET = "0x" + "5a".repeat(32);
const T0 = 1_800_000_000n;
const D = 3600n;

interface Case {
  name: string;
  escrow: string;
  leg: LegStruct;
}

const plain = (token: string, amount: bigint): LegStruct =>
  toLegStruct({
    escrower: ALICE,
    redeemer: BOB,
    hashlock: hashlockOf(SECRET),
    token,
    amount,
    premiumToken: NATIVE,
    premiumAmount: 0n,
    timelocks: { premiumDeadline: 0n, escrowDeadline: T0 + D, timeout: T0 + 2n * D, mode: PremiumMode.Hedge },
  });

const premium = (token: string, premiumToken: string, mode: PremiumMode): LegStruct =>
  toLegStruct({
    escrower: BOB,
    redeemer: ALICE,
    hashlock: hashlockOf(SECRET),
    token,
    amount: 100n * 10n ** 18n,
    premiumToken,
    premiumAmount: 3n * 10n ** 18n,
    timelocks: { premiumDeadline: T0 + D, escrowDeadline: T0 + 4n * D, timeout: T0 + 5n * D, mode },
  });

const cases: Case[] = [
  { name: "plain native leg", escrow: ESCROWS[0]!, leg: plain(NATIVE, 15n * 10n ** 17n) },
  { name: "plain ERC-20 leg", escrow: ESCROWS[0]!, leg: plain(TOKEN_A, 15n * 10n ** 17n) },
  { name: "plain native leg, other escrow address", escrow: ESCROWS[1]!, leg: plain(NATIVE, 15n * 10n ** 17n) },
  { name: "hedge premium, same asset (native)", escrow: ESCROWS[0]!, leg: premium(NATIVE, NATIVE, PremiumMode.Hedge) },
  { name: "hedge premium, same asset (ERC-20)", escrow: ESCROWS[0]!, leg: premium(TOKEN_B, TOKEN_B, PremiumMode.Hedge) },
  { name: "hedge premium in another asset", escrow: ESCROWS[0]!, leg: premium(TOKEN_A, NATIVE, PremiumMode.Hedge) },
  { name: "option premium", escrow: ESCROWS[0]!, leg: premium(TOKEN_B, TOKEN_B, PremiumMode.Option) },
  { name: "option premium, other escrow address", escrow: ESCROWS[1]!, leg: premium(TOKEN_B, TOKEN_B, PremiumMode.Option) },
  {
    name: "premium token set, premium amount 0 (a non-canonical leg: its own id)",
    escrow: ESCROWS[0]!,
    leg: { ...plain(NATIVE, 1n), premiumToken: TOKEN_A },
  },
];

const vectors = cases.map((c) => ({
  name: c.name,
  chainId: CHAIN_ID.toString(),
  escrow: c.escrow,
  leg: Object.fromEntries(Object.entries(c.leg).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
  legId: legId(c.leg, { chainId: CHAIN_ID, escrow: c.escrow }),
  abortDigest: abortDigest(c.leg, { chainId: CHAIN_ID, escrow: c.escrow }),
}));

const out = {
  description:
    "Pinned leg ids (keccak256(abi.encode(chainId, escrow, escrower, redeemer, hashlock, token, amount, timelocks[, premiumToken, premiumAmount]))) and cooperative-abort EIP-712 digests of HedgeSwapEscrow 1.0.0. Checked by test/contracts/LegIdVectors.test.ts against the contract and by the SDK tests.",
  secret: SECRET,
  vectors,
};
writeFileSync(join(__dirname, "..", "test", "vectors", "leg-ids.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`wrote ${vectors.length} vectors`);
