// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {JobMarketHandler} from "./handlers/JobMarketHandler.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";

/// @notice Escrow safety and fairness of JobMarket over whole job lifecycles.
contract JobMarketInvariants is EconBase {
    JobMarketHandler handler;

    function setUp() public {
        _deployEconomy();
        address arbiter = address(0xA4B);
        handler = new JobMarketHandler(token, data, portfolios, jobs, arbiter);
        vm.startPrank(admin);
        token.grantRole(token.MINTER_ROLE(), address(handler));
        jobs.grantRole(jobs.ARBITER_ROLE(), arbiter);
        jobs.setDependencies(rewards, regulator, treasury);
        vm.stopPrank();
        targetContract(address(handler));
    }

    function invariant_jobMarketHoldsExactlyItsEscrow() public view {
        assertEq(token.balanceOf(address(jobs)), jobs.totalEscrowed());
    }

    function invariant_jobPayoutsNeverExceedEscrow() public view {
        for (uint256 i; i < handler.jobCount(); ++i) {
            IJobMarket.Job memory j = jobs.jobOf(handler.jobIds(i));
            assertLe(j.paid, j.budget);
            assertLe(j.ownersPaid, j.ownersPool);
            if (j.claimants == j.participantCount && j.status == IJobMarket.Status.Finalized) {
                assertEq(j.paid, j.budget);
            }
        }
    }

    function invariant_oneResultPerJobRound() public view {
        assertEq(handler.duplicateResults(), 0);
        for (uint256 i; i < handler.jobCount(); ++i) {
            uint256 id = handler.jobIds(i);
            for (uint256 r = 1; r <= 3; ++r) assertLe(handler.resultsPerRound(id, r), 1);
        }
    }

    function invariant_aggregatesIncludeAtLeastTwoUpdates() public view {
        assertEq(handler.thinAggregates(), 0);
        for (uint256 i; i < handler.jobCount(); ++i) {
            uint256 id = handler.jobIds(i);
            for (uint256 r = 1; r <= 3; ++r) {
                IJobMarket.Round memory round = jobs.roundOf(id, r);
                if (round.aggregateHash == 0) continue;
                uint256 n;
                for (uint256 x = round.includedBits; x != 0; x >>= 1) n += x & 1;
                assertGe(n, jobs.MIN_AGGREGATE());
            }
        }
    }

    function invariant_tokenConservation_jobMarket() public view {
        uint256 sum = token.balanceOf(address(jobs)) + token.balanceOf(handler.trainer())
            + token.balanceOf(handler.disputer()) + token.balanceOf(treasury) + token.balanceOf(address(rewards));
        for (uint256 i; i < handler.ownerCount(); ++i) sum += token.balanceOf(handler.owners(i));
        assertEq(sum, handler.ghostMinted());
    }

    /// @notice Fairness: an owner's share never exceeds its bounded contribution, its curator weight per update
    /// (neither inflated samples nor a huge declared dataset gains anything).
    function invariant_shareNeverExceedsBoundedContribution() public view {
        assertEq(handler.sharesAboveBound(), 0);
    }

    /// @notice Fairness: an owner whose update every aggregated round included is paid something.
    function invariant_fullContributorsArePaid() public view {
        assertEq(handler.unpaidFullContributors(), 0);
    }

    function invariant_portfolioWeightsSumTo10000() public view {
        for (uint256 pid = 1; pid <= portfolios.totalMinted(); ++pid) {
            (, uint16[] memory w) = portfolios.compositionOf(pid);
            uint256 sum;
            for (uint256 k; k < w.length; ++k) sum += w[k];
            assertEq(sum, 10_000);
        }
    }
}
