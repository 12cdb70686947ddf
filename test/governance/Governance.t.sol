// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {IGovernance} from "../../contracts/interfaces/IGovernance.sol";
import {IRegulator} from "../../contracts/interfaces/IRegulator.sol";
import {Governance} from "../../contracts/governance/Governance.sol";
import {IRegulator as IReg} from "../../contracts/interfaces/IRegulator.sol";

contract GovernanceTest is EconBase {
    address alice = address(0xA11CE); // proposer, 100
    address bob = address(0xB0B); // voter, 300
    address carol = address(0xCA201); // accused, 200
    address dave = address(0xDA7E); // late staker

    function setUp() public {
        _deployEconomy();
        _stake(alice, 1_000e18);
        _stake(bob, 300e18);
        _stake(carol, 200e18);
        _fund(dave, 1_000e18);
        _fund(alice, 1_000e18);
        vm.warp(block.timestamp + 1);
    }

    function _proposeSlashCarol() internal returns (uint256 id) {
        vm.prank(alice);
        id = gov.proposeSlash(carol, IStaking.Role.Curator, 0, 100e18, "bafkreievidence", block.timestamp - 1 days);
    }

    function _toVoting() internal {
        vm.warp(block.timestamp + gov.votingDelay());
    }

    function _toReady(uint256 id) internal {
        vm.warp(gov.proposalOf(id).readyAt);
    }

    function test_proposeSlash_takesDepositAndSnapshots() public {
        uint256 before = token.balanceOf(alice);
        uint256 id = _proposeSlashCarol();
        assertEq(before - token.balanceOf(alice), gov.proposalDeposit());
        IGovernance.Proposal memory p = gov.proposalOf(id);
        assertEq(p.snapshot, block.timestamp - 1);
        assertEq(p.totalStakeAtSnapshot, 1_500e18);
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Pending));
        assertEq(staking.positionOf(carol, IStaking.Role.Curator, 0).heldUntil, p.readyAt + gov.EXECUTION_WINDOW());
    }

    function test_fullSlashReferendum_executesAndRewardsProposer() public {
        uint256 id = _proposeSlashCarol();
        _toVoting();
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Active));
        vm.prank(bob);
        gov.castVote(id, true);
        vm.warp(gov.proposalOf(id).voteEnd);
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Succeeded));
        _toReady(id);
        uint256 before = token.balanceOf(alice);
        gov.execute(id);
        // deposit back + 20% of 100 slashed
        assertEq(token.balanceOf(alice) - before, gov.proposalDeposit() + 20e18);
        assertEq(staking.positionOf(carol, IStaking.Role.Curator, 0).active, 100e18);
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Executed));
        vm.expectRevert(abi.encodeWithSelector(IGovernance.NotSucceeded.selector, id, IGovernance.State.Executed));
        gov.execute(id);
    }

    function test_attack_stakeAfterSnapshotThenVote_reverts() public {
        uint256 id = _proposeSlashCarol();
        vm.prank(dave);
        staking.stake(IStaking.Role.Curator, 0, 1_000e18); // same block as the proposal: after the snapshot
        _toVoting();
        uint256 snapshot = gov.proposalOf(id).snapshot;
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.NoVotingPower.selector, dave, snapshot));
        gov.castVote(id, false);
    }

    function test_attack_voteThenWithdrawToEscapeSlash_slashStillLands() public {
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(carol);
        gov.castVote(id, false);
        vm.prank(bob);
        gov.castVote(id, true);
        vm.prank(alice);
        gov.castVote(id, true);
        vm.prank(carol);
        staking.requestUnstake(IStaking.Role.Curator, 0, 200e18);
        // the vote stays counted at the snapshot
        assertEq(gov.proposalOf(id).againstVotes, 200e18);
        IStaking.Position memory p = staking.positionOf(carol, IStaking.Role.Curator, 0);
        vm.warp(gov.proposalOf(id).readyAt - 1);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StillThawing.selector, p.thawEnd));
        staking.withdraw(IStaking.Role.Curator, 0);
        _toReady(id);
        gov.execute(id);
        assertEq(staking.positionOf(carol, IStaking.Role.Curator, 0).thawing, 100e18);
        vm.warp(p.heldUntil);
        vm.prank(carol);
        assertEq(staking.withdraw(IStaking.Role.Curator, 0), 100e18);
    }

    function test_attack_thawingBeforeProposal_heldUntilReferendumEnds() public {
        vm.prank(carol);
        staking.requestUnstake(IStaking.Role.Curator, 0, 200e18);
        vm.warp(block.timestamp + 10 days);
        uint256 id = _proposeSlashCarol();
        IStaking.Position memory p = staking.positionOf(carol, IStaking.Role.Curator, 0);
        vm.warp(p.thawEnd);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakeHeld.selector, p.heldUntil));
        staking.withdraw(IStaking.Role.Curator, 0);
        _toVoting();
        vm.prank(alice);
        gov.castVote(id, true);
        _toReady(id);
        gov.execute(id);
        assertEq(staking.positionOf(carol, IStaking.Role.Curator, 0).thawing, 100e18);
    }

    function test_attack_executeBeforeTimelock_reverts() public {
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true);
        vm.warp(gov.proposalOf(id).voteEnd);
        uint256 readyAt = gov.proposalOf(id).readyAt;
        vm.expectRevert(abi.encodeWithSelector(IGovernance.TimelockNotElapsed.selector, id, readyAt));
        gov.execute(id);
    }

    function test_attack_voteTwice_reverts() public {
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.startPrank(bob);
        gov.castVote(id, true);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.AlreadyVoted.selector, bob, id));
        gov.castVote(id, false);
        vm.stopPrank();
        assertTrue(gov.hasVoted(id, bob));
    }

    function test_castVote_revertsOutsideWindowAndUnknown() public {
        uint256 id = _proposeSlashCarol();
        IGovernance.Proposal memory p = gov.proposalOf(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.VotingClosed.selector, id, p.voteStart, p.voteEnd));
        gov.castVote(id, true);
        vm.warp(p.voteEnd);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.VotingClosed.selector, id, p.voteStart, p.voteEnd));
        gov.castVote(id, true);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.UnknownProposal.selector, 99));
        gov.castVote(99, true);
    }

    function test_noQuorum_defeated_depositForfeited() public {
        _stake(dave, 10_000e18);
        vm.warp(block.timestamp + 1);
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true); // 300 of 11,500 < 20%
        vm.expectRevert(abi.encodeWithSelector(IGovernance.DepositNotSettleable.selector, id));
        gov.settleDeposit(id);
        vm.warp(gov.proposalOf(id).voteEnd);
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Defeated));
        gov.settleDeposit(id);
        assertEq(token.balanceOf(treasury), gov.proposalDeposit());
        vm.expectRevert(abi.encodeWithSelector(IGovernance.DepositNotSettleable.selector, id));
        gov.settleDeposit(id);
        _toReady(id);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.NotSucceeded.selector, id, IGovernance.State.Defeated));
        gov.execute(id);
    }

    function test_attack_selfQuorumSlashProposalRecoversDeposit_fails() public {
        // alice alone reaches quorum by voting on her own proposal; the slash is defeated
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true);
        vm.prank(carol);
        gov.castVote(id, false);
        vm.prank(alice);
        gov.castVote(id, false);
        vm.warp(gov.proposalOf(id).voteEnd);
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Defeated));
        uint256 before = token.balanceOf(alice);
        gov.settleDeposit(id);
        assertEq(token.balanceOf(alice), before);
        assertEq(token.balanceOf(treasury), gov.proposalDeposit());
    }

    function test_attack_settleSucceededSlashDepositBeforeExecution_fails() public {
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true);
        vm.warp(gov.proposalOf(id).voteEnd);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.DepositNotSettleable.selector, id));
        gov.settleDeposit(id);
        _toReady(id);
        uint256 before = token.balanceOf(alice);
        gov.execute(id);
        assertEq(token.balanceOf(alice) - before, gov.proposalDeposit() + 20e18);
    }

    function test_expiredSlash_depositForfeited() public {
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true);
        vm.warp(gov.proposalOf(id).readyAt + gov.EXECUTION_WINDOW());
        gov.settleDeposit(id);
        assertEq(token.balanceOf(treasury), gov.proposalDeposit());
    }

    /// @dev Carol's whole stake starts thawing now; returns now and the thaw's end.
    function _thawCarol() internal returns (uint256 start, uint256 thawEnd) {
        vm.prank(carol);
        staking.requestUnstake(IStaking.Role.Curator, 0, 200e18);
        start = block.timestamp;
        thawEnd = staking.positionOf(carol, IStaking.Role.Curator, 0).thawEnd;
    }

    /// @dev Once the thaw and the hold budget counted from `start` are over, carol withdraws `amount`.
    function _withdrawOnceTheBudgetIsSpent(uint256 start, uint256 thawEnd, uint256 amount) internal {
        uint256 free = start + gov.MAX_UNPASSED_HOLD();
        vm.warp(free > thawEnd ? free : thawEnd);
        vm.prank(carol);
        assertEq(staking.withdraw(IStaking.Role.Curator, 0), amount);
    }

    function test_attack_repeatedSlashProposalsFreezeStake_fails() public {
        (uint256 start, uint256 thawEnd) = _thawCarol();
        // a griefer re-proposes a (new) fault each time the previous hold is about to lapse
        for (uint256 i; i < 7; ++i) {
            vm.prank(alice);
            gov.proposeSlash(carol, IStaking.Role.Curator, 0, 1, "bafkreigrief", block.timestamp - 1 - i);
            uint256 held = staking.positionOf(carol, IStaking.Role.Curator, 0).heldUntil;
            assertLe(held, start + gov.MAX_UNPASSED_HOLD());
            if (held > block.timestamp) vm.warp(held - 1);
        }
        bytes32 key = keccak256(abi.encode(carol, IStaking.Role.Curator, uint256(0)));
        assertEq(gov.holdUsed(key, start / gov.HOLD_PERIOD()), gov.MAX_UNPASSED_HOLD());
        _withdrawOnceTheBudgetIsSpent(start, thawEnd, 200e18);
    }

    function test_attack_sameFaultProposedTwice_holdsOnce() public {
        vm.prank(carol);
        staking.requestUnstake(IStaking.Role.Curator, 0, 200e18);
        uint256 fault = block.timestamp - 1 days;
        vm.prank(alice);
        gov.proposeSlash(carol, IStaking.Role.Curator, 0, 1, "bafkreione", fault);
        uint256 held = staking.positionOf(carol, IStaking.Role.Curator, 0).heldUntil;
        vm.warp(held - 1);
        vm.prank(alice);
        gov.proposeSlash(carol, IStaking.Role.Curator, 0, 1, "bafkreitwo", fault);
        assertEq(staking.positionOf(carol, IStaking.Role.Curator, 0).heldUntil, held);
        vm.warp(held);
        vm.prank(carol);
        assertEq(staking.withdraw(IStaking.Role.Curator, 0), 200e18);
    }

    /// @dev A staker with quorum passes a 1-wei slash of its own each time: passing does not renew the
    /// budget, so the thawing stake is free once the period's MAX_UNPASSED_HOLD is spent.
    function test_attack_dustSlashPassesAndResetsHoldBudget_fails() public {
        (uint256 start, uint256 thawEnd) = _thawCarol();
        for (uint256 i; i < 6; ++i) {
            vm.prank(alice);
            uint256 id = gov.proposeSlash(carol, IStaking.Role.Curator, 0, 1, "bafkreidust", block.timestamp - 1);
            _pass(id); // alice alone is 2/3 of the stake
            assertLe(staking.positionOf(carol, IStaking.Role.Curator, 0).heldUntil, start + gov.MAX_UNPASSED_HOLD());
        }
        _withdrawOnceTheBudgetIsSpent(start, thawEnd, 200e18 - 6);
    }

    function test_holdBudget_renewsInTheNextPeriod() public {
        bytes32 key = keccak256(abi.encode(carol, IStaking.Role.Curator, uint256(0)));
        _proposeSlashCarol();
        uint256 period = block.timestamp / gov.HOLD_PERIOD();
        uint256 used = gov.holdUsed(key, period);
        assertTrue(used > 0);
        vm.warp((period + 1) * gov.HOLD_PERIOD());
        vm.prank(alice);
        gov.proposeSlash(carol, IStaking.Role.Curator, 0, 1, "bafkreinext", block.timestamp - 1);
        assertEq(gov.holdUsed(key, period), used);
        assertTrue(gov.holdUsed(key, period + 1) > 0);
    }

    /// @dev A referendum to allowlist (target, selector) passes, and its execution reverts UnsafeCall.
    function _passedReferendumCannotAllow(address target, bytes4 selector) internal {
        bytes memory allow = abi.encodeCall(gov.setCallAllowed, (target, selector, true));
        vm.prank(alice);
        uint256 id = gov.proposeParamChange(address(gov), allow, "");
        _toVoting();
        vm.prank(alice);
        gov.castVote(id, true);
        _toReady(id);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.UnsafeCall.selector, target, selector));
        gov.execute(id);
    }

    /// @dev Two referenda could otherwise allowlist `grantRole` and then make an EOA a slasher, outside
    /// the hold budget and the slash referendum.
    function test_attack_referendumGrantsSlasherRole_fails() public {
        bytes4 grant = staking.grantRole.selector;
        _passedReferendumCannotAllow(address(staking), grant);
        bytes memory makeSlasher = abi.encodeCall(staking.grantRole, (staking.SLASHER_ROLE(), alice));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.CallNotAllowed.selector, address(staking), grant));
        gov.proposeParamChange(address(staking), makeSlasher, "");
        for (uint256 k; k < 2; ++k) {
            bytes4 sel = k == 0 ? staking.revokeRole.selector : staking.renounceRole.selector;
            vm.prank(admin);
            vm.expectRevert(abi.encodeWithSelector(IGovernance.UnsafeCall.selector, address(data), sel));
            gov.setCallAllowed(address(data), sel, true);
        }
    }

    function test_attack_paramChangeMovesEscrowedDeposits_fails() public {
        _proposeSlashCarol(); // escrows alice's deposit in Governance
        bytes memory steal = abi.encodeCall(token.transfer, (bob, gov.proposalDeposit()));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.CallNotAllowed.selector, address(token), token.transfer.selector));
        gov.proposeParamChange(address(token), steal, "");
        // not even a referendum can allowlist the token
        _passedReferendumCannotAllow(address(token), token.transfer.selector);
        assertEq(token.balanceOf(address(gov)), 2 * gov.proposalDeposit());
    }

    function test_attack_paramChangeHoldsStakeForever_fails() public {
        bytes memory forever =
            abi.encodeCall(staking.hold, (carol, IStaking.Role.Curator, 0, uint256(type(uint64).max)));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.CallNotAllowed.selector, address(staking), staking.hold.selector));
        gov.proposeParamChange(address(staking), forever, "");
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.UnsafeCall.selector, address(staking), staking.hold.selector));
        gov.setCallAllowed(address(staking), staking.hold.selector, true);
        // and no slasher can reach past MAX_HOLD
        uint256 maxUntil = block.timestamp + staking.MAX_HOLD();
        vm.prank(address(gov));
        vm.expectRevert(abi.encodeWithSelector(IStaking.HoldTooLong.selector, type(uint64).max, maxUntil));
        staking.hold(carol, IStaking.Role.Curator, 0, type(uint64).max);
    }

    function test_attack_paramChangeCallsUnlistedFunction_fails() public {
        bytes memory call = abi.encodeCall(staking.setRewards, (rewards));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.CallNotAllowed.selector, address(staking), staking.setRewards.selector));
        gov.proposeParamChange(address(staking), call, "");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.CallNotAllowed.selector, address(staking), bytes4(0x01000000)));
        gov.proposeParamChange(address(staking), hex"01", "");
    }

    function test_paramChange_delistedBeforeExecution_reverts() public {
        vm.prank(alice);
        uint256 id = gov.proposeParamChange(address(staking), abi.encodeCall(staking.setMinStake, (5e18)), "");
        vm.prank(admin);
        gov.setCallAllowed(address(staking), staking.setMinStake.selector, false);
        _toVoting();
        vm.prank(alice);
        gov.castVote(id, true);
        _toReady(id);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.CallNotAllowed.selector, address(staking), staking.setMinStake.selector));
        gov.execute(id);
    }

    function test_setupAdmin_renounces() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.NotSetupAdmin.selector, bob));
        gov.setCallAllowed(address(staking), staking.setRewards.selector, true);
        vm.prank(admin);
        gov.renounceSetup();
        assertEq(gov.setupAdmin(), address(0));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.NotSetupAdmin.selector, admin));
        gov.setCallAllowed(address(staking), staking.setRewards.selector, true);
    }

    function test_attack_lowerQuorumRevivesDefeatedProposal_fails() public {
        _stake(dave, 10_000e18);
        vm.warp(block.timestamp + 1);
        vm.prank(alice);
        uint256 victim = gov.proposeSetRegulator(alice, "bafkreivictim");
        bytes memory lower =
            abi.encodeCall(Governance.setParams, (1 days, 5 days, 2 days, 100, 100e18, 90 days, 2_000));
        vm.prank(dave);
        uint256 id = gov.proposeParamChange(address(gov), lower, "bafkreilower");
        _toVoting();
        vm.prank(bob);
        gov.castVote(victim, true); // 300 of 11,500: below 20%
        vm.prank(dave);
        gov.castVote(id, true);
        _toReady(id);
        gov.execute(id);
        assertEq(gov.quorumBps(), 100); // 300 of 11,500 would now pass
        assertEq(uint256(gov.state(victim)), uint256(IGovernance.State.Defeated));
        vm.expectRevert(abi.encodeWithSelector(IGovernance.NotSucceeded.selector, victim, IGovernance.State.Defeated));
        gov.execute(victim);
    }

    function test_tie_isDefeated() public {
        _stake(dave, 300e18);
        vm.warp(block.timestamp + 1);
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true);
        vm.prank(dave);
        gov.castVote(id, false);
        vm.warp(gov.proposalOf(id).voteEnd);
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Defeated));
    }

    function test_succeeded_expiresAfterExecutionWindow() public {
        uint256 id = _proposeSlashCarol();
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true);
        vm.warp(gov.proposalOf(id).readyAt + gov.EXECUTION_WINDOW());
        assertEq(uint256(gov.state(id)), uint256(IGovernance.State.Expired));
        assertEq(uint256(gov.state(42)), uint256(IGovernance.State.None));
    }

    function test_proposeSlash_statuteOfLimitations() public {
        uint256 earliest = block.timestamp - gov.statuteOfLimitations();
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.FaultTimeBarred.selector, earliest - 1, earliest));
        gov.proposeSlash(carol, IStaking.Role.Curator, 0, 1e18, "cid", earliest - 1);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.FaultTimeBarred.selector, block.timestamp + 1, earliest));
        gov.proposeSlash(carol, IStaking.Role.Curator, 0, 1e18, "cid", block.timestamp + 1);
        vm.expectRevert(IGovernance.EmptySlash.selector);
        gov.proposeSlash(carol, IStaking.Role.Curator, 0, 0, "cid", block.timestamp);
        vm.stopPrank();
    }

    function _pass(uint256 id) internal {
        _toVoting();
        vm.prank(alice);
        gov.castVote(id, true);
        _toReady(id);
        gov.execute(id);
    }

    function test_paramChange_setsGovernanceParams_onlyThroughReferendum() public {
        bytes memory call =
            abi.encodeCall(Governance.setParams, (2 days, 4 days, 1 days, 3_000, 50e18, 30 days, 1_000));
        vm.prank(alice);
        uint256 id = gov.proposeParamChange(address(gov), call, "bafkreiparams");
        _pass(id);
        assertEq(gov.votingDelay(), 2 days);
        assertEq(gov.quorumBps(), 3_000);
        assertEq(gov.slashRewardBps(), 1_000);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.OnlySelf.selector, address(this)));
        gov.setParams(1, 1, 1, 1, 1, 1, 1);
    }

    function test_paramChange_revertsThawingTooShortAndBadTarget() public {
        bytes memory call = abi.encodeCall(Governance.setParams, (10 days, 10 days, 10 days, 2_000, 1, 1, 0));
        vm.prank(alice);
        uint256 id = gov.proposeParamChange(address(gov), call, "");
        _toVoting();
        vm.prank(alice);
        gov.castVote(id, true);
        _toReady(id);
        vm.expectRevert(abi.encodeWithSelector(IStaking.ThawingTooShort.selector, 14 days, 30 days));
        gov.execute(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernance.BadTarget.selector, address(0x1234)));
        gov.proposeParamChange(address(0x1234), "", "");
    }

    function test_paramChange_reachesStaking() public {
        vm.prank(alice);
        uint256 id = gov.proposeParamChange(address(staking), abi.encodeCall(staking.setMinStake, (5e18)), "");
        _pass(id);
        assertEq(staking.minStake(), 5e18);
    }

    function test_setRegulator_thenFreezeExpiresAndCooldown() public {
        vm.prank(alice);
        uint256 id = gov.proposeSetRegulator(dave, "bafkreireg");
        _pass(id);
        assertEq(regulator.regulator(), dave);
        uint256 dataId = _mintData(carol, 0, 0);
        vm.prank(dave);
        regulator.freeze(address(data), dataId, "bafkreiwhy");
        assertTrue(regulator.isFrozen(address(data), dataId));
        uint256 until = regulator.frozenUntil(address(data), dataId);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(IReg.AlreadyFrozen.selector, address(data), dataId, until));
        regulator.freeze(address(data), dataId, "again");
        vm.warp(until);
        assertEq(regulator.isFrozen(address(data), dataId), false);
        vm.prank(dave);
        vm.expectRevert(
            abi.encodeWithSelector(IReg.FreezeCooldown.selector, address(data), dataId, until + 7 days)
        );
        regulator.freeze(address(data), dataId, "again");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IReg.NotRegulator.selector, bob));
        regulator.freeze(address(data), 5, "x");
        vm.expectRevert(IGovernance.ZeroAddress.selector);
        gov.proposeSetRegulator(address(0), "");
    }

    function test_regulator_unfreezeAndDuration() public {
        vm.startPrank(address(gov));
        regulator.setRegulator(dave);
        regulator.setFreezeDuration(3 days);
        vm.expectRevert(abi.encodeWithSelector(IReg.BadDuration.selector, 31 days));
        regulator.setFreezeDuration(31 days);
        vm.stopPrank();
        vm.prank(dave);
        regulator.freeze(address(data), 1, "x");
        vm.prank(address(gov));
        regulator.unfreeze(address(data), 1);
        assertEq(regulator.isFrozen(address(data), 1), false);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(IReg.NotFrozen.selector, address(data), 1));
        regulator.unfreeze(address(data), 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IReg.NotRegulator.selector, bob));
        regulator.unfreeze(address(data), 1);
    }

    function test_attack_freezeDutyCycle_fails() public {
        vm.startPrank(address(gov));
        regulator.setRegulator(dave);
        regulator.setFreezeDuration(30 days);
        vm.stopPrank();
        uint256 start = block.timestamp;
        for (uint256 i; i < 2; ++i) {
            vm.prank(dave);
            regulator.freeze(address(data), 1, "x");
            vm.warp(block.timestamp + 60 days); // freeze + cooldown
        }
        vm.prank(dave);
        vm.expectRevert(
            abi.encodeWithSelector(IReg.FreezeBudgetExhausted.selector, address(data), 1, 60 days, start + 365 days)
        );
        regulator.freeze(address(data), 1, "x");
        // beyond the budget only a referendum freezes
        vm.prank(address(gov));
        regulator.freezeByReferendum(address(data), 1, block.timestamp + 90 days, "bafkreivote");
        assertTrue(regulator.isFrozen(address(data), 1));
        // a new window restores the regulator's budget
        vm.warp(start + 365 days);
        vm.prank(dave);
        regulator.freeze(address(data), 1, "x");
        (uint256 windowStart, uint256 used) = regulator.freezeBudgetOf(address(data), 1);
        assertEq(windowStart, start + 365 days);
        assertEq(used, 30 days);
    }

    function test_regulator_unfreezeRefundsBudget_andReferendumFreezeBounds() public {
        vm.startPrank(address(gov));
        regulator.setRegulator(dave);
        regulator.setFreezeDuration(30 days);
        vm.stopPrank();
        vm.prank(dave);
        regulator.freeze(address(data), 1, "x");
        vm.warp(block.timestamp + 10 days);
        vm.prank(dave);
        regulator.unfreeze(address(data), 1);
        (, uint256 used) = regulator.freezeBudgetOf(address(data), 1);
        assertEq(used, 10 days);
        vm.startPrank(address(gov));
        vm.expectRevert(abi.encodeWithSelector(IReg.BadDuration.selector, block.timestamp + 366 days));
        regulator.freezeByReferendum(address(data), 1, block.timestamp + 366 days, "x");
        vm.stopPrank();
        vm.prank(dave);
        vm.expectRevert();
        regulator.freezeByReferendum(address(data), 1, block.timestamp + 1 days, "x");
    }

    function testFuzz_vote_weightIsSnapshotStake(uint96 extra) public {
        uint256 id = _proposeSlashCarol();
        uint256 add = bound(extra, 1e18, 500e18);
        _fund(bob, add);
        vm.prank(bob);
        staking.stake(IStaking.Role.Curator, 0, add);
        _toVoting();
        vm.prank(bob);
        gov.castVote(id, true);
        assertEq(gov.proposalOf(id).forVotes, 300e18);
    }
}
