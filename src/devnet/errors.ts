/** The errors of the local devnet (not part of the SDK, which never starts processes). */
import { HedgeSwapError } from "../sdk/errors";

/**
 * Something went wrong starting, driving or stopping a local chain: a node that does not come up, a
 * missing artifact, a JSON-RPC error. `code` is one of `DEVNET_NODE_START`, `DEVNET_NODE_STOPPED`,
 * `DEVNET_RPC`, `DEVNET_ARTIFACT`, `DEVNET_DEPLOY`.
 */
export class DevnetError extends HedgeSwapError {
  constructor(code: string, shortMessage: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, shortMessage, details, options);
  }
}
