/**
 * The reference dApp (examples/dapp) in a real Chromium: the page served by the dApp's runner code
 * (two `hardhat node` chains, Bob's coordinator with its API and the maker), with an EIP-1193 wallet
 * injected into the page and answered in this process by a development account's ethers Wallet
 * (examples/dapp/devWallet.ts). Every swap goes through the page's own buttons.
 *
 * Covered:
 * - connect and both chains' balances; refusals before any wallet prompt: unsafe Δ (the planner's
 *   DeltaTooSmallError), insufficient balance, insufficient allowance;
 * - a rejected offer signature (4001): a clear message, Bob never sees the offer, nothing sent;
 * - Bob's coordinator API unreachable: a clear message before anything is signed;
 * - malformed pasted offers (not JSON, a field of the wrong shape, a signature that no longer matches);
 * - a wrong network (the wallet declines to switch; the wallet does not know the chain and the user
 *   declines to add it): a clear message, no transaction, the leg absent on chain;
 * - a full hedged swap (steps 1, 3, 5 by the page through the wallet, 2, 4, 6 by Bob's coordinator),
 *   with a reload mid-swap (the offer from localStorage, the secret re-derived from the wallet's seed
 *   signature), ending at the matrix's S6 balances on chain;
 * - the reveal withheld inside leg B's reveal margin (the chains' clocks moved with Hardhat's time
 *   RPCs), then after every deadline a reload and `recover()` through the page, which settles leg A:
 *   the matrix's S4 balances.
 * - Bob's API answers CORS for the page's origin only.
 */
import { expect } from "chai";
import { Contract, type JsonRpcProvider } from "ethers";
import type { Page } from "playwright-core";

import { LegState, getLegState, planFromOffer, signedOfferFromJson, type SwapPlan } from "../../src/sdk";
import { devAccounts } from "../../src/devnet";
import { DevWallet } from "../../examples/dapp/devWallet";
import { UNIT, startDappServer, type DappServer } from "../../examples/dapp/server";
import { launchBrowser, type TestBrowser } from "../helpers/browser";

const BALANCE = ["function balanceOf(address) view returns (uint256)"];
const DELTA = 40;

