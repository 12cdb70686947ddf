// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";
import {IPortfolioNFT} from "../interfaces/IPortfolioNFT.sol";
import {IModelNFT} from "../interfaces/IModelNFT.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IFreezeRegistry} from "../interfaces/IFreezeRegistry.sol";
import {ISecureAggregation} from "../interfaces/ISecureAggregation.sol";

/// @title JobMarketStorage: the state of JobMarket, its parameters, dependencies and views.
/// @notice Everything of JobMarket except the job lifecycle, which lives in JobMarket itself.
/// @dev Abstract, never deployed on its own. State is internal (not private) only so that JobMarket's
/// lifecycle can write it; nothing else inherits from this contract.
abstract contract JobMarketStorage is IJobMarket, AccessControl {
    /// @notice May change parameters and dependencies (Governance).
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");
    /// @notice May resolve disputes (Governance).
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice May penalise a participant for a missed protocol step outside this contract (SecureAggregation:
    /// a missing reveal), exactly as a missing update is penalised.
    bytes32 public constant PENALIZER_ROLE = keccak256("PENALIZER_ROLE");
    uint256 public constant MAX_PARTICIPANTS = 256;
    uint256 public constant MAX_ROUNDS = 1_000;
    /// @notice The fewest updates an aggregate may include: the trainer only ever decrypts sums over at least
    /// this many data owners, never one owner's individual update. Also the floor of `minParticipants`.
    uint256 public constant MIN_AGGREGATE = 2;
    uint256 internal constant _BPS = 10_000;
    /// @notice An update's contribution is weightBps x CONTRIBUTION_UNIT x samples / leafCount: at most one
    /// curator weight per round, in fixed point.
    uint256 public constant CONTRIBUTION_UNIT = 1e18;

    IERC20 public immutable token;
    IDataNFT public immutable dataNFT;
    IPortfolioNFT public immutable portfolioNFT;
    IModelNFT public immutable modelNFT;
    address public treasury;
    IRewards public rewards;
    IFreezeRegistry public freezeRegistry;
    /// @notice Where every job's owners commit their masking keys and shares; round 1 needs the seal there.
    ISecureAggregation public secureAggregation;

    /// @notice Tokens this contract owes (budgets not paid, bonds, forfeits, dispute deposits).
    uint256 public totalEscrowed;
    uint256 public jobCount;
    Params internal _params;

    mapping(uint256 jobId => Job) internal _jobs;
    mapping(uint256 jobId => mapping(uint256 round => Round)) internal _rounds;
    mapping(uint256 jobId => mapping(address account => Participant)) internal _participants;
    mapping(uint256 jobId => mapping(uint256 index => address)) internal _participantAt;
    mapping(uint256 jobId => mapping(uint256 dataId => bool)) internal _dataJoined;
    mapping(uint256 jobId => mapping(uint256 round => mapping(uint256 index => uint256))) internal _updateContribution;
    mapping(uint256 jobId => mapping(uint256 round => mapping(uint256 index => bytes32))) internal _updateHash;
    mapping(uint256 jobId => uint256) internal _disputeDeposit; // the deposit of the pending dispute, as posted
    mapping(uint256 jobId => mapping(uint256 round => mapping(bytes32 hash => bool))) internal _hashSeen;

    /// @param token_ CapToken
    /// @param dataNFT_ $Data
    /// @param portfolioNFT_ $Portfolio (JobMarket needs its FREEZER_ROLE)
    /// @param modelNFT_ $Model (JobMarket needs its MINTER_ROLE)
    /// @param treasury_ receives slashed aggregator bonds beyond the disputer's reward
    /// @param admin receives DEFAULT_ADMIN_ROLE, PARAMS_ROLE and ARBITER_ROLE (hand them to Governance)
    constructor(
        IERC20 token_,
        IDataNFT dataNFT_,
        IPortfolioNFT portfolioNFT_,
        IModelNFT modelNFT_,
        address treasury_,
        address admin
    ) {
        token = token_;
        dataNFT = dataNFT_;
        portfolioNFT = portfolioNFT_;
        modelNFT = modelNFT_;
        treasury = treasury_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMS_ROLE, admin);
        _grantRole(ARBITER_ROLE, admin);
        _params = Params(10e18, 50e18, 10e18, 1 days, 1 days, 7 days, 2_000, 5_000, 5_000, 500);
    }

    // ---------------------------------------------------------------- admin

    /// @notice Set the market parameters; only PARAMS_ROLE.
    function setParams(Params calldata params) external onlyRole(PARAMS_ROLE) {
        if (params.missPenaltyBps > _BPS || params.aggregatorPenaltyBps > _BPS) revert BadParameter("penaltyBps");
        if (params.disputeRewardBps > 5_000) revert BadParameter("disputeRewardBps");
        if (params.curatorShareBps > 5_000) revert BadParameter("curatorShareBps");
        if (params.challengeWindow == 0 || params.aggregateWindow == 0) revert BadParameter("window");
        _params = params;
        emit ParamsSet(params);
    }

    /// @notice Set Rewards (training bonuses), the freeze registry and the treasury; only PARAMS_ROLE.
    function setDependencies(IRewards rewards_, IFreezeRegistry registry, address treasury_)
        external
        onlyRole(PARAMS_ROLE)
    {
        if (treasury_ == address(0)) revert BadParameter("treasury");
        rewards = rewards_;
        freezeRegistry = registry;
        treasury = treasury_;
        emit DependencySet("rewards", address(rewards_));
        emit DependencySet("freezeRegistry", address(registry));
        emit DependencySet("treasury", treasury_);
    }

    /// @notice Set SecureAggregation (built on this market), once; only PARAMS_ROLE.
    /// @dev Set once: running jobs' keys, shares and reveals live in it, so it cannot be swapped under them.
    /// test/deploy/SuiteWiring.t.sol checks that the suite's follows this market (JobMarket has no bytes left for it).
    function setSecureAggregation(ISecureAggregation secureAggregation_) external onlyRole(PARAMS_ROLE) {
        if (address(secureAggregation) != address(0)) revert BadParameter("secureAggregation");
        secureAggregation = secureAggregation_;
        emit DependencySet("secureAggregation", address(secureAggregation_));
    }

    // ---------------------------------------------------------------- views

    /// @notice The market parameters.
    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice A job.
    function jobOf(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @notice A round of a job.
    function roundOf(uint256 jobId, uint256 round) external view returns (Round memory) {
        return _rounds[jobId][round];
    }

    /// @notice A participant of a job.
    function participantOf(uint256 jobId, address account) external view returns (Participant memory) {
        return _participants[jobId][account];
    }

    /// @notice The participant with a given index.
    function participantAt(uint256 jobId, uint256 index) external view returns (address) {
        return _participantAt[jobId][index];
    }

    /// @notice The committed hash of a participant's update (by index) in a round.
    function updateHashOf(uint256 jobId, uint256 round, uint256 index) external view returns (bytes32) {
        return _updateHash[jobId][round][index];
    }

    // ---------------------------------------------------------------- internal accessors

    /// @dev The job, or UnknownJob.
    function _job(uint256 jobId) internal view returns (Job storage j) {
        j = _jobs[jobId];
        if (j.status == Status.None) revert UnknownJob(jobId);
    }

    /// @dev The job, or UnknownJob / NotTrainer when the caller is not its trainer.
    function _trainerJob(uint256 jobId) internal view returns (Job storage j) {
        j = _job(jobId);
        if (msg.sender != j.trainer) revert NotTrainer(msg.sender, jobId);
    }
}
