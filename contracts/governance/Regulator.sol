// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IRegulator} from "../interfaces/IRegulator.sol";
import {IFreezeRegistry} from "../interfaces/IFreezeRegistry.sol";

/// @title Regulator: a governance-appointed address that may freeze an asset for a bounded time.
/// @notice A freeze expires by itself after `freezeDuration` (at most MAX_FREEZE); the same asset cannot
/// be frozen again until a cooldown of the same length has passed, and the regulator's freezes of one
/// asset total at most MAX_FROZEN_PER_WINDOW per FREEZE_WINDOW (a window opens with the first freeze
/// after the previous one closed). Only a referendum (`freezeByReferendum`) keeps an asset out of use
/// for longer. Every step is an event.
contract Regulator is IRegulator, AccessControl {
    /// @notice Held by Governance: appoints the regulator, lifts freezes, sets the duration.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Hard cap on a freeze.
    uint256 public constant MAX_FREEZE = 30 days;
    /// @notice The accounting window of the regulator's freeze budget per asset.
    uint256 public constant FREEZE_WINDOW = 365 days;
    /// @notice Cap on the regulator's total freeze time of one asset within a window.
    uint256 public constant MAX_FROZEN_PER_WINDOW = 60 days;

    struct FreezeState {
        uint64 frozenUntil;
        uint64 windowStart;
        uint64 frozenInWindow; // seconds of regulator freezes granted in the window (refunded on unfreeze)
    }

    address public regulator;
    uint256 public freezeDuration = 7 days;

    mapping(address nft => mapping(uint256 id => FreezeState)) private _freezes;

    /// @param admin receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE (hand both to Governance)
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
    }

    /// @inheritdoc IRegulator
    function setRegulator(address regulator_) external onlyRole(GOVERNOR_ROLE) {
        regulator = regulator_;
        emit RegulatorSet(regulator_);
    }

    /// @notice Set the freeze duration (<= MAX_FREEZE); only the governor.
    function setFreezeDuration(uint256 duration) external onlyRole(GOVERNOR_ROLE) {
        if (duration == 0 || duration > MAX_FREEZE) revert BadDuration(duration);
        freezeDuration = duration;
        emit FreezeDurationSet(duration);
    }

    /// @inheritdoc IRegulator
    function freeze(address nft, uint256 id, string calldata reasonCid) external {
        if (msg.sender != regulator || regulator == address(0)) revert NotRegulator(msg.sender);
        FreezeState storage f = _freezes[nft][id];
        uint256 until = f.frozenUntil;
        if (until > block.timestamp) revert AlreadyFrozen(nft, id, until);
        uint256 duration = freezeDuration;
        if (until != 0 && block.timestamp < until + duration) revert FreezeCooldown(nft, id, until + duration);
        if (block.timestamp >= uint256(f.windowStart) + FREEZE_WINDOW) {
            f.windowStart = uint64(block.timestamp);
            f.frozenInWindow = 0;
        }
        uint256 used = uint256(f.frozenInWindow) + duration;
        if (used > MAX_FROZEN_PER_WINDOW) {
            revert FreezeBudgetExhausted(nft, id, f.frozenInWindow, uint256(f.windowStart) + FREEZE_WINDOW);
        }
        until = block.timestamp + duration;
        f.frozenUntil = uint64(until);
        f.frozenInWindow = uint64(used);
        emit AssetFrozen(nft, id, until, reasonCid);
    }

    /// @inheritdoc IRegulator
    /// @dev Not counted in the regulator's budget: the referendum is the consent beyond it.
    function freezeByReferendum(address nft, uint256 id, uint256 until, string calldata reasonCid)
        external
        onlyRole(GOVERNOR_ROLE)
    {
        if (until <= block.timestamp || until > block.timestamp + FREEZE_WINDOW) revert BadDuration(until);
        FreezeState storage f = _freezes[nft][id];
        if (f.frozenUntil > block.timestamp) {
            // a running regulator freeze becomes part of the referendum's: refund its rest
            uint256 rest = f.frozenUntil - block.timestamp;
            f.frozenInWindow = f.frozenInWindow > rest ? uint64(f.frozenInWindow - rest) : 0;
        }
        f.frozenUntil = uint64(until);
        emit AssetFrozen(nft, id, until, reasonCid);
    }

    /// @inheritdoc IRegulator
    /// @dev Keeps the cooldown running from now, so an unfreeze cannot be used to re-freeze at once;
    /// the unused rest of the freeze goes back to the window's budget.
    function unfreeze(address nft, uint256 id) external {
        if (msg.sender != regulator && !hasRole(GOVERNOR_ROLE, msg.sender)) revert NotRegulator(msg.sender);
        FreezeState storage f = _freezes[nft][id];
        uint256 until = f.frozenUntil;
        if (until <= block.timestamp) revert NotFrozen(nft, id);
        uint256 rest = until - block.timestamp;
        f.frozenInWindow = f.frozenInWindow > rest ? uint64(f.frozenInWindow - rest) : 0;
        f.frozenUntil = uint64(block.timestamp);
        emit AssetUnfrozen(nft, id, msg.sender);
    }

    /// @inheritdoc IFreezeRegistry
    function isFrozen(address nft, uint256 id) external view returns (bool) {
        return _freezes[nft][id].frozenUntil > block.timestamp;
    }

    /// @inheritdoc IRegulator
    function frozenUntil(address nft, uint256 id) external view returns (uint256) {
        return _freezes[nft][id].frozenUntil;
    }

    /// @inheritdoc IRegulator
    function freezeBudgetOf(address nft, uint256 id) external view returns (uint256 windowStart, uint256 used) {
        FreezeState storage f = _freezes[nft][id];
        return (f.windowStart, f.frozenInWindow);
    }
}
