/**
 * Credits: payouts the escrow could not push (a recipient that rejects the coin, a blacklist, or a
 * token whose per-transfer limit is below a payout the escrow merged into one transfer: principal +
 * premium, a batch's sum) wait in `credits(account, token)` until the account withdraws them. A credit
 * above a token's limit can only come out in parts: `withdrawableCredit` finds the largest part that
 * moves now (the whole credit, else its halves), by simulation. Shared by `recover` and the
 * coordinator, so both withdraw by the same rule.
 */
import { getAddress, type ContractRunner } from "ethers";

import { escrowInterface, withdrawTx, type TxRequest } from "./calldata";
import { providerOf } from "./deployments";
import { findRevertData } from "./escrowErrors";
import type { EscrowLocation } from "./leg";

/** How many times the amount is halved before a credit is given up as stuck for now. */
export const MAX_HALVINGS = 64;

/** What `withdrawableCredit` found. */
export interface WithdrawableCredit {
  /** The account's credit at the block read. */
  readonly credit: bigint;
  /** What to withdraw now: the whole credit or a part whose simulation passed; undefined when nothing passed (stuck) or the credit is 0. */
  readonly amount: bigint | undefined;
  /** The transaction the account sends: `withdraw(token, account)` for the whole, `withdraw(token, account, amount)` for a part. */
  readonly tx: TxRequest | undefined;
  /** How many withdrawals were simulated. */
  readonly simulations: number;
}

/**
 * The amounts to try for `credit`, largest first: the credit, then its halves (rounded down) while they
 * are at least 1, at most `maxHalvings` of them. Empty for a credit of 0. Pure.
 */
export function withdrawAmounts(credit: bigint, maxHalvings = MAX_HALVINGS): bigint[] {
  const out: bigint[] = [];
  for (let amount = credit, k = 0; amount >= 1n && k <= maxHalvings; amount >>= 1n, k++) out.push(amount);
  return out;
}

/** A revert (of the simulated call), as opposed to a failure to ask the node. */
function isRevert(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "CALL_EXCEPTION" || findRevertData(e) !== undefined;
}

/**
 * Reads `account`'s credit of `token` (`NATIVE` for the coin) in the escrow `at` and finds what it can
 * withdraw now, to itself: simulates (`eth_call` from the account, at one block) the full withdrawal,
 * then, while the simulation reverts, half the amount before, down to 1 unit or `maxHalvings` halvings.
 * A failure to reach the node (not a revert) is thrown. Sends nothing.
 */
export async function withdrawableCredit(
  runner: ContractRunner,
  at: EscrowLocation,
  account: string,
  token: string,
  opts: { readonly blockTag?: number | string; readonly maxHalvings?: number } = {},
): Promise<WithdrawableCredit> {
  const provider = providerOf(runner, "withdrawableCredit");
  const party = getAddress(account);
  const asset = getAddress(token);
  const blockTag = opts.blockTag ?? (await provider.getBlockNumber());
  const read = await provider.call({ to: at.escrow, data: escrowInterface.encodeFunctionData("credits", [party, asset]), blockTag });
  const credit = escrowInterface.decodeFunctionResult("credits", read)[0] as bigint;
  let simulations = 0;
  for (const amount of withdrawAmounts(credit, opts.maxHalvings)) {
    const tx = amount === credit ? withdrawTx(at, asset, party) : withdrawTx(at, asset, party, amount);
    simulations++;
    try {
      await provider.call({ from: party, to: tx.to, data: tx.data, blockTag });
      return { credit, amount, tx, simulations };
    } catch (e) {
      if (!isRevert(e)) throw e;
    }
  }
  return { credit, amount: undefined, tx: undefined, simulations };
}
