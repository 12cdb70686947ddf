// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {JobMarketBase} from "./JobMarketBase.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";

/// @notice The outside review's second pass on JobMarket: a trainer (with sybil owners and aggregator) that
/// disputes to get its budget back, squats the dispute slot, runs a job on itself for the training bonus or
/// declares a huge dataset; and a stalled job that kept its portfolio frozen. Each test fails without its fix.
contract JobMarketDisputeAttacksTest is JobMarketBase {
    address h0 = address(0x4000); // honest owner
    address h1 = address(0x4001); // honest owner
    address sybil = address(0x5000); // the trainer's second address
    address sybil2 = address(0x5001); // the trainer's third address

    /// @dev `disputer` disputes the current round `round`, Governance upholds; returns what the trainer gained.
    function _upheld(uint256 jobId, uint256 round, address disputer) internal returns (uint256 trainerGain) {
        vm.prank(disputer);
        jobs.raiseDispute(jobId, round, "the aggregate is wrong");
        uint256 trainerBefore = token.balanceOf(trainer);
        vm.warp(block.timestamp + 8 days); // the earliest a referendum can execute
        vm.prank(address(gov));
        jobs.resolveDispute(jobId, true);
        trainerGain = token.balanceOf(trainer) - trainerBefore;
    }

    /// @dev A job of `tr` (aggregator fee 0) on a new equal-weight portfolio curated by `cur`, one $Data per owner
    /// with the given leaf counts, all joined, owners[agg] the aggregator, sealed, round 1 started.
    function _job(address cur, address tr, address[] memory owners, uint64[] memory leaves, uint32 rounds, uint256 agg)
        internal
        returns (uint256 jobId)
    {
        uint256 n = owners.length;
        uint256[] memory ids = new uint256[](n);
        uint16[] memory w = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _mintData(owners[i], 0, leaves[i]);
            w[i] = uint16(10_000 / n);
        }
        w[0] += uint16(10_000 % n);
        vm.prank(cur);
        uint256 pid = portfolios.create(ids, w, "p");
        _fund(tr, BUDGET);
        vm.prank(tr);
        jobId = jobs.createJob(pid, "s", "h", rounds, uint16(n), uint64(block.timestamp + 1 days), 1 days, BUDGET, 0);
        if (cur != tr) {
            vm.prank(cur);
            jobs.approveJob(jobId);
        }
        for (uint256 i; i < n; ++i) {
            _fund(owners[i], 1_000e18);
            vm.prank(owners[i]);
            jobs.join(jobId, ids[i]);
        }
        vm.prank(owners[agg]);
        jobs.volunteer(jobId);
        vm.prank(tr);
        jobs.selectAggregator(jobId, owners[agg]);
        _seal(jobId);
        vm.prank(tr);
        jobs.startRound(jobId, 1, "g");
    }

    function _three(address a, address b, address c) internal pure returns (address[] memory o) {
        o = new address[](3);
        (o[0], o[1], o[2]) = (a, b, c);
    }

    function _leaves(uint64 a, uint64 b, uint64 c) internal pure returns (uint64[] memory l) {
        l = new uint64[](3);
        (l[0], l[1], l[2]) = (a, b, c);
    }

    function _submit(uint256 jobId, uint256 round, address who, uint64 samples) internal {
        vm.prank(who);
        jobs.submitUpdate(jobId, round, keccak256(abi.encode(jobId, round, who)), "u", samples);
    }

    function _claim(uint256 jobId, address who) internal returns (uint256 share, uint256 bonds) {
        vm.prank(who);
        (share, bonds) = jobs.claimPayout(jobId);
    }

    /// @dev Round `round` of a job with h0, h1 and the trainer's sybil (the aggregator): all three submit 1,000
    /// samples, the sybil excludes the honest h0 with a false HashMismatch.
    function _bogusExclusion(uint256 jobId, uint256 round) internal {
        _submit(jobId, round, h0, 1_000);
        _submit(jobId, round, h1, 1_000);
        _submit(jobId, round, sybil, 1_000);
        vm.prank(sybil);
        jobs.submitAggregate(jobId, round, bytes32(round), "a", 6, _reasons(IJobMarket.ExclusionReason.HashMismatch));
    }

    /// @dev Before: an upheld dispute cancelled the job and refunded the whole budget to the trainer; the honest
    /// owners got nothing for the rounds they completed, the wrongly excluded disputer 25 CAP of the bond.
    function test_attack_upheldDispute_refundsTrainerWholeBudget() public {
        uint256 jobId = _job(curator, trainer, _three(h0, h1, sybil), _leaves(1_000, 1_000, 1_000), 2, 2);
        _submit(jobId, 1, h0, 1_000);
        _submit(jobId, 1, h1, 1_000);
        _submit(jobId, 1, sybil, 1_000);
        vm.prank(sybil);
        jobs.submitAggregate(jobId, 1, bytes32(uint256(1)), "a1", 7, _noReasons());
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(trainer);
        jobs.startRound(jobId, 2, "g2");
        _bogusExclusion(jobId, 2);
        assertEq(_upheld(jobId, 2, h0), 0); // nothing back: every round was worked
        IJobMarket.Job memory j = jobs.jobOf(jobId);
        assertEq(uint256(j.status), uint256(IJobMarket.Status.Settled));
        // owners' pool: budget - 5% curator - 5% training fee; by weight (3,334 / 3,333 / 3,333) x rounds: h0 and
        // h1 two rounds each, the sybil one (its update of the voided round is dropped)
        uint256 pool = j.ownersPool;
        assertEq(pool, 902.5e18);
        (uint256 s0,) = _claim(jobId, h0);
        (uint256 s1,) = _claim(jobId, h1);
        (uint256 s2,) = _claim(jobId, sybil);
        assertEq(s0, pool * 2 * 3_334 / 16_667); // restored: its wrongly excluded update counts
        assertEq(s1, pool * 2 * 3_333 / 16_667);
        assertEq(s2, pool * 3_333 / 16_667);
        // h0: its deposit back + half the sybil's bond; the other half split between h0 and h1
        assertEq(token.balanceOf(h0), 1_000e18 + s0 + 25e18 + 12.5e18);
        assertEq(token.balanceOf(h1), 1_000e18 + s1 + 12.5e18);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    /// @dev Before: the trainer's sybil disputed its own sybil aggregator's false exclusion and Governance upheld
    /// it: the whole budget came back for a net 25 CAP. Now the trainer loses the owners' pool it owes the honest
    /// owners and half the aggregator bond: disputing its own job never pays.
    function test_attack_trainerSybilDisputesItsOwnAggregate_refund() public {
        uint256 jobId = _job(curator, trainer, _three(h0, h1, sybil), _leaves(1_000, 1_000, 1_000), 1, 2);
        _bogusExclusion(jobId, 1);
        _fund(sybil2, 100e18);
        // the attacker's three addresses, before its dispute: the budget is in escrow, the sybil's bonds too
        uint256 before = token.balanceOf(trainer) + token.balanceOf(sybil) + token.balanceOf(sybil2);
        _upheld(jobId, 1, sybil2); // h0's blob is fine: the exclusion is false
        _claim(jobId, sybil);
        uint256 afterBal = token.balanceOf(trainer) + token.balanceOf(sybil) + token.balanceOf(sybil2);
        // back: the sybil's 10 CAP participant bond, sybil2's deposit and 25 CAP reward; the budget is gone
        assertEq(afterBal - before, 10e18 + 25e18);
        (uint256 s0,) = _claim(jobId, h0);
        (uint256 s1,) = _claim(jobId, h1);
        // 902.5 CAP by weight (3,334 / 3,333): the sybil's own update of the voided round is dropped
        assertEq(s0, uint256(902.5e18) * 3_334 / 6_667);
        assertEq(s1, uint256(902.5e18) * 3_333 / 6_667);
    }

    /// @dev Before: a junk dispute by the aggregator's sybil held the single dispute slot until the challenge
    /// window closed; its rejected deposit went to the aggregator (back to the attacker) and the false exclusion
    /// stood. Now the rejected deposit goes to the treasury and the window restarts: the excluded owner disputes.
    function test_attack_disputeSlotSquatted_falseExclusionStands() public {
        uint256 jobId = _job(curator, trainer, _three(h0, h1, sybil), _leaves(1_000, 1_000, 1_000), 1, 2);
        _bogusExclusion(jobId, 1);
        _fund(sybil2, 100e18);
        vm.prank(sybil2);
        jobs.raiseDispute(jobId, 1, "junk");
        vm.prank(h0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.DisputePending.selector, jobId));
        jobs.raiseDispute(jobId, 1, "the blob at the CID hashes to the commitment");
        vm.warp(block.timestamp + 8 days); // the earliest a referendum can execute
        uint256 treasuryBefore = token.balanceOf(treasury);
        uint256 sybilBefore = token.balanceOf(sybil);
        vm.prank(address(gov));
        jobs.resolveDispute(jobId, false); // the junk dispute is rightly rejected
        assertEq(token.balanceOf(treasury) - treasuryBefore, 10e18);
        assertEq(token.balanceOf(sybil), sybilBefore);
        vm.prank(trainer);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.ChallengeWindowOpen.selector, jobId, block.timestamp + 1 days)
        );
        jobs.finalize(jobId, "w", bytes32(0), "m");
        _upheld(jobId, 1, h0); // the real dispute, raised after the junk one
        (uint256 share,) = _claim(jobId, h0);
        assertEq(share, uint256(902.5e18) * 3_334 / 6_667);
        (uint256 sybilShare, uint256 sybilBonds) = _claim(jobId, sybil);
        assertEq(sybilShare, 0);
        assertEq(sybilBonds, 10e18);
    }

    /// @dev Whoever the aggregator leaves out and whatever the samples, an upheld dispute refunds the trainer
    /// nothing (every owner submitted, so nothing was forfeited), pays every submitter of the voided round but the
    /// aggregator, and hands out the owners' pool to the last wei.
    function testFuzz_upheldDispute_trainerNeverRefunded(uint64 s0, uint64 s1, uint64 s2, uint8 excluded, uint8 agg)
        public
    {
        uint256 a = agg % 3;
        address[] memory o = _three(h0, h1, sybil);
        uint256 jobId = _job(curator, trainer, o, _leaves(1_000, 2_000, 500), 1, a);
        uint64[3] memory s = [uint64(bound(s0, 1, 1_000)), uint64(bound(s1, 1, 2_000)), uint64(bound(s2, 1, 500))];
        for (uint256 i; i < 3; ++i) {
            _submit(jobId, 1, o[i], s[i]);
        }
        uint256 out = excluded % 4; // 3: nobody left out
        uint256 included = out == 3 ? 7 : 7 & ~(1 << out);
        vm.prank(o[a]);
        jobs.submitAggregate(
            jobId,
            1,
            bytes32(uint256(1)),
            "a",
            included,
            out == 3 ? _noReasons() : _reasons(IJobMarket.ExclusionReason.MalformedBlob)
        );
        _fund(sybil2, 10e18);
        uint256 trainerGain = _upheld(jobId, 1, sybil2);
        uint256 paid;
        for (uint256 i; i < 3; ++i) {
            (uint256 share,) = _claim(jobId, o[i]);
            assertEq(share == 0, i == a);
            paid += share;
        }
        assertEq(trainerGain, 0);
        assertEq(token.balanceOf(trainer), jobs.jobOf(jobId).ownersPool - paid); // the last claim's dust only
        assertLe(jobs.jobOf(jobId).ownersPool - paid, 2);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    /// @dev Before: a self-run job (trainer = curator, its sybils the owners and aggregator) got its whole budget
    /// back and the training bonus on top, from a pool others funded: one 21,053 CAP job drained 1,000 CAP. Now
    /// the job pays a training fee of the bonus rate on its owners' pool, more than the bonus on the shares.
    function test_attack_selfRunJob_drainsBonusPool() public {
        address[] memory o = new address[](2);
        (o[0], o[1]) = (sybil, sybil2);
        uint64[] memory l = new uint64[](2);
        (l[0], l[1]) = (1_000, 1_000);
        uint256 before = token.balanceOf(trainer) + token.balanceOf(sybil) + token.balanceOf(sybil2);
        uint256 jobId = _job(trainer, trainer, o, l, 1, 0);
        uint256 minted = BUDGET + 2_000e18; // what _job funds the three addresses with
        _submit(jobId, 1, sybil, 1_000);
        _submit(jobId, 1, sybil2, 1_000);
        vm.prank(sybil);
        jobs.submitAggregate(jobId, 1, bytes32(uint256(1)), "a", 3, _noReasons());
        vm.warp(block.timestamp + 1 days + 1);
        uint256 treasuryBefore = token.balanceOf(treasury);
        vm.prank(trainer);
        jobs.finalize(jobId, "w", bytes32(0), "m");
        _claim(jobId, sybil);
        _claim(jobId, sybil2);
        vm.prank(sybil);
        rewards.claim();
        vm.prank(sybil2);
        rewards.claim();
        uint256 afterBal = token.balanceOf(trainer) + token.balanceOf(sybil) + token.balanceOf(sybil2);
        uint256 fee = token.balanceOf(treasury) - treasuryBefore;
        assertEq(fee, 47.5e18); // 5% of the 950 CAP owners' pool
        uint256 bonus = 1_000e18 - rewards.bonusPool();
        assertEq(bonus, 45.125e18); // 5% of the 902.5 CAP paid in shares
        assertLe(afterBal + 1, before + minted); // a loss: the fee exceeds the bonus
        assertEq(before + minted - afterBal, fee - bonus);
    }

    /// @dev Before: a $Data declaring 2^64-1 records at an equal curator weight took ~100% of the owners' pool
    /// (contribution = samples x weight); at DataNFT's cap of 2^20 records it still takes 99.8% against owners of
    /// 1,000 records. Now a contribution is at most the owner's weight per round.
    function test_attack_hugeLeafCountDataset_takesThePool() public {
        uint64 huge = uint64(data.MAX_LEAF_COUNT());
        uint256 jobId = _job(curator, trainer, _three(h0, h1, sybil), _leaves(1_000, 1_000, huge), 1, 0);
        _submit(jobId, 1, h0, 1_000);
        _submit(jobId, 1, h1, 1_000);
        _submit(jobId, 1, sybil, huge);
        vm.prank(h0);
        jobs.submitAggregate(jobId, 1, bytes32(uint256(7)), "a", 7, _noReasons());
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(trainer);
        jobs.finalize(jobId, "w", bytes32(0), "m");
        uint256 pool = jobs.jobOf(jobId).ownersPool;
        (uint256 honest,) = _claim(jobId, h0);
        (uint256 huger,) = _claim(jobId, sybil);
        // weights 3,334 / 3,333 / 3,333: every owner that used all its records gets its weight of the pool
        assertEq(huger, pool * 3_333 / 10_000);
        assertEq(honest, pool * 3_334 / 10_000);
        assertLe(huger, honest);
    }

    /// @dev Before: a job Settled without a $Model (a stalled round) kept its portfolio's composition frozen
    /// forever; only a cancel released the hold.
    function test_attack_settledJobWithoutModel_keepsPortfolioFrozenForever() public {
        uint256 jobId = _job(curator, trainer, _three(h0, h1, sybil), _leaves(1_000, 1_000, 1_000), 1, 0);
        uint256 pid = jobs.jobOf(jobId).portfolioId;
        assertEq(portfolios.isFrozen(pid), true);
        vm.warp(block.timestamp + 3 days);
        jobs.timeout(jobId); // no update at all: Settled, no model
        assertEq(uint256(jobs.jobOf(jobId).status), uint256(IJobMarket.Status.Settled));
        assertEq(portfolios.isFrozen(pid), false); // its curator may recompose it again
    }
}
