/**
 * The unit tests' context: the shared fixture plus token addresses, the escrow's location (chain id
 * and address, for leg ids) and readable names for balance diffs.
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";

import { NATIVE, type EscrowLocation } from "../../src/sdk/leg";
import { deployFixture, now, type Fixture } from "./fixture";

/** A loaded fixture with token addresses, the escrow location and readable names. */
export interface Ctx extends Fixture {
  at: EscrowLocation;
  /** The latest block time when the test started. */
  t0: bigint;
  APR: string;
  BAN: string;
  FEE: string;
  NORET: string;
  BLK: string;
  /** Lower-case address -> readable name, for balance diffs. */
  names: Map<string, string>;
}

/** Loads {@link deployFixture} and adds what the unit tests use. */
export async function setup(): Promise<Ctx> {
  const f = await loadFixture(deployFixture);
  const { chainId } = await ethers.provider.getNetwork();
  const APR = await f.apr.getAddress();
  const BAN = await f.ban.getAddress();
  const FEE = await f.feeToken.getAddress();
  const NORET = await f.noReturnToken.getAddress();
  const BLK = await f.blacklistToken.getAddress();
  const names = new Map<string, string>();
  const named: [string, string][] = [
    [NATIVE, "ETH"],
    [APR, "APR"],
    [BAN, "BAN"],
    [FEE, "FEE"],
    [NORET, "NORET"],
    [BLK, "BLK"],
    [f.alice.address, "alice"],
    [f.bob.address, "bob"],
    [f.carol.address, "carol"],
    [f.relayer.address, "relayer"],
    [f.escrowAddress, "escrow"],
    [await f.rejecting.getAddress(), "rejecting"],
    [await f.wallet.getAddress(), "wallet"],
  ];
  for (const [address, name] of named) names.set(address.toLowerCase(), name);
  return { ...f, at: { chainId, escrow: f.escrowAddress }, t0: await now(), APR, BAN, FEE, NORET, BLK, names };
}
