/**
 * The coordinator's command line.
 *
 *   hedgeswap-coordinator run    --config coordinator.json [--offer signed-offer.json ...]
 *   hedgeswap-coordinator submit --config coordinator.json --offer signed-offer.json
 *   hedgeswap-coordinator status --config coordinator.json [--swap <id>]
 *
 * `run` drives every unfinished swap until SIGINT/SIGTERM; `submit` checks an offer and hands it to
 * the running process through the shared database (refusals exit with status 2 and nothing recorded).
 */
import { readFileSync } from "node:fs";

import { Command } from "commander";

import { HedgeSwapError, signedOfferFromJson } from "../sdk";
import { startApi, type ApiServer } from "./api";
import { loadConfig } from "./config";
import { Coordinator } from "./engine/coordinator";

/** The signed offers in a file: one signed offer, or a JSON array of them. */
function readOffers(path: string) {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
  return (Array.isArray(parsed) ? parsed : [parsed]).map((o) => signedOfferFromJson(o));
}

function fail(e: unknown): never {
  if (e instanceof HedgeSwapError) {
    console.error(JSON.stringify({ error: e.code, message: e.shortMessage, details: e.details }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  } else console.error(e);
  process.exit(2);
}

const program = new Command("hedgeswap-coordinator").description("Drives hedged swaps and HTLC options across EVM chains");

program
  .command("run")
  .requiredOption("--config <file>", "configuration file")
  .option("--offer <file...>", "signed offers to accept before starting (a file holds one offer or an array)")
  .action(async (opts: { config: string; offer?: string[] }) => {
    const coordinator = new Coordinator(loadConfig(opts.config));
    await coordinator.init().catch(fail);
    for (const file of opts.offer ?? []) {
      const results = await coordinator.submitMany(readOffers(file));
      for (const r of results) {
        if ("row" in r) coordinator.log.info({ swapId: r.row.id, file }, "offer accepted");
        else coordinator.log.error({ file, err: r.error }, "offer refused");
      }
    }
    coordinator.start();
    const { api: apiConfig } = coordinator.config;
    let api: ApiServer | undefined;
    if (apiConfig.enabled) {
      const token = apiConfig.token ?? (apiConfig.tokenEnv ? process.env[apiConfig.tokenEnv] : undefined);
      if (!token) coordinator.log.warn("API token not configured: mutating API routes answer 503");
      const metrics = { contentType: coordinator.metrics.contentType, text: () => coordinator.metrics.text() };
      api = await startApi(coordinator, { host: apiConfig.host, port: apiConfig.port, ...(token ? { token } : {}), cors: apiConfig.cors, logger: coordinator.log, metrics }).catch(fail);
      coordinator.log.info({ url: api.url }, "API listening");
    }
    const shutdown = () => {
      coordinator.log.info("stopping");
      const apiClosed = api ? api.close().catch((err: unknown) => coordinator.log.error({ err }, "API close failed")) : Promise.resolve();
      void apiClosed.then(() => coordinator.stop()).then(() => process.exit(0));
    };
    process.on("SIGINT", shutdown);
    process.on("SIGTERM", shutdown);
  });

program
  .command("submit")
  .requiredOption("--config <file>", "configuration file")
  .requiredOption("--offer <file>", "signed offer (JSON)")
  .action(async (opts: { config: string; offer: string }) => {
    const coordinator = new Coordinator(loadConfig(opts.config), {});
    try {
      await coordinator.init();
      const [offer] = readOffers(opts.offer);
      const row = await coordinator.submit(offer!);
      console.log(JSON.stringify({ accepted: row.id, kind: row.kind, roles: row.roles }));
    } catch (e) {
      fail(e);
    } finally {
      await coordinator.stop();
    }
  });

program
  .command("status")
  .requiredOption("--config <file>", "configuration file")
  .option("--swap <id>", "one swap with its events")
  .action((opts: { config: string; swap?: string }) => {
    const coordinator = new Coordinator(loadConfig(opts.config));
    const rows = opts.swap ? [coordinator.store.getSwap(opts.swap)].filter(Boolean) : coordinator.store.listSwaps();
    for (const r of rows) console.log(JSON.stringify({ id: r!.id, kind: r!.kind, status: r!.status, outcome: r!.outcome }));
    if (opts.swap) for (const e of coordinator.store.events(opts.swap)) console.log(JSON.stringify(e));
    coordinator.store.close();
  });

program.parseAsync().catch(fail);
