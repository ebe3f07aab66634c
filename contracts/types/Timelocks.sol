// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

/**
 * @title Timelocks
 * @notice The three absolute deadlines of a leg and its premium mode, packed into one word so that
 * a leg costs one calldata word and one log word for all of them.
 *
 * Layout (bit ranges, low to high):
 *
 *   [0, 40)    premiumDeadline   unix seconds; the redeemer's premium must be in by then
 *   [40, 80)   escrowDeadline    unix seconds; the escrower's principal must be in by then
 *   [80, 120)  timeout           unix seconds; the secret must be presented by then
 *   [120]      premium mode      0 = hedge, 1 = option
 *   [121, 256) zero              any other bit set makes the word invalid
 *
 * Every bit is part of the leg id, so one leg has exactly one valid encoding.
 */
type Timelocks is uint256;

/// @notice What happens to a redeemed leg's premium: hedge premiums go back to the redeemer,
/// option premiums are the fee the escrower earned by delivering.
enum PremiumMode {
    Hedge,
    Option
}

/**
 * @title TimelocksLib
 * @notice Packing and reading of {Timelocks}.
 */
library TimelocksLib {
    // Literals, not expressions: a constant expression is evaluated (with overflow checks) at every use.
    uint256 private constant _DEADLINE_MASK = 0xffffffffff; // 40 bits
    uint256 private constant _ESCROW_SHIFT = 40;
    uint256 private constant _TIMEOUT_SHIFT = 80;
    uint256 private constant _MODE_SHIFT = 120;
    uint256 private constant _UNUSED_SHIFT = 121;

    /// @notice Packs the deadlines and the premium mode. Deadlines above 2^40 - 1 do not fit.
    function pack(
        uint40 premiumDeadline_,
        uint40 escrowDeadline_,
        uint40 timeout_,
        PremiumMode mode
    ) internal pure returns (Timelocks) {
        return
            Timelocks.wrap(
                uint256(premiumDeadline_) |
                    (uint256(escrowDeadline_) << _ESCROW_SHIFT) |
                    (uint256(timeout_) << _TIMEOUT_SHIFT) |
                    (uint256(mode) << _MODE_SHIFT)
            );
    }

    /// @notice The latest time at which the redeemer may deposit the premium.
    function premiumDeadline(Timelocks t) internal pure returns (uint256) {
        return Timelocks.unwrap(t) & _DEADLINE_MASK;
    }

    /// @notice The latest time at which the escrower may escrow the principal.
    function escrowDeadline(Timelocks t) internal pure returns (uint256) {
        return (Timelocks.unwrap(t) >> _ESCROW_SHIFT) & _DEADLINE_MASK;
    }

    /// @notice The latest time at which the leg may be redeemed or cooperatively aborted.
    function timeout(Timelocks t) internal pure returns (uint256) {
        return (Timelocks.unwrap(t) >> _TIMEOUT_SHIFT) & _DEADLINE_MASK;
    }

    /// @notice True when the premium is an option fee, false when it is a hedge premium.
    function isOption(Timelocks t) internal pure returns (bool) {
        return (Timelocks.unwrap(t) >> _MODE_SHIFT) & 1 == 1;
    }

    /// @notice True when no bit outside the documented layout is set.
    function isWellFormed(Timelocks t) internal pure returns (bool) {
        return Timelocks.unwrap(t) >> _UNUSED_SHIFT == 0;
    }
}

using TimelocksLib for Timelocks global;
