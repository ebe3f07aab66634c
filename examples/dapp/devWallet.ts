/**
 * A development EIP-1193 wallet for driving the dApp's page from Node (the browser test, the
 * screenshot script): `install(page)` defines `window.ethereum` in the page (playwright
 * `addInitScript`) whose `request` calls back into this process (`exposeFunction`), where an ethers
 * `Wallet` answers as a browser wallet would — accounts, the current chain and switching between the
 * known chains, `eth_signTypedData_v4` (refusing, as MetaMask does, typed data whose domain names
 * another chain), `eth_sendTransaction` signed by the Wallet and sent to the current chain — and
 * passes every other request through to the current chain's node. Modes make it refuse like a user
 * (EIP-1193 error 4001) or like a wallet that does not know a chain (4902).
 */
import { Wallet, toQuantity, type JsonRpcProvider, type TypedDataField } from "ethers";
import type { Page } from "playwright-core";

/** How the wallet behaves; change it between actions. */
export interface DevWalletMode {
  /** Refuse `eth_requestAccounts` (4001). */
  rejectConnect?: boolean;
  /** Refuse typed data with this primary type ("*": every one) (4001). */
  rejectTypedData?: string;
  /** Refuse `eth_sendTransaction` (4001). */
  rejectSend?: boolean;
  /** `wallet_switchEthereumChain`: switch, refuse (4001), or not know the chain (4902). */
  switchChain?: "ok" | "refuse" | "unknown";
  /** `wallet_addEthereumChain`: add (and switch), or refuse (4001). */
  addChain?: "ok" | "refuse";
}

/** One request the page made. */
export interface WalletCall {
  readonly method: string;
  readonly chainId: bigint;
  /** For typed data: the primary type; for a transaction: its hash. */
  readonly detail?: string;
  readonly error?: number;
}

type Answer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

const INIT_SCRIPT = `(() => {
  const listeners = {};
  window.ethereum = {
    isHedgeswapDevWallet: true,
    async request(args) {
      const answer = await window.__hedgeswapDevWallet(args.method, args.params === undefined ? [] : args.params);
      if (answer && answer.error) {
        const e = new Error(answer.error.message);
        e.code = answer.error.code;
        if (answer.error.data !== undefined) e.data = answer.error.data;
        throw e;
      }
      return answer.result;
    },
    on(event, listener) { (listeners[event] = listeners[event] || []).push(listener); },
    removeListener(event, listener) { listeners[event] = (listeners[event] || []).filter((l) => l !== listener); },
  };
})();`;

const refusal = (message: string): Answer => ({ error: { code: 4001, message } });

/** The wallet (see the module comment). */
export class DevWallet {
  /** The requests the page made, in order. */
  readonly calls: WalletCall[] = [];
  mode: DevWalletMode = {};
  connected = false;

  constructor(
    /** The account; replace it to act as another user (reload the page after). */
    public account: Wallet,
    /** The chains the wallet knows, by chain id. */
    readonly chains: ReadonlyMap<bigint, JsonRpcProvider>,
    /** The chain the wallet is on. */
    public chainId: bigint,
  ) {}

  /** The transactions sent (hashes), optionally on one chain only. */
  sent(chainId?: bigint): string[] {
    return this.calls.filter((c) => c.method === "eth_sendTransaction" && c.error === undefined && (chainId === undefined || c.chainId === chainId)).map((c) => c.detail!);
  }

  /** The typed-data signatures given, by primary type. */
  signed(primaryType?: string): WalletCall[] {
    return this.calls.filter((c) => c.method === "eth_signTypedData_v4" && c.error === undefined && (primaryType === undefined || c.detail === primaryType));
  }

  /** Defines `window.ethereum` in `page` (and in every document it loads from now on). */
  async install(page: Page): Promise<void> {
    await page.exposeFunction("__hedgeswapDevWallet", (method: string, params: unknown[]) => this.request(method, params));
    await page.addInitScript(INIT_SCRIPT);
  }

