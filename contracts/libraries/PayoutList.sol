// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

/**
 * @notice A memory pointer to a list of payouts: a length word followed by `capacity` entries of
 * three words each (token, recipient, amount). Only entries below the length are ever read, so the
 * memory is not zeroed when the list is created.
 */
type PayoutList is uint256;

/**
 * @title PayoutListLib
 * @notice Collects what a batch owes and merges amounts owed to the same recipient in the same asset,
 * so that a batch of legs pays each recipient once per asset.
 * @dev Merging is a linear search over the distinct (token, recipient) pairs collected so far, which is
 * cheap for the batch sizes one transaction can carry.
 */
library PayoutListLib {
    /// @notice An empty list with room for `capacity` distinct payouts.
    function create(uint256 capacity) internal pure returns (PayoutList list) {
        assembly ("memory-safe") {
            list := mload(0x40)
            mstore(list, 0)
            mstore(0x40, add(list, add(0x20, mul(capacity, 0x60))))
        }
    }

    /// @notice Adds `amount` of `token` for `to`, merging with an entry for the same pair. Zero amounts
    /// are skipped. The caller must not add more distinct pairs than the capacity it created.
    function add(PayoutList list, address token, address to, uint256 amount) internal pure {
        if (amount == 0) return;
        uint256 n = length(list);
        for (uint256 i; i < n; ++i) {
            (address t, address r, uint256 a) = at(list, i);
            if (t == token && r == to) {
                _setAmount(list, i, a + amount);
                return;
            }
        }
        assembly ("memory-safe") {
            let entry := add(add(list, 0x20), mul(n, 0x60))
            mstore(entry, token)
            mstore(add(entry, 0x20), to)
            mstore(add(entry, 0x40), amount)
            mstore(list, add(n, 1))
        }
    }

    /// @notice The number of distinct payouts collected.
    function length(PayoutList list) internal pure returns (uint256 n) {
        assembly ("memory-safe") {
            n := mload(list)
        }
    }

    /// @notice The payout at `index` (which must be below {length}).
    function at(PayoutList list, uint256 index) internal pure returns (address token, address to, uint256 amount) {
        assembly ("memory-safe") {
            let entry := add(add(list, 0x20), mul(index, 0x60))
            token := mload(entry)
            to := mload(add(entry, 0x20))
            amount := mload(add(entry, 0x40))
        }
    }

    function _setAmount(PayoutList list, uint256 index, uint256 amount) private pure {
        assembly ("memory-safe") {
            mstore(add(add(list, 0x20), add(mul(index, 0x60), 0x40)), amount)
        }
    }
}

using PayoutListLib for PayoutList global;
