// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";
import {IPortfolioNFT} from "../interfaces/IPortfolioNFT.sol";
import {IModelNFT} from "../interfaces/IModelNFT.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IFreezeRegistry} from "../interfaces/IFreezeRegistry.sol";
import {JobMarketStorage} from "./JobMarketStorage.sol";

/// @title JobMarket: the training-job lifecycle of DESIGN §4.
/// @notice The trainer escrows a budget; the portfolio's curator approves the job (freezing the composition);
/// data owners of the portfolio, never the trainer itself, join with a bond; one bonded volunteer aggregates.
/// Each round commits update hashes (distinct within the round, each blob bound to its sender) and the aggregate,
/// with a public, re-checkable reason for every update it leaves out; a challenge window follows each aggregate.
/// An update's contribution is its portfolio weight x the share of its dataset's records it trained on
/// (samples / leafCount, at most 1), so no owner earns more per round than its curator weight, however many
/// records its $Data declares. Contributions accumulate as updates arrive, so finalize is O(1) in the number
/// of participants and each participant pulls its share with `claimPayout`.
/// A job that stalls after its first round settles by contribution: owners are paid for the work they did.
/// Participants are indexed 0..255 so rounds keep bitmaps; only misses and exclusions are iterated.
contract JobMarket is JobMarketStorage, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev How long after the disputed round's challenge window the arbiter has to resolve a dispute before
    /// anyone may `timeout` the job. Outlasts Governance's votingDelay + votingPeriod + timelock +
    /// executionWindow (15 days by default). Not a Params field: Params is part of the ABI.
    uint256 private constant _ARBITRATION_PERIOD = 30 days;
    /// @dev Sets of job statuses, one bit per Status, for `_requireStatus`.
    uint256 private constant _CREATED = 1 << uint256(Status.Created);
    uint256 private constant _OPEN = 1 << uint256(Status.Open);
    uint256 private constant _BEFORE_START = _CREATED | _OPEN;
    uint256 private constant _RUNNING = 1 << uint256(Status.Running);
    uint256 private constant _ENDED =
        1 << uint256(Status.Finalized) | 1 << uint256(Status.Settled) | 1 << uint256(Status.Cancelled);

    /// @param token_ CapToken
    /// @param dataNFT_ $Data
    /// @param portfolioNFT_ $Portfolio (this contract needs its FREEZER_ROLE)
    /// @param modelNFT_ $Model (this contract needs its MINTER_ROLE)
    /// @param treasury_ receives slashed aggregator bonds beyond the disputer's reward
    /// @param admin receives DEFAULT_ADMIN_ROLE, PARAMS_ROLE and ARBITER_ROLE (hand them to Governance)
    constructor(
        IERC20 token_,
        IDataNFT dataNFT_,
        IPortfolioNFT portfolioNFT_,
        IModelNFT modelNFT_,
        address treasury_,
        address admin
    ) JobMarketStorage(token_, dataNFT_, portfolioNFT_, modelNFT_, treasury_, admin) {}

    // ---------------------------------------------------------------- creation and joining

    /// @notice Post a job on a portfolio and escrow its budget. The job opens only once the portfolio's curator
    /// approves it (`approveJob`), which freezes the composition; a curator posting on its own portfolio approves
    /// at once.
    function createJob(
        uint256 portfolioId,
        string calldata modelSpecCid,
        string calldata heContextCid,
        uint32 rounds,
        uint16 minParticipants,
        uint64 joinDeadline,
        uint32 roundDuration,
        uint128 budget,
        uint16 aggregatorFeeBps
    ) external nonReentrant returns (uint256 jobId) {
        if (rounds == 0 || rounds > MAX_ROUNDS) revert BadJobTerms("rounds");
        if (minParticipants < MIN_AGGREGATE || minParticipants > MAX_PARTICIPANTS) {
            revert BadJobTerms("minParticipants");
        }
        if (joinDeadline <= block.timestamp) revert BadJobTerms("joinDeadline");
        if (roundDuration == 0) revert BadJobTerms("roundDuration");
        if (budget == 0) revert BadJobTerms("budget");
        uint16 curatorShare = _params.curatorShareBps;
        if (uint256(aggregatorFeeBps) + curatorShare > _BPS) revert BadJobTerms("aggregatorFeeBps");
        if (!portfolioNFT.exists(portfolioId)) revert BadJobTerms("portfolioId");
        jobId = ++jobCount;
        Job storage j = _jobs[jobId];
        j.trainer = msg.sender;
        j.portfolioId = portfolioId;
        j.rounds = rounds;
        j.minParticipants = minParticipants;
        j.joinDeadline = joinDeadline;
        j.roundDuration = roundDuration;
        j.budget = budget;
        j.aggregatorFeeBps = aggregatorFeeBps;
        j.curatorShareBps = curatorShare;
        j.bonusBps = _trainingBonusBps();
        j.status = Status.Created;
        totalEscrowed += budget;
        _emitCreated(jobId, j, modelSpecCid, heContextCid);
        _approveIfCurator(jobId, j);
        token.safeTransferFrom(msg.sender, address(this), budget);
    }

    /// @notice The portfolio's curator approves a job on it, freezing the composition until the job is cancelled
    /// (a finished job keeps it frozen: its $Model was trained on that composition).
    function approveJob(uint256 jobId) external {
        Job storage j = _job(jobId);
        _requireStatus(jobId, j, _CREATED);
        if (portfolioNFT.ownerOf(j.portfolioId) != msg.sender) revert NotCurator(msg.sender, j.portfolioId);
        if (j.approved) revert AlreadyApproved(jobId);
        _approve(jobId, j);
        _maybeOpen(jobId, j);
    }

    /// @notice Join a job with a $Data of its portfolio that the caller owns; posts the participant bond.
    function join(uint256 jobId, uint256 dataId) external nonReentrant {
        Job storage j = _job(jobId);
        _requireStatus(jobId, j, _BEFORE_START);
        if (block.timestamp > j.joinDeadline) revert JoinClosed(jobId, j.joinDeadline);
        if (msg.sender == j.trainer) revert TrainerCannotJoin(msg.sender, jobId);
        uint16 weight = portfolioNFT.weightOf(j.portfolioId, dataId);
        if (weight == 0) revert NotPortfolioData(j.portfolioId, dataId);
        if (dataNFT.ownerOf(dataId) != msg.sender) revert NotDataOwner(msg.sender, dataId);
        IFreezeRegistry registry = freezeRegistry;
        if (address(registry) != address(0) && registry.isFrozen(address(dataNFT), dataId)) revert DataFrozen(dataId);
        Participant storage p = _participants[jobId][msg.sender];
        if (p.joined) revert AlreadyJoined(msg.sender, jobId);
        if (_dataJoined[jobId][dataId]) revert DataAlreadyJoined(jobId, dataId);
        uint256 index = j.participantCount;
        if (index >= MAX_PARTICIPANTS) revert JobFull(jobId);
        uint128 bond = _params.participantBond;
        _dataJoined[jobId][dataId] = true;
        _participantAt[jobId][index] = msg.sender;
        p.dataId = dataId;
        p.bond = bond;
        p.weightBps = weight;
        p.leafCount = dataNFT.leafCountOf(dataId);
        p.index = uint8(index); // index < 256 checked above
        p.joined = true;
        j.participantCount = uint16(index + 1);
        j.joinedBits |= 1 << index;
        totalEscrowed += bond;
        emit Joined(jobId, msg.sender, dataId, index, bond);
        _maybeOpen(jobId, j);
        if (bond != 0) token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @notice Volunteer as the job's aggregator; posts the aggregator bond on top of the participant bond.
    function volunteer(uint256 jobId) external nonReentrant {
        Job storage j = _job(jobId);
        _requireStatus(jobId, j, _BEFORE_START);
        Participant storage p = _participants[jobId][msg.sender];
        if (!p.joined) revert NotParticipant(msg.sender, jobId);
        if (p.volunteered) revert AlreadyVolunteered(msg.sender, jobId);
        uint128 bond = _params.aggregatorBond;
        p.volunteered = true;
        p.volunteerBond = bond;
        totalEscrowed += bond;
        emit AggregatorVolunteered(jobId, msg.sender, bond);
        if (bond != 0) token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @notice The trainer picks the aggregator among the volunteers (may re-pick before the first round).
    function selectAggregator(uint256 jobId, address participant) external {
        Job storage j = _trainerJob(jobId);
        _requireStatus(jobId, j, _BEFORE_START);
        if (!_participants[jobId][participant].volunteered) revert NotVolunteer(participant, jobId);
        j.aggregator = participant;
        emit AggregatorSelected(jobId, participant);
        _maybeOpen(jobId, j);
    }

    // ---------------------------------------------------------------- rounds

    /// @notice Start a round: round 1 from Open once SecureAggregation sealed the job's members, later rounds once
    /// the previous one is aggregated and unchallenged.
    function startRound(uint256 jobId, uint256 round, string calldata globalModelCid) external {
        Job storage j = _trainerJob(jobId);
        uint256 expected = uint256(j.currentRound) + 1;
        if (round != expected) revert WrongRound(jobId, round, expected);
        if (round > j.rounds) revert RoundsRemaining(jobId, round, j.rounds);
        if (round == 1) {
            _requireStatus(jobId, j, _OPEN);
            if (!secureAggregation.isSealed(jobId)) revert MembersNotSealed(jobId); // unset: reverts too
            j.status = Status.Running;
        } else {
            _checkRoundSettled(jobId, j);
        }
        j.currentRound = uint32(round);
        Round storage r = _rounds[jobId][round];
        uint256 updateDeadline = block.timestamp + j.roundDuration;
        r.updateDeadline = uint64(updateDeadline);
        r.aggregateDeadline = uint64(updateDeadline + _params.aggregateWindow);
        emit RoundStarted(jobId, round, globalModelCid, updateDeadline);
    }

    /// @notice Commit this participant's encrypted update for the current round (once). `samples` is at most the
    /// records of the $Data it joined with; `hash` is the SHA-256 of the blob, whose header binds it to
    /// (chainId, this market, job, round, sender), and must be new in the round: a copy of a committed update is
    /// rejected. A front-runner that commits an owner's hash first commits a blob naming that owner (excluded as
    /// WrongSender); the owner re-encrypts, under a new hash, and commits again.
    function submitUpdate(uint256 jobId, uint256 round, bytes32 hash, string calldata cid, uint64 samples) external {
        Job storage j = _job(jobId);
        _requireStatus(jobId, j, _RUNNING);
        if (round != j.currentRound) revert WrongRound(jobId, round, j.currentRound);
        Round storage r = _rounds[jobId][round];
        if (block.timestamp > r.updateDeadline || r.aggregateHash != 0) revert RoundClosed(jobId, round);
        Participant storage p = _participants[jobId][msg.sender];
        if (!p.joined) revert NotParticipant(msg.sender, jobId);
        uint256 bit = 1 << p.index;
        if (r.submittedBits & bit != 0) revert UpdateAlreadySubmitted(jobId, round, msg.sender);
        if (hash == 0 || samples == 0) revert EmptyCommitment();
        if (samples > p.leafCount) revert SamplesAboveLeafCount(samples, p.leafCount);
        if (_hashSeen[jobId][round][hash]) revert DuplicateUpdate(jobId, round, hash);
        _hashSeen[jobId][round][hash] = true;
        // at most the curator's weight per round, however many records the $Data declares
        uint256 contribution = uint256(samples) * p.weightBps * CONTRIBUTION_UNIT / p.leafCount;
        r.submittedBits |= bit;
        r.submittedCount += 1;
        _updateContribution[jobId][round][p.index] = contribution;
        _updateHash[jobId][round][p.index] = hash;
        p.contribution += SafeCast.toUint128(contribution);
        j.totalContribution += contribution;
        emit UpdateSubmitted(jobId, round, msg.sender, hash, cid, samples);
    }

    /// @notice Commit the round's aggregate (once); `includedBits` must be a subset of the submitted updates
    /// with at least MIN_AGGREGATE members, so that the trainer never decrypts a single owner's update.
    /// `reasons` gives, in ascending participant index, why each submitted update left out was excluded
    /// (never None): anyone can re-check it from public data, and an owner whose reason does not hold disputes.
    /// @dev Excluded updates lose their contribution; participants without an update lose part of their bond.
    function submitAggregate(
        uint256 jobId,
        uint256 round,
        bytes32 hash,
        string calldata cid,
        uint256 includedBits,
        ExclusionReason[] calldata reasons
    ) external {
        Job storage j = _job(jobId);
        if (msg.sender != j.aggregator) revert NotAggregator(msg.sender, jobId);
        _requireStatus(jobId, j, _RUNNING);
        if (round != j.currentRound) revert WrongRound(jobId, round, j.currentRound);
        Round storage r = _rounds[jobId][round];
        if (r.aggregateHash != 0) revert ResultAlreadySubmitted(jobId, round);
        if (hash == 0) revert EmptyCommitment();
        if (r.submittedCount < j.participantCount && block.timestamp <= r.updateDeadline) {
            revert UpdatesPending(jobId, round);
        }
        if (block.timestamp > r.aggregateDeadline) revert AggregateTooLate(jobId, round);
        uint256 submitted = r.submittedBits;
        if (includedBits & ~submitted != 0) revert InvalidInclusion(includedBits, submitted);
        uint256 included = _popcount(includedBits);
        if (included < MIN_AGGREGATE) revert TooFewIncluded(jobId, round, included, MIN_AGGREGATE);
        r.aggregateHash = hash;
        r.includedBits = includedBits;
        uint256 challengeEnd = block.timestamp + _params.challengeWindow;
        r.challengeEnd = uint64(challengeEnd);
        emit AggregateSubmitted(jobId, round, hash, cid, includedBits, challengeEnd);
        _exclude(jobId, j, round, submitted & ~includedBits, reasons);
        _penalizeMissing(jobId, j, j.joinedBits & ~submitted);
    }

    /// @notice Penalise a participant of a running job as for a missing update; only PENALIZER_ROLE.
    function penalizeMissing(uint256 jobId, address participant) external onlyRole(PENALIZER_ROLE) {
        Job storage j = _job(jobId);
        _requireStatus(jobId, j, _RUNNING);
        Participant storage p = _participants[jobId][participant];
        if (!p.joined) revert NotParticipant(participant, jobId);
        _penalizeMissing(jobId, j, 1 << p.index);
    }

    // ---------------------------------------------------------------- disputes

    /// @notice Dispute the current round's aggregate during its challenge window; posts the dispute deposit.
    function raiseDispute(uint256 jobId, uint256 round, string calldata evidenceCid) external nonReentrant {
        Job storage j = _job(jobId);
        _requireStatus(jobId, j, _RUNNING);
        if (round != j.currentRound) revert WrongRound(jobId, round, j.currentRound);
        Round storage r = _rounds[jobId][round];
        if (r.aggregateHash == 0) revert RoundNotAggregated(jobId, round);
        if (block.timestamp >= r.challengeEnd) revert ChallengeWindowClosed(jobId, round);
        if (j.disputed) revert DisputePending(jobId);
        uint128 deposit = _params.disputeDeposit;
        j.disputed = true;
        j.disputer = msg.sender;
        _disputeDeposit[jobId] = deposit; // refunded or paid as posted, whatever setParams does meanwhile
        totalEscrowed += deposit;
        emit DisputeRaised(jobId, round, msg.sender, evidenceCid);
        if (deposit != 0) token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    /// @notice Resolve the pending dispute; only ARBITER_ROLE (Governance).
    /// @dev Upheld: the disputed round's aggregate is void and the job settles by contribution without a model,
    /// as after a missed aggregate. Every update committed in that round counts (its exclusions are undone, so a
    /// wrongly excluded owner is paid for it) except the aggregator's own; the aggregator loses its fee and its
    /// whole bond: `disputeRewardBps` of it to the disputer (with its deposit back), the rest split equally among
    /// the round's other submitters. The trainer gets back only forfeits and dust, never the owners' pool, so
    /// disputing its own job never pays. Rejected: the deposit goes to the treasury and the round's challenge
    /// window restarts, so a junk dispute cannot run out the window of a real one.
    function resolveDispute(uint256 jobId, bool upheld) external onlyRole(ARBITER_ROLE) nonReentrant {
        Job storage j = _job(jobId);
        if (!j.disputed) revert NoDispute(jobId);
        address disputer = j.disputer;
        uint256 deposit = _clearDispute(jobId, j);
        uint256 round = j.currentRound;
        Round storage r = _rounds[jobId][round];
        if (upheld) {
            token.safeTransfer(disputer, _voidAggregate(jobId, j, round, r, deposit));
        } else {
            totalEscrowed -= deposit;
            uint256 challengeEnd = block.timestamp + _params.challengeWindow;
            r.challengeEnd = uint64(challengeEnd);
            emit DisputeResolved(jobId, false, 0);
            emit ChallengeWindowRestarted(jobId, round, challengeEnd);
            if (deposit != 0) token.safeTransfer(treasury, deposit);
        }
    }

    // ---------------------------------------------------------------- endings

    /// @notice Finalize after the last round's challenge window: mint the $Model and open payouts. O(1).
    function finalize(uint256 jobId, string calldata weightsCid, bytes32 metricsHash, string calldata metadataCid)
        external
        nonReentrant
        returns (uint256 modelId)
    {
        Job storage j = _trainerJob(jobId);
        if (j.currentRound != j.rounds) revert RoundsRemaining(jobId, j.currentRound, j.rounds);
        _checkRoundSettled(jobId, j);
        modelId = modelNFT.mint(
            msg.sender, IModelNFT.Lineage(jobId, j.portfolioId, j.rounds, metricsHash, weightsCid), metadataCid
        );
        j.modelId = modelId;
        _settle(jobId, j, Status.Finalized);
    }

    /// @notice Cancel before the first round; refunds the escrow, participants reclaim their bonds.
    function cancel(uint256 jobId) external nonReentrant {
        Job storage j = _trainerJob(jobId);
        _requireStatus(jobId, j, _BEFORE_START);
        _cancel(jobId, j);
    }

    /// @notice Anyone may end a stalled job: unfilled after the join deadline or not started a round after it
    /// (cancelled), aggregate missing after its deadline, trainer silent for `trainerGrace` after a challenge
    /// window, or a dispute left unresolved 30 days after the round's challenge window. The last three settle by
    /// contribution, without a model, so owners are paid for the rounds they worked. A missed aggregate costs the
    /// aggregator `aggregatorPenaltyBps` of its bond, split among that round's other submitters, and its fee
    /// (unless fewer than MIN_AGGREGATE updates came in, so that it could not aggregate: then the no-shows pay).
    /// An expired dispute forfeits the disputer's deposit to the treasury; nobody is slashed.
    /// @dev The expired-dispute case settles the job; resolveDispute then reverts NoDispute.
    function timeout(uint256 jobId) external nonReentrant {
        Job storage j = _job(jobId);
        Status s = j.status;
        if (s == Status.Created && block.timestamp > j.joinDeadline) return _cancel(jobId, j);
        if (s == Status.Open && block.timestamp > uint256(j.joinDeadline) + j.roundDuration) {
            return _cancel(jobId, j);
        }
        if (s == Status.Running && j.disputed) {
            uint256 challengeEnd = _rounds[jobId][j.currentRound].challengeEnd;
            if (block.timestamp > challengeEnd + _ARBITRATION_PERIOD) return _expireDispute(jobId, j);
        } else if (s == Status.Running) {
            Round storage r = _rounds[jobId][j.currentRound];
            if (r.aggregateHash == 0 && block.timestamp > r.aggregateDeadline) {
                if (r.submittedCount < MIN_AGGREGATE) {
                    _penalizeMissing(jobId, j, j.joinedBits & ~r.submittedBits); // too few updates to aggregate
                } else {
                    _compensateSubmitters(jobId, j, j.currentRound, r.submittedBits, _params.aggregatorPenaltyBps);
                }
                return _settle(jobId, j, Status.Settled);
            }
            if (r.aggregateHash != 0 && block.timestamp > uint256(r.challengeEnd) + _params.trainerGrace) {
                return _settle(jobId, j, Status.Settled);
            }
        }
        revert NotTimedOut(jobId);
    }

    /// @notice Pull this participant's share (by contribution), its compensation for a missed aggregate or an
    /// upheld dispute, its remaining bonds, and credit its training bonus (the job's `bonusBps` of the share).
    function claimPayout(uint256 jobId) external nonReentrant returns (uint256 share, uint256 bonds) {
        Job storage j = _job(jobId);
        _requireStatus(jobId, j, _ENDED);
        Status s = j.status;
        Participant storage p = _participants[jobId][msg.sender];
        if (!p.joined || p.claimed) revert NothingToClaim(jobId, msg.sender);
        p.claimed = true;
        bonds = uint256(p.bond) + p.volunteerBond;
        uint256 total = j.totalContribution;
        if (s != Status.Cancelled && total != 0) {
            share = uint256(j.ownersPool) * p.contribution / total;
            j.ownersPaid += uint128(share); // share <= ownersPool by construction (contribution <= total)
        }
        uint256 compensation = _compensationOf(jobId, j, p);
        uint256 dust = 0;
        j.claimants += 1;
        if (j.claimants == j.participantCount) dust = uint256(j.ownersPool) - j.ownersPaid;
        j.paid += uint128(share + dust);
        totalEscrowed -= share + compensation + bonds + dust;
        emit PayoutClaimed(jobId, msg.sender, share, compensation, bonds);
        if (share + compensation + bonds != 0) token.safeTransfer(msg.sender, share + compensation + bonds);
        if (dust != 0) token.safeTransfer(j.trainer, dust);
        IRewards r = rewards;
        if (share != 0 && j.bonusBps != 0 && address(r) != address(0)) {
            // the pool pays what it can; the amount paid is informational here (Rewards emits it)
            // slither-disable-next-line unused-return
            r.creditTrainingBonus(msg.sender, share * j.bonusBps / _BPS);
        }
    }

    // ---------------------------------------------------------------- internals

    function _emitCreated(uint256 jobId, Job storage j, string calldata specCid, string calldata heCid) private {
        emit JobCreated(jobId, j.trainer, j.portfolioId, j.budget, specCid, heCid);
        emit JobTerms(jobId, j.rounds, j.minParticipants, j.joinDeadline, j.roundDuration, j.aggregatorFeeBps);
    }

    /// @dev A curator posting a job on its own portfolio approves it at once.
    function _approveIfCurator(uint256 jobId, Job storage j) private {
        if (portfolioNFT.ownerOf(j.portfolioId) == msg.sender) _approve(jobId, j);
    }

    /// @dev Marks the job approved by its curator and adds its hold on the portfolio's composition.
    function _approve(uint256 jobId, Job storage j) private {
        j.approved = true;
        emit JobApproved(jobId, msg.sender);
        portfolioNFT.freeze(j.portfolioId);
    }

    function _maybeOpen(uint256 jobId, Job storage j) private {
        if (
            j.status == Status.Created && j.approved && j.aggregator != address(0)
                && j.participantCount >= j.minParticipants
        ) {
            j.status = Status.Open;
            emit JobOpened(jobId);
        }
    }

    /// @dev Rewards' training bonus rate (capped at 1,000 bps there), 0 without Rewards.
    function _trainingBonusBps() private view returns (uint16) {
        IRewards r = rewards;
        return address(r) == address(0) ? 0 : uint16(r.trainingBonusBps());
    }

    /// @dev Reverts WrongStatus unless the job's status is in `allowed` (a set of `_CREATED`-style bits).
    function _requireStatus(uint256 jobId, Job storage j, uint256 allowed) private view {
        Status s = j.status;
        if (allowed >> uint256(s) & 1 == 0) revert WrongStatus(jobId, s);
    }

    function _checkRoundSettled(uint256 jobId, Job storage j) private view {
        _requireStatus(jobId, j, _RUNNING);
        Round storage r = _rounds[jobId][j.currentRound];
        if (r.aggregateHash == 0) revert RoundNotAggregated(jobId, j.currentRound);
        if (j.disputed) revert DisputePending(jobId);
        if (block.timestamp < r.challengeEnd) revert ChallengeWindowOpen(jobId, r.challengeEnd);
    }

    /// @dev Removes the contributions of submitted-but-excluded updates, each with its committed reason (in
    /// ascending index order). O(excluded).
    function _exclude(uint256 jobId, Job storage j, uint256 round, uint256 bits, ExclusionReason[] calldata reasons)
        private
    {
        uint256 k;
        while (bits != 0) {
            uint256 index = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            if (k == reasons.length) revert ExclusionReasonsMismatch(k + 1 + _popcount(bits), reasons.length);
            _excludeOne(jobId, j, round, index, reasons[k++]);
        }
        if (k != reasons.length) revert ExclusionReasonsMismatch(k, reasons.length);
    }

    function _excludeOne(uint256 jobId, Job storage j, uint256 round, uint256 index, ExclusionReason reason) private {
        if (reason == ExclusionReason.None) revert MissingExclusionReason(index);
        address who = _participantAt[jobId][index];
        _dropContribution(jobId, j, round, index, _participants[jobId][who]);
        emit UpdateExcluded(jobId, round, who, reason);
    }

    /// @dev Takes back the contribution an update of `round` added.
    function _dropContribution(uint256 jobId, Job storage j, uint256 round, uint256 index, Participant storage p)
        private
    {
        uint256 c = _updateContribution[jobId][round][index];
        p.contribution -= uint128(c);
        j.totalContribution -= c;
    }

    /// @dev An upheld dispute: takes the disputer's reward out of the aggregator's bond, undoes the round's
    /// exclusions, splits the rest of the bond among the round's submitters and settles the job. Returns what
    /// the disputer is owed: the reward and its deposit.
    function _voidAggregate(uint256 jobId, Job storage j, uint256 round, Round storage r, uint256 deposit)
        private
        returns (uint256 owed)
    {
        Participant storage a = _participants[jobId][j.aggregator];
        uint128 slashed = a.volunteerBond;
        uint256 reward = uint256(slashed) * _params.disputeRewardBps / _BPS;
        a.volunteerBond = slashed - uint128(reward);
        owed = reward + deposit;
        totalEscrowed -= owed;
        emit DisputeResolved(jobId, true, slashed);
        _restoreExcluded(jobId, j, round, r.submittedBits & ~r.includedBits);
        _compensateSubmitters(jobId, j, round, r.submittedBits, _BPS);
        _settle(jobId, j, Status.Settled);
    }

    /// @dev Gives back the contributions a voided aggregate's exclusions took. O(excluded).
    function _restoreExcluded(uint256 jobId, Job storage j, uint256 round, uint256 bits) private {
        while (bits != 0) {
            uint256 index = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            uint256 c = _updateContribution[jobId][round][index];
            _participants[jobId][_participantAt[jobId][index]].contribution += uint128(c);
            j.totalContribution += c;
        }
    }

    /// @dev A missed or voided aggregate: the aggregator loses its own update of the round, its fee (left to the
    /// owners' pool) and `penaltyBps` of its bond, split equally among the round's other submitters.
    function _compensateSubmitters(uint256 jobId, Job storage j, uint256 round, uint256 submitted, uint256 penaltyBps)
        private
    {
        address aggregator = j.aggregator;
        Participant storage a = _participants[jobId][aggregator];
        uint256 bit = 1 << a.index;
        if (submitted & bit != 0) {
            _dropContribution(jobId, j, round, a.index, a);
            submitted &= ~bit;
        }
        uint128 penalty = uint128(uint256(a.volunteerBond) * penaltyBps / _BPS);
        a.volunteerBond -= penalty;
        emit BondPenalized(jobId, aggregator, penalty);
        uint256 n = _popcount(submitted); // >= 1: at least MIN_AGGREGATE updates came in (or were included)
        uint128 each = uint128(penalty / n);
        j.compensationEach = each;
        j.forfeited += penalty - uint128(each * n); // rounding dust back to the trainer
        j.aggregatorFeeBps = 0; // no aggregate, no fee: _settle leaves it in the owners' pool
        emit SubmittersCompensated(jobId, round, each, n);
    }

    /// @dev A claimant's part of a missed or voided aggregate's penalty: submitters of that (last) round only.
    function _compensationOf(uint256 jobId, Job storage j, Participant storage p) private view returns (uint256) {
        uint256 each = j.compensationEach;
        if (each == 0 || msg.sender == j.aggregator) return 0;
        return (_rounds[jobId][j.currentRound].submittedBits >> p.index) & 1 != 0 ? each : 0;
    }

    /// @dev The number of set bits. O(set bits), at most 256 iterations.
    function _popcount(uint256 bits) private pure returns (uint256 count) {
        while (bits != 0) {
            bits &= bits - 1;
            ++count;
        }
    }

    /// @dev Takes `missPenaltyBps` of the bond of each participant without an update. O(missing).
    function _penalizeMissing(uint256 jobId, Job storage j, uint256 bits) private {
        uint256 bps = _params.missPenaltyBps;
        while (bits != 0) {
            uint256 index = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            address who = _participantAt[jobId][index];
            Participant storage p = _participants[jobId][who];
            uint128 penalty = uint128(uint256(p.bond) * bps / _BPS);
            p.bond -= penalty;
            j.forfeited += penalty;
            emit BondPenalized(jobId, who, penalty);
        }
    }

    /// @dev Pays the aggregator fee, the curator share, the training fee (`bonusBps` of the owners' pool, to the
    /// treasury: it backs the training bonuses credited on the shares, which come to less) and forfeits; leaves
    /// the owners' pool to claims. A job settled without a model releases its hold on the portfolio. O(1).
    function _settle(uint256 jobId, Job storage j, Status status) private {
        j.status = status;
        uint256 aggregatorFee = uint256(j.budget) * j.aggregatorFeeBps / _BPS;
        uint256 curatorFee = uint256(j.budget) * j.curatorShareBps / _BPS;
        uint256 owners = j.budget - aggregatorFee - curatorFee;
        uint256 refund = j.forfeited;
        if (j.totalContribution == 0) {
            refund += owners;
            owners = 0;
        }
        uint256 trainingFee = owners * j.bonusBps / _BPS;
        owners -= trainingFee;
        j.ownersPool = uint128(owners);
        j.paid = uint128(j.budget - owners);
        j.forfeited = 0;
        totalEscrowed -= aggregatorFee + curatorFee + trainingFee + refund;
        emit JobFinalized(jobId, j.modelId, owners, j.totalContribution, trainingFee);
        // a job reaches settlement only from Running, so its curator approved it (and froze the portfolio)
        if (status == Status.Settled) portfolioNFT.unfreeze(j.portfolioId);
        if (aggregatorFee != 0) token.safeTransfer(j.aggregator, aggregatorFee);
        if (curatorFee != 0) token.safeTransfer(portfolioNFT.ownerOf(j.portfolioId), curatorFee);
        if (trainingFee != 0) token.safeTransfer(treasury, trainingFee);
        if (refund != 0) token.safeTransfer(j.trainer, refund);
    }

    /// @dev Clears the pending dispute and returns the deposit it escrowed.
    function _clearDispute(uint256 jobId, Job storage j) private returns (uint256 deposit) {
        deposit = _disputeDeposit[jobId];
        delete _disputeDeposit[jobId];
        j.disputed = false;
        j.disputer = address(0);
    }

    /// @dev The arbiter never ruled: settle by contribution and forfeit the deposit to the treasury; nobody is
    /// slashed. So a dispute cannot be used to take back the budget of rounds the owners completed.
    function _expireDispute(uint256 jobId, Job storage j) private {
        address disputer = j.disputer;
        uint256 deposit = _clearDispute(jobId, j);
        totalEscrowed -= deposit;
        emit DisputeExpired(jobId, disputer, deposit);
        _settle(jobId, j, Status.Settled);
        if (deposit != 0) token.safeTransfer(treasury, deposit);
    }

    /// @dev Refunds the unpaid budget and forfeits to the trainer and releases the job's hold on the portfolio;
    /// bonds stay claimable.
    function _cancel(uint256 jobId, Job storage j) private {
        j.status = Status.Cancelled;
        uint256 refund = uint256(j.budget) - j.paid + j.forfeited;
        j.paid = j.budget;
        j.forfeited = 0;
        totalEscrowed -= refund;
        emit JobCancelled(jobId, refund);
        if (j.approved) portfolioNFT.unfreeze(j.portfolioId);
        if (refund != 0) token.safeTransfer(j.trainer, refund);
    }
}
