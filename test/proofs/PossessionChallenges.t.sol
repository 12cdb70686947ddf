// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {IPossessionChallenges} from "../../contracts/interfaces/IPossessionChallenges.sol";
import {PossessionFixtures as F} from "./PossessionFixtures.sol";

/// @dev The proofs come from PossessionFixtures.sol (test/proofs/possession_fixtures.py), made for this
/// scenario: $Data #1 of F.OWNER over "record-0".."record-4", challenge #1 seeded by keccak256("seed").
contract PossessionChallengesTest is EconBase {
    address owner = F.OWNER;
    address challenger = address(0xC4A1);
    uint256 dataId;

    function setUp() public {
        _deployEconomy();
        dataId = _mintData(owner, F.COMMITMENT, F.LEAF_COUNT);
        assertEq(dataId, 1);
        _fund(owner, 1_000e18);
        _fund(challenger, 100e18);
        vm.prank(owner);
        staking.stake(IStaking.Role.DataOwner, dataId, 200e18);
    }

    function _challenge(bytes32 seed) internal returns (uint256 id) {
        vm.prank(challenger);
        id = challenges.challenge(dataId);
        vm.roll(block.number + 3);
        vm.setBlockhash(block.number - 1, seed);
    }

    function _challenge() internal returns (uint256) {
        return _challenge(keccak256("seed"));
    }

    function _expectInvalid(uint256 id, IPossessionChallenges.Proof memory proof) internal {
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.InvalidProof.selector, id));
        challenges.respond(id, proof);
    }

    function test_respond_honestProof_paysOwner() public {
        uint256 id = _challenge();
        vm.expectEmit(true, true, true, true, address(challenges));
        emit IPossessionChallenges.Answered(id, dataId, owner);
        challenges.respond(id, F.honest());
        assertEq(token.balanceOf(owner), 800e18 + 5e18);
        assertEq(challenges.openChallengeOf(dataId), 0);
        assertTrue(challenges.challengeOf(id).closed);
    }

    function test_respond_revertsOnWrongRecord() public {
        _expectInvalid(_challenge(), F.wrongRecord());
    }

    function test_respond_revertsOnRecordFromAnotherDataset() public {
        _expectInvalid(_challenge(), F.otherDataset());
    }

    function test_respond_revertsOnWrongIndex() public {
        _expectInvalid(_challenge(), F.wrongIndex());
    }

    function test_respond_revertsOnProofForAnotherChallenge() public {
        _expectInvalid(_challenge(), F.otherChallenge());
    }

    function test_respond_revertsOnProofForAnotherOwner() public {
        _expectInvalid(_challenge(), F.otherOwner());
    }

    function test_respond_revertsOnReplayedProof() public {
        uint256 id = _challenge();
        challenges.respond(id, F.honest());
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.ChallengeClosed.selector, id));
        challenges.respond(id, F.honest());
        // the same block hash again: a new challenge still asks for other leaves and another binding
        _expectInvalid(_challenge(), F.honest());
    }

    function test_respond_revertsOnProofFromTamperedZkey() public {
        _expectInvalid(_challenge(), F.tamperedZkey());
    }

    function test_respond_revertsWhenVerifierGasTooLow() public {
        uint256 id = _challenge();
        try challenges.respond{gas: 250_000}(id, F.honest()) {
            revert("answered with too little gas for the verifier");
        } catch (bytes memory err) {
            assertEq(bytes4(err), IPossessionChallenges.VerifierGasTooLow.selector);
        }
        challenges.respond{gas: 500_000}(id, F.honest());
    }

    function testFuzz_respond_rejectsAlteredProof(uint8 which, uint256 delta) public {
        vm.assume(delta != 0);
        uint256 id = _challenge();
        IPossessionChallenges.Proof memory p = F.honest();
        uint256 w = which % 8;
        unchecked {
            // wrapping is fine: any other value is another proof
            if (w < 2) p.a[w] += delta;
            else if (w < 6) p.b[(w - 2) / 2][w % 2] += delta;
            else p.c[w - 6] += delta;
        }
        _expectInvalid(id, p);
    }

    function test_challengeBinding_tiesChallengeDataAndOwner() public {
        uint256 id = _challenge();
        assertEq(
            challenges.challengeBinding(id),
            uint256(keccak256(abi.encode(id, dataId, owner))) % challenges.SNARK_SCALAR_FIELD()
        );
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.UnknownChallenge.selector, 9));
        challenges.challengeBinding(9);
    }

    function test_slashUnanswered_slashesMortgageAndRewardsChallenger() public {
        uint256 id = _challenge();
        IPossessionChallenges.Challenge memory c = challenges.challengeOf(id);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.DeadlineNotPassed.selector, id, c.deadline));
        challenges.slashUnanswered(id);
        vm.warp(c.deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.DeadlinePassed.selector, id, c.deadline));
        challenges.respond(id, F.honest());
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

    /// @dev Before: the owner's sybil challenged, never fixed the seed, and reseeded each time it expired,
    /// so the $Data's one open slot stayed taken, no honest challenger got in and nothing was slashed.
    function test_attack_sybilChallengerReseedsForever_fails() public {
        address sybil = address(0x5B11);
        _fund(sybil, 100e18);
        vm.prank(sybil);
        uint256 id = challenges.challenge(dataId);
        vm.roll(block.number + 300);
        vm.prank(sybil);
        challenges.reseed(id);
        vm.roll(block.number + 300);
        vm.prank(sybil);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.AlreadyReseeded.selector, id));
        challenges.reseed(id);
        // the slot is freed by the slash at the (single) extended deadline
        vm.warp(challenges.challengeOf(id).deadline + 1);
        assertEq(challenges.slashUnanswered(id), 100e18);
        vm.prank(challenger);
        challenges.challenge(dataId);
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
        vm.setBlockhash(block.number - 1, keccak256("seed"));
        challenges.respond(id, F.honest());
    }

    function test_challengedIndices_smallDataset_asksTheCircuitsFourLeaves() public {
        uint256 single = _mintData(owner, 0, 1);
        vm.prank(challenger);
        uint256 id = challenges.challenge(single);
        vm.roll(block.number + 3);
        vm.setBlockhash(block.number - 1, keccak256("s"));
        uint256[] memory idx = challenges.challengedIndices(id);
        assertEq(idx.length, challenges.SAMPLES());
        for (uint256 i; i < idx.length; ++i) assertEq(idx[i], 0);
    }

    function test_setParams_bounds() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.BadParameter.selector, bytes32("responseWindow")));
        challenges.setParams(1, 1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IPossessionChallenges.BadParameter.selector, bytes32("slashRewardBps")));
        challenges.setParams(1, 1 days, 1, 6_000);
        challenges.setParams(1, 2 days, 1, 100);
        vm.stopPrank();
        assertEq(challenges.responseWindow(), 2 days);
    }

    function test_gas_respond() public {
        uint256 id = _challenge();
        challenges.respond(id, F.honest());
    }

    function test_gas_verifyProof_within300k() public view {
        IPossessionChallenges.Proof memory p = F.honest();
        uint256[7] memory signals;
        signals[0] = uint256(F.COMMITMENT);
        signals[1] = F.LEAF_COUNT;
        for (uint256 i; i < 4; ++i) {
            signals[2 + i] = uint256(keccak256(abi.encode(keccak256("seed"), 1, i))) % F.LEAF_COUNT;
        }
        signals[6] = uint256(keccak256(abi.encode(1, 1, F.OWNER))) % challenges.SNARK_SCALAR_FIELD();
        uint256 before = gasleft();
        bool ok = challenges.verifier().verifyProof(p.a, p.b, p.c, signals);
        uint256 used = before - gasleft();
        assertTrue(ok);
        assertLe(used, 300_000);
    }
}
