/**
 * The coordinator's HTTP API (fastify): a thin layer of validation (zod), bearer auth and bigint-safe
 * JSON over `CoordinatorPort`, with server-sent events for live updates, Prometheus metrics and its
 * own OpenAPI 3.1 document. Bound to 127.0.0.1 unless configured otherwise; mutating routes are closed
 * (503) when no token is configured.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";

import Fastify, { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";

import { EscrowRevertError, HedgeSwapError } from "../../sdk";
import { UnknownSwapError } from "../errors";
import type { EventRow } from "../store/types";
import { registerDashboard } from "../dashboard/serve";
import type { CoordinatorPort, SwapFilter } from "./port";
import {
  ABORT_RULES,
  RequestValidationError,
  abortBodySchema,
  abortResultSchema,
  eventsQuerySchema,
  listQuerySchema,
  openApiDocument,
  parseSignedCycleOffer,
  parseSignedOffer,
  signedCycleOfferBodySchema,
  signedOfferBodySchema,
  swapDetailSchema,
  swapIdParamsSchema,
  swapListSchema,
  swapRowSchema,
  validate,
  type RouteDoc,
} from "./schemas";

/** Options of `startApi`. */
export interface ApiOptions {
  /** The interface to bind (default 127.0.0.1, loopback only). */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The bearer token of mutating routes; without one they answer 503. */
  readonly token?: string;
  /** Request errors and the listening address are logged here; silent when absent. */
  readonly logger?: Logger;
  /** Served at `GET /metrics` (404 when absent). */
  readonly metrics?: { readonly contentType: string; text(): Promise<string> };
  /** Milliseconds between heartbeat comments of the event stream (default 15 000). */
  readonly heartbeatMs?: number;
  /**
   * Origins whose browser pages may call the API (CORS, exact `scheme://host[:port]` matches); default
   * none. A request from one gets `Access-Control-Allow-Origin` with its origin; its preflight
   * (`OPTIONS`) is answered 204 with the methods and the headers the routes take (`authorization`,
   * `content-type`). A request from any other origin gets no CORS header, so its page cannot read the answer.
   */
  readonly cors?: readonly string[];
  /** The built dashboard served at `/` and `/dashboard/*` (default: `dist/dashboard`, see `dashboard/serve.ts`). */
  readonly dashboardDir?: string;
}

/** A listening API. */
export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  readonly url: string;
  /** Ends the event streams and stops listening. */
  close(): Promise<void>;
}

/** The largest request body accepted (bytes); larger ones are answered 413. */
export const BODY_LIMIT = 64 * 1024;
const HEARTBEAT_MS = 15_000;
/** On close, connections still open after this long (stuck clients) are cut. */
const CLOSE_GRACE_MS = 2_000;
/** A stream whose client reads slower than this many buffered bytes is closed. */
const STREAM_BUFFER_LIMIT = 1 << 20;

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  UNKNOWN_SWAP: 404,
  DUPLICATE_SWAP: 409,
  SWAP_FINAL: 409,
  LEG_NOT_ABORTABLE: 409,
  REVEAL_COMMITTED: 409,
  COUNTER_LEG_ESCROWED: 409,
  COUNTER_LEG_REDEEMED: 409,
  INSUFFICIENT_FUNDS: 422,
  TRANSACTION_FAILED: 502,
  CHAIN_UNAVAILABLE: 503,
};

/** The HTTP status of a typed refusal: 404/409/422 by code, 409 for an escrow revert, 502 for a failed send, 503 for a chain that is down, else 400. */
export function statusOfError(err: HedgeSwapError): number {
  return STATUS_OF_CODE[err.code] ?? (err instanceof EscrowRevertError ? 409 : 400);
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

function errorAnswer(err: unknown): { status: number; body: Record<string, unknown> } {
  if (err instanceof RequestValidationError) return { status: 400, body: { error: err.code, message: err.shortMessage, issues: err.issues } };
  if (err instanceof HedgeSwapError) return { status: statusOfError(err), body: { error: err.code, message: err.shortMessage, details: err.details } };
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, body: { error: "PAYLOAD_TOO_LARGE", message: `the request body is over ${BODY_LIMIT} bytes` } };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, body: { error: "INVALID_JSON", message: "the request body is not valid JSON" } };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, body: { error: "INVALID_JSON", message: "the request body is empty but its content-type is application/json" } };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, body: { error: "UNSUPPORTED_MEDIA_TYPE", message: "send the body as application/json" } };
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: "BAD_REQUEST", message: String(e.message) } };
  }
  return { status: 500, body: { error: "INTERNAL", message: "internal error" } };
}

