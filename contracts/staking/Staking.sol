// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IFreezeRegistry} from "../interfaces/IFreezeRegistry.sol";
import {IGovernanceClock} from "../interfaces/IGovernanceClock.sol";

/// @title Staking ("mortgages"): CapToken stakes per role and per asset.
/// @notice A position is keyed by (staker, role, assetId). Active stake votes and earns base rewards;
/// unstaking moves it to thawing, which stays slashable until it is withdrawn. Voting stake is
/// checkpointed by timestamp so referenda read it at their snapshot. No loops over stakers.
contract Staking is IStaking, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    /// @notice May slash and hold positions (Governance, JobMarket, PossessionChallenges).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice May change parameters and dependencies (Governance).
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");
    /// @notice Cap on the share of a slash paid to its beneficiary.
    uint256 public constant MAX_SLASH_REWARD_BPS = 5_000;
    /// @inheritdoc IStaking
    uint256 public constant MAX_HOLD = 30 days;
    uint256 private constant _BPS = 10_000;

    IERC20 public immutable token;
    IERC721 public immutable dataNFT;
    IERC721 public immutable modelNFT;

    IRewards public rewards;
    IFreezeRegistry public freezeRegistry;
    IGovernanceClock public governance;
    uint256 public thawingPeriod = 14 days;
    uint256 public minStake = 1e18;
    uint256 public totalThawing;
    uint256 public totalBurned;

    mapping(bytes32 key => Position) private _positions;
    mapping(address account => Checkpoints.Trace208) private _stakeCheckpoints;
    Checkpoints.Trace208 private _totalCheckpoints;

    /// @param token_ CapToken (must be ERC20Burnable)
    /// @param dataNFT_ the $Data contract (data mortgages)
    /// @param modelNFT_ the $Model contract (model mortgages)
    /// @param admin receives DEFAULT_ADMIN_ROLE and PARAMS_ROLE
    constructor(IERC20 token_, IERC721 dataNFT_, IERC721 modelNFT_, address admin) {
        if (address(token_) == address(0) || admin == address(0)) revert ZeroAddress();
        token = token_;
        dataNFT = dataNFT_;
        modelNFT = modelNFT_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMS_ROLE, admin);
    }

    // ---------------------------------------------------------------- staker actions

    /// @inheritdoc IStaking
    function stake(Role role, uint256 assetId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        address nft = _assetContract(role, assetId);
        if (nft != address(0) && IERC721(nft).ownerOf(assetId) != msg.sender) {
            revert NotAssetOwner(msg.sender, role, assetId);
        }
        Position storage p = _positions[_key(msg.sender, role, assetId)];
        uint256 newActive = p.active + amount;
        if (newActive < minStake) revert BelowMinimumStake(newActive, minStake);
        _beforeChange(msg.sender);
        p.active = SafeCast.toUint128(newActive);
        _moveVotingStake(msg.sender, amount, true);
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Staked(msg.sender, role, assetId, amount);
    }

    /// @inheritdoc IStaking
    function requestUnstake(Role role, uint256 assetId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Position storage p = _positions[_key(msg.sender, role, assetId)];
        uint256 active = p.active;
        if (amount > active) revert InsufficientStake(amount, active);
        uint256 left = active - amount;
        if (left != 0 && left < minStake) revert BelowMinimumStake(left, minStake);
        _beforeChange(msg.sender);
        // cannot underflow: amount <= active checked above
        unchecked {
            p.active = uint128(left);
        }
        p.thawing += uint128(amount);
        uint256 thawEnd = block.timestamp + thawingPeriod;
        p.thawEnd = uint64(thawEnd);
        totalThawing += amount;
        _moveVotingStake(msg.sender, amount, false);
        emit UnstakeRequested(msg.sender, role, assetId, amount, thawEnd);
    }

    /// @inheritdoc IStaking
    function withdraw(Role role, uint256 assetId) external nonReentrant returns (uint256 amount) {
        Position storage p = _positions[_key(msg.sender, role, assetId)];
        amount = p.thawing;
        if (amount == 0) revert NothingToWithdraw(msg.sender, role, assetId);
        if (block.timestamp < p.thawEnd) revert StillThawing(p.thawEnd);
        if (block.timestamp < p.heldUntil) revert StakeHeld(p.heldUntil);
        address nft = _assetContract(role, assetId);
        IFreezeRegistry registry = freezeRegistry;
        if (nft != address(0) && address(registry) != address(0) && registry.isFrozen(nft, assetId)) {
            revert AssetFrozen(nft, assetId);
        }
        p.thawing = 0;
        totalThawing -= amount;
        token.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, role, assetId, amount);
    }

    // ---------------------------------------------------------------- slashers

    /// @inheritdoc IStaking
    /// @dev Takes active stake first, then thawing stake; slashes at most what the position holds.
    /// `rewardBps` of the slashed amount goes to `beneficiary` (capped at 50%), the rest is burned.
    function slash(address staker, Role role, uint256 assetId, uint256 amount, address beneficiary, uint256 rewardBps)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
        returns (uint256 slashed)
    {
        if (rewardBps > MAX_SLASH_REWARD_BPS) revert RewardTooHigh(rewardBps, MAX_SLASH_REWARD_BPS);
        Position storage p = _positions[_key(staker, role, assetId)];
        uint256 active = p.active;
        uint256 fromActive = amount < active ? amount : active;
        uint256 fromThawing = amount - fromActive;
        if (fromThawing > p.thawing) fromThawing = p.thawing;
        slashed = fromActive + fromThawing;
        if (slashed == 0) return 0;
        if (fromActive != 0) {
            _beforeChange(staker);
            p.active = uint128(active - fromActive);
            _moveVotingStake(staker, fromActive, false);
        }
        if (fromThawing != 0) {
            p.thawing -= uint128(fromThawing);
            totalThawing -= fromThawing;
        }
        uint256 reward = beneficiary == address(0) ? 0 : slashed * rewardBps / _BPS;
        uint256 burned = slashed - reward;
        totalBurned += burned;
        if (reward != 0) token.safeTransfer(beneficiary, reward);
        if (burned != 0) ERC20Burnable(address(token)).burn(burned);
        emit Slashed(staker, role, assetId, slashed, beneficiary, reward, burned);
    }

    /// @inheritdoc IStaking
    /// @dev Reverts HoldTooLong beyond MAX_HOLD from now, so no slasher (nor a referendum through one)
    /// can lock a stake indefinitely in one call; Governance also caps the total it holds.
    function hold(address staker, Role role, uint256 assetId, uint256 until) external onlyRole(SLASHER_ROLE) {
        uint256 maxUntil = block.timestamp + MAX_HOLD;
        if (until > maxUntil) revert HoldTooLong(until, maxUntil);
        Position storage p = _positions[_key(staker, role, assetId)];
        if (until > p.heldUntil) {
            p.heldUntil = uint64(until);
            emit StakeHeldUntil(staker, role, assetId, until);
        }
    }

    // ---------------------------------------------------------------- parameters

    /// @notice Set the thawing period; it must outlast the governance delay + vote + timelock.
    function setThawingPeriod(uint256 period) external onlyRole(PARAMS_ROLE) {
        _checkThawing(period, governance);
        thawingPeriod = period;
        emit ParameterSet("thawingPeriod", period);
    }

    /// @notice Set the minimum size of a non-empty position (guards reward-rate inflation by dust stakes).
    function setMinStake(uint256 amount) external onlyRole(PARAMS_ROLE) {
        if (amount == 0) revert ZeroAmount();
        minStake = amount;
        emit ParameterSet("minStake", amount);
    }

    /// @notice Set the Rewards contract notified before each voting-stake change (zero disables).
    function setRewards(IRewards rewards_) external onlyRole(PARAMS_ROLE) {
        rewards = rewards_;
        emit DependencySet("rewards", address(rewards_));
    }

    /// @notice Set the regulator's freeze registry (zero disables freeze checks).
    function setFreezeRegistry(IFreezeRegistry registry) external onlyRole(PARAMS_ROLE) {
        freezeRegistry = registry;
        emit DependencySet("freezeRegistry", address(registry));
    }

    /// @notice Set the governance whose timings bound the thawing period.
    function setGovernance(IGovernanceClock governance_) external onlyRole(PARAMS_ROLE) {
        if (address(governance_) == address(0)) revert ZeroAddress();
        _checkThawing(thawingPeriod, governance_);
        governance = governance_;
        emit DependencySet("governance", address(governance_));
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IStaking
    function positionOf(address staker, Role role, uint256 assetId) external view returns (Position memory) {
        return _positions[_key(staker, role, assetId)];
    }

    /// @inheritdoc IStaking
    function stakeOf(address account) external view returns (uint256) {
        return _stakeCheckpoints[account].latest();
    }

    /// @inheritdoc IStaking
    function totalStake() external view returns (uint256) {
        return _totalCheckpoints.latest();
    }

    /// @inheritdoc IStaking
    function getPastStake(address account, uint256 timepoint) external view returns (uint256) {
        if (timepoint >= block.timestamp) revert FutureLookup(timepoint, block.timestamp);
        return _stakeCheckpoints[account].upperLookupRecent(SafeCast.toUint48(timepoint));
    }

    /// @inheritdoc IStaking
    function getPastTotalStake(uint256 timepoint) external view returns (uint256) {
        if (timepoint >= block.timestamp) revert FutureLookup(timepoint, block.timestamp);
        return _totalCheckpoints.upperLookupRecent(SafeCast.toUint48(timepoint));
    }

    /// @notice The clock of the checkpoints: block timestamps.
    function clock() external view returns (uint48) {
        return uint48(block.timestamp);
    }

    // ---------------------------------------------------------------- internals

    function _key(address staker, Role role, uint256 assetId) private pure returns (bytes32) {
        return keccak256(abi.encode(staker, role, assetId));
    }

    /// @dev The NFT an asset-backed position refers to, or zero for a role-only stake.
    function _assetContract(Role role, uint256 assetId) private view returns (address) {
        if (assetId == 0) return address(0);
        if (role == Role.DataOwner) return address(dataNFT);
        if (role == Role.Model) return address(modelNFT);
        revert AssetNotAllowed(role, assetId);
    }

    function _beforeChange(address account) private {
        IRewards r = rewards;
        if (address(r) != address(0)) r.beforeStakeChange(account);
    }

    function _moveVotingStake(address account, uint256 amount, bool up) private {
        uint48 now_ = uint48(block.timestamp);
        Checkpoints.Trace208 storage mine = _stakeCheckpoints[account];
        uint256 oldMine = mine.latest();
        uint256 oldTotal = _totalCheckpoints.latest();
        mine.push(now_, SafeCast.toUint208(up ? oldMine + amount : oldMine - amount));
        _totalCheckpoints.push(now_, SafeCast.toUint208(up ? oldTotal + amount : oldTotal - amount));
    }

    function _checkThawing(uint256 period, IGovernanceClock gov) private view {
        if (address(gov) == address(0)) return;
        uint256 required = gov.votingDelay() + gov.votingPeriod() + gov.timelock();
        if (period < required) revert ThawingTooShort(period, required);
    }
}
