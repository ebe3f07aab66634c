/** A bare JSON-RPC call over `fetch`, with its own timeout: for probing a node without a provider. */
import { DevnetError } from "./errors";

interface RpcResponse {
  result?: unknown;
  error?: { code?: number; message?: string };
}

/**
 * Sends one JSON-RPC request to `url` and returns its `result`. Rejects with the fetch error (a
 * `TimeoutError` after `timeoutMs`, a connection error) or with a `DevnetError` (`DEVNET_RPC`) when
 * the node answers with an error.
 */
export async function rawRpc(url: string, method: string, params: unknown[] = [], timeoutMs = 1000): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as RpcResponse;
  if (body.error !== undefined) {
    throw new DevnetError("DEVNET_RPC", `${method} failed: ${body.error.message ?? "unknown error"}`, { url, method, rpcCode: body.error.code });
  }
  return body.result;
}
