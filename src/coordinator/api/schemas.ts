/**
 * Every input of the HTTP API as a zod schema (bodies, queries, path parameters), the documented
 * shapes of its answers, the one validation error, and the OpenAPI 3.1 document built from them with
 * zod's `z.toJSONSchema`.
 */
import { z } from "zod";

import { HedgeSwapError, MAX_CYCLE_PARTIES, MIN_CYCLE_PARTIES, signedCycleOfferFromJson, signedOfferFromJson, type SignedCycleOffer, type SignedOffer } from "../../sdk";
import { ARC_TRANSITIONS } from "../domain/arcs";
import { LEG_NAMES } from "../store/types";
import { TRANSITIONS, type SwapStatus } from "../domain/status";

const hex = (bytes: number, what: string) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `must be ${what}: 0x and ${bytes * 2} hex digits`);
const uint = (bits: number) =>
  z.string().regex(/^[0-9]+$/, "must be a non-negative integer as a decimal string")
    .refine((v) => !/^[0-9]+$/.test(v) || BigInt(v) < 1n << BigInt(bits), `must fit in uint${bits}`)
    .meta({ description: `uint${bits} as a decimal string` });

/** A 20-byte address (its EIP-55 checksum, when mixed case, is checked by the SDK). */
export const addressSchema = hex(20, "an address");
/** 32 bytes of hex: hashlocks, swap ids (matched case-insensitively; stored lower case). */
export const bytes32Schema = hex(32, "32 bytes");
/** A 65-byte ECDSA signature (r, s, v). */
export const signatureSchema = hex(65, "a 65-byte signature");

/** Every swap status, from the transition table. */
export const SWAP_STATUSES = Object.keys(TRANSITIONS) as [SwapStatus, ...SwapStatus[]];
/**
 * A status as recorded: a two-party name, or a cycle's label (`premiums@1` … `premiums@8`,
 * `escrows@3` … `escrows@16`, `committed`, `revealed`, …; see `domain/phase.ts`).
 */
export const storedStatusSchema = z
  .string()
  .regex(/^(?:premiums@[1-8]|escrows@(?:[3-9]|1[0-6])|revealed)$/)
  .or(z.enum(SWAP_STATUSES))
  .meta({ description: "two parties: accepted, premiumB, premiumA, escrowedA, escrowedB, committed, redeemedB, completed, aborting, settled; a cycle: accepted, premiums@k, escrows@k, committed, revealed, completed, aborting, settled" });
/** An arc's name: A, B (two parties' legs), C … H (a cycle's arcs 2 … 7). */
export const legNameSchema = z.enum(LEG_NAMES as [string, ...string[]]);
/** What a swap is. */
export const swapKindSchema = z.enum(["hedged-swap", "option"]);

/** One leg's terms in an offer's JSON form. */
export const offerLegSchema = z.strictObject({
  chainId: uint(256),
  escrow: addressSchema,
  token: addressSchema,
  amount: uint(256),
  premiumToken: addressSchema,
  premiumAmount: uint(256),
  premiumMode: z.union([z.literal(0), z.literal(1)]).meta({ description: "0 = hedge, 1 = option" }),
});

/** An offer in the JSON form of the SDK's `offerToJson`. */
export const offerJsonSchema = z.strictObject({
  leader: addressSchema,
  follower: addressSchema,
  hashlock: bytes32Schema,
  start: uint(64).meta({ description: "T0, unix seconds" }),
  delta: uint(64).meta({ description: "Δ, seconds" }),
  legA: offerLegSchema,
  legB: offerLegSchema,
});

/** `POST /swaps`: a signed offer as the SDK's `signedOfferToJson` writes it. */
export const signedOfferBodySchema = z.strictObject({
  offer: offerJsonSchema,
  signatures: z.strictObject({ leader: signatureSchema, follower: signatureSchema }),
});

/** One arc's terms in a cycle offer's JSON form (`cycleOfferToJson`): every premium is a hedge. */
export const cycleOfferArcSchema = z.strictObject({
  chainId: uint(256),
  escrow: addressSchema,
  token: addressSchema,
  amount: uint(256),
  premiumToken: addressSchema,
  premiumAmount: uint(256),
});

