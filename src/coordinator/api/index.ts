/**
 * The coordinator's HTTP API: `startApi` over a `CoordinatorPort`, the request schemas and the
 * OpenAPI document builder.
 */
export { BODY_LIMIT, startApi, statusOfError, toJson, type ApiOptions, type ApiServer } from "./server";
export {
  ABORT_RULES,
  RequestValidationError,
  SWAP_STATUSES,
  abortBodySchema,
  abortResultSchema,
  addressSchema,
  bytes32Schema,
  consentSignatureSchema,
  errorSchema,
  eventRowSchema,
  eventsQuerySchema,
  legDetailSchema,
  listQuerySchema,
  offerJsonSchema,
  offerLegSchema,
  openApiDocument,
  parseSignedOffer,
  signatureSchema,
  signedOfferBodySchema,
  stepDetailSchema,
  swapDetailSchema,
  swapIdParamsSchema,
  swapKindSchema,
  swapListSchema,
  swapRowSchema,
  txRowSchema,
  validate,
  type RequestIssue,
  type RouteDoc,
} from "./schemas";
export type { AbortResult, ChainHealthReport, CoordinatorPort, HealthReport, LegDetail, StepDetail, SwapDetail, SwapFilter } from "./port";
