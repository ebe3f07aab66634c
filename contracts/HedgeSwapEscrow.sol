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
    uint256 public constant MAX_TIMELOCK_HORIZON = 15_552_000; // 180 days

    /// @notice Gas forwarded with a native-coin payout. A recipient that needs more (or reverts) is
    /// credited instead, so it cannot block or grief the caller.
    uint256 internal constant NATIVE_PAYOUT_GAS = 50_000;

    // Topics of the events the plain shortcuts emit from assembly (literals, so assembly can use them;
    // a test checks each against the event's signature).
    bytes32 private constant _NATIVE_LEG_LOCKED = 0xc2b77ca6d1093132a210322c5c04b45d22fafff15c513e4e1b16b96eac878acb;
    bytes32 private constant _LEG_LOCKED = 0x189ec8d4eb5f0d43d58a9f37ae93a12be9c1c80e43f62bc2b984b31229ff457a;
    bytes32 private constant _LEG_REDEEMED = 0x8e0884737c7b71d2f6bff0661be2bb9a200b2d2207d539da1c3af1e1a1a0d238;
    // Bits a plain leg's timelocks may not set: the premium deadline, the mode bit and the unused bits.
    uint256 private constant _PLAIN_TIMELOCKS_FORBIDDEN =
        0xffffffffffffffffffffffffffffffffff00000000000000000000ffffffffff;
    bytes32 private constant _LEG_PREMIUM_DEPOSITED = 0xd7621177541e0c1d22e46ca6aa14109619d9c77949d2a9c302a010ed5afc66f3;
    bytes32 private constant _LEG_ESCROWED = 0x59c8b06b60332eaa53fb12b245cfd680edfa6887a1e1f5c4fba9b3254bd6cf5f;
    bytes32 private constant _LEG_REFUNDED = 0x05a25cb2c3843468772bf19a6c62aefdeaacf19ebd37d892dfd84488de60e91c;

    /// @notice EIP-712 type of a leg, nested in the cooperative-abort message the redeemer signs.
    bytes32 internal constant LEG_TYPEHASH =
        keccak256(
            "Leg(address escrower,address redeemer,bytes32 hashlock,address token,uint256 amount,"
            "uint256 timelocks,address premiumToken,uint256 premiumAmount)"
        );

    /// @notice EIP-712 type the redeemer signs to allow a cooperative abort.
    bytes32 internal constant ABORT_TYPEHASH =
        keccak256(
            "CooperativeAbort(Leg leg)Leg(address escrower,address redeemer,bytes32 hashlock,address token,"
            "uint256 amount,uint256 timelocks,address premiumToken,uint256 premiumAmount)"
        );

    // A leg's state is stored at the storage slot numbered by its id: the id is already a keccak hash of
    // domain-separated data, as unlikely to meet another slot as a mapping's slot is, and using it saves
    // the mapping's extra hash on every step. The only other storage is {credits} (and EIP-712's unused
    // fallback strings at slots 0 and 1).

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
    function depositPremiumBatch(Leg[] calldata legs) external payable {
        _enterBatch(legs, false);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function escrowBatch(Leg[] calldata legs) external payable {
        _enterBatch(legs, true);
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
        (address redeemer, address token, uint256 amount, address premiumToken, uint256 premiumAmount) = _payoutWords(
            leg
        );
        _payPair(token, redeemer, amount, premiumToken, premiumTo, premiumAmount);
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
        (address escrower, address token, address premiumToken, uint256 premiumAmount) = _settleWords(leg);
        _payPair(token, escrower, principal, premiumToken, premiumTo, premiumAmount);
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
        LegState state = _stateOf(legId);
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
        _withdraw(token, to, amount, amount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function withdraw(address token, address to, uint256 amount) external returns (uint256) {
        if (amount == 0) revert WithdrawZeroAmount(msg.sender, token);
        uint256 credit = credits[msg.sender][token];
        if (amount > credit) revert WithdrawExceedsCredit(msg.sender, token, credit, amount);
        _withdraw(token, to, credit, amount);
        return amount;
    }

    // ================================================================ plain HTLC shortcuts

    /// @inheritdoc IHedgeSwapEscrow
    function lock(address redeemer, bytes32 hashlock, Timelocks timelocks) external payable {
        _lockPlain(redeemer, hashlock, address(0), msg.value, timelocks);
        // The creation event, as in {_emitPlainLocked} (inlined: this is the hottest path).
        assembly ("memory-safe") {
            mstore(0x00, callvalue())
            mstore(0x20, timelocks)
            log4(0x00, 0x40, _NATIVE_LEG_LOCKED, hashlock, caller(), redeemer)
        }
    }

    /// @inheritdoc IHedgeSwapEscrow
    function lockToken(address redeemer, bytes32 hashlock, address token, uint256 amount, Timelocks timelocks) external {
        _lockPlain(redeemer, hashlock, token, amount, timelocks);
        // The creation event, as in {_emitPlainLocked}. A token of address(0) names a native leg, which
        // {_pullIn} then refuses (this function takes no native coin), so that event is never logged.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, token)
            mstore(add(ptr, 0x20), amount)
            mstore(add(ptr, 0x40), timelocks)
            log4(ptr, 0x60, _LEG_LOCKED, hashlock, caller(), redeemer)
        }
        _pullIn(token, amount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function claim(address escrower, uint256 amount, Timelocks timelocks, bytes32 secret) external {
        _claimPlain(escrower, address(0), amount, timelocks, secret);
        _payNativePrincipal(amount);
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
        // Everything goes to the caller: sum runs of claims in the same token, and hand a run to the
        // payout list only when the token changes.
        PayoutList payouts = PayoutListLib.create(n);
        address runToken;
        uint256 runAmount;
        for (uint256 i; i < n; ++i) {
            PlainClaim calldata c = claims[i];
            address escrower;
            address token;
            assembly ("memory-safe") {
                // read raw, refused as the ABI decoder refuses them when a bit above the address is set
                escrower := calldataload(c)
                token := calldataload(add(c, 0x20))
                if shr(160, or(escrower, token)) {
                    revert(0, 0)
                }
            }
            uint256 amount = c.amount;
            _claimPlain(escrower, token, amount, c.timelocks, c.secret);
            if (token != runToken) {
                payouts.add(runToken, msg.sender, runAmount);
                runToken = token;
                runAmount = 0;
            }
            runAmount += amount;
        }
        payouts.add(runToken, msg.sender, runAmount);
        _payAll(payouts);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function refund(address redeemer, bytes32 hashlock, uint256 amount, Timelocks timelocks) external {
        _refundPlain(_plainLegId(msg.sender, redeemer, hashlock, address(0), amount, timelocks), timelocks);
        _payNativePrincipal(amount);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function refundToken(
        address redeemer,
        bytes32 hashlock,
        address token,
        uint256 amount,
        Timelocks timelocks
    ) external {
        // The five arguments are the leg's last five words in order: its id hashes them straight from
        // calldata ({_argsPlainLegId}), so `redeemer` and `hashlock` are not read again here.
        (redeemer, hashlock);
        _refundPlain(_argsPlainLegId(), timelocks);
        _pay(token, msg.sender, amount);
    }

    // ================================================================ views

    /// @inheritdoc IHedgeSwapEscrow
    function legState(bytes32 legId) external view returns (LegState) {
        return _stateOf(legId);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function legStatesOf(bytes32[] calldata legIds) external view returns (LegState[] memory states) {
        uint256 n = legIds.length;
        states = new LegState[](n);
        for (uint256 i; i < n; ++i) {
            states[i] = _stateOf(legIds[i]);
        }
    }

    /// @inheritdoc IHedgeSwapEscrow
    function hashLeg(Leg calldata leg) external view returns (bytes32) {
        return _legId(leg);
    }

    /// @inheritdoc IHedgeSwapEscrow
    function hashAbort(Leg calldata leg) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ABORT_TYPEHASH, _hashLegStruct(leg))));
    }

    // ================================================================ internal: steps

    /// @dev Step 1 (`principal` false: premiums) or step 2 (`principal` true: principals) of many legs:
    /// every leg's checks and effects, then one pull per asset of the summed amounts.
    function _enterBatch(Leg[] calldata legs, bool principal) private {
        uint256 n = legs.length;
        if (n == 0) revert BatchEmpty();
        PayoutList pulls = PayoutListLib.create(n);
        for (uint256 i; i < n; ++i) {
            Leg calldata leg = legs[i];
            if (principal) {
                _lockPrincipal(leg);
                pulls.add(leg.token, msg.sender, leg.amount);
            } else {
                _openPremium(leg);
                pulls.add(leg.premiumToken, msg.sender, leg.premiumAmount);
            }
        }
        _pullAll(pulls);
    }

    function _depositPremium(Leg calldata leg) private returns (bytes32 legId) {
        legId = _openPremium(leg);
        _pullIn(leg.premiumToken, leg.premiumAmount);
    }

    /// @dev Checks and effects of one premium deposit (the caller then takes the premium in).
    function _openPremium(Leg calldata leg) private returns (bytes32 legId) {
        legId = _legId(leg);
        uint256 currentTime = _now();
        bool ok;
        assembly ("memory-safe") {
            let escrower := calldataload(leg)
            let redeemer := calldataload(add(leg, 0x20))
            let timelocks := calldataload(add(leg, 0xa0))
            let premiumDeadline := and(timelocks, 0xffffffffff)
            let escrowDeadline := and(shr(40, timelocks), 0xffffffffff)
            let timeout := and(shr(80, timelocks), 0xffffffffff)
            // the caller is the redeemer; a premium and a principal; no unknown timelocks bit;
            // premiumDeadline <= escrowDeadline < timeout; not late; under the horizon; an escrower that
            // is not the redeemer, zero or this contract (the redeemer is the caller: neither zero nor
            // this contract); a new leg
            ok := and(
                and(
                    and(eq(caller(), redeemer), iszero(iszero(calldataload(add(leg, 0xe0))))),
                    and(iszero(iszero(calldataload(add(leg, 0x80)))), iszero(shr(121, timelocks)))
                ),
                and(
                    and(
                        and(iszero(gt(premiumDeadline, escrowDeadline)), lt(escrowDeadline, timeout)),
                        and(
                            iszero(gt(currentTime, premiumDeadline)),
                            iszero(gt(timeout, add(currentTime, MAX_TIMELOCK_HORIZON)))
                        )
                    ),
                    and(
                        and(iszero(eq(escrower, redeemer)), iszero(iszero(escrower))),
                        and(iszero(eq(escrower, address())), iszero(sload(legId)))
                    )
                )
            )
        }
        if (!ok) {
            address redeemer = leg.redeemer;
            if (msg.sender != redeemer) revert LegCallerNotRedeemer(legId, msg.sender, redeemer);
            if (leg.premiumAmount == 0) revert LegNoPremium(legId);
            Timelocks timelocks = leg.timelocks;
            _validateNewLeg(legId, leg.escrower, redeemer, leg.amount, timelocks, timelocks.premiumDeadline());
            _checkState(legId, LegState.None);
        }
        // Effects: the leg's word, and {LegPremiumDeposited} with topics hashlock, escrower, redeemer and
        // the leg's last five words as data (token, amount, timelocks, premiumToken, premiumAmount),
        // copied from calldata (the address words were checked clean by {_legId}).
        assembly ("memory-safe") {
            sstore(legId, 1) // LegState.PremiumDeposited
            let ptr := mload(0x40)
            calldatacopy(ptr, add(leg, 0x60), 0xa0)
            log4(
                ptr,
                0xa0,
                _LEG_PREMIUM_DEPOSITED,
                calldataload(add(leg, 0x40)),
                calldataload(leg),
                calldataload(add(leg, 0x20))
            )
        }
    }

    function _escrow(Leg calldata leg) private returns (bytes32 legId) {
        legId = _lockPrincipal(leg);
        _pullIn(leg.token, leg.amount);
    }

    /// @dev Checks and effects of one escrow (the caller then takes the principal in).
    function _lockPrincipal(Leg calldata leg) private returns (bytes32 legId) {
        legId = _legId(leg);
        address escrower = leg.escrower;
        if (msg.sender != escrower) revert LegCallerNotEscrower(legId, msg.sender, escrower);
        Timelocks timelocks = leg.timelocks;
        if (leg.premiumAmount == 0) {
            // A plain HTLC: escrowing creates the leg.
            address redeemer = leg.redeemer;
            uint256 amount = leg.amount;
            _checkNewPlainLeg(legId, escrower, redeemer, amount, timelocks, leg.premiumToken);
            _emitPlainLocked(legId, leg.hashlock, escrower, redeemer, leg.token, amount, timelocks);
        } else {
            uint256 currentTime = _now();
            bool ok;
            assembly ("memory-safe") {
                // the premium is in, and by the escrow deadline
                ok := and(eq(sload(legId), 1), iszero(gt(currentTime, and(shr(40, timelocks), 0xffffffffff))))
            }
            if (!ok) {
                _checkState(legId, LegState.PremiumDeposited);
                _requireNotPassed(legId, timelocks.escrowDeadline());
            }
            assembly ("memory-safe") {
                sstore(legId, 2) // LegState.Escrowed
                log2(0x00, 0x00, _LEG_ESCROWED, legId)
            }
        }
    }

    /// @dev Checks and effects of one redeem.
    /// @return premiumTo who gets the premium: the redeemer (hedge) or the escrower (option)
    function _redeem(Leg calldata leg, bytes32 secret) private returns (address premiumTo) {
        bytes32 legId = _legId(leg);
        uint256 currentTime = _now();
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, secret)
            if iszero(staticcall(gas(), 0x02, 0x00, 0x20, 0x00, 0x20)) {
                revert(0, 0)
            }
            let timelocks := calldataload(add(leg, 0xa0))
            // escrowed; by the timeout; the secret opens the hashlock
            ok := and(
                and(eq(sload(legId), 2), iszero(gt(currentTime, and(shr(80, timelocks), 0xffffffffff)))),
                eq(mload(0x00), calldataload(add(leg, 0x40)))
            )
            // premiumTo: the escrower for an option premium, else the redeemer
            premiumTo := calldataload(add(leg, mul(0x20, iszero(and(shr(120, timelocks), 1)))))
        }
        if (!ok) {
            _checkState(legId, LegState.Escrowed);
            _requireNotPassed(legId, leg.timelocks.timeout());
            bytes32 secretHash = _sha256(secret);
            revert LegWrongSecret(legId, leg.hashlock, secretHash);
        }
        assembly ("memory-safe") {
            sstore(legId, 0) // LegState.None
            mstore(0x00, secret)
            log2(0x00, 0x20, _LEG_REDEEMED, legId)
        }
    }

    /// @dev Checks and effects of one settlement. The principal (0 when it was never escrowed) goes to
    /// the escrower.
    /// @return principal what the escrower gets back
    /// @return premiumTo who gets the premium: the escrower (escrowed, expired) or the redeemer
    function _settle(Leg calldata leg) private returns (uint256 principal, address premiumTo) {
        bytes32 legId = _legId(leg);
        LegState state = _stateOf(legId);
        if (state == LegState.Escrowed) {
            _requirePassed(legId, leg.timelocks.timeout());
            _setState(legId, LegState.None);
            emit LegRefunded(legId);
            assembly ("memory-safe") {
                // the amount and the escrower, read raw (the address was checked clean by {_legId})
                principal := calldataload(add(leg, 0x80))
                premiumTo := calldataload(leg)
            }
            return (principal, premiumTo);
        }
        if (state == LegState.PremiumDeposited) {
            _requirePassed(legId, leg.timelocks.escrowDeadline());
            _setState(legId, LegState.None);
            emit LegPremiumRefunded(legId);
            return (0, leg.redeemer);
        }
        revert LegUnexpectedState(legId, state);
    }

    /*
     * The plain shortcuts below share one pattern: an assembly block computes the leg id and a single
     * flag `ok` that holds when every rule of the step is met (a branch-free test; {_lockPlain}, with
     * the most rules, computes its negation `broken` instead); when it does not, the readable reference
     * checks run, and they revert with the precise error. The effects follow in one place. The fast
     * test may be stricter than the reference, never more lenient; the tests drive every rule through
     * both the shortcuts and the general functions.
     */

    /// @dev Creates a plain leg with the caller as escrower: checks and the leg's word (the caller of
    /// this function then logs the creation event and takes the principal in).
    function _lockPlain(address redeemer, bytes32 hashlock, address token, uint256 amount, Timelocks timelocks) private {
        uint256 currentTime = _now();
        bytes32 legId;
        uint256 broken;
        assembly ("memory-safe") {
            // the leg id, as {_plainLegId} computes it
            let ptr := mload(0x40)
            mstore(ptr, chainid())
            mstore(add(ptr, 0x20), address())
            mstore(add(ptr, 0x40), caller())
            mstore(add(ptr, 0x60), redeemer)
            mstore(add(ptr, 0x80), hashlock)
            mstore(add(ptr, 0xa0), token)
            mstore(add(ptr, 0xc0), amount)
            mstore(add(ptr, 0xe0), timelocks)
            legId := keccak256(ptr, 0x100)

            let escrowDeadline := and(shr(40, timelocks), 0xffffffffff)
            let timeout := shr(80, timelocks) // bits above the timeout are checked zero below
            // The rules as the `or` of their violations (any non-zero word breaks the rule; cheaper than
            // the `and` of booleans): a bit set besides the escrow deadline and the timeout (not a
            // canonical plain leg); escrowDeadline >= timeout; late; beyond the horizon; no principal; a
            // redeemer that is the caller (the escrower), zero or this contract; not a new leg.
            broken := or(
                or(
                    or(and(timelocks, _PLAIN_TIMELOCKS_FORBIDDEN), iszero(lt(escrowDeadline, timeout))),
                    or(gt(currentTime, escrowDeadline), gt(timeout, add(currentTime, MAX_TIMELOCK_HORIZON)))
                ),
                or(
                    or(iszero(amount), eq(caller(), redeemer)),
                    or(or(iszero(redeemer), eq(redeemer, address())), sload(legId))
                )
            )
        }
        if (broken != 0) _checkNewPlainLeg(legId, msg.sender, redeemer, amount, timelocks, address(0));
        // The leg's word, as in {_emitPlainLocked} (inlined: this is the hottest path); the caller logs
        // the creation event, whose kind it knows.
        assembly ("memory-safe") {
            sstore(legId, 2) // LegState.Escrowed
        }
    }

    /// @dev The rules of a new plain leg, each with its error: the reference of {_lockPlain}'s test and
    /// the checks of {escrow} for a plain leg.
    function _checkNewPlainLeg(
        bytes32 legId,
        address escrower,
        address redeemer,
        uint256 amount,
        Timelocks timelocks,
        address premiumToken
    ) private view {
        if (!timelocks.isWellFormed()) revert LegMalformedTimelocks(legId, timelocks);
        if (premiumToken != address(0) || timelocks.isOption() || timelocks.premiumDeadline() != 0) {
            revert LegPremiumTermsWithoutPremium(legId, premiumToken, timelocks);
        }
        _validateNewLeg(legId, escrower, redeemer, amount, timelocks, timelocks.escrowDeadline());
        LegState state = _stateOf(legId);
        if (state != LegState.None) revert LegUnexpectedState(legId, state);
    }

    /// @dev The effects of a new plain leg: its word set to `Escrowed`, and its creation event.
    function _emitPlainLocked(
        bytes32 legId,
        bytes32 hashlock,
        address escrower,
        address redeemer,
        address token,
        uint256 amount,
        Timelocks timelocks
    ) private {
        assembly ("memory-safe") {
            sstore(legId, 2) // LegState.Escrowed
            switch token
            case 0 {
                mstore(0x00, amount)
                mstore(0x20, timelocks)
                log4(0x00, 0x40, _NATIVE_LEG_LOCKED, hashlock, escrower, redeemer)
            }
            default {
                let ptr := mload(0x40)
                mstore(ptr, token)
                mstore(add(ptr, 0x20), amount)
                mstore(add(ptr, 0x40), timelocks)
                log4(ptr, 0x60, _LEG_LOCKED, hashlock, escrower, redeemer)
            }
        }
    }

    /// @dev Checks and effects of a claim of a plain leg by its redeemer, the caller.
    function _claimPlain(address escrower, address token, uint256 amount, Timelocks timelocks, bytes32 secret) private {
        uint256 currentTime = _now();
        bytes32 legId = _plainLegId(escrower, msg.sender, _sha256(secret), token, amount, timelocks);
        bool ok;
        assembly ("memory-safe") {
            // escrowed, and by its timeout (a canonical plain leg has no bit above its timeout, and any
            // other word names a leg that does not exist)
            ok := and(eq(sload(legId), 2), iszero(gt(currentTime, shr(80, timelocks))))
        }
        if (!ok) {
            _checkState(legId, LegState.Escrowed);
            _requireNotPassed(legId, timelocks.timeout());
        }
        assembly ("memory-safe") {
            sstore(legId, 0) // LegState.None
            mstore(0x00, secret)
            log2(0x00, 0x20, _LEG_REDEEMED, legId)
        }
    }

    /// @dev Checks and effects of a refund of a plain leg to its escrower, the caller.
    function _refundPlain(bytes32 legId, Timelocks timelocks) private {
        uint256 currentTime = _now();
        bool ok;
        assembly ("memory-safe") {
            // escrowed, and its timeout has passed (see {_claimPlain} for the timeout without a mask)
            ok := and(eq(sload(legId), 2), gt(currentTime, shr(80, timelocks)))
        }
        if (!ok) {
            _checkState(legId, LegState.Escrowed);
            _requirePassed(legId, timelocks.timeout());
        }
        assembly ("memory-safe") {
            sstore(legId, 0) // LegState.None
            log2(0x00, 0x00, _LEG_REFUNDED, legId)
        }
    }

    // ================================================================ internal: checks

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

    /// @dev Reverts unless the leg is in state `expected`.
    function _checkState(bytes32 legId, LegState expected) private view {
        LegState state = _stateOf(legId);
        if (state != expected) revert LegUnexpectedState(legId, state);
    }

    /// @dev Writes a leg's word, whatever it held (the caller has read it).
    function _setState(bytes32 legId, LegState state) private {
        assembly ("memory-safe") {
            sstore(legId, state)
        }
    }

    /// @dev Reads a leg's word.
    function _stateOf(bytes32 legId) private view returns (LegState state) {
        assembly ("memory-safe") {
            state := sload(legId)
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

    /// @dev The leg id: `keccak256(abi.encode(block.chainid, address(this), leg))`, without the two
    /// premium words when both are zero (a plain leg): inputs of different lengths, so the mapping
    /// stays one-to-one. `Leg` is static, so its 8 words lie contiguously in calldata and are hashed as
    /// they are, after checking that the four address words are clean (as the ABI decoder would): one
    /// leg has exactly one id, and its words can be logged raw.
    function _legId(Leg calldata leg) private view returns (bytes32 legId) {
        assembly ("memory-safe") {
            let premiumToken := calldataload(add(leg, 0xc0))
            if or(
                or(shr(160, calldataload(leg)), shr(160, calldataload(add(leg, 0x20)))),
                or(shr(160, calldataload(add(leg, 0x60))), shr(160, premiumToken))
            ) {
                revert(0, 0)
            }
            let ptr := mload(0x40)
            mstore(ptr, chainid())
            mstore(add(ptr, 0x20), address())
            calldatacopy(add(ptr, 0x40), leg, 0x100)
            // 8 words (plain) or 10 (premium)
            legId := keccak256(ptr, add(0x100, mul(0x40, iszero(iszero(or(premiumToken, calldataload(add(leg, 0xe0))))))))
        }
    }

    /// @dev The id of a plain leg from its parts: {_legId} of the leg with zero premium words (8 words
    /// hashed). {_lockPlain} computes the same inline, as the hottest path, to save the call.
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
            mstore(add(ptr, 0xe0), timelocks)
            legId := keccak256(ptr, 0x100)
        }
    }

    /// @dev {_plainLegId} of the caller and the call's five arguments, when they are the leg's last five
    /// words in order (`redeemer, hashlock, token, amount, timelocks`, as {refundToken} takes them): the
    /// ABI decoder has checked them, so they are hashed straight from calldata.
    function _argsPlainLegId() private view returns (bytes32 legId) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, chainid())
            mstore(add(ptr, 0x20), address())
            mstore(add(ptr, 0x40), caller())
            calldatacopy(add(ptr, 0x60), 0x04, 0xa0)
            legId := keccak256(ptr, 0x100)
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

    // ================================================================ internal: assets

    /// @dev The rest of both {withdraw}s, once the caller's `credit` of `token` (read by the caller) is
    /// known to cover `amount` > 0: the recipient's check, the credit lowered to `credit - amount` (0
    /// for a full withdrawal, which clears the slot), the event, then the transfer.
    function _withdraw(address token, address to, uint256 credit, uint256 amount) private {
        if (to == address(0)) revert WithdrawFailed(to, amount);

        unchecked {
            credits[msg.sender][token] = credit - amount; // amount <= credit, checked by the caller
        }
        emit CreditWithdrawn(msg.sender, token, to, amount);

        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert WithdrawFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    /// @dev The words of `leg` that payouts need, read raw (their address words were checked clean when
    /// the leg's id was computed).
    function _payoutWords(
        Leg calldata leg
    )
        private
        pure
        returns (address redeemer, address token, uint256 amount, address premiumToken, uint256 premiumAmount)
    {
        assembly ("memory-safe") {
            redeemer := calldataload(add(leg, 0x20))
            token := calldataload(add(leg, 0x60))
            amount := calldataload(add(leg, 0x80))
            premiumToken := calldataload(add(leg, 0xc0))
            premiumAmount := calldataload(add(leg, 0xe0))
        }
    }

    /// @dev The words of `leg` that a settlement pays with, read raw as in {_payoutWords}.
    function _settleWords(
        Leg calldata leg
    ) private pure returns (address escrower, address token, address premiumToken, uint256 premiumAmount) {
        assembly ("memory-safe") {
            escrower := calldataload(leg)
            token := calldataload(add(leg, 0x60))
            premiumToken := calldataload(add(leg, 0xc0))
            premiumAmount := calldataload(add(leg, 0xe0))
        }
    }

    /// @dev Takes `amount` of `token` from the caller: the native coin must come as exactly
    /// `msg.value`; a token must raise this contract's balance by exactly `amount`.
    function _pullIn(address token, uint256 amount) private {
        if (token == address(0)) {
            if (msg.value != amount) revert NativeValueMismatch(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert NativeValueMismatch(0, msg.value);
        _pullToken(token, amount);
    }

    /// @dev Takes in the sums a batch collected (one entry per asset, all from the caller): the native
    /// total must be `msg.value` exactly (checked before any transfer), each token as {_pullIn}.
    function _pullAll(PayoutList pulls) private {
        uint256 n = pulls.length();
        uint256 native;
        for (uint256 i; i < n; ++i) {
            (address token, , uint256 amount) = pulls.at(i);
            if (token == address(0)) native = amount;
        }
        if (msg.value != native) revert NativeValueMismatch(native, msg.value);
        for (uint256 i; i < n; ++i) {
            (address token, , uint256 amount) = pulls.at(i);
            if (token != address(0)) _pullToken(token, amount);
        }
    }

    /// @dev `transferFrom` the caller; the balance of this contract must grow by exactly `amount`.
    function _pullToken(address token, uint256 amount) private {
        uint256 balanceBefore = _balanceOfSelf(token);
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 balanceAfter;
        assembly ("memory-safe") {
            // as {_balanceOfSelf}; a token that answered the first call but not this one leaves a
            // garbage word here, which the equality check below refuses
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            pop(staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))
            balanceAfter := mload(0x00)
        }
        uint256 received = balanceAfter - balanceBefore;
        if (received != amount) revert TokenAmountMismatch(token, amount, received);
    }

    /// @dev `token.balanceOf(address(this))` with a plain staticcall (in scratch space); a token that
    /// reverts or answers with less than a word is refused with {TokenCallFailed}.
    function _balanceOfSelf(address token) private view returns (uint256 held) {
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            // Arguments are evaluated right to left: the call runs before returndatasize is read.
            ok := and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))
            held := mload(0x00)
        }
        if (!ok) revert TokenCallFailed(token);
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
        if (!ok) _credit(token, to, amount);
    }

    /// @dev {_pay} of a plain leg's native-coin principal to the caller of a shortcut: the amount is
    /// never 0 (no leg has a zero principal) and the asset is known, so both tests are left out.
    function _payNativePrincipal(uint256 amount) private {
        uint256 payoutGas = NATIVE_PAYOUT_GAS;
        bool ok;
        assembly ("memory-safe") {
            ok := call(payoutGas, caller(), amount, 0, 0, 0, 0)
        }
        if (!ok) _credit(address(0), msg.sender, amount);
    }

    /// @dev Credits a payout that failed to its recipient, who withdraws it with {withdraw}.
    function _credit(address token, address to, uint256 amount) private {
        credits[to][token] += amount;
        emit PayoutCredited(to, token, amount);
    }
}