/** `GET /health` and `GET /ready` answers (`HealthReport`). */
const healthSchema = z.object({
  ok: z.literal(true),
  status: z.enum(["ok", "degraded"]).optional(),
  chains: z
    .array(
      z.object({
        name: z.string(),
        chainId: z.string(),
        connected: z.boolean(),
        reachable: z.boolean(),
        since: z.string().nullable(),
        lastError: z.string().nullable(),
        nextRetryInMs: z.number().int().nullable(),
      }),
    )
    .optional(),
});

const HEALTH_RULES =
  "Degraded mode: a chain that cannot be reached (at start or later) does not stop the process. It is connected again in the background " +
  "(1 s doubling to 30 s, with jitter), and meanwhile the process takes only what is safe without it: the follower's step 6 and settlements on the " +
  "chains it reaches. `GET /health` is liveness: 200 as long as the process answers, with `status: degraded` and the chains' states. " +
  "`GET /ready` is readiness to take new swaps: 503 while degraded (offers on a chain that is down are refused with 503 CHAIN_UNAVAILABLE).";

/** One server-sent event frame for an event row. */
function sseFrame(e: EventRow): string {
  return `id: ${e.id}\nevent: ${e.kind.replace(/[\r\n]/g, " ")}\ndata: ${toJson(e)}\n\n`;
}

