// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 (open minting, for tests) that refuses any single transfer above `cap`, as some
/// tokens with per-transfer limits do. The adversarial suite (test/adversary/) uses it so that a merged
/// payout (principal + premium in one transfer) exceeds the cap and is credited by the escrow.
contract CappedTransferToken is ERC20 {
    /// @notice The largest amount one transfer (or transferFrom) may move; minting is not limited.
    uint256 public immutable cap;

    error TransferAboveCap(uint256 amount, uint256 cap);

    constructor(string memory name_, string memory symbol_, uint256 cap_) ERC20(name_, symbol_) {
        cap = cap_;
    }

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && value > cap) revert TransferAboveCap(value, cap);
        super._update(from, to, value);
    }
}
