/**
 * The coordinator's dashboard in a real Chromium (playwright-core, Debian's chromium) over Alice's real
 * coordinator and API on two `hardhat node` chains: the page and its files as the API serves them
 * (content types, nothing outside the built folder, a message when it was never built), the happy
 * path's steps appearing done one after another from the live event stream (no reload), a deviating
 * follower (needs attention, then settled S3 once the chains' clocks pass the deadlines), the optional
 * token and a refused action, and clear messages for an unknown or malformed swap id and an
 * unreachable API. The model's pure helpers are checked directly.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Page } from "playwright-core";

import { startApi, type ApiServer } from "../../src/coordinator/api";
import type { Coordinator } from "../../src/coordinator/engine/coordinator";
import { formatAmount, overviewFromMetrics, parsePrometheus } from "../../src/coordinator/dashboard/page/model";
import { launchBrowser, type TestBrowser } from "../helpers/browser";
import { DELTA, coordinator, freshTokens, partyConfig, signedOffer, startWorld, until, type World } from "./world";

const TOKEN = "dashboard-test-token-0123456789";
const NO_SUCH_SWAP = "0x" + "00".repeat(31) + "01";

/**
 * Records, in the page, the done steps' numbers at every change of the page (`window.__seen`), and
 * marks the document (`window.__mark`) to show later that it was never reloaded. (Page code goes in
 * as text: this project's TypeScript has no DOM types outside the dashboard.)
 */
