/**
 * Tests of `src/sdk/escrowErrors.ts`: every custom error of the escrow's ABI decodes into its own
 * class with every argument as a typed field (the ABI is iterated, so a new contract error fails
 * here); real reverts of the deployed escrow on the Hardhat network, thrown by ethers through the
 * send path (`eth_estimateGas`) and through `staticCall` (`eth_call`), become those classes through
 * `toHedgeSwapError`; `Panic`, `Error(string)`, unknown and empty revert data and errors that are
 * not reverts become `TransactionFailedError` with the cause kept; and `findRevertData` finds the
 * data in the shapes ethers, a JSON-RPC node and wallets produce.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Interface, JsonRpcProvider, getAddress, id, keccak256, sha256, toUtf8Bytes, type JsonRpcPayload } from "ethers";

import { escrowAbi } from "../../src/sdk/abi";
import * as E from "../../src/sdk/escrowErrors";
import { HedgeSwapError, InvalidAddressError, InvalidArgumentError, InvalidBytes32Error, TransactionFailedError } from "../../src/sdk/errors";
import { LegState, legId, type EscrowLocation, type LegStruct } from "../../src/sdk/leg";
import { DELTA, NATIVE, deployFixture, makeLeg, newSecret, now, setNextTimestamp, type Fixture } from "../helpers/fixture";

const { decodeEscrowRevert, findRevertData, toHedgeSwapError } = E;

/** An independent `Interface` of the escrow (not the module's own) to encode test data with. */
const iface = new Interface(escrowAbi);

interface AbiInput {
  readonly name: string;
  readonly type: string;
  readonly internalType: string;
}

const ABI_ERRORS = escrowAbi
  .filter((f) => f.type === "error")
  .map((f) => ({ name: f.name, inputs: f.inputs as readonly AbiInput[] }));

/** The revert data of escrow error `name` with `args`. */
function revertData(name: string, args: readonly unknown[]): string {
  return iface.encodeErrorResult(name, args);
}

/** Reads a field of a decoded error by its ABI name. */
function field(err: object, name: string): unknown {
  return (err as Record<string, unknown>)[name];
}

/**
 * A sample argument for an ABI input, as it is encoded (addresses lower-case, to see them come back
 * checksummed) and as the decoded error must expose it.
 */
function sample(input: AbiInput, i: number): { encoded: unknown; expected: unknown; typeOf: string } {
  const word = keccak256(toUtf8Bytes(`sample ${input.name} ${i}`));
  if (input.type === "address") {
    const lower = `0x${word.slice(-40)}`;
    return { encoded: lower, expected: getAddress(lower), typeOf: "string" };
  }
  if (input.type === "bytes32") return { encoded: word, expected: word, typeOf: "string" };
  if (input.type === "string") {
    const s = `a string longer than thirty-one bytes, number ${i}`;
    return { encoded: s, expected: s, typeOf: "string" };
  }
  if (input.internalType.startsWith("enum ")) return { encoded: 2n, expected: LegState.Escrowed, typeOf: "number" };
  if (input.type === "uint256") {
    const n = (1n << 200n) + BigInt(i) * 1_000_003n; // far beyond Number's range
    return { encoded: n, expected: n, typeOf: "bigint" };
  }
  throw new Error(`no sample for ABI type ${input.type}`);
}

// ================================================================ every error of the ABI

