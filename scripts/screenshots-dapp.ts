/**
 * Screenshots of the reference dApp for the README (`npm run screenshots:dapp`): the runner's world
 * on free ports, Chromium through playwright-core with the development wallet injected, and a swap
 * taken through the page's buttons. Writes docs/dapp-offer.png (connected, the offer form),
 * docs/dapp-swap.png (mid-swap: both legs escrowed, step 5 offered), docs/dapp-done.png (completed)
 * and docs/dapp-error.png (a wrong network refused before anything is sent). Prints the bundle size.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import type { Page } from "playwright-core";

import { DevWallet } from "../examples/dapp/devWallet";
import { startDappServer } from "../examples/dapp/server";
import { repoRoot } from "../src/devnet";
import { launchBrowser } from "../test/helpers/browser";

async function main(): Promise<void> {
  const out = join(repoRoot(), "docs");
  mkdirSync(out, { recursive: true });
  // The matrix's funds, and a second swap's worth for the last picture.
  const server = await startDappServer({ funding: { userA: 200n, userB: 3n, bobA: 2n, bobB: 200n }, coordinator: { log: "silent", pollIntervalMs: 200 }, pagePollIntervalMs: 300 });
  const browser = await launchBrowser();
  try {
    const page = await browser.browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const { A, B } = server.nodes;
    const wallet = new DevWallet(server.user, new Map([[A.chainId, A.provider], [B.chainId, B.provider]]), B.chainId);
    await wallet.install(page);
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready='1']");
    const shot = async (name: string) => {
      await page.screenshot({ path: join(out, name), fullPage: true });
      console.log(`wrote docs/${name}`);
    };
    const step = async (p: Page, n: number) => {
      await p.click(`#act[data-step="${n}"]:not([hidden]):not([disabled])`, { timeout: 30_000 });
      await p.waitForSelector(`#timeline tr[data-step="${n}"][data-state="done"]`, { timeout: 30_000 });
    };
    const done = (p: Page, n: number) => p.waitForSelector(`#timeline tr[data-step="${n}"][data-state="done"]`, { timeout: 30_000 });

    await page.click("#connect");
    await page.waitForSelector('#balances tr[data-chain="B"] td.token');
    await shot("dapp-offer.png");

    await page.click("#sign-offer");
    await page.waitForSelector('#timeline tr[data-step="1"][data-state="yours"]', { timeout: 30_000 });
    await step(page, 1);
    await done(page, 2);
    await step(page, 3);
    await done(page, 4);
    await page.waitForSelector('#act[data-step="5"]:not([hidden])');
    await shot("dapp-swap.png");

    await step(page, 5);
    await done(page, 6);
    await page.waitForSelector('#swap-status[data-state="completed"]');
    await page.locator('#balances tr[data-chain="B"] td.token', { hasText: "103 BAN" }).waitFor();
    await shot("dapp-done.png");

    // A second offer, and a wallet on another chain that will not switch.
    await page.fill("#amount", "0.5");
    await page.click("#sign-offer");
    await page.waitForSelector('#act[data-step="1"]:not([hidden])', { timeout: 30_000 });
    wallet.chainId = 1n;
    wallet.mode = { switchChain: "refuse" };
    await page.click('#act[data-step="1"]');
    await page.waitForSelector('#error[data-code="WRONG_NETWORK"]:not([hidden])');
    await page.locator("#network", { hasText: "not chain A or B" }).waitFor();
    await shot("dapp-error.png");
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`page bundle: ${server.bundle.bytes} bytes minified, ${server.bundle.gzipBytes} bytes gzipped`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
