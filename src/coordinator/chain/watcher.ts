/**
 * Reads one chain's escrow logs from the last persisted tip. Secrets are reported as soon as a redeem
 * is seen (at any depth: a valid secret stays valid even if its block is reorganised away); every
 * other event is reported only once final under the confirmation depth, and the tip advances in the
 * store only over final blocks. A tip whose block hash changed (a reorganisation deeper than the
 * confirmation depth) is rewound to the newest recorded tip still on the chain, and the engine is told
 * (`chain.reorg`) so that every outcome above it is read again.
 */
import { toQuantity } from "ethers";

import { escrowInterface, legIdOfCreationLog } from "../../sdk";
import type { CoordinatorStore } from "../store/types";
import type { ChainClient, Head } from "./client";

/** The fields of a log the watcher uses, read from the node's JSON without building ethers objects. */
export interface WatchedLog {
  readonly topics: readonly string[];
  readonly data: string;
  readonly blockNumber: number;
  /** The log's index in its block. */
  readonly index: number;
  readonly transactionHash: string;
}

interface RpcLog {
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
  transactionHash: string;
  removed?: boolean;
}

/** A final escrow event about a leg. */
export interface LegEvent {
  readonly kind: "premiumDeposited" | "escrowed" | "locked" | "redeemed" | "refunded" | "premiumRefunded" | "aborted";
  /** The leg's id (for creation events, computed from the parameters the event carries). */
  readonly legId: string;
  readonly log: WatchedLog;
}

/** What the watcher reports to the engine. */
export interface WatchHandlers {
  readonly onSecret: (secret: string, legId: string, log: WatchedLog) => void;
  readonly onFinalEvent: (event: LegEvent) => void;
  readonly log?: (kind: string, data: Record<string, unknown>) => void;
}

/** The leg events by topic; every other event of the escrow is ignored. */
const KIND = new Map<string, LegEvent["kind"]>(
  (
    [
      ["LegPremiumDeposited", "premiumDeposited"],
      ["LegEscrowed", "escrowed"],
      ["LegLocked", "locked"],
      ["NativeLegLocked", "locked"],
      ["LegRedeemed", "redeemed"],
      ["LegRefunded", "refunded"],
      ["LegPremiumRefunded", "premiumRefunded"],
      ["LegAborted", "aborted"],
    ] as const
  ).map(([name, kind]) => [escrowInterface.getEvent(name)!.topicHash, kind]),
);

/** How many recent final tips are kept per chain, to find how deep a reorganisation went. */
const CHECKPOINTS = 256;

/** The largest block range of one `eth_getLogs`. */
const MAX_RANGE = 2000;

/** Watches one chain's escrow. */
export class ChainWatcher {
  constructor(
    private readonly store: CoordinatorStore,
    private readonly chain: ChainClient,
    private readonly handlers: WatchHandlers,
  ) {}

