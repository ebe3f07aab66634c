// SPDX-License-Identifier: MIT
pragma solidity 0.8.33;

/// @title FutureEscrow
/// @notice Test double of an escrow from a future, incompatible release: it only answers `VERSION()`.
/// The SDK must refuse to use it.
contract FutureEscrow {
    /// @notice A version the SDK does not support.
    string public constant VERSION = "2.0.0";
}
