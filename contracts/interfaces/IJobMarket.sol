// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Training jobs: escrow, bonded participants, round commitments, challenge window, payouts.
interface IJobMarket {
    /// @notice Where a job stands.
    enum Status {
        None,
        Created,
        Open,
        Running,
        Finalized,
        Settled,
        Cancelled
    }

    /// @notice Why an aggregator left a submitted update out of the aggregate. Each one is re-checkable by anyone
    /// from public data alone (the committed hash, the blob at the committed CID, the job's public context).
    enum ExclusionReason {
        None,
        // no blob hashing to the committed hash could be fetched from the committed CID
        HashMismatch,
        // the blob does not parse as an encrypted update of the job's mode
        MalformedBlob,
        // the blob's context fingerprint is not the job's public HE context
        WrongContext,
        // the blob's header does not bind it to its submitter: sha256(chainId, JobMarket, job, round,
        // participant) of the commitment's own sender, job and round (a copy of another owner's update)
        WrongSender
    }

    /// @notice Market parameters (PARAMS_ROLE).
    struct Params {
        uint128 participantBond;
        uint128 aggregatorBond;
        uint128 disputeDeposit;
        uint32 challengeWindow;
        uint32 aggregateWindow;
        uint32 trainerGrace;
        uint16 missPenaltyBps;
        uint16 aggregatorPenaltyBps;
        uint16 disputeRewardBps;
        uint16 curatorShareBps;
    }

    /// @notice A job.
    struct Job {
        address trainer;
        uint64 joinDeadline;
        uint32 roundDuration;
        address aggregator;
        uint32 rounds;
        uint32 currentRound;
        uint16 minParticipants;
        uint16 participantCount;
        uint16 claimants;
        uint16 aggregatorFeeBps;
        uint16 curatorShareBps;
        // Rewards' trainingBonusBps at createJob: the training fee taken from the owners' pool at settlement
        // and the bonus rate credited on each share, so a job's bonuses never exceed its fee
        uint16 bonusBps;
        Status status;
        bool disputed;
        bool approved;
        address disputer;
        uint256 portfolioId;
        uint128 budget;
        uint128 paid;
        uint128 ownersPool;
        uint128 ownersPaid;
        uint128 forfeited;
        uint128 compensationEach;
        uint256 totalContribution;
        uint256 joinedBits;
        uint256 modelId;
    }

    /// @notice A round of a job.
    struct Round {
        uint64 updateDeadline;
        uint64 aggregateDeadline;
        uint64 challengeEnd;
        uint16 submittedCount;
        uint256 submittedBits;
        uint256 includedBits;
        bytes32 aggregateHash;
    }

    /// @notice A participant of a job.
    struct Participant {
        uint256 dataId;
        uint128 bond;
        uint128 volunteerBond;
        uint128 contribution;
        uint64 leafCount;
        uint16 weightBps;
        uint8 index;
        bool joined;
        bool volunteered;
        bool claimed;
    }

