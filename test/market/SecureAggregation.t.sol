// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {IJobMarketRounds, ISecureAggregation} from "../../contracts/interfaces/ISecureAggregation.sol";
import {SecureAggregation} from "../../contracts/market/SecureAggregation.sol";

/// @dev Each dealer's root commits, per recipient, a mask-key share (kind 0) and a seed share (kind 1):
/// leaves in the order recipient 0 kind 0, recipient 0 kind 1, recipient 1 kind 0, ... (one round).
contract SecureAggregationTest is EconBase {
    uint256 internal n;
    uint256 internal jobId;

    function setUp() public {
        _deployEconomy(); // the suite's SecureAggregation, JobMarket's PENALIZER_ROLE holder
    }

    // ---------------------------------------------------------------- helpers

    function _share(uint256 dealer, uint256 recipient, uint8 kind) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode("share", dealer, recipient, kind))) >> 1;
    }

    function _leaf(uint256 dealer, uint256 round, uint256 recipient, uint8 kind, uint256 share)
        internal
        view
        returns (bytes32)
    {
        return keccak256(
            bytes.concat(keccak256(abi.encode(jobId, _owner(dealer), round, _owner(recipient), kind, share)))
        );
    }

    function _leaves(uint256 dealer) internal view returns (bytes32[] memory leaves) {
        leaves = new bytes32[](2 * n);
        for (uint256 r; r < n; ++r) {
            for (uint8 k; k < 2; ++k) {
                leaves[2 * r + k] = _leaf(dealer, 1, r, k, _share(dealer, r, k));
            }
        }
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function _up(bytes32[] memory level) internal pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 k; k < level.length; k += 2) {
            next[k / 2] = k + 1 < level.length ? _hashPair(level[k], level[k + 1]) : level[k];
        }
    }

    function _root(bytes32[] memory level) internal pure returns (bytes32) {
        while (level.length > 1) level = _up(level);
        return level[0];
    }

    function _proof(bytes32[] memory level, uint256 pos) internal pure returns (bytes32[] memory proof) {
        bytes32[] memory buf = new bytes32[](16);
        uint256 depth;
        while (level.length > 1) {
            if ((pos ^ 1) < level.length) buf[depth++] = level[pos ^ 1];
            level = _up(level);
            pos /= 2;
        }
        proof = new bytes32[](depth);
        for (uint256 k; k < depth; ++k) {
            proof[k] = buf[k];
        }
    }

    function _keys(uint256 i) internal {
        bytes32[] memory masks = new bytes32[](1);
        bytes32[] memory seeds = new bytes32[](1);
        masks[0] = keccak256(abi.encode("mask", i));
        seeds[0] = keccak256(abi.encode("seed", i));
        vm.prank(_owner(i));
        sa.commitKeys(jobId, keccak256(abi.encode("enc", i)), masks, seeds);
    }

    function _shares(uint256 i) internal {
        vm.prank(_owner(i));
        sa.commitShares(jobId, keccak256(abi.encode("bundle", i)), "bafkreibundle", _root(_leaves(i)));
    }

    /// @dev A job of `n_` owners, one round, keys and shares committed by all, sealed.
    function _sealed(uint256 n_) internal {
        n = n_;
        (jobId,) = _openJob(n_, 1, 1_000e18);
        for (uint256 i; i < n_; ++i) {
            _keys(i);
        }
        vm.prank(trainer);
        sa.closeKeys(jobId);
        for (uint256 i; i < n_; ++i) {
            _shares(i);
        }
        vm.prank(trainer);
        sa.seal(jobId);
    }

    /// @dev Round 1 with updates from the first `submitted` owners, all of them included.
    function _aggregated(uint256 submitted) internal {
        vm.prank(trainer);
        jobs.startRound(jobId, 1, "bafkreiglobal");
        for (uint256 i; i < submitted; ++i) {
            vm.prank(_owner(i));
            jobs.submitUpdate(jobId, 1, keccak256(abi.encode(i)), "bafkreiupdate", 100);
        }
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(_owner(0));
        jobs.submitAggregate(jobId, 1, keccak256("agg"), "bafkreiagg", (1 << submitted) - 1, _noReasons());
    }

    /// @dev What `revealer` reveals when owners below `included` are in the sum: kind by the rule.
    function _honestReveal(uint256 revealer, uint256 included)
        internal
        view
        returns (ISecureAggregation.Reveal[] memory rv)
    {
        rv = new ISecureAggregation.Reveal[](n);
        for (uint256 d; d < n; ++d) {
            uint8 kind = d < included ? 1 : 0;
            rv[d] =
                ISecureAggregation.Reveal(uint8(d), _share(d, revealer, kind), _proof(_leaves(d), 2 * revealer + kind));
        }
    }

    function _revealReverts(uint256 revealer, ISecureAggregation.Reveal[] memory rv, bytes memory err) internal {
        vm.prank(_owner(revealer));
        vm.expectRevert(err);
        sa.reveal(jobId, 1, rv);
    }

    // ---------------------------------------------------------------- keys

    function test_commitKeys_recordsTheKeyHolder() public {
        n = 3;
        (jobId,) = _openJob(3, 1, 1_000e18);
        _keys(1);
        assertEq(sa.setupOf(jobId).keyBits, 2);
    }

    function test_attack_wrongKeyCommitment_reverts() public {
        n = 3;
        (jobId,) = _openJob(3, 2, 1_000e18);
        bytes32[] memory one = new bytes32[](1);
        one[0] = bytes32(uint256(1));
        bytes32[] memory two = new bytes32[](2);
        two[0] = bytes32(uint256(1));
        vm.startPrank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.BadKeys.selector, jobId, 1, 1, 2));
        sa.commitKeys(jobId, bytes32(uint256(7)), one, one); // one key for a 2-round job
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.BadKeys.selector, jobId, 2, 2, 2));
        sa.commitKeys(jobId, bytes32(uint256(7)), two, two); // a zero round key
        two[1] = bytes32(uint256(2));
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.BadKeys.selector, jobId, 2, 2, 2));
        sa.commitKeys(jobId, 0, two, two); // no encryption key
        sa.commitKeys(jobId, bytes32(uint256(7)), two, two);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.KeysAlreadyCommitted.selector, jobId, _owner(0)));
        sa.commitKeys(jobId, bytes32(uint256(8)), two, two);
        vm.stopPrank();
        vm.prank(_owner(7));
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.NotParticipant.selector, _owner(7), jobId));
        sa.commitKeys(jobId, bytes32(uint256(7)), two, two);
    }

    function test_closeKeys_onlyTrainer_needsTwoKeyHolders_thenNoMoreKeys() public {
        n = 3;
        (jobId,) = _openJob(3, 1, 1_000e18);
        _keys(0);
        vm.prank(_owner(0));
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.NotTrainer.selector, _owner(0), jobId));
        sa.closeKeys(jobId);
        vm.prank(trainer);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.TooFewOwners.selector, jobId, 1, 2));
        sa.closeKeys(jobId);
        _keys(1);
        vm.prank(trainer);
        sa.closeKeys(jobId);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.KeyPhaseClosed.selector, jobId));
        _keys(2);
    }

    function test_commitKeys_revertsAfterTheFirstRound() public {
        n = 2;
        (jobId,) = _openJob(2, 1, 1_000e18);
        _seal(jobId);
        vm.prank(trainer);
        jobs.startRound(jobId, 1, "bafkreiglobal");
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.KeyPhaseClosed.selector, jobId));
        _keys(0);
    }

    // ---------------------------------------------------------------- shares and seal

    /// @dev Without the seal, owners would refuse to publish unmasked updates and be penalised as missing.
    function test_attack_startRoundBeforeTheSeal_reverts() public {
        n = 3;
        (jobId,) = _openJob(3, 1, 1_000e18);
        bytes memory notSealed = abi.encodeWithSelector(IJobMarket.MembersNotSealed.selector, jobId);
        vm.prank(trainer);
        vm.expectRevert(notSealed);
        jobs.startRound(jobId, 1, "bafkreiglobal"); // before any key
        for (uint256 i; i < n; ++i) {
            _keys(i);
        }
        vm.prank(trainer);
        sa.closeKeys(jobId);
        _shares(0);
        _shares(1);
        vm.prank(trainer);
        vm.expectRevert(notSealed);
        jobs.startRound(jobId, 1, "bafkreiglobal"); // keys closed, shares in, not sealed
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(trainer);
        sa.seal(jobId); // owner 2's bundle never came: sealed without it
        vm.prank(trainer);
        jobs.startRound(jobId, 1, "bafkreiglobal");
        assertEq(uint256(jobs.jobOf(jobId).status), uint256(IJobMarket.Status.Running));
    }

    /// @dev A second SecureAggregation (always "sealed", say) cannot replace the one running jobs use.
    function test_attack_swapSecureAggregation_reverts() public {
        SecureAggregation other = new SecureAggregation(IJobMarketRounds(address(jobs)));
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.BadParameter.selector, bytes32("secureAggregation")));
        jobs.setSecureAggregation(other);
        vm.stopPrank();
        assertEq(address(jobs.secureAggregation()), address(sa));
    }

    function test_seal_waitsForEveryKeyHolderOrTheDeadline() public {
        n = 3;
        (jobId,) = _openJob(3, 1, 1_000e18);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.KeyPhaseOpen.selector, jobId));
        _shares(0);
        for (uint256 i; i < 3; ++i) {
            _keys(i);
        }
        vm.prank(trainer);
        sa.closeKeys(jobId);
        _shares(0);
        _shares(1);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.SharesClosed.selector, jobId, _owner(1)));
        _shares(1);
        uint256 deadline = sa.setupOf(jobId).sharesDeadline;
        vm.prank(trainer);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.SharesPending.selector, jobId, 7, 3, deadline));
        sa.seal(jobId);
        vm.warp(deadline + 1);
        vm.prank(trainer);
        sa.seal(jobId);
        ISecureAggregation.Setup memory s = sa.setupOf(jobId);
        assertEq(s.members, 3); // owner 2 (keys, no shares) is not a member
        assertEq(s.threshold, 2);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.SharesClosed.selector, jobId, _owner(2)));
        _shares(2);
    }

    function testFuzz_seal_thresholdIsAStrictMajority(uint256 owners) public {
        owners = bound(owners, 2, 9);
        _sealed(owners);
        ISecureAggregation.Setup memory s = sa.setupOf(jobId);
        assertGe(2 * uint256(s.threshold), owners + 1);
        assertLe(2 * uint256(s.threshold), owners + 2);
    }

    // ---------------------------------------------------------------- reveals

    function test_reveal_seedSharesForIncluded_maskKeySharesForTheDropped() public {
        _sealed(4);
        _aggregated(3); // owner 3 dropped
        vm.recordLogs();
        for (uint256 r; r < 3; ++r) {
            vm.prank(_owner(r));
            sa.reveal(jobId, 1, _honestReveal(r, 3));
        }
        assertEq(sa.revealedBitsOf(jobId, 1), 7);
    }

    function test_attack_revealBreakingTheRule_reverts() public {
        _sealed(4);
        _aggregated(3);
        // the mask-key share of included owner 1: with its seed share it would unmask owner 1's update
        ISecureAggregation.Reveal[] memory rv = new ISecureAggregation.Reveal[](1);
        rv[0] = ISecureAggregation.Reveal(1, _share(1, 2, 0), _proof(_leaves(1), 2 * 2 + 0));
        _revealReverts(2, rv, abi.encodeWithSelector(ISecureAggregation.InvalidShare.selector, jobId, 1, 1, uint8(1)));
        // the seed share of dropped owner 3 (whose mask-key shares are revealed)
        rv[0] = ISecureAggregation.Reveal(3, _share(3, 2, 1), _proof(_leaves(3), 2 * 2 + 1));
        _revealReverts(2, rv, abi.encodeWithSelector(ISecureAggregation.InvalidShare.selector, jobId, 1, 3, uint8(0)));
    }

    function test_attack_tamperedShare_reverts() public {
        _sealed(3);
        _aggregated(3);
        ISecureAggregation.Reveal[] memory rv = _honestReveal(1, 3);
        rv[2].share ^= 1;
        _revealReverts(1, rv, abi.encodeWithSelector(ISecureAggregation.InvalidShare.selector, jobId, 1, 2, uint8(1)));
    }

    function test_attack_twoSharesForOneDealer_reverts() public {
        _sealed(3);
        _aggregated(3);
        ISecureAggregation.Reveal[] memory rv = _honestReveal(1, 3);
        rv[1] = rv[0];
        _revealReverts(1, rv, abi.encodeWithSelector(ISecureAggregation.BadDealer.selector, jobId, 0));
    }

    function test_reveal_onceWithinTheChallengeWindow() public {
        _sealed(3);
        _aggregated(3);
        vm.prank(_owner(0));
        sa.reveal(jobId, 1, _honestReveal(0, 3));
        ISecureAggregation.Reveal[] memory again = _honestReveal(0, 3);
        _revealReverts(
            0, again, abi.encodeWithSelector(ISecureAggregation.AlreadyRevealed.selector, jobId, 1, _owner(0))
        );
        uint256 end = jobs.roundOf(jobId, 1).challengeEnd;
        vm.warp(end + 1);
        ISecureAggregation.Reveal[] memory late = _honestReveal(1, 3);
        _revealReverts(1, late, abi.encodeWithSelector(ISecureAggregation.RevealClosed.selector, jobId, 1, end));
    }

    function test_attack_sumOfFewerMembersThanTheThreshold_cannotBeUnmasked() public {
        _sealed(5); // threshold 3
        _aggregated(2); // JobMarket accepts 2 (MIN_AGGREGATE), masking needs 3
        ISecureAggregation.Reveal[] memory rv = _honestReveal(0, 2);
        _revealReverts(0, rv, abi.encodeWithSelector(ISecureAggregation.BelowThreshold.selector, jobId, 1, 2, 3));
    }

    function test_reveal_revertsBeforeTheAggregate() public {
        _sealed(3);
        vm.prank(trainer);
        jobs.startRound(jobId, 1, "bafkreiglobal");
        ISecureAggregation.Reveal[] memory rv = _honestReveal(0, 3);
        _revealReverts(0, rv, abi.encodeWithSelector(ISecureAggregation.RoundNotAggregated.selector, jobId, 1));
    }

    function test_penalizeMissingReveal_takesTheMissPenaltyOnce() public {
        _sealed(3);
        _aggregated(3);
        vm.prank(_owner(0));
        sa.reveal(jobId, 1, _honestReveal(0, 3));
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.NotMissed.selector, jobId, 1, _owner(2)));
        sa.penalizeMissingReveal(jobId, 1, _owner(2));
        vm.warp(jobs.roundOf(jobId, 1).challengeEnd + 1);
        uint128 bond = jobs.participantOf(jobId, _owner(2)).bond;
        sa.penalizeMissingReveal(jobId, 1, _owner(2));
        uint256 bps = jobs.params().missPenaltyBps;
        assertEq(jobs.participantOf(jobId, _owner(2)).bond, bond - bond * bps / 10_000);
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.NotMissed.selector, jobId, 1, _owner(2)));
        sa.penalizeMissingReveal(jobId, 1, _owner(2));
        vm.expectRevert(abi.encodeWithSelector(ISecureAggregation.NotMissed.selector, jobId, 1, _owner(0)));
        sa.penalizeMissingReveal(jobId, 1, _owner(0));
    }

    function test_penalizeMissing_onlyPenalizerRole() public {
        _sealed(2);
        vm.expectRevert();
        jobs.penalizeMissing(jobId, _owner(0));
    }
}
