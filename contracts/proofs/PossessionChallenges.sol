// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IPossessionChallenges} from "../interfaces/IPossessionChallenges.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @title PossessionChallenges: sampled Merkle proofs that a data owner still holds its records.
/// @notice A challenge commits at block N; the leaf indices come from blockhash(N + SEED_DELAY), unknown to
/// both sides when the challenge is made, modulo the $Data's leaf count (fixed at mint, bound in its
/// commitment). The owner may not challenge itself. The seed must be fixed (`fixSeed`, by anyone) or answered
/// within 256 blocks; an expired, unfixed seed counts against the owner: only the challenger may
/// `reseed`, else the deadline passes unanswered. The owner's data mortgage is held until the deadline, so
/// a thawing stake cannot leave before the slash. Hashing, shared with
/// the Python side: r = keccak256(record); leaf = keccak256(bytes.concat(keccak256(abi.encode(index, r))));
/// OpenZeppelin sorted-pair tree, an odd node promoted unchanged. A correct answer pays the challenger's
/// deposit to the owner (compensation, anti-spam); no answer by the deadline slashes the data mortgage
/// (this contract needs Staking's SLASHER_ROLE), returns the deposit and rewards the challenger.
contract PossessionChallenges is IPossessionChallenges, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May change parameters (Governance).
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");
    /// @notice Blocks between the challenge and the block whose hash seeds it.
    uint256 public constant SEED_DELAY = 2;
    uint256 public constant MAX_SAMPLES = 32;

    IERC20 public immutable token;
    IDataNFT public immutable dataNFT;
    IStaking public immutable staking;

    uint256 public challengeDeposit = 5e18;
    uint256 public responseWindow = 1 days;
    uint256 public samples = 4;
    uint256 public slashAmount = 100e18;
    uint256 public slashRewardBps = 5_000;
    uint256 public challengeCount;

    mapping(uint256 dataId => uint256) public openChallengeOf;
    mapping(uint256 challengeId => Challenge) private _challenges;

    /// @param token_ CapToken (deposits)
    /// @param dataNFT_ $Data (commitments and owners)
    /// @param staking_ Staking (data mortgages)
    /// @param admin receives DEFAULT_ADMIN_ROLE and PARAMS_ROLE
    constructor(IERC20 token_, IDataNFT dataNFT_, IStaking staking_, address admin) {
        token = token_;
        dataNFT = dataNFT_;
        staking = staking_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMS_ROLE, admin);
    }

    /// @inheritdoc IPossessionChallenges
    /// @dev Reverts ChallengeAlreadyOpen, SelfChallenge (and ERC721NonexistentToken for an unknown $Data).
    function challenge(uint256 dataId) external nonReentrant returns (uint256 challengeId) {
        uint256 open = openChallengeOf[dataId];
        if (open != 0) revert ChallengeAlreadyOpen(dataId, open);
        address owner = dataNFT.ownerOf(dataId);
        if (owner == msg.sender) revert SelfChallenge(msg.sender, dataId);
        challengeId = ++challengeCount;
        uint256 seedBlock = block.number + SEED_DELAY;
        uint256 deadline = block.timestamp + responseWindow;
        uint256 deposit = challengeDeposit;
        _challenges[challengeId] =
            Challenge(dataId, msg.sender, owner, uint64(seedBlock), uint64(deadline), uint128(deposit), 0, false);
        openChallengeOf[dataId] = challengeId;
        emit Challenged(challengeId, dataId, msg.sender, owner, seedBlock, deadline);
        staking.hold(owner, IStaking.Role.DataOwner, dataId, deadline);
        if (deposit != 0) token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @notice Fix a challenge's seed from its block hash; anyone may call once the block is mined.
    function fixSeed(uint256 challengeId) public returns (bytes32 seed) {
        Challenge storage c = _open(challengeId);
        seed = c.seed;
        if (seed != 0) return seed;
        if (block.number <= c.seedBlock) revert SeedNotReady(challengeId, c.seedBlock);
        seed = blockhash(c.seedBlock);
        if (seed == 0) revert SeedExpired(challengeId, c.seedBlock);
        c.seed = seed;
        emit SeedFixed(challengeId, seed);
    }

    /// @notice Replace a seed whose block hash expired unfixed (older than 256 blocks); resets the deadline.
    /// Only the challenger: an owner who read the indices and let the seed expire cannot re-roll them.
    function reseed(uint256 challengeId) external {
        Challenge storage c = _open(challengeId);
        if (msg.sender != c.challenger) revert NotChallenger(msg.sender, challengeId);
        if (c.seed != 0 || block.number <= c.seedBlock || blockhash(c.seedBlock) != 0) {
            revert SeedStillValid(challengeId);
        }
        uint256 seedBlock = block.number + SEED_DELAY;
        uint256 deadline = block.timestamp + responseWindow;
        c.seedBlock = uint64(seedBlock);
        c.deadline = uint64(deadline);
        emit Reseeded(challengeId, seedBlock, deadline);
        staking.hold(c.owner, IStaking.Role.DataOwner, c.dataId, deadline);
    }

    /// @inheritdoc IPossessionChallenges
    function respond(uint256 challengeId, bytes[] calldata records, bytes32[][] calldata proofs)
        external
        nonReentrant
    {
        Challenge storage c = _open(challengeId);
        if (block.timestamp > c.deadline) revert DeadlinePassed(challengeId, c.deadline);
        _verifyAnswer(challengeId, c.dataId, challengedIndices(challengeId), records, proofs);
        _closeAnswered(challengeId, c);
    }

    /// @dev The proof check alone: reverts unless the answer proves the records at `indices` against the
    /// $Data's commitment. Everything else about an answer (deadline, seed, payout) lives in respond.
    function _verifyAnswer(
        uint256 challengeId,
        uint256 dataId,
        uint256[] memory indices,
        bytes[] calldata records,
        bytes32[][] calldata proofs
    ) private view {
        uint256 n = indices.length;
        if (records.length != n || proofs.length != n) revert WrongAnswerLength(n, records.length, proofs.length);
        bytes32 root = dataNFT.commitmentOf(dataId);
        for (uint256 i; i < n; ++i) {
            bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(indices[i], keccak256(records[i])))));
            if (!MerkleProof.verifyCalldata(proofs[i], root, leaf)) revert InvalidProof(challengeId, i, indices[i]);
        }
    }

    /// @dev Closes an answered challenge and pays the deposit to the owner.
    function _closeAnswered(uint256 challengeId, Challenge storage c) private {
        c.closed = true;
        openChallengeOf[c.dataId] = 0;
        emit Answered(challengeId, c.dataId, c.owner);
        if (c.deposit != 0) token.safeTransfer(c.owner, c.deposit);
    }

    /// @inheritdoc IPossessionChallenges
    function slashUnanswered(uint256 challengeId) external nonReentrant returns (uint256 slashed) {
        Challenge storage c = _open(challengeId);
        if (block.timestamp <= c.deadline) revert DeadlineNotPassed(challengeId, c.deadline);
        c.closed = true;
        openChallengeOf[c.dataId] = 0;
        slashed = staking.slash(
            c.owner, IStaking.Role.DataOwner, c.dataId, slashAmount, c.challenger, slashRewardBps
        );
        emit SlashedUnanswered(challengeId, c.dataId, c.owner, slashed);
        if (c.deposit != 0) token.safeTransfer(c.challenger, c.deposit);
    }

    /// @notice Set deposit, response window, samples per challenge, slash amount and challenger reward.
    function setParams(uint256 deposit, uint256 window, uint256 samples_, uint256 slash_, uint256 rewardBps)
        external
        onlyRole(PARAMS_ROLE)
    {
        if (window < 1 hours || window > 30 days) revert BadParameter("responseWindow");
        if (samples_ == 0 || samples_ > MAX_SAMPLES) revert BadParameter("samples");
        if (rewardBps > 5_000) revert BadParameter("slashRewardBps");
        challengeDeposit = deposit;
        responseWindow = window;
        samples = samples_;
        slashAmount = slash_;
        slashRewardBps = rewardBps;
        emit ParamsSet(deposit, window, samples_, slash_, rewardBps);
    }

    /// @notice A challenge.
    function challengeOf(uint256 challengeId) external view returns (Challenge memory) {
        return _challenges[challengeId];
    }

    /// @inheritdoc IPossessionChallenges
    function challengedIndices(uint256 challengeId) public view returns (uint256[] memory indices) {
        Challenge storage c = _challenges[challengeId];
        if (c.challenger == address(0)) revert UnknownChallenge(challengeId);
        bytes32 seed = c.seed;
        if (seed == 0) {
            if (block.number <= c.seedBlock) revert SeedNotReady(challengeId, c.seedBlock);
            seed = blockhash(c.seedBlock);
            if (seed == 0) revert SeedExpired(challengeId, c.seedBlock);
        }
        uint256 leafCount = dataNFT.leafCountOf(c.dataId);
        indices = new uint256[](_sampleCount(leafCount));
        for (uint256 i; i < indices.length; ++i) {
            indices[i] = _index(seed, challengeId, i, leafCount);
        }
    }

    function _open(uint256 challengeId) private view returns (Challenge storage c) {
        c = _challenges[challengeId];
        if (c.challenger == address(0)) revert UnknownChallenge(challengeId);
        if (c.closed) revert ChallengeClosed(challengeId);
    }

    function _sampleCount(uint256 leafCount) private view returns (uint256) {
        return leafCount < samples ? leafCount : samples;
    }

    function _index(bytes32 seed, uint256 challengeId, uint256 i, uint256 leafCount) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, challengeId, i))) % leafCount;
    }
}