describe("escrowErrors: every custom error of escrowAbi", () => {
  it("the ABI declares the escrow's errors (the loop below is not empty)", () => {
    expect(ABI_ERRORS.length).to.be.greaterThanOrEqual(26);
  });

  for (const abi of ABI_ERRORS) {
    it(`${abi.name} decodes into ${abi.name}Error with every argument`, () => {
      const samples = abi.inputs.map((input, i) => sample(input, i + 1));
      const data = revertData(
        abi.name,
        samples.map((s) => s.encoded),
      );
      const cause = new Error("the thrown error");
      const err = decodeEscrowRevert(data, { cause });

      const cls = (E as Record<string, unknown>)[`${abi.name}Error`];
      expect(cls, `exported class ${abi.name}Error`).to.be.a("function");
      expect(err).to.be.instanceOf(cls as new () => unknown);
      expect(err).to.be.instanceOf(E.EscrowRevertError);
      expect(err).to.be.instanceOf(HedgeSwapError);
      expect(err).to.be.instanceOf(Error);
      if (!(err instanceof E.EscrowRevertError)) throw new Error("unreachable");

      expect(err.name).to.equal(`${abi.name}Error`);
      expect(err.code).to.equal(abi.name);
      expect(err.errorName).to.equal(abi.name);
      const signature = `${abi.name}(${abi.inputs.map((x) => x.type).join(",")})`;
      expect(err.selector).to.equal(id(signature).slice(0, 10));
      expect(data.startsWith(err.selector)).to.equal(true);
      expect(err.cause).to.equal(cause);
      expect(err.shortMessage).to.be.a("string").and.not.equal("");
      expect(err.message.startsWith(err.shortMessage)).to.equal(true);

      const expectedDetails: Record<string, unknown> = {};
      abi.inputs.forEach((input, i) => {
        const s = samples[i]!;
        expect(field(err, input.name), `field ${input.name}`).to.deep.equal(s.expected);
        expect(typeof field(err, input.name), `type of field ${input.name}`).to.equal(s.typeOf);
        expectedDetails[input.name] = s.expected;
      });
      expect(err.details).to.deep.equal(expectedDetails);
      expect(err.args).to.deep.equal(samples.map((s) => s.expected));
      // the args encode back into the very same revert data
      expect(revertData(abi.name, err.args)).to.equal(data);

      // and toHedgeSwapError finds it in a thrown error and keeps that error as the cause
      const thrown = Object.assign(new Error("reverted"), { data });
      const converted = toHedgeSwapError(thrown, "test");
      expect(converted).to.be.instanceOf(cls as new () => unknown);
      expect(converted.cause).to.equal(thrown);
      expect(converted.details).to.deep.equal(expectedDetails);
    });
  }

  it("every exported escrow error class belongs to an error of the ABI", () => {
    const names = new Set(ABI_ERRORS.map((e) => `${e.name}Error`));
    const classes = Object.entries(E).filter(
      ([, v]) => typeof v === "function" && v.prototype instanceof E.EscrowRevertError,
    );
    expect(classes.map(([k]) => k).sort()).to.deep.equal([...names].sort());
  });

  it("the typed constructors normalise and check their arguments", () => {
    const lower = "0x" + "ab".repeat(20);
    const err = new E.NothingToWithdrawError(lower, NATIVE);
    expect(err.account).to.equal(getAddress(lower));
    expect(err.details).to.deep.equal({ account: getAddress(lower), token: NATIVE });
    expect(err.selector).to.equal(id("NothingToWithdraw(address,address)").slice(0, 10));

    const word = keccak256("0x01");
    const state = new E.LegUnexpectedStateError(word.toUpperCase().replace("0X", "0x"), LegState.Aborted);
    expect(state.legId).to.equal(word);
    expect(state.current).to.equal(LegState.Aborted);
    expect(state.shortMessage).to.contain("Aborted");

    expect(() => new E.NothingToWithdrawError("0x1234", NATIVE)).to.throw(InvalidAddressError);
    expect(() => new E.LegZeroAmountError("0x1234")).to.throw(InvalidBytes32Error);
    expect(() => new E.WithdrawFailedError(NATIVE, "5" as unknown as bigint)).to.throw(InvalidArgumentError);
  });
});

// ================================================================ real reverts on the Hardhat network

type Path = "send" | "staticCall";
const PATHS: readonly Path[] = ["send", "staticCall"];

interface Ctx extends Fixture {
  at: EscrowLocation;
  t0: bigint;
}

async function setup(): Promise<Ctx> {
  const fx = await loadFixture(deployFixture);
  const { chainId } = await ethers.provider.getNetwork();
  return { ...fx, at: { chainId, escrow: fx.escrowAddress }, t0: await now() };
}

