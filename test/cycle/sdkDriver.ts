/**
 * The SDK driver: each round it builds its party's `CycleView` (held = {its index}; the leader's secret
 * for party 0 only; the deviator's `haltAfterStep`), asks the SDK's n-generic rule `decideCycleNext` what
 * to do, and sends exactly those intents with the SDK's action helpers (`depositPremium`,
 * `escrowPrincipal`, `redeem`, `settle`), one after the other, each awaited until mined. Nothing of the
 * protocol is decided here.
 */
import { decideCycleNext, depositPremium, escrowPrincipal, redeem, settle, type ChainSafety, type CycleIntent, type CycleView } from "../../src/sdk";
import { errorText, type ActionRecord, type DriverContext, type DriverFactory, type MissedRecord, type PartyDriver, type Round } from "./driver";

/** The chains' figures the SDK driver declares (§6): automined local chains, so confirmation time 0. */
export const LOCAL_CHAIN: ChainSafety = Object.freeze({ inclusionTime: 2n, confirmationTime: 0n, clockSkew: 2n });

/** Options of the SDK driver. */
export interface SdkDriverOptions {
  /**
   * Send a protocol step only in its own Δ slot (step k while the clocks are in slot k), however early the
   * rule allows it: a conforming party that waits until the last slot. Settlements go out at once.
   */
  readonly ownSlotOnly?: boolean;
  /** Send no settlement (a party that leaves its payouts to someone else: the harness's final sweep). */
  readonly skipSettlements?: boolean;
}

/** The SDK driver with options; `sdkDriver` is `sdkDriverFactory()`. */
export function sdkDriverFactory(opts: SdkDriverOptions = {}): DriverFactory {
  return (ctx) => makeSdkDriver(ctx, opts);
}

/** The SDK driver of party `ctx.index`, taking every step as soon as the rule allows. */
export function sdkDriver(ctx: DriverContext): PartyDriver {
  return makeSdkDriver(ctx, {});
}

function makeSdkDriver(ctx: DriverContext, opts: SdkDriverOptions): PartyDriver {
  const { plan, index, world } = ctx;
  const runner = (arc: number) => ctx.wallet.connect(world.providers[arc]!);
  const held = new Set([index]);
  const chains = plan.arcs.map(() => LOCAL_CHAIN);
  const send = (i: CycleIntent): Promise<{ hash: string }> => {
    const arc = plan.arcs[i.arc]!;
    switch (i.action) {
      case "depositPremium":
        return depositPremium(runner(i.arc), arc);
      case "escrow":
        return escrowPrincipal(runner(i.arc), arc);
      case "redeem":
        if (i.secret === undefined) throw new Error(`the rule asked for a redeem of arc ${i.arc} without a secret`);
        return redeem(runner(i.arc), arc, i.secret);
      case "settle":
        return settle(runner(i.arc), arc);
    }
  };
  return {
    async act(round: Round) {
      const o = await round.observe();
      const view: CycleView = {
        n: plan.n,
        arcs: plan.arcs,
        start: plan.offer.start,
        delta: plan.offer.delta,
        held,
        observed: o.legs,
        times: o.times,
        ...(ctx.secret !== undefined ? { leaderSecret: ctx.secret } : {}),
        ...(o.revealedSecret !== undefined ? { revealedSecret: o.revealedSecret } : {}),
        // Every transaction is mined before the driver returns: nothing is ever pending at a decision.
        pending: new Set<string>(),
        margins: { reaction: ctx.reaction, chains },
        settleGrace: ctx.settleGrace,
        ...(ctx.haltAfterStep !== undefined ? { haltAfterStep: ctx.haltAfterStep } : {}),
      };
      const decision = decideCycleNext(view);
      const actions: ActionRecord[] = [];
      for (const i of decision.intents) {
        if (opts.ownSlotOnly && i.step !== "settle" && i.step !== round.slot) continue;
        if (opts.skipSettlements && i.step === "settle") continue;
        const base = { party: i.party, step: i.step, arc: i.arc, action: i.action };
        if (i.party !== index) {
          actions.push({ ...base, error: `the rule gave party ${index} an intent of party ${i.party}` });
          continue;
        }
        try {
          actions.push({ ...base, hash: (await send(i)).hash });
        } catch (e) {
          actions.push({ ...base, error: errorText(e) });
        }
      }
      const missed: MissedRecord[] = decision.missed.map((m) => ({ party: index, step: m.step, reason: m.reason, deadline: m.deadline }));
      return { actions, missed };
    },
    async close() {},
  };
}
