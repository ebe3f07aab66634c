/**
 * A loopback JSON-RPC proxy for fault tests: an HTTP server on 127.0.0.1 that forwards POST bodies to
 * one node and returns its answers, or, when switched, fails every request (or only the requests of
 * chosen methods) in a chosen way (HTTP 503, a hang, or JSON-RPC error objects). It can also swallow
 * the next call of a method (answered as a success, never forwarded) and run hooks before and after
 * forwarding a method (a test snapshots, reorganises or drops a pending transaction at that moment).
 * Node-only (node:http and the global `fetch`).
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
 * (a transaction that is broadcast but mined late, e.g. under a fee spike). The failing modes
 * (`error`, `timeout`, `rpcError`) can be limited to chosen methods (`setMode(mode, { methods })`).
 */
export type RpcProxyMode = "pass" | "error" | "timeout" | "rpcError" | "holdTx";

/** The modes `setMode` accepts. */
export const RPC_PROXY_MODES: readonly RpcProxyMode[] = ["pass", "error", "timeout", "rpcError", "holdTx"];

/** Which requests a failing mode applies to. */
export interface RpcProxyModeOptions {
  /**
   * Only requests holding a call of one of these methods fail (a batch with one of them fails whole);
   * the others are forwarded. Every request fails when omitted.
   */
  readonly methods?: readonly string[];
}

/** One JSON-RPC call as a hook sees it. */
export interface RpcCall {
  readonly id: unknown;
  readonly method: string;
  readonly params: readonly unknown[];
}

/**
 * Code run around the forwarding of one method's calls. `before` runs before the call is looked at
 * (so it may switch the mode, and the call then meets the new mode); `after` runs once the target
 * answered, before the client gets the answer. A hook that throws fails the request (HTTP 502).
 */
export interface RpcHook {
  /** The method, or `*` for every call. */
  readonly method: string;
  before?(call: RpcCall): void | Promise<void>;
  /** `answer` is the target's JSON-RPC answer object to this call (`result` or `error`). */
  after?(call: RpcCall, answer: { readonly result?: unknown; readonly error?: unknown }): void | Promise<void>;
}

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
  /** The methods the current failing mode is limited to (undefined: every request). */
  readonly modeMethods: readonly string[] | undefined;
  /**
   * Switches the mode, optionally only for requests holding a call of `options.methods` (failing
   * modes only); requests held by `timeout` are dropped when the mode or its methods change.
   */
  setMode(mode: RpcProxyMode, options?: RpcProxyModeOptions): void;
  /**
   * The next call of `method` is answered with `result` and never forwarded (a request the node
   * "lost"). For `eth_sendRawTransaction`, `result` defaults to the transaction's hash, as a node that
   * accepted it would answer; for other methods to null. Each call arms one more swallow.
   */
  swallowNext(method: string, result?: unknown): void;
  /** The calls swallowed so far, oldest first. */
  swallowed(): readonly RpcCall[];
  /** Runs `hook` around every call of its method from now on (in the order hooks were added); returns its removal. */
  addHook(hook: RpcHook): () => void;
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

interface ParsedCalls {
  readonly batch: boolean;
  readonly list: RpcCall[];
}