  async request(method: string, params: unknown[]): Promise<Answer> {
    const chainId = this.chainId;
    let detail: string | undefined;
    const answer = await this.#answer(method, params, (d) => (detail = d)).catch((e: unknown): Answer => {
      const err = e as { error?: { code?: number; message?: string; data?: unknown }; message?: string };
      return { error: { code: err.error?.code ?? -32603, message: err.error?.message ?? err.message ?? String(e), ...(err.error?.data !== undefined ? { data: err.error.data } : {}) } };
    });
    this.calls.push({ method, chainId, ...(detail !== undefined ? { detail } : {}), ...("error" in answer ? { error: answer.error.code } : {}) });
    return answer;
  }

  #provider(): JsonRpcProvider {
    const p = this.chains.get(this.chainId);
    if (!p) throw Object.assign(new Error(`the wallet's chain ${this.chainId} has no RPC endpoint`), { error: { code: -32603, message: `no RPC endpoint for chain ${this.chainId}` } });
    return p;
  }

  async #answer(method: string, params: unknown[], note: (d: string) => void): Promise<Answer> {
    const m = this.mode;
    switch (method) {
      case "eth_requestAccounts":
        if (m.rejectConnect) return refusal("User rejected the request.");
        this.connected = true;
        return { result: [this.account.address.toLowerCase()] };
      case "eth_accounts":
        return { result: this.connected ? [this.account.address.toLowerCase()] : [] };
      case "eth_chainId":
        return { result: toQuantity(this.chainId) };
      case "net_version":
        return { result: this.chainId.toString() };
      case "wallet_switchEthereumChain": {
        const target = BigInt((params[0] as { chainId: string }).chainId);
        if (m.switchChain === "refuse") return refusal("User rejected the request.");
        if (m.switchChain === "unknown" || !this.chains.has(target)) return { error: { code: 4902, message: `Unrecognized chain ID "${toQuantity(target)}". Try adding the chain using wallet_addEthereumChain first.` } };
        this.chainId = target;
        return { result: null };
      }
      case "wallet_addEthereumChain": {
        const target = BigInt((params[0] as { chainId: string }).chainId);
        if (m.addChain === "refuse") return refusal("User rejected the request.");
        if (!this.chains.has(target)) return { error: { code: -32603, message: "the RPC endpoint could not be reached" } };
        this.chainId = target;
        return { result: null };
      }
      case "eth_signTypedData_v4": {
        const [from, json] = params as [string, string];
        if (from.toLowerCase() !== this.account.address.toLowerCase()) return { error: { code: 4100, message: "the account is not authorized" } };
        const data = JSON.parse(json) as { domain: { chainId?: string | number }; types: Record<string, TypedDataField[]>; primaryType: string; message: Record<string, unknown> };
        note(data.primaryType);
        if (m.rejectTypedData === "*" || m.rejectTypedData === data.primaryType) return refusal("User denied message signature.");
        if (data.domain.chainId !== undefined && BigInt(data.domain.chainId) !== this.chainId) {
          return { error: { code: -32602, message: `Provided chainId "${data.domain.chainId}" must match the active chainId "${this.chainId}"` } };
        }
        const types = { ...data.types };
        delete types.EIP712Domain;
        return { result: await this.account.signTypedData(data.domain as Record<string, unknown>, types, data.message) };
      }
      case "eth_sendTransaction": {
        const tx = params[0] as { from: string; to?: string; data?: string; value?: string; gas?: string; chainId?: string };
        if (tx.from.toLowerCase() !== this.account.address.toLowerCase()) return { error: { code: 4100, message: "the account is not authorized" } };
        if (m.rejectSend) return refusal("User denied transaction signature.");
        if (tx.chainId !== undefined && BigInt(tx.chainId) !== this.chainId) return { error: { code: -32602, message: `the transaction's chainId ${BigInt(tx.chainId)} is not the active chain ${this.chainId}` } };
        const sent = await this.account.connect(this.#provider()).sendTransaction({
          ...(tx.to ? { to: tx.to } : {}),
          ...(tx.data ? { data: tx.data } : {}),
          value: BigInt(tx.value ?? 0),
          ...(tx.gas ? { gasLimit: BigInt(tx.gas) } : {}),
        });
        note(sent.hash);
        return { result: sent.hash };
      }
      default:
        return { result: await this.#provider().send(method, params) };
    }
  }
}
