/**
 * One party's coordinator process in the ring3 benchmark, exactly as `hedgeswap-coordinator run
 * --config <file> --offer <file>` runs one, for signed cycle offers (`PROTOCOLS.md` §7), which the CLI's
 * `--offer` does not read: the configuration loaded, the chains connected, every offer of the file
 * admitted with `submitManyCycles` before the first round, then the poll loop until SIGTERM/SIGINT.
 * Bundled by `cycleProcess.ts` with esbuild like the CLI (dist/bench/cycle-party.cjs), so the
 * process costs what the CLI's bundle costs.
 *
 *   node dist/bench/cycle-party.cjs <config.json> <cycle-offers.json>
 */
import { readFileSync } from "node:fs";

import { signedCycleOfferFromJson } from "../../src/sdk";
import { loadConfig } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";

async function main(): Promise<void> {
  const [configPath, offersPath] = process.argv.slice(2);
  if (!configPath || !offersPath) throw new Error("usage: cycle-party <config.json> <cycle-offers.json>");
  const config = loadConfig(configPath);
  const offers = (JSON.parse(readFileSync(offersPath, "utf8")) as unknown[]).map(signedCycleOfferFromJson);
  const coordinator = new Coordinator(config);
  await coordinator.init();
  let refused = 0;
  for (const r of await coordinator.submitManyCycles(offers)) {
    if ("row" in r) continue;
    refused++;
    coordinator.log.error({ file: offersPath, err: r.error }, "cycle offer refused");
  }
  coordinator.log.warn({ accepted: offers.length - refused, refused }, "cycle offers admitted");
  coordinator.start();
  const shutdown = () => void coordinator.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((e: unknown) => {
  console.error("cycle-party: unexpected failure:", e);
  process.exit(1);
});
