/**
 * Sending a round's work: per chain and party, batches in one `sendMany`; a batch refused before it
 * was signed is split and sent again; each outcome reported into the trail and the log.
 */
import type { SendOutcome } from "../chain/sender";
import { TxGasCapError } from "../errors";
import type { EngineContext } from "./context";
import { recordEvent } from "./eventFeed";
import { workItem, workItems, type PartyWork, type RoundWork, type WorkItem } from "./work";

/** How many times one round sends a refused batch again in smaller parts. */
const MAX_SPLITS = 3;

/**
 * Sends this round's work: per chain and party, batches in one `sendMany`; chains and parties in
 * parallel. A batch refused before it was signed is sent again smaller: in batches that fit the
 * chain's gas cap when it was too big, else leg by leg (its simulation reverted: one leg can no
 * longer take the step), so one leg cannot hold back the others.
 */
export async function flush(ctx: EngineContext, work: RoundWork): Promise<void> {
  // Registered in the same synchronous run as the round's decisions (the round calls flush with no
  // await in between), so an abort consent that waits for `sending` waits for every step already decided.
  const sending = Promise.all([...work.groups()].map((w) => sendGroup(ctx, w))).then(() => undefined);
  ctx.sending.add(sending);
  try {
    await sending;
  } finally {
    ctx.sending.delete(sending);
  }
}

async function sendGroup(ctx: EngineContext, w: PartyWork): Promise<void> {
  const sender = ctx.senders.get(w.chainId)!;
  let items = workItems(w, ctx.config.batchSize);
  for (let attempt = 0; items.length > 0; attempt++) {
    const outcomes = await sender.sendMany(w.party.wallet, items.map((i) => i.item));
    const retry: WorkItem[] = [];
    for (const [k, o] of outcomes.entries()) {
      const { action, entries } = items[k]!;
      if (o.error && !o.row && entries.length > 1 && attempt < MAX_SPLITS) {
        const size = o.error instanceof TxGasCapError ? Math.max(1, Math.floor(Number(o.error.details.fits) * 0.9)) : 1;
        ctx.log.info({ swapId: o.item.purpose.swapId, chain: ctx.chains.get(w.chainId)!.name, action: o.item.purpose.action, batch: entries.length, code: o.error.code, into: size }, "batch refused; sending its legs in smaller batches");
        for (let i = 0; i < entries.length; i += size) retry.push(workItem(action, entries.slice(i, i + size)));
      } else reportSend(ctx, w.chainId, o, entries.length);
    }
    items = retry;
  }
}

function reportSend(ctx: EngineContext, chainId: string, o: SendOutcome, size: number): void {
  const chain = ctx.chains.get(chainId)!;
  const members = o.item.members ?? [{ swapId: o.item.purpose.swapId, leg: o.item.purpose.leg }];
  if (o.error && o.row && (o.row.status === "signed" || o.row.status === "sent")) {
    // Signed and recorded, but the broadcast got no answer: the row is broadcast again each round.
    ctx.log.warn({ swapId: o.item.purpose.swapId, chain: chain.name, step: o.item.purpose.step, code: o.error.code, batch: size, hash: o.row.hash }, "transaction signed; its broadcast failed and is retried");
  } else if (o.error) {
    for (const m of members) {
      recordEvent(ctx, m.swapId, chainId, "action.refused", { step: o.item.purpose.step, action: o.item.purpose.action, leg: m.leg, code: o.error.code, reason: o.error.message.slice(0, 300) });
    }
    // The same refusal every round (a leg the rule keeps deciding and the chain keeps refusing): one line per 30 s.
    const line = ctx.limiter.take(`refused:${o.item.purpose.swapId}:${o.item.purpose.step}:${o.error.code}`);
    if (line) ctx.log.warn({ swapId: o.item.purpose.swapId, chain: chain.name, step: o.item.purpose.step, code: o.error.code, batch: size, ...(line.suppressed > 0 ? { suppressed: line.suppressed } : {}) }, "action not sent");
  } else {
    ctx.log.info({ swapId: o.item.purpose.swapId, chain: chain.name, step: o.item.purpose.step, action: o.item.purpose.action, batch: size, hash: o.row!.hash }, "transaction sent");
  }
}
