// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Base rewards per unit of stake over time, plus bonuses per use and per training contribution.
interface IRewards {
    /// @notice Thrown when an account has nothing to claim.
    error NothingToClaim(address account);
    /// @notice Thrown when a stake hook comes from anyone but Staking.
    error NotStaking(address caller);
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when a funding would overflow the reward rate or is too small to emit.
    error RewardTooSmall(uint256 amount, uint256 duration);
    /// @notice Thrown when a parameter is out of range.
    error BadParameter(bytes32 name, uint256 value);

    /// @notice Emitted when base rewards are funded.
    /// @param funder who paid
    /// @param amount the amount added
    /// @param rate the new emission per second
    /// @param periodFinish the end of the emission
    event RewardNotified(address indexed funder, uint256 amount, uint256 rate, uint256 periodFinish);
    /// @notice Emitted when emission pauses because nobody stakes (the remainder is carried over).
    /// @param periodFinish the shifted end of the emission
    event EmissionCarried(uint256 periodFinish);
    /// @notice Emitted when the bonus pool is funded.
    /// @param funder who paid
    /// @param amount the amount added
    event BonusFunded(address indexed funder, uint256 amount);
    /// @notice Emitted when a bonus is credited.
    /// @param account who is credited
    /// @param amount the amount credited
    /// @param reason 0 = use of a model, 1 = training contribution
    event BonusCredited(address indexed account, uint256 amount, uint8 reason);
    /// @notice Emitted on a claim.
    /// @param account the claimant
    /// @param baseAmount the base reward paid
    /// @param bonusAmount the bonus paid (or sent to vesting)
    /// @param vesting the vesting wallet holding the bonus, or zero
    event Claimed(address indexed account, uint256 baseAmount, uint256 bonusAmount, address vesting);
    /// @notice Emitted when a parameter changes.
    /// @param name the parameter
    /// @param value its new value
    event ParameterSet(bytes32 indexed name, uint256 value);

    /// @notice Called by Staking before an account's voting stake changes.
    function beforeStakeChange(address account) external;
    /// @notice Fund base rewards emitted over `rewardsDuration`.
    function notifyRewardAmount(uint256 amount) external;
    /// @notice Fund the bonus pool.
    function fundBonus(uint256 amount) external;
    /// @notice Credit a training-contribution bonus (JobMarket).
    function creditTrainingBonus(address account, uint256 amount) external returns (uint256 credited);
    /// @notice The training bonus, in bps of a job payout (JobMarket snapshots it at join; governed, capped).
    function trainingBonusBps() external view returns (uint256);
    /// @notice Pay out everything accrued to the caller.
    function claim() external returns (uint256 baseAmount, uint256 bonusAmount);
    /// @notice Base reward accrued and not yet claimed.
    function earned(address account) external view returns (uint256);
    /// @notice Bonus credited and not yet claimed.
    function bonusOf(address account) external view returns (uint256);
}
