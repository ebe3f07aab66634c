// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

import {Timelocks} from "../types/Timelocks.sol";

/**
 * @title IHedgeSwapEscrow
 * @notice One escrow per chain holding many *legs*: one transfer of one asset from its escrower to its
 * redeemer, released by a sha256 hashlock before a timeout, optionally guarded by a premium that the
 * redeemer deposits first (Xue & Herlihy, PODC 2021). A premium of 0 makes the leg a plain HTLC.
 *
 * The contract stores one word per leg, keyed by the leg id, `keccak256(abi.encode(chainid, escrow,
 * leg))` (for a plain leg, without its two zero premium words): a hash of every parameter, the chain
 * id and this contract. Callers pass the parameters back; a caller with wrong parameters finds no
 * leg. Every parameter is emitted when a leg is created, so any leg can be rebuilt from logs alone.
 *
 * A leg's windows (an action "by D" is valid while `block.timestamp <= D`; a settlement "after D"
 * once `block.timestamp > D`):
 *
 * ```
 *            premiumDeadline        escrowDeadline                            timeout
 *  ---------------|----------------------|----------------------------------------|------------->
 *  depositPremium |                      |                                        |
 *  (redeemer)  <==]                      |                                        |
 *  escrow (escrower, once the premium is in)                                      |
 *              <=========================]                                        |
 *  redeem (anyone, with the secret; principal to the redeemer)                    |
 *              <==============================================================]   |
 *  abort (escrower, with the redeemer's EIP-712 signature)                        |
 *              <==============================================================]   |
 *  settle, premium in but never escrowed: premium back to the redeemer           |
 *                                        (=====================================================>
 *  settle, escrowed but never redeemed: principal and premium to the escrower     |
 *                                                                                 (============>
 * ```
 *
 * Premium destinations (the leg's own state decides; the contract sees only its own chain):
 *
 * | outcome                               | hedge premium   | option premium  |
 * |---------------------------------------|-----------------|-----------------|
 * | never escrowed by escrowDeadline      | redeemer        | redeemer        |
 * | escrowed and redeemed by timeout      | redeemer        | escrower        |
 * | escrowed, not redeemed by timeout     | escrower        | escrower        |
 * | cooperative abort                     | redeemer        | redeemer        |
 *
 * No payout can be blocked by its recipient: a native-coin or token transfer that fails is credited
 * to the recipient, who withdraws it later with {withdraw}.
 */
interface IHedgeSwapEscrow {
    /**
     * @notice The parameters of a leg. All of them are fixed when the leg is created and all of
     * them are part of its id.
     * @param escrower     who locks the principal; gets it back on refund or abort
     * @param redeemer     who receives the principal when the hashlock opens; deposits the premium
     * @param hashlock     sha256 of the 32-byte secret
     * @param token        the principal's asset; address(0) for the native coin
     * @param amount       the principal, > 0
     * @param timelocks    the three deadlines and the premium mode, see {Timelocks}
     * @param premiumToken the premium's asset; address(0) for the native coin (and for no premium)
     * @param premiumAmount the premium; 0 makes the leg a plain HTLC
     *
     * A plain leg (premiumAmount 0) is canonical: premiumToken, premiumDeadline and the mode bit are
     * zero too. Its id hashes its first six words only; a premium leg's id hashes all eight.
     */
    struct Leg {
        address escrower;
        address redeemer;
        bytes32 hashlock;
        address token;
        uint256 amount;
        Timelocks timelocks;
        address premiumToken;
        uint256 premiumAmount;
    }

    /**
     * @notice One plain leg (premium 0) that the caller, its redeemer, claims in {claimBatch}.
     * @param escrower the leg's escrower
     * @param token    the leg's asset (address(0): native coin)
     * @param amount   the leg's principal
     * @param timelocks the leg's timelocks
     * @param secret   the preimage of the leg's hashlock
     */
    struct PlainClaim {
        address escrower;
        address token;
        uint256 amount;
        Timelocks timelocks;
        bytes32 secret;
    }

    /**
     * @notice The one stored word of a leg (at the storage slot numbered by the leg id). A leg that was
     * redeemed or settled is deleted (its word goes back to `None`, which refunds gas); an aborted leg
     * stays `Aborted` so that its signature cannot be replayed.
     * @dev Because a finished leg is deleted, the same parameters can create a new leg again until the
     * creation deadline passes (as with Boltz's swaps). Off-chain code must not re-send an escrow for a
     * leg whose {LegRedeemed} event exists: the secret is public by then.
     */
    enum LegState {
        None,
        PremiumDeposited,
        Escrowed,
        Aborted
    }

    // ---------------------------------------------------------------- events

