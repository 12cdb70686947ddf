// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Zero-knowledge proofs of possession of a $Data's records against its Poseidon commitment.
interface IPossessionChallenges {
    /// @notice A Groth16 proof (G1 `a`, G2 `b` with each coordinate as (imaginary, real), G1 `c`).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice A challenge.
    struct Challenge {
        uint256 dataId;
        address challenger;
        address owner;
        uint64 seedBlock;
        uint64 deadline;
        uint128 deposit;
        bytes32 seed;
        bool closed;
        bool reseeded;
    }

    /// @notice Thrown when a $Data's owner challenges its own $Data.
    error SelfChallenge(address owner, uint256 dataId);
    /// @notice Thrown when anyone but the challenger reseeds a challenge.
    error NotChallenger(address caller, uint256 challengeId);
    /// @notice Thrown when a challenge that was already reseeded once is reseeded again.
    error AlreadyReseeded(uint256 challengeId);
    /// @notice Thrown when a $Data already has an open challenge.
    error ChallengeAlreadyOpen(uint256 dataId, uint256 challengeId);
    /// @notice Thrown when a challenge does not exist.
    error UnknownChallenge(uint256 challengeId);
    /// @notice Thrown when a challenge is already answered or slashed.
    error ChallengeClosed(uint256 challengeId);
    /// @notice Thrown when the seed block is not mined yet.
    error SeedNotReady(uint256 challengeId, uint256 seedBlock);
    /// @notice Thrown when the seed block's hash is no longer available (call reseed).
    error SeedExpired(uint256 challengeId, uint256 seedBlock);
    /// @notice Thrown when reseed is called while the seed is still usable.
    error SeedStillValid(uint256 challengeId);
    /// @notice Thrown when an answer comes after the deadline.
    error DeadlinePassed(uint256 challengeId, uint256 deadline);
    /// @notice Thrown when the deadline has not passed yet.
    error DeadlineNotPassed(uint256 challengeId, uint256 deadline);
    /// @notice Thrown when the possession proof does not verify for the challenge's public signals.
    error InvalidProof(uint256 challengeId);
    /// @notice Thrown when too little gas is left to run the verifier to its end.
    error VerifierGasTooLow(uint256 available, uint256 required);
    /// @notice Thrown when a parameter is out of range.
    error BadParameter(bytes32 name);

    /// @notice Emitted when a challenge opens.
    /// @param challengeId the challenge
    /// @param dataId the $Data
    /// @param challenger who challenged
    /// @param owner the owner at challenge time
    /// @param seedBlock the block whose hash picks the leaves
    /// @param deadline the answer deadline
    event Challenged(
        uint256 indexed challengeId,
        uint256 indexed dataId,
        address indexed challenger,
        address owner,
        uint256 seedBlock,
        uint256 deadline
    );
    /// @notice Emitted when a seed is fixed from its block hash.
    event SeedFixed(uint256 indexed challengeId, bytes32 seed);
    /// @notice Emitted when an expired seed is replaced by a later block.
    event Reseeded(uint256 indexed challengeId, uint256 seedBlock, uint256 deadline);
    /// @notice Emitted when a challenge is answered; the deposit went to the owner.
    event Answered(uint256 indexed challengeId, uint256 indexed dataId, address indexed owner);
    /// @notice Emitted when an unanswered challenge slashes the data mortgage.
    event SlashedUnanswered(uint256 indexed challengeId, uint256 indexed dataId, address owner, uint256 slashed);
    /// @notice Emitted when parameters change.
    event ParamsSet(uint256 deposit, uint256 responseWindow, uint256 slashAmount, uint256 rewardBps);

    /// @notice Challenge a $Data; posts the challenge deposit.
    function challenge(uint256 dataId) external returns (uint256 challengeId);
    /// @notice Answer with a zero-knowledge proof of the challenged records (anyone holding them may answer).
    /// @dev Reverts InvalidProof unless `proof` verifies for (commitment, leafCount, challengedIndices,
    /// challengeBinding); send at least VERIFY_GAS more than the checks before it.
    function respond(uint256 challengeId, Proof calldata proof) external;
    /// @notice After an unanswered deadline, slash the owner's data mortgage and reward the challenger.
    function slashUnanswered(uint256 challengeId) external returns (uint256 slashed);
    /// @notice The leaf indices a challenge asks for (once its seed is known).
    function challengedIndices(uint256 challengeId) external view returns (uint256[] memory);
    /// @notice keccak256(abi.encode(challengeId, dataId, owner)) reduced into the BN254 field: the public
    /// input that ties a proof to one challenge of one owner.
    function challengeBinding(uint256 challengeId) external view returns (uint256);
}
