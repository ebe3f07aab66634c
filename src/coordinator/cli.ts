/**
 * The coordinator's command line (`hedgeswap-coordinator`, package.json "bin"; built by
 * `npm run build:coordinator` into dist/coordinator/cli.cjs).
 *
 *   hedgeswap-coordinator run    --config coordinator.json [--offer signed-offer.json ...]
 *   hedgeswap-coordinator submit --config coordinator.json --offer signed-offer.json
 *   hedgeswap-coordinator status --config coordinator.json [--swap <id>]
 *
 * `run` drives every unfinished swap until SIGINT/SIGTERM (a chain that cannot be reached does not stop
 * it: it runs degraded, see `engine/reachability.ts`; a chain that answers with another chain id or
 * without the escrow is a configuration error, exit 2); `submit` checks offers and hands them to
 * the running process through the shared database; `status` reads that database (no keys, no chain).
 *
 * Exit statuses: 0 done; 1 an unexpected failure; 2 refused input: a bad command line (unknown
 * command or option, missing argument), a configuration or offer file that is missing or invalid, a
 * refused offer, an unknown swap. Input is checked before anything is started or sent, and a refusal
 * is one line on stderr: `hedgeswap-coordinator: <what> (<CODE>; <values>)`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { Command, CommanderError, Option } from "commander";
import pino from "pino";

import { version } from "./package.json";
import { HedgeSwapError, signedCycleOfferFromJson, signedOfferFromJson, type SignedCycleOffer, type SignedOffer } from "../sdk";
import { startApi, type ApiServer } from "./api";
import { describeFileError, loadConfig, type CoordinatorConfig } from "./config";
import { Coordinator } from "./engine/coordinator";
import { createLogger } from "./logger";
import { openSqliteStore } from "./store";

/** The command's name, in messages and help. */
export const CLI_NAME = "hedgeswap-coordinator";

/** Exit statuses (see the header). */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

/** An offer file that cannot be read, is not JSON or holds no valid signed offer. */
export class OfferFileError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown>, cause?: unknown) {
    super("OFFER_FILE_INVALID", reason, details, { cause });
  }
}

/** A command-line argument that is not what the option takes (e.g. `--swap` not a swap id). */
export class UsageError extends HedgeSwapError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super("USAGE", reason, details);
  }
}

const SWAP_ID = /^0x[0-9a-fA-F]{64}$/;

/** JSON with bigints as decimal strings. */
const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/**
 * The signed offers in a file: one signed offer, or a JSON array of them — two-party offers
 * (`signedOfferToJson`) and n-party cycle offers (`signedCycleOfferToJson`, told apart by `offer.parties`).
 */
export function readOffers(path: string): (SignedOffer | SignedCycleOffer)[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new OfferFileError(`cannot read the offer file ${path}: ${describeFileError(e)}`, { file: path });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new OfferFileError(`the offer file ${path} is not JSON: ${(e as Error).message}`, { file: path });
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new OfferFileError(`the offer file ${path} holds an empty array`, { file: path });
  return list.map((o, i) => {
    try {
      const isCycle = o !== null && typeof o === "object" && Array.isArray((o as { offer?: { parties?: unknown } }).offer?.parties);
      return isCycle ? signedCycleOfferFromJson(o) : signedOfferFromJson(o);
    } catch (e) {
      if (!(e instanceof HedgeSwapError)) throw e;
      const where = Array.isArray(parsed) ? ` (offer ${i})` : "";
      throw new OfferFileError(`the offer file ${path}${where} holds no valid signed offer: ${e.shortMessage}`, { file: path, cause: e.code }, e);
    }
  });
}