    /// @notice The redeemer deposited the premium, creating a premium leg. Carries every parameter of
    /// the leg (its id is {hashLeg} of them); the hashlock is indexed so that the legs of one swap can
    /// be found on every chain by it.
    event LegPremiumDeposited(
        bytes32 indexed hashlock,
        address indexed escrower,
        address indexed redeemer,
        address token,
        uint256 amount,
        Timelocks timelocks,
        address premiumToken,
        uint256 premiumAmount
    );

    /// @notice The escrower locked a native-coin plain leg (premium 0), creating it. Carries every
    /// parameter (the token, premium token and premium amount are zero).
    event NativeLegLocked(
        bytes32 indexed hashlock,
        address indexed escrower,
        address indexed redeemer,
        uint256 amount,
        Timelocks timelocks
    );

    /// @notice The escrower locked an ERC-20 plain leg (premium 0), creating it. Carries every parameter
    /// (the premium token and amount are zero).
    event LegLocked(
        bytes32 indexed hashlock,
        address indexed escrower,
        address indexed redeemer,
        address token,
        uint256 amount,
        Timelocks timelocks
    );

    /// @notice The escrower locked the principal of a premium leg (whose parameters
    /// {LegPremiumDeposited} carried).
    event LegEscrowed(bytes32 indexed legId);

    /// @notice The leg was redeemed with `secret`; the principal went to the redeemer.
    event LegRedeemed(bytes32 indexed legId, bytes32 secret);

    /// @notice The leg was escrowed and not redeemed by its timeout: principal and premium went to
    /// the escrower.
    event LegRefunded(bytes32 indexed legId);

    /// @notice The premium was deposited but the principal never escrowed: the premium went back to
    /// the redeemer.
    event LegPremiumRefunded(bytes32 indexed legId);

    /// @notice The escrower aborted the leg with the redeemer's signature: principal back to the
    /// escrower, premium back to the redeemer.
    event LegAborted(bytes32 indexed legId);

    /// @notice A payout to `account` failed and was credited to it instead; see {withdraw}.
    event PayoutCredited(address indexed account, address indexed token, uint256 amount);

