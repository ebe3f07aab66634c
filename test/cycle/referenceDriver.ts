/**
 * A reference driver that follows §7's step table literally, written for the harness's own tests (it
 * checks the plumbing — nodes, planning, time control, accounting — independently of the SDK's rule):
 * each of its party's steps is taken once its "only if" column holds on the chains, while the chain's
 * clock is not past the step's deadline; the leader reveals when arcs n−1 and 0 are escrowed; a middle
 * party redeems once s is visible on any arc; every arc that pays the party is settled after its
 * deadline. A stopped party (haltAfterStep) takes no step above its stop point; it still settles.
 */
import { LegState, depositPremium, escrowPrincipal, redeem, settle, type LegObservation } from "../../src/sdk";
import { errorText, type ActionRecord, type DriverContext, type PartyDriver, type Round } from "./driver";

const created = (l: LegObservation) => l.state !== LegState.None || l.outcome !== undefined;
const escrowed = (l: LegObservation) => l.state === LegState.Escrowed || l.outcome === "redeemed" || l.outcome === "refunded";

/** The reference driver of party `ctx.index`. */
export function referenceDriver(ctx: DriverContext): PartyDriver {
  const { plan, index, world } = ctx;
  const n = plan.n;
  const runner = (arc: number) => ctx.wallet.connect(world.providers[arc]!);
  return {
    async act(round: Round) {
      const o = await round.observe();
      const actions: ActionRecord[] = [];
      const send = async (step: number | "settle", arc: number, action: ActionRecord["action"], go: () => Promise<{ hash: string }>) => {
        try {
          actions.push({ party: index, step, arc, action, hash: (await go()).hash });
        } catch (e) {
          actions.push({ party: index, step, arc, action, error: errorText(e) });
        }
      };
      for (const s of plan.steps) {
        if (s.actor !== index || (ctx.haltAfterStep !== undefined && s.step > ctx.haltAfterStep)) continue;
        const leg = o.legs[s.arc]!;
        if (o.times[s.arc]! > s.deadline) continue;
        const arc = plan.arcs[s.arc]!;
        if (s.action === "depositPremium") {
          if (!created(leg) && (s.step === 1 || created(o.legs[s.arc + 1]!))) await send(s.step, s.arc, "depositPremium", () => depositPremium(runner(s.arc), arc));
        } else if (s.action === "escrow") {
          const before = s.arc === 0 ? o.legs.every(created) : escrowed(o.legs[s.arc - 1]!);
          if (leg.state === LegState.PremiumDeposited && before) await send(s.step, s.arc, "escrow", () => escrowPrincipal(runner(s.arc), arc));
        } else if (leg.state === LegState.Escrowed) {
          const secret = index === 0 ? (escrowed(o.legs[0]!) ? ctx.secret : undefined) : o.revealedSecret;
          if (secret !== undefined) await send(s.step, s.arc, "redeem", () => redeem(runner(s.arc), arc, secret));
        }
      }
      // Settle what pays this party: a premium back (it is the redeemer), a refund (it is the escrower).
      for (let i = 0; i < n; i++) {
        const leg = o.legs[i]!;
        const t = plan.arcs[i]!.terms.timelocks;
        const mine = (leg.state === LegState.PremiumDeposited && o.times[i]! > t.escrowDeadline && (i + 1) % n === index) || (leg.state === LegState.Escrowed && o.times[i]! > t.timeout && i === index);
        if (mine) await send("settle", i, "settle", () => settle(runner(i), plan.arcs[i]!));
      }
      return { actions, missed: [] };
    },
    async close() {},
  };
}
