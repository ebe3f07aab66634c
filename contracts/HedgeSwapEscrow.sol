// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IHedgeSwapEscrow} from "./interfaces/IHedgeSwapEscrow.sol";
import {PayoutList, PayoutListLib} from "./libraries/PayoutList.sol";
import {Timelocks} from "./types/Timelocks.sol";

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

    /// @notice The version of the leg rules and ABI; also the EIP-712 domain version. The SDK
    /// refuses a deployment whose version it does not support.
    string public constant VERSION = "1.0.0";

    /// @notice How far in the future a leg's timeout may lie when the leg is created.
    uint256 public constant MAX_TIMELOCK_HORIZON = 180 days;

    /// @notice Gas forwarded with a native-coin payout. A recipient that needs more (or reverts) is
    /// credited instead, so it cannot block or grief the caller.
    uint256 public constant NATIVE_PAYOUT_GAS = 50_000;

    /// @notice EIP-712 type of a leg, nested in the cooperative-abort message the redeemer signs.
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

    // ================================================================ general steps

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
        address premiumTo = _redeem(leg, secret);
        _payPair(leg.token, leg.redeemer, leg.amount, leg.premiumToken, premiumTo, leg.premiumAmount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function redeemBatch(Leg[] calldata legs, bytes32[] calldata secrets) external {
        uint256 n = legs.length;
        if (n == 0) revert BatchEmpty();
        if (secrets.length != n) revert BatchLengthMismatch(n, secrets.length);
        PayoutList payouts = PayoutListLib.create(2 * n);
        for (uint256 i; i < n; ++i) {
            Leg calldata leg = legs[i];
            address premiumTo = _redeem(leg, secrets[i]);
            payouts.add(leg.token, leg.redeemer, leg.amount);
            payouts.add(leg.premiumToken, premiumTo, leg.premiumAmount);
        }
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function settle(Leg calldata leg) external {
        (uint256 principal, address premiumTo) = _settle(leg);
        _payPair(leg.token, leg.escrower, principal, leg.premiumToken, premiumTo, leg.premiumAmount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function settleBatch(Leg[] calldata legs) external {
        uint256 n = legs.length;
        if (n == 0) revert BatchEmpty();
        PayoutList payouts = PayoutListLib.create(2 * n);
        for (uint256 i; i < n; ++i) {
            Leg calldata leg = legs[i];
            (uint256 principal, address premiumTo) = _settle(leg);
            payouts.add(leg.token, leg.escrower, principal);
            payouts.add(leg.premiumToken, premiumTo, leg.premiumAmount);
        }
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function abort(Leg calldata leg, bytes calldata redeemerSignature) external {
        bytes32 legId = _legId(leg);
        if (msg.sender != leg.escrower) revert LegCallerNotEscrower(legId, msg.sender, leg.escrower);
        LegState state = legState[legId];
        if (state != LegState.Escrowed && state != LegState.PremiumDeposited) {
            revert LegUnexpectedState(legId, state);
        }
        _requireNotPassed(legId, leg.timelocks.timeout());
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(ABORT_TYPEHASH, _hashLegStruct(leg))));
        if (!SignatureChecker.isValidSignatureNow(leg.redeemer, digest, redeemerSignature)) {
            revert LegInvalidAbortSignature(legId, leg.redeemer);
        }

        _setState(legId, LegState.Aborted);
        emit LegAborted(legId);

        uint256 principal = state == LegState.Escrowed ? leg.amount : 0;
        _payPair(leg.token, leg.escrower, principal, leg.premiumToken, leg.redeemer, leg.premiumAmount);
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

    // ================================================================ plain HTLC shortcuts

    /// @inheritdoc IHedgeSwapEscrow
    function lock(address redeemer, bytes32 hashlock, Timelocks timelocks) external payable returns (bytes32 legId) {
        legId = _plainLegId(msg.sender, redeemer, hashlock, address(0), msg.value, timelocks);
        _createPlain(legId, msg.sender, redeemer, hashlock, address(0), msg.value, timelocks);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function lockToken(
        address redeemer,
        bytes32 hashlock,
        address token,
        uint256 amount,
        Timelocks timelocks
    ) external returns (bytes32 legId) {
        legId = _plainLegId(msg.sender, redeemer, hashlock, token, amount, timelocks);
        _createPlain(legId, msg.sender, redeemer, hashlock, token, amount, timelocks);
        _pullIn(token, amount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function claim(address escrower, uint256 amount, Timelocks timelocks, bytes32 secret) external {
        _claimPlain(escrower, address(0), amount, timelocks, secret);
        _pay(address(0), msg.sender, amount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function claimToken(address escrower, address token, uint256 amount, Timelocks timelocks, bytes32 secret) external {
        _claimPlain(escrower, token, amount, timelocks, secret);
        _pay(token, msg.sender, amount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function claimBatch(PlainClaim[] calldata claims) external {
        uint256 n = claims.length;
        if (n == 0) revert BatchEmpty();
        PayoutList payouts = PayoutListLib.create(n);
        for (uint256 i; i < n; ++i) {
            PlainClaim calldata c = claims[i];
            address token = c.token;
            uint256 amount = c.amount;
            _claimPlain(c.escrower, token, amount, c.timelocks, c.secret);
            payouts.add(token, msg.sender, amount);
        }
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function refund(address redeemer, bytes32 hashlock, uint256 amount, Timelocks timelocks) external {
        _refundPlain(redeemer, hashlock, address(0), amount, timelocks);
        _pay(address(0), msg.sender, amount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function refundToken(
        address redeemer,
        bytes32 hashlock,
        address token,
        uint256 amount,
        Timelocks timelocks
    ) external {
        _refundPlain(redeemer, hashlock, token, amount, timelocks);
        _pay(token, msg.sender, amount);
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
        address redeemer = leg.redeemer;
        if (msg.sender != redeemer) revert LegCallerNotRedeemer(legId, msg.sender, redeemer);
        if (leg.premiumAmount == 0) revert LegNoPremium(legId);
        Timelocks timelocks = leg.timelocks;
        _validateNewLeg(legId, leg.escrower, redeemer, leg.amount, timelocks, timelocks.premiumDeadline());
        _transition(legId, LegState.None, LegState.PremiumDeposited);
        _emitPremiumDeposited(leg);

        _pullIn(leg.premiumToken, leg.premiumAmount);
    }

    function _escrow(Leg calldata leg) private returns (bytes32 legId) {
        legId = _legId(leg);
        address escrower = leg.escrower;
        if (msg.sender != escrower) revert LegCallerNotEscrower(legId, msg.sender, escrower);
        Timelocks timelocks = leg.timelocks;
        if (leg.premiumAmount == 0) {
            // A plain HTLC: escrowing creates the leg.
            if (leg.premiumToken != address(0)) {
                revert LegPremiumTermsWithoutPremium(legId, leg.premiumToken, timelocks);
            }
            _createPlain(legId, escrower, leg.redeemer, leg.hashlock, leg.token, leg.amount, timelocks);
        } else {
            _requireNotPassed(legId, timelocks.escrowDeadline());
            _transition(legId, LegState.PremiumDeposited, LegState.Escrowed);
            emit LegEscrowed(legId);
        }
        _pullIn(leg.token, leg.amount);
    }

    /// @dev Checks and effects of one redeem.
    /// @return premiumTo who gets the premium: the redeemer (hedge) or the escrower (option)
    function _redeem(Leg calldata leg, bytes32 secret) private returns (address premiumTo) {
        bytes32 legId = _legId(leg);
        Timelocks timelocks = leg.timelocks;
        _transition(legId, LegState.Escrowed, LegState.None);
        _requireNotPassed(legId, timelocks.timeout());
        bytes32 secretHash = _sha256(secret);
        if (secretHash != leg.hashlock) revert LegWrongSecret(legId, leg.hashlock, secretHash);
        emit LegRedeemed(legId, secret);

        return timelocks.isOption() ? leg.escrower : leg.redeemer;
    }

    /// @dev Checks and effects of one settlement. The principal (0 when it was never escrowed) goes to
    /// the escrower.
    /// @return principal what the escrower gets back
    /// @return premiumTo who gets the premium: the escrower (escrowed, expired) or the redeemer
    function _settle(Leg calldata leg) private returns (uint256 principal, address premiumTo) {
        bytes32 legId = _legId(leg);
        LegState state = legState[legId];
        if (state == LegState.Escrowed) {
            _requirePassed(legId, leg.timelocks.timeout());
            _setState(legId, LegState.None);
            emit LegRefunded(legId);
            return (leg.amount, leg.escrower);
        }
        if (state == LegState.PremiumDeposited) {
            _requirePassed(legId, leg.timelocks.escrowDeadline());
            _setState(legId, LegState.None);
            emit LegPremiumRefunded(legId);
            return (0, leg.redeemer);
        }
        revert LegUnexpectedState(legId, state);
    }

    /// @dev Creates a plain leg: checks, state, event. The caller then takes the principal in.
    function _createPlain(
        bytes32 legId,
        address escrower,
        address redeemer,
        bytes32 hashlock,
        address token,
        uint256 amount,
        Timelocks timelocks
    ) private {
        if (!_isValidNewPlainLeg(escrower, redeemer, amount, timelocks)) {
            _validateNewPlainLeg(legId, escrower, redeemer, amount, timelocks);
        }
        _transition(legId, LegState.None, LegState.Escrowed);
        if (token == address(0)) {
            bytes32 topic0 = NativeLegLocked.selector;
            assembly ("memory-safe") {
                mstore(0x00, amount)
                mstore(0x20, timelocks)
                log4(0x00, 0x40, topic0, hashlock, escrower, redeemer)
            }
        } else {
            emit LegLocked(hashlock, escrower, redeemer, token, amount, timelocks);
        }
    }

    /// @dev Checks and effects of a claim of a plain leg by its redeemer, the caller.
    function _claimPlain(address escrower, address token, uint256 amount, Timelocks timelocks, bytes32 secret) private {
        bytes32 legId = _plainLegId(escrower, msg.sender, _sha256(secret), token, amount, timelocks);
        _transition(legId, LegState.Escrowed, LegState.None);
        _requireNotPassed(legId, timelocks.timeout());
        emit LegRedeemed(legId, secret);
    }

    /// @dev Checks and effects of a refund of a plain leg to its escrower, the caller.
    function _refundPlain(address redeemer, bytes32 hashlock, address token, uint256 amount, Timelocks timelocks) private {
        bytes32 legId = _plainLegId(msg.sender, redeemer, hashlock, token, amount, timelocks);
        _transition(legId, LegState.Escrowed, LegState.None);
        _requirePassed(legId, timelocks.timeout());
        emit LegRefunded(legId);
    }

    // ================================================================ internal: checks

    /**
     * @dev Fast path of the rules of a new plain leg: true when {_validateNewPlainLeg} would pass.
     * Branch-free; it may only be stricter than the reference, never more lenient, because a `false`
     * runs the reference, which reverts with the precise error (and passes if this was too strict).
     */
    function _isValidNewPlainLeg(
        address escrower,
        address redeemer,
        uint256 amount,
        Timelocks timelocks
    ) private view returns (bool ok) {
        uint256 currentTime = _now();
        uint256 horizon = MAX_TIMELOCK_HORIZON;
        assembly ("memory-safe") {
            let t := timelocks
            let escrowDeadline := and(shr(40, t), 0xffffffffff)
            let timeout := and(shr(80, t), 0xffffffffff)
            ok := and(
                and(
                    // no bit at or above the mode bit (plain legs are hedge mode); premium <= escrow < timeout
                    and(iszero(shr(120, t)), iszero(gt(and(t, 0xffffffffff), escrowDeadline))),
                    and(lt(escrowDeadline, timeout), iszero(gt(currentTime, escrowDeadline)))
                ),
                and(
                    and(iszero(gt(timeout, add(currentTime, horizon))), iszero(iszero(amount))),
                    and(
                        and(iszero(eq(escrower, redeemer)), iszero(iszero(redeemer))),
                        and(
                            and(iszero(eq(redeemer, address())), iszero(iszero(escrower))),
                            iszero(eq(escrower, address()))
                        )
                    )
                )
            )
        }
    }

    /// @dev The rules of a new plain leg, in order, each with its error (the reference of
    /// {_isValidNewPlainLeg}).
    function _validateNewPlainLeg(
        bytes32 legId,
        address escrower,
        address redeemer,
        uint256 amount,
        Timelocks timelocks
    ) private view {
        if (!timelocks.isWellFormed()) revert LegMalformedTimelocks(legId, timelocks);
        if (timelocks.isOption()) revert LegPremiumTermsWithoutPremium(legId, address(0), timelocks);
        _validateNewLeg(legId, escrower, redeemer, amount, timelocks, timelocks.escrowDeadline());
    }

    /// @dev Every rule a new leg must satisfy; `creationDeadline` is the deadline of the step that
    /// creates it (premiumDeadline for a premium leg, escrowDeadline for a plain one).
    function _validateNewLeg(
        bytes32 legId,
        address escrower,
        address redeemer,
        uint256 amount,
        Timelocks timelocks,
        uint256 creationDeadline
    ) private view {
        if (!timelocks.isWellFormed()) revert LegMalformedTimelocks(legId, timelocks);
        uint256 escrowDeadline = timelocks.escrowDeadline();
        uint256 timeout = timelocks.timeout();
        if (timelocks.premiumDeadline() > escrowDeadline || escrowDeadline >= timeout) {
            revert LegDeadlinesUnordered(legId, timelocks.premiumDeadline(), escrowDeadline, timeout);
        }
        uint256 currentTime = _now();
        if (currentTime > creationDeadline) revert LegDeadlinePassed(legId, creationDeadline, currentTime);
        uint256 latestTimeout;
        unchecked {
            latestTimeout = currentTime + MAX_TIMELOCK_HORIZON; // a timestamp plus 180 days cannot overflow
        }
        if (timeout > latestTimeout) revert LegTimeoutTooFar(legId, timeout, latestTimeout);
        if (amount == 0) revert LegZeroAmount(legId);
        if (escrower == redeemer) revert LegEscrowerIsRedeemer(legId, escrower);
        if (escrower == address(0) || escrower == address(this)) revert LegInvalidParty(legId, escrower);
        if (redeemer == address(0) || redeemer == address(this)) revert LegInvalidParty(legId, redeemer);
    }

    /// @dev Moves a leg from state `from` to state `to`, reading and writing its word once. (The enum
    /// is alone in its slot, so the whole word is written.) Reverts with the state found otherwise.
    function _transition(bytes32 legId, LegState from, LegState to) private {
        uint256 slot;
        uint256 current;
        assembly ("memory-safe") {
            mstore(0x00, legId)
            mstore(0x20, legState.slot)
            slot := keccak256(0x00, 0x40)
            current := sload(slot)
        }
        if (current != uint256(from)) revert LegUnexpectedState(legId, LegState(current));
        assembly ("memory-safe") {
            sstore(slot, to)
        }
    }

    /// @dev Writes a leg's word, whatever it held (the caller has read it).
    function _setState(bytes32 legId, LegState state) private {
        assembly ("memory-safe") {
            mstore(0x00, legId)
            mstore(0x20, legState.slot)
            sstore(keccak256(0x00, 0x40), state)
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

    /// @dev The leg id: `keccak256(abi.encode(block.chainid, address(this), leg))`. `Leg` is static, so
    /// its 8 words lie contiguously in calldata and are hashed as they are, after checking that the four
    /// address words are clean (as the ABI decoder would): one leg has exactly one id, and its words
    /// can be logged raw.
    function _legId(Leg calldata leg) private view returns (bytes32 legId) {
        assembly ("memory-safe") {
            if or(
                or(shr(160, calldataload(leg)), shr(160, calldataload(add(leg, 0x20)))),
                or(shr(160, calldataload(add(leg, 0x60))), shr(160, calldataload(add(leg, 0xa0))))
            ) {
                revert(0, 0)
            }
            let ptr := mload(0x40)
            mstore(ptr, chainid())
            mstore(add(ptr, 0x20), address())
            calldatacopy(add(ptr, 0x40), leg, 0x100)
            legId := keccak256(ptr, 0x140)
        }
    }

    /// @dev The id of a plain leg (premium token and amount zero), built from its parts; equal to
    /// {_legId} of the same leg.
    function _plainLegId(
        address escrower,
        address redeemer,
        bytes32 hashlock,
        address token,
        uint256 amount,
        Timelocks timelocks
    ) private view returns (bytes32 legId) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, chainid())
            mstore(add(ptr, 0x20), address())
            mstore(add(ptr, 0x40), escrower)
            mstore(add(ptr, 0x60), redeemer)
            mstore(add(ptr, 0x80), hashlock)
            mstore(add(ptr, 0xa0), token)
            mstore(add(ptr, 0xc0), amount)
            mstore(add(ptr, 0xe0), 0)
            mstore(add(ptr, 0x100), 0)
            mstore(add(ptr, 0x120), timelocks)
            legId := keccak256(ptr, 0x140)
        }
    }

    /// @dev The EIP-712 struct hash `keccak256(abi.encode(LEG_TYPEHASH, leg))` (for the abort signature).
    function _hashLegStruct(Leg calldata leg) private pure returns (bytes32 structHash) {
        bytes32 typeHash = LEG_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), leg, 0x100)
            structHash := keccak256(ptr, 0x120)
        }
    }

    /// @dev `sha256(abi.encodePacked(secret))` through the precompile, in scratch space.
    function _sha256(bytes32 secret) private view returns (bytes32 digest) {
        assembly ("memory-safe") {
            mstore(0x00, secret)
            if iszero(staticcall(gas(), 0x02, 0x00, 0x20, 0x00, 0x20)) {
                revert(0, 0)
            }
            digest := mload(0x00)
        }
    }

    /// @dev Emits {LegPremiumDeposited}: topics hashlock, escrower, redeemer; data the leg's last five
    /// words (token, amount, premiumToken, premiumAmount, timelocks), copied from calldata (the address
    /// words were checked clean by {_hashLegStruct}).
    function _emitPremiumDeposited(Leg calldata leg) private {
        bytes32 eventSelector = LegPremiumDeposited.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, add(leg, 0x60), 0xa0)
            log4(
                ptr,
                0xa0,
                eventSelector,
                calldataload(add(leg, 0x40)),
                calldataload(leg),
                calldataload(add(leg, 0x20))
            )
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
        try IERC20Permit(token).permit(msg.sender, address(this), amount, permitDeadline, v, r, s) {} catch {}
    }

    /// @dev Pays every collected payout.
    function _payAll(PayoutList payouts) private {
        uint256 n = payouts.length();
        for (uint256 i; i < n; ++i) {
            (address token, address to, uint256 amount) = payouts.at(i);
            _pay(token, to, amount);
        }
    }

    /// @dev Pays two amounts, as one transfer when they go to the same recipient in the same asset.
    function _payPair(
        address token1,
        address to1,
        uint256 amount1,
        address token2,
        address to2,
        uint256 amount2
    ) private {
        if (token1 == token2 && to1 == to2) {
            _pay(token1, to1, amount1 + amount2);
        } else {
            _pay(token1, to1, amount1);
            _pay(token2, to2, amount2);
        }
    }

    /// @dev Pays `amount` of `token` to `to` (nothing when 0); a payout that fails for any reason is
    /// credited to `to` instead, so no recipient can block the call.
    function _pay(address token, address to, uint256 amount) private {
        if (amount == 0) return;
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