    /// @notice Thrown when round 1 starts before SecureAggregation sealed the job's members: owners only publish
    /// masked updates, so an unsealed start would make honest owners miss the round and be penalised.
    error MembersNotSealed(uint256 jobId);
    /// @notice Thrown when a job does not exist.
    error UnknownJob(uint256 jobId);
    /// @notice Thrown when a job is not in the status an action needs.
    error WrongStatus(uint256 jobId, Status status);
    /// @notice Thrown when job terms are invalid.
    error BadJobTerms(bytes32 what);
    /// @notice Thrown when the caller is not the job's trainer.
    error NotTrainer(address caller, uint256 jobId);
    /// @notice Thrown when a $Data is not in the job's portfolio.
    error NotPortfolioData(uint256 portfolioId, uint256 dataId);
    /// @notice Thrown when the caller does not own the $Data it joins with.
    error NotDataOwner(address caller, uint256 dataId);
    /// @notice Thrown when the $Data is frozen by the regulator.
    error DataFrozen(uint256 dataId);
    /// @notice Thrown when the caller already joined the job.
    error AlreadyJoined(address caller, uint256 jobId);
    /// @notice Thrown when the $Data already backs a participant of the job.
    error DataAlreadyJoined(uint256 jobId, uint256 dataId);
    /// @notice Thrown when the job has 256 participants.
    error JobFull(uint256 jobId);
    /// @notice Thrown after the join deadline.
    error JoinClosed(uint256 jobId, uint256 joinDeadline);
    /// @notice Thrown when the caller is not a participant.
    error NotParticipant(address caller, uint256 jobId);
    /// @notice Thrown when the named participant did not volunteer as aggregator.
    error NotVolunteer(address participant, uint256 jobId);
    /// @notice Thrown when a participant volunteers twice.
    error AlreadyVolunteered(address participant, uint256 jobId);
    /// @notice Thrown when a round number is not the expected one.
    error WrongRound(uint256 jobId, uint256 round, uint256 expected);
    /// @notice Thrown when an update comes after the round's update deadline.
    error RoundClosed(uint256 jobId, uint256 round);
    /// @notice Thrown when the trainer tries to join (and so aggregate) its own job.
    error TrainerCannotJoin(address trainer, uint256 jobId);
    /// @notice Thrown when an update claims more samples than its dataset has records.
    error SamplesAboveLeafCount(uint256 samples, uint256 leafCount);
    /// @notice Thrown when an update's hash was already committed in the round (a copied update).
    error DuplicateUpdate(uint256 jobId, uint256 round, bytes32 hash);
    /// @notice Thrown when the number of exclusion reasons is not the number of excluded updates.
    error ExclusionReasonsMismatch(uint256 excluded, uint256 reasons);
    /// @notice Thrown when an excluded update is given no reason.
    error MissingExclusionReason(uint256 index);
    /// @notice Thrown when a job's curator approval is missing or the caller is not the portfolio's curator.
    error NotCurator(address caller, uint256 portfolioId);
    /// @notice Thrown when a job is approved twice.
    error AlreadyApproved(uint256 jobId);
    /// @notice Thrown when a participant submits a second update for a round.
    error UpdateAlreadySubmitted(uint256 jobId, uint256 round, address participant);
    /// @notice Thrown when a second aggregate is submitted for a round.
    error ResultAlreadySubmitted(uint256 jobId, uint256 round);
    /// @notice Thrown when the caller is not the job's aggregator.
    error NotAggregator(address caller, uint256 jobId);
    /// @notice Thrown when an aggregate comes before all updates are in or the update deadline passed.
    error UpdatesPending(uint256 jobId, uint256 round);
    /// @notice Thrown when an aggregate comes after its deadline.
    error AggregateTooLate(uint256 jobId, uint256 round);
    /// @notice Thrown when the included set names a participant without an update.
    error InvalidInclusion(uint256 includedBits, uint256 submittedBits);
    /// @notice Thrown when an aggregate would include fewer updates than privacy allows.
    error TooFewIncluded(uint256 jobId, uint256 round, uint256 included, uint256 minimum);
    /// @notice Thrown when a hash or sample count is zero.
    error EmptyCommitment();
    /// @notice Thrown when a round has no aggregate yet.
    error RoundNotAggregated(uint256 jobId, uint256 round);
    /// @notice Thrown when an action needs the challenge window to be over.
    error ChallengeWindowOpen(uint256 jobId, uint256 challengeEnd);
    /// @notice Thrown when a dispute comes after the challenge window.
    error ChallengeWindowClosed(uint256 jobId, uint256 round);
    /// @notice Thrown while a dispute is pending.
    error DisputePending(uint256 jobId);
    /// @notice Thrown when no dispute is pending.
    error NoDispute(uint256 jobId);
    /// @notice Thrown when more rounds are started than the job has, or finalize comes early.
    error RoundsRemaining(uint256 jobId, uint256 current, uint256 rounds);
    /// @notice Thrown when timeout is called but nothing has timed out.
    error NotTimedOut(uint256 jobId);
    /// @notice Thrown when a participant has nothing (left) to claim.
    error NothingToClaim(uint256 jobId, address account);
    /// @notice Thrown when a parameter is out of range.
    error BadParameter(bytes32 name);

