/**
 * The coordinator's structured JSON logs (pino): every swap line carries `swapId` (and `chain` where
 * one chain is meant); secrets that could reach a log through a logged object are redacted.
 */
import pino, { type DestinationStream, type Logger } from "pino";

/** Paths pino replaces with "[redacted]" wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  "privateKey",
  "secretSeed",
  "token",
  "secret",
  "*.privateKey",
  "*.secretSeed",
  "*.token",
  "*.secret",
  "parties[*].privateKey",
  "parties[*].secretSeed",
  "config.parties[*].privateKey",
  "config.parties[*].secretSeed",
  "config.api.token",
];

/** A logger at `level`, JSON lines to stdout (or `destination`), with the redaction above. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: "hedgeswap-coordinator" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}