/** A plain native-coin leg alice -> bob: escrow by t0+Δ, timeout t0+2Δ; `o` overrides. */
function plainLeg(c: Ctx, o: Partial<Parameters<typeof makeLeg>[0]> = {}): { leg: LegStruct; secret: string; id: string } {
  const { secret, hashlock } = newSecret();
  const leg = makeLeg({
    escrower: c.alice.address,
    redeemer: c.bob.address,
    hashlock,
    escrowDeadline: c.t0 + DELTA,
    timeout: c.t0 + 2n * DELTA,
    ...o,
  });
  return { leg, secret, id: legId(leg, c.at) };
}

async function escrowed(c: Ctx): Promise<{ leg: LegStruct; secret: string; id: string }> {
  const t = plainLeg(c);
  await c.escrow.connect(c.alice).escrow(t.leg, { value: t.leg.amount });
  return t;
}

/**
 * The time the escrow will see: on the send path the next block's timestamp, which this sets
 * (`later` seconds ahead); on the static path the latest block's timestamp (`eth_call` at `latest`).
 */
async function timeSeen(path: Path, later = 7n): Promise<bigint> {
  const latest = await now();
  if (path === "staticCall") return latest;
  await setNextTimestamp(latest + later);
  return latest + later;
}

/** Awaits a call that must revert and returns what ethers threw, after checking it is not already an SDK error. */
async function thrownBy(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    expect(e).not.to.be.instanceOf(HedgeSwapError);
    return e;
  }
  return expect.fail("the call did not revert");
}

/**
 * Runs `call` (which must revert), converts what ethers threw with `toHedgeSwapError` and checks the
 * result is `cls` with exactly `fields`, with the thrown error as its cause.
 */
async function expectSdkError<T extends E.EscrowRevertError>(
  call: () => Promise<unknown>,
  cls: abstract new (...args: never[]) => T,
  fields: Record<string, unknown>,
): Promise<T> {
  const thrown = await thrownBy(call);
  const err = toHedgeSwapError(thrown, "the action");
  expect(err).to.be.instanceOf(cls);
  const typed = err as T;
  expect(typed.cause).to.equal(thrown);
  expect(typed.code).to.equal(typed.errorName);
  expect(typed.details).to.deep.equal(fields);
  for (const [name, value] of Object.entries(fields)) expect(field(typed, name), name).to.deep.equal(value);
  expect(findRevertData(thrown)).to.equal(revertData(typed.errorName, typed.args));
  return typed;
}

