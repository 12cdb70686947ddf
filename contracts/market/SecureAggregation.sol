// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IJobMarketRounds, ISecureAggregation} from "../interfaces/ISecureAggregation.sol";

/// @title SecureAggregation: keys, shares and reveals of pairwise-masked aggregation (Bonawitz et al. 2017).
/// @notice Phases per job: keys (until the trainer closes them, before round 1; the threshold is then fixed
/// at a strict majority of the key holders, since shares are dealt for it), shares (until the trainer
/// seals, at most `roundDuration` after the keys closed unless every key holder's bundle is in), then per
/// round, after JobMarket's aggregate: reveals until the round's challenge window ends. The reveal rule is
/// enforced here: the kind of each revealed share follows from the round's `includedBits`, and each share
/// must be a leaf of its dealer's committed root. A member that does not reveal is penalised through
/// JobMarket like a missing update.
/// @dev Reads JobMarket through views; needs JobMarket's PENALIZER_ROLE. Members are indexed by their JobMarket
/// index (< 256), so phases are bitmaps.
contract SecureAggregation is ISecureAggregation {
    /// @notice Share kinds: the mask key (revealed for owners left out of a sum) and the self-mask seed
    /// (revealed for owners in it).
    uint8 public constant MASK_KEY = 0;
    uint8 public constant SELF_SEED = 1;

    /// @notice The job market whose participants and rounds this contract follows.
    IJobMarketRounds public immutable jobMarket;

    mapping(uint256 jobId => Setup) private _setups;
    mapping(uint256 jobId => mapping(uint256 index => bytes32)) private _shareRoots;
    mapping(uint256 jobId => mapping(uint256 round => uint256)) private _revealed;
    mapping(uint256 jobId => mapping(uint256 round => uint256)) private _penalized;

    /// @param jobMarket_ JobMarket (grant this contract its PENALIZER_ROLE)
    constructor(IJobMarketRounds jobMarket_) {
        jobMarket = jobMarket_;
    }

    // ---------------------------------------------------------------- keys and shares

    /// @inheritdoc ISecureAggregation
    /// @dev One mask key and seed commitment per round of the job; neither may be zero.
    function commitKeys(uint256 jobId, bytes32 encPub, bytes32[] calldata maskPubs, bytes32[] calldata seedCommits)
        external
    {
        IJobMarket.Job memory j = jobMarket.jobOf(jobId);
        IJobMarket.Participant memory p = _participant(jobId);
        Setup storage s = _setups[jobId];
        if (s.keysClosed || j.currentRound != 0) revert KeyPhaseClosed(jobId);
        uint256 bit = 1 << p.index;
        if (s.keyBits & bit != 0) revert KeysAlreadyCommitted(jobId, msg.sender);
        if (encPub == 0 || maskPubs.length != j.rounds || seedCommits.length != j.rounds) {
            revert BadKeys(jobId, maskPubs.length, seedCommits.length, j.rounds);
        }
        for (uint256 r; r < maskPubs.length; ++r) {
            if (maskPubs[r] == 0 || seedCommits[r] == 0) {
                revert BadKeys(jobId, maskPubs.length, seedCommits.length, j.rounds);
            }
        }
        s.keyBits |= bit;
        emit KeysCommitted(jobId, msg.sender, p.index, encPub, maskPubs, seedCommits);
    }

    /// @inheritdoc ISecureAggregation
    function closeKeys(uint256 jobId) external {
        IJobMarket.Job memory j = _trainerJob(jobId);
        Setup storage s = _setups[jobId];
        if (s.keysClosed || j.currentRound != 0) revert KeyPhaseClosed(jobId);
        uint256 owners = _popcount(s.keyBits);
        uint256 minimum = jobMarket.MIN_AGGREGATE();
        if (owners < minimum) revert TooFewOwners(jobId, owners, minimum);
        uint256 deadline = block.timestamp + j.roundDuration;
        s.keysClosed = true;
        s.sharesDeadline = uint64(deadline);
        s.threshold = uint16(owners / 2 + 1); // owners <= 256; shares are dealt for this threshold
        emit KeysClosed(jobId, s.keyBits, deadline);
    }

    /// @inheritdoc ISecureAggregation
    /// @dev The bundle holds, for every key holder, a box with its shares of every round; `shareRoot` commits
    /// every share as keccak256(keccak256(abi.encode(jobId, dealer, round, recipient, kind, share))).
    function commitShares(uint256 jobId, bytes32 bundleHash, string calldata cid, bytes32 shareRoot) external {
        IJobMarket.Participant memory p = _participant(jobId);
        Setup storage s = _setups[jobId];
        if (!s.keysClosed) revert KeyPhaseOpen(jobId);
        uint256 bit = 1 << p.index;
        if (s.keyBits & bit == 0) revert NoKeys(jobId, msg.sender);
        if (s.isSealed || s.shareBits & bit != 0) revert SharesClosed(jobId, msg.sender);
        if (bundleHash == 0 || shareRoot == 0) revert EmptyShares();
        s.shareBits |= bit;
        _shareRoots[jobId][p.index] = shareRoot;
        emit SharesCommitted(jobId, msg.sender, p.index, bundleHash, cid, shareRoot);
    }

    /// @inheritdoc ISecureAggregation
    function seal(uint256 jobId) external {
        IJobMarket.Job memory j = _trainerJob(jobId);
        Setup storage s = _setups[jobId];
        if (!s.keysClosed) revert KeyPhaseOpen(jobId);
        if (s.isSealed) revert AlreadySealed(jobId);
        if (j.currentRound != 0) revert KeyPhaseClosed(jobId);
        if (s.shareBits != s.keyBits && block.timestamp <= s.sharesDeadline) {
            revert SharesPending(jobId, s.keyBits, s.shareBits, s.sharesDeadline);
        }
        uint256 n = _popcount(s.shareBits);
        uint256 minimum = Math.max(jobMarket.MIN_AGGREGATE(), s.threshold);
        if (n < minimum) revert TooFewOwners(jobId, n, minimum);
        s.isSealed = true;
        s.members = s.shareBits;
        emit Sealed(jobId, s.members, s.threshold);
    }

    // ---------------------------------------------------------------- reveals

    /// @inheritdoc ISecureAggregation
    /// @dev Entries name dealers in increasing index order, each a member; any subset (a box that did not open
    /// is skipped), but at most one share per dealer, so one reveal never carries both kinds for a dealer.
    function reveal(uint256 jobId, uint256 round, Reveal[] calldata reveals) external {
        uint256 included = _startReveal(jobId, round);
        (uint8[] memory dealers, uint8[] memory kinds, uint256[] memory shares) =
            _checkShares(jobId, round, included, reveals);
        emit SharesRevealed(jobId, round, msg.sender, dealers, kinds, shares);
    }

    /// @inheritdoc ISecureAggregation
    function penalizeMissingReveal(uint256 jobId, uint256 round, address member) external {
        Setup storage s = _setups[jobId];
        if (!s.isSealed) revert NotSealed(jobId);
        IJobMarket.Participant memory p = jobMarket.participantOf(jobId, member);
        uint256 bit = 1 << p.index;
        if (!p.joined || s.members & bit == 0) revert NotMember(member, jobId);
        IJobMarket.Round memory r = jobMarket.roundOf(jobId, round);
        if (r.aggregateHash == 0) revert RoundNotAggregated(jobId, round);
        _checkThreshold(jobId, round, r.includedBits, s);
        if (block.timestamp <= r.challengeEnd || (_revealed[jobId][round] | _penalized[jobId][round]) & bit != 0) {
            revert NotMissed(jobId, round, member);
        }
        _penalized[jobId][round] |= bit;
        emit RevealMissed(jobId, round, member);
        jobMarket.penalizeMissing(jobId, member);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISecureAggregation
    function setupOf(uint256 jobId) external view returns (Setup memory) {
        return _setups[jobId];
    }

    /// @inheritdoc ISecureAggregation
    function isSealed(uint256 jobId) external view returns (bool) {
        return _setups[jobId].isSealed;
    }

    /// @inheritdoc ISecureAggregation
    function revealedBitsOf(uint256 jobId, uint256 round) external view returns (uint256) {
        return _revealed[jobId][round];
    }

    /// @inheritdoc ISecureAggregation
    function shareRootOf(uint256 jobId, uint256 index) external view returns (bytes32) {
        return _shareRoots[jobId][index];
    }

    // ---------------------------------------------------------------- internals

    /// @dev The caller's JobMarket participant record, or NotParticipant.
    function _participant(uint256 jobId) private view returns (IJobMarket.Participant memory p) {
        p = jobMarket.participantOf(jobId, msg.sender);
        if (!p.joined) revert NotParticipant(msg.sender, jobId);
    }

    /// @dev The job, or NotTrainer when the caller is not its trainer.
    function _trainerJob(uint256 jobId) private view returns (IJobMarket.Job memory j) {
        j = jobMarket.jobOf(jobId);
        if (msg.sender != j.trainer) revert NotTrainer(msg.sender, jobId);
    }

    /// @dev Checks the caller may reveal for the round, marks it revealed; returns the round's includedBits.
    function _startReveal(uint256 jobId, uint256 round) private returns (uint256 included) {
        Setup storage s = _setups[jobId];
        IJobMarket.Participant memory p = _participant(jobId);
        if (!s.isSealed) revert NotSealed(jobId);
        uint256 bit = 1 << p.index;
        if (s.members & bit == 0) revert NotMember(msg.sender, jobId);
        included = _revealableRound(jobId, round, s);
        if (_revealed[jobId][round] & bit != 0) revert AlreadyRevealed(jobId, round, msg.sender);
        _revealed[jobId][round] |= bit;
    }

    /// @dev Each dealer a member, in increasing order; each share of the kind the rule gives it, on its root.
    function _checkShares(uint256 jobId, uint256 round, uint256 included, Reveal[] calldata reveals)
        private
        view
        returns (uint8[] memory dealers, uint8[] memory kinds, uint256[] memory shares)
    {
        dealers = new uint8[](reveals.length);
        kinds = new uint8[](reveals.length);
        shares = new uint256[](reveals.length);
        uint256 members = _setups[jobId].members;
        for (uint256 k; k < reveals.length; ++k) {
            uint8 d = reveals[k].dealer;
            // a bit test on a membership mask computed here, not a balance anyone can move
            // slither-disable-next-line incorrect-equality
            if ((k != 0 && d <= dealers[k - 1]) || members & (1 << d) == 0) revert BadDealer(jobId, d);
            uint8 kind = included & (1 << d) != 0 ? SELF_SEED : MASK_KEY;
            _checkShare(jobId, round, kind, reveals[k]);
            dealers[k] = d;
            kinds[k] = kind;
            shares[k] = reveals[k].share;
        }
    }

    /// @dev Reverts InvalidShare unless `rv` is a leaf of its dealer's root for this round, revealer and kind.
    function _checkShare(uint256 jobId, uint256 round, uint8 kind, Reveal calldata rv) private view {
        address dealer = jobMarket.participantAt(jobId, rv.dealer);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(jobId, dealer, round, msg.sender, kind, rv.share))));
        if (!MerkleProof.verifyCalldata(rv.proof, _shareRoots[jobId][rv.dealer], leaf)) {
            revert InvalidShare(jobId, round, rv.dealer, kind);
        }
    }

    /// @dev The round's includedBits once it is aggregated, its challenge window open and its members enough.
    function _revealableRound(uint256 jobId, uint256 round, Setup storage s) private view returns (uint256) {
        IJobMarket.Round memory r = jobMarket.roundOf(jobId, round);
        if (r.aggregateHash == 0) revert RoundNotAggregated(jobId, round);
        if (block.timestamp > r.challengeEnd) revert RevealClosed(jobId, round, r.challengeEnd);
        _checkThreshold(jobId, round, r.includedBits, s);
        return r.includedBits;
    }

    /// @dev At least `threshold` members must be in the sum: fewer cannot be unmasked, and the sybil bound
    /// (an adversary needs all but one of the included owners) is stated against this floor.
    function _checkThreshold(uint256 jobId, uint256 round, uint256 includedBits, Setup storage s) private view {
        uint256 includedMembers = _popcount(includedBits & s.members);
        if (includedMembers < s.threshold) revert BelowThreshold(jobId, round, includedMembers, s.threshold);
    }

    /// @dev The number of set bits. O(set bits), at most 256 iterations.
    function _popcount(uint256 bits) private pure returns (uint256 count) {
        while (bits != 0) {
            bits &= bits - 1;
            ++count;
        }
    }
}
