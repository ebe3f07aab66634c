/**
 * The user's EIP-1193 wallet (`window.ethereum`), wrapped with ethers' `BrowserProvider`, used only to
 * sign and send: every read goes to the chain's own JSON-RPC URL. `WalletChainSigner` is an ethers
 * signer bound to one chain — reads through that chain's provider, and before each transaction (and
 * each typed-data signature that names a chain, such as an ERC-2612 permit) it asks the wallet to
 * switch to that chain (`wallet_switchEthereumChain`, adding it when the wallet does not know it) and
 * refuses with `WrongNetworkError` when the wallet is still elsewhere, before anything is sent. So the
 * SDK's actions can take it as their runner on either chain.
 */
import {
  AbstractSigner,
  BrowserProvider,
  JsonRpcSigner,
  toQuantity,
  type JsonRpcProvider,
  type Provider,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

import type { DappChain } from "../shared";
import { NoWalletError, UserRejectedError, WrongNetworkError, rpcCode } from "./errors";

/** The EIP-1193 provider interface the page uses. */
export interface Eip1193Provider {
  request(args: { readonly method: string; readonly params?: readonly unknown[] | object }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
}

/** `window.ethereum`, or `NoWalletError`. */
export function injectedProvider(): Eip1193Provider {
  const eth = (globalThis as { ethereum?: Eip1193Provider }).ethereum;
  if (!eth || typeof eth.request !== "function") throw new NoWalletError("no browser wallet found (window.ethereum): install one, e.g. MetaMask, and reload");
  return eth;
}

/** Runs a wallet request; a 4001 refusal becomes `UserRejectedError` naming `what`. */
async function asked<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (rpcCode(e) === 4001) throw new UserRejectedError(what);
    throw e;
  }
}

/** The connected wallet. */
export class InjectedWallet {
  #account: string | undefined;

  constructor(readonly eth: Eip1193Provider) {}

  /** The connected account (checksummed), or `NoWalletError`. */
  get account(): string {
    if (this.#account === undefined) throw new NoWalletError("connect your wallet first");
    return this.#account;
  }

  get connected(): boolean {
    return this.#account !== undefined;
  }

  /** `eth_requestAccounts` through `BrowserProvider`; the first account. */
  async connect(): Promise<string> {
    const provider = new BrowserProvider(this.eth);
    try {
      const accounts = await asked("connection request", () => provider.send("eth_requestAccounts", []) as Promise<string[]>);
      if (!accounts[0]) throw new NoWalletError("the wallet returned no account");
      this.#account = new JsonRpcSigner(provider, accounts[0]).address;
      return this.#account;
    } finally {
      provider.destroy();
    }
  }

  /** The wallet's current chain (`eth_chainId`). */
  async chainId(): Promise<bigint> {
    return BigInt(String(await this.eth.request({ method: "eth_chainId" })));
  }

  /**
   * Makes the wallet use `chain`: nothing when it already does, else `wallet_switchEthereumChain` (and
   * `wallet_addEthereumChain` when the wallet answers 4902, unknown chain), then checks `eth_chainId`.
   * Throws `WrongNetworkError` when the wallet is not on `chain` afterwards; nothing has been sent.
   */
  async ensureChain(chain: DappChain): Promise<void> {
    const want = BigInt(chain.chainId);
    const expected = { name: chain.name, chainId: want };
    const before = await this.chainId();
    if (before === want) return;
    const hex = toQuantity(want);
    try {
      await this.eth.request({ method: "wallet_switchEthereumChain", params: [{ chainId: hex }] });
    } catch (e) {
      const code = rpcCode(e);
      if (code === 4001) throw new WrongNetworkError(expected, before, "you declined to switch networks");
      if (code !== 4902) throw new WrongNetworkError(expected, before, `the wallet could not switch (${message(e)})`);
      try {
        await this.eth.request({
          method: "wallet_addEthereumChain",
          params: [{ chainId: hex, chainName: `hedgeswap dApp chain ${chain.name}`, rpcUrls: [chain.rpcUrl], nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } }],
        });
        if ((await this.chainId()) !== want) await this.eth.request({ method: "wallet_switchEthereumChain", params: [{ chainId: hex }] });
      } catch (e2) {
        const reason = rpcCode(e2) === 4001 ? "the wallet does not know this chain and you declined to add it" : `the wallet does not know this chain and could not add it (${message(e2)})`;
        throw new WrongNetworkError(expected, before, reason);
      }
    }
    const after = await this.chainId();
    if (after !== want) throw new WrongNetworkError(expected, after, "the wallet did not switch");
  }

  /** Signs EIP-712 typed data (`eth_signTypedData_v4`); `what` names it in a refusal. */
  async signTypedData(what: string, domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    const provider = new BrowserProvider(this.eth);
    try {
      return await asked(what, () => new JsonRpcSigner(provider, this.account).signTypedData(domain, types, value));
    } finally {
      provider.destroy();
    }
  }

  /** A signer for `chain` that reads through `provider` (the chain's own RPC) and sends through the wallet. */
  signerFor(chain: DappChain, provider: JsonRpcProvider): WalletChainSigner {
    return new WalletChainSigner(this, chain, provider);
  }
}

/** An ethers signer of the wallet's account bound to one chain (see the module comment). */
export class WalletChainSigner extends AbstractSigner<JsonRpcProvider> {
  constructor(
    readonly wallet: InjectedWallet,
    readonly chain: DappChain,
    provider: JsonRpcProvider,
  ) {
    super(provider);
  }

  async getAddress(): Promise<string> {
    return this.wallet.account;
  }

  connect(_provider: Provider | null): WalletChainSigner {
    throw new Error("WalletChainSigner is bound to its chain's provider");
  }

  async signTransaction(_tx: TransactionRequest): Promise<string> {
    throw new Error("browser wallets send transactions themselves (eth_sendTransaction); they do not hand out signed ones");
  }

  async signMessage(_message: string | Uint8Array): Promise<string> {
    throw new Error("the dApp signs no plain messages");
  }

  /** Typed data that names a chain (a permit) is signed on that chain, as wallets require. */
  async signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    if (domain.chainId != null) await this.wallet.ensureChain(this.chain);
    const what = "Permit" in types ? "permit signature" : "SwapOffer" in types ? "offer signature" : "signature request";
    return this.wallet.signTypedData(what, domain, types, value);
  }

  /**
   * Estimates gas on the chain's own node (an escrow revert is caught and decoded here, before the
   * wallet is asked), makes the wallet use this chain, sends with `eth_sendTransaction` (the chain id is
   * in the request, so a wallet that moved meanwhile refuses), and returns the transaction as this
   * chain's node sees it.
   */
  override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const from = this.wallet.account;
    const chainId = BigInt(this.chain.chainId);
    const gasLimit = tx.gasLimit ?? ((await this.provider.estimateGas({ ...tx, from })) * 12n) / 10n;
    await this.wallet.ensureChain(this.chain);
    const browser = new BrowserProvider(this.wallet.eth);
    let hash: string;
    try {
      hash = await asked(`transaction on chain ${this.chain.name}`, () => new JsonRpcSigner(browser, from).sendUncheckedTransaction({ ...tx, from, gasLimit, chainId }));
    } finally {
      browser.destroy();
    }
    for (let i = 0; i < 240; i++) {
      const sent = await this.provider.getTransaction(hash);
      if (sent) return sent;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the wallet sent ${hash}, but chain ${this.chain.name}'s node does not know it after 60 s`);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e);
}
