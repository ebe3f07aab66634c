/**
 * A real Chromium for page tests, driven by playwright-core (which downloads no browser): Debian's
 * `/usr/bin/chromium` (`.ci/run` installs it when missing), headless, with the flags that keep it off
 * the network this machine does not have; playwright gives every launch a fresh, temporary profile.
 */
import { existsSync } from "node:fs";

import { chromium, type Browser } from "playwright-core";

/** Where the browser is looked for: `HEDGESWAP_CHROMIUM`, else Debian's path. */
export const CHROMIUM_PATH = process.env.HEDGESWAP_CHROMIUM ?? "/usr/bin/chromium";

/** The launch flags (see ../shared/TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A launched browser and how to close it. */
export interface TestBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Launches Chromium; fails with a message that says how to install it when it is missing. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium) or set HEDGESWAP_CHROMIUM`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}
