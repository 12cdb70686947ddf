// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IUsageHook} from "../interfaces/IUsageHook.sol";

/// @title Rewards: base rewards per unit of active stake over time, bonuses per use and per training.
/// @notice A Synthetix-style reward-per-token accumulator over Staking's active stake. Staking calls
/// `beforeStakeChange` before any change of an account's stake, so every update is O(1). While the
/// total stake is zero the emission pauses and its remainder is carried over (nothing is lost).
/// Bonuses come from a separately funded pool and never exceed it. Claims are pull-based; claimed
/// bonuses may vest linearly in an OpenZeppelin VestingWallet.
contract Rewards is IRewards, IUsageHook, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May fund base rewards (treasury).
    bytes32 public constant FUNDER_ROLE = keccak256("FUNDER_ROLE");
    /// @notice May credit training bonuses (JobMarket).
    bytes32 public constant TRAINING_CREDITOR_ROLE = keccak256("TRAINING_CREDITOR_ROLE");
    /// @notice May report model uses (ModelMarket).
    bytes32 public constant MODEL_MARKET_ROLE = keccak256("MODEL_MARKET_ROLE");
    /// @notice May change parameters (Governance).
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");
    uint256 private constant _BPS = 10_000;
    /// @notice Cap on `trainingBonusBps`: a self-dealing job earns at most this share of its own budget.
    uint256 public constant MAX_TRAINING_BONUS_BPS = 1_000;
    uint256 private constant _PRECISION = 1e18;

    IERC20 public immutable token;
    IStaking public immutable staking;
    IERC721 public immutable modelNFT;

    uint256 public rewardsDuration = 30 days;
    uint256 public usageBonusBps = 500;
    /// @notice The training bonus in bps of a job payout; JobMarket snapshots it when a participant joins.
    uint256 public trainingBonusBps = 500;
    uint256 public vestingDuration;

    uint256 public periodFinish;
    uint256 public lastUpdateTime;
    uint256 public rewardRate;
    uint256 public rewardPerTokenStored;
    /// @notice Base rewards funded so far, and paid out so far.
    uint256 public totalBaseFunded;
    uint256 public totalBasePaid;
    /// @notice Unallocated bonus pool, and bonuses credited but not yet claimed.
    uint256 public bonusPool;
    uint256 public bonusOwed;

    mapping(address account => uint256) private _paidPerToken;
    mapping(address account => uint256) private _baseEarned;
    mapping(address account => uint256) private _bonus;

    /// @param token_ CapToken
    /// @param staking_ the Staking contract whose active stake earns rewards
    /// @param modelNFT_ the $Model contract (per-use bonuses go to the model's owner)
    /// @param admin receives DEFAULT_ADMIN_ROLE and PARAMS_ROLE
    constructor(IERC20 token_, IStaking staking_, IERC721 modelNFT_, address admin) {
        token = token_;
        staking = staking_;
        modelNFT = modelNFT_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMS_ROLE, admin);
    }

    // ---------------------------------------------------------------- hooks and funding

    /// @inheritdoc IRewards
    function beforeStakeChange(address account) external {
        if (msg.sender != address(staking)) revert NotStaking(msg.sender);
        _update(account);
    }

    /// @inheritdoc IRewards
    /// @dev Only FUNDER_ROLE. Adds to what is still to be emitted and restarts a period of `rewardsDuration`.
    function notifyRewardAmount(uint256 amount) external onlyRole(FUNDER_ROLE) nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _update(address(0));
        uint256 duration = rewardsDuration;
        uint256 remaining = block.timestamp < periodFinish ? (periodFinish - block.timestamp) * rewardRate : 0;
        // Synthetix StakingRewards arithmetic: the rate floors, unemitted dust stays (invariant_rewardsSolvent).
        // slither-disable-next-line divide-before-multiply
        uint256 rate = (amount + remaining) / duration;
        // an exact check on an integer computed here, not on a balance anyone can move
        // slither-disable-next-line incorrect-equality
        if (rate == 0) revert RewardTooSmall(amount, duration);
        rewardRate = rate;
        lastUpdateTime = block.timestamp;
        periodFinish = block.timestamp + duration;
        totalBaseFunded += amount;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit RewardNotified(msg.sender, amount, rate, block.timestamp + duration);
    }

    /// @inheritdoc IRewards
    function fundBonus(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        bonusPool += amount;
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit BonusFunded(msg.sender, amount);
    }

    /// @inheritdoc IRewards
    /// @dev Only TRAINING_CREDITOR_ROLE; credits at most what is left in the bonus pool.
    function creditTrainingBonus(address account, uint256 amount)
        external
        onlyRole(TRAINING_CREDITOR_ROLE)
        returns (uint256 credited)
    {
        credited = _credit(account, amount, 1);
    }

    /// @inheritdoc IUsageHook
    /// @dev Only MODEL_MARKET_ROLE; credits `usageBonusBps` of the fee to the model's owner, from the pool.
    function onModelUsed(uint256 modelId, uint256, address, uint256 fee) external onlyRole(MODEL_MARKET_ROLE) {
        _credit(modelNFT.ownerOf(modelId), fee * usageBonusBps / _BPS, 0);
    }

    // ---------------------------------------------------------------- claims

    /// @inheritdoc IRewards
    function claim() external nonReentrant returns (uint256 baseAmount, uint256 bonusAmount) {
        _update(msg.sender);
        baseAmount = _baseEarned[msg.sender];
        bonusAmount = _bonus[msg.sender];
        // exact checks on amounts computed here, not on balances anyone can move
        // slither-disable-next-line incorrect-equality
        if (baseAmount == 0 && bonusAmount == 0) revert NothingToClaim(msg.sender);
        _baseEarned[msg.sender] = 0;
        _bonus[msg.sender] = 0;
        totalBasePaid += baseAmount;
        bonusOwed -= bonusAmount;
        address vesting = address(0);
        if (bonusAmount != 0 && vestingDuration != 0) {
            vesting = address(new VestingWallet(msg.sender, uint64(block.timestamp), uint64(vestingDuration)));
        }
        emit Claimed(msg.sender, baseAmount, bonusAmount, vesting);
        if (vesting == address(0)) {
            token.safeTransfer(msg.sender, baseAmount + bonusAmount);
        } else {
            if (baseAmount != 0) token.safeTransfer(msg.sender, baseAmount);
            token.safeTransfer(vesting, bonusAmount);
        }
    }

    // ---------------------------------------------------------------- parameters

    /// @notice Set the length of an emission period (applies from the next funding).
    function setRewardsDuration(uint256 duration) external onlyRole(PARAMS_ROLE) {
        if (duration == 0 || duration > 365 days) revert BadParameter("rewardsDuration", duration);
        rewardsDuration = duration;
        emit ParameterSet("rewardsDuration", duration);
    }

    /// @notice Set the per-use bonus as a share of the use fee.
    function setUsageBonusBps(uint256 bps) external onlyRole(PARAMS_ROLE) {
        if (bps > _BPS) revert BadParameter("usageBonusBps", bps);
        usageBonusBps = bps;
        emit ParameterSet("usageBonusBps", bps);
    }

    /// @notice Set the training bonus as a share of a job payout (applies to participants joining later).
    function setTrainingBonusBps(uint256 bps) external onlyRole(PARAMS_ROLE) {
        if (bps > MAX_TRAINING_BONUS_BPS) revert BadParameter("trainingBonusBps", bps);
        trainingBonusBps = bps;
        emit ParameterSet("trainingBonusBps", bps);
    }

    /// @notice Set the linear vesting of claimed bonuses (0 pays them at once).
    function setVestingDuration(uint256 duration) external onlyRole(PARAMS_ROLE) {
        if (duration > 4 * 365 days) revert BadParameter("vestingDuration", duration);
        vestingDuration = duration;
        emit ParameterSet("vestingDuration", duration);
    }

    // ---------------------------------------------------------------- views

    /// @notice The end of the current emission, or now if it already ended.
    function lastTimeRewardApplicable() public view returns (uint256) {
        return block.timestamp < periodFinish ? block.timestamp : periodFinish;
    }

    /// @notice Accumulated reward per unit of active stake, scaled by 1e18.
    function rewardPerToken() public view returns (uint256) {
        uint256 total = staking.totalStake();
        uint256 last = lastTimeRewardApplicable();
        if (total == 0 || last <= lastUpdateTime) return rewardPerTokenStored;
        return rewardPerTokenStored + (last - lastUpdateTime) * rewardRate * _PRECISION / total;
    }

    /// @inheritdoc IRewards
    function earned(address account) public view returns (uint256) {
        return _baseEarned[account]
            + staking.stakeOf(account) * (rewardPerToken() - _paidPerToken[account]) / _PRECISION;
    }

    /// @inheritdoc IRewards
    function bonusOf(address account) external view returns (uint256) {
        return _bonus[account];
    }

    // ---------------------------------------------------------------- internals

    function _update(address account) private {
        if (staking.totalStake() == 0) {
            // Nobody earns: pause the emission, carrying what is left to after the next stake.
            uint256 finish = periodFinish;
            uint256 last = lastUpdateTime;
            if (last < finish && block.timestamp > last) {
                uint256 carried = block.timestamp + (finish - last);
                periodFinish = carried;
                emit EmissionCarried(carried);
            }
            lastUpdateTime = block.timestamp;
        } else {
            rewardPerTokenStored = rewardPerToken();
            uint256 last = lastTimeRewardApplicable();
            if (last > lastUpdateTime) lastUpdateTime = last;
        }
        if (account != address(0)) {
            _baseEarned[account] = earned(account);
            _paidPerToken[account] = rewardPerTokenStored;
        }
    }

    function _credit(address account, uint256 amount, uint8 reason) private returns (uint256 credited) {
        uint256 pool = bonusPool;
        credited = amount < pool ? amount : pool;
        if (credited == 0 || account == address(0)) return 0;
        bonusPool = pool - credited;
        bonusOwed += credited;
        _bonus[account] += credited;
        emit BonusCredited(account, credited, reason);
    }
}
