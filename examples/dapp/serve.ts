/**
 * `npm run example:dapp`: two local chains, the test tokens, Bob's coordinator and the maker, and the
 * reference dApp's page on http://127.0.0.1:8670/, for trading with a browser wallet (MetaMask or
 * any EIP-1193 wallet) pointed at the local chains. Runs until Ctrl-C.
 *
 *   npm run example:dapp [-- --port 8670]     (the chains use port + 1 and + 2, Bob's API + 3)
 */
import { startDappServer, RUNNER_DEFAULTS } from "./server";

function portArg(): number {
  const i = process.argv.indexOf("--port");
  const raw = i >= 0 ? process.argv[i + 1] : process.env.HEDGESWAP_DAPP_PORT;
  if (raw === undefined) return RUNNER_DEFAULTS.pagePort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65532) throw new Error(`--port must be an integer in 1..65532, got ${raw}`);
  return port;
}

async function main(): Promise<void> {
  const port = portArg();
  console.log("starting two chains, deploying the escrow and the tokens, starting Bob's coordinator…");
  const world = await startDappServer({
    ports: { page: port, rpcA: port + 1, rpcB: port + 2, api: port + 3 },
    // Ten swaps' worth of the scenario matrix's funds.
    funding: { userA: 1000n, userB: 30n, bobA: 10n, bobB: 1000n },
  });
  const { A, B } = world.config.chains;
  console.log(`
hedgeswap reference dApp: ${world.url}

Point your wallet at the two local chains (MetaMask: Settings > Networks > Add a network manually):
  chain A   RPC ${A.rpcUrl}   chain id ${A.chainId}   currency ETH   (APR token ${A.token.address})
  chain B   RPC ${B.rpcUrl}   chain id ${B.chainId}   currency ETH   (BAN token ${B.token.address})
Import the development account you trade with (Hardhat's well-known dev account #1, NEVER use it on a real chain):
  address     ${world.user.address}
  private key ${world.user.privateKey}
It holds 1000 APR on chain A and 30 BAN on chain B (and 10000 ETH on each for gas).
Bob (the market maker, dev account #2, ${world.bob.address}) holds 1000 BAN on B and 10 APR on A;
his coordinator API is ${world.api.url} (CORS open to the page only), its log ${world.logFile ?? "(silent)"}.

Then open the page, Connect, Sign offer (two signatures: your seed, then the offer) and take your
steps 1, 3 and 5 when the page offers them; Bob's coordinator takes steps 2, 4 and 6. Δ is ${world.quote.delta} s.
After restarting this command, reset the account in the wallet (MetaMask: Settings > Advanced > Clear
activity tab data): the chains start from block 0 again. Ctrl-C stops everything.`);
  const stop = () => {
    console.log("\nstopping…");
    void world.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