describe("reference dApp in a real browser (examples/dapp)", function () {
  this.timeout(90_000);
  let server: DappServer;
  let browser: TestBrowser;
  let page: Page;
  let wallet: DevWallet;
  let chainA: bigint;
  let chainB: bigint;

  const units = async (provider: JsonRpcProvider, token: string, who: string) => {
    const raw = (await new Contract(token, BALANCE, provider).getFunction("balanceOf")(who)) as bigint;
    expect(raw % UNIT).to.equal(0n);
    return raw / UNIT;
  };
  const holdings = async (who: string) => ({ APR: await units(server.nodes.A.provider, server.tokens.APR, who), BAN: await units(server.nodes.B.provider, server.tokens.BAN, who) });

  async function open(): Promise<void> {
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready='1']");
  }
  async function connect(): Promise<void> {
    await page.click("#connect");
    await page.locator("#account", { hasText: wallet.account.address }).waitFor();
  }
  /** The error box's text once it shows `code`. */
  async function error(code: string): Promise<string> {
    await page.waitForSelector(`#error[data-code="${code}"]:not([hidden])`);
    return `${await page.textContent("#error-title")}: ${await page.textContent("#error-text")}`;
  }
  async function dismiss(): Promise<void> {
    if (await page.isVisible("#error")) await page.click("#error-close");
  }
  async function fill(amount: string, delta: number, funding = "auto"): Promise<void> {
    await page.fill("#amount", amount);
    await page.fill("#delta", String(delta));
    await page.selectOption("#funding", funding);
  }
  async function row(step: number, state: string, timeout = 20_000): Promise<void> {
    await page.waitForSelector(`#timeline tr[data-step="${step}"][data-state="${state}"]`, { timeout });
  }
  async function step(n: number): Promise<void> {
    await page.click(`#act[data-step="${n}"]:not([hidden]):not([disabled])`, { timeout: 20_000 });
    await row(n, "done");
  }
  async function signOffer(): Promise<SwapPlan> {
    const before = (await page.getAttribute("body", "data-swap")) ?? "";
    await page.click("#sign-offer");
    await page.waitForSelector("body:not([data-busy])");
    expect(await page.isHidden("#error"), (await page.textContent("#error")) ?? "").to.equal(true);
    await page.waitForSelector(`body[data-swap]:not([data-swap="${before}"])`);
    await row(1, "yours");
    const signed = signedOfferFromJson(JSON.parse(await page.inputValue("#export")));
    return planFromOffer(signed.offer, { skipTimeChecks: true, minDelta: 0n });
  }

  before(async () => {
    server = await startDappServer({
      chainIds: { A: 31381n, B: 31382n },
      coordinator: { minDelta: 10, reactionMargin: 3, inclusionTime: 2, clockSkew: 2, pollIntervalMs: 100, settleGrace: 3600, log: "silent" },
      quote: { delta: DELTA },
      pagePollIntervalMs: 250,
      pageSettleGrace: 3600,
    });
    chainA = server.nodes.A.chainId;
    chainB = server.nodes.B.chainId;
    browser = await launchBrowser();
    page = await browser.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    wallet = new DevWallet(server.user, new Map([[chainA, server.nodes.A.provider], [chainB, server.nodes.B.provider]]), chainB);
    await wallet.install(page);
    await open();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("connects, shows both chains' balances, and refuses an unsafe Δ, a short balance or allowance before any prompt", async () => {
    await connect();
    await page.waitForSelector('#balances tr[data-chain="B"] td.token');
    expect(await page.textContent('#balances tr[data-chain="A"] td.token')).to.equal("100 APR");
    expect(await page.textContent('#balances tr[data-chain="B"] td.token')).to.equal("3 BAN");

    await fill("100", 5);
    await page.click("#sign-offer");
    expect(await error("DELTA_TOO_SMALL")).to.match(/Δ = 5 s is below the smallest safe Δ of 10 s/);
    await dismiss();
    await fill("1000", DELTA);
    await page.click("#sign-offer");
    expect(await error("INSUFFICIENT_BALANCE")).to.include("Insufficient balance: You hold 100 APR on chain A; step 3 (your escrow on leg A) needs 1000 APR");
    await dismiss();
    await fill("100", DELTA, "allowance");
    await page.click("#sign-offer");
    expect(await error("INSUFFICIENT_ALLOWANCE")).to.include("Insufficient allowance: The escrow on chain A may spend 0 of your APR; step 3 (your escrow on leg A) needs 100");
    expect(wallet.signed(), "no signature was asked for").to.deep.equal([]);
    expect(wallet.sent()).to.deep.equal([]);
    expect(server.coordinator.listSwaps({})).to.have.length(0);
  });

  it("a rejected offer signature (4001) shows a clear message; Bob never gets the offer and nothing is sent", async () => {
    await dismiss();
    await fill("100", DELTA);
    wallet.mode = { rejectTypedData: "SwapOffer" };
    await page.click("#sign-offer");
    expect(await error("USER_REJECTED")).to.include("You rejected the offer signature in your wallet (EIP-1193 error 4001). Nothing was sent on chain.");
    wallet.mode = {};
    expect(wallet.calls.filter((c) => c.detail === "SwapOffer" && c.error === 4001)).to.have.length(1);
    expect(server.coordinator.listSwaps({})).to.have.length(0);
    expect(wallet.sent()).to.deep.equal([]);
  });

  it("Bob's coordinator API unreachable: a clear message before anything is signed", async () => {
    await dismiss();
    const offers = wallet.signed("SwapOffer").length;
    await page.route(`${server.api.url}/**`, (r) => r.abort("connectionrefused"));
    await page.click("#sign-offer");
    expect(await error("COORDINATOR_UNREACHABLE")).to.include(`Bob's coordinator API at ${server.api.url} is unreachable`);
    await page.unroute(`${server.api.url}/**`);
    expect(wallet.signed("SwapOffer")).to.have.length(offers);
    expect(server.coordinator.listSwaps({})).to.have.length(0);
  });

  it("a malformed pasted offer shows a clear message and is not kept", async () => {
    await dismiss();
    await page.click("#recovery-section summary");
    const paste = async (text: string) => {
      await page.fill("#paste", text);
      await page.click("#load-offer");
    };
    await paste("{ not json");
    expect(await error("MALFORMED_OFFER")).to.match(/^Malformed offer: The signed offer is malformed: the text is not valid JSON/);
    await dismiss();
    await paste(JSON.stringify({ offer: { leader: "0x1234" }, signatures: { leader: "0x", follower: "0x" } }));
    expect(await error("MALFORMED_OFFER")).to.include('The signed offer is malformed: offer.leader is not a valid address (got "0x1234"). Nothing was kept.');
    await dismiss();
    expect(await page.$$eval("#saved li button", (b) => b.length)).to.equal(0);
  });

  it("a wrong network shows a clear message and sends nothing", async () => {
    await dismiss();
    await fill("100", DELTA);
    const plan = await signOffer();
    // A signed offer with a changed amount no longer matches its signatures.
    const tampered = JSON.parse(await page.inputValue("#export")) as { offer: { legA: { amount: string } } };
    tampered.offer.legA.amount = "1";
    await page.fill("#paste", JSON.stringify(tampered));
    await page.click("#load-offer");
    expect(await error("INVALID_OFFER_SIGNATURE")).to.include("The leader's signature does not recover to");
    await dismiss();

    wallet.chainId = 1n;
    wallet.mode = { switchChain: "refuse" };
    await page.click('#act[data-step="1"]');
    expect(await error("WRONG_NETWORK")).to.include(`Your wallet is on chain 1, and this must be sent on chain B (id ${chainB}): you declined to switch networks. Nothing was sent on chain.`);
    await dismiss();
    wallet.mode = { switchChain: "unknown", addChain: "refuse" };
    await page.click('#act[data-step="1"]');
    expect(await error("WRONG_NETWORK")).to.include("the wallet does not know this chain and you declined to add it");
    expect(await page.textContent("#network")).to.equal("wallet on chain 1: not chain A or B");
    expect(wallet.sent()).to.deep.equal([]);
    expect(await getLegState(server.nodes.B.provider, plan.legB)).to.equal(LegState.None);
    wallet.mode = {};
    wallet.chainId = chainB;
    await dismiss();
  });

  it("completes a hedged swap through the page's buttons, with a reload mid-swap: the matrix's S6 balances on chain", async () => {
    const start = { alice: await holdings(server.user.address), bob: await holdings(server.bob.address) };
    expect(start).to.deep.equal({ alice: { APR: 100n, BAN: 3n }, bob: { APR: 1n, BAN: 100n } });
    const plan = await signOffer();
    expect(plan.offer.delta).to.equal(BigInt(DELTA));
    await step(1); // your premium on B: an ERC-2612 permit signature, then the deposit
    await row(2, "done"); // Bob's coordinator
    await step(3);
    // A reload: the page forgets the seed and the secret; the offer comes back from localStorage.
    await open();
    await row(3, "done");
    expect(await page.textContent("#swap-id")).to.equal(plan.id);
    await connect();
    await row(4, "done"); // Bob's coordinator escrows leg B
    const seeds = wallet.signed("SecretSeed").length;
    await step(5); // asks for the seed signature again, re-derives the secret, redeems leg B
    expect(wallet.signed("SecretSeed")).to.have.length(seeds + 1);
    await row(6, "done"); // Bob redeems leg A with the secret read from chain B
    await page.waitForSelector('#swap-status[data-state="completed"]');
    expect({ alice: await holdings(server.user.address), bob: await holdings(server.bob.address) }).to.deep.equal({ alice: { APR: 0n, BAN: 103n }, bob: { APR: 101n, BAN: 0n } });
    expect(wallet.sent(chainA)).to.have.length(1); // step 3 (funded with a permit)
    expect(wallet.sent(chainB)).to.have.length(2); // steps 1 and 5
  });

  it("withholds the reveal inside leg B's reveal margin; after the deadlines, a reload and recover() settle leg A: the matrix's S4 balances", async () => {
    const carol = devAccounts(4)[3]!;
    await server.fund(carol, { A: 100n, B: 3n });
    await server.fund(server.bob, { A: 1n, B: 100n }, true);
    const bobBefore = await holdings(server.bob.address);
    wallet.account = carol;
    await open();
    await connect();
    const plan = await signOffer();
    await step(1);
    await row(2, "done");
    await step(3);
    await row(4, "done");
    // Leg B's clock 4 s before its timeout: inside the reveal margin (2 + 1 + 2 + 3 = 8 s).
    const sentB = wallet.sent(chainB).length;
    const now = [await server.nodes.A.latestTimestamp(), await server.nodes.B.latestTimestamp()].reduce((a, b) => (a > b ? a : b));
    await server.increaseTime(plan.legB.terms.timelocks.timeout - 4n - now);
    await row(5, "withheld");
    expect(await page.isHidden("#act")).to.equal(true);
    expect(await page.textContent('#timeline tr[data-step="5"]')).to.include("not revealing");
    // Past leg A's timeout: Bob's coordinator settles leg B (his principal and Alice's premium).
    const later = [await server.nodes.A.latestTimestamp(), await server.nodes.B.latestTimestamp()].reduce((a, b) => (a > b ? a : b));
    await server.increaseTime(plan.legA.terms.timelocks.timeout - later + 2n);
    for (let i = 0; i < 200 && (await getLegState(server.nodes.B.provider, plan.legB)) !== LegState.None; i++) await new Promise((r) => setTimeout(r, 50));
    expect(wallet.sent(chainB)).to.have.length(sentB); // the secret never left the page
    await open();
    await connect();
    await page.click("#recover");
    await page.waitForSelector('#report li[data-kind="tx"]');
    expect(await page.textContent("#report")).to.match(/leg A: settled/);
    await row(6, "settled");
    expect(await holdings(carol.address)).to.deep.equal({ APR: 101n, BAN: 0n });
    expect(await holdings(server.bob.address)).to.deep.equal({ APR: bobBefore.APR - 1n, BAN: bobBefore.BAN + 3n });
  });

  it("Bob's API answers CORS for the page's origin only", async () => {
    const origin = new URL(server.url).origin;
    const pre = await fetch(`${server.api.url}/swaps`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect(pre.status).to.equal(204);
    expect(pre.headers.get("access-control-allow-origin")).to.equal(origin);
    expect(pre.headers.get("access-control-allow-headers")).to.include("authorization");
    const other = await fetch(`${server.api.url}/health`, { headers: { origin: "http://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).to.equal(null);
    expect((await fetch(`${server.api.url}/health`, { headers: { origin } })).headers.get("access-control-allow-origin")).to.equal(origin);
  });
});
