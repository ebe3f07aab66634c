/** Where things are: the repository root, Hardhat's command-line entry point, the compiled artifacts. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

import { DevnetError } from "./errors";

/** The repository root: the nearest folder above this file that holds `hardhat.config.ts`. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, "hardhat.config.ts"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new DevnetError("DEVNET_NODE_START", "no hardhat.config.ts above the devnet code", { from: __dirname });
    dir = parent;
  }
}

/** The JavaScript file of the `hardhat` command (the `bin` of the installed package), resolved from `root`. */
export function hardhatCli(root: string): string {
  const manifestPath = require.resolve("hardhat/package.json", { paths: [root] });
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.["hardhat"];
  if (bin === undefined) throw new DevnetError("DEVNET_NODE_START", "the hardhat package declares no hardhat command", { manifestPath });
  return resolve(dirname(manifestPath), bin);
}

/** The parts of a Hardhat artifact that deploying needs. */
export interface Artifact {
  readonly contractName: string;
  readonly abi: readonly unknown[];
  readonly bytecode: string;
}

/** The escrow's artifact, relative to the repository root. */
export const ESCROW_ARTIFACT = "artifacts/contracts/HedgeSwapEscrow.sol/HedgeSwapEscrow.json";

/** The test token's artifact (ERC-20 + ERC-2612, public `mint`), relative to the repository root. */
export const TOKEN_ARTIFACT = "artifacts/contracts/test/TestToken.sol/TestToken.json";

/** Reads a compiled artifact; throws `DevnetError` (`DEVNET_ARTIFACT`) when it is missing: run `npx hardhat compile`. */
export function loadArtifact(relativePath: string, root: string = repoRoot()): Artifact {
  const path = join(root, relativePath);
  if (!existsSync(path)) {
    throw new DevnetError("DEVNET_ARTIFACT", "artifact not found: run `npx hardhat compile` first", { path });
  }
  const artifact = JSON.parse(readFileSync(path, "utf8")) as Partial<Artifact>;
  if (!Array.isArray(artifact.abi) || typeof artifact.bytecode !== "string" || artifact.bytecode === "0x") {
    throw new DevnetError("DEVNET_ARTIFACT", "artifact has no ABI or no bytecode", { path });
  }
  return { contractName: String(artifact.contractName), abi: artifact.abi, bytecode: artifact.bytecode };
}
