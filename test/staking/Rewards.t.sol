// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {IRewards} from "../../contracts/interfaces/IRewards.sol";
import {IModelNFT} from "../../contracts/interfaces/IModelNFT.sol";

contract RewardsTest is EconBase {
    address alice = address(0xA11CE);
    address bob = address(0xB0B);

    function setUp() public {
        _deployEconomy();
        _fund(treasury, 1_000_000e18);
        _fund(alice, 1_000e18);
        _fund(bob, 1_000e18);
    }

    function _notify(uint256 amount) internal {
        vm.prank(treasury);
        rewards.notifyRewardAmount(amount);
    }

    function test_baseRewards_splitByStakeOverTime() public {
        vm.prank(alice);
        staking.stake(IStaking.Role.Curator, 0, 100e18);
        vm.prank(bob);
        staking.stake(IStaking.Role.Curator, 0, 300e18);
        _notify(30_000e18); // 30 days
        vm.warp(block.timestamp + 30 days);
        assertApprox(rewards.earned(alice), 7_500e18);
        assertApprox(rewards.earned(bob), 22_500e18);
        vm.prank(alice);
        (uint256 base,) = rewards.claim();
        assertEq(token.balanceOf(alice), 900e18 + base);
    }

    function assertApprox(uint256 a, uint256 b) internal pure {
        vm.assertApproxEqAbs(a, b, 1e9);
    }

    function test_zeroStake_emissionCarriedOver_nothingLost() public {
        _notify(30_000e18);
        vm.warp(block.timestamp + 10 days); // nobody stakes: nothing emitted
        vm.prank(alice);
        staking.stake(IStaking.Role.Curator, 0, 100e18);
        vm.warp(block.timestamp + 30 days);
        assertApprox(rewards.earned(alice), 30_000e18);
        assertLe(rewards.earned(alice), 30_000e18);
    }

    function test_attack_claimTwice_reverts() public {
        vm.prank(alice);
        staking.stake(IStaking.Role.Curator, 0, 100e18);
        _notify(30_000e18);
        vm.warp(block.timestamp + 1 days);
        vm.startPrank(alice);
        rewards.claim();
        vm.expectRevert(abi.encodeWithSelector(IRewards.NothingToClaim.selector, alice));
        rewards.claim();
        vm.stopPrank();
    }

    function test_hook_onlyStaking() public {
        vm.expectRevert(abi.encodeWithSelector(IRewards.NotStaking.selector, address(this)));
        rewards.beforeStakeChange(alice);
    }

    function test_notify_revertsUnauthorizedZeroAndTooSmall() public {
        vm.expectRevert();
        rewards.notifyRewardAmount(1e18);
        vm.startPrank(treasury);
        vm.expectRevert(IRewards.ZeroAmount.selector);
        rewards.notifyRewardAmount(0);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardTooSmall.selector, 1, 30 days));
        rewards.notifyRewardAmount(1);
        vm.stopPrank();
    }

    function test_notify_topUpMidPeriodKeepsRemainder() public {
        vm.prank(alice);
        staking.stake(IStaking.Role.Curator, 0, 100e18);
        _notify(30_000e18);
        vm.warp(block.timestamp + 15 days);
        _notify(15_000e18);
        vm.warp(block.timestamp + 30 days);
        assertApprox(rewards.earned(alice), 45_000e18);
        assertEq(rewards.totalBaseFunded(), 45_000e18);
    }

    function test_bonus_trainingCredit_cappedByPool() public {
        vm.prank(treasury);
        rewards.fundBonus(10e18);
        vm.prank(address(jobs));
        assertEq(rewards.creditTrainingBonus(alice, 25e18), 10e18);
        assertEq(rewards.bonusOf(alice), 10e18);
        assertEq(rewards.bonusPool(), 0);
        vm.prank(alice);
        (, uint256 bonus) = rewards.claim();
        assertEq(bonus, 10e18);
        vm.expectRevert();
        rewards.creditTrainingBonus(alice, 1);
        vm.expectRevert(IRewards.ZeroAmount.selector);
        rewards.fundBonus(0);
    }

    function test_onModelUsed_creditsModelOwner_onlyModelMarket() public {
        vm.prank(address(jobs));
        uint256 modelId = models.mint(bob, IModelNFT.Lineage(1, 1, 1, bytes32(uint256(1)), "w"), "m");
        vm.prank(treasury);
        rewards.fundBonus(100e18);
        vm.prank(modelMarket);
        rewards.onModelUsed(modelId, 1, alice, 100e18);
        assertEq(rewards.bonusOf(bob), 5e18);
        vm.prank(alice);
        vm.expectRevert();
        rewards.onModelUsed(modelId, 1, alice, 100e18);
    }

    function test_vesting_bonusGoesToVestingWallet() public {
        vm.startPrank(admin);
        rewards.setVestingDuration(100 days);
        vm.expectRevert(abi.encodeWithSelector(IRewards.BadParameter.selector, bytes32("vestingDuration"), 5 * 365 days));
        rewards.setVestingDuration(5 * 365 days);
        rewards.setUsageBonusBps(1_000);
        rewards.setRewardsDuration(10 days);
        vm.stopPrank();
        vm.prank(treasury);
        rewards.fundBonus(10e18);
        vm.prank(address(jobs));
        rewards.creditTrainingBonus(alice, 10e18);
        vm.recordLogs();
        vm.prank(alice);
        rewards.claim();
        assertEq(token.balanceOf(alice), 1_000e18);
        assertEq(rewards.bonusOwed(), 0);
    }

    function testFuzz_claim_neverExceedsFunding(uint96 a, uint96 b, uint32 dt) public {
        uint256 sa = bound(a, 1e18, 1_000e18);
        uint256 sb = bound(b, 1e18, 1_000e18);
        vm.prank(alice);
        staking.stake(IStaking.Role.Curator, 0, sa);
        _notify(30_000e18);
        vm.warp(block.timestamp + bound(dt, 1, 60 days));
        vm.prank(bob);
        staking.stake(IStaking.Role.Curator, 0, sb);
        vm.warp(block.timestamp + 40 days);
        vm.prank(alice);
        rewards.claim();
        vm.prank(bob);
        try rewards.claim() {} catch {}
        assertLe(rewards.totalBasePaid(), rewards.totalBaseFunded());
    }
}