async function recordDoneSteps(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__seen = [];
    window.__mark = "loaded once";
    const look = () => {
      const done = [...document.querySelectorAll("li.step[data-state=done]")].map((li) => Number(li.dataset.step));
      const last = window.__seen[window.__seen.length - 1];
      if (!last || last.join() !== done.join()) window.__seen.push(done);
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
    look();
  })()`);
}

/** Form controls without a label (none expected), and the page's landmarks. */
async function accessibility(page: Page): Promise<{ unlabelled: string[]; landmarks: string[]; tablesWithoutCaption: number }> {
  return (await page.evaluate(`({
    unlabelled: [...document.querySelectorAll("input, select, textarea, button")].filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !(e.textContent || "").trim()).map((e) => e.outerHTML.slice(0, 80)),
    landmarks: ["header", "main", "footer"].filter((t) => document.querySelector(t)),
    tablesWithoutCaption: [...document.querySelectorAll("table")].filter((t) => !t.caption || !t.querySelector("th[scope]")).length,
  })`)) as { unlabelled: string[]; landmarks: string[]; tablesWithoutCaption: number };
}

/** An attribute of every element `selector` matches. */
async function attributes(page: Page, selector: string, name: string): Promise<(string | null)[]> {
  return Promise.all((await page.locator(selector).all()).map((l) => l.getAttribute(name)));
}

describe("coordinator: dashboard", function () {
  this.timeout(90_000);
  let w: World, tb: TestBrowser, alice: Coordinator, api: ApiServer;
  const coordinators: Coordinator[] = [];
  const apis: ApiServer[] = [];

  before(async function () {
    execFileSync(process.execPath, [join(__dirname, "..", "..", "scripts", "build-dashboard.mjs"), "--quiet"], { stdio: "inherit" });
    [w, tb] = await Promise.all([startWorld(), launchBrowser()]);
    alice = coordinator(partyConfig(w, "alice"));
    coordinators.push(alice);
    await alice.init();
    alice.start();
    api = await startApi(alice, { port: 0, token: TOKEN, heartbeatMs: 1_000, metrics: { contentType: alice.metrics.contentType, text: () => alice.metrics.text() } });
    apis.push(api);
  });

  after(async function () {
    await tb?.close();
    for (const a of apis) await a.close();
    for (const c of coordinators) await c.stop();
    await w?.devnet.stop();
  });

  async function open(path: string): Promise<Page> {
    const page = await tb.browser.newPage();
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${api.url}/${path}`);
    await page.waitForSelector("#connection[data-state=live]");
    expect(errors, "no script error").to.deep.equal([]);
    return page;
  }

  describe("model", function () {
    it("parses the Prometheus series it needs and formats base units exactly", function () {
      const samples = parsePrometheus([
        "# HELP hedgeswap_swaps Swaps by status",
        'hedgeswap_swaps{status="completed"} 2',
        'hedgeswap_swaps{status="aborting"} 1',
        'hedgeswap_swap_outcomes_total{outcome="S3"} 1',
        'hedgeswap_swap_outcomes_total{outcome="completed"} 2',
        'hedgeswap_deadlines_missed_total{reason="deadline"} 1',
        'hedgeswap_chain_up{chain="A"} 1',
        'hedgeswap_chain_up{chain="B"} 0',
        'hedgeswap_chain_head_block{chain="A"} 120',
        'hedgeswap_chain_head_timestamp_seconds{chain="A"} 1700000000',
        'hedgeswap_chain_processed_block{chain="A"} 118',
        'hedgeswap_rpc_errors_total{chain="B"} 7',
        'odd{label="a \\"quoted\\" } value"} 3 1700000000000',
        "not a sample",
      ].join("\n"));
      expect(samples.find((s) => s.name === "odd")).to.deep.equal({ name: "odd", labels: { label: 'a "quoted" } value' }, value: 3 });
      const o = overviewFromMetrics(samples);
      expect([o.total, o.active, o.deviations, o.missedDeadlines]).to.deep.equal([3, 1, 1, 1]);
      expect(o.chains).to.deep.equal([
        { name: "A", up: true, head: 120, time: 1700000000, processed: 118, rpcErrors: 0 },
        { name: "B", up: false, rpcErrors: 7 },
      ]);
      const amounts = ["100000000000000000000", "1500000000000000000", "5000000", "1000000000000000000000000", "123456", "0"].map(formatAmount);
      expect(amounts).to.deep.equal(["100 × 10¹⁸", "15 × 10¹⁷", "5 × 10⁶", "1,000,000 × 10¹⁸", "123,456", "0"]);
    });
  });

  it("serves the page at / and its built files under /dashboard/ with their content types, nothing else; a message page when not built", async function () {
    const index = await fetch(`${api.url}/`);
    expect([index.status, index.headers.get("content-type"), index.headers.get("x-content-type-options")]).to.deep.equal([200, "text/html; charset=utf-8", "nosniff"]);
    expect(index.headers.get("content-security-policy")).to.include("script-src 'self'").and.include("connect-src 'self'");
    expect(await index.text()).to.include('src="/dashboard/app.js"').and.include('href="/dashboard/app.css"');
    for (const [file, type] of [["app.js", "text/javascript; charset=utf-8"], ["app.css", "text/css; charset=utf-8"], ["index.html", "text/html; charset=utf-8"]]) {
      const res = await fetch(`${api.url}/dashboard/${file}`);
      expect([file, res.status, res.headers.get("content-type")]).to.deep.equal([file, 200, type]);
    }
    // Only plain names of known types inside the built folder: no traversal, no dot files, no folders.
    for (const path of ["..%2F..%2Fpackage.json", "%2e%2e/%2e%2e/package.json", "..%5c..%5cpackage.json", ".gitignore", "nope.js", "app.js.exe", "sub/app.js", "", "%00app.js"]) {
      const res = await fetch(`${api.url}/dashboard/${path}`);
      expect([path, res.status], await res.text()).to.deep.equal([path, 404]);
    }
    // The API's own routes are untouched.
    expect(await (await fetch(`${api.url}/health`)).json()).to.deep.include({ ok: true, status: "ok" });
    expect((await fetch(`${api.url}/nowhere`)).status).to.equal(404);
    const unbuilt = await startApi(alice, { port: 0, dashboardDir: mkdtempSync(join(tmpdir(), "hedgeswap-no-dashboard-")) });
    apis.push(unbuilt);
    const missing = await fetch(`${unbuilt.url}/`);
    expect([missing.status, missing.headers.get("content-type")]).to.deep.equal([503, "text/html; charset=utf-8"]);
    expect(await missing.text()).to.include("The dashboard is not built").and.include("npm run build:dashboard");
    expect((await fetch(`${unbuilt.url}/dashboard/app.js`)).status).to.equal(404);
  });

  it("shows the happy path's steps 1–6 done one after another, in order, from the live event stream (no reload)", async function () {
    const { signed, plan } = await signedOffer(w, await freshTokens(w));
    const bob = coordinator(partyConfig(w, "bob"));
    coordinators.push(bob);
    await bob.init();
    bob.start();
    // The page is open on the swap before it exists: everything after comes from the stream.
    const page = await open(`#/swaps/${plan.id}`);
    await page.waitForSelector("#swap-error[data-error=UNKNOWN_SWAP]");
    await recordDoneSteps(page);
    await alice.submit(signed);
    await bob.submit(signed);
    await page.waitForSelector('li.step[data-step="6"][data-state="done"]', { timeout: 60_000 });
    await page.waitForSelector('.outcome[data-outcome="completed"]');
    const { seen, mark, events, navigations } = (await page.evaluate(`({
      seen: window.__seen,
      mark: window.__mark,
      events: Number(document.getElementById("connection").dataset.events),
      navigations: performance.getEntriesByType("navigation").length,
    })`)) as { seen: number[][]; mark: string; events: number; navigations: number };
    expect([mark, navigations], "the same document all along").to.deep.equal(["loaded once", 1]);
    expect(events, "frames received over the event stream").to.be.greaterThan(5);
    // Every state the page showed: steps done form 1..k, k never goes back, and it took several updates.
    for (const s of seen) expect(s, JSON.stringify(seen)).to.deep.equal(s.map((_x, i) => i + 1));
    const counts = seen.map((s) => s.length);
    expect(counts, JSON.stringify(seen)).to.deep.equal([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).to.equal(6);
    expect(new Set(counts.filter((c) => c > 0)).size, `step by step: ${JSON.stringify(seen)}`).to.be.at.least(4);
    // Each step's transaction and who acted; the payout of each leg.
    const step1 = await page.textContent('li.step[data-step="1"]');
    expect(step1).to.include("leader").and.include("held by this coordinator").and.include("block").and.include("gas limit");
    expect(await page.textContent('li.step[data-step="2"]')).to.include("the counterparty").and.include("block");
    expect(await page.textContent("#legs")).to.include("to the redeemer");
    expect(await page.getAttribute("#swap-body", "data-attention")).to.equal("false");
    // The list, by the page's own link (a hash change, no reload): the swap, completed, with its parties and assets.
    await page.click("text=← All swaps");
    const row = page.locator(`tr[data-swap="${plan.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute("data-status")).to.equal("completed");
    expect(await row.textContent()).to.include("hedged swap").and.include("100 × 10¹⁸").and.include("held here");
    await page.waitForSelector("#chains tbody tr");
    expect(await accessibility(page)).to.deep.equal({ unlabelled: [], landmarks: ["header", "main", "footer"], tablesWithoutCaption: 0 });
    const chains = await page.locator("#chains tbody tr").allTextContents();
    expect(chains.map((t) => t.slice(0, 3))).to.deep.equal(["Aup", "Bup"]);
    expect(await page.textContent('[data-metric="total"] dd')).to.match(/^[1-9]/);
    await page.close();
  });

  it("shows a follower that never escrows: the swap needs attention, an action is refused with a wrong token, then settled S3 once the deadlines pass", async function () {
    const { signed, plan } = await signedOffer(w, await freshTokens(w));
    const bob = coordinator(partyConfig(w, "bob", { faults: { haltAfterStep: 2 } }));
    coordinators.push(bob);
    await bob.init();
    bob.start();
    await alice.submit(signed);
    await bob.submit(signed);
    const page = await open(`#/swaps/${plan.id}`);
    await recordDoneSteps(page);
    await page.waitForSelector('li.step[data-step="3"][data-state="done"]', { timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 300)); // let the halted follower look once more
    // Past step 4's deadline (4Δ), before leg A's timeout (6Δ): the abort branch, leg B's premium back.
    await w.devnet.increaseTime(4n * DELTA);
    await page.waitForSelector("#swap-body[data-status=aborting][data-attention=true]");
    const deviation = page.locator('#swap-attention .notice.danger[data-code="deviation"]');
    await deviation.first().waitFor();
    expect(await deviation.first().textContent()).to.include("The counterparty (the follower").and.include("step 4");
    expect(await page.getAttribute('li.step[data-step="4"]', "data-state")).to.equal("missed");
    expect(await attributes(page, "li.step[data-state=skipped]", "data-step")).to.deep.equal(["5", "6"]);
    await page.waitForSelector('li.entry[data-entry=settlement][data-leg=A][data-state=expected]');
    // Read-only until a token is entered; a wrong one is refused and nothing is signed.
    expect(await page.textContent("#swap-actions")).to.include("Read-only");
    await page.fill("#token-input", "not-the-token");
    await page.click("text=Enable actions");
    expect(await accessibility(page)).to.deep.equal({ unlabelled: [], landmarks: ["header", "main", "footer"], tablesWithoutCaption: 0 });
    await page.check("#abort-confirm");
    await page.click("text=Request the abort");
    const refused = page.locator("#abort-result [data-error=FORBIDDEN]");
    await refused.waitFor();
    expect(await refused.textContent()).to.include("403").and.include("Check the token");
    expect(alice.store.getSwap(plan.id)!.neverReveal).to.equal(false);
    await page.click("#token-forget");
    await page.waitForSelector("#token-input");
    // The list flags it too.
    await page.click("text=← All swaps");
    await page.waitForSelector(`#attention li[data-swap="${plan.id}"]`);
    expect(await page.getAttribute(`tr[data-swap="${plan.id}"]`, "data-attention")).to.equal("true");
    await page.click(`#attention li[data-swap="${plan.id}"] a`);
    // Past leg A's timeout: Alice settles leg A (her principal and Bob's premium): S3.
    await w.devnet.increaseTime(3n * DELTA);
    await page.waitForSelector('.outcome[data-outcome="S3"]', { timeout: 30_000 });
    await page.waitForSelector("#swap-body[data-status=settled][data-attention=false]");
    expect(await page.textContent(".outcome")).to.include("its premium pays the leader");
    const settled = (await attributes(page, "li.entry[data-entry=settlement][data-state=done]", "data-leg")).sort();
    expect(settled).to.deep.equal(["A", "B"]);
    expect(await page.textContent("#legs")).to.include("premium").and.include("to the escrower too");
    const seen = (await page.evaluate("window.__seen")) as number[][];
    expect(seen.at(-1)).to.deep.equal([1, 2, 3]);
    await page.close();
  });

  it("says clearly when the swap id is unknown or malformed, and when the API is unreachable", async function () {
    const page = await open(`#/swaps/${NO_SUCH_SWAP}`);
    await page.keyboard.press("Tab"); // keyboard users first reach the skip link
    expect(await page.evaluate("document.activeElement.className")).to.equal("skip-link");
    const unknown = page.locator("#swap-error[data-error=UNKNOWN_SWAP]");
    await unknown.waitFor();
    expect(await unknown.textContent()).to.include(`This coordinator has no swap ${NO_SUCH_SWAP}`);
    await page.goto(`${api.url}/#/swaps/0x1234`);
    await page.waitForSelector("text=Not a swap id");
    expect(await page.textContent("#swap-error")).to.include("“0x1234” is not a swap id").and.include("64 hexadecimal digits");
    await page.close();
    // An API that goes away: the page says so and keeps retrying.
    const doomed = await startApi(alice, { port: 0 });
    const gone = await tb.browser.newPage();
    await gone.goto(`${doomed.url}/`);
    await gone.waitForSelector("#connection[data-state=live]");
    await gone.waitForSelector("#swaps tbody tr[data-swap]");
    await doomed.close();
    await gone.waitForSelector("#problem:not([hidden])");
    expect(await gone.textContent("#problem")).to.include("event stream").and.include("unreachable");
    await until("the page reports the lost stream", async () => ["reconnecting", "closed"].includes((await gone.getAttribute("#connection", "data-state")) ?? ""), 10_000);
    await gone.close();
  });
});