describe("escrowErrors: real reverts of the escrow, through toHedgeSwapError", () => {
  for (const path of PATHS) {
    const via = (p: Path) => p === path;

    describe(`via ${path === "send" ? "a sent transaction (eth_estimateGas)" : "staticCall (eth_call)"}`, () => {
      it("LegWrongSecret: redeem with a secret that does not open the hashlock", async () => {
        const c = await setup();
        const t = await escrowed(c);
        const wrong = newSecret().secret;
        const e = c.escrow.connect(c.bob);
        await expectSdkError(
          () => (via("send") ? e.redeem(t.leg, wrong) : e.redeem.staticCall(t.leg, wrong)),
          E.LegWrongSecretError,
          { legId: t.id, hashlock: t.leg.hashlock, secretHash: sha256(wrong) },
        );
      });

      it("LegNotExpired: settle an escrowed leg before its timeout", async () => {
        const c = await setup();
        const t = await escrowed(c);
        const currentTime = await timeSeen(path);
        const e = c.escrow.connect(c.carol);
        const err = await expectSdkError(
          () => (via("send") ? e.settle(t.leg) : e.settle.staticCall(t.leg)),
          E.LegNotExpiredError,
          { legId: t.id, deadline: c.t0 + 2n * DELTA, currentTime },
        );
        expect(err.deadline).to.be.a("bigint");
      });

      it("LegDeadlinePassed: redeem after the timeout", async () => {
        const c = await setup();
        const t = await escrowed(c);
        await time.increaseTo(c.t0 + 2n * DELTA + 10n);
        const currentTime = await timeSeen(path);
        const e = c.escrow.connect(c.bob);
        await expectSdkError(
          () => (via("send") ? e.redeem(t.leg, t.secret) : e.redeem.staticCall(t.leg, t.secret)),
          E.LegDeadlinePassedError,
          { legId: t.id, deadline: c.t0 + 2n * DELTA, currentTime },
        );
      });

      it("LegUnexpectedState: settle a leg that does not exist (None)", async () => {
        const c = await setup();
        const t = plainLeg(c);
        const e = c.escrow.connect(c.carol);
        const err = await expectSdkError(
          () => (via("send") ? e.settle(t.leg) : e.settle.staticCall(t.leg)),
          E.LegUnexpectedStateError,
          { legId: t.id, current: LegState.None },
        );
        expect(err.current).to.equal(LegState.None);
      });

      it("LegUnexpectedState: escrow a plain leg a second time (Escrowed)", async () => {
        const c = await setup();
        const t = await escrowed(c);
        const e = c.escrow.connect(c.alice);
        const value = { value: t.leg.amount };
        await expectSdkError(
          () => (via("send") ? e.escrow(t.leg, value) : e.escrow.staticCall(t.leg, value)),
          E.LegUnexpectedStateError,
          { legId: t.id, current: LegState.Escrowed },
        );
      });

      it("LegZeroAmount: escrow a leg of amount 0", async () => {
        const c = await setup();
        const t = plainLeg(c, { amount: 0n });
        const e = c.escrow.connect(c.alice);
        await expectSdkError(
          () => (via("send") ? e.escrow(t.leg) : e.escrow.staticCall(t.leg)),
          E.LegZeroAmountError,
          { legId: t.id },
        );
      });

      it("NativeValueMismatch: escrow with one wei too little", async () => {
        const c = await setup();
        const t = plainLeg(c);
        const e = c.escrow.connect(c.alice);
        const value = { value: t.leg.amount - 1n };
        await expectSdkError(
          () => (via("send") ? e.escrow(t.leg, value) : e.escrow.staticCall(t.leg, value)),
          E.NativeValueMismatchError,
          { expected: t.leg.amount, received: t.leg.amount - 1n },
        );
      });

      it("LegCallerNotRedeemer: the escrower deposits the premium", async () => {
        const c = await setup();
        const premiumAmount = ethers.parseEther("3");
        const t = plainLeg(c, {
          premiumAmount,
          premiumDeadline: c.t0 + DELTA,
          escrowDeadline: c.t0 + 2n * DELTA,
          timeout: c.t0 + 3n * DELTA,
        });
        const e = c.escrow.connect(c.alice);
        const value = { value: premiumAmount };
        await expectSdkError(
          () => (via("send") ? e.depositPremium(t.leg, value) : e.depositPremium.staticCall(t.leg, value)),
          E.LegCallerNotRedeemerError,
          { legId: t.id, caller: c.alice.address, redeemer: c.bob.address },
        );
      });

      it("LegCallerNotEscrower: the redeemer escrows", async () => {
        const c = await setup();
        const t = plainLeg(c);
        const e = c.escrow.connect(c.bob);
        const value = { value: t.leg.amount };
        await expectSdkError(
          () => (via("send") ? e.escrow(t.leg, value) : e.escrow.staticCall(t.leg, value)),
          E.LegCallerNotEscrowerError,
          { legId: t.id, caller: c.bob.address, escrower: c.alice.address },
        );
      });

      it("NothingToWithdraw: withdraw without a credit", async () => {
        const c = await setup();
        const apr = await c.apr.getAddress();
        const e = c.escrow.connect(c.alice);
        await expectSdkError(
          () => (via("send") ? e["withdraw(address,address)"](apr, c.alice.address) : e["withdraw(address,address)"].staticCall(apr, c.alice.address)),
          E.NothingToWithdrawError,
          { account: c.alice.address, token: apr },
        );
      });

      it("BatchEmpty: settleBatch and redeemBatch of no leg", async () => {
        const c = await setup();
        const e = c.escrow.connect(c.carol);
        await expectSdkError(() => (via("send") ? e.settleBatch([]) : e.settleBatch.staticCall([])), E.BatchEmptyError, {});
        await expectSdkError(() => (via("send") ? e.redeemBatch([], []) : e.redeemBatch.staticCall([], [])), E.BatchEmptyError, {});
      });

      it("BatchLengthMismatch: redeemBatch with one leg and no secret", async () => {
        const c = await setup();
        const t = await escrowed(c);
        const e = c.escrow.connect(c.carol);
        await expectSdkError(
          () => (via("send") ? e.redeemBatch([t.leg], []) : e.redeemBatch.staticCall([t.leg], [])),
          E.BatchLengthMismatchError,
          { legs: 1n, secrets: 0n },
        );
      });

      it("a token's own custom error bubbled through the escrow: TransactionFailedError, data kept as UnknownRevertError", async () => {
        const c = await setup();
        const stranger: HardhatEthersSigner = c.others[0]!; // holds no APR and approved nothing
        const t = plainLeg(c, { escrower: stranger.address, token: await c.apr.getAddress(), amount: 5n });
        const e = c.escrow.connect(stranger);
        const thrown = await thrownBy(() => (via("send") ? e.escrow(t.leg) : e.escrow.staticCall(t.leg)));
        const err = toHedgeSwapError(thrown, "escrow");
        expect(err).to.be.instanceOf(TransactionFailedError);
        expect(err.cause).to.equal(thrown);
        expect(err.details).to.include({ action: "escrow" });

        const data = findRevertData(thrown);
        const expected = c.apr.interface.encodeErrorResult("ERC20InsufficientAllowance", [c.escrowAddress, 0n, 5n]);
        expect(data).to.equal(expected);
        const decoded = decodeEscrowRevert(data!);
        expect(decoded).to.be.instanceOf(E.UnknownRevertError);
        const unknown = decoded as E.UnknownRevertError;
        expect(unknown.code).to.equal("UNKNOWN_REVERT");
        expect(unknown.data).to.equal(expected);
        expect(unknown.selector).to.equal(id("ERC20InsufficientAllowance(address,uint256,uint256)").slice(0, 10));
      });

      it("a revert without data (native coin sent to the escrow, which has no receive): TransactionFailedError", async () => {
        const c = await setup();
        const tx = { to: c.escrowAddress, value: 1n };
        const thrown = await thrownBy(() => (via("send") ? c.alice.sendTransaction(tx) : c.alice.call(tx)));
        expect(findRevertData(thrown)).to.equal(undefined);
        const err = toHedgeSwapError(thrown, "pay the escrow");
        expect(err).to.be.instanceOf(TransactionFailedError);
        expect(err.code).to.equal("TRANSACTION_FAILED");
        expect(err.cause).to.equal(thrown);
        expect(err.details).to.include({ action: "pay the escrow" });
      });
    });
  }
});