    /**
     * @notice `account` withdrew `amount` of its credit of `token` to `to`: all of it (the two-argument
     * {withdraw}) or a part (the three-argument one; {credits} then holds what remains).
     * @dev One event for both, so that an indexer that keeps every account's credit as the sum of its
     * {PayoutCredited} minus its {CreditWithdrawn} amounts stays right with partial withdrawals and
     * needs no change: a dedicated event would be missed by such an indexer and skew its balance.
     */
    event CreditWithdrawn(address indexed account, address indexed token, address to, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice The leg is in `current`, which the called function does not accept.
    error LegUnexpectedState(bytes32 legId, LegState current);

    /// @notice Only the escrower may call this function for the leg.
    error LegCallerNotEscrower(bytes32 legId, address caller, address escrower);

    /// @notice Only the redeemer may call this function for the leg.
    error LegCallerNotRedeemer(bytes32 legId, address caller, address redeemer);

    /// @notice The escrower or the redeemer is the zero address or this contract.
    error LegInvalidParty(bytes32 legId, address account);

    /// @notice The escrower and the redeemer are the same account.
    error LegEscrowerIsRedeemer(bytes32 legId, address account);

    /// @notice The principal amount is zero.
    error LegZeroAmount(bytes32 legId);

    /// @notice {depositPremium} was called for a leg whose premium is zero (a plain HTLC).
    error LegNoPremium(bytes32 legId);

    /// @notice A plain leg (premium 0) names a premium token, a premium deadline or the option mode.
    error LegPremiumTermsWithoutPremium(bytes32 legId, address premiumToken, Timelocks timelocks);

    /// @notice The timelocks word has bits set outside its layout.
    error LegMalformedTimelocks(bytes32 legId, Timelocks timelocks);

    /// @notice The deadlines are not `premiumDeadline <= escrowDeadline < timeout`.
    error LegDeadlinesUnordered(bytes32 legId, uint256 premiumDeadline, uint256 escrowDeadline, uint256 timeout);

    /// @notice The timeout is further away than {MAX_TIMELOCK_HORIZON} allows.
    error LegTimeoutTooFar(bytes32 legId, uint256 timeout, uint256 latestTimeout);

    /// @notice The action's deadline has passed (`now > deadline`).
    error LegDeadlinePassed(bytes32 legId, uint256 deadline, uint256 currentTime);

    /// @notice The settlement's deadline has not passed yet (`now <= deadline`).
    error LegNotExpired(bytes32 legId, uint256 deadline, uint256 currentTime);

    /// @notice `sha256(secret)` is not the leg's hashlock.
    error LegWrongSecret(bytes32 legId, bytes32 hashlock, bytes32 secretHash);

    /// @notice The cooperative-abort signature is not the redeemer's for this leg.
    error LegInvalidAbortSignature(bytes32 legId, address redeemer);

    /// @notice A permit variant was called for a native-coin deposit.
    error LegPermitForNativeCoin(bytes32 legId);

    /// @notice The native coin sent with the call is not the amount the step needs.
    error NativeValueMismatch(uint256 expected, uint256 received);

    /// @notice The escrow's balance of `token` did not grow by exactly the amount transferred in
    /// (a fee-on-transfer or otherwise non-standard token).
    error TokenAmountMismatch(address token, uint256 expected, uint256 received);

    /// @notice `token` did not answer `balanceOf` with a word (not a token, or a reverting one).
    error TokenCallFailed(address token);

    /// @notice A batch's arrays differ in length.
    error BatchLengthMismatch(uint256 legs, uint256 secrets);

    /// @notice A batch call with no leg.
    error BatchEmpty();

    /// @notice `account` has no credit of `token`.
    error NothingToWithdraw(address account, address token);

    /// @notice `to` is the zero address, or sending a withdrawn native-coin credit to it failed.
    error WithdrawFailed(address to, uint256 amount);

    /// @notice A partial {withdraw} of `token` by `account` asked for 0.
    error WithdrawZeroAmount(address account, address token);

    /// @notice A partial {withdraw} asked for more than `account`'s `credit` of `token` (which may be 0).
    error WithdrawExceedsCredit(address account, address token, uint256 credit, uint256 amount);

    // ---------------------------------------------------------------- steps

    /**
     * @notice Step 1: the redeemer deposits the premium and so creates the leg.
     * @dev Caller must be `leg.redeemer`, by `premiumDeadline`. Pays `premiumAmount` of
     * `premiumToken` (as `msg.value` for the native coin, else by `transferFrom`). Validates every
     * parameter (ordered deadlines in the future under the horizon, non-zero amounts, distinct
     * non-zero parties).
     * @return legId the id of the new leg
     */
    function depositPremium(Leg calldata leg) external payable returns (bytes32 legId);

    /**
     * @notice {depositPremium} for an ERC-2612 token, approving with a permit in the same call. A
     * permit that fails (e.g. was front-run) falls back to an allowance that already exists.
     */
    function depositPremiumWithPermit(
        Leg calldata leg,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (bytes32 legId);

    /**
     * @notice Step 2: the escrower locks the principal. Creates a plain leg (premium 0); for a
     * premium leg it needs the premium in first.
     * @dev Caller must be `leg.escrower`, by `escrowDeadline`.
     * @return legId the id of the leg
     */
    function escrow(Leg calldata leg) external payable returns (bytes32 legId);

    /**
     * @notice {depositPremium} for many legs in one call (a market maker's or coordinator's step 1
     * across swaps). Every leg is checked and recorded before any asset moves; the premiums of one
     * token are summed and taken in by one transfer, the native-coin premiums must sum to
     * `msg.value`. Reverts as a whole if any leg cannot be created.
     */
    function depositPremiumBatch(Leg[] calldata legs) external payable;

    /**
     * @notice {escrow} for many legs in one call, with the principals taken in as in
     * {depositPremiumBatch}. Reverts as a whole if any leg cannot be escrowed.
     */
    function escrowBatch(Leg[] calldata legs) external payable;

    /// @notice {escrow} for an ERC-2612 token, approving with a permit in the same call (falls back
    /// to an existing allowance when the permit fails).
    function escrowWithPermit(
        Leg calldata leg,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (bytes32 legId);

    /**
     * @notice Step 3: anyone presents the secret by `timeout`. The principal goes to the redeemer,
     * never to the caller; the premium goes to the redeemer (hedge) or the escrower (option).
     */
    function redeem(Leg calldata leg, bytes32 secret) external;

    /// @notice {redeem} for many legs at once; payouts of one token to one recipient are summed
    /// into one transfer. Reverts as a whole if any leg cannot be redeemed.
    function redeemBatch(Leg[] calldata legs, bytes32[] calldata secrets) external;

    /**
     * @notice Step 4: anyone finishes a leg after its deadline. A leg escrowed and not redeemed by
     * `timeout` pays principal and premium to the escrower; a leg whose premium is in but whose
     * principal was never escrowed pays the premium back to the redeemer once `escrowDeadline` has
     * passed.
     */
    function settle(Leg calldata leg) external;

    /// @notice {settle} for many legs at once, with payouts summed as in {redeemBatch}.
    function settleBatch(Leg[] calldata legs) external;

    /**
     * @notice Cooperative abort, by `timeout`: the escrower calls with the redeemer's EIP-712
     * signature of `CooperativeAbort(Leg leg)` (an ECDSA signature, or an ERC-1271 contract
     * wallet's). Principal back to the escrower, premium back to the redeemer. The leg stays
     * `Aborted` for ever, so a signature works once.
     */
    function abort(Leg calldata leg, bytes calldata redeemerSignature) external;

    /**
     * @notice Pays the caller's whole credit of `token` (address(0): native coin) to `to`, any address
     * but zero. The credit is cleared before the transfer; a transfer that fails reverts the call and
     * keeps the credit.
     * @dev Reverts {NothingToWithdraw} without a credit and {WithdrawFailed} for `to` zero or a native
     * transfer that fails (a token's own revert is passed on; a token that returns false reverts with
     * SafeERC20's error). A credit can exceed what `token` moves in one transfer (payouts to one
     * recipient are merged: principal and premium, batch sums): withdraw it in parts with the
     * three-argument {withdraw}.
     * @return amount what was paid: the whole credit
     */
    function withdraw(address token, address to) external returns (uint256 amount);

    /**
     * @notice Pays `amount` of the caller's credit of `token` (address(0): native coin) to `to`, any
     * address but zero, and keeps the rest credited ({credits} gives what remains). For a credit that
     * `token` refuses to move in one transfer, e.g. a token with a per-transfer limit.
     * @dev Checks, then the credit lowered by `amount`, then {CreditWithdrawn} with `amount`, then the
     * transfer. Reverts {WithdrawZeroAmount} for `amount` 0, {WithdrawExceedsCredit} when `amount` is
     * above the credit (also when there is none), {WithdrawFailed} for `to` zero or a native transfer
     * that fails; a failing token transfer reverts the call, and the credit stays whole.
     * @param token  the credited asset; address(0) for the native coin
     * @param to     the recipient
     * @param amount how much of the credit to pay, > 0 and at most {credits}`(msg.sender, token)`
     * @return what was paid: `amount`
     */
    function withdraw(address token, address to, uint256 amount) external returns (uint256);

    // ---------------------------------------------------------------- plain HTLC shortcuts

    /*
     * A plain leg (premium 0, premium token address(0), hedge mode) is an ordinary HTLC. Besides the
     * general functions above, which take every parameter, it has shortcuts in the shape of the
     * leanest production HTLCs: the caller is the escrower (lock, refund) or the redeemer (claim), the
     * hashlock of a claim is the sha256 of its secret, and no premium word is sent. They create and
     * finish exactly the same legs (same ids, same events) as the general functions.
     */

    /**
     * @notice Creates and escrows a plain native-coin leg: the caller is the escrower, `msg.value`
     * the principal. Same rules as {escrow} of a plain leg. Its id is {hashLeg} of the leg with the
     * caller as escrower and zero premium fields.
     */
    function lock(address redeemer, bytes32 hashlock, Timelocks timelocks) external payable;

    /// @notice {lock} for an ERC-20 principal of `amount` `token`.
    function lockToken(address redeemer, bytes32 hashlock, address token, uint256 amount, Timelocks timelocks) external;

    /**
     * @notice Redeems a native-coin plain leg whose redeemer is the caller, by `timeout`. The
     * hashlock is `sha256(secret)`, so a wrong secret (like wrong terms) names a leg that does not
     * exist: {LegUnexpectedState} with `None`. {redeem} tells a wrong secret apart.
     */
    function claim(address escrower, uint256 amount, Timelocks timelocks, bytes32 secret) external;

    /// @notice {claim} for an ERC-20 plain leg.
    function claimToken(address escrower, address token, uint256 amount, Timelocks timelocks, bytes32 secret) external;

    /// @notice {claim} for many plain legs of the caller, in any assets; one transfer per asset.
    function claimBatch(PlainClaim[] calldata claims) external;

    /// @notice Refunds a native-coin plain leg whose escrower is the caller, once its timeout has passed.
    function refund(address redeemer, bytes32 hashlock, uint256 amount, Timelocks timelocks) external;

    /// @notice {refund} for an ERC-20 plain leg.
    function refundToken(
        address redeemer,
        bytes32 hashlock,
        address token,
        uint256 amount,
        Timelocks timelocks
    ) external;

    // ---------------------------------------------------------------- views

    /// @notice The id of `leg` on this chain and contract.
    function hashLeg(Leg calldata leg) external view returns (bytes32);

    /// @notice The EIP-712 digest the redeemer signs to allow the cooperative abort of `leg`.
    function hashAbort(Leg calldata leg) external view returns (bytes32);

    /// @notice The stored state of a leg.
    function legState(bytes32 legId) external view returns (LegState);

    /// @notice {legState} of many legs in one call (a watcher re-reading its legs after a restart).
    function legStatesOf(bytes32[] calldata legIds) external view returns (LegState[] memory states);

    /// @notice What `account` can withdraw of `token` (address(0): native coin).
    function credits(address account, address token) external view returns (uint256);
}
