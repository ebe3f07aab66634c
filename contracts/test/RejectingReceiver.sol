// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

/// @notice A contract account that refuses the native coin, and can otherwise act as a party.
contract RejectingReceiver {
    error Rejected();

    /// @notice Calls `target` with `data` and `msg.value`, bubbling a revert.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        revert Rejected();
    }
}
