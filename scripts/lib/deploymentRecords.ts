/**
 * Node-side loader of the deployment records under `deployments/` (public chains) and
 * `deployments/local/` (local chains), for scripts and the coordinator: the SDK itself reads no
 * files, so this builds its `DeploymentRegistry` from them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { DeploymentRegistry, parseDeploymentRecord, type DeploymentRecord } from "../../src/sdk/deployments";

/** Every record in `root` and `root/local` (files named `<chainId>.json`); a local record wins over a public one. */
export function readDeploymentRecords(root: string): DeploymentRecord[] {
  const out = new Map<number, DeploymentRecord>();
  for (const dir of [root, join(root, "local")]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => /^\d+\.json$/.test(n)).sort()) {
      const record = parseDeploymentRecord(JSON.parse(readFileSync(join(dir, name), "utf8")));
      out.set(record.chainId, record);
    }
  }
  return [...out.values()];
}

/** A registry of every record under `root`. */
export function loadDeployments(root: string): DeploymentRegistry {
  return new DeploymentRegistry(readDeploymentRecords(root));
}