/** An n-party cycle offer (`PROTOCOLS.md` §7) in the JSON form of the SDK's `cycleOfferToJson`. */
export const cycleOfferJsonSchema = z.strictObject({
  parties: z.array(addressSchema).min(MIN_CYCLE_PARTIES).max(MAX_CYCLE_PARTIES).meta({ description: "P0 (the leader) … P(n−1) in cycle order; arc i pays P(i+1)" }),
  hashlock: bytes32Schema,
  start: uint(64).meta({ description: "T0, unix seconds" }),
  delta: uint(64).meta({ description: "Δ, seconds" }),
  arcs: z.array(cycleOfferArcSchema).min(MIN_CYCLE_PARTIES).max(MAX_CYCLE_PARTIES),
});

/** `POST /cycles`: a signed cycle offer as the SDK's `signedCycleOfferToJson` writes it, one signature per party in party order. */
export const signedCycleOfferBodySchema = z.strictObject({
  offer: cycleOfferJsonSchema,
  signatures: z.array(z.string().regex(/^0x(?:[0-9a-fA-F]{2}){1,4096}$/, "must be a signature: 0x and an even number of hex digits")).min(MIN_CYCLE_PARTIES).max(MAX_CYCLE_PARTIES),
});

/** Validates a `POST /cycles` body and converts it with the SDK's `signedCycleOfferFromJson`. */
export function parseSignedCycleOffer(body: unknown): SignedCycleOffer {
  return signedCycleOfferFromJson(validate(signedCycleOfferBodySchema, body, "body"));
}

/** `GET /swaps` query. */
export const listQuerySchema = z.strictObject({
  status: storedStatusSchema.optional(),
  kind: swapKindSchema.optional(),
  active: z.enum(["true", "false"]).transform((v) => v === "true").optional().meta({ description: "true: only swaps not in a final status; false: only final ones" }),
  limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: "page size, 1–500 (default 100)" }),
  offset: z.coerce.number().int().min(0).optional(),
});

/** The `:id` path parameter. */
export const swapIdParamsSchema = z.strictObject({ id: bytes32Schema.transform((s) => s.toLowerCase()) });

/** `GET /events` query: only the events of one swap. */
export const eventsQuerySchema = z.strictObject({ swap: bytes32Schema.transform((s) => s.toLowerCase()).optional() });

/**
 * A redeemer's abort consent: a 65-byte ECDSA signature, or a contract wallet's ERC-1271 signature
 * (any whole number of bytes, at most 4096).
 */
export const consentSignatureSchema = z.string().regex(/^0x(?:[0-9a-fA-F]{2}){1,4096}$/, "must be a signature: 0x and an even number of hex digits (at most 4096 bytes)");

/** What the abort route's documentation says of the order of consents. */
export const ABORT_RULES =
  "Consents come in one order. 1. The leader first, to the abort of leg B (it is leg B's redeemer): before signing it records durably that it " +
  "will never reveal the secret for this swap; refused with 409 REVEAL_COMMITTED once it has committed or the secret is revealed. 2. The " +
  "follower, to the abort of leg A, only once its own leg B is aborted, refunded or was never escrowed (read at the final block): while leg B is " +
  "escrowed it refuses with 409 COUNTER_LEG_ESCROWED (abort leg B with the leader's consent first, then ask again), and a redeemed leg B with " +
  "409 COUNTER_LEG_REDEEMED; when leg B was never escrowed it first records durably that it will not escrow it. A refusal signs nothing. The " +
  "escrower's side checks the consent as the escrow does (ECDSA, or ERC-1271 for a contract-wallet redeemer): 400 INVALID_ABORT_SIGNATURE otherwise. " +
  "The consent travels under one name: the redeemer's answer has it in `signature`, and the escrower's request takes it in `signature` " +
  "(`redeemerSignature`, its former name, is deprecated but accepted; both at once must be equal, else 400 INVALID_REQUEST).";

/**
 * `POST /swaps/:id/abort` body. The consent goes in `signature`, the field the answer returns it in, so
 * one side's answer is the other side's request: `{ leg, signature }`. `redeemerSignature` is the
 * deprecated name of the same field (accepted; both at once only when equal, else 400).
 */
export const abortBodySchema = z
  .strictObject({
    leg: z.enum(["A", "B"]).meta({ description: "B first (the leader's consent, then the follower's abort of leg B); A once leg B is aborted, refunded or never escrowed" }),
    signature: consentSignatureSchema.optional().meta({
      description: "the redeemer's EIP-712 consent, as the redeemer's coordinator returned it in `signature` (needed by the escrower's coordinator): ECDSA, or ERC-1271 for a contract wallet",
    }),
    redeemerSignature: consentSignatureSchema.optional().meta({ deprecated: true, description: "deprecated name of `signature` (still accepted; when both are given they must be equal)" }),
  })
  .superRefine((b, ctx) => {
    if (b.signature !== undefined && b.redeemerSignature !== undefined && b.signature.toLowerCase() !== b.redeemerSignature.toLowerCase()) {
      ctx.addIssue({ code: "custom", path: ["redeemerSignature"], message: "differs from signature: give the consent once, in signature (redeemerSignature is its deprecated name)" });
    }
  })
  .transform(({ leg, signature, redeemerSignature }) => {
    const consent = signature ?? redeemerSignature;
    return consent === undefined ? { leg } : { leg, signature: consent };
  });

