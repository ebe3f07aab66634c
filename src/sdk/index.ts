/**
 * hedgeswap SDK: plan, sign, execute, watch and recover premium-hedged atomic swaps and HTLC options
 * between EVM chains. One entry point; no Node built-ins, so dApps bundle it for browsers.
 *
 * - Pure helpers mirroring the escrow: `legId`, `hashlockOf`, `packTimelocks`, calldata builders,
 *   EIP-712 typed data for the cooperative abort and the swap offer.
 * - Planners: `planHedgedSwap`, `planOption`, `planFromOffer`; pricing: `crrPrice`, `optionFee`,
 *   `suggestHedgePremiums`.
 * - Actions taking an ethers v6 runner first: `depositPremium`, `escrowPrincipal`, `redeem`,
 *   `redeemBatch`, `settle`, `settleBatch`, `signCooperativeAbort`, `cooperativeAbort`, `withdrawCredits`
 *   (a credit whole or, above a token's per-transfer limit, in parts).
 * - Reading and recovery: `getLegStatus`, `waitForSecret`, `findLegs`, `recover` (of swaps and cycles).
 * - The decision rule (`decideNext`, `mayReveal`): what a conforming party may do next; the one place
 *   that decides whether the secret may be revealed. It is the n = 2 case of the cycle rule
 *   (`decideCycleNext`, `mayRevealCycle`) for hedged cycles of n parties.
 * - Deployments: `DeploymentRegistry`, `connectEscrow` (refuses unsupported `VERSION`s).
 * - Errors: `HedgeSwapError` and its subclasses; every escrow revert decoded into its own class.
 *
 * @packageDocumentation
 */
export { escrowAbi } from "./abi";
export type { HedgeSwapEscrow } from "../../typechain-types/contracts/HedgeSwapEscrow";
export type { IHedgeSwapEscrow } from "../../typechain-types/contracts/interfaces/IHedgeSwapEscrow";

export * from "./errors";
export * from "./escrowErrors";

export {
  ABORT_TYPES,
  ESCROW_DOMAIN_NAME,
  ESCROW_VERSION,
  LEG_TYPES,
  LegState,
  NATIVE,
  abortDigest,
  abortTypedData,
  escrowDomain,
  hashlockOf,
  legId,
  locateLeg,
  toLegStruct,
  type EscrowLocation,
  type LegStruct,
  type LegTerms,
  type LocatedLeg,
} from "./leg";
export { PremiumMode, packTimelocks, unpackTimelocks, type Timelocks } from "./timelocks";
export { SECRET_DERIVATION_LABEL, SEED_RULES, deriveSecret, opens, randomSecret, randomSeed, secretsByHashlock, seedBytes } from "./secrets";

export {
  OFFER_DOMAIN,
  OFFER_TYPES,
  offerDigest,
  offerFromJson,
  offerKind,
  offerToJson,
  offerTypedData,
  recoverOfferSigner,
  signOffer,
  signedOfferFromJson,
  signedOfferToJson,
  verifyOfferSignatures,
  type OfferLeg,
  type SignedOffer,
  type SwapKind,
  type SwapOffer,
} from "./offer";
export {
  DEFAULT_MIN_DELTA,
  MAX_TIMELOCK_HORIZON,
  checkPremiumRelation,
  checkSchedule,
  planFromOffer,
  planHedgedSwap,
  planOption,
  type LegSideTerms,
  type PlanConfig,
  type PlanStep,
  type PlannedLeg,
  type StepAction,
  type SwapPlan,
  type SwapTerms,
} from "./plan";
export {
  MAX_CRR_STEPS,
  SECONDS_PER_YEAR,
  crrPrice,
  hedgeDeposits,
  hedgeLockTimes,
  optionDeposits,
  optionFee,
  suggestHedgePremiums,
  type CrrParams,
  type HedgeLockTimes,
  type HedgePremiumParams,
  type HedgePremiums,
  type OptionFeeParams,
  type PremiumDeposits,
} from "./pricing";

