/** The accounts every `hardhat node` funds: derived from Hardhat's well-known development mnemonic. */
import { HDNodeWallet, Wallet } from "ethers";

import { InvalidArgumentError } from "../sdk/errors";

/** Hardhat's default mnemonic. Its first 20 accounts hold 10000 ETH on every `hardhat node`. Never use it on a real chain. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The BIP-44 path of account 0; account `i` ends in `/i`. */
export const DEV_PATH_PREFIX = "m/44'/60'/0'/0";

/** How many accounts a `hardhat node` funds with the default config. */
export const FUNDED_DEV_ACCOUNTS = 20;

/**
 * The first `n` development accounts (path `m/44'/60'/0'/0/i`), as unconnected `Wallet`s: call
 * `.connect(node.provider)` to use one. Only the first 20 are funded by a default `hardhat node`.
 */
export function devAccounts(n: number): Wallet[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("n", "must be a non-negative integer", n);
  const parent = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, DEV_PATH_PREFIX);
  const wallets: Wallet[] = [];
  for (let i = 0; i < n; i++) wallets.push(new Wallet(parent.deriveChild(i).privateKey));
  return wallets;
}
