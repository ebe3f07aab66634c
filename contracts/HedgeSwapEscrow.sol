// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IHedgeSwapEscrow} from "./interfaces/IHedgeSwapEscrow.sol";
import {Timelocks} from "./types/Timelocks.sol";
import {Payout, PayoutList} from "./libraries/PayoutList.sol";

/**
 * @title HedgeSwapEscrow
 * @notice The leg escrow of hedgeswap: hashed-timelock legs in the native coin or any ERC-20, with
 * optional hedge or option premiums. See {IHedgeSwapEscrow} for the rules and the timeline.
 * @dev Storage is one word per leg (its {LegState}) plus the credits of failed payouts. Every
 * function checks, then writes state and emits, then moves assets (checks-effects-interactions);
 * batch functions finish every leg's effects before the first transfer.
 */
contract HedgeSwapEscrow is IHedgeSwapEscrow, EIP712 {
    using SafeERC20 for IERC20;
    using PayoutList for Payout[];

    /// @notice The version of the leg rules and ABI; also the EIP-712 domain version. The SDK
    /// refuses a deployment whose version it does not support.
    string public constant VERSION = "1.0.0";

    /// @notice How far in the future a leg's timeout may lie when the leg is created.
    uint256 public constant MAX_TIMELOCK_HORIZON = 180 days;

    /// @notice Gas forwarded with a native-coin payout. A recipient that needs more (or reverts) is
    /// credited instead, so it cannot block or grief the caller.
    uint256 public constant NATIVE_PAYOUT_GAS = 50_000;

    /// @notice EIP-712 type of a leg; the leg id is the typed-data hash of this struct.
    bytes32 public constant LEG_TYPEHASH =
        keccak256(
            "Leg(address escrower,address redeemer,bytes32 hashlock,address token,uint256 amount,"
            "address premiumToken,uint256 premiumAmount,uint256 timelocks)"
        );

    /// @notice EIP-712 type the redeemer signs to allow a cooperative abort.
    bytes32 public constant ABORT_TYPEHASH =
        keccak256(
            "CooperativeAbort(Leg leg)Leg(address escrower,address redeemer,bytes32 hashlock,address token,"
            "uint256 amount,address premiumToken,uint256 premiumAmount,uint256 timelocks)"
        );

    /// @inheritdoc IHedgeSwapEscrow
    mapping(bytes32 legId => LegState) public legState;

    /// @inheritdoc IHedgeSwapEscrow
    mapping(address account => mapping(address token => uint256)) public credits;

    constructor() EIP712("HedgeSwapEscrow", VERSION) {}

    // ================================================================ steps

    /// @inheritdoc IHedgeSwapEscrow
    function depositPremium(Leg calldata leg) external payable returns (bytes32 legId) {
        return _depositPremium(leg);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function depositPremiumWithPermit(
        Leg calldata leg,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (bytes32 legId) {
        _tryPermit(leg, leg.premiumToken, leg.premiumAmount, permitDeadline, v, r, s);
        return _depositPremium(leg);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function escrow(Leg calldata leg) external payable returns (bytes32 legId) {
        return _escrow(leg);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function escrowWithPermit(
        Leg calldata leg,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (bytes32 legId) {
        _tryPermit(leg, leg.token, leg.amount, permitDeadline, v, r, s);
        return _escrow(leg);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function redeem(Leg calldata leg, bytes32 secret) external {
        Payout[] memory payouts = PayoutList.create(2);
        _redeem(leg, secret, payouts);
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function redeemBatch(Leg[] calldata legs, bytes32[] calldata secrets) external {
        uint256 n = legs.length;
        if (n == 0) revert BatchEmpty();
        if (secrets.length != n) revert BatchLengthMismatch(n, secrets.length);
        Payout[] memory payouts = PayoutList.create(2 * n);
        for (uint256 i; i < n; ++i) {
            _redeem(legs[i], secrets[i], payouts);
        }
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function settle(Leg calldata leg) external {
        Payout[] memory payouts = PayoutList.create(2);
        _settle(leg, payouts);
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function settleBatch(Leg[] calldata legs) external {
        uint256 n = legs.length;
        if (n == 0) revert BatchEmpty();
        Payout[] memory payouts = PayoutList.create(2 * n);
        for (uint256 i; i < n; ++i) {
            _settle(legs[i], payouts);
        }
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function abort(Leg calldata leg, bytes calldata redeemerSignature) external {
        bytes32 structHash = _hashLegStruct(leg);
        bytes32 legId = _hashTypedDataV4(structHash);
        if (msg.sender != leg.escrower) revert LegCallerNotEscrower(legId, msg.sender, leg.escrower);
        LegState state = legState[legId];
        if (state != LegState.Escrowed && state != LegState.PremiumDeposited) {
            revert LegUnexpectedState(legId, state);
        }
        _requireNotPassed(legId, leg.timelocks.timeout());
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(ABORT_TYPEHASH, structHash)));
        if (!SignatureChecker.isValidSignatureNow(leg.redeemer, digest, redeemerSignature)) {
            revert LegInvalidAbortSignature(legId, leg.redeemer);
        }

        legState[legId] = LegState.Aborted;
        emit LegAborted(legId);

        Payout[] memory payouts = PayoutList.create(2);
        if (state == LegState.Escrowed) payouts.add(leg.token, leg.escrower, leg.amount);
        payouts.add(leg.premiumToken, leg.redeemer, leg.premiumAmount);
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function withdraw(address token, address to) external returns (uint256 amount) {
        amount = credits[msg.sender][token];
        if (amount == 0) revert NothingToWithdraw(msg.sender, token);
        if (to == address(0)) revert WithdrawFailed(to, amount);

        delete credits[msg.sender][token];
        emit CreditWithdrawn(msg.sender, token, to, amount);

        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert WithdrawFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    // ================================================================ views

    /// @inheritdoc IHedgeSwapEscrow
    function hashLeg(Leg calldata leg) external view returns (bytes32) {
        return _legId(leg);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function hashAbort(Leg calldata leg) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ABORT_TYPEHASH, _hashLegStruct(leg))));
    }

    // ================================================================ internal: steps

    function _depositPremium(Leg calldata leg) private returns (bytes32 legId) {
        legId = _legId(leg);
        if (msg.sender != leg.redeemer) revert LegCallerNotRedeemer(legId, msg.sender, leg.redeemer);
        if (leg.premiumAmount == 0) revert LegNoPremium(legId);
        LegState state = legState[legId];
        if (state != LegState.None) revert LegUnexpectedState(legId, state);
        _validateNewLeg(legId, leg, leg.timelocks.premiumDeadline());

        legState[legId] = LegState.PremiumDeposited;
        emit LegPremiumDeposited(
            legId,
            leg.escrower,
            leg.redeemer,
            leg.hashlock,
            leg.token,
            leg.amount,
            leg.premiumToken,
            leg.premiumAmount,
            leg.timelocks
        );

        _pullIn(leg.premiumToken, leg.premiumAmount);
    }

    function _escrow(Leg calldata leg) private returns (bytes32 legId) {
        legId = _legId(leg);
        if (msg.sender != leg.escrower) revert LegCallerNotEscrower(legId, msg.sender, leg.escrower);
        LegState state = legState[legId];
        if (leg.premiumAmount == 0) {
            // A plain HTLC: escrowing creates the leg.
            if (state != LegState.None) revert LegUnexpectedState(legId, state);
            _validateNewLeg(legId, leg, leg.timelocks.escrowDeadline());
        } else {
            if (state != LegState.PremiumDeposited) revert LegUnexpectedState(legId, state);
            _requireNotPassed(legId, leg.timelocks.escrowDeadline());
        }

        legState[legId] = LegState.Escrowed;
        emit LegEscrowed(
            legId,
            leg.escrower,
            leg.redeemer,
            leg.hashlock,
            leg.token,
            leg.amount,
            leg.premiumToken,
            leg.premiumAmount,
            leg.timelocks
        );

        _pullIn(leg.token, leg.amount);
    }

    /// @dev Checks and effects of one redeem; adds its payouts to `payouts`.
    function _redeem(Leg calldata leg, bytes32 secret, Payout[] memory payouts) private {
        bytes32 legId = _legId(leg);
        LegState state = legState[legId];
        if (state != LegState.Escrowed) revert LegUnexpectedState(legId, state);
        Timelocks timelocks = leg.timelocks;
        _requireNotPassed(legId, timelocks.timeout());
        bytes32 secretHash = sha256(abi.encodePacked(secret));
        if (secretHash != leg.hashlock) revert LegWrongSecret(legId, leg.hashlock, secretHash);

        delete legState[legId];
        emit LegRedeemed(legId, secret);

        payouts.add(leg.token, leg.redeemer, leg.amount);
        payouts.add(leg.premiumToken, timelocks.isOption() ? leg.escrower : leg.redeemer, leg.premiumAmount);
    }

    /// @dev Checks and effects of one settlement; adds its payouts to `payouts`.
    function _settle(Leg calldata leg, Payout[] memory payouts) private {
        bytes32 legId = _legId(leg);
        LegState state = legState[legId];
        if (state == LegState.Escrowed) {
            _requirePassed(legId, leg.timelocks.timeout());
            delete legState[legId];
            emit LegRefunded(legId);
            payouts.add(leg.token, leg.escrower, leg.amount);
            payouts.add(leg.premiumToken, leg.escrower, leg.premiumAmount);
        } else if (state == LegState.PremiumDeposited) {
            _requirePassed(legId, leg.timelocks.escrowDeadline());
            delete legState[legId];
            emit LegPremiumRefunded(legId);
            payouts.add(leg.premiumToken, leg.redeemer, leg.premiumAmount);
        } else {
            revert LegUnexpectedState(legId, state);
        }
    }

    // ================================================================ internal: checks

    /// @dev Every rule a new leg must satisfy; `creationDeadline` is the deadline of the step that
    /// creates it (premiumDeadline for a premium leg, escrowDeadline for a plain one).
    function _validateNewLeg(bytes32 legId, Leg calldata leg, uint256 creationDeadline) private view {
        Timelocks timelocks = leg.timelocks;
        if (!timelocks.isWellFormed()) revert LegMalformedTimelocks(legId, timelocks);
        uint256 premiumDeadline = timelocks.premiumDeadline();
        uint256 escrowDeadline = timelocks.escrowDeadline();
        uint256 timeout = timelocks.timeout();
        if (premiumDeadline > escrowDeadline || escrowDeadline >= timeout) {
            revert LegDeadlinesUnordered(legId, premiumDeadline, escrowDeadline, timeout);
        }
        _requireNotPassed(legId, creationDeadline);
        uint256 latestTimeout = _now() + MAX_TIMELOCK_HORIZON;
        if (timeout > latestTimeout) revert LegTimeoutTooFar(legId, timeout, latestTimeout);

        if (leg.amount == 0) revert LegZeroAmount(legId);
        address escrower = leg.escrower;
        address redeemer = leg.redeemer;
        if (
            escrower == address(0) ||
            redeemer == address(0) ||
            escrower == address(this) ||
            redeemer == address(this)
        ) {
            revert LegZeroAddress(legId, escrower, redeemer);
        }
        if (escrower == redeemer) revert LegEscrowerIsRedeemer(legId, escrower);
        if (leg.premiumAmount == 0 && (leg.premiumToken != address(0) || timelocks.isOption())) {
            revert LegPremiumTermsWithoutPremium(legId, leg.premiumToken, timelocks);
        }
    }

    /// @dev An action "by `deadline`" is valid while `now <= deadline`.
    function _requireNotPassed(bytes32 legId, uint256 deadline) private view {
        uint256 currentTime = _now();
        if (currentTime > deadline) revert LegDeadlinePassed(legId, deadline, currentTime);
    }

    /// @dev A settlement "after `deadline`" is valid once `now > deadline`.
    function _requirePassed(bytes32 legId, uint256 deadline) private view {
        uint256 currentTime = _now();
        if (currentTime <= deadline) revert LegNotExpired(legId, deadline, currentTime);
    }

    /// @dev The one seam for time.
    function _now() internal view virtual returns (uint256) {
        return block.timestamp;
    }

    // ================================================================ internal: hashing

    /// @dev The leg id: the EIP-712 typed-data hash of the leg under this contract's domain (which
    /// binds the chain id and this contract's address).
    function _legId(Leg calldata leg) private view returns (bytes32) {
        return _hashTypedDataV4(_hashLegStruct(leg));
    }

    /// @dev `keccak256(abi.encode(LEG_TYPEHASH, leg))`. `Leg` is static, so its 8 words lie
    /// contiguously in calldata and are hashed as they are. Every field the contract then reads is
    /// validated by the ABI decoder, so non-canonical (dirty) words can only produce an id that no
    /// leg has.
    function _hashLegStruct(Leg calldata leg) private pure returns (bytes32 structHash) {
        bytes32 typeHash = LEG_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), leg, 0x100)
            structHash := keccak256(ptr, 0x120)
        }
    }

    // ================================================================ internal: assets

    /// @dev Takes `amount` of `token` from the caller: the native coin must come as exactly
    /// `msg.value`; a token must raise this contract's balance by exactly `amount`.
    function _pullIn(address token, uint256 amount) private {
        if (token == address(0)) {
            if (msg.value != amount) revert NativeValueMismatch(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert NativeValueMismatch(0, msg.value);
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert TokenAmountMismatch(token, amount, received);
    }

    /// @dev Tries the permit; a failure (front-run, unsupported) is ignored so that an allowance
    /// that already exists still works. A missing allowance then fails in `transferFrom`.
    function _tryPermit(
        Leg calldata leg,
        address token,
        uint256 amount,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) private {
        if (token == address(0)) revert LegPermitForNativeCoin(_legId(leg));
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(token).permit(msg.sender, address(this), amount, permitDeadline, v, r, s) {} catch {}
    }

    /// @dev Pays every collected payout.
    function _payAll(Payout[] memory payouts) private {
        uint256 n = payouts.length;
        for (uint256 i; i < n; ++i) {
            Payout memory p = payouts[i];
            _pay(p.token, p.to, p.amount);
        }
    }

    /// @dev Pays `amount` of `token` to `to`; a payout that fails for any reason is credited to `to`
    /// instead, so no recipient can block the call.
    function _pay(address token, address to, uint256 amount) private {
        bool ok;
        if (token == address(0)) {
            uint256 payoutGas = NATIVE_PAYOUT_GAS;
            assembly ("memory-safe") {
                ok := call(payoutGas, to, amount, 0, 0, 0, 0)
            }
        } else {
            ok = IERC20(token).trySafeTransfer(to, amount);
        }
        if (!ok) {
            credits[to][token] += amount;
            emit PayoutCredited(to, token, amount);
        }
    }
}
