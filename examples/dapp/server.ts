/**
 * Everything the reference dApp trades against, in one process: two local chains (`hardhat node`
 * processes with the escrow deployed, as the devnet starts them), the test tokens (APR on chain A,
 * BAN on chain B) minted to the user and to Bob, Bob's coordinator with its HTTP API (CORS open to
 * the page's origin only), the maker's countersigning endpoint, and a node:http server for the page
 * on 127.0.0.1. `npm run example:dapp` (./serve.ts) runs it on fixed ports; the browser test and the
 * screenshot script run it on free ones.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { BaseWallet, Wallet } from "ethers";
import pino from "pino";

import { startApi, type ApiServer } from "../../src/coordinator/api";
import { parseConfig, safeDelta, type CoordinatorConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import { createLogger } from "../../src/coordinator/logger";
import { deployEscrow, deployToken, devAccounts, mintAndApprove, startHardhatNode, type DevNode } from "../../src/devnet";
import { bundlePage, PAGE_DIR, type PageBundle } from "./bundle";
import { countersign } from "./maker";
import type { DappChain, DappConfig, MakerQuote } from "./shared";

/** One token unit (18 decimals). */
export const UNIT = 10n ** 18n;

/** Chain ids and ports of `npm run example:dapp` (documented in the README for the wallet's network settings). */
export const RUNNER_DEFAULTS = { chainIdA: 31371n, chainIdB: 31372n, pagePort: 8670, rpcPortA: 8671, rpcPortB: 8672, apiPort: 8673 } as const;

/** Options of `startDappServer`; every one has a default. */
export interface DappServerOptions {
  readonly chainIds?: { readonly A: bigint; readonly B: bigint };
  /** Ports on 127.0.0.1; a free one for each left out. */
  readonly ports?: { readonly page?: number; readonly rpcA?: number; readonly rpcB?: number; readonly api?: number };
  /** A block every this many ms on both chains besides automine (the chains' clocks move); default 1000. */
  readonly blockIntervalMs?: number;
  /** Development account indexes of the user (Alice, the leader) and of Bob; default 1 and 2. */
  readonly accounts?: { readonly user: number; readonly bob: number };
  /** Whole tokens minted: the user's APR on A and BAN on B, Bob's APR on A and BAN on B. Default: the matrix (100, 3, 1, 100). */
  readonly funding?: { readonly userA: bigint; readonly userB: bigint; readonly bobA: bigint; readonly bobB: bigint };
  /** Bob's coordinator and the chains' safety figures. */
  readonly coordinator?: {
    readonly minDelta?: number;
    readonly reactionMargin?: number;
    readonly inclusionTime?: number;
    readonly clockSkew?: number;
    readonly settleGrace?: number;
    readonly pollIntervalMs?: number;
    /** Where the coordinator logs: a file path, or "silent". Default `<dataDir>/bob.log`. */
    readonly log?: string;
  };
  readonly quote?: Partial<Omit<MakerQuote, "maker">>;
  /** The page's poll interval (ms); default 1000. */
  readonly pagePollIntervalMs?: number;
  /** The page's settle grace (seconds); default the coordinator's. */
  readonly pageSettleGrace?: number;
}

