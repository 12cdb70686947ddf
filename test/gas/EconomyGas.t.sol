// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";

/// @notice Gas of the hot paths; all set-up happens in setUp so each test measures one call.
contract EconomyGasTest is EconBase {
    address voter = address(0x707E);
    address newStaker = address(0x5A4E);
    uint256 proposalId;
    uint256 job10;
    uint256 job50;
    uint256 jobUpdate;
    uint256 jobAggregate;

    function setUp() public {
        _deployEconomy();
        _stake(voter, 100e18);
        _fund(voter, 1_000e18);
        _fund(newStaker, 100e18);
        vm.warp(block.timestamp + 1);
        vm.prank(voter);
        proposalId = gov.proposeSlash(voter, IStaking.Role.Curator, 0, 1e18, "e", block.timestamp);

        (job10,) = _openJob(10, 1, 1_000e18);
        _start(job10);
        _runRound(job10, 1, 10);

        (job50,) = _openJob(50, 1, 1_000e18);
        _start(job50);
        _runRound(job50, 1, 50);

        (jobAggregate,) = _openJob(3, 1, 1_000e18);
        _start(jobAggregate);
        for (uint256 i; i < 3; ++i) {
            vm.prank(_owner(i));
            jobs.submitUpdate(jobAggregate, 1, keccak256(abi.encode(i)), "bafkreiupdate", 100);
        }

        (jobUpdate,) = _openJob(3, 1, 1_000e18);
        _start(jobUpdate);

        vm.warp(block.timestamp + 1 days); // challenge windows over, vote open, round still open
    }

    function test_gas_stake() public {
        vm.prank(newStaker);
        staking.stake(IStaking.Role.Curator, 0, 100e18);
    }

    function test_gas_vote() public {
        vm.prank(voter);
        gov.castVote(proposalId, true);
    }

    function test_gas_submitUpdate() public {
        vm.prank(_owner(1));
        jobs.submitUpdate(jobUpdate, 1, keccak256("u"), "bafkreiupdate", 100);
    }

    function test_gas_submitAggregate() public {
        vm.prank(_owner(0));
        jobs.submitAggregate(jobAggregate, 1, keccak256("agg"), "bafkreiagg", 7, _noReasons());
    }

    function test_gas_finalize_10participants() public {
        vm.prank(trainer);
        jobs.finalize(job10, "bafkreiweights", keccak256("m"), "bafkreimodel");
    }

    function test_gas_finalize_50participants() public {
        vm.prank(trainer);
        jobs.finalize(job50, "bafkreiweights", keccak256("m"), "bafkreimodel");
    }
}
