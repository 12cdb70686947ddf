// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Read side of the regulator's asset freezes.
interface IFreezeRegistry {
    /// @notice Whether asset `id` of `nft` is frozen now.
    function isFrozen(address nft, uint256 id) external view returns (bool);
}
