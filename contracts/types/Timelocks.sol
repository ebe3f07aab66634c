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

/**
 * @title TimelocksLib
 * @notice Reading of {Timelocks} (the SDK packs them: `packTimelocks` in src/sdk/timelocks.ts).
 */
library TimelocksLib {
    // Literals, not expressions: a constant expression is evaluated (with overflow checks) at every use.
    uint256 private constant _DEADLINE_MASK = 0xffffffffff; // 40 bits
    uint256 private constant _ESCROW_SHIFT = 40;
    uint256 private constant _TIMEOUT_SHIFT = 80;
    uint256 private constant _MODE_SHIFT = 120;
    uint256 private constant _UNUSED_SHIFT = 121;

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
