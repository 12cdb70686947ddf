// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStaking} from "./IStaking.sol";

/// @title Referenda over stake snapshots: slash a party, change a parameter, appoint the regulator.
interface IGovernance {
    /// @notice What a referendum does when executed.
    enum Kind {
        Slash,
        ParamChange,
        SetRegulator
    }

    /// @notice Where a referendum stands.
    enum State {
        None,
        Pending,
        Active,
        Defeated,
        Succeeded,
        Executed,
        Expired
    }

    /// @notice A referendum.
    struct Proposal {
        address proposer;
        Kind kind;
        bool executed;
        bool depositSettled;
        uint48 snapshot;
        uint16 quorumBps;
        uint48 voteStart;
        uint48 voteEnd;
        uint48 readyAt;
        uint128 deposit;
        uint128 forVotes;
        uint128 againstVotes;
        uint128 totalStakeAtSnapshot;
        bytes action;
    }

    /// @notice Thrown when a referendum does not exist.
    error UnknownProposal(uint256 id);
    /// @notice Thrown when a voter had no stake at the referendum's snapshot.
    error NoVotingPower(address voter, uint256 snapshot);
    /// @notice Thrown when a voter votes twice.
    error AlreadyVoted(address voter, uint256 id);
    /// @notice Thrown when a vote comes outside the voting period.
    error VotingClosed(uint256 id, uint256 voteStart, uint256 voteEnd);
    /// @notice Thrown when execution comes before the timelock elapsed.
    error TimelockNotElapsed(uint256 id, uint256 readyAt);
    /// @notice Thrown when a referendum cannot be executed in its state.
    error NotSucceeded(uint256 id, State state);
    /// @notice Thrown when a deposit is settled before the vote ended, or twice.
    error DepositNotSettleable(uint256 id);
    /// @notice Thrown when a slash names a fault older than the statute of limitations, or in the future.
    error FaultTimeBarred(uint256 faultTime, uint256 earliest);
    /// @notice Thrown when a slash amount is zero or no party is named.
    error EmptySlash();
    /// @notice Thrown when a call is reserved to Governance itself (through a referendum).
    error OnlySelf(address caller);
    /// @notice Thrown when a parameter is out of range.
    error BadParameter(bytes32 name, uint256 value);
    /// @notice Thrown when the parameter-change target is not a contract.
    error BadTarget(address target);
    /// @notice Thrown when the regulator address is zero.
    error ZeroAddress();
    /// @notice Thrown when a ParamChange calls a (target, selector) pair that is not on the allowlist.
    error CallNotAllowed(address target, bytes4 selector);
    /// @notice Thrown when a call that could move escrowed deposits or bypass slash rules is allowlisted.
    error UnsafeCall(address target, bytes4 selector);
    /// @notice Thrown when the caller may not change the allowlist.
    error NotSetupAdmin(address caller);

    /// @notice Emitted when a referendum opens.
    /// @param id the referendum
    /// @param proposer who opened it
    /// @param kind what it does
    /// @param snapshot the stake snapshot timepoint
    /// @param voteStart start of the vote
    /// @param voteEnd end of the vote
    /// @param action the ABI-encoded action
    /// @param descriptionCid CID of the description (evidence for a slash)
    event ProposalCreated(
        uint256 indexed id,
        address indexed proposer,
        Kind kind,
        uint256 snapshot,
        uint256 voteStart,
        uint256 voteEnd,
        bytes action,
        string descriptionCid
    );
    /// @notice Emitted on a vote.
    /// @param id the referendum
    /// @param voter the voter
    /// @param support true for, false against
    /// @param weight the stake at the snapshot
    event VoteCast(uint256 indexed id, address indexed voter, bool support, uint256 weight);
    /// @notice Emitted when a referendum is executed.
    /// @param id the referendum
    /// @param result the return data of the action
    event ProposalExecuted(uint256 indexed id, bytes result);
    /// @notice Emitted when a deposit is returned or forfeited.
    /// @param id the referendum
    /// @param to proposer (returned) or treasury (forfeited)
    /// @param amount the deposit
    /// @param returned whether it went back to the proposer
    event DepositSettled(uint256 indexed id, address indexed to, uint256 amount, bool returned);
    /// @notice Emitted when a slash proposal holds the accused position.
    /// @param id the referendum
    /// @param party the accused
    /// @param role the position's role
    /// @param assetId the position's asset
    /// @param until the end of the hold
    /// @param holdUsed seconds of hold placed on the position in this HOLD_PERIOD
    event SlashHoldPlaced(
        uint256 indexed id, address indexed party, IStaking.Role role, uint256 assetId, uint256 until, uint256 holdUsed
    );
    /// @notice Emitted when the ParamChange allowlist changes.
    /// @param target the called contract
    /// @param selector the called function
    /// @param allowed whether ParamChange may call it
    event CallAllowed(address indexed target, bytes4 indexed selector, bool allowed);
    /// @notice Emitted when the setup admin gives up seeding the allowlist.
    /// @param admin the former setup admin
    event SetupRenounced(address admin);
    /// @notice Emitted when a parameter changes.
    /// @param name the parameter
    /// @param value its new value
    event ParameterSet(bytes32 indexed name, uint256 value);

    /// @notice Open a referendum to slash a position; takes the proposal deposit.
    function proposeSlash(
        address party,
        IStaking.Role role,
        uint256 assetId,
        uint256 amount,
        string calldata evidenceCid,
        uint256 faultTime
    ) external returns (uint256 id);
    /// @notice Open a referendum to call `target` with `data` (a governed contract's setter).
    function proposeParamChange(address target, bytes calldata data, string calldata descriptionCid)
        external
        returns (uint256 id);
    /// @notice Open a referendum to appoint a regulator.
    function proposeSetRegulator(address regulator, string calldata descriptionCid) external returns (uint256 id);
    /// @notice Vote with the stake held at the referendum's snapshot.
    function castVote(uint256 id, bool support) external;
    /// @notice Execute a succeeded referendum after its timelock; anyone may call.
    function execute(uint256 id) external returns (bytes memory result);
    /// @notice After the vote: return (quorum reached) or forfeit the deposit; a slash deposit is
    /// forfeited once the slash is Defeated or Expired (a passed slash returns it on execution).
    function settleDeposit(uint256 id) external;
    /// @notice The state of a referendum.
    function state(uint256 id) external view returns (State);
}
