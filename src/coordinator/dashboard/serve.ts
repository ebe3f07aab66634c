/**
 * Serves the dashboard from the API's own fastify instance: `GET /` answers the built `index.html`,
 * `GET /dashboard/<file>` one file of the built folder (`dist/dashboard`, written by
 * `scripts/build-dashboard.mjs` at `npm install`, `npm test`, `npm run coordinator` and `npm run demo`).
 * Only a plain file name of a known type inside that folder is served (no path, no dot file), so no
 * request reaches anything else; 404 otherwise. When the folder was never built, `/` answers a page that
 * says how to build it (503). The page is static: it reads the API like any other client.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";

import type { FastifyReply, FastifyRequest } from "fastify";

/** Content types of the files the build writes (anything else is not served). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/** A file name the dashboard route serves: letters, digits, `.`, `_`, `-`, not starting with a dot. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/**
 * The page's own policy: scripts, styles and connections from this origin only (the API and its event
 * stream), no frames, no inline code.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Where the build puts the dashboard, seen from this module under ts-node (`src/…`) or from the bundle (`dist/coordinator/cli.cjs`). */
const CANDIDATES = [join(__dirname, "..", "..", "..", "dist", "dashboard"), join(__dirname, "..", "dashboard")];

/** The built dashboard folder: `HEDGESWAP_DASHBOARD_DIR`, else the first candidate holding an `index.html`, else the usual place. */
export function defaultDashboardDir(): string {
  const fromEnv = process.env.HEDGESWAP_DASHBOARD_DIR;
  if (fromEnv) return fromEnv;
  return CANDIDATES.find((d) => existsSync(join(d, "index.html"))) ?? CANDIDATES[0]!;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hedgeswap coordinator: dashboard not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>The dashboard is not built</h1>
<p>This coordinator's API is running, but the dashboard's files were not found. Build them with
<code>npm run build:dashboard</code> (<code>npm install</code>, <code>npm test</code> and <code>npm run coordinator</code> do it too),
then reload this page.</p>
<p>The API works without it: <a href="/openapi.json">/openapi.json</a>, <a href="/swaps">/swaps</a>, <a href="/health">/health</a>.</p>
</main></body></html>
`;

function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot) : "";
}

async function sendFile(reply: FastifyReply, dir: string, name: string): Promise<FastifyReply | undefined> {
  const type = CONTENT_TYPES[extension(name)];
  if (!FILE_NAME.test(name) || !type) return undefined;
  const path = join(dir, name);
  try {
    if (!(await stat(path)).isFile()) return undefined;
    const body = await readFile(path);
    reply.header("cache-control", "no-cache").header("x-content-type-options", "nosniff");
    if (type.startsWith("text/html")) reply.header("content-security-policy", CSP).header("referrer-policy", "no-referrer");
    return reply.type(type).send(body);
  } catch {
    return undefined;
  }
}

/** What `registerDashboard` needs of a fastify instance (whatever its logger type). */
interface Routes {
  get(path: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): unknown;
}

/** Adds `GET /` and `GET /dashboard/*` to `app`, serving `dir` (default `defaultDashboardDir()`). */
export function registerDashboard(app: Routes, dir: string = defaultDashboardDir()): void {
  app.get("/", async (_req, reply) => {
    const sent = await sendFile(reply, dir, "index.html");
    if (sent) return sent;
    return reply.code(503).header("cache-control", "no-cache").header("content-security-policy", CSP).type("text/html; charset=utf-8").send(NOT_BUILT);
  });
  app.get("/dashboard/*", async (req, reply) => {
    const name = (req.params as { "*"?: string })["*"] ?? "";
    const sent = await sendFile(reply, dir, name);
    if (sent) return sent;
    return reply.code(404).send({ error: "NOT_FOUND", message: `no dashboard file ${JSON.stringify(name.slice(0, 100))}` });
  });
}
