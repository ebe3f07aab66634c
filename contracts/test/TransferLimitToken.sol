// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice An ERC-20 (open minting, for tests) that refuses any single `transfer` or `transferFrom`
/// above a fixed limit, as tokens with a per-transfer cap do. A payout the escrow merges into one
/// transfer (principal and premium, a batch's sum) can exceed the limit although every deposit was
/// under it; the escrow then credits it, and the credit is withdrawn in parts.
contract TransferLimitToken is ERC20 {
    /// @notice The largest amount one transfer may move (minting is not limited).
    uint256 public immutable transferLimit;

    /// @notice A transfer of `amount` was refused: it is above `limit`.
    error TransferAboveLimit(uint256 amount, uint256 limit);

    constructor(uint256 limit) ERC20("Transfer Limit Token", "TLT") {
        transferLimit = limit;
    }

    /// @notice Mints `amount` to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function transfer(address to, uint256 value) public override returns (bool) {
        _checkLimit(value);
        return super.transfer(to, value);
    }

    /// @inheritdoc ERC20
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        _checkLimit(value);
        return super.transferFrom(from, to, value);
    }

    function _checkLimit(uint256 value) private view {
        if (value > transferLimit) revert TransferAboveLimit(value, transferLimit);
    }
}
