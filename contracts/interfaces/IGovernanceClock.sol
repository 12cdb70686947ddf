// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The referendum timings other contracts check their own periods against.
interface IGovernanceClock {
    /// @notice Seconds between a proposal and the start of its vote.
    function votingDelay() external view returns (uint256);
    /// @notice Seconds a vote lasts.
    function votingPeriod() external view returns (uint256);
    /// @notice Seconds between the end of a vote and its execution.
    function timelock() external view returns (uint256);
}
