/**
 * A loopback JSON-RPC proxy for fault tests: an HTTP server on 127.0.0.1 that forwards POST bodies to
 * one node and returns its answers, or, when switched, fails every request in a chosen way (HTTP 503,
 * a hang, or JSON-RPC error objects). Node-only (node:http and the global `fetch`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { keccak256 } from "ethers";

import { InvalidArgumentError } from "../sdk/errors";

/**
 * How the proxy answers: `pass` forwards; `error` answers HTTP 503 with a JSON-RPC error body;
 * `timeout` never answers, and drops the connection once the mode changes (or the proxy closes);
 * `rpcError` answers HTTP 200 with a JSON-RPC error object per request (an array for a batch);
 * `holdTx` forwards everything but `eth_sendRawTransaction`, which it answers at once with the
 * transaction's hash, as a node that accepted it into its mempool would, and holds until `release()`
 * (a transaction that is broadcast but mined late, e.g. under a fee spike).
 */
export type RpcProxyMode = "pass" | "error" | "timeout" | "rpcError" | "holdTx";

/** The modes `setMode` accepts. */
export const RPC_PROXY_MODES: readonly RpcProxyMode[] = ["pass", "error", "timeout", "rpcError", "holdTx"];

/** Counts of HTTP requests since the proxy started. */
export interface RpcProxyStats {
  /** Requests forwarded to the target and answered with its response. */
  readonly forwarded: number;
  /** Requests failed on purpose (any mode but `pass`) or because the target could not be reached. */
  readonly failed: number;
  /** JSON-RPC calls forwarded, per method (each call of a batch counts). */
  readonly methods: Readonly<Record<string, number>>;
}

