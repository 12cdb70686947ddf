// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Called by ModelMarket after each paid use, so Rewards can credit per-use bonuses.
interface IUsageHook {
    /// @notice A user paid `fee` to use `modelId` trained on `portfolioId`.
    function onModelUsed(uint256 modelId, uint256 portfolioId, address user, uint256 fee) external;
}