    /// @notice Emitted when a job is created.
    /// @param jobId the job
    /// @param trainer who posted it
    /// @param portfolioId the portfolio it trains on
    /// @param budget the escrowed budget
    /// @param modelSpecCid CID of the model specification
    /// @param heContextCid CID of the trainer's public HE context
    event JobCreated(
        uint256 indexed jobId,
        address indexed trainer,
        uint256 indexed portfolioId,
        uint256 budget,
        string modelSpecCid,
        string heContextCid
    );
    /// @notice Emitted with JobCreated: the job's terms.
    /// @param jobId the job
    /// @param rounds number of rounds
    /// @param minParticipants participants needed to open
    /// @param joinDeadline end of joining
    /// @param roundDuration seconds for updates in each round
    /// @param aggregatorFeeBps the aggregator's share of the budget
    event JobTerms(
        uint256 indexed jobId,
        uint256 rounds,
        uint256 minParticipants,
        uint256 joinDeadline,
        uint256 roundDuration,
        uint256 aggregatorFeeBps
    );
    /// @notice Emitted when the portfolio's curator approves a job (its portfolio is frozen for it).
    event JobApproved(uint256 indexed jobId, address indexed curator);
    /// @notice Emitted when a data owner joins. @param bond the bond posted
    event Joined(
        uint256 indexed jobId, address indexed participant, uint256 indexed dataId, uint256 index, uint256 bond
    );
    /// @notice Emitted when a participant volunteers as aggregator. @param bond the extra bond
    event AggregatorVolunteered(uint256 indexed jobId, address indexed participant, uint256 bond);
    /// @notice Emitted when the trainer picks the aggregator.
    event AggregatorSelected(uint256 indexed jobId, address indexed aggregator);
    /// @notice Emitted when the job has its participants and aggregator.
    event JobOpened(uint256 indexed jobId);
    /// @notice Emitted when a round starts.
    event RoundStarted(uint256 indexed jobId, uint256 indexed round, string globalModelCid, uint256 updateDeadline);
    /// @notice Emitted when a participant commits an update.
    event UpdateSubmitted(
        uint256 indexed jobId,
        uint256 indexed round,
        address indexed participant,
        bytes32 hash,
        string cid,
        uint256 samples
    );
    /// @notice Emitted when the aggregator commits the aggregate.
    event AggregateSubmitted(
        uint256 indexed jobId,
        uint256 indexed round,
        bytes32 hash,
        string cid,
        uint256 includedBits,
        uint256 challengeEnd
    );
    /// @notice Emitted for each submitted update the aggregate leaves out, with the aggregator's committed reason.
    event UpdateExcluded(
        uint256 indexed jobId, uint256 indexed round, address indexed participant, ExclusionReason reason
    );
    /// @notice Emitted when a missed aggregate's bond penalty is split among the round's submitters.
    /// @param each what each submitter (the aggregator excepted) is owed on top of its share
    event SubmittersCompensated(uint256 indexed jobId, uint256 indexed round, uint256 each, uint256 submitters);
    /// @notice Emitted when a dispute expires unresolved: the job settles, the deposit goes to the treasury.
    event DisputeExpired(uint256 indexed jobId, address indexed disputer, uint256 depositForfeited);
    /// @notice Emitted when a participant loses part of its bond for a missed round.
    event BondPenalized(uint256 indexed jobId, address indexed participant, uint256 amount);
    /// @notice Emitted when a dispute opens.
    event DisputeRaised(uint256 indexed jobId, uint256 indexed round, address indexed disputer, string evidenceCid);
    /// @notice Emitted when a dispute is resolved. @param slashed the aggregator bond taken
    event DisputeResolved(uint256 indexed jobId, bool upheld, uint256 slashed);
    /// @notice Emitted when a job is finalized (modelId 0 when settled without a model).
    /// @param trainingFee what the owners' pool paid the treasury (backs the job's training bonuses)
    event JobFinalized(
        uint256 indexed jobId,
        uint256 indexed modelId,
        uint256 ownersPool,
        uint256 totalContribution,
        uint256 trainingFee
    );
    /// @notice Emitted when a rejected dispute restarts the disputed round's challenge window.
    event ChallengeWindowRestarted(uint256 indexed jobId, uint256 indexed round, uint256 challengeEnd);
    /// @notice Emitted when a job is cancelled. @param refund the escrow returned to the trainer
    event JobCancelled(uint256 indexed jobId, uint256 refund);
    /// @notice Emitted on a participant's claim.
    /// @param share its share of the owners' pool (by contribution)
    /// @param compensation its part of a missed aggregate's bond penalty
    /// @param bondReturned its bonds returned
    event PayoutClaimed(
        uint256 indexed jobId, address indexed participant, uint256 share, uint256 compensation, uint256 bondReturned
    );
    /// @notice Emitted when parameters change.
    event ParamsSet(Params params);
    /// @notice Emitted when a dependency changes.
    event DependencySet(bytes32 indexed name, address value);
}
