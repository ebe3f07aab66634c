/**
 * The user's secret seed, from the wallet: `seed = keccak256(signature)` of a fixed EIP-712 message
 * naming the account. Wallets sign deterministically (RFC 6979 ECDSA: MetaMask, hardware wallets,
 * ethers' Wallet), so the same wallet gives the same seed after a reload, on another device, after the
 * site's storage was wiped — wherever the wallet's own recovery phrase goes. The seed is held in memory
 * only, never stored and never sent; the swap's secret is `deriveSecret(seed, index)` (SDK).
 *
 * What is stored (localStorage) is `keccak256(seed)`, a check value: a wallet whose signatures are not
 * deterministic (some contract wallets) would derive another seed next time, and the page says so
 * instead of failing silently. Sign this message only on this dApp: whoever holds the signature can
 * derive the secrets of your future swaps (the wallet shows the requesting site).
 */
import { keccak256, verifyTypedData } from "ethers";

import { SeedMismatchError } from "./errors";
import type { InjectedWallet } from "./wallet";

/** The message's EIP-712 domain: no chain id (it is the same on every chain). */
export const SEED_DOMAIN = { name: "hedgeswap dApp", version: "1" } as const;

export const SEED_TYPES = {
  SecretSeed: [
    { name: "purpose", type: "string" },
    { name: "account", type: "address" },
  ],
};

/** The text the wallet shows. Part of the derivation: never change it. */
export const SEED_PURPOSE =
  "Derive the secret seed of my hedgeswap swaps. Sign only on the hedgeswap dApp: this signature is the key to the secrets of your swaps. It moves no funds.";

/** Asks the wallet for the seed signature; checks it is the account's, and against `check` (the stored check value) when given. */
export async function deriveSeed(wallet: InjectedWallet, check?: string): Promise<{ seed: string; check: string }> {
  const account = wallet.account;
  const value = { purpose: SEED_PURPOSE, account };
  const signature = await wallet.signTypedData("seed signature", SEED_DOMAIN, SEED_TYPES, value);
  if (verifyTypedData(SEED_DOMAIN, SEED_TYPES, value, signature).toLowerCase() !== account.toLowerCase()) {
    throw new Error("the wallet's seed signature is not the account's");
  }
  const seed = keccak256(signature);
  const mine = keccak256(seed);
  if (check !== undefined && check !== mine) throw new SeedMismatchError();
  return { seed, check: mine };
}
