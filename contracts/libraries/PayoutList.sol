// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

/// @notice One transfer the escrow owes: `amount` of `token` (address(0): native coin) to `to`.
struct Payout {
    address token;
    address to;
    uint256 amount;
}

/**
 * @title PayoutList
 * @notice An in-memory list of payouts that merges amounts owed to the same recipient in the same
 * asset, so that a batch of legs pays each recipient once per asset.
 * @dev The list is created with a fixed capacity and a length of 0; {add} grows the length inside
 * that capacity. Merging is a linear search, which is cheap for the batch sizes one transaction can
 * carry.
 */
library PayoutList {
    /// @notice An empty list with room for `capacity` distinct payouts.
    function create(uint256 capacity) internal pure returns (Payout[] memory list) {
        list = new Payout[](capacity);
        assembly ("memory-safe") {
            mstore(list, 0)
        }
    }

    /// @notice Adds `amount` of `token` for `to`, merging with an entry for the same pair. Zero
    /// amounts are skipped. The caller must not add more distinct pairs than the capacity.
    function add(Payout[] memory list, address token, address to, uint256 amount) internal pure {
        if (amount == 0) return;
        uint256 n = list.length;
        for (uint256 i; i < n; ++i) {
            Payout memory p = list[i];
            if (p.token == token && p.to == to) {
                p.amount += amount;
                return;
            }
        }
        assembly ("memory-safe") {
            mstore(list, add(n, 1))
        }
        Payout memory entry = list[n];
        entry.token = token;
        entry.to = to;
        entry.amount = amount;
    }
}
