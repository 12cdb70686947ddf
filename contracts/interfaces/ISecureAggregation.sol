// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IJobMarket} from "./IJobMarket.sol";

/// @title The parts of JobMarket that SecureAggregation reads (and its penalty hook).
interface IJobMarketRounds {
    /// @notice A job.
    function jobOf(uint256 jobId) external view returns (IJobMarket.Job memory);
    /// @notice A round of a job.
    function roundOf(uint256 jobId, uint256 round) external view returns (IJobMarket.Round memory);
    /// @notice A participant of a job.
    function participantOf(uint256 jobId, address account) external view returns (IJobMarket.Participant memory);
    /// @notice The participant with a given index.
    function participantAt(uint256 jobId, uint256 index) external view returns (address);
    /// @notice The fewest updates an aggregate may include.
    function MIN_AGGREGATE() external view returns (uint256);
    /// @notice Penalise a participant as for a missing update (PENALIZER_ROLE).
    function penalizeMissing(uint256 jobId, address participant) external;
}

/// @title SecureAggregation: the key, share and reveal phases of masked aggregation beside JobMarket.
/// @notice Owners commit X25519 keys before the first round (an encryption key and, per round, a mask key and a
/// self-mask seed commitment), then the Merkle root of their Shamir shares with the encrypted share bundle's hash
/// and CID. The trainer closes the key phase and seals the share phase; the sealed owners are the members and
/// the threshold is a strict majority of the key holders (fixed when the keys close: shares are dealt for it). After each round's aggregate, every member reveals, for each
/// member, the one share the rule allows: the self-mask seed share of an included member, the mask-key share
/// of any other (never both for one member and round); each share is checked against its dealer's root.
interface ISecureAggregation {
    /// @notice The masking state of a job.
    struct Setup {
        uint64 sharesDeadline;
        uint16 threshold;
        bool keysClosed;
        bool isSealed;
        uint256 keyBits;
        uint256 shareBits;
        uint256 members;
    }

    /// @notice One revealed share: from the dealer with JobMarket index `dealer`, with its Merkle proof.
    struct Reveal {
        uint8 dealer;
        uint256 share;
        bytes32[] proof;
    }

    /// @notice Emitted when an owner commits its keys.
    /// @param jobId the job
    /// @param owner the participant
    /// @param index its JobMarket index (its Shamir evaluation point is index + 1)
    /// @param encPub its X25519 key for share bundles
    /// @param maskPubs its X25519 mask key of each round (round r at r - 1)
    /// @param seedCommits sha256 commitment of its self-mask seed of each round
    event KeysCommitted(
        uint256 indexed jobId,
        address indexed owner,
        uint256 index,
        bytes32 encPub,
        bytes32[] maskPubs,
        bytes32[] seedCommits
    );
    /// @notice Emitted when the trainer closes the key phase.
    /// @param jobId the job
    /// @param keyBits the owners with keys (bit = JobMarket index)
    /// @param sharesDeadline after this, the trainer may seal without every key holder's shares
    event KeysClosed(uint256 indexed jobId, uint256 keyBits, uint256 sharesDeadline);
    /// @notice Emitted when an owner commits its share bundle.
    /// @param jobId the job
    /// @param owner the dealer
    /// @param index its JobMarket index
    /// @param bundleHash sha256 of the bundle stored at `cid`
    /// @param cid the bundle's IPFS CID (boxes of shares, one per key holder, and the share leaves)
    /// @param shareRoot Merkle root of the dealer's share leaves
    event SharesCommitted(
        uint256 indexed jobId, address indexed owner, uint256 index, bytes32 bundleHash, string cid, bytes32 shareRoot
    );
    /// @notice Emitted when the trainer seals the share phase.
    /// @param jobId the job
    /// @param members the owners whose masks the job uses
    /// @param threshold shares needed to rebuild a secret (a strict majority of the key holders)
    event Sealed(uint256 indexed jobId, uint256 members, uint256 threshold);
    /// @notice Emitted when a member reveals its shares for a round.
    /// @param jobId the job
    /// @param round the round
    /// @param revealer the member
    /// @param dealers the dealers' JobMarket indices, increasing
    /// @param kinds per dealer, 1 (self-mask seed: included) or 0 (mask key: not included)
    /// @param shares the share values (the revealer's evaluation point is its index + 1)
    event SharesRevealed(
        uint256 indexed jobId,
        uint256 indexed round,
        address indexed revealer,
        uint8[] dealers,
        uint8[] kinds,
        uint256[] shares
    );
    /// @notice Emitted when a member that did not reveal is penalised.
    /// @param jobId the job
    /// @param round the round
    /// @param member the member
    event RevealMissed(uint256 indexed jobId, uint256 indexed round, address indexed member);

