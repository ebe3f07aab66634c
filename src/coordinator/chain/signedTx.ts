/**
 * A transaction signed (EIP-1559) into the row the store records before it is broadcast: the request,
 * the nonce, gas and fees, the attempt, the step's deadline and whether it reveals the secret. Pure:
 * no I/O.
 */
import type { Wallet } from "ethers";

import type { TxRequest } from "../../sdk";
import type { NewTx, TxMember } from "../store/types";
import type { Fees } from "./fees";
import type { SignedTx, TxPurpose } from "./sendTypes";
import { signEip1559 } from "./signTx";

/** Signs `req` for `purpose` on chain `chainId` with the given nonce, gas limit and fees; the row to record and the legs it covers. */
export async function signTxRow(chainId: bigint, signer: Wallet, purpose: TxPurpose, req: TxRequest, p: Fees & { nonce: number; gasLimit: bigint }, attempt: number, members?: readonly TxMember[]): Promise<SignedTx> {
  const { raw, hash } = signEip1559(signer.signingKey, {
    chainId,
    nonce: p.nonce,
    to: req.to,
    data: req.data,
    value: req.value,
    gasLimit: p.gasLimit,
    maxFeePerGas: p.maxFeePerGas,
    maxPriorityFeePerGas: p.maxPriorityFeePerGas,
  });
  const tx: NewTx = {
    swapId: purpose.swapId,
    chainId: chainId.toString(),
    account: signer.address,
    nonce: p.nonce,
    action: purpose.action,
    leg: purpose.leg,
    to: req.to,
    data: req.data,
    value: req.value.toString(),
    maxFeePerGas: p.maxFeePerGas.toString(),
    maxPriorityFeePerGas: p.maxPriorityFeePerGas.toString(),
    gasLimit: p.gasLimit.toString(),
    raw,
    hash,
    status: "signed",
    attempt,
    deadline: purpose.deadline === undefined ? null : purpose.deadline.toString(),
    reveals: purpose.reveals === true,
  };
  return { tx, ...(members ? { members } : {}) };
}
