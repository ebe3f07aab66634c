/**
 * Writes `src/sdk/abi.ts`, the escrow's ABI as a typed constant, from the compiled artifact.
 * Run after changing the contract's interface: `npm run abi`.
 * `test/sdk/abi.test.ts` fails when the committed file and the artifact differ.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { artifacts } from "hardhat";

async function main(): Promise<void> {
  const { abi } = await artifacts.readArtifact("HedgeSwapEscrow");
  const body = JSON.stringify(abi, null, 2);
  const text = [
    "/**",
    " * The ABI of `HedgeSwapEscrow` (every function, event and error, including those it inherits),",
    " * generated from the compiled artifact by `scripts/make-abi.ts`. Do not edit by hand.",
    " */",
    `export const escrowAbi = ${body} as const;`,
    "",
  ].join("\n");
  writeFileSync(join(__dirname, "..", "src", "sdk", "abi.ts"), text);
  console.log(`wrote src/sdk/abi.ts (${abi.length} entries)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