/** A running dApp world. */
export interface DappServer {
  /** The page, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly config: DappConfig;
  readonly quote: MakerQuote;
  readonly user: Wallet;
  readonly bob: Wallet;
  readonly nodes: { readonly A: DevNode; readonly B: DevNode };
  readonly tokens: { readonly APR: string; readonly BAN: string };
  readonly coordinator: Coordinator;
  readonly coordinatorConfig: CoordinatorConfig;
  readonly api: ApiServer;
  readonly bundle: PageBundle;
  /** Where Bob's coordinator logs (undefined when silent). */
  readonly logFile: string | undefined;
  /** Moves both chains' clocks to max(latest) + `seconds` and mines a block on each (Hardhat's time RPCs). */
  increaseTime(seconds: number | bigint): Promise<void>;
  /** Mints whole tokens to `holder` on A (APR) and B (BAN) and approves `spender` (default: the holder itself, i.e. no allowance to the escrow). */
  fund(holder: BaseWallet, units: { readonly A?: bigint; readonly B?: bigint }, approveEscrow?: boolean): Promise<void>;
  /** Stops the page server, the API, the coordinator and both chains. Safe to call twice. */
  stop(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  "/": "text/html; charset=utf-8",
  "/index.html": "text/html; charset=utf-8",
  "/style.css": "text/css; charset=utf-8",
};
const BODY_LIMIT = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new Error("the request body is too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers });
  res.end(body);
}

const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Starts the chains, the tokens, Bob's coordinator and API, the maker and the page server. */
export async function startDappServer(opts: DappServerOptions = {}): Promise<DappServer> {
  const chainIds = opts.chainIds ?? { A: RUNNER_DEFAULTS.chainIdA, B: RUNNER_DEFAULTS.chainIdB };
  const ports = opts.ports ?? {};
  const wallets = devAccounts(Math.max(opts.accounts?.user ?? 1, opts.accounts?.bob ?? 2) + 1);
  const deployer = wallets[0]!;
  const user = wallets[opts.accounts?.user ?? 1]!;
  const bob = wallets[opts.accounts?.bob ?? 2]!;
  const c = opts.coordinator ?? {};
  const dataDir = mkdtempSync(join(tmpdir(), "hedgeswap-dapp-"));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dataDir, { recursive: true, force: true })];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const f of cleanups.splice(0).reverse()) await Promise.resolve(f()).catch(() => undefined);
    })());

  try {
    const blockIntervalMs = opts.blockIntervalMs ?? 1000;
    const [nodeA, nodeB] = await Promise.all([
      startHardhatNode({ chainId: chainIds.A, blockIntervalMs, ...(ports.rpcA ? { port: ports.rpcA } : {}) }),
      startHardhatNode({ chainId: chainIds.B, blockIntervalMs, ...(ports.rpcB ? { port: ports.rpcB } : {}) }),
    ].map((p) => p.then((n) => (cleanups.push(() => n.stop()), n))));
    const nodes = { A: nodeA!, B: nodeB! };
    const [escrowA, escrowB] = await Promise.all([deployEscrow(nodes.A, deployer), deployEscrow(nodes.B, deployer)]);
    const [APR, BAN] = await Promise.all([deployToken(nodes.A, deployer, "Apricot", "APR"), deployToken(nodes.B, deployer, "Banana", "BAN")]);
    const tokens = { APR, BAN };
    const fund = async (holder: BaseWallet, units: { A?: bigint; B?: bigint }, approveEscrow = false) => {
      if (units.A) await mintAndApprove(nodes.A, APR, holder, units.A * UNIT, approveEscrow ? escrowA!.address : holder.address);
      if (units.B) await mintAndApprove(nodes.B, BAN, holder, units.B * UNIT, approveEscrow ? escrowB!.address : holder.address);
    };
    const f = opts.funding ?? { userA: 100n, userB: 3n, bobA: 1n, bobB: 100n };
    // The user grants no allowance: the page funds each step with an ERC-2612 permit. Bob's
    // coordinator needs allowances (its admission checks them).
    await Promise.all([fund(user, { A: f.userA, B: f.userB }), fund(bob, { A: f.bobA, B: f.bobB }, true)]);

    // The page's server listens first: its origin is what Bob's API lets in (CORS).
    const pageServer = createServer();
    const pagePort = await listen(pageServer, ports.page ?? 0);
    cleanups.push(() => new Promise<void>((resolve) => {
      pageServer.closeAllConnections();
      pageServer.close(() => resolve());
    }));
    const origin = `http://127.0.0.1:${pagePort}`;

    const apiToken = randomBytes(24).toString("hex");
    const chainEntry = (name: "A" | "B", node: DevNode, escrow: { address: string; deploymentBlock: number }) => ({
      name,
      chainId: node.chainId.toString(),
      rpcUrl: node.url,
      escrow: escrow.address,
      deploymentBlock: escrow.deploymentBlock,
      confirmations: 1,
      blockInterval: Math.max(1, Math.round(blockIntervalMs / 1000)),
      inclusionTime: c.inclusionTime ?? 5,
      clockSkew: c.clockSkew ?? 2,
      rpcTimeoutMs: 2000,
    });
    const coordinatorConfig = parseConfig({
      dataDir: join(dataDir, "bob"),
      chains: [chainEntry("A", nodes.A, escrowA!), chainEntry("B", nodes.B, escrowB!)],
      parties: [{ name: "bob", privateKey: bob.privateKey }],
      minDelta: c.minDelta ?? 60,
      reactionMargin: c.reactionMargin ?? 10,
      pollIntervalMs: c.pollIntervalMs ?? 250,
      settleGrace: c.settleGrace ?? 60,
      api: { enabled: true, host: "127.0.0.1", port: ports.api ?? 0, token: apiToken, cors: [origin] },
    });
    const logFile = c.log === "silent" ? undefined : (c.log ?? join(dataDir, "bob.log"));
    const logger = logFile ? createLogger("info", pino.destination({ dest: logFile, sync: true })) : pino({ level: "silent" });
    const coordinator = new Coordinator(coordinatorConfig, { logger, defaultMetrics: false });
    await coordinator.init();
    coordinator.start();
    cleanups.push(() => coordinator.stop());
    const api = await startApi(coordinator, { host: "127.0.0.1", port: coordinatorConfig.api.port, token: apiToken, cors: coordinatorConfig.api.cors, logger });
    cleanups.push(() => api.close());

    const dappChain = (name: "A" | "B", token: { address: string; symbol: string }): DappChain => {
      const e = coordinatorConfig.chains.find((x) => x.name === name)!;
      return {
        name,
        chainId: e.chainId.toString(),
        rpcUrl: e.rpcUrl,
        escrow: e.escrow,
        deploymentBlock: e.deploymentBlock,
        token: { ...token, decimals: 18 },
        confirmations: e.confirmations,
        blockInterval: e.blockInterval,
        inclusionTime: e.inclusionTime,
        clockSkew: e.clockSkew,
      };
    };
    const minDelta = Number(safeDelta(coordinatorConfig, coordinatorConfig.chains));
    const config: DappConfig = {
      chains: { A: dappChain("A", { address: APR, symbol: "APR" }), B: dappChain("B", { address: BAN, symbol: "BAN" }) },
      coordinatorApi: api.url,
      makerUrl: "/maker",
      minDelta,
      reactionMargin: coordinatorConfig.reactionMargin,
      settleGrace: opts.pageSettleGrace ?? coordinatorConfig.settleGrace,
      pollIntervalMs: opts.pagePollIntervalMs ?? 1000,
    };
    const quote: MakerQuote = {
      maker: bob.address,
      rateNum: "1",
      rateDen: "1",
      premiumBpsA: 100,
      premiumBpsB: 300,
      maxAmountA: (1000n * UNIT).toString(),
      delta: Math.max(300, minDelta),
      minDelta,
      maxDelta: 3600,
      startTolerance: 120,
      ...opts.quote,
    };
    const now = async () => {
      const [a, b] = await Promise.all([nodes.A.latestTimestamp(), nodes.B.latestTimestamp()]);
      return a > b ? a : b;
    };
    const maker = { bob, quote, config, api: { url: api.url, token: apiToken }, now };

    const bundle = await bundlePage();
    const csp = [
      "default-src 'self'",
      `connect-src 'self' ${nodes.A.url} ${nodes.B.url} ${api.url}`,
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; ");
    const files = new Map(["index.html", "style.css"].map((f) => [f, readFileSync(join(PAGE_DIR, f), "utf8")]));
    pageServer.on("request", (req, res) => {
      void (async () => {
        const path = (req.url ?? "/").split("?")[0]!;
        if (req.method === "GET" && CONTENT_TYPES[path]) {
          return send(res, 200, CONTENT_TYPES[path]!, files.get(path === "/" ? "index.html" : path.slice(1))!, { "content-security-policy": csp });
        }
        if (req.method === "GET" && path === "/app.js") return send(res, 200, "text/javascript; charset=utf-8", bundle.js);
        if (req.method === "GET" && path === "/config.json") return send(res, 200, "application/json", json(config));
        if (req.method === "GET" && path === "/maker/quote") return send(res, 200, "application/json", json(quote));
        if (req.method === "POST" && path === "/maker/offers") {
          let body: unknown;
          try {
            body = await readBody(req);
          } catch (e) {
            return send(res, 400, "application/json", json({ error: "MALFORMED_REQUEST", message: e instanceof Error ? e.message : String(e) }));
          }
          const answer = await countersign(maker, body);
          return send(res, answer.status, "application/json", json(answer.body));
        }
        return send(res, 404, "application/json", json({ error: "NOT_FOUND", message: `no route ${req.method} ${path}` }));
      })().catch((e: unknown) => send(res, 500, "application/json", json({ error: "INTERNAL", message: e instanceof Error ? e.message : String(e) })));
    });

    return {
      url: `${origin}/`,
      config,
      quote,
      user,
      bob,
      nodes,
      tokens,
      coordinator,
      coordinatorConfig,
      api,
      bundle,
      logFile,
      fund,
      stop,
      async increaseTime(seconds) {
        const target = (await now()) + BigInt(seconds);
        await Promise.all([nodes.A, nodes.B].map(async (n) => {
          await n.setNextTimestamp(target);
          await n.mine();
        }));
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