// ================================================================ what is not an escrow error

/** The transaction an ethers `CALL_EXCEPTION` built by `Interface.makeError` names. */
const tx = { to: "0x" + "11".repeat(20), data: "0x12345678" };

describe("escrowErrors: Panic, Error(string), unknown and missing data, other errors", () => {

  it("Panic: decodes to PanicRevertError; toHedgeSwapError gives TransactionFailedError with the cause", () => {
    const data = iface.encodeErrorResult("Panic", [0x11n]);
    const thrown = iface.makeError(data, tx); // the CALL_EXCEPTION ethers itself throws
    expect(findRevertData(thrown)).to.equal(data);
    const decoded = decodeEscrowRevert(data, { cause: thrown });
    expect(decoded).to.be.instanceOf(E.PanicRevertError);
    const panic = decoded as E.PanicRevertError;
    expect(panic.code).to.equal("Panic");
    expect(panic.panicCode).to.equal(0x11n);
    expect(panic.reason).to.equal("arithmetic overflow or underflow");
    expect(panic.selector).to.equal(id("Panic(uint256)").slice(0, 10));
    expect(panic.args).to.deep.equal([0x11n]);
    expect(panic.cause).to.equal(thrown);

    const unknownCode = decodeEscrowRevert(iface.encodeErrorResult("Panic", [0x99n])) as E.PanicRevertError;
    expect(unknownCode.panicCode).to.equal(0x99n);
    expect(unknownCode.reason).to.equal("unknown panic code");

    const err = toHedgeSwapError(thrown, "redeem");
    expect(err).to.be.instanceOf(TransactionFailedError);
    expect(err.cause).to.equal(thrown);
    expect(err.details).to.include({ action: "redeem" });
  });

  it("Error(string): decodes to StringRevertError; toHedgeSwapError gives TransactionFailedError with the cause", () => {
    const data = iface.encodeErrorResult("Error", ["ERC20: transfer amount exceeds balance"]);
    const thrown = iface.makeError(data, tx);
    const decoded = decodeEscrowRevert(findRevertData(thrown)!);
    expect(decoded).to.be.instanceOf(E.StringRevertError);
    const s = decoded as E.StringRevertError;
    expect(s.code).to.equal("Error");
    expect(s.reason).to.equal("ERC20: transfer amount exceeds balance");
    expect(s.selector).to.equal(id("Error(string)").slice(0, 10));
    expect(s.args).to.deep.equal(["ERC20: transfer amount exceeds balance"]);

    const err = toHedgeSwapError(thrown, "escrow");
    expect(err).to.be.instanceOf(TransactionFailedError);
    expect(err.cause).to.equal(thrown);
  });

  it("unknown selector and malformed data: UnknownRevertError keeps the raw data", () => {
    const unknown = "0xdeadbeef" + "00".repeat(32);
    const decoded = decodeEscrowRevert(unknown);
    expect(decoded).to.be.instanceOf(E.UnknownRevertError);
    expect((decoded as E.UnknownRevertError).data).to.equal(unknown);
    expect((decoded as E.UnknownRevertError).selector).to.equal("0xdeadbeef");

    // a known selector whose arguments are cut short does not decode
    const truncated = revertData("LegZeroAmount", [keccak256("0x01")]).slice(0, 10 + 20);
    const t = decodeEscrowRevert(truncated);
    expect(t).to.be.instanceOf(E.UnknownRevertError);
    expect((t as E.UnknownRevertError).data).to.equal(truncated);

    const empty = decodeEscrowRevert("0x");
    expect(empty).to.be.instanceOf(E.UnknownRevertError);
    expect((empty as E.UnknownRevertError).selector).to.equal(undefined);

    for (const data of [unknown, truncated]) {
      const thrown = Object.assign(new Error("reverted"), { data });
      const err = toHedgeSwapError(thrown, "settle");
      expect(err).to.be.instanceOf(TransactionFailedError);
      expect(err.cause).to.equal(thrown);
    }
  });

  it("decodeEscrowRevert refuses what is not 0x-prefixed even-length hex", () => {
    for (const bad of ["", "deadbeef", "0xabc", "0xzz112233", "0x 1234567"]) {
      expect(() => decodeEscrowRevert(bad), bad).to.throw(InvalidArgumentError);
    }
  });

  it("no revert data and errors that are not reverts: TransactionFailedError with the cause kept", () => {
    const rejection = Object.assign(new Error("user rejected action"), { code: "ACTION_REJECTED", shortMessage: "user rejected action" });
    const causes: unknown[] = [
      iface.makeError("0x", tx), // a revert without data, as ethers throws it
      new Error("network down"),
      rejection,
      { code: 4001, message: "User denied transaction signature" },
      "a thrown string",
      undefined,
      null,
    ];
    for (const cause of causes) {
      const err = toHedgeSwapError(cause, "withdraw");
      expect(err, String(cause)).to.be.instanceOf(TransactionFailedError);
      expect(err.cause).to.equal(cause);
      expect(err.details).to.include({ action: "withdraw" });
    }
    expect(toHedgeSwapError(rejection, "withdraw").details).to.include({ reason: "user rejected action" });
  });

  it("an SDK error is returned as it is", () => {
    const sdk = new InvalidArgumentError("amount", "must be positive", 0n);
    expect(toHedgeSwapError(sdk, "escrow")).to.equal(sdk);
    const decoded = new E.BatchEmptyError();
    expect(toHedgeSwapError(decoded, "settle")).to.equal(decoded);
  });
});

