// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFreezeRegistry} from "./IFreezeRegistry.sol";

/// @title The regulator's narrow power: freeze an asset for a bounded time pending a referendum.
interface IRegulator is IFreezeRegistry {
    /// @notice Thrown when the caller is not the regulator.
    error NotRegulator(address caller);
    /// @notice Thrown when the asset is already frozen.
    error AlreadyFrozen(address nft, uint256 id, uint256 until);
    /// @notice Thrown when an asset is frozen again too soon after its last freeze.
    error FreezeCooldown(address nft, uint256 id, uint256 availableAt);
    /// @notice Thrown when the asset is not frozen.
    error NotFrozen(address nft, uint256 id);
    /// @notice Thrown when a regulator freeze would exceed the asset's budget for the window.
    error FreezeBudgetExhausted(address nft, uint256 id, uint256 used, uint256 windowEnd);
    /// @notice Thrown when a duration is out of range.
    error BadDuration(uint256 duration);

    /// @notice Emitted when the regulator changes.
    /// @param regulator the new regulator
    event RegulatorSet(address indexed regulator);
    /// @notice Emitted when an asset is frozen.
    /// @param nft the asset contract
    /// @param id the asset id
    /// @param until the end of the freeze
    /// @param reasonCid CID of the reason
    event AssetFrozen(address indexed nft, uint256 indexed id, uint256 until, string reasonCid);
    /// @notice Emitted when an asset is unfrozen early.
    /// @param nft the asset contract
    /// @param id the asset id
    /// @param by who lifted it
    event AssetUnfrozen(address indexed nft, uint256 indexed id, address by);
    /// @notice Emitted when the freeze duration changes.
    /// @param duration the new duration
    event FreezeDurationSet(uint256 duration);

    /// @notice Appoint the regulator; only the governor (Governance).
    function setRegulator(address regulator) external;
    /// @notice Freeze an asset for `freezeDuration`; only the regulator.
    function freeze(address nft, uint256 id, string calldata reasonCid) external;
    /// @notice Freeze an asset until `until` (at most FREEZE_WINDOW ahead), beyond the regulator's budget;
    /// only the governor (a referendum).
    function freezeByReferendum(address nft, uint256 id, uint256 until, string calldata reasonCid) external;
    /// @notice Lift a freeze early; the regulator or the governor.
    function unfreeze(address nft, uint256 id) external;
    /// @notice The end of an asset's freeze (in the past when not frozen).
    function frozenUntil(address nft, uint256 id) external view returns (uint256);
    /// @notice The start of the asset's current freeze window and the regulator freeze time used in it.
    function freezeBudgetOf(address nft, uint256 id) external view returns (uint256 windowStart, uint256 used);
}