/** One line for a refusal: the message, the code and the values (long values cut). */
export function refusalLine(e: HedgeSwapError): string {
  const values = Object.entries(e.details)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => {
      const text = typeof v === "string" ? v : json(v);
      return `${k}=${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
    });
  return `${CLI_NAME}: ${e.shortMessage} (${[e.code, ...values].join("; ")})`.replace(/[\r\n]+/g, " ");
}

/** Ends the process: a typed refusal on one line with status 2, anything else with its stack and status 1. */
function fail(e: unknown): never {
  if (e instanceof HedgeSwapError) {
    console.error(refusalLine(e));
    process.exit(EXIT.refused);
  }
  console.error(`${CLI_NAME}: unexpected failure:`, e);
  process.exit(EXIT.failed);
}

/** The command line. Exported for tests; `main` parses `process.argv` with it. */
export function buildProgram(): Command {
  const program = new Command(CLI_NAME);
  // Before any subcommand is added, so that they inherit it: usage errors exit 2, help and --version 0.
  program.exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.refused));
  program
    .description("Drives hedged swaps and HTLC options across EVM chains for the parties whose keys it holds (a crash-safe two-phase-commit driver).")
    .usage("<command> [options]")
    .version(version, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "print this help (or a command's: <command> --help)")
    .helpCommand("help [command]", "print the help of a command")
    .showHelpAfterError(`(${CLI_NAME} --help lists the commands and options)`)
    .addHelpText(
      "after",
      `
Examples:
  $ ${CLI_NAME} run --config coordinator.json
  $ ${CLI_NAME} submit --config coordinator.json --offer signed-offer.json
  $ ${CLI_NAME} status --config coordinator.json --swap 0x2167…0368

Keys and seeds come from the environment variables the configuration names (privateKeyEnv,
secretSeedEnv), never from the command line. The configuration file and the whole walkthrough:
README.md, "Run it on your own chains".

Exit status: 0 done; 1 unexpected failure; 2 refused input (bad command line, missing or invalid
configuration or offer file, refused offer, unknown swap), with one line on stderr.`,
    );

  const configOption = () =>
    new Option("-c, --config <file>", "the configuration file (JSON: chains, parties, dataDir; README \"Configuration file\")").makeOptionMandatory();

  program
    .command("run")
    .summary("drive every unfinished swap until SIGINT/SIGTERM")
    .description(
      "Drive every unfinished swap of the database through its steps on every configured chain, until SIGINT or SIGTERM. " +
        "Offers given with --offer are admitted first (each refusal is logged; the others run). Logs are JSON lines on stdout. " +
        "Serves the HTTP API when the configuration enables it. A chain that cannot be reached does not stop it: it runs degraded " +
        "(what the other chains allow; GET /health says which chain is down) and connects the chain in the background; a node with another " +
        "chain id or without the escrow exits 2.",
    )
    .addOption(configOption())
    .option("-o, --offer <file...>", "signed offers to admit before starting (a file holds one signed offer or a JSON array of them)")
    .action(async (opts: { config: string; offer?: string[] }) => {
      const config = loadConfig(opts.config);
      // Every offer file is read and checked before anything starts: a bad one starts nothing.
      const offers = (opts.offer ?? []).map((file) => ({ file, offers: readOffers(file) }));
      const coordinator = new Coordinator(config);
      await coordinator.init().catch(fail);
      for (const { file, offers: list } of offers) {
        const results = await coordinator.submitOffers(list);
        for (const r of results) {
          if ("row" in r) coordinator.log.info({ swapId: r.row.id, file }, "offer accepted");
          else coordinator.log.error({ file, err: r.error }, "offer refused");
        }
      }
      coordinator.start();
      const api = await startApiIfEnabled(coordinator);
      const shutdown = () => {
        coordinator.log.info("stopping");
        const apiClosed = api ? api.close().catch((err: unknown) => coordinator.log.error({ err }, "API close failed")) : Promise.resolve();
        void apiClosed.then(() => coordinator.stop()).then(() => process.exit(EXIT.ok));
      };
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
    });

  program
    .command("submit")
    .summary("check signed offers against the chains and hand them to the running process")
    .description(
      "Check signed offers (signatures, terms, chains, escrows, Δ, the leader's secret, funds and allowances) and record the accepted ones " +
        "in the database, where the running `run` process picks them up. Prints one JSON line per offer on stdout " +
        "({\"accepted\": id, ...} or {\"refused\": {error, message, details}}); exits 2 if any offer is refused (a refused offer records nothing).",
    )
    .addOption(configOption())
    .requiredOption("-o, --offer <file>", "the signed offer: one signed offer or a JSON array of them (the SDK's signedOfferToJson, or signedCycleOfferToJson for an n-party cycle)")
    .action(async (opts: { config: string; offer: string }) => {
      const config = loadConfig(opts.config);
      const offers = readOffers(opts.offer);
      // Its logs go to stderr: stdout holds only the one line per offer.
      const coordinator = new Coordinator(config, { logger: createLogger(config.logLevel, pino.destination({ fd: 2, sync: true })), defaultMetrics: false });
      let refused: unknown;
      try {
        await coordinator.init();
        for (const r of await coordinator.submitOffers(offers)) {
          if ("row" in r) {
            console.log(json({ accepted: r.row.id, kind: r.row.kind, roles: r.row.roles }));
            continue;
          }
          refused ??= r.error;
          const e = r.error;
          console.log(json({ refused: e instanceof HedgeSwapError ? { error: e.code, message: e.shortMessage, details: e.details } : { error: "INTERNAL", message: String(e) } }));
        }
      } finally {
        await coordinator.stop();
      }
      if (refused !== undefined) fail(refused);
    });

  program
    .command("status")
    .summary("print the swaps of the database (no keys, no chain needed)")
    .description(
      "Print every swap of the configuration's database as one JSON line {id, kind, status, outcome, updatedAt}, oldest first; with --swap, " +
        "that swap and then its events, one JSON line each. `status` is where the swap is (accepted … completed, aborting, settled); " +
        "`outcome` how a final swap ended (completed, exercised, abandoned, S0–S5, aborted). Reads only the database: no keys, no chain.",
    )
    .addOption(configOption())
    .option("-s, --swap <id>", "only this swap (0x and 64 hex digits), followed by its events")
    .action((opts: { config: string; swap?: string }) => {
      const config = loadConfig(opts.config);
      if (opts.swap !== undefined && !SWAP_ID.test(opts.swap)) throw new UsageError("--swap takes a swap id: 0x and 64 hex digits", { swap: opts.swap });
      printStatus(config, opts.swap?.toLowerCase());
    });
  return program;
}

/** `status`: the swaps (or one swap and its events) of the configuration's database. */
function printStatus(config: CoordinatorConfig, swap: string | undefined): void {
  const path = join(config.dataDir, "coordinator.sqlite");
  if (!existsSync(path)) {
    if (swap !== undefined) throw new HedgeSwapError("UNKNOWN_SWAP", "no swap with this id: the database does not exist yet", { swapId: swap, database: path });
    console.error(`${CLI_NAME}: no database yet at ${path} (nothing submitted or run with this configuration): no swaps`);
    return;
  }
  const store = openSqliteStore(path);
  try {
    const rows = swap !== undefined ? [store.getSwap(swap)].filter((r) => r !== undefined) : store.listSwaps();
    if (swap !== undefined && rows.length === 0) throw new HedgeSwapError("UNKNOWN_SWAP", "no swap with this id", { swapId: swap, database: path });
    for (const r of rows) console.log(json({ id: r.id, kind: r.kind, status: r.status, outcome: r.outcome, updatedAt: new Date(r.updatedAt).toISOString() }));
    if (swap !== undefined) for (const e of store.events(swap)) console.log(json(e));
  } finally {
    store.close();
  }
}

/** Starts the HTTP API when the configuration enables it. */
async function startApiIfEnabled(coordinator: Coordinator): Promise<ApiServer | undefined> {
  const { api: apiConfig } = coordinator.config;
  if (!apiConfig.enabled) return undefined;
  const token = apiConfig.token ?? (apiConfig.tokenEnv ? process.env[apiConfig.tokenEnv] : undefined);
  if (!token) coordinator.log.warn("API token not configured: mutating API routes answer 503");
  const metrics = { contentType: coordinator.metrics.contentType, text: () => coordinator.metrics.text() };
  const api = await startApi(coordinator, { host: apiConfig.host, port: apiConfig.port, ...(token ? { token } : {}), cors: apiConfig.cors, logger: coordinator.log, metrics }).catch(fail);
  coordinator.log.info({ url: api.url }, "API listening");
  return api;
}

/** Parses `argv` (node, script, arguments) and runs the command; every failure ends in `fail`. */
export function main(argv: readonly string[] = process.argv): void {
  buildProgram().parseAsync([...argv]).catch(fail);
}

if (require.main === module) main();
