// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {IPossessionChallenges} from "../../contracts/interfaces/IPossessionChallenges.sol";

contract PossessionChallengesTest is EconBase {
    address owner = address(0x0DA7A);
    address challenger = address(0xC4A1);
    uint256 constant N = 5; // odd: exercises promotion
    bytes32[] leaves;
    uint256 dataId;

    function _record(uint256 i) internal pure returns (bytes memory) {
        return abi.encodePacked("record-", i);
    }

    function _leaf(uint256 i) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(i, keccak256(_record(i))))));
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    /// @dev Sorted-pair tree, odd node promoted unchanged.
    function _rootAndProof(uint256 index) internal view returns (bytes32 root, bytes32[] memory proof) {
        bytes32[] memory level = leaves;
        bytes32[] memory tmp = new bytes32[](16);
        uint256 depth;
        uint256 idx = index;
        while (level.length > 1) {
            uint256 sib = idx ^ 1;
            if (sib < level.length) tmp[depth++] = level[sib];
            bytes32[] memory next = new bytes32[]((level.length + 1) / 2);
            for (uint256 i; i < next.length; ++i) {
                next[i] = 2 * i + 1 < level.length ? _hashPair(level[2 * i], level[2 * i + 1]) : level[2 * i];
            }
            level = next;
            idx /= 2;
        }
        root = level[0];
        proof = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) proof[i] = tmp[i];
    }

    function setUp() public {
        _deployEconomy();
        for (uint256 i; i < N; ++i) leaves.push(_leaf(i));
        (bytes32 root,) = _rootAndProof(0);
        dataId = _mintData(owner, root, uint64(N));
        _fund(owner, 1_000e18);
        _fund(challenger, 100e18);
        vm.prank(owner);
        staking.stake(IStaking.Role.DataOwner, dataId, 200e18);
    }

    function _challenge() internal returns (uint256 id) {
        vm.prank(challenger);
        id = challenges.challenge(dataId);
        vm.roll(block.number + 3);
        vm.setBlockhash(block.number - 1, keccak256("seed"));
    }

    function _answer(uint256 id) internal view returns (bytes[] memory records, bytes32[][] memory proofs) {
        uint256[] memory idx = challenges.challengedIndices(id);
        records = new bytes[](idx.length);
        proofs = new bytes32[][](idx.length);
        for (uint256 i; i < idx.length; ++i) {
            records[i] = _record(idx[i]);
            (, proofs[i]) = _rootAndProof(idx[i]);
        }
    }

    function test_respond_validProofs_payOwner() public {
        uint256 id = _challenge();
        (bytes[] memory records, bytes32[][] memory proofs) = _answer(id);
        assertEq(records.length, 4);
        vm.prank(owner);
        challenges.respond(id, records, proofs);
        assertEq(token.balanceOf(owner), 800e18 + 5e18);
        assertEq(challenges.openChallengeOf(dataId), 0);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.ChallengeClosed.selector, id));
        challenges.respond(id, records, proofs);
    }

    function test_respond_revertsOnWrongRecord() public {
        uint256 id = _challenge();
        (bytes[] memory records, bytes32[][] memory proofs) = _answer(id);
        uint256[] memory idx = challenges.challengedIndices(id);
        records[0] = "forged";
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.InvalidProof.selector, id, 0, idx[0]));
        challenges.respond(id, records, proofs);
        bytes[] memory short = new bytes[](1);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.WrongAnswerLength.selector, 4, 1, 4));
        challenges.respond(id, short, proofs);
    }

    function test_slashUnanswered_slashesMortgageAndRewardsChallenger() public {
        uint256 id = _challenge();
        IPossessionChallenges.Challenge memory c = challenges.challengeOf(id);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.DeadlineNotPassed.selector, id, c.deadline));
        challenges.slashUnanswered(id);
        vm.warp(c.deadline + 1);
        (bytes[] memory records, bytes32[][] memory proofs) = _answer(id);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.DeadlinePassed.selector, id, c.deadline));
        challenges.respond(id, records, proofs);
        assertEq(challenges.slashUnanswered(id), 100e18);
        assertEq(token.balanceOf(challenger), 150e18);
        assertEq(staking.positionOf(owner, IStaking.Role.DataOwner, dataId).active, 100e18);
    }

    function test_challenge_reverts() public {
        uint256 id = _challenge();
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.ChallengeAlreadyOpen.selector, dataId, id));
        challenges.challenge(dataId);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.UnknownChallenge.selector, 9));
        challenges.fixSeed(9);
    }

    /// @dev Before: a $Data whose owner never declared a leaf count could not be challenged at all.
    function test_attack_undeclaredLeafCount_isChallengeable() public {
        uint256 fresh = _mintData(owner, 0, 64);
        vm.prank(challenger);
        uint256 id = challenges.challenge(fresh);
        vm.roll(block.number + 3);
        vm.setBlockhash(block.number - 1, keccak256("seed"));
        assertEq(challenges.challengedIndices(id).length, 4);
    }

    /// @dev Before: declaring leafCount = 1 on a 64-leaf tree meant only leaf 0 was ever asked. The count is
    /// now the one fixed at mint (and bound in the commitment), so indices span the whole tree.
    function test_attack_underDeclaredLeafCount_indicesSpanRealTree() public {
        uint256 big = _mintData(owner, 0, 64);
        uint256 maxIndex;
        for (uint256 k; k < 8; ++k) {
            vm.prank(challenger);
            uint256 id = challenges.challenge(big);
            vm.roll(block.number + 3);
            vm.setBlockhash(block.number - 1, keccak256(abi.encode("seed", k)));
            uint256[] memory idx = challenges.challengedIndices(id);
            for (uint256 i; i < idx.length; ++i) {
                assertLe(idx[i], 63);
                if (idx[i] > maxIndex) maxIndex = idx[i];
            }
            vm.warp(challenges.challengeOf(id).deadline + 1);
            challenges.slashUnanswered(id);
        }
        assertGe(maxIndex, 1);
    }

    /// @dev Before: the owner challenged itself to hold the single open slot and collect half its own slash.
    function test_attack_selfChallenge_reverts() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.SelfChallenge.selector, owner, dataId));
        challenges.challenge(dataId);
    }

    /// @dev Before: the owner read the indices, let the seed expire and re-rolled them with reseed.
    function test_attack_ownerReseedsExpiredSeed_reverts() public {
        vm.prank(challenger);
        uint256 id = challenges.challenge(dataId);
        vm.roll(block.number + 300); // the seed block hash is gone, never fixed
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.NotChallenger.selector, owner, id));
        challenges.reseed(id);
        // the expired seed counts against the owner: it cannot answer, the deadline passes, it is slashed
        vm.expectRevert();
        challenges.challengedIndices(id);
        vm.warp(challenges.challengeOf(id).deadline + 1);
        assertEq(challenges.slashUnanswered(id), 100e18);
    }

    /// @dev Before: a stake whose thawing ended inside the response window left before the slash.
    function test_attack_withdrawDuringResponseWindow_reverts() public {
        vm.prank(owner);
        staking.requestUnstake(IStaking.Role.DataOwner, dataId, 200e18);
        vm.warp(block.timestamp + staking.thawingPeriod() - 1 hours);
        uint256 id = _challenge();
        uint256 deadline = challenges.challengeOf(id).deadline;
        vm.warp(block.timestamp + 2 hours); // thawed, but the challenge is still open
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakeHeld.selector, deadline));
        staking.withdraw(IStaking.Role.DataOwner, dataId);
        vm.warp(deadline + 1);
        assertEq(challenges.slashUnanswered(id), 100e18);
    }

    function test_seed_notReady_expired_reseed() public {
        vm.prank(challenger);
        uint256 id = challenges.challenge(dataId);
        uint256 seedBlock = challenges.challengeOf(id).seedBlock;
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.SeedNotReady.selector, id, seedBlock));
        challenges.fixSeed(id);
        vm.roll(seedBlock + 300);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.SeedExpired.selector, id, seedBlock));
        challenges.fixSeed(id);
        vm.startPrank(challenger);
        challenges.reseed(id);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.SeedStillValid.selector, id));
        challenges.reseed(id);
        vm.stopPrank();
        vm.roll(block.number + 3);
        vm.setBlockhash(block.number - 1, keccak256("seed2"));
        (bytes[] memory records, bytes32[][] memory proofs) = _answer(id);
        challenges.respond(id, records, proofs);
    }

    function test_singleLeafDataset_rootIsLeaf() public {
        delete leaves;
        leaves.push(_leaf(0));
        uint256 single = _mintData(owner, _leaf(0), 1);
        vm.prank(challenger);
        uint256 id = challenges.challenge(single);
        vm.roll(block.number + 3);
        vm.setBlockhash(block.number - 1, keccak256("s"));
        bytes[] memory records = new bytes[](1);
        records[0] = _record(0);
        bytes32[][] memory proofs = new bytes32[][](1);
        challenges.respond(id, records, proofs);
    }

    function test_setParams_bounds() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.BadParameter.selector, bytes32("samples")));
        challenges.setParams(1, 1 days, 0, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.BadParameter.selector, bytes32("responseWindow")));
        challenges.setParams(1, 1, 1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.BadParameter.selector, bytes32("slashRewardBps")));
        challenges.setParams(1, 1 days, 1, 1, 6_000);
        challenges.setParams(1, 1 days, 8, 1, 100);
        vm.stopPrank();
        assertEq(challenges.samples(), 8);
    }

    function testFuzz_respond_anySeed(bytes32 seed) public {
        vm.assume(seed != 0);
        vm.prank(challenger);
        uint256 id = challenges.challenge(dataId);
        vm.roll(block.number + 3);
        vm.setBlockhash(block.number - 1, seed);
        (bytes[] memory records, bytes32[][] memory proofs) = _answer(id);
        challenges.respond(id, records, proofs);
    }
}
