// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @notice A token whose `transferFrom`, once armed, first re-enters a target with a prepared call
 * (from the token's own address), records whether that call succeeded and what it returned, and then
 * moves the tokens. Used to show that a token re-entering the escrow during a pull gains nothing.
 */
contract ReentrantToken is ERC20 {
    address public reentryTarget;
    bytes public reentryData;
    bool public lastReentrySucceeded;
    bytes public lastReentryReturn;

    constructor() ERC20("Reentrant", "RNT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Lets `spender` pull the token's own balance (for a re-entry that deposits as the token).
    function approveFromSelf(address spender, uint256 amount) external {
        _approve(address(this), spender, amount);
    }

    /// @notice Arms one re-entry: the next `transferFrom` calls `target_` with `data` first.
    function arm(address target_, bytes calldata data) external {
        reentryTarget = target_;
        reentryData = data;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        bytes memory data = reentryData;
        if (data.length != 0) {
            delete reentryData;
            (bool ok, bytes memory ret) = reentryTarget.call(data);
            lastReentrySucceeded = ok;
            lastReentryReturn = ret;
        }
        return super.transferFrom(from, to, value);
    }
}
