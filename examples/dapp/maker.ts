/**
 * The market maker's countersigning endpoint, run by the dApp's runner next to Bob's coordinator (not
 * inside the coordinator, which has no notion of quotes): it checks an offer the user signed against
 * Bob's quote, signs it as Bob (EIP-712, `signOffer`), hands the doubly-signed offer to Bob's
 * coordinator (`POST /swaps` with Bob's API token, which never leaves this process) and only once the
 * coordinator has admitted it returns Bob's signature to the page. Nothing is sent on chain here: the
 * coordinator takes Bob's steps (2, 4, 6) from its own reading of the chains.
 */
import type { Wallet } from "ethers";

import { HedgeSwapError, offerFromJson, recoverOfferSigner, signOffer, signedOfferToJson, type SwapOffer } from "../../src/sdk";
import { quoteMismatch, type CountersignRequest, type DappConfig, type MakerQuote } from "./shared";

/** The answer of the endpoint: an HTTP status and a JSON body. */
export interface MakerAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** What the maker needs. */
export interface MakerOptions {
  readonly bob: Wallet;
  readonly quote: MakerQuote;
  readonly config: DappConfig;
  /** Bob's coordinator API (base URL) and its bearer token. */
  readonly api: { readonly url: string; readonly token: string };
  /** The chains' clock: the later of both chains' latest block timestamps. */
  readonly now: () => Promise<bigint>;
}

const refuse = (status: number, error: string, message: string, details: Record<string, unknown> = {}): MakerAnswer => ({ status, body: { error, message, details } });

/** Checks, countersigns and submits one offer; never throws (every refusal is an answer with a code). */
export async function countersign(opts: MakerOptions, request: unknown): Promise<MakerAnswer> {
  const req = request as Partial<CountersignRequest> | null;
  if (req === null || typeof req !== "object" || typeof req.leaderSignature !== "string") {
    return refuse(400, "MALFORMED_REQUEST", "send { offer, leaderSignature }");
  }
  let offer: SwapOffer;
  try {
    offer = offerFromJson(req.offer);
  } catch (e) {
    return e instanceof HedgeSwapError ? refuse(400, e.code, e.shortMessage, { ...e.details }) : refuse(400, "MALFORMED_OFFER", String(e));
  }
  const mismatch = quoteMismatch(opts.config, opts.quote, offer, await opts.now());
  if (mismatch) return refuse(422, "QUOTE_MISMATCH", `the offer is not what the maker quoted: ${mismatch}`);
  if (recoverOfferSigner(offer, req.leaderSignature)?.toLowerCase() !== offer.leader.toLowerCase()) {
    return refuse(400, "INVALID_OFFER_SIGNATURE", "the leader's signature does not recover to the offer's leader", { leader: offer.leader });
  }
  const signed = { offer, signatures: { leader: req.leaderSignature, follower: await signOffer(opts.bob, offer) } };
  let res: Response;
  try {
    res = await fetch(`${opts.api.url}/swaps`, {
      method: "POST",
      headers: { authorization: `Bearer ${opts.api.token}`, "content-type": "application/json" },
      body: JSON.stringify(signedOfferToJson(signed)),
    });
  } catch (e) {
    return refuse(502, "COORDINATOR_UNREACHABLE", `Bob's coordinator API at ${opts.api.url} is unreachable`, { reason: e instanceof Error ? e.message : String(e) });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  // The coordinator's refusal (DELTA_TOO_SMALL, INSUFFICIENT_FUNDS, ...) goes back as it is; Bob's signature does not.
  if (res.status !== 201) return { status: res.status, body: { error: body.error ?? "COORDINATOR_REFUSED", message: body.message ?? `HTTP ${res.status}`, details: body.details ?? {} } };
  return { status: 201, body: { signed: signedOfferToJson(signed), swap: body } };
}