export {
  abortTx,
  approveTx,
  depositPremiumBatchTx,
  depositPremiumTx,
  depositPremiumWithPermitTx,
  erc20Interface,
  escrowBatchTx,
  escrowInterface,
  escrowTx,
  escrowWithPermitTx,
  premiumValue,
  principalValue,
  redeemBatchTx,
  redeemTx,
  settleBatchTx,
  settleTx,
  withdrawTx,
  type BatchEncoder,
  type BatchFunction,
  type BatchOptions,
  type PermitSignature,
  type TxRequest,
} from "./calldata";
export {
  DeploymentRegistry,
  SUPPORTED_ESCROW_VERSIONS,
  connectEscrow,
  escrowContract,
  parseDeploymentRecord,
  type ConnectOptions,
  type DeploymentRecord,
  type EscrowHandle,
} from "./deployments";
export {
  cooperativeAbort,
  depositPremium,
  escrowPrincipal,
  redeem,
  redeemBatch,
  sendTx,
  settle,
  settleBatch,
  signCooperativeAbort,
  signPermit,
  withdrawCredits,
  type ActionResult,
  type FundingMethod,
  type FundingOptions,
  type TxOptions,
  type WithdrawOptions,
} from "./actions";
export {
  chainTime,
  findRevealedSecret,
  getCredits,
  getLegState,
  getLegStates,
  getLegStatus,
  waitForSecret,
  type LegStatus,
  type ScanOptions,
  type WaitOptions,
} from "./read";
export { ERC1271_MAGIC_VALUE, recoverAbortSigner, verifyAbortConsent, type AbortConsentCheck, type VerifyConsentOptions } from "./consent";
export {
  agreedSwapId,
  findLegs,
  legFromCreationLog,
  legIdOfCreationLog,
  planRecovery,
  recover,
  revealedSecrets,
  type AgreedSwap,
  type FoundLeg,
  type RecoverOptions,
  type RecoveredCredit,
  type RecoveryContext,
  type RecoveryChain,
  type RecoveryReport,
  type RecoveryStep,
} from "./recovery";
export {
  DEFAULT_CHAIN_SAFETY,
  DEFAULT_REACTION_MARGIN,
  NO_CHAIN_DELAY,
  cycleViewOf,
  decideNext,
  twoPartyIntent,
  twoPartyMissed,
  legAClosed,
  mayReveal,
  revealMargin,
  wasCreated,
  wasEscrowed,
  type ChainSafety,
  type Intent,
  type IntentStep,
  type LegObservation,
  type LegOutcome,
  type Missed,
  type PartyDecision,
  type PartyView,
  type SafetyMargins,
} from "./rules";
export { NEXT_OWN_STEP, STEP_CHAIN, nextStepCanLand, stepDeadline, type NextStepCheck, type NextStepMiss } from "./rules";
export { MAX_HALVINGS, withdrawAmounts, withdrawableCredit, type WithdrawableCredit } from "./credits";

// Hedged cycles (PROTOCOLS.md §7): n = 2 … 8 parties, one arc (a §2 leg) per party.
export {
  MAX_CYCLE_PARTIES,
  MIN_CYCLE_PARTIES,
  arcDeadlineSlots,
  arcTimelocks,
  checkCycleSize,
  cycleLockSeconds,
  cyclePremiums,
  cycleStepSlots,
  type ArcDeadlineSlots,
  type CycleStepSlot,
} from "./cycleSchedule";
export { cycleCompensations, type CycleCompensationParams } from "./cyclePricing";
export {
  arc0Closed,
  checkCycleView,
  cycleNextOwnStep,
  cycleNextStepCanLand,
  cycleStepDeadline,
  decideCycleNext,
  mayRevealCycle,
  type CycleDecision,
  type CycleIntent,
  type CycleMargins,
  type CycleMissed,
  type CycleNextStepCheck,
  type CycleNextStepMiss,
  type CycleView,
  type CycleViewArc,
} from "./cycleRules";

export {
  checkCyclePremiums,
  checkCycleSchedule,
  cycleSafeDelta,
  offerFromCycleTerms,
  planCycle,
  planFromCycleOffer,
  type CycleArcTerms,
  type CycleConfig,
  type CyclePlan,
  type CycleStep,
  type CycleTerms,
  type PlannedArc,
} from "./cyclePlan";
export {
  CYCLE_OFFER_DOMAIN,
  CYCLE_OFFER_TYPES,
  cycleOfferDigest,
  cycleOfferFromJson,
  cycleOfferToJson,
  cycleOfferTypedData,
  cycleSignatureList,
  recoverCycleOfferSigner,
  signCycleOffer,
  signedCycleOfferFromJson,
  signedCycleOfferToJson,
  verifyCycleOfferSignatures,
  type CycleOffer,
  type CycleOfferArc,
  type SignedCycleOffer,
} from "./cycleOffer";
export { agreedCyclePlan, judgeCycle, type AgreedCycle } from "./cycleRecovery";
export { verifyCycleOfferSignaturesOnChain, type CycleSignatureCheck, type VerifyCycleSignaturesOptions } from "./cycleOfferSignatures";