interface Route extends RouteDoc {
  readonly handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Starts the API over `port` and resolves once it listens. */
export async function startApi(port: CoordinatorPort, opts: ApiOptions): Promise<ApiServer> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    // Only the documented routes (an automatic HEAD /events would open a stream).
    exposeHeadRoutes: false,
    // Per-request lines would drown the coordinator's log (clients poll); failures are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    ...(opts.logger ? { loggerInstance: opts.logger.child({ component: "api" }) } : { logger: false }),
  });
  app.setReplySerializer((payload) => toJson(payload));
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) req.log.error({ err, url: req.url }, "request failed");
    return reply.code(status).type("application/json").send(body);
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: "NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]}` }));

  const origins = new Set((opts.cors ?? []).map((o) => o.toLowerCase()));
  if (origins.size > 0) {
    app.addHook("onRequest", async (req, reply) => {
      const origin = req.headers.origin;
      if (typeof origin !== "string" || !origins.has(origin.toLowerCase())) return;
      reply.header("access-control-allow-origin", origin).header("vary", "Origin");
      if (req.method !== "OPTIONS") return;
      reply.header("access-control-allow-methods", "GET, POST").header("access-control-allow-headers", "authorization, content-type").header("access-control-max-age", "600");
      return reply.code(204).send();
    });
  }

  const hash = (s: string) => createHash("sha256").update(s, "utf8").digest();
  const expected = opts.token ? hash(opts.token) : undefined;
  const auth = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!expected) return reply.code(503).send({ error: "API_TOKEN_NOT_CONFIGURED", message: "API token not configured" });
    const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? "");
    if (!m) {
      return reply.code(401).header("www-authenticate", 'Bearer realm="hedgeswap"').send({ error: "UNAUTHORIZED", message: "missing bearer token: send Authorization: Bearer <token>" });
    }
    // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
    if (!timingSafeEqual(hash(m[1]!), expected)) return reply.code(403).send({ error: "FORBIDDEN", message: "the bearer token is wrong" });
  };

  const streams = new Set<() => void>();
  const openStream = (reply: FastifyReply, swap: string | undefined) => {
    reply.hijack();
    const res = reply.raw;
    const allowed = reply.getHeader("access-control-allow-origin");
    const cors = typeof allowed === "string" ? { "access-control-allow-origin": allowed, vary: "Origin" } : {};
    res.writeHead(200, { ...cors, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(beat);
      unsubscribe();
      streams.delete(close);
      res.end();
    };
    const send = (chunk: string) => {
      if (closed || res.destroyed) return close();
      if (res.writableLength > STREAM_BUFFER_LIMIT) return close();
      res.write(chunk);
    };
    // The coordinator calls listeners synchronously: never let a stream's failure reach it.
    const unsubscribe = port.onEvent((e) => {
      try {
        if (swap === undefined || e.swapId === swap) send(sseFrame(e));
      } catch (err) {
        app.log.warn({ err }, "event stream write failed");
        close();
      }
    });
    const beat = setInterval(() => send(": heartbeat\n\n"), opts.heartbeatMs ?? HEARTBEAT_MS);
    beat.unref();
    res.on("close", close);
    res.on("error", close);
    streams.add(close);
    res.write(": connected\n\n");
  };

  const routes: Route[] = [
    {
      method: "POST", url: "/swaps", summary: "Submit a signed offer (validated and admitted; nothing is sent yet)", auth: true,
      body: signedOfferBodySchema, ok: { status: 201, description: "accepted: the new swap", schema: swapRowSchema }, errors: [400, 401, 403, 409, 413, 422, 503],
      handler: async (req, reply) => reply.code(201).send(await port.submit(parseSignedOffer(req.body))),
    },
    {
      method: "POST", url: "/cycles", summary: "Submit a signed n-party cycle offer (PROTOCOLS.md §7; validated and admitted; nothing is sent yet)", auth: true,
      body: signedCycleOfferBodySchema, ok: { status: 201, description: "accepted: the new swap (a cycle of n parties)", schema: swapRowSchema }, errors: [400, 401, 403, 409, 413, 422, 503],
      handler: async (req, reply) => {
        if (!port.submitCycle) throw new HedgeSwapError("CYCLES_NOT_SUPPORTED", "this coordinator does not drive n-party cycles", {});
        return reply.code(201).send(await port.submitCycle(parseSignedCycleOffer(req.body)));
      },
    },
    {
      method: "GET", url: "/swaps", summary: "List swaps, oldest first, filtered and paged", query: listQuerySchema,
      ok: { status: 200, description: "the swaps", schema: swapListSchema }, errors: [400],
      handler: async (req) => ({ swaps: port.listSwaps(validate(listQuerySchema, req.query, "query") as SwapFilter) }),
    },
    {
      method: "GET", url: "/swaps/:id", summary: "One swap: legs, steps with deadlines, time left and transactions, events", params: swapIdParamsSchema,
      ok: { status: 200, description: "the swap", schema: swapDetailSchema }, errors: [400, 404],
      handler: async (req) => {
        const { id } = validate(swapIdParamsSchema, req.params, "params");
        const detail = port.swapDetail(id);
        if (!detail) throw new UnknownSwapError(id);
        return detail;
      },
    },
    {
      method: "POST", url: "/swaps/:id/abort", summary: "Cooperative abort of one leg: the redeemer's consent, or the escrower's abort transaction", auth: true,
      description: ABORT_RULES,
      params: swapIdParamsSchema, body: abortBodySchema, ok: { status: 200, description: "the consent signature and/or the abort transaction", schema: abortResultSchema },
      errors: [400, 401, 403, 404, 409, 413, 502, 503],
      handler: async (req) => {
        const { id } = validate(swapIdParamsSchema, req.params, "params");
        const body = validate(abortBodySchema, req.body, "body");
        return port.requestAbort(id, body.leg, body.signature);
      },
    },
    {
      method: "GET", url: "/events", summary: "Live event stream (server-sent events), optionally of one swap", query: eventsQuerySchema,
      ok: { status: 200, description: "frames `id: <event id>`, `event: <kind>`, `data: <event row JSON>`; a heartbeat comment every 15 s", contentType: "text/event-stream" },
      errors: [400],
      handler: async (req, reply) => openStream(reply, validate(eventsQuerySchema, req.query, "query").swap),
    },
    {
      method: "GET", url: "/openapi.json", summary: "This OpenAPI 3.1 document",
      ok: { status: 200, description: "the document", contentType: "application/json" }, errors: [],
      handler: async () => document,
    },
    {
      method: "GET", url: "/metrics", summary: "Prometheus metrics",
      ok: { status: 200, description: "metrics in the Prometheus text format", contentType: "text/plain" }, errors: [404],
      handler: async (_req, reply) => {
        if (!opts.metrics) return reply.code(404).send({ error: "NOT_FOUND", message: "metrics are not enabled" });
        return reply.type(opts.metrics.contentType).send(await opts.metrics.text());
      },
    },
    {
      method: "GET", url: "/health", summary: "Liveness and each chain's state: 200 while the process runs, `status: degraded` while a chain is down",
      description: HEALTH_RULES,
      ok: { status: 200, description: "alive; `status` ok or degraded, per chain connected, reachable, since, lastError, nextRetryInMs", schema: healthSchema }, errors: [],
      handler: async () => port.health?.() ?? { ok: true },
    },
    {
      method: "GET", url: "/ready", summary: "Readiness: 200 while every chain is connected and reachable, 503 (with the health body) while degraded",
      description: HEALTH_RULES,
      ok: { status: 200, description: "ready: every chain connected and reachable (the health body)", schema: healthSchema }, errors: [503],
      handler: async (_req, reply) => {
        const health = port.health?.() ?? { ok: true, status: "ok", chains: [] };
        return reply.code(health.status === "ok" ? 200 : 503).send(health);
      },
    },
  ];
  const document = openApiDocument(routes);
  for (const r of routes) app.route({ method: r.method, url: r.url, ...(r.auth ? { onRequest: auth } : {}), handler: r.handler });
  // The dashboard's page and files (not API routes: not in the OpenAPI document).
  registerDashboard(app, opts.dashboardDir);

  app.addHook("preClose", async () => {
    for (const close of [...streams]) close();
  });
  const host = opts.host ?? "127.0.0.1";
  await app.listen({ host, port: opts.port });
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  const close = async () => {
    const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
    try {
      await app.close();
    } finally {
      clearTimeout(force);
    }
  };
  return { url, close };
}
