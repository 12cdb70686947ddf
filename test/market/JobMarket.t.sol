// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {JobMarketBase} from "./JobMarketBase.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";

contract JobMarketTest is JobMarketBase {
    function _twoReasons() internal pure returns (IJobMarket.ExclusionReason[] memory a) {
        a = new IJobMarket.ExclusionReason[](2);
        a[0] = IJobMarket.ExclusionReason.HashMismatch;
        a[1] = IJobMarket.ExclusionReason.WrongContext;
    }

    /// @dev A job posted by the trainer on `pid` and approved by its curator.
    function _approvedJob(uint256 pid, uint32 rounds, uint16 minP) internal returns (uint256 id) {
        _fund(trainer, BUDGET);
        vm.prank(trainer);
        id = jobs.createJob(pid, "s", "h", rounds, minP, uint64(block.timestamp + 1 days), 1 days, BUDGET, 0);
        vm.prank(curator);
        jobs.approveJob(id);
    }

    function _single(uint256 id) internal pure returns (uint256[] memory a) {
        a = new uint256[](1);
        a[0] = id;
    }

    function _full() internal pure returns (uint16[] memory w) {
        w = new uint16[](1);
        w[0] = 10_000;
    }

    /// @dev An open job of n owners in round 1, owners 0..submitters-1 having submitted 100 samples each.
    function _roundOneWithUpdates(uint256 n, uint256 submitters) internal returns (uint256 jobId) {
        (jobId,) = _openJob(n, 1, BUDGET);
        _start(jobId);
        for (uint256 i; i < submitters; ++i) {
            vm.prank(_owner(i));
            jobs.submitUpdate(jobId, 1, keccak256(abi.encode("u", i)), "c", 100);
        }
    }

    function _status(uint256 jobId) internal view returns (uint256) {
        return uint256(jobs.jobOf(jobId).status);
    }

    function test_createJob_escrows_curatorApprovalFreezesPortfolio() public {
        (uint256 pid,) = _portfolio(3);
        _fund(trainer, BUDGET);
        vm.prank(trainer);
        uint256 id = jobs.createJob(pid, "s", "h", 2, 3, uint64(block.timestamp + 1 days), 1 days, BUDGET, 1_000);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
        assertTrue(!portfolios.isFrozen(pid));
        assertEq(_status(id), uint256(IJobMarket.Status.Created));
        assertEq(jobs.totalEscrowed(), BUDGET);
        vm.prank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotCurator.selector, trainer, pid));
        jobs.approveJob(id);
        vm.expectEmit(true, true, false, true, address(jobs));
        emit IJobMarket.JobApproved(id, curator);
        vm.prank(curator);
        jobs.approveJob(id);
        assertTrue(portfolios.isFrozen(pid));
        vm.prank(curator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.AlreadyApproved.selector, id));
        jobs.approveJob(id);
    }

    function test_createJob_byCurator_approvesAtOnce() public {
        (uint256 pid,) = _portfolio(2);
        _fund(curator, BUDGET);
        vm.prank(curator);
        uint256 id = jobs.createJob(pid, "s", "h", 1, 2, uint64(block.timestamp + 1 days), 1 days, BUDGET, 0);
        assertTrue(jobs.jobOf(id).approved);
        assertTrue(portfolios.isFrozen(pid));
    }

    function test_createJob_revertsBadTerms() public {
        (uint256 pid,) = _portfolio(2);
        uint64 dl = uint64(block.timestamp + 1 days);
        vm.startPrank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("rounds")));
        jobs.createJob(pid, "s", "h", 0, 2, dl, 1 days, BUDGET, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("minParticipants")));
        jobs.createJob(pid, "s", "h", 1, 0, dl, 1 days, BUDGET, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("joinDeadline")));
        jobs.createJob(pid, "s", "h", 1, 2, uint64(block.timestamp), 1 days, BUDGET, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("roundDuration")));
        jobs.createJob(pid, "s", "h", 1, 2, dl, 0, BUDGET, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("budget")));
        jobs.createJob(pid, "s", "h", 1, 2, dl, 1 days, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("aggregatorFeeBps")));
        jobs.createJob(pid, "s", "h", 1, 2, dl, 1 days, BUDGET, 9_600);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("portfolioId")));
        jobs.createJob(99, "s", "h", 1, 2, dl, 1 days, BUDGET, 0);
        vm.stopPrank();
    }

    function test_createJob_revertsWithMinParticipantsBelowTwo() public {
        (uint256 pid,) = _portfolio(2);
        _fund(trainer, BUDGET);
        uint64 dl = uint64(block.timestamp + 1 days);
        vm.startPrank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("minParticipants")));
        jobs.createJob(pid, "s", "h", 1, 1, dl, 1 days, BUDGET, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadJobTerms.selector, bytes32("minParticipants")));
        jobs.createJob(pid, "s", "h", 1, 257, dl, 1 days, BUDGET, 0);
        uint256 id = jobs.createJob(pid, "s", "h", 1, uint16(jobs.MIN_AGGREGATE()), dl, 1 days, BUDGET, 0);
        vm.stopPrank();
        assertEq(jobs.MIN_AGGREGATE(), 2);
        assertEq(jobs.jobOf(id).minParticipants, 2);
    }

    function test_attack_joinWithoutOwningPortfolioData_reverts() public {
        (uint256 jobId, uint256[] memory ids) = _openJob(2, 1, BUDGET);
        uint256 outsider = _mintData(_owner(5), 0, 0);
        uint256 pid = jobs.jobOf(jobId).portfolioId;
        _fund(_owner(5), 100e18);
        vm.prank(_owner(5));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotPortfolioData.selector, pid, outsider));
        jobs.join(jobId, outsider);
        vm.prank(_owner(5));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotDataOwner.selector, _owner(5), ids[1]));
        jobs.join(jobId, ids[1]);
    }

    function test_join_revertsDuplicatesClosedAndFrozen() public {
        (uint256 pid, uint256[] memory ids) = _portfolio(3);
        _fund(trainer, BUDGET);
        vm.prank(trainer);
        uint256 jobId = jobs.createJob(pid, "s", "h", 1, 2, uint64(block.timestamp + 1 days), 1 days, BUDGET, 0);
        _fund(_owner(0), 100e18);
        _fund(_owner(1), 100e18);
        vm.startPrank(_owner(0));
        jobs.join(jobId, ids[0]);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.AlreadyJoined.selector, _owner(0), jobId));
        jobs.join(jobId, ids[0]);
        data.transferFrom(_owner(0), _owner(1), ids[0]);
        vm.stopPrank();
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.DataAlreadyJoined.selector, jobId, ids[0]));
        jobs.join(jobId, ids[0]);
        vm.prank(address(gov));
        regulator.setRegulator(address(this));
        regulator.freeze(address(data), ids[1], "x");
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.DataFrozen.selector, ids[1]));
        jobs.join(jobId, ids[1]);
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JoinClosed.selector, jobId, block.timestamp - 1));
        jobs.join(jobId, ids[1]);
    }

    function test_aggregatorSelection_opensJob() public {
        (uint256 pid, uint256[] memory ids) = _portfolio(2);
        uint256 jobId = _approvedJob(pid, 1, 2);
        _fund(_owner(0), 100e18);
        vm.prank(_owner(0));
        jobs.join(jobId, ids[0]);
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotParticipant.selector, _owner(1), jobId));
        jobs.volunteer(jobId);
        vm.startPrank(_owner(0));
        jobs.volunteer(jobId);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.AlreadyVolunteered.selector, _owner(0), jobId));
        jobs.volunteer(jobId);
        vm.stopPrank();
        vm.startPrank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotVolunteer.selector, _owner(1), jobId));
        jobs.selectAggregator(jobId, _owner(1));
        jobs.selectAggregator(jobId, _owner(0));
        vm.stopPrank();
        assertEq(_status(jobId), uint256(IJobMarket.Status.Created)); // one participant short
        _fund(_owner(1), 100e18);
        vm.prank(_owner(1));
        jobs.join(jobId, ids[1]);
        assertEq(_status(jobId), uint256(IJobMarket.Status.Open));
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotTrainer.selector, _owner(1), jobId));
        jobs.selectAggregator(jobId, _owner(0));
    }

    function test_fullLifecycle_payoutsByContribution_neverExceedEscrow() public {
        (uint256 jobId,) = _openJob(3, 2, BUDGET);
        _seal(jobId);
        vm.prank(trainer);
        jobs.startRound(jobId, 1, "bafkreiglobal1");
        _runRound(jobId, 1, 3);
        vm.prank(trainer);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.ChallengeWindowOpen.selector, jobId, block.timestamp + 1 days)
        );
        jobs.startRound(jobId, 2, "bafkreiglobal2");
        vm.warp(block.timestamp + 1 days);
        vm.prank(trainer);
        jobs.startRound(jobId, 2, "bafkreiglobal2");
        _runRound(jobId, 2, 3);
        vm.warp(block.timestamp + 1 days);
        uint256 curatorBefore = token.balanceOf(curator);
        vm.prank(trainer);
        uint256 modelId = jobs.finalize(jobId, "bafkreiweights", keccak256("m"), "bafkreimodel");
        assertEq(models.ownerOf(modelId), trainer);
        assertEq(models.lineageOf(modelId).jobId, jobId);
        assertEq(token.balanceOf(curator) - curatorBefore, 50e18); // 5%
        // aggregator fee 10% paid at finalize; owners pool = 850 less the 5% training fee
        IJobMarket.Job memory j = jobs.jobOf(jobId);
        assertEq(j.ownersPool, 807.5e18);
        uint256 paidShares;
        uint256 share1;
        for (uint256 i; i < 3; ++i) {
            vm.prank(_owner(i));
            (uint256 share, uint256 bonds) = jobs.claimPayout(jobId);
            paidShares += share;
            if (i == 1) share1 = share;
            assertEq(bonds, i == 0 ? 60e18 : 10e18);
            vm.prank(_owner(i));
            vm.expectRevert(abi.encodeWithSelector(IJobMarket.NothingToClaim.selector, jobId, _owner(i)));
            jobs.claimPayout(jobId);
        }
        assertLe(paidShares, 807.5e18);
        j = jobs.jobOf(jobId);
        assertEq(j.paid, BUDGET);
        assertEq(jobs.totalEscrowed(), 0);
        assertEq(token.balanceOf(address(jobs)), 0);
        // training bonus: Rewards' trainingBonusBps (5%) of the share, snapshotted at createJob
        assertEq(j.bonusBps, 500);
        assertEq(rewards.bonusOf(_owner(1)), share1 * 500 / 10_000);
    }

    function test_attack_secondResultForSameRound_reverts() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        _runRound(jobId, 1, 2);
        vm.prank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.ResultAlreadySubmitted.selector, jobId, 1));
        jobs.submitAggregate(jobId, 1, keccak256("other"), "c", 3, _noReasons());
    }

    function test_submitUpdate_reverts() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        vm.prank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.WrongStatus.selector, jobId, IJobMarket.Status.Open));
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", 1);
        _start(jobId);
        vm.startPrank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.WrongRound.selector, jobId, 2, 1));
        jobs.submitUpdate(jobId, 2, keccak256("u"), "c", 1);
        vm.expectRevert(IJobMarket.EmptyCommitment.selector);
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", 0);
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", 1);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.UpdateAlreadySubmitted.selector, jobId, 1, _owner(0)));
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", 1);
        vm.stopPrank();
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotParticipant.selector, address(0xBAD), jobId));
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", 1);
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.RoundClosed.selector, jobId, 1));
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", 1);
    }

    function test_submitAggregate_revertsAndPenalizesMissingAndExcluded() public {
        uint256 jobId = _roundOneWithUpdates(4, 3);
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotAggregator.selector, _owner(1), jobId));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _noReasons());
        vm.startPrank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.UpdatesPending.selector, jobId, 1));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _noReasons());
        vm.warp(block.timestamp + 1 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.InvalidInclusion.selector, 9, 7));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 9, _noReasons());
        vm.expectRevert(IJobMarket.EmptyCommitment.selector);
        jobs.submitAggregate(jobId, 1, 0, "c", 3, _noReasons());
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _reasons(IJobMarket.ExclusionReason.MalformedBlob));
        // excluded owner 2 (malformed); owner 3 missed
        vm.stopPrank();
        assertEq(jobs.participantOf(jobId, _owner(2)).contribution, 0);
        assertEq(jobs.participantOf(jobId, _owner(3)).bond, 8e18);
        assertEq(
            jobs.jobOf(jobId).totalContribution,
            uint256(jobs.participantOf(jobId, _owner(0)).contribution)
                + jobs.participantOf(jobId, _owner(1)).contribution
        );
    }

    function test_submitAggregate_revertsWithOneIncluded() public {
        uint256 jobId = _roundOneWithUpdates(3, 3);
        vm.startPrank(_owner(0));
        for (uint256 i; i < 3; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IJobMarket.TooFewIncluded.selector, jobId, 1, 1, 2));
            jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 1 << i, _twoReasons()); // one owner's update alone
        }
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.TooFewIncluded.selector, jobId, 1, 0, 2));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 0, _noReasons());
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 5, _reasons(IJobMarket.ExclusionReason.HashMismatch));
        vm.stopPrank();
        assertEq(jobs.roundOf(jobId, 1).includedBits, 5);
    }

    /// @dev Before: a withheld aggregate cancelled the job and refunded the trainer, penalty included; the
    /// owners who had submitted got nothing (the trainer's own sybil as aggregator took everything back).
    function test_attack_aggregatorWithholds_paysSubmitters() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotTimedOut.selector, jobId));
        jobs.timeout(jobId);
        for (uint256 i; i < 2; ++i) {
            vm.prank(_owner(i));
            jobs.submitUpdate(jobId, 1, keccak256(abi.encode("u", i)), "c", 100);
        }
        vm.warp(block.timestamp + 2 days + 1);
        vm.prank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.AggregateTooLate.selector, jobId, 1));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _noReasons());
        uint256 before = token.balanceOf(trainer);
        vm.expectEmit(true, true, false, true, address(jobs));
        emit IJobMarket.SubmittersCompensated(jobId, 1, 25e18, 1);
        jobs.timeout(jobId);
        assertEq(_status(jobId), uint256(IJobMarket.Status.Settled));
        assertEq(token.balanceOf(trainer), before); // no refund of completed work
        // the aggregator: no fee, no share for its withheld round, half its aggregator bond gone
        vm.prank(_owner(0));
        (uint256 aggShare, uint256 bonds) = jobs.claimPayout(jobId);
        assertEq(aggShare, 0);
        assertEq(bonds, 35e18);
        // the other submitter: the whole owners' pool (budget - 5% curator; the 10% fee stays in it; minus the
        // 5% training fee) + penalty
        uint256 b1 = token.balanceOf(_owner(1));
        vm.prank(_owner(1));
        (uint256 share,) = jobs.claimPayout(jobId);
        assertEq(share, 902.5e18);
        assertEq(token.balanceOf(_owner(1)) - b1, 902.5e18 + 25e18 + 10e18);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    /// @dev Before: the trainer joined its own job with a $Data it held and aggregated it itself.
    function test_attack_trainerJoinsOwnJob_reverts() public {
        (uint256 pid, uint256[] memory ids) = _portfolio(2);
        uint256 jobId = _approvedJob(pid, 1, 2);
        vm.prank(_owner(0));
        data.transferFrom(_owner(0), trainer, ids[0]);
        _fund(trainer, 100e18);
        vm.prank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.TrainerCannotJoin.selector, trainer, jobId));
        jobs.join(jobId, ids[0]);
    }

    /// @dev Before: `samples` was trusted; 2^64-1 took more than 99.9999999999% of the owners' pool.
    function test_attack_sampleInflation_reverts() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        vm.startPrank(_owner(1));
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.SamplesAboveLeafCount.selector, type(uint64).max, DEFAULT_LEAVES)
        );
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", type(uint64).max);
        jobs.submitUpdate(jobId, 1, keccak256("u"), "c", DEFAULT_LEAVES); // every record: allowed
        vm.stopPrank();
    }

    /// @dev Finalizes a one-round job after its challenge window and returns `who`'s claimed share and bonds.
    function _finalizeAndClaim(uint256 jobId, address who) internal returns (uint256 share, uint256 bonds) {
        vm.warp(block.timestamp + 1 days);
        if (_status(jobId) == uint256(IJobMarket.Status.Running)) {
            vm.prank(trainer);
            jobs.finalize(jobId, "bafkreiweights", keccak256("m"), "bafkreimodel");
        }
        vm.prank(who);
        (share, bonds) = jobs.claimPayout(jobId);
    }

    /// @dev Before: a participant without data re-committed another owner's public hash and CID and was paid.
    /// Now the copy reverts: the copier has no update in the round, is penalised as a no-show and earns
    /// nothing; the owner's commitment stands and is paid.
    function test_attack_copiedUpdate_duplicateHash_reverts() public {
        (uint256 jobId,) = _openJob(3, 1, BUDGET);
        _start(jobId);
        vm.prank(_owner(0));
        jobs.submitUpdate(jobId, 1, keccak256("own blob"), "bafkreiown", 100);
        vm.prank(_owner(1));
        jobs.submitUpdate(jobId, 1, keccak256("honest blob"), "bafkreihonest", 100);
        vm.prank(_owner(2)); // the copier
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.DuplicateUpdate.selector, jobId, 1, keccak256("honest blob")));
        jobs.submitUpdate(jobId, 1, keccak256("honest blob"), "bafkreihonest", 100);
        assertEq(jobs.updateHashOf(jobId, 1, 1), keccak256("honest blob"));
        assertEq(jobs.updateHashOf(jobId, 1, 2), bytes32(0));
        vm.warp(block.timestamp + 1 days + 1); // the copier's update never comes
        vm.prank(_owner(0));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _noReasons());
        (uint256 copierShare, uint256 copierBonds) = _finalizeAndClaim(jobId, _owner(2));
        assertEq(copierShare, 0);
        assertEq(copierBonds, 8e18); // 20% of its 10 CAP bond: a no-show
        vm.prank(_owner(1));
        (uint256 ownerShare,) = jobs.claimPayout(jobId);
        assertTrue(ownerShare != 0);
    }

    /// @dev With the duplicate-hash rule, a front-runner copying an owner's (hash, cid) from the mempool gets the
    /// owner's own commit of it rejected. Its copy names the owner in its header, so it is excluded as
    /// WrongSender; the owner re-encrypts the same masked update (a new hash) and commits again, and it is the
    /// owner, not the front-runner, that is paid. Each participant commits once per round, so each blocked
    /// attempt costs the griefer another joined participant.
    function test_attack_frontRunCopiedUpdate_ownerRecommitsReencrypted_copierExcluded() public {
        (uint256 jobId,) = _openJob(3, 1, BUDGET);
        _start(jobId);
        vm.prank(_owner(0));
        jobs.submitUpdate(jobId, 1, keccak256("own blob"), "bafkreiown", 100);
        vm.prank(_owner(2)); // the front-runner, first in the block with the owner's pending commitment
        jobs.submitUpdate(jobId, 1, keccak256("honest blob"), "bafkreihonest", 100);
        vm.prank(_owner(1)); // the owner's own transaction: rejected (its agent simulates it first)
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.DuplicateUpdate.selector, jobId, 1, keccak256("honest blob")));
        jobs.submitUpdate(jobId, 1, keccak256("honest blob"), "bafkreihonest", 100);
        vm.prank(_owner(1)); // a fresh encryption of the same masked update
        jobs.submitUpdate(jobId, 1, keccak256("honest blob, re-encrypted"), "bafkreihonest2", 100);
        vm.prank(_owner(2)); // the front-runner cannot follow: one update per participant and round
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.UpdateAlreadySubmitted.selector, jobId, 1, _owner(2)));
        jobs.submitUpdate(jobId, 1, keccak256("honest blob, re-encrypted"), "bafkreihonest2", 100);
        vm.prank(_owner(0));
        vm.expectEmit(true, true, true, true, address(jobs));
        emit IJobMarket.UpdateExcluded(jobId, 1, _owner(2), IJobMarket.ExclusionReason.WrongSender);
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _reasons(IJobMarket.ExclusionReason.WrongSender));
        (uint256 copierShare, uint256 copierBonds) = _finalizeAndClaim(jobId, _owner(2));
        assertEq(copierShare, 0);
        assertEq(copierBonds, 10e18); // an excluded update loses its contribution, not its bond
        vm.prank(_owner(1));
        (uint256 ownerShare,) = jobs.claimPayout(jobId);
        assertTrue(ownerShare != 0);
    }

    /// @dev Hashes are distinct within a round only: the same commitment in the next round or another job is new.
    function test_submitUpdate_duplicateHash_isPerRound() public {
        (uint256 jobId,) = _openJob(2, 2, BUDGET);
        (uint256 other,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        _start(other);
        _runRound(jobId, 1, 2);
        vm.prank(_owner(0));
        jobs.submitUpdate(other, 1, keccak256(abi.encode(jobId, 1, 0)), "bafkreiupdate", 100);
        vm.warp(block.timestamp + 1 days);
        vm.prank(trainer);
        jobs.startRound(jobId, 2, "g2");
        vm.prank(_owner(0));
        jobs.submitUpdate(jobId, 2, keccak256(abi.encode(jobId, 1, 0)), "bafkreiupdate", 100);
    }

    /// @dev Before: an aggregator included only its sybils and excluded honest updates without a word.
    function test_attack_excludeWithoutReason_reverts() public {
        uint256 jobId = _roundOneWithUpdates(3, 3);
        vm.startPrank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.ExclusionReasonsMismatch.selector, 1, 0));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _noReasons());
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MissingExclusionReason.selector, 2));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _reasons(IJobMarket.ExclusionReason.None));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.ExclusionReasonsMismatch.selector, 0, 1));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 7, _reasons(IJobMarket.ExclusionReason.WrongContext));
        vm.expectEmit(true, true, true, true, address(jobs));
        emit IJobMarket.UpdateExcluded(jobId, 1, _owner(2), IJobMarket.ExclusionReason.WrongContext);
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 3, _reasons(IJobMarket.ExclusionReason.WrongContext));
        vm.stopPrank();
    }

    /// @dev Before: anyone froze any portfolio's composition forever with a 1-wei job.
    function test_attack_freezePortfolioWithDustJob_reverts() public {
        (uint256 pid,) = _portfolio(2);
        _fund(address(0xBAD), 1);
        vm.prank(address(0xBAD));
        uint256 id = jobs.createJob(pid, "s", "h", 1, 2, uint64(block.timestamp + 1 days), 1 days, 1, 0);
        assertTrue(!portfolios.isFrozen(pid));
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotCurator.selector, address(0xBAD), pid));
        jobs.approveJob(id);
    }

    function test_cancelledApprovedJob_unfreezesPortfolio() public {
        (uint256 pid, uint256[] memory ids) = _portfolio(2);
        uint256 a = _approvedJob(pid, 1, 2);
        uint256 b = _approvedJob(pid, 1, 2);
        vm.prank(trainer);
        jobs.cancel(a);
        assertTrue(portfolios.isFrozen(pid)); // b still holds it
        vm.warp(block.timestamp + 1 days + 1);
        jobs.timeout(b);
        assertTrue(!portfolios.isFrozen(pid));
        vm.prank(curator);
        portfolios.recompose(pid, _single(ids[0]), _full());
    }

    function test_timeout_doesNotPenalizeAggregatorWhenTooFewUpdates() public {
        (uint256 jobId,) = _openJob(3, 1, BUDGET);
        _start(jobId);
        vm.prank(_owner(1)); // only one update comes in: nothing may be aggregated
        jobs.submitUpdate(jobId, 1, keccak256("u1"), "c", 100);
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.TooFewIncluded.selector, jobId, 1, 1, 2));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 2, _noReasons());
        vm.warp(jobs.roundOf(jobId, 1).aggregateDeadline);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotTimedOut.selector, jobId));
        jobs.timeout(jobId);
        vm.warp(block.timestamp + 1);
        uint256 before = token.balanceOf(trainer);
        vm.expectEmit(true, true, false, true, address(jobs));
        emit IJobMarket.BondPenalized(jobId, _owner(0), 2e18);
        vm.expectEmit(true, true, false, true, address(jobs));
        emit IJobMarket.BondPenalized(jobId, _owner(2), 2e18);
        jobs.timeout(jobId);
        assertEq(_status(jobId), uint256(IJobMarket.Status.Settled)); // the one update sent is paid for
        // the no-shows' penalties, not the aggregator's, go back with nothing else (aggregator fee: 100e18)
        assertEq(token.balanceOf(trainer) - before, 4e18);
        IJobMarket.Participant memory a = jobs.participantOf(jobId, _owner(0));
        assertEq(a.volunteerBond, 50e18); // aggregator bond untouched
        assertEq(a.bond, 8e18); // but it sent no update either
        assertEq(jobs.participantOf(jobId, _owner(1)).bond, 10e18);
        assertEq(jobs.participantOf(jobId, _owner(2)).bond, 8e18);
        uint256[3] memory expected = [uint256(58e18), 10e18, 8e18];
        for (uint256 i; i < 3; ++i) {
            vm.prank(_owner(i));
            (uint256 share, uint256 bonds) = jobs.claimPayout(jobId);
            assertEq(share, i == 1 ? 807.5e18 : 0);
            assertEq(bonds, expected[i]);
        }
        assertEq(jobs.totalEscrowed(), 0);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    function test_cancelAndTimeouts_refundEscrowAndReleaseBonds() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        vm.prank(_owner(1));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotTrainer.selector, _owner(1), jobId));
        jobs.cancel(jobId);
        vm.prank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.WrongStatus.selector, jobId, IJobMarket.Status.Open));
        jobs.claimPayout(jobId);
        vm.prank(trainer);
        jobs.cancel(jobId);
        assertEq(token.balanceOf(trainer), BUDGET);
        vm.prank(_owner(1));
        jobs.claimPayout(jobId);
        vm.prank(_owner(0));
        jobs.claimPayout(jobId);
        assertEq(token.balanceOf(address(jobs)), 0);
        // unfilled job times out after its join deadline
        (uint256 pid,) = _portfolio(2);
        _fund(trainer, BUDGET);
        vm.prank(trainer);
        uint256 j2 = jobs.createJob(pid, "s", "h", 1, 2, uint64(block.timestamp + 1 days), 1 days, BUDGET, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotTimedOut.selector, j2));
        jobs.timeout(j2);
        vm.warp(block.timestamp + 1 days + 1);
        jobs.timeout(j2);
        assertEq(_status(j2), uint256(IJobMarket.Status.Cancelled));
    }

    function test_trainerSilent_settlesWithoutModel() public {
        (uint256 jobId,) = _openJob(2, 3, BUDGET);
        _start(jobId);
        _runRound(jobId, 1, 2);
        vm.warp(block.timestamp + 8 days + 1);
        jobs.timeout(jobId);
        assertEq(_status(jobId), uint256(IJobMarket.Status.Settled));
        vm.prank(_owner(1));
        (uint256 share,) = jobs.claimPayout(jobId);
        assertEq(share, 403.75e18);
    }

    function test_dispute_upheldSlashesAggregatorAndSettlesByContribution() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        uint256 pid = jobs.jobOf(jobId).portfolioId;
        _start(jobId);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.RoundNotAggregated.selector, jobId, 1));
        jobs.raiseDispute(jobId, 1, "e");
        _runRound(jobId, 1, 2);
        address disputer = address(0xD15);
        _fund(disputer, 100e18);
        vm.prank(disputer);
        jobs.raiseDispute(jobId, 1, "bafkreievidence");
        vm.prank(disputer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.DisputePending.selector, jobId));
        jobs.raiseDispute(jobId, 1, "again");
        vm.warp(block.timestamp + 1 days);
        vm.prank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.DisputePending.selector, jobId));
        jobs.finalize(jobId, "w", keccak256("m"), "m");
        vm.expectRevert();
        jobs.resolveDispute(jobId, true); // not the arbiter
        uint256 treasuryBefore = token.balanceOf(treasury);
        vm.expectEmit(true, true, false, true, address(jobs));
        emit IJobMarket.SubmittersCompensated(jobId, 1, 25e18, 1);
        vm.prank(address(gov));
        jobs.resolveDispute(jobId, true);
        assertEq(token.balanceOf(disputer), 125e18); // deposit back + half the aggregator bond
        assertEq(token.balanceOf(treasury) - treasuryBefore, 47.5e18); // only the training fee
        assertEq(token.balanceOf(trainer), 0); // no refund: the round's work is paid
        assertEq(_status(jobId), uint256(IJobMarket.Status.Settled));
        assertEq(portfolios.isFrozen(pid), false); // settled without a model
        vm.prank(_owner(0)); // the aggregator: no fee, no share for the voided round, aggregator bond gone
        (uint256 share, uint256 bonds) = jobs.claimPayout(jobId);
        assertEq(share, 0);
        assertEq(bonds, 10e18);
        vm.prank(_owner(1)); // the other submitter: the whole owners' pool + the rest of the bond
        (share, bonds) = jobs.claimPayout(jobId);
        assertEq(share, 902.5e18);
        assertEq(token.balanceOf(_owner(1)), 1_000e18 + 902.5e18 + 25e18);
        assertEq(token.balanceOf(address(jobs)), 0);
        vm.prank(address(gov));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NoDispute.selector, jobId));
        jobs.resolveDispute(jobId, false);
    }

    function test_dispute_rejectedDepositToTreasury_windowRestarts() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        _runRound(jobId, 1, 2);
        address disputer = address(0xD15);
        _fund(disputer, 100e18);
        vm.prank(disputer);
        jobs.raiseDispute(jobId, 1, "e");
        vm.warp(block.timestamp + 8 days);
        uint256 treasuryBefore = token.balanceOf(treasury);
        uint256 aggregatorBefore = token.balanceOf(_owner(0));
        vm.expectEmit(true, true, false, true, address(jobs));
        emit IJobMarket.ChallengeWindowRestarted(jobId, 1, block.timestamp + 1 days);
        vm.prank(address(gov));
        jobs.resolveDispute(jobId, false);
        assertEq(token.balanceOf(treasury) - treasuryBefore, 10e18);
        assertEq(token.balanceOf(_owner(0)), aggregatorBefore); // not the aggregator's: its sybil's junk is not free
        vm.prank(trainer);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.ChallengeWindowOpen.selector, jobId, block.timestamp + 1 days)
        );
        jobs.finalize(jobId, "w", keccak256("m"), "m");
        vm.warp(block.timestamp + 1 days);
        vm.prank(disputer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.ChallengeWindowClosed.selector, jobId, 1));
        jobs.raiseDispute(jobId, 1, "e");
        vm.prank(trainer);
        jobs.finalize(jobId, "w", keccak256("m"), "m");
    }

    /// @dev Before: when Governance did not rule within 30 days the trainer got the whole budget back and the
    /// owners nothing for the rounds they completed; the disputer got its deposit back.
    function test_attack_unresolvedDispute_settlesByContribution() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        _runRound(jobId, 1, 2);
        address disputer = address(0xD15);
        _fund(disputer, 10e18);
        vm.prank(disputer);
        jobs.raiseDispute(jobId, 1, "e");
        uint256 deadline = uint256(jobs.roundOf(jobId, 1).challengeEnd) + 30 days;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NotTimedOut.selector, jobId));
        jobs.timeout(jobId);
        vm.warp(deadline + 1);
        uint256 treasuryBefore = token.balanceOf(treasury);
        vm.expectEmit(true, true, false, true, address(jobs));
        emit IJobMarket.DisputeExpired(jobId, disputer, 10e18);
        jobs.timeout(jobId);
        IJobMarket.Job memory j = jobs.jobOf(jobId);
        assertEq(uint256(j.status), uint256(IJobMarket.Status.Settled));
        assertEq(j.disputed, false);
        assertEq(j.disputer, address(0));
        assertEq(token.balanceOf(trainer), 0);
        assertEq(token.balanceOf(disputer), 0); // deposit forfeited
        assertEq(token.balanceOf(treasury) - treasuryBefore, 10e18 + 42.5e18); // deposit + 5% training fee
        vm.prank(address(gov));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.NoDispute.selector, jobId));
        jobs.resolveDispute(jobId, true);
        vm.prank(_owner(0));
        (uint256 share, uint256 bonds) = jobs.claimPayout(jobId);
        assertEq(share, 403.75e18); // half of the 807.5 owners' pool: the completed round is paid
        assertEq(bonds, 60e18); // participant bond + aggregator bond, not slashed
        vm.prank(_owner(1));
        (share,) = jobs.claimPayout(jobId);
        assertEq(share, 403.75e18);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(jobs.totalEscrowed(), 0);
    }

    function test_resolveDispute_beforeTimeoutCalled_stillRules() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        _runRound(jobId, 1, 2);
        address disputer = address(0xD15);
        _fund(disputer, 10e18);
        vm.prank(disputer);
        jobs.raiseDispute(jobId, 1, "e");
        vm.warp(uint256(jobs.roundOf(jobId, 1).challengeEnd) + 31 days);
        vm.prank(address(gov));
        jobs.resolveDispute(jobId, false);
        assertEq(jobs.jobOf(jobId).disputed, false);
        vm.warp(jobs.roundOf(jobId, 1).challengeEnd); // the rejection restarted the challenge window
        vm.prank(trainer);
        jobs.finalize(jobId, "w", keccak256("m"), "m");
    }

    function test_resolveDispute_returnsDepositAsPosted_afterParamsChange() public {
        (uint256 jobId,) = _openJob(2, 1, BUDGET);
        _start(jobId);
        _runRound(jobId, 1, 2);
        address disputer = address(0xD15);
        _fund(disputer, 10e18);
        vm.prank(disputer);
        jobs.raiseDispute(jobId, 1, "e");
        IJobMarket.Params memory p = jobs.params();
        p.disputeDeposit = 40e18;
        vm.prank(admin);
        jobs.setParams(p);
        uint256 before = token.balanceOf(treasury);
        vm.prank(address(gov));
        jobs.resolveDispute(jobId, false);
        assertEq(token.balanceOf(treasury) - before, 10e18);
        assertEq(token.balanceOf(address(jobs)), jobs.totalEscrowed());
    }

    function test_startRound_andFinalize_reverts() public {
        (uint256 jobId,) = _openJob(2, 2, BUDGET);
        vm.startPrank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.WrongRound.selector, jobId, 2, 1));
        jobs.startRound(jobId, 2, "g");
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.RoundsRemaining.selector, jobId, 0, 2));
        jobs.finalize(jobId, "w", keccak256("m"), "m");
        vm.stopPrank();
        _seal(jobId);
        vm.startPrank(trainer);
        jobs.startRound(jobId, 1, "g");
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.RoundNotAggregated.selector, jobId, 1));
        jobs.startRound(jobId, 2, "g2");
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.UnknownJob.selector, 77));
        jobs.join(77, 1);
    }

    function test_setParams_bounds() public {
        IJobMarket.Params memory p = jobs.params();
        p.disputeRewardBps = 6_000;
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadParameter.selector, bytes32("disputeRewardBps")));
        jobs.setParams(p);
        p.disputeRewardBps = 1_000;
        jobs.setParams(p);
        vm.stopPrank();
        assertEq(jobs.params().disputeRewardBps, 1_000);
    }

    function testFuzz_payouts_neverExceedEscrow(uint64 s0, uint64 s1, uint64 s2, uint128 budget) public {
        budget = uint128(bound(budget, 1, 1e30));
        (uint256 jobId,) = _openJob(3, 1, budget);
        _start(jobId);
        uint64[3] memory s = [
            uint64(bound(s0, 1, DEFAULT_LEAVES)),
            uint64(bound(s1, 1, DEFAULT_LEAVES)),
            uint64(bound(s2, 1, DEFAULT_LEAVES))
        ];
        for (uint256 i; i < 3; ++i) {
            vm.prank(_owner(i));
            jobs.submitUpdate(jobId, 1, keccak256(abi.encode(i)), "c", s[i]);
        }
        vm.prank(_owner(0));
        jobs.submitAggregate(jobId, 1, keccak256("a"), "c", 7, _noReasons());
        vm.warp(block.timestamp + 1 days);
        vm.prank(trainer);
        jobs.finalize(jobId, "w", keccak256("m"), "m");
        for (uint256 i; i < 3; ++i) {
            vm.prank(_owner(i));
            jobs.claimPayout(jobId);
        }
        assertEq(jobs.jobOf(jobId).paid, budget);
        assertEq(token.balanceOf(address(jobs)), 0);
    }
}
