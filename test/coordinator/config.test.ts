/**
 * Configuration: the schema's defaults and errors, environment overrides, keys from environment
 * variables or an encrypted keystore (with clear errors that never contain a secret), and a
 * coordinator's logs never carrying a private key.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

import { expect } from "chai";
import { Wallet } from "ethers";

import { ConfigError, loadConfig, parseConfig, resolveParties, safeDelta } from "../../src/coordinator/config";
import { Coordinator } from "../../src/coordinator/engine/coordinator";
import { createLogger } from "../../src/coordinator/logger";

const KEY = "0x" + "4b".repeat(32);
const base = (extra: Record<string, unknown> = {}) => ({
  dataDir: "data",
  chains: [{ name: "A", chainId: "31337", rpcUrl: "http://127.0.0.1:1", escrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3" }],
  parties: [{ name: "alice", privateKeyEnv: "ALICE_KEY" }],
  ...extra,
});

function caught(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return e as ConfigError;
  }
  return expect.fail("no error");
}

describe("coordinator configuration", function () {
  it("fills defaults, resolves the data directory against the file, and computes the safe Δ", function () {
    const c = parseConfig(base(), "/etc/hedgeswap");
    expect(c.dataDir).to.equal("/etc/hedgeswap/data");
    expect(c).to.include({ minDelta: 600, reactionMargin: 30, pollIntervalMs: 1000, logLevel: "info" });
    expect(c.api).to.deep.include({ enabled: false, host: "127.0.0.1", port: 8787 });
    // Chain id 31337 is Hardhat's: a devnet (1 confirmation of 1 s, a 1,000 gwei fee cap).
    expect(c.chains[0]).to.include({ kind: "devnet", confirmations: 1, blockInterval: 1, inclusionTime: 60, clockSkew: 15, maxFeePerGas: 1000n * 10n ** 9n });
    expect(safeDelta(c, c.chains)).to.equal(600n);
    const fast = parseConfig(base({ minDelta: 10, reactionMargin: 3 }));
    // seen (1) + inclusion and confirmation (60 + 1) + skew (15) + reaction (3).
    expect(safeDelta(fast, fast.chains)).to.equal(BigInt(1 + 61 + 15 + 3));
  });

  it("fills confirmations, block interval and fee cap from the chain's kind; the file's own figures win", function () {
    const chain = base().chains[0]!;
    const parsed = parseConfig(
      base({
        chains: [
          { ...chain, chainId: "1" },
          { ...chain, name: "B", chainId: "10", kind: "rollup" },
          { ...chain, name: "C", chainId: "137", kind: "sidechain", confirmations: 256, maxFeePerGas: "7" },
          { ...chain, name: "D", chainId: "99", kind: "devnet", swapGasBudget: "1000000000000000" },
        ],
      }),
    );
    expect(parsed.chains.map((c) => [c.kind, c.confirmations, c.blockInterval, c.maxFeePerGas])).to.deep.equal([
      ["ethereum", 64, 12, 500n * 10n ** 9n],
      ["rollup", 150, 2, 50n * 10n ** 9n],
      ["sidechain", 256, 2, 7n],
      ["devnet", 1, 1, 1000n * 10n ** 9n],
    ]);
    expect(parsed.chains[3]!.swapGasBudget).to.equal(10n ** 15n);
    expect(parsed.chains[0]!.swapGasBudget).to.equal(undefined);
    // Two chains: the slower one's confirmations and inclusion decide (64 × 12 s seen, 60 + 768 s to land).
    expect(safeDelta(parsed, parsed.chains.slice(0, 2))).to.equal(BigInt(768 + 828 + 15 + 30));
    expect(caught(() => parseConfig(base({ chains: [{ ...chain, kind: "mainnet" }] }))).details.issues).to.match(/chains\.0\.kind/);
  });

  it("refuses two chains with one chain id, and a party with two key sources", function () {
    const chain = base().chains[0]!;
    expect(caught(() => parseConfig(base({ chains: [chain, { ...chain, name: "B" }] }))).shortMessage).to.equal("two chains share a chain id");
    const issues = String(caught(() => parseConfig(base({ parties: [{ name: "x", privateKey: KEY, privateKeyEnv: "X" }] }))).details.issues);
    expect(issues).to.include("exactly one of privateKeyEnv, privateKey and keystore");
  });

  it("batchSize defaults to 100 and is refused outside 1..500, naming the key", function () {
    expect(parseConfig(base()).batchSize).to.equal(100);
    expect(parseConfig(base({ batchSize: 1 })).batchSize).to.equal(1);
    for (const bad of [0, 501, 2.5, "40"]) {
      expect(String(caught(() => parseConfig(base({ batchSize: bad }))).details.issues)).to.include("batchSize");
    }
  });

  it("environment variables override the file", function () {
    const dir = mkdtempSync(join(tmpdir(), "hedgeswap-config-"));
    const path = join(dir, "c.json");
    writeFileSync(path, JSON.stringify(base()));
    const c = loadConfig(path, { HEDGESWAP_LOG_LEVEL: "debug", HEDGESWAP_API_ENABLED: "true", HEDGESWAP_API_PORT: "9999", HEDGESWAP_API_TOKEN: "t".repeat(20), HEDGESWAP_POLL_INTERVAL_MS: "250" });
    expect(c).to.include({ logLevel: "debug", pollIntervalMs: 250 });
    expect(c.api).to.include({ enabled: true, port: 9999, token: "t".repeat(20) });
    expect(caught(() => loadConfig(path, { HEDGESWAP_API_PORT: "70000" })).details.issues).to.include("api.port");
    expect(caught(() => loadConfig(join(dir, "missing.json"))).shortMessage).to.include("cannot read the configuration file");
  });

  it("keys come from environment variables; a missing one is named, its value never shown", function () {
    const c = parseConfig(base());
    expect(resolveParties(c, { ALICE_KEY: KEY })[0]!.wallet.address).to.equal(new Wallet(KEY).address);
    const err = caught(() => resolveParties(c, { ALICE_KEY: "0x1234" }));
    expect(String(err.details.issues)).to.include("ALICE_KEY");
    expect(err.message).to.not.include("0x1234");
  });

  it("keys come from an encrypted keystore; a wrong password is refused without echoing it", function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), "hedgeswap-keystore-"));
    const wallet = new Wallet(KEY);
    writeFileSync(join(dir, "alice.json"), wallet.encryptSync("correct horse battery staple"));
    const c = parseConfig(base({ parties: [{ name: "alice", keystore: { path: "alice.json", passwordEnv: "ALICE_PASSWORD" } }] }), dir);
    expect(resolveParties(c, { ALICE_PASSWORD: "correct horse battery staple" })[0]!.wallet.address).to.equal(wallet.address);
    const wrong = caught(() => resolveParties(c, { ALICE_PASSWORD: "tr0ub4dor" }));
    expect(wrong.message).to.not.include("tr0ub4dor");
    expect(caught(() => resolveParties(c, {})).details.issues).to.include("ALICE_PASSWORD");
  });

  it("a coordinator never writes its private key or seed to its logs", function () {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) });
    const seed = "0x" + "5e".repeat(32);
    const config = parseConfig(base({ dataDir: mkdtempSync(join(tmpdir(), "hedgeswap-logs-")), logLevel: "trace", parties: [{ name: "alice", privateKey: KEY, secretSeed: seed }] }));
    const coordinator = new Coordinator(config, { logger: createLogger("trace", sink), defaultMetrics: false });
    coordinator.log.info({ config }, "configuration loaded");
    coordinator.store.close();
    const text = lines.join("");
    expect(text).to.include("configuration loaded").and.include("[redacted]");
    expect(text).to.not.include(KEY.slice(2));
    expect(text).to.not.include(seed.slice(2));
  });
});
