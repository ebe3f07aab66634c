/**
 * One configured chain: its JSON-RPC provider, the escrow (checked for code and VERSION on connect),
 * the parties' wallets on it, and the chain's own clock. Deadlines are judged by `head().timestamp`.
 */
import { FetchRequest, JsonRpcProvider, Network, makeError, type JsonRpcPayload, type JsonRpcResult, type Wallet } from "ethers";

import { HedgeSwapError, WrongChainError, connectEscrow, type EscrowHandle, type EscrowLocation } from "../../sdk";
import type { ChainConfig } from "../config";
import { ChainUnreachableError } from "../errors";

/** The latest block as seen in one poll. */
export interface Head {
  readonly number: number;
  readonly hash: string;
  readonly timestamp: bigint;
}

/** Observes every JSON-RPC round trip (for metrics). */
export interface RpcObserver {
  readonly done: (seconds: number) => void;
  readonly failed: () => void;
}

/** A JSON-RPC provider that reports each round trip's latency and failures. */
class ObservedProvider extends JsonRpcProvider {
  /** Round trips that failed in transport (timeout, refused connection, HTTP status other than 2xx) since the start. */
  transportFailures = 0;

  constructor(
    request: FetchRequest,
    network: Network,
    private readonly observer: RpcObserver | undefined,
  ) {
    super(request, network, { staticNetwork: true, batchMaxCount: 50, pollingInterval: 250, cacheTimeout: -1 });
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const started = performance.now();
    try {
      const result = await this.#post(payload);
      this.observer?.done((performance.now() - started) / 1000);
      return result;
    } catch (e) {
      this.transportFailures++;
      this.observer?.failed();
      throw e;
    }
  }

  /**
   * One JSON-RPC POST with the platform's `fetch`, whose body is decoded natively: ethers' own
   * transport decodes UTF-8 in JavaScript, which for a 1 MB `eth_getLogs` answer (1000 batch logs)
   * costs tens of milliseconds and tens of MB of short-lived arrays. It fails as ethers' transport does:
   * `TIMEOUT` after the connection's timeout, `SERVER_ERROR` for an HTTP status other than 2xx.
   */
  async #post(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const connection = this._getConnection();
    let res: Response;
    try {
      res = await fetch(connection.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload), signal: AbortSignal.timeout(connection.timeout) });
    } catch (e) {
      if ((e as Error).name === "TimeoutError") throw makeError("timeout", "TIMEOUT", { operation: "fetch", reason: "timeout", request: connection });
      throw e;
    }
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      throw makeError(`server response ${res.status} ${res.statusText}`, "SERVER_ERROR", { request: connection, response: undefined, info: { requestUrl: connection.url, responseStatus: `${res.status} ${res.statusText}`, responseBody: text.slice(0, 1000) } });
    }
    const body = JSON.parse(text) as JsonRpcResult | JsonRpcResult[];
    return Array.isArray(body) ? body : [body];
  }
}

/** A connected chain. */
export class ChainClient {
  readonly name: string;
  readonly chainId: bigint;
  readonly provider: JsonRpcProvider;
  readonly #observed: ObservedProvider;
  readonly at: EscrowLocation;
  readonly config: ChainConfig;
  #escrow: EscrowHandle | undefined;
  readonly #wallets = new Map<string, Wallet>();

  constructor(config: ChainConfig, observer?: RpcObserver) {
    this.config = config;
    this.name = config.name;
    this.chainId = config.chainId;
    const request = new FetchRequest(config.rpcUrl);
    request.timeout = config.rpcTimeoutMs;
    this.#observed = new ObservedProvider(request, Network.from(config.chainId), observer);
    this.provider = this.#observed;
    this.at = { chainId: config.chainId, escrow: config.escrow };
  }

  /**
   * Checks the node's chain id and the escrow's code and VERSION. A node that answers with another
   * chain id, no code or a wrong VERSION is a configuration error: the SDK's typed errors
   * (`WrongChainError`, `UnknownDeploymentError`, `UnsupportedVersionError`). A node that cannot be
   * reached (a timeout, a refused connection, HTTP 5xx, a JSON-RPC failure, also midway through the
   * escrow checks) throws `ChainUnreachableError`: try again later. Each request waits at most the
   * chain's `rpcTimeoutMs`.
   */
  async connect(): Promise<EscrowHandle> {
    const failuresBefore = this.#observed.transportFailures;
    let actual: bigint;
    try {
      actual = BigInt(await this.provider.send("eth_chainId", []));
    } catch (e) {
      throw new ChainUnreachableError(this.name, (e as Error).message ?? String(e), e);
    }
    if (actual !== this.chainId) {
      throw new WrongChainError(this.chainId, actual);
    }
    try {
      this.#escrow = await connectEscrow(this.provider, { address: this.config.escrow, chainId: this.chainId });
    } catch (e) {
      // The SDK reports a VERSION() call that failed as "no VERSION": only a configuration error when
      // every request of the attempt got an answer.
      if (e instanceof HedgeSwapError && this.#observed.transportFailures === failuresBefore) throw e;
      throw new ChainUnreachableError(this.name, (e as Error).message ?? String(e), e);
    }
    return this.#escrow;
  }

  /** The escrow contract bound to the provider (after `connect`). */
  get escrow(): EscrowHandle {
    if (!this.#escrow) throw new Error(`chain ${this.name}: connect() first`);
    return this.#escrow;
  }

  /** A party's wallet connected to this chain. */
  wallet(base: Wallet): Wallet {
    let w = this.#wallets.get(base.address);
    if (!w) {
      w = base.connect(this.provider);
      this.#wallets.set(base.address, w);
    }
    return w;
  }

  /** The latest block: number, hash and the chain's clock. */
  async head(): Promise<Head> {
    const block = await this.provider.getBlock("latest");
    if (!block) throw new Error(`chain ${this.name}: no latest block`);
    return { number: block.number, hash: block.hash!, timestamp: BigInt(block.timestamp) };
  }

  /** The newest block that is final under the configured confirmation depth. */
  finalBlock(head: Head): number {
    return Math.max(0, head.number - (this.config.confirmations - 1));
  }
}
