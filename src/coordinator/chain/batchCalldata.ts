/**
 * The coordinator's encoder of batch calldata: viem's `encodeFunctionData` over the escrow's ABI, passed
 * to the SDK's batch builders (`escrowBatchTx(legs, { encode: viemBatchEncoder })`, ...). Same bytes as
 * the SDK's default, ethers' `Interface` (test/coordinator/batchCalldata.test.ts compares them up to 500
 * legs), in about a tenth of the time for hundreds of legs, which a coordinator pays on every step of
 * every batch (`npm run measure:sdk` times both). viem is the coordinator's dependency, not the SDK's:
 * a dApp's batches are a few legs, where the difference is well under a millisecond.
 */
import { encodeFunctionData, type Abi } from "viem";

import { escrowAbi, type BatchEncoder, type BatchOptions } from "../../sdk";

const abi = escrowAbi as Abi;

/** Encodes a batch call with viem. */
export const viemBatchEncoder: BatchEncoder = (fn, args) => encodeFunctionData({ abi, functionName: fn, args });

/** The batch builders' options that select viem's encoder. */
export const VIEM_BATCH: BatchOptions = { encode: viemBatchEncoder };