/** The calls of a JSON-RPC request or batch; undefined when the body is not JSON or a call has no method. */
function parseCalls(body: string): ParsedCalls | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const batch = Array.isArray(parsed);
  const list: RpcCall[] = [];
  for (const r of (batch ? parsed : [parsed]) as unknown[]) {
    if (r === null || typeof r !== "object") return undefined;
    const { id, method, params } = r as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof method !== "string") return undefined;
    list.push({ id: id ?? null, method, params: Array.isArray(params) ? (params as unknown[]) : [] });
  }
  return { batch, list };
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
  let modeMethods: readonly string[] | undefined;
  const swallows: { method: string; result?: unknown }[] = [];
  const swallowedCalls: RpcCall[] = [];
  const hooks: RpcHook[] = [];
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
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      answer(res, 405, JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "only POST is served" } }));
      return;
    }
    const body = await readBody(req);
    const calls = parseCalls(body);
    const hooked = (c: RpcCall) => hooks.filter((h) => h.method === "*" || h.method === c.method);
    for (const c of calls?.list ?? []) for (const h of hooked(c)) await h.before?.(c);
    const methods = requestIds(body).methods;
    const failing = mode !== "pass" && mode !== "holdTx" && (modeMethods === undefined || methods.some((m) => m !== null && modeMethods!.includes(m)));
    const holding = mode === "holdTx" && body.includes("eth_sendRawTransaction");
    if (holding && calls === undefined) {
      answer(res, 400, errorBody(body, "rpc proxy: not JSON"));
      return;
    }
    if (!failing && calls !== undefined && (holding || calls.list.some((c) => swallows.some((w) => w.method === c.method) || hooked(c).some((h) => h.after)))) {
      perCall(calls, body, res);
      return;
    }
    if (!failing) {
      await forward(body, res);
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
  };

  /** Forwards the body as it is and answers with the target's answer. */
  const forward = async (body: string, res: ServerResponse): Promise<void> => {
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

  /** Call by call: swallowed calls are answered here, `holdTx` holds transactions, the rest is forwarded with its after-hooks run. */
  const perCall = (calls: ParsedCalls, body: string, res: ServerResponse): void => {
    void (async () => {
      const answers: unknown[] = [];
      for (const c of calls.list) {
        const w = swallows.findIndex((x) => x.method === c.method);
        const raw = c.params[0];
        if (w >= 0) {
          const armed = swallows.splice(w, 1)[0]!;
          swallowedCalls.push(c);
          stats.methods[`${c.method}(swallowed)`] = (stats.methods[`${c.method}(swallowed)`] ?? 0) + 1;
          const result = "result" in armed ? armed.result : c.method === "eth_sendRawTransaction" && typeof raw === "string" ? keccak256(raw) : null;
          answers.push({ jsonrpc: "2.0", id: c.id ?? null, result });
          continue;
        }
        if (mode === "holdTx" && c.method === "eth_sendRawTransaction" && typeof raw === "string") {
          heldTxs.push(raw);
          stats.methods["eth_sendRawTransaction(held)"] = (stats.methods["eth_sendRawTransaction(held)"] ?? 0) + 1;
          answers.push({ jsonrpc: "2.0", id: c.id ?? null, result: keccak256(raw) });
          continue;
        }
        const a = (await post({ jsonrpc: "2.0", id: c.id ?? null, method: c.method, params: c.params })) as { result?: unknown; error?: unknown };
        stats.forwarded++;
        stats.methods[c.method] = (stats.methods[c.method] ?? 0) + 1;
        for (const h of hooks.filter((x) => x.method === "*" || x.method === c.method)) await h.after?.(c, a);
        answers.push(a);
      }
      answer(res, 200, JSON.stringify(calls.batch ? answers : answers[0]));
    })().catch((e: unknown) => {
      stats.failed++;
      answer(res, 502, errorBody(body, `rpc proxy: ${(e as Error).message}`));
    });
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
    get modeMethods() {
      return modeMethods;
    },
    setMode(next: RpcProxyMode, options: RpcProxyModeOptions = {}) {
      if (!RPC_PROXY_MODES.includes(next)) throw new InvalidArgumentError("mode", `must be one of ${RPC_PROXY_MODES.join(", ")}`, next);
      if (options.methods !== undefined && (next === "pass" || next === "holdTx")) throw new InvalidArgumentError("methods", "only a failing mode (error, timeout, rpcError) takes a method filter", options.methods);
      const methods = options.methods === undefined ? undefined : [...options.methods];
      if (next !== mode || String(methods) !== String(modeMethods)) dropHeld();
      mode = next;
      modeMethods = methods;
    },
    swallowNext(method: string, ...result: unknown[]) {
      swallows.push(result.length > 0 ? { method, result: result[0] } : { method });
    },
    swallowed: () => [...swallowedCalls],
    addHook(hook: RpcHook) {
      hooks.push(hook);
      return () => {
        const i = hooks.indexOf(hook);
        if (i >= 0) hooks.splice(i, 1);
      };
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
