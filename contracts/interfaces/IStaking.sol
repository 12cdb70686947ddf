// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Mortgages: CapToken stakes per role and per asset, thawing, slashing and voting checkpoints.
interface IStaking {
    /// @notice The role a stake backs.
    enum Role {
        DataOwner,
        ComputeProvider,
        Curator,
        Trainer,
        Aggregator,
        Model
    }

    /// @notice One stake position, keyed by (staker, role, assetId).
    struct Position {
        uint128 active;
        uint128 thawing;
        uint64 thawEnd;
        uint64 heldUntil;
    }

    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when a position would hold less than the minimum stake (and more than zero).
    error BelowMinimumStake(uint256 amount, uint256 minimum);
    /// @notice Thrown when a role that backs no asset is given an asset id.
    error AssetNotAllowed(Role role, uint256 assetId);
    /// @notice Thrown when an asset-backed stake is opened by someone who does not own the asset.
    error NotAssetOwner(address caller, Role role, uint256 assetId);
    /// @notice Thrown when more is requested than the position holds.
    error InsufficientStake(uint256 requested, uint256 available);
    /// @notice Thrown when there is nothing thawing to withdraw.
    error NothingToWithdraw(address staker, Role role, uint256 assetId);
    /// @notice Thrown when a withdrawal comes before the end of the thawing period.
    error StillThawing(uint256 thawEnd);
    /// @notice Thrown when the asset backed by a mortgage is frozen by the regulator.
    error AssetFrozen(address nft, uint256 assetId);
    /// @notice Thrown when a pending slash referendum holds the position.
    error StakeHeld(uint256 until);
    /// @notice Thrown when the thawing period would not outlast voting delay + voting period + timelock.
    error ThawingTooShort(uint256 thawingPeriod, uint256 required);
    /// @notice Thrown when a slash reward exceeds the cap.
    error RewardTooHigh(uint256 bps, uint256 maxBps);
    /// @notice Thrown when a past lookup names the present or the future.
    error FutureLookup(uint256 timepoint, uint256 clock);
    /// @notice Thrown when a hold would end more than MAX_HOLD from now.
    error HoldTooLong(uint256 until, uint256 maxUntil);
    /// @notice Thrown when a zero address is given.
    error ZeroAddress();

    /// @notice Emitted when a stake is added.
    /// @param staker the staker
    /// @param role the role
    /// @param assetId the backed asset (0 for a role-only stake)
    /// @param amount the amount added
    event Staked(address indexed staker, Role indexed role, uint256 indexed assetId, uint256 amount);
    /// @notice Emitted when a stake starts thawing.
    /// @param staker the staker
    /// @param role the role
    /// @param assetId the backed asset
    /// @param amount the amount moved to thawing
    /// @param thawEnd when the thawing amount becomes withdrawable
    event UnstakeRequested(
        address indexed staker, Role indexed role, uint256 indexed assetId, uint256 amount, uint256 thawEnd
    );
    /// @notice Emitted when a thawed stake leaves.
    /// @param staker the staker
    /// @param role the role
    /// @param assetId the backed asset
    /// @param amount the amount withdrawn
    event Withdrawn(address indexed staker, Role indexed role, uint256 indexed assetId, uint256 amount);
    /// @notice Emitted when a position is slashed.
    /// @param staker the slashed staker
    /// @param role the role
    /// @param assetId the backed asset
    /// @param amount the amount taken
    /// @param beneficiary who received the reward
    /// @param reward the reward paid
    /// @param burned the amount burned
    event Slashed(
        address indexed staker,
        Role indexed role,
        uint256 indexed assetId,
        uint256 amount,
        address beneficiary,
        uint256 reward,
        uint256 burned
    );
    /// @notice Emitted when a slasher holds a position against withdrawal.
    /// @param staker the staker
    /// @param role the role
    /// @param assetId the backed asset
    /// @param until the end of the hold
    event StakeHeldUntil(address indexed staker, Role indexed role, uint256 indexed assetId, uint256 until);
    /// @notice Emitted when a parameter changes.
    /// @param name the parameter
    /// @param value its new value
    event ParameterSet(bytes32 indexed name, uint256 value);
    /// @notice Emitted when a dependency address changes.
    /// @param name the dependency
    /// @param value its new address
    event DependencySet(bytes32 indexed name, address value);

    /// @notice Stake `amount` for `role`, backing `assetId` ($Data for DataOwner, $Model for Model, else 0).
    function stake(Role role, uint256 assetId, uint256 amount) external;
    /// @notice Start thawing `amount` of an active position.
    function requestUnstake(Role role, uint256 assetId, uint256 amount) external;
    /// @notice Withdraw the thawed amount of a position.
    function withdraw(Role role, uint256 assetId) external returns (uint256 amount);
    /// @notice Slash a position (active first, then thawing); only SLASHER_ROLE.
    function slash(address staker, Role role, uint256 assetId, uint256 amount, address beneficiary, uint256 rewardBps)
        external
        returns (uint256 slashed);
    /// @notice Block withdrawals of a position until `until`; only SLASHER_ROLE.
    function hold(address staker, Role role, uint256 assetId, uint256 until) external;
    /// @notice A position.
    function positionOf(address staker, Role role, uint256 assetId) external view returns (Position memory);
    /// @notice The current voting (active) stake of an account, all roles and assets.
    function stakeOf(address account) external view returns (uint256);
    /// @notice The current total active stake.
    function totalStake() external view returns (uint256);
    /// @notice The voting stake of an account at a past timepoint (timestamp).
    function getPastStake(address account, uint256 timepoint) external view returns (uint256);
    /// @notice The total active stake at a past timepoint (timestamp).
    function getPastTotalStake(uint256 timepoint) external view returns (uint256);
    /// @notice The longest a single hold may reach from the time it is placed.
    function MAX_HOLD() external view returns (uint256);
    /// @notice The thawing period in seconds.
    function thawingPeriod() external view returns (uint256);
}
