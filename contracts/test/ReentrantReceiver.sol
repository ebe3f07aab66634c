// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

/**
 * @notice A party whose receive hook re-enters the escrow with a prepared call (redeem, settle or
 * withdraw of anything), records whether that call succeeded and what it reverted with, and then
 * accepts the coin. Used to show that re-entry gains nothing.
 */
contract ReentrantReceiver {
    address public reentryTarget;
    bytes public reentryData;
    uint256 public reentryAttempts;
    bool public lastReentrySucceeded;
    bytes public lastReentryRevert;

    /// @notice Sets the call made from `receive` (empty data: none).
    function setReentry(address target_, bytes calldata data) external {
        reentryTarget = target_;
        reentryData = data;
    }

    /// @notice Calls `target_` with `data` and `msg.value`, bubbling a revert.
    function execute(address target_, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target_.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        if (reentryData.length == 0) return;
        ++reentryAttempts;
        (bool ok, bytes memory ret) = reentryTarget.call(reentryData);
        lastReentrySucceeded = ok;
        lastReentryRevert = ret;
    }
}