/** A running proxy. */
export interface RpcProxy {
  /** `http://127.0.0.1:<port>`: give this to the client instead of the target. */
  readonly url: string;
  /** Where requests are forwarded. */
  readonly target: string;
  /** The current mode. */
  readonly mode: RpcProxyMode;
  /** Switches the mode; requests held by `timeout` are dropped when it changes. */
  setMode(mode: RpcProxyMode): void;
  /** Live counters. */
  readonly stats: RpcProxyStats;
  /** The raw transactions held by `holdTx`, oldest first. */
  heldTransactions(): readonly string[];
  /**
   * Sends the held transactions to the node, in the order they arrived, and forgets them; resolves
   * with each one's JSON-RPC answer (`result` hash or `error`). The mode is left as it is.
   */
  release(): Promise<{ raw: string; result?: string; error?: unknown }[]>;
  /** Drops held requests and every connection and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** The JSON-RPC error code of injected failures (implementation-defined server error range). */
export const RPC_PROXY_ERROR_CODE = -32050;

const MAX_BODY = 10 * 1024 * 1024;

interface RequestIds {
  readonly batch: boolean;
  readonly ids: unknown[];
  /** Each call's method (null where there is none). */
  readonly methods: (string | null)[];
}

/** The ids and methods of a JSON-RPC request or batch (null when the body is not JSON). */
function requestIds(body: string): RequestIds {
  try {
    const parsed: unknown = JSON.parse(body);
    const field = (r: unknown, name: string): unknown => (r !== null && typeof r === "object" && name in r ? (r as Record<string, unknown>)[name] : null);
    const methodOf = (r: unknown) => {
      const m = field(r, "method");
      return typeof m === "string" ? m : null;
    };
    const calls = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
    return { batch: Array.isArray(parsed), ids: calls.map((r) => field(r, "id")), methods: calls.map(methodOf) };
  } catch {
    return { batch: false, ids: [null], methods: [null] };
  }
}

/** A JSON-RPC error answer to `body`, one error object per request of a batch. */
function errorBody(body: string, message: string): string {
  const { batch, ids } = requestIds(body);
  const answers = ids.map((id) => ({ jsonrpc: "2.0", id: id ?? null, error: { code: RPC_PROXY_ERROR_CODE, message } }));
  return JSON.stringify(batch ? answers : answers[0]);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Starts a proxy to `target` (an http(s) JSON-RPC URL) on 127.0.0.1 and a free port, in mode `pass`.
 * Only POST is served (405 otherwise). When the target cannot be reached the answer is HTTP 502
 * with a JSON-RPC error body, counted as failed.
 */
export async function startRpcProxy(target: string): Promise<RpcProxy> {
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    throw new InvalidArgumentError("target", "must be an absolute URL", target);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new InvalidArgumentError("target", "must be an http(s) URL", target);

  let mode: RpcProxyMode = "pass";
  const stats = { forwarded: 0, failed: 0, methods: {} as Record<string, number> };
  const held = new Set<ServerResponse>();
  const dropHeld = () => {
    for (const res of held) res.destroy();
    held.clear();
  };

  const heldTxs: string[] = [];
  const post = async (payload: unknown) => {
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
    return (await upstream.json()) as unknown;
  };
  /** `holdTx`: each eth_sendRawTransaction of the request is answered with its hash and held; the rest is forwarded. */
  const holdTransactions = (body: string, res: ServerResponse): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      answer(res, 400, errorBody(body, "rpc proxy: not JSON"));
      return;
    }
    const batch = Array.isArray(parsed);
    const calls = (batch ? parsed : [parsed]) as { id?: unknown; method?: unknown; params?: unknown[] }[];
    void (async () => {
      const answers: unknown[] = [];
      for (const c of calls) {
        if (c.method === "eth_sendRawTransaction" && typeof c.params?.[0] === "string") {
          heldTxs.push(c.params[0]);
          stats.methods["eth_sendRawTransaction(held)"] = (stats.methods["eth_sendRawTransaction(held)"] ?? 0) + 1;
          answers.push({ jsonrpc: "2.0", id: c.id ?? null, result: keccak256(c.params[0]) });
        } else {
          answers.push(await post(c));
          stats.forwarded++;
        }
      }
      answer(res, 200, JSON.stringify(batch ? answers : answers[0]));
    })().catch((e: unknown) => answer(res, 502, errorBody(body, `rpc proxy: target unreachable: ${(e as Error).message}`)));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      answer(res, 405, JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "only POST is served" } }));
      return;
    }
    const body = await readBody(req);
    if (mode === "holdTx" && body.includes("eth_sendRawTransaction")) {
      holdTransactions(body, res);
      return;
    }
    if (mode === "timeout") {
      stats.failed++;
      held.add(res);
      res.on("close", () => held.delete(res));
      return;
    }
    if (mode === "error") {
      stats.failed++;
      answer(res, 503, errorBody(body, "rpc proxy: service unavailable (injected)"));
      return;
    }
    if (mode === "rpcError") {
      stats.failed++;
      answer(res, 200, errorBody(body, "rpc proxy: internal error (injected)"));
      return;
    }
    let status: number;
    let text: string;
    try {
      const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
      status = upstream.status;
      text = await upstream.text();
    } catch (e) {
      stats.failed++;
      answer(res, 502, errorBody(body, `rpc proxy: target unreachable: ${(e as Error).message}`));
      return;
    }
    stats.forwarded++;
    for (const m of requestIds(body).methods) if (m !== null) stats.methods[m] = (stats.methods[m] ?? 0) + 1;
    answer(res, status, text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    target,
    get mode() {
      return mode;
    },
    setMode(next: RpcProxyMode) {
      if (!RPC_PROXY_MODES.includes(next)) throw new InvalidArgumentError("mode", `must be one of ${RPC_PROXY_MODES.join(", ")}`, next);
      if (next !== mode) dropHeld();
      mode = next;
    },
    stats,
    heldTransactions: () => [...heldTxs],
    async release() {
      const out: { raw: string; result?: string; error?: unknown }[] = [];
      while (heldTxs.length > 0) {
        const raw = heldTxs.shift()!;
        const a = (await post({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [raw] })) as { result?: string; error?: unknown };
        out.push({ raw, ...(a.result !== undefined ? { result: a.result } : {}), ...(a.error !== undefined ? { error: a.error } : {}) });
      }
      return out;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        dropHeld();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
