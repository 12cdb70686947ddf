// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../../utils/Test.sol";
import {CapToken} from "../../../contracts/token/CapToken.sol";
import {Staking} from "../../../contracts/staking/Staking.sol";
import {Governance} from "../../../contracts/governance/Governance.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";

/// @notice Opens referenda, votes (including repeat votes), and moves stake around snapshots.
contract GovernanceHandler is Test {
    CapToken public token;
    Staking public staking;
    Governance public gov;
    address[] public actors;
    uint256[] public proposals;

    uint256 public doubleVotesAccepted;
    uint256 public lateStakeVotesAccepted;
    mapping(uint256 => uint256) public ghostWeight;
    mapping(uint256 => mapping(address => bool)) public ghostVoted;

    constructor(CapToken t, Staking s, Governance g) {
        token = t;
        staking = s;
        gov = g;
        for (uint256 i; i < 5; ++i) {
            address a = address(uint160(0xB000 + i));
            actors.push(a);
            vm.startPrank(a);
            token.approve(address(staking), type(uint256).max);
            token.approve(address(gov), type(uint256).max);
            vm.stopPrank();
        }
    }

    function proposalCount() external view returns (uint256) {
        return proposals.length;
    }

    function stake(uint256 seed, uint256 amount) external {
        address a = actors[seed % actors.length];
        amount = bound(amount, 1e18, 1_000e18);
        token.mint(a, amount);
        vm.prank(a);
        staking.stake(IStaking.Role.Curator, 0, amount);
    }

    function unstake(uint256 seed) external {
        address a = actors[seed % actors.length];
        uint256 active = staking.positionOf(a, IStaking.Role.Curator, 0).active;
        if (active == 0) return;
        vm.prank(a);
        staking.requestUnstake(IStaking.Role.Curator, 0, active);
    }

    function propose(uint256 seed) external {
        if (proposals.length >= 8) return;
        address a = actors[seed % actors.length];
        token.mint(a, gov.proposalDeposit());
        vm.prank(a);
        proposals.push(gov.proposeSetRegulator(a, "r"));
    }

    function vote(uint256 pSeed, uint256 seed, bool support) external {
        if (proposals.length == 0) return;
        uint256 id = proposals[pSeed % proposals.length];
        address a = actors[seed % actors.length];
        uint256 weight;
        (bool ok,) = address(this).call(abi.encodeCall(this.pastStake, (a, gov.proposalOf(id).snapshot)));
        if (ok) weight = staking.getPastStake(a, gov.proposalOf(id).snapshot);
        vm.prank(a);
        try gov.castVote(id, support) {
            if (ghostVoted[id][a]) doubleVotesAccepted++;
            if (weight == 0) lateStakeVotesAccepted++;
            ghostVoted[id][a] = true;
            ghostWeight[id] += weight;
        } catch {}
    }

    function pastStake(address a, uint256 t) external view returns (uint256) {
        return staking.getPastStake(a, t);
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 2 days));
    }
}