/** One problem of a request, with where it is (`body.offer.hashlock`, `query.limit`, `params.id`). */
export interface RequestIssue {
  readonly path: string;
  readonly message: string;
}

/** A request failed its schema; answered 400 `{ error: "INVALID_REQUEST", message, issues }`. */
export class RequestValidationError extends HedgeSwapError {
  constructor(
    where: string,
    readonly issues: readonly RequestIssue[],
  ) {
    super("INVALID_REQUEST", `invalid request ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`.slice(0, 500), { where });
  }
}

/** Parses `value` (the request's `where`: body, query or params) with `schema`; `RequestValidationError` otherwise. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: "body" | "query" | "params"): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new RequestValidationError(where, result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message })));
}

/** Validates a `POST /swaps` body and converts it with the SDK's `signedOfferFromJson` (which checks checksums). */
export function parseSignedOffer(body: unknown): SignedOffer {
  return signedOfferFromJson(validate(signedOfferBodySchema, body, "body"));
}

// ---- Answers (documentation, and checked against real answers by the tests) ----

/** A swap row (`SwapRow`). */
export const swapRowSchema = z.object({
  id: bytes32Schema,
  offer: z.union([offerJsonSchema, cycleOfferJsonSchema]),
  signatures: z.union([z.object({ leader: z.string(), follower: z.string() }), z.array(z.string())]).meta({ description: "two parties: leader and follower; a cycle: one per party, in party order" }),
  kind: swapKindSchema,
  hashlock: bytes32Schema,
  roles: z.object({ leader: z.boolean(), follower: z.boolean() }),
  secretIndex: z.number().int().nullable(),
  status: storedStatusSchema,
  outcome: z.string().nullable(),
  revealedSecret: z.string().nullable(),
  neverReveal: z.boolean().meta({ description: "the leader consented to abort leg B: it never reveals the secret for this swap" }),
  neverEscrow: z.boolean().meta({ description: "the follower consented to abort leg A before escrowing leg B: it never escrows leg B for this swap" }),
  parties: z.number().int().min(MIN_CYCLE_PARTIES).max(MAX_CYCLE_PARTIES).meta({ description: "n: the swap is a cycle of n parties and n arcs (2 for a two-party swap)" }),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const decimal = z.string().regex(/^-?[0-9]+$/);

/** An outgoing transaction (`TxRow`). */
export const txRowSchema = z.object({
  id: z.number().int(),
  swapId: z.string(),
  chainId: decimal,
  account: addressSchema,
  nonce: z.number().int(),
  action: z.enum(["depositPremium", "escrow", "redeem", "settle", "abort", "approve", "withdraw"]),
  leg: z.enum(["A", "B"]),
  to: addressSchema,
  data: z.string(),
  value: decimal,
  maxFeePerGas: decimal,
  maxPriorityFeePerGas: decimal,
  gasLimit: decimal,
  raw: z.string(),
  hash: bytes32Schema,
  status: z.enum(["signed", "sent", "mined", "reverted", "replaced", "dropped"]),
  blockNumber: z.number().int().nullable(),
  attempt: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/** One row of the event trail (`EventRow`); also the `data` of a server-sent event. */
export const eventRowSchema = z.object({
  id: z.number().int(),
  swapId: z.string().nullable(),
  chainId: z.string().nullable(),
  at: z.number(),
  kind: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** A leg (`LegDetail`). */
export const legDetailSchema = z.object({
  name: legNameSchema,
  chain: z.string(),
  chainId: decimal,
  escrow: addressSchema,
  legId: bytes32Schema,
  escrower: addressSchema,
  redeemer: addressSchema,
  token: addressSchema,
  amount: decimal,
  premiumToken: addressSchema,
  premiumAmount: decimal,
  premiumMode: z.enum(["hedge", "option"]),
  premiumDeadline: decimal,
  escrowDeadline: decimal,
  timeout: decimal,
  outcome: z.string().nullable(),
});

/** A step of the schedule (`StepDetail`). */
export const stepDetailSchema = z.object({
  step: z.number().int(),
  actor: z.string().meta({ description: "two parties: leader or follower; a cycle: P0 (the leader) … P7" }),
  party: addressSchema,
  leg: legNameSchema,
  action: z.string(),
  chain: z.string(),
  deadline: decimal,
  secondsLeft: z.number().nullable().meta({ description: "seconds from the chain's latest block to the deadline; null when the chain is unreachable" }),
  tx: z.object({ hash: bytes32Schema, status: z.string(), blockNumber: z.number().int().nullable() }).nullable(),
});

/** `GET /swaps/:id` answer (`SwapDetail`). */
export const swapDetailSchema = z.object({
  swap: swapRowSchema,
  parties: z.array(z.object({ index: z.number().int(), address: addressSchema, held: z.boolean() })),
  arcs: z.array(z.object({ index: z.number().int(), leg: legNameSchema, chainId: decimal, status: z.enum(Object.keys(ARC_TRANSITIONS) as [string, ...string[]]) })),
  legs: z.array(legDetailSchema),
  steps: z.array(stepDetailSchema),
  transactions: z.array(txRowSchema),
  events: z.array(eventRowSchema),
});

/** `GET /swaps` answer. */
export const swapListSchema = z.object({ swaps: z.array(swapRowSchema) });

/** `POST /swaps/:id/abort` answer (`AbortResult`). */
export const abortResultSchema = z.object({ signature: signatureSchema.optional(), txHash: bytes32Schema.optional() });

/** Every error answer: a stable code, a message, and the details (HedgeSwap errors) or the issues (schema violations). */
export const errorSchema = z.object({
  error: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

// ---- The OpenAPI document ----

/** What the OpenAPI document says of one route. */
export interface RouteDoc {
  readonly method: "GET" | "POST";
  /** Fastify syntax (`/swaps/:id`). */
  readonly url: string;
  readonly summary: string;
  /** Longer text: the rules a caller must know (the abort route's consent order). */
  readonly description?: string;
  /** Needs `Authorization: Bearer <token>`. */
  readonly auth?: boolean;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly ok: { readonly status: number; readonly description: string; readonly schema?: z.ZodType; readonly contentType?: string };
  /** Error statuses the route can answer (each with the error body). */
  readonly errors: readonly number[];
}

const ERROR_TEXT: Record<number, string> = {
  400: "invalid request: a schema violation (with issues), malformed JSON, or a typed refusal (with details)",
  401: "missing bearer token",
  403: "wrong bearer token",
  404: "unknown swap or resource",
  409: "conflict with the swap's state (duplicate, final, leg not abortable, an abort consent refused by the consent order: REVEAL_COMMITTED, COUNTER_LEG_ESCROWED, COUNTER_LEG_REDEEMED)",
  413: "body over 64 KiB",
  422: "insufficient balance or allowance",
  502: "a chain refused or failed the transaction",
  503: "unavailable: API token not configured (mutating routes), a chain of the offer is unreachable (CHAIN_UNAVAILABLE), or not ready (GET /ready: a chain is down; the health body)",
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function parameters(schema: z.ZodObject | undefined, where: "path" | "query"): unknown[] {
  if (!schema) return [];
  const js = jsonSchema(schema, "input") as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: where, required: where === "path" || (js.required ?? []).includes(name), schema: rest, ...(description ? { description } : {}) };
  });
}

/** The OpenAPI 3.1 document of `routes` (JSON Schemas generated from the zod schemas). */
export function openApiDocument(routes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, "{$1}");
    const responses: Record<string, unknown> = {
      [r.ok.status]: {
        description: r.ok.description,
        ...(r.ok.schema || r.ok.contentType
          ? { content: { [r.ok.contentType ?? "application/json"]: { schema: r.ok.schema ? jsonSchema(r.ok.schema, "output") : { type: r.ok.contentType === "application/json" ? "object" : "string" } } } }
          : {}),
      },
    };
    const error = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
    for (const s of [...r.errors, 500]) responses[s] = { description: ERROR_TEXT[s] ?? "internal error (no details)", content: error };
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, "").replace(/[/.](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      responses,
      ...(r.auth ? { security: [{ bearerAuth: [] }] } : {}),
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "hedgeswap coordinator API", version: "1.0.0", description: "Submit signed offers, follow swaps, request cooperative aborts. Bigints are decimal strings." },
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "the token of the coordinator's configuration (api.tokenEnv or api.token)" } },
      schemas: { Error: jsonSchema(errorSchema, "output") },
    },
  };
}