// ================================================================ findRevertData

describe("escrowErrors: findRevertData", () => {
  const data = revertData("LegNoPremium", [keccak256("0x02")]);
  const payload = (method: string): JsonRpcPayload => ({
    method,
    params: [{ to: "0x" + "22".repeat(20), data: "0xabcdef01" }],
    id: 1,
    jsonrpc: "2.0",
  });

  it("finds the data where ethers' JsonRpcProvider puts it (as a node's JSON-RPC error becomes a CALL_EXCEPTION)", () => {
    const provider = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });
    try {
      const message = "Error: VM Exception while processing transaction: reverted with custom error 'LegNoPremium(...)'";
      const rpcErrors = [
        { code: -32603, message, data: { message, data } }, // hardhat node: data nested in data
        { code: 3, message: "execution reverted", data }, // geth-style
      ];
      for (const method of ["eth_estimateGas", "eth_call"]) {
        for (const error of rpcErrors) {
          const thrown = provider.getRpcError(payload(method), { id: 1, error });
          expect(findRevertData(thrown), `${method} ${error.code}`).to.equal(data);
          const err = toHedgeSwapError(thrown, "deposit the premium");
          expect(err).to.be.instanceOf(E.LegNoPremiumError);
          expect((err as E.LegNoPremiumError).legId).to.equal(keccak256("0x02"));
          expect(err.cause).to.equal(thrown);
        }
      }
    } finally {
      provider.destroy();
    }
  });

  it("looks under data, error, info, cause and originalError, nearest first", () => {
    const other = revertData("BatchEmpty", []);
    expect(findRevertData({ data })).to.equal(data);
    expect(findRevertData({ error: { data } })).to.equal(data);
    expect(findRevertData({ info: { error: { data } } })).to.equal(data);
    expect(findRevertData({ data: { data } })).to.equal(data);
    expect(findRevertData({ error: { data: { message: "reverted", data } } })).to.equal(data);
    expect(findRevertData(new Error("wrapped", { cause: { data } }))).to.equal(data);
    expect(findRevertData({ data: { originalError: { data } } })).to.equal(data);
    expect(findRevertData({ info: { error: { data: other } }, data })).to.equal(data);
    expect(findRevertData(data)).to.equal(data);
  });

  it("re-encodes ethers' own decoding (err.revert) when no data is left", () => {
    const decodedByEthers = iface.makeError(data, tx);
    const revertOnly = { revert: decodedByEthers.revert };
    expect(findRevertData(revertOnly)).to.equal(data);
    expect(findRevertData({ revert: { name: "Nope", signature: "Nope(uint256)", args: [1n] } })).to.equal(undefined);
    expect(findRevertData({ revert: "LegNoPremium" })).to.equal(undefined);
  });

  it("accepts only 0x-hex of at least 4 bytes; '0x' is no data", () => {
    for (const bad of ["0x", "0x123456", "0x1234567", "deadbeef00", "0xdeadbeeg", "0xdeadbeef0", 12345678, true]) {
      expect(findRevertData({ data: bad }), String(bad)).to.equal(undefined);
    }
    expect(findRevertData({ data: "0x", error: { data } })).to.equal(data);
    expect(findRevertData({ data: "0xDEADBEEF" })).to.equal("0xDEADBEEF");
  });

  it("ignores calldata and other hex outside the error's data, survives cycles and hostile getters", () => {
    expect(findRevertData({ transaction: { data: "0xabcdef0100" }, invocation: { selector: "0xabcdef01" } })).to.equal(undefined);
    expect(findRevertData({ info: { payload: payload("eth_call") } })).to.equal(undefined);
    const cyclic: Record<string, unknown> = {};
    cyclic.error = cyclic;
    cyclic.cause = { info: cyclic };
    expect(findRevertData(cyclic)).to.equal(undefined);
    const hostile = {
      get data(): unknown {
        throw new Error("getter");
      },
      error: { data },
    };
    expect(findRevertData(hostile)).to.equal(data);
    for (const nothing of [undefined, null, 0, "", new Error("x"), {}]) expect(findRevertData(nothing)).to.equal(undefined);
  });
});
