// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IGovernance} from "../interfaces/IGovernance.sol";
import {IGovernanceClock} from "../interfaces/IGovernanceClock.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IRegulator} from "../interfaces/IRegulator.sol";

/// @title Governance: referenda voted with Staking's stake snapshots.
/// @notice The snapshot is the second before the proposal, so stake added in the proposal's block or later
/// does not vote, and withdrawing later does not erase a vote. A referendum succeeds with a quorum of
/// the total stake at the snapshot and a strict majority of the votes cast; it runs after a timelock,
/// executed by anyone. Governance holds the admin / PARAMS roles of the suite, so ParamChange reaches
/// every governed setter, including its own (through `setParams`), but only the (target, selector) pairs
/// on its allowlist, and never the token that holds the escrowed deposits.
/// A slash proposal escrows the proposer's deposit, forfeited unless the slash passes; it holds the
/// accused position at most once per fault, and for at most MAX_UNPASSED_HOLD in total per HOLD_PERIOD.
/// A passed slash does not renew that budget: a 20% staker could otherwise pass a 1-wei slash of its
/// own to hold again. Role administration (grantRole / revokeRole / renounceRole) is never a
/// ParamChange, so no referendum can mint a slasher outside these rules.
contract Governance is IGovernance, IGovernanceClock, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint256 private constant _BPS = 10_000;
    /// @notice Cap on the proposer's share of a slash.
    uint256 public constant MAX_SLASH_REWARD_BPS = 5_000;
    /// @notice How long a succeeded referendum stays executable after its timelock.
    uint256 public constant EXECUTION_WINDOW = 7 days;
    /// @notice Cap on the total time slash proposals may hold one position within one HOLD_PERIOD.
    uint256 public constant MAX_UNPASSED_HOLD = 30 days;
    /// @notice The hold budget's period: period k runs from k * HOLD_PERIOD (unix time).
    uint256 public constant HOLD_PERIOD = 365 days;

    IERC20 public immutable token;
    IStaking public immutable staking;
    IRegulator public immutable regulatorRegistry;
    address public immutable treasury;

    uint256 public votingDelay = 1 days;
    uint256 public votingPeriod = 5 days;
    uint256 public timelock = 2 days;
    uint256 public quorumBps = 2_000;
    uint256 public proposalDeposit = 100e18;
    /// @notice A slash must name a fault at most this old at proposal time.
    uint256 public statuteOfLimitations = 90 days;
    uint256 public slashRewardBps = 2_000;

    uint256 public proposalCount;
    mapping(uint256 id => Proposal) private _proposals;
    mapping(uint256 id => mapping(address voter => bool)) private _voted;

    /// @notice May seed the call allowlist until it renounces (the deployer); zero afterwards.
    address public setupAdmin;
    /// @notice Whether a ParamChange may call `selector` on `target`.
    mapping(address target => mapping(bytes4 selector => bool)) public callAllowed;
    /// @notice Whether a fault (party, role, assetId, faultTime) already placed its hold.
    mapping(bytes32 fault => bool) public faultHeld;
    /// @notice Seconds of hold slash proposals placed on a position in a HOLD_PERIOD.
    mapping(bytes32 position => mapping(uint256 period => uint256)) public holdUsed;

    /// @param token_ CapToken (deposits)
    /// @param staking_ Staking (snapshots, slashing)
    /// @param regulatorRegistry_ the Regulator contract (Governance must hold its GOVERNOR_ROLE)
    /// @param treasury_ receives forfeited deposits
    /// @param admin seeds the call allowlist (`setCallAllowed`) until `renounceSetup`
    constructor(IERC20 token_, IStaking staking_, IRegulator regulatorRegistry_, address treasury_, address admin) {
        if (treasury_ == address(0) || address(staking_) == address(0)) revert ZeroAddress();
        token = token_;
        staking = staking_;
        regulatorRegistry = regulatorRegistry_;
        treasury = treasury_;
        setupAdmin = admin;
        _checkThawing(votingDelay, votingPeriod, timelock);
        _allow(address(this), Governance.setParams.selector, true);
        _allow(address(this), Governance.setCallAllowed.selector, true);
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- proposals

    /// @inheritdoc IGovernance
    /// @dev Also holds the position against withdrawal until the referendum can no longer execute,
    /// so neither thawing nor withdrawing escapes the slash: once per fault, within the hold budget.
    function proposeSlash(
        address party,
        IStaking.Role role,
        uint256 assetId,
        uint256 amount,
        string calldata evidenceCid,
        uint256 faultTime
    ) external nonReentrant returns (uint256 id) {
        if (party == address(0) || amount == 0) revert EmptySlash();
        uint256 earliest = block.timestamp > statuteOfLimitations ? block.timestamp - statuteOfLimitations : 0;
        if (faultTime < earliest || faultTime > block.timestamp) revert FaultTimeBarred(faultTime, earliest);
        id = _propose(Kind.Slash, abi.encode(party, role, assetId, amount), evidenceCid);
        bytes32 fault = keccak256(abi.encode(party, role, assetId, faultTime));
        if (!faultHeld[fault]) {
            faultHeld[fault] = true;
            _hold(id, party, role, assetId);
        }
    }

    /// @inheritdoc IGovernance
    function proposeParamChange(address target, bytes calldata data, string calldata descriptionCid)
        external
        nonReentrant
        returns (uint256 id)
    {
        if (target.code.length == 0) revert BadTarget(target);
        _checkCall(target, data);
        id = _propose(Kind.ParamChange, abi.encode(target, data), descriptionCid);
    }

    /// @inheritdoc IGovernance
    function proposeSetRegulator(address regulator, string calldata descriptionCid)
        external
        nonReentrant
        returns (uint256 id)
    {
        if (regulator == address(0)) revert ZeroAddress();
        id = _propose(Kind.SetRegulator, abi.encode(regulator), descriptionCid);
    }

    // ---------------------------------------------------------------- voting and execution

    /// @inheritdoc IGovernance
    function castVote(uint256 id, bool support) external {
        Proposal storage p = _get(id);
        if (block.timestamp < p.voteStart || block.timestamp >= p.voteEnd) {
            revert VotingClosed(id, p.voteStart, p.voteEnd);
        }
        if (_voted[id][msg.sender]) revert AlreadyVoted(msg.sender, id);
        uint256 weight = staking.getPastStake(msg.sender, p.snapshot);
        if (weight == 0) revert NoVotingPower(msg.sender, p.snapshot);
        _voted[id][msg.sender] = true;
        // weight <= total stake at the snapshot, which fits in uint208; sums of uint128 votes are bounded by it
        if (support) p.forVotes += SafeCast.toUint128(weight);
        else p.againstVotes += SafeCast.toUint128(weight);
        emit VoteCast(id, msg.sender, support, weight);
    }

    /// @inheritdoc IGovernance
    function execute(uint256 id) external nonReentrant returns (bytes memory result) {
        Proposal storage p = _get(id);
        State s = state(id);
        if (s != State.Succeeded) revert NotSucceeded(id, s);
        if (block.timestamp < p.readyAt) revert TimelockNotElapsed(id, p.readyAt);
        p.executed = true;
        if (!p.depositSettled) _settleDeposit(id, p, true);
        if (p.kind == Kind.Slash) {
            (address party, IStaking.Role role, uint256 assetId, uint256 amount) =
                abi.decode(p.action, (address, IStaking.Role, uint256, uint256));
            result = abi.encode(staking.slash(party, role, assetId, amount, p.proposer, slashRewardBps));
        } else if (p.kind == Kind.ParamChange) {
            (address target, bytes memory data) = abi.decode(p.action, (address, bytes));
            _checkCall(target, data); // the allowlist may have shrunk since the proposal
            result = Address.functionCall(target, data);
        } else {
            regulatorRegistry.setRegulator(abi.decode(p.action, (address)));
        }
        emit ProposalExecuted(id, result);
    }

    /// @inheritdoc IGovernance
    /// @dev A slash deposit comes back only through `execute`: it is forfeited once the slash is
    /// Defeated or Expired, and cannot be settled while the slash may still execute.
    function settleDeposit(uint256 id) external nonReentrant {
        Proposal storage p = _get(id);
        if (p.depositSettled || block.timestamp < p.voteEnd) revert DepositNotSettleable(id);
        if (p.kind == Kind.Slash) {
            if (state(id) == State.Succeeded) revert DepositNotSettleable(id);
            _settleDeposit(id, p, false);
        } else {
            _settleDeposit(id, p, _quorumReached(p));
        }
    }

    // ---------------------------------------------------------------- call allowlist

    /// @notice Allow or forbid ParamChange calls of `selector` on `target`; by referendum, or by the
    /// setup admin before it renounces. Never allowed: the token (escrowed deposits), Staking's slash /
    /// hold (those go through `proposeSlash` and its rules), and role administration on any contract
    /// (the suite's roles are fixed at deployment; a new slasher would escape the hold budget).
    function setCallAllowed(address target, bytes4 selector, bool allowed) external {
        if (msg.sender != address(this) && (msg.sender != setupAdmin || setupAdmin == address(0))) {
            revert NotSetupAdmin(msg.sender);
        }
        _allow(target, selector, allowed);
    }

    /// @notice The setup admin gives up seeding the allowlist; only referenda change it afterwards.
    function renounceSetup() external {
        address admin = setupAdmin;
        if (msg.sender != admin || admin == address(0)) revert NotSetupAdmin(msg.sender);
        setupAdmin = address(0);
        emit SetupRenounced(admin);
    }

    // ---------------------------------------------------------------- parameters (through referenda)

    /// @notice Set the referendum parameters; only through a ParamChange referendum targeting Governance.
    /// @dev Staking's thawing period must outlast delay + period + timelock.
    function setParams(
        uint256 delay,
        uint256 period,
        uint256 timelock_,
        uint256 quorumBps_,
        uint256 deposit,
        uint256 statute,
        uint256 slashRewardBps_
    ) external onlySelf {
        if (period == 0) revert BadParameter("votingPeriod", period);
        if (quorumBps_ == 0 || quorumBps_ > _BPS) revert BadParameter("quorumBps", quorumBps_);
        if (statute == 0) revert BadParameter("statuteOfLimitations", statute);
        if (slashRewardBps_ > MAX_SLASH_REWARD_BPS) revert BadParameter("slashRewardBps", slashRewardBps_);
        _checkThawing(delay, period, timelock_);
        votingDelay = delay;
        votingPeriod = period;
        timelock = timelock_;
        quorumBps = quorumBps_;
        proposalDeposit = deposit;
        statuteOfLimitations = statute;
        slashRewardBps = slashRewardBps_;
        emit ParameterSet("votingDelay", delay);
        emit ParameterSet("votingPeriod", period);
        emit ParameterSet("timelock", timelock_);
        emit ParameterSet("quorumBps", quorumBps_);
        emit ParameterSet("proposalDeposit", deposit);
        emit ParameterSet("statuteOfLimitations", statute);
        emit ParameterSet("slashRewardBps", slashRewardBps_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IGovernance
    function state(uint256 id) public view returns (State) {
        Proposal storage p = _proposals[id];
        if (p.proposer == address(0)) return State.None;
        if (p.executed) return State.Executed;
        if (block.timestamp < p.voteStart) return State.Pending;
        if (block.timestamp < p.voteEnd) return State.Active;
        if (!_quorumReached(p) || p.forVotes <= p.againstVotes) return State.Defeated;
        if (block.timestamp >= uint256(p.readyAt) + EXECUTION_WINDOW) return State.Expired;
        return State.Succeeded;
    }

    /// @notice A referendum.
    function proposalOf(uint256 id) external view returns (Proposal memory) {
        return _proposals[id];
    }

    /// @notice Whether `voter` voted on referendum `id`.
    function hasVoted(uint256 id, address voter) external view returns (bool) {
        return _voted[id][voter];
    }

    // ---------------------------------------------------------------- internals

    function _propose(Kind kind, bytes memory action, string calldata descriptionCid) private returns (uint256 id) {
        id = ++proposalCount;
        uint256 snapshot = block.timestamp - 1;
        uint256 voteStart = block.timestamp + votingDelay;
        uint256 voteEnd = voteStart + votingPeriod;
        uint256 deposit = proposalDeposit;
        Proposal storage p = _proposals[id];
        p.proposer = msg.sender;
        p.kind = kind;
        p.snapshot = uint48(snapshot);
        p.quorumBps = uint16(quorumBps); // <= _BPS (setParams); later changes do not reach this proposal
        p.voteStart = SafeCast.toUint48(voteStart);
        p.voteEnd = SafeCast.toUint48(voteEnd);
        p.readyAt = SafeCast.toUint48(voteEnd + timelock);
        p.deposit = SafeCast.toUint128(deposit);
        p.totalStakeAtSnapshot = SafeCast.toUint128(staking.getPastTotalStake(snapshot));
        p.action = action;
        emit ProposalCreated(id, msg.sender, kind, snapshot, voteStart, voteEnd, action, descriptionCid);
        if (deposit != 0) token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @dev Holds the accused position until the slash can no longer execute, clamped to what is left of
    /// this period's MAX_UNPASSED_HOLD budget and to Staking's per-hold cap. Only the extension beyond the
    /// position's current hold is counted, against the period the hold is placed in.
    function _hold(uint256 id, address party, IStaking.Role role, uint256 assetId) private {
        mapping(uint256 => uint256) storage usedIn = holdUsed[_positionKey(party, role, assetId)];
        uint256 period = block.timestamp / HOLD_PERIOD;
        uint256 current = staking.positionOf(party, role, assetId).heldUntil;
        uint256 from = current > block.timestamp ? current : block.timestamp;
        uint256 until = uint256(_proposals[id].readyAt) + EXECUTION_WINDOW;
        uint256 maxUntil = block.timestamp + staking.MAX_HOLD();
        if (until > maxUntil) until = maxUntil;
        uint256 used = usedIn[period];
        uint256 room = MAX_UNPASSED_HOLD - used; // used <= MAX_UNPASSED_HOLD by construction
        if (until > from + room) until = from + room;
        if (until <= from) return;
        used += until - from;
        usedIn[period] = used;
        emit SlashHoldPlaced(id, party, role, assetId, until, used);
        staking.hold(party, role, assetId, until);
    }

    function _checkCall(address target, bytes memory data) private view {
        bytes4 selector = bytes4(data);
        if (data.length < 4 || !callAllowed[target][selector]) revert CallNotAllowed(target, selector);
    }

    function _allow(address target, bytes4 selector, bool allowed) private {
        if (
            target == address(token)
                || (target == address(staking) && (selector == IStaking.slash.selector || selector == IStaking.hold.selector))
                || selector == IAccessControl.grantRole.selector || selector == IAccessControl.revokeRole.selector
                || selector == IAccessControl.renounceRole.selector
        ) revert UnsafeCall(target, selector);
        callAllowed[target][selector] = allowed;
        emit CallAllowed(target, selector, allowed);
    }

    function _positionKey(address party, IStaking.Role role, uint256 assetId) private pure returns (bytes32) {
        return keccak256(abi.encode(party, role, assetId));
    }

    function _get(uint256 id) private view returns (Proposal storage p) {
        p = _proposals[id];
        if (p.proposer == address(0)) revert UnknownProposal(id);
    }

    function _quorumReached(Proposal storage p) private view returns (bool) {
        uint256 total = p.totalStakeAtSnapshot;
        if (total == 0) return false;
        return (uint256(p.forVotes) + p.againstVotes) * _BPS >= total * p.quorumBps;
    }

    function _settleDeposit(uint256 id, Proposal storage p, bool returned) private {
        p.depositSettled = true;
        address to = returned ? p.proposer : treasury;
        uint256 amount = p.deposit;
        emit DepositSettled(id, to, amount, returned);
        if (amount != 0) token.safeTransfer(to, amount);
    }

    function _checkThawing(uint256 delay, uint256 period, uint256 timelock_) private view {
        uint256 required = delay + period + timelock_;
        uint256 thawing = staking.thawingPeriod();
        if (thawing < required) revert IStaking.ThawingTooShort(thawing, required);
    }
}
