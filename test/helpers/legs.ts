/**
 * Legs for the escrow's unit tests: a leg with its secret, id and unpacked deadlines; the events the
 * steps emit for it, with every argument; and receipt readers (escrow events, token transfers).
 */
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";

import { legId } from "../../src/sdk/leg";
import { unpackTimelocks } from "../../src/sdk/timelocks";
import type { Ctx } from "./context";
import { DELTA, NATIVE, makeLeg, newSecret, type LegOptions, type LegStruct } from "./fixture";

/** `IHedgeSwapEscrow.LegState`. */
export const LegState = { None: 0n, PremiumDeposited: 1n, Escrowed: 2n, Aborted: 3n } as const;

/** The principal of a default test leg: 100 (18 decimals). */
export const AMOUNT = 100n * 10n ** 18n;

/** A leg with its secret, id and unpacked deadlines. */
export interface TestLeg {
  leg: LegStruct;
  secret: string;
  id: string;
  premiumDeadline: bigint;
  escrowDeadline: bigint;
  timeout: bigint;
}

/**
 * A fresh leg: alice -> bob, 100 native coin, no premium, escrow by t0+2Δ, timeout t0+4Δ, a new
 * secret; premium by t0+Δ when `o` gives it a premium, else premiumDeadline 0 (a canonical plain
 * leg); `o` overrides any of it.
 */
export function newLeg(c: Ctx, o: Partial<LegOptions> = {}): TestLeg {
  const { secret, hashlock } = newSecret();
  const leg = makeLeg({
    escrower: c.alice.address,
    redeemer: c.bob.address,
    hashlock,
    amount: AMOUNT,
    premiumDeadline: (o.premiumAmount ?? 0n) > 0n ? c.t0 + DELTA : 0n,
    escrowDeadline: c.t0 + 2n * DELTA,
    timeout: c.t0 + 4n * DELTA,
    ...o,
  });
  return withLeg(c, leg, secret);
}

/** `leg` with its secret, its id on the context's escrow and its unpacked deadlines. */
export function withLeg(c: Ctx, leg: LegStruct, secret: string): TestLeg {
  const d = unpackTimelocks(leg.timelocks & ((1n << 121n) - 1n));
  return {
    leg,
    secret,
    id: legId(leg, c.at),
    premiumDeadline: d.premiumDeadline,
    escrowDeadline: d.escrowDeadline,
    timeout: d.timeout,
  };
}

/** Every argument of the `LegPremiumDeposited` that creates the premium leg `t` (all its parameters). */
export function premiumDepositedArgs(t: TestLeg): unknown[] {
  const l = t.leg;
  return [l.hashlock, l.escrower, l.redeemer, l.token, l.amount, l.timelocks, l.premiumToken, l.premiumAmount];
}

/** The events `escrow` may emit: one of them, and only one, for each escrowed leg. */
export const ESCROW_EVENT_NAMES = ["LegEscrowed", "NativeLegLocked", "LegLocked"] as const;
export type EscrowEventName = (typeof ESCROW_EVENT_NAMES)[number];

/**
 * The event `escrow` emits for `t`, with every argument: `LegEscrowed(legId)` for a premium leg,
 * the creation event `NativeLegLocked` / `LegLocked` (every parameter) for a plain leg.
 */
export function escrowEvent(t: TestLeg): { name: EscrowEventName; args: unknown[] } {
  const l = t.leg;
  if (l.premiumAmount > 0n) return { name: "LegEscrowed", args: [t.id] };
  if (l.token === NATIVE) return { name: "NativeLegLocked", args: [l.hashlock, l.escrower, l.redeemer, l.amount, l.timelocks] };
  return { name: "LegLocked", args: [l.hashlock, l.escrower, l.redeemer, l.token, l.amount, l.timelocks] };
}

/** The mined receipt of `tx`. */
export async function receiptOf(tx: ContractTransactionResponse): Promise<TransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt;
}

/** The ERC-20 `Transfer`s of `token` sent from `from` in `receipt`, as `[to, value]`. */
export function transfersFrom(c: Ctx, receipt: TransactionReceipt, token: string, from: string): [string, bigint][] {
  const out: [string, bigint][] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== token.toLowerCase()) continue;
    const event = c.apr.interface.parseLog(log);
    if (event?.name === "Transfer" && event.args[0] === from) out.push([event.args[1] as string, event.args[2] as bigint]);
  }
  return out;
}