    /// @notice Thrown when the caller is not a participant of the job.
    error NotParticipant(address caller, uint256 jobId);
    /// @notice Thrown when the caller is not the job's trainer.
    error NotTrainer(address caller, uint256 jobId);
    /// @notice Thrown when keys come after the first round started or after the key phase closed.
    error KeyPhaseClosed(uint256 jobId);
    /// @notice Thrown when an owner commits keys twice.
    error KeysAlreadyCommitted(uint256 jobId, address owner);
    /// @notice Thrown when a key commitment has a zero key or not one mask key and seed per round.
    error BadKeys(uint256 jobId, uint256 maskKeys, uint256 seedCommits, uint256 rounds);
    /// @notice Thrown when the key phase must be closed (or open) for the action.
    error KeyPhaseOpen(uint256 jobId);
    /// @notice Thrown when fewer owners than the minimum aggregate (or, for shares, the threshold) took part.
    error TooFewOwners(uint256 jobId, uint256 owners, uint256 minimum);
    /// @notice Thrown when the caller committed no keys.
    error NoKeys(uint256 jobId, address owner);
    /// @notice Thrown when an owner commits shares twice, or after the seal.
    error SharesClosed(uint256 jobId, address owner);
    /// @notice Thrown when a share commitment is empty.
    error EmptyShares();
    /// @notice Thrown when the trainer seals before every key holder's shares are in or the deadline passed.
    error SharesPending(uint256 jobId, uint256 keyBits, uint256 shareBits, uint256 sharesDeadline);
    /// @notice Thrown when the job's masks are not sealed yet, or already sealed.
    error NotSealed(uint256 jobId);
    /// @notice Thrown when the job is already sealed.
    error AlreadySealed(uint256 jobId);
    /// @notice Thrown when the caller (or named account) is not a member of the sealed set.
    error NotMember(address account, uint256 jobId);
    /// @notice Thrown when a round has no aggregate yet.
    error RoundNotAggregated(uint256 jobId, uint256 round);
    /// @notice Thrown when a reveal comes after the round's challenge window.
    error RevealClosed(uint256 jobId, uint256 round, uint256 deadline);
    /// @notice Thrown when a member reveals twice for a round.
    error AlreadyRevealed(uint256 jobId, uint256 round, address member);
    /// @notice Thrown when an aggregate includes fewer members than the threshold: it could not be unmasked
    /// without exposing, and a sum of too few owners is no privacy.
    error BelowThreshold(uint256 jobId, uint256 round, uint256 includedMembers, uint256 threshold);
    /// @notice Thrown when dealers are not strictly increasing members of the sealed set.
    error BadDealer(uint256 jobId, uint256 dealer);
    /// @notice Thrown when a share does not match its dealer's root for the kind the reveal rule allows.
    error InvalidShare(uint256 jobId, uint256 round, uint256 dealer, uint8 kind);
    /// @notice Thrown when penalising before the reveal deadline or a member that revealed or was penalised.
    error NotMissed(uint256 jobId, uint256 round, address member);

    /// @notice Commit keys (before the first round, while the key phase is open).
    function commitKeys(uint256 jobId, bytes32 encPub, bytes32[] calldata maskPubs, bytes32[] calldata seedCommits)
        external;
    /// @notice Close the key phase (trainer); opens the share phase until `roundDuration` from now.
    function closeKeys(uint256 jobId) external;
    /// @notice Commit the share bundle (key holders, share phase).
    function commitShares(uint256 jobId, bytes32 bundleHash, string calldata cid, bytes32 shareRoot) external;
    /// @notice Seal the members and threshold (trainer; all shares in or the share deadline passed).
    function seal(uint256 jobId) external;
    /// @notice Reveal this member's shares for an aggregated round, one per dealer, of the kind the rule allows.
    function reveal(uint256 jobId, uint256 round, Reveal[] calldata reveals) external;
    /// @notice After a round's reveal deadline, penalise a member that did not reveal (anyone).
    function penalizeMissingReveal(uint256 jobId, uint256 round, address member) external;
    /// @notice The masking state of a job.
    function setupOf(uint256 jobId) external view returns (Setup memory);
    /// @notice Whether the trainer sealed the job's members (JobMarket's round 1 needs it).
    function isSealed(uint256 jobId) external view returns (bool);
    /// @notice The job market whose participants and rounds this contract follows.
    function jobMarket() external view returns (IJobMarketRounds);
    /// @notice The members that revealed for a round (bit = JobMarket index).
    function revealedBitsOf(uint256 jobId, uint256 round) external view returns (uint256);
    /// @notice A dealer's share root (zero: none).
    function shareRootOf(uint256 jobId, uint256 index) external view returns (bytes32);
}
