// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IRegulator} from "../interfaces/IRegulator.sol";
import {IFreezeRegistry} from "../interfaces/IFreezeRegistry.sol";

/// @title Regulator: a governance-appointed address that may freeze an asset for a bounded time.
/// @notice A freeze expires by itself after `freezeDuration` (at most MAX_FREEZE); the same asset cannot
/// be frozen again until a cooldown of the same length has passed, so only a referendum can keep an
/// asset out of use for longer. Every step is an event.
contract Regulator is IRegulator, AccessControl {
    /// @notice Held by Governance: appoints the regulator, lifts freezes, sets the duration.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Hard cap on a freeze.
    uint256 public constant MAX_FREEZE = 30 days;

    address public regulator;
    uint256 public freezeDuration = 7 days;

    mapping(address nft => mapping(uint256 id => uint256)) private _frozenUntil;

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
        uint256 until = _frozenUntil[nft][id];
        if (until > block.timestamp) revert AlreadyFrozen(nft, id, until);
        uint256 duration = freezeDuration;
        if (until != 0 && block.timestamp < until + duration) revert FreezeCooldown(nft, id, until + duration);
        until = block.timestamp + duration;
        _frozenUntil[nft][id] = until;
        emit AssetFrozen(nft, id, until, reasonCid);
    }

    /// @inheritdoc IRegulator
    /// @dev Keeps the cooldown running from now, so an unfreeze cannot be used to re-freeze at once.
    function unfreeze(address nft, uint256 id) external {
        if (msg.sender != regulator && !hasRole(GOVERNOR_ROLE, msg.sender)) revert NotRegulator(msg.sender);
        if (_frozenUntil[nft][id] <= block.timestamp) revert NotFrozen(nft, id);
        _frozenUntil[nft][id] = block.timestamp;
        emit AssetUnfrozen(nft, id, msg.sender);
    }

    /// @inheritdoc IFreezeRegistry
    function isFrozen(address nft, uint256 id) external view returns (bool) {
        return _frozenUntil[nft][id] > block.timestamp;
    }

    /// @inheritdoc IRegulator
    function frozenUntil(address nft, uint256 id) external view returns (uint256) {
        return _frozenUntil[nft][id];
    }
}
