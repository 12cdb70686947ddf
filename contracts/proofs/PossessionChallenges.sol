// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IPossessionChallenges} from "../interfaces/IPossessionChallenges.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IPossessionVerifier} from "../interfaces/IPossessionVerifier.sol";

/// @title PossessionChallenges: zero-knowledge proofs that a data owner still holds sampled records.
/// @notice A challenge commits at block N; SAMPLES leaf indices come from blockhash(N + SEED_DELAY), unknown
/// to both sides when the challenge is made, modulo the $Data's leaf count (fixed at mint, bound in its
/// commitment). The owner may not challenge itself. The seed must be fixed (`fixSeed`, by anyone) or answered
/// within 256 blocks; an expired, unfixed seed counts against the owner: only the challenger may
/// `reseed`, once, else the deadline passes unanswered (an owner's sybil challenger cannot keep the one
/// open slot of a $Data by reseeding forever). The owner's data mortgage is held until the deadline, so
/// a thawing stake cannot leave before the slash. The owner answers with a Groth16 proof
/// (circuits/possession.circom) that it knows the records at those leaves of the Poseidon tree the $Data
/// commits to; no record is ever published. A correct answer pays the challenger's
/// deposit to the owner (compensation, anti-spam); no answer by the deadline slashes the data mortgage
/// (this contract needs Staking's SLASHER_ROLE), returns the deposit and rewards the challenger.
contract PossessionChallenges is IPossessionChallenges, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May change parameters (Governance).
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");
    /// @notice Blocks between the challenge and the block whose hash seeds it.
    uint256 public constant SEED_DELAY = 2;
    /// @notice Leaves asked per challenge: the circuit's S (a fixed-size proof).
    uint256 public constant SAMPLES = 4;
    /// @notice The BN254 scalar field: public signals are reduced into it.
    uint256 public constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Gas kept for the verifier: below it the pairing precompile could run short and the
    /// verifier would return false for an honest proof (and eth_estimateGas would stop too low).
    uint256 public constant VERIFY_GAS = 300_000;

    IERC20 public immutable token;
    IDataNFT public immutable dataNFT;
    IStaking public immutable staking;
    IPossessionVerifier public immutable verifier;

    uint256 public challengeDeposit = 5e18;
    uint256 public responseWindow = 1 days;
    uint256 public slashAmount = 100e18;
    uint256 public slashRewardBps = 5_000;
    uint256 public challengeCount;

    mapping(uint256 dataId => uint256) public openChallengeOf;
    mapping(uint256 challengeId => Challenge) private _challenges;

    /// @param token_ CapToken (deposits)
    /// @param dataNFT_ $Data (commitments and owners)
    /// @param staking_ Staking (data mortgages)
    /// @param verifier_ the possession circuit's Groth16 verifier
    /// @param admin receives DEFAULT_ADMIN_ROLE and PARAMS_ROLE
    constructor(IERC20 token_, IDataNFT dataNFT_, IStaking staking_, IPossessionVerifier verifier_, address admin) {
        token = token_;
        dataNFT = dataNFT_;
        staking = staking_;
        verifier = verifier_;
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
            Challenge(dataId, msg.sender, owner, uint64(seedBlock), uint64(deadline), uint128(deposit), 0, false, false);
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
    /// Only once per challenge.
    function reseed(uint256 challengeId) external {
        Challenge storage c = _open(challengeId);
        if (msg.sender != c.challenger) revert NotChallenger(msg.sender, challengeId);
        if (c.seed != 0 || block.number <= c.seedBlock || blockhash(c.seedBlock) != 0) {
            revert SeedStillValid(challengeId);
        }
        if (c.reseeded) revert AlreadyReseeded(challengeId);
        uint256 seedBlock = block.number + SEED_DELAY;
        uint256 deadline = block.timestamp + responseWindow;
        c.seedBlock = uint64(seedBlock);
        c.deadline = uint64(deadline);
        c.reseeded = true;
        emit Reseeded(challengeId, seedBlock, deadline);
        staking.hold(c.owner, IStaking.Role.DataOwner, c.dataId, deadline);
    }

    /// @inheritdoc IPossessionChallenges
    function respond(uint256 challengeId, Proof calldata proof) external nonReentrant {
        Challenge storage c = _open(challengeId);
        if (block.timestamp > c.deadline) revert DeadlinePassed(challengeId, c.deadline);
        uint256[7] memory signals = _publicSignals(challengeId, c, fixSeed(challengeId));
        if (gasleft() < VERIFY_GAS) revert VerifierGasTooLow(gasleft(), VERIFY_GAS);
        if (!verifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof(challengeId);
        _closeAnswered(challengeId, c);
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

    /// @notice Set deposit, response window, slash amount and challenger reward.
    function setParams(uint256 deposit, uint256 window, uint256 slash_, uint256 rewardBps)
        external
        onlyRole(PARAMS_ROLE)
    {
        if (window < 1 hours || window > 30 days) revert BadParameter("responseWindow");
        if (rewardBps > 5_000) revert BadParameter("slashRewardBps");
        challengeDeposit = deposit;
        responseWindow = window;
        slashAmount = slash_;
        slashRewardBps = rewardBps;
        emit ParamsSet(deposit, window, slash_, rewardBps);
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
        indices = new uint256[](SAMPLES);
        for (uint256 i; i < SAMPLES; ++i) {
            indices[i] = _index(seed, challengeId, i, leafCount);
        }
    }

    /// @inheritdoc IPossessionChallenges
    function challengeBinding(uint256 challengeId) public view returns (uint256) {
        Challenge storage c = _challenges[challengeId];
        if (c.challenger == address(0)) revert UnknownChallenge(challengeId);
        return uint256(keccak256(abi.encode(challengeId, c.dataId, c.owner))) % SNARK_SCALAR_FIELD;
    }

    /// @dev commitment, leafCount, the SAMPLES indices, the binding: the circuit's public inputs, in order.
    function _publicSignals(uint256 challengeId, Challenge storage c, bytes32 seed)
        private
        view
        returns (uint256[7] memory signals)
    {
        uint256 leafCount = dataNFT.leafCountOf(c.dataId);
        signals[0] = uint256(dataNFT.commitmentOf(c.dataId));
        signals[1] = leafCount;
        for (uint256 i; i < SAMPLES; ++i) {
            signals[2 + i] = _index(seed, challengeId, i, leafCount);
        }
        signals[6] = challengeBinding(challengeId);
    }

    function _open(uint256 challengeId) private view returns (Challenge storage c) {
        c = _challenges[challengeId];
        if (c.challenger == address(0)) revert UnknownChallenge(challengeId);
        if (c.closed) revert ChallengeClosed(challengeId);
    }

    function _index(bytes32 seed, uint256 challengeId, uint256 i, uint256 leafCount) private pure returns (uint256) {
        // Indices come from a block hash by design (shared with the Python side): biasing it only changes
        // which leaves are asked, and an honest owner answers any of them.
        // slither-disable-next-line weak-prng
        return uint256(keccak256(abi.encode(seed, challengeId, i))) % leafCount;
    }
}
