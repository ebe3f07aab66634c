/**
 * `npm run screenshots:dashboard`: pictures of the coordinator's dashboard for the README.
 *
 * Starts two local chains and Alice's and Bob's coordinators (in this process, Alice's API serving the
 * dashboard), runs four swaps that show what the page shows: one completed, one settled S3 (Bob halts
 * after step 2 and the chains' clocks are moved past every deadline), one in the abort branch (past
 * step 4's deadline, leg A not yet timed out: it needs attention) and one waiting for Bob's step 2;
 * then opens the dashboard in Chromium and writes docs/dashboard.png (overview and list),
 * docs/dashboard-swap.png (the S3 swap's timeline) and docs/dashboard-attention.png (the aborting one).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { startApi } from "../src/coordinator/api";
import type { Coordinator } from "../src/coordinator/engine/coordinator";
import { launchBrowser } from "../test/helpers/browser";
import { DELTA, coordinator, finished, freshTokens, partyConfig, signedOffer, startWorld, until } from "../test/coordinator/world";

const docs = join(__dirname, "..", "docs");

async function main(): Promise<void> {
  mkdirSync(docs, { recursive: true });
  const w = await startWorld();
  const running: Coordinator[] = [];
  const start = async (c: Coordinator) => {
    running.push(c);
    await c.init();
    c.start();
    return c;
  };
  try {
    const alice = await start(coordinator(partyConfig(w, "alice")));
    const api = await startApi(alice, { port: 0, token: "screenshots", metrics: { contentType: alice.metrics.contentType, text: () => alice.metrics.text() } });
    const status = (id: string) => alice.store.getSwap(id)?.status;
    try {
      console.log("swap 1: the happy path");
      const bob = await start(coordinator(partyConfig(w, "bob")));
      const happy = await signedOffer(w, await freshTokens(w));
      await alice.submit(happy.signed);
      await bob.submit(happy.signed);
      await finished(alice, happy.plan.id, 60_000);
      await bob.stop();
      running.splice(running.indexOf(bob), 1);

      console.log("swap 2: Bob never escrows, settled S3");
      const halting = await start(coordinator(partyConfig(w, "bob", { faults: { haltAfterStep: 2 } })));
      const s3 = await signedOffer(w, await freshTokens(w));
      await alice.submit(s3.signed);
      await halting.submit(s3.signed);
      await until("swap 2 at escrowedA", () => status(s3.plan.id) === "escrowedA", 60_000);
      await new Promise((r) => setTimeout(r, 500));
      await w.devnet.increaseTime(7n * DELTA);
      await finished(alice, s3.plan.id, 60_000);

      console.log("swap 3: Bob never escrows, past step 4's deadline: aborting");
      const aborting = await signedOffer(w, await freshTokens(w));
      await alice.submit(aborting.signed);
      await halting.submit(aborting.signed);
      await until("swap 3 at escrowedA", () => status(aborting.plan.id) === "escrowedA", 60_000);
      await new Promise((r) => setTimeout(r, 500));
      await w.devnet.increaseTime(4n * DELTA);
      await until("swap 3 aborting, leg B settled", () => status(aborting.plan.id) === "aborting" && alice.swapDetail(aborting.plan.id)!.legs[1]!.outcome !== null, 60_000);

      console.log("swap 4: waiting for Bob's premium (step 2)");
      const waiting = await signedOffer(w, await freshTokens(w), "hedged-swap", 600n);
      await alice.submit(waiting.signed);
      await until("swap 4 at premiumB", () => status(waiting.plan.id) === "premiumB", 60_000);

      const browser = await launchBrowser();
      try {
        const page = await browser.browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
        await page.goto(`${api.url}/`);
        await page.waitForSelector("#connection[data-state=live]");
        // (Page code as text: the project's TypeScript has no DOM types outside the dashboard.)
        await page.waitForFunction(`document.querySelectorAll("#swaps tbody tr[data-swap]").length === 4 && !document.body.textContent.includes("loading…")`);
        await page.waitForSelector("#chains tbody tr");
        await page.screenshot({ path: join(docs, "dashboard.png"), fullPage: true });
        for (const [id, file] of [[s3.plan.id, "dashboard-swap.png"], [aborting.plan.id, "dashboard-attention.png"]] as const) {
          await page.goto(`${api.url}/#/swaps/${id}`);
          await page.waitForSelector("#swap-timeline li.step");
          await page.waitForTimeout(300);
          // The page down to the end of the legs' table (the transactions and the event trail are long).
          const bottom = (await page.evaluate(`Math.ceil(document.getElementById("swap-legs").closest("section").getBoundingClientRect().bottom + window.scrollY + 16)`)) as number;
          await page.setViewportSize({ width: 1360, height: bottom });
          await page.screenshot({ path: join(docs, file) });
          await page.setViewportSize({ width: 1360, height: 900 });
          console.log(`wrote docs/${file}`);
        }
        console.log("wrote docs/dashboard.png");
      } finally {
        await browser.close();
      }
    } finally {
      await api.close();
    }
  } finally {
    for (const c of running) await c.stop();
    await w.devnet.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