  /**
   * Processes logs up to `head`; advances the persisted tip to the final block. Returns the
   * transactions that emitted the final logs of this poll, with their blocks: each of them landed and
   * succeeded (a reverted transaction leaves no logs), which the sender takes instead of a receipt.
   */
  async poll(head: Head): Promise<ReadonlyMap<string, number>> {
    const chainId = this.chain.chainId.toString();
    let tip = this.store.getTip(chainId);
    if (tip && tip.blockNumber > 0) {
      const block = await this.chain.provider.getBlock(tip.blockNumber);
      if (!block || block.hash !== tip.blockHash) {
        const back = await this.#commonAncestor(chainId, tip.blockNumber);
        this.handlers.log?.("chain.reorg", { chain: this.chain.name, tip: tip.blockNumber, rewoundTo: back, depth: tip.blockNumber - back });
        tip = { chainId, blockNumber: back, blockHash: "" };
        this.store.atomically(() => {
          this.store.setTip(tip!);
          this.store.dropCheckpoints(chainId, { above: back });
        });
      }
    }
    const from = tip ? tip.blockNumber + 1 : this.chain.config.deploymentBlock;
    const final = this.chain.finalBlock(head);
    // The final block's hash before the logs and again after them: a reorganisation between the two
    // reads would otherwise pair logs of the abandoned branch with a tip of the new one, and the
    // vanished events would stay final with nothing left to tell (the next poll's tip would match).
    const tipBlock = final >= from || !tip ? await this.chain.provider.getBlock(final) : null;
    const logs: WatchedLog[] = [];
    for (let start = from; start <= head.number; start += MAX_RANGE) {
      const end = Math.min(head.number, start + MAX_RANGE - 1);
      // Raw JSON: a poll may carry thousands of logs, and ethers' Log objects (a checksummed address
      // each) cost more than everything the watcher does with them.
      const raw = (await this.chain.provider.send("eth_getLogs", [{ address: this.chain.at.escrow, fromBlock: toQuantity(start), toBlock: toQuantity(end) }])) as RpcLog[];
      for (const l of raw) {
        if (l.removed) continue;
        logs.push({ topics: l.topics, data: l.data, blockNumber: Number(l.blockNumber), index: Number(l.logIndex), transactionHash: l.transactionHash });
      }
    }
    if (tipBlock) {
      // The recorded tip is checked again too: a reorganisation between the check above and the first
      // read of the final block would have the logs start above a tip that is no longer on the chain.
      const [again, base] = await Promise.all([this.chain.provider.getBlock(final), tip && tip.blockHash !== "" ? this.chain.provider.getBlock(tip.blockNumber) : Promise.resolve(undefined)]);
      if (again?.hash !== tipBlock.hash || (base !== undefined && base?.hash !== tip!.blockHash)) {
        // The chain moved under this poll: nothing of it is used; the next poll starts from the same tip.
        this.handlers.log?.("chain.moved", { chain: this.chain.name, block: final, before: tipBlock.hash, after: again?.hash ?? null });
        return new Map();
      }
    }
    // Everything the logs change, and the new tip, in one durable write.
    const landed = new Map<string, number>();
    this.store.atomically(() => {
      for (const log of logs) {
        const isFinal = log.blockNumber <= final;
        if (this.#handle(log, isFinal) && isFinal) landed.set(log.transactionHash.toLowerCase(), log.blockNumber);
      }
      if (tipBlock?.hash) {
        this.store.setTip({ chainId, blockNumber: final, blockHash: tipBlock.hash });
        this.store.addCheckpoint(chainId, { blockNumber: final, blockHash: tipBlock.hash });
        this.store.dropCheckpoints(chainId, { keep: CHECKPOINTS });
      }
    });
    return landed;
  }

  /**
   * The newest processed block still on the chain after a reorganisation, found by walking back
   * through the recorded tips: everything above it is read again. Past the oldest checkpoint it rewinds
   * below that (or to the deployment block): a reorganisation that deep loses nothing, it costs a
   * longer rescan.
   */
  async #commonAncestor(chainId: string, tip: number): Promise<number> {
    const floor = this.chain.config.deploymentBlock;
    const known = this.store.checkpoints(chainId, CHECKPOINTS, tip - 1);
    for (const c of known) {
      const block = await this.chain.provider.getBlock(c.blockNumber);
      if (block?.hash === c.blockHash) return Math.max(floor, c.blockNumber);
    }
    const oldest = known[known.length - 1]?.blockNumber;
    return Math.max(floor, oldest !== undefined ? oldest - 1 : tip - 2 * this.chain.config.confirmations - 10);
  }

  /** One log, read from its topics and words (no ABI decoding: a poll may carry thousands). True if it is a leg event of this escrow. */
  #handle(log: WatchedLog, final: boolean): boolean {
    const kind = KIND.get(log.topics[0] ?? "");
    if (!kind) return false;
    let legId: string;
    if (kind === "premiumDeposited" || kind === "locked") {
      try {
        legId = legIdOfCreationLog(log, this.chain.at);
      } catch {
        return false; // not a log this escrow emits
      }
    } else if (log.topics.length === 2) legId = log.topics[1]!.toLowerCase();
    else return false;
    if (kind === "redeemed") {
      // LegRedeemed(bytes32 indexed legId, bytes32 secret): the data is the secret.
      if (log.data.length !== 66) return false;
      this.handlers.onSecret(log.data.toLowerCase(), legId, log);
    }
    if (final) this.handlers.onFinalEvent({ kind, legId, log });
    return true;
  }
}
