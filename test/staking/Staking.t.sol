// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {IRewards} from "../../contracts/interfaces/IRewards.sol";
import {IGovernanceClock} from "../../contracts/interfaces/IGovernanceClock.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract StakingTest is EconBase {
    address alice = address(0xA11CE);
    address bob = address(0xB0B);

    function setUp() public {
        _deployEconomy();
        _fund(alice, 1_000e18);
        _fund(bob, 1_000e18);
    }

    function test_stake_roleOnly_updatesPositionAndCheckpoints() public {
        vm.prank(alice);
        staking.stake(IStaking.Role.ComputeProvider, 0, 10e18);
        assertEq(staking.positionOf(alice, IStaking.Role.ComputeProvider, 0).active, 10e18);
        assertEq(staking.stakeOf(alice), 10e18);
        assertEq(staking.totalStake(), 10e18);
        assertEq(token.balanceOf(address(staking)), 10e18);
        vm.warp(block.timestamp + 1);
        assertEq(staking.getPastStake(alice, block.timestamp - 1), 10e18);
        assertEq(staking.getPastStake(alice, block.timestamp - 2), 0);
        assertEq(staking.getPastTotalStake(block.timestamp - 1), 10e18);
    }

    function test_stake_dataMortgage_requiresOwnership() public {
        uint256 id = _mintData(alice, 0, 0);
        vm.prank(alice);
        staking.stake(IStaking.Role.DataOwner, id, 10e18);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IStaking.NotAssetOwner.selector, bob, IStaking.Role.DataOwner, id));
        staking.stake(IStaking.Role.DataOwner, id, 10e18);
    }

    function test_stake_revertsOnAssetForRoleOnly() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AssetNotAllowed.selector, IStaking.Role.Trainer, 7));
        staking.stake(IStaking.Role.Trainer, 7, 10e18);
    }

    function test_stake_revertsZeroAndBelowMinimum() public {
        vm.startPrank(alice);
        vm.expectRevert(IStaking.ZeroAmount.selector);
        staking.stake(IStaking.Role.Curator, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IStaking.BelowMinimumStake.selector, 1, 1e18));
        staking.stake(IStaking.Role.Curator, 0, 1);
        vm.stopPrank();
    }

    function test_requestUnstake_movesToThawingAndDropsVotingStake() public {
        vm.startPrank(alice);
        staking.stake(IStaking.Role.Curator, 0, 10e18);
        staking.requestUnstake(IStaking.Role.Curator, 0, 4e18);
        vm.stopPrank();
        IStaking.Position memory p = staking.positionOf(alice, IStaking.Role.Curator, 0);
        assertEq(p.active, 6e18);
        assertEq(p.thawing, 4e18);
        assertEq(p.thawEnd, block.timestamp + staking.thawingPeriod());
        assertEq(staking.stakeOf(alice), 6e18);
        assertEq(staking.totalThawing(), 4e18);
    }

    function test_requestUnstake_reverts() public {
        vm.startPrank(alice);
        staking.stake(IStaking.Role.Curator, 0, 10e18);
        vm.expectRevert(IStaking.ZeroAmount.selector);
        staking.requestUnstake(IStaking.Role.Curator, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IStaking.InsufficientStake.selector, 11e18, 10e18));
        staking.requestUnstake(IStaking.Role.Curator, 0, 11e18);
        vm.expectRevert(abi.encodeWithSelector(IStaking.BelowMinimumStake.selector, 0.5e18, 1e18));
        staking.requestUnstake(IStaking.Role.Curator, 0, 9.5e18);
        vm.stopPrank();
    }

    function test_withdraw_afterThawing() public {
        vm.startPrank(alice);
        staking.stake(IStaking.Role.Curator, 0, 10e18);
        staking.requestUnstake(IStaking.Role.Curator, 0, 10e18);
        uint256 end = block.timestamp + staking.thawingPeriod();
        vm.expectRevert(abi.encodeWithSelector(IStaking.StillThawing.selector, end));
        staking.withdraw(IStaking.Role.Curator, 0);
        vm.warp(end);
        assertEq(staking.withdraw(IStaking.Role.Curator, 0), 10e18);
        vm.expectRevert(
            abi.encodeWithSelector(IStaking.NothingToWithdraw.selector, alice, IStaking.Role.Curator, 0)
        );
        staking.withdraw(IStaking.Role.Curator, 0);
        vm.stopPrank();
        assertEq(token.balanceOf(alice), 1_000e18);
    }

    function test_withdraw_revertsWhileAssetFrozen() public {
        uint256 id = _mintData(alice, 0, 0);
        vm.startPrank(alice);
        staking.stake(IStaking.Role.DataOwner, id, 10e18);
        staking.requestUnstake(IStaking.Role.DataOwner, id, 10e18);
        vm.stopPrank();
        vm.prank(address(gov));
        regulator.setRegulator(bob);
        vm.warp(block.timestamp + staking.thawingPeriod() - 1 days);
        vm.prank(bob);
        regulator.freeze(address(data), id, "bafkreireason");
        vm.warp(block.timestamp + 2 days);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AssetFrozen.selector, address(data), id));
        staking.withdraw(IStaking.Role.DataOwner, id);
        vm.warp(block.timestamp + 7 days); // the freeze expires by itself
        vm.prank(alice);
        staking.withdraw(IStaking.Role.DataOwner, id);
    }

    function test_slash_takesActiveThenThawing_rewardAndBurn() public {
        vm.startPrank(alice);
        staking.stake(IStaking.Role.Curator, 0, 10e18);
        staking.requestUnstake(IStaking.Role.Curator, 0, 6e18);
        vm.stopPrank();
        uint256 supply = token.totalSupply();
        vm.prank(address(gov));
        uint256 slashed = staking.slash(alice, IStaking.Role.Curator, 0, 8e18, bob, 5_000);
        assertEq(slashed, 8e18);
        IStaking.Position memory p = staking.positionOf(alice, IStaking.Role.Curator, 0);
        assertEq(p.active, 0);
        assertEq(p.thawing, 2e18);
        assertEq(token.balanceOf(bob), 1_004e18);
        assertEq(token.totalSupply(), supply - 4e18);
        assertEq(staking.totalBurned(), 4e18);
        assertEq(staking.stakeOf(alice), 0);
    }

    function test_slash_capsAtPosition_andZeroIsNoop() public {
        vm.prank(alice);
        staking.stake(IStaking.Role.Curator, 0, 10e18);
        vm.startPrank(address(gov));
        assertEq(staking.slash(alice, IStaking.Role.Curator, 0, 100e18, address(0), 0), 10e18);
        assertEq(staking.slash(alice, IStaking.Role.Curator, 0, 1e18, bob, 0), 0);
        vm.stopPrank();
    }

    function test_attack_slashOutsideGovernancePath_reverts() public {
        vm.prank(alice);
        staking.stake(IStaking.Role.Curator, 0, 10e18);
        bytes32 role = staking.SLASHER_ROLE();
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        staking.slash(alice, IStaking.Role.Curator, 0, 10e18, bob, 5_000);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        staking.hold(alice, IStaking.Role.Curator, 0, block.timestamp + 100 days);
    }

    function test_slash_revertsRewardAboveCap() public {
        vm.prank(address(gov));
        vm.expectRevert(abi.encodeWithSelector(IStaking.RewardTooHigh.selector, 5_001, 5_000));
        staking.slash(alice, IStaking.Role.Curator, 0, 1, bob, 5_001);
    }

    function test_hold_blocksWithdrawUntilExpiry() public {
        vm.startPrank(alice);
        staking.stake(IStaking.Role.Curator, 0, 10e18);
        staking.requestUnstake(IStaking.Role.Curator, 0, 10e18);
        vm.stopPrank();
        uint256 until = block.timestamp + 30 days;
        vm.prank(address(gov));
        staking.hold(alice, IStaking.Role.Curator, 0, until);
        vm.warp(block.timestamp + 20 days);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakeHeld.selector, until));
        staking.withdraw(IStaking.Role.Curator, 0);
        vm.warp(until);
        vm.prank(alice);
        staking.withdraw(IStaking.Role.Curator, 0);
    }

    function test_getPastStake_revertsOnFuture() public {
        vm.expectRevert(abi.encodeWithSelector(IStaking.FutureLookup.selector, block.timestamp, block.timestamp));
        staking.getPastStake(alice, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IStaking.FutureLookup.selector, block.timestamp, block.timestamp));
        staking.getPastTotalStake(block.timestamp);
    }

    function test_setThawingPeriod_enforcesGovernanceBound() public {
        uint256 required = gov.votingDelay() + gov.votingPeriod() + gov.timelock();
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IStaking.ThawingTooShort.selector, required - 1, required));
        staking.setThawingPeriod(required - 1);
        staking.setThawingPeriod(required);
        assertEq(staking.thawingPeriod(), required);
        vm.stopPrank();
    }

    function test_params_onlyParamsRole_andSetters() public {
        vm.startPrank(admin);
        staking.setMinStake(2e18);
        assertEq(staking.minStake(), 2e18);
        vm.expectRevert(IStaking.ZeroAmount.selector);
        staking.setMinStake(0);
        vm.expectRevert(IStaking.ZeroAddress.selector);
        staking.setGovernance(IGovernanceClock(address(0)));
        staking.setRewards(IRewards(address(0)));
        vm.stopPrank();
        vm.prank(alice);
        vm.expectRevert();
        staking.setMinStake(1);
        assertEq(staking.clock(), block.timestamp);
    }

    function testFuzz_stakeUnstakeWithdraw_conservesTokens(uint96 a, uint96 b) public {
        uint256 amount = bound(a, 1e18, 1_000e18);
        uint256 part = bound(b, 1, amount);
        if (amount - part != 0 && amount - part < 1e18) part = amount;
        vm.startPrank(alice);
        staking.stake(IStaking.Role.Curator, 0, amount);
        staking.requestUnstake(IStaking.Role.Curator, 0, part);
        vm.warp(block.timestamp + staking.thawingPeriod());
        staking.withdraw(IStaking.Role.Curator, 0);
        vm.stopPrank();
        assertEq(token.balanceOf(alice) + token.balanceOf(address(staking)), 1_000e18);
        assertEq(token.balanceOf(address(staking)), amount - part);
        assertEq(staking.totalStake(), amount - part);
    }
}
