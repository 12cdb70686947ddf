// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {StakingHandler} from "./handlers/StakingHandler.sol";

/// @notice Token conservation and slashing safety of Staking and Rewards.
contract StakingInvariants is EconBase {
    StakingHandler handler;

    function setUp() public {
        _deployEconomy();
        address slasher = address(0x51A5);
        handler = new StakingHandler(token, staking, rewards, slasher, treasury);
        vm.startPrank(admin);
        token.grantRole(token.MINTER_ROLE(), address(handler));
        staking.grantRole(staking.SLASHER_ROLE(), slasher);
        rewards.grantRole(rewards.TRAINING_CREDITOR_ROLE(), address(handler));
        vm.stopPrank();
        targetContract(address(handler));
    }

    function invariant_stakingHoldsExactlyActivePlusThawing() public view {
        assertEq(token.balanceOf(address(staking)), staking.totalStake() + staking.totalThawing());
    }

    function invariant_tokenConservation_stakingAndRewards() public view {
        uint256 sum = token.balanceOf(address(staking)) + token.balanceOf(address(rewards))
            + token.balanceOf(treasury) + token.balanceOf(handler.beneficiary()) + staking.totalBurned();
        for (uint256 i; i < handler.actorCount(); ++i) sum += token.balanceOf(handler.actors(i));
        assertEq(sum, handler.ghostMinted());
        assertEq(token.totalSupply() + staking.totalBurned(), handler.ghostMinted());
    }

    function invariant_slashedStakeIsNeverWithdrawn() public view {
        assertEq(
            handler.ghostWithdrawn() + handler.ghostSlashed() + staking.totalStake() + staking.totalThawing(),
            handler.ghostDeposited()
        );
        for (uint256 i; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            assertLe(handler.withdrawnBy(a) + handler.slashedFrom(a), handler.depositedBy(a));
        }
    }

    function invariant_thawingStakeStaysSlashable() public view {
        assertEq(handler.thawingSlashFailures(), 0);
    }

    function invariant_totalStakeIsSumOfVotingStakes() public view {
        uint256 sum;
        for (uint256 i; i < handler.actorCount(); ++i) sum += staking.stakeOf(handler.actors(i));
        assertEq(sum, staking.totalStake());
    }

    function invariant_rewardsNoClaimExceedsCredit() public view {
        assertLe(rewards.totalBasePaid(), rewards.totalBaseFunded());
        assertEq(handler.ghostBaseClaimed(), rewards.totalBasePaid());
        assertLe(handler.ghostBonusClaimed(), handler.ghostBonusCredited());
        for (uint256 i; i < handler.actorCount(); ++i) {
            address a = handler.actors(i);
            assertLe(handler.bonusClaimedBy(a), handler.creditedTo(a));
        }
    }

    function invariant_rewardsSolvent() public view {
        assertEq(
            token.balanceOf(address(rewards)),
            rewards.totalBaseFunded() - rewards.totalBasePaid() + rewards.bonusPool() + rewards.bonusOwed()
        );
        uint256 owed;
        for (uint256 i; i < handler.actorCount(); ++i) owed += rewards.earned(handler.actors(i));
        assertLe(owed, rewards.totalBaseFunded() - rewards.totalBasePaid());
    }
}
