// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../../utils/Test.sol";
import {CapToken} from "../../../contracts/token/CapToken.sol";
import {DataNFT} from "../../../contracts/assets/DataNFT.sol";
import {PortfolioNFT} from "../../../contracts/assets/PortfolioNFT.sol";
import {JobMarket} from "../../../contracts/market/JobMarket.sol";
import {SecureAggregation} from "../../../contracts/market/SecureAggregation.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IDataNFT} from "../../../contracts/interfaces/IDataNFT.sol";

/// @notice Drives whole jobs (create, join, rounds, disputes, endings, claims) with four data owners, and keeps
/// the ghosts the fairness invariants need: each owner's bounded contribution (its curator weight per update it
/// committed, whatever samples and records it declared) and the claims of owners whose updates every round
/// included.
contract JobMarketHandler is Test {
    CapToken public token;
    DataNFT public data;
    PortfolioNFT public portfolios;
    JobMarket public jobs;
    address public arbiter;
    address public trainer = address(0x7A1);
    address public disputer = address(0xD15);
    address[] public owners;
    uint256[] public jobIds;
    mapping(uint256 => uint256[]) internal _dataOf;

    uint256 public ghostMinted;
    uint256 public duplicateResults;
    /// @dev Aggregates accepted with fewer than MIN_AGGREGATE included updates (must stay 0).
    uint256 public thinAggregates;
    mapping(uint256 => mapping(uint256 => uint256)) public resultsPerRound;
    /// @dev Claims whose share exceeded ownersPool x boundedContribution / totalContribution (must stay 0).
    uint256 public sharesAboveBound;
    /// @dev Claims paying 0 to an owner whose update every aggregated round included (must stay 0).
    uint256 public unpaidFullContributors;
    /// @dev Claims checked by the two counters above (the invariants are not vacuous when > 0).
    uint256 public fairnessChecks;
    mapping(uint256 jobId => mapping(address owner => uint256)) public boundedContribution;
    /// @dev Jobs whose last aggregate an upheld dispute voided (their aggregator forfeits that round).
    mapping(uint256 jobId => bool) public voided;
    uint256 private _salt;

    constructor(CapToken t, DataNFT d, PortfolioNFT p, JobMarket j, address arbiter_) {
        token = t;
        data = d;
        portfolios = p;
        jobs = j;
        arbiter = arbiter_;
        for (uint256 i; i < 4; ++i) owners.push(address(uint160(0xD000 + i)));
        for (uint256 i; i < 4; ++i) _approve(owners[i]);
        _approve(trainer);
        _approve(disputer);
    }

    function _approve(address a) private {
        vm.prank(a);
        token.approve(address(jobs), type(uint256).max);
    }

    function _mint(address to, uint256 amount) private {
        token.mint(to, amount);
        ghostMinted += amount;
    }

    function jobCount() external view returns (uint256) {
        return jobIds.length;
    }

    function ownerCount() external view returns (uint256) {
        return owners.length;
    }

    function _job(uint256 seed) private view returns (uint256) {
        return jobIds[seed % jobIds.length];
    }

    function createJob(uint256 minP, uint256 rounds, uint256 budget, uint256 fee) external {
        if (jobIds.length >= 6) return;
        uint256[] memory ids = new uint256[](4);
        uint16[] memory w = new uint16[](4);
        for (uint256 i; i < 4; ++i) {
            _salt++;
            vm.prank(owners[i]);
            ids[i] = data.mint(
                keccak256(abi.encode(_salt)), uint64(bound(uint256(keccak256(abi.encode(_salt, rounds))), 1, 1e6)),
                keccak256("d"), IDataNFT.License(0)
            );
            w[i] = 2_500;
        }
        w[0] = uint16(bound(minP, 100, 4_900));
        w[1] = uint16(10_000 - w[0] - w[2] - w[3]);
        if (w[1] == 0) return;
        vm.prank(owners[0]);
        uint256 pid = portfolios.create(ids, w, "p");
        budget = bound(budget, 1e12, 1e24); // pools large enough that a full contributor's share never rounds to 0
        _mint(trainer, budget);
        vm.prank(trainer);
        uint256 id = jobs.createJob(
            pid, "s", "h", uint32(bound(rounds, 1, 3)), uint16(bound(minP, 2, 4)), uint64(block.timestamp + 2 days),
            1 days, uint128(budget), uint16(bound(fee, 0, 9_000))
        );
        vm.prank(owners[0]); // the curator
        jobs.approveJob(id);
        jobIds.push(id);
        _dataOf[id] = ids;
    }

    function join(uint256 jobSeed, uint256 ownerSeed) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        uint256 k = ownerSeed % 4;
        _mint(owners[k], 100e18);
        vm.prank(owners[k]);
        try jobs.join(id, _dataOf[id][k]) {} catch {}
    }

    function volunteerAndSelect(uint256 jobSeed, uint256 ownerSeed) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        address o = owners[ownerSeed % 4];
        _mint(o, 100e18);
        vm.prank(o);
        try jobs.volunteer(id) {} catch {}
        vm.prank(trainer);
        try jobs.selectAggregator(id, o) {} catch {}
    }

    function startOrAdvance(uint256 jobSeed) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        uint256 current = jobs.jobOf(id).currentRound;
        if (current == 0) _seal(id);
        vm.prank(trainer);
        try jobs.startRound(id, current + 1, "g") {} catch {}
    }

    /// @dev Every owner joined so far commits keys and a share root, and the trainer seals (if still possible).
    function _seal(uint256 id) private {
        SecureAggregation sa = SecureAggregation(address(jobs.secureAggregation()));
        IJobMarket.Job memory j = jobs.jobOf(id);
        if (sa.isSealed(id)) return;
        bytes32[] memory keys = new bytes32[](j.rounds);
        for (uint256 r; r < keys.length; ++r) {
            keys[r] = bytes32(r + 1);
        }
        for (uint256 i; i < j.participantCount; ++i) {
            vm.prank(jobs.participantAt(id, i));
            try sa.commitKeys(id, bytes32(i + 1), keys, keys) {} catch {}
        }
        vm.prank(trainer);
        try sa.closeKeys(id) {} catch {}
        for (uint256 i; i < j.participantCount; ++i) {
            vm.prank(jobs.participantAt(id, i));
            try sa.commitShares(id, bytes32(i + 1), "b", bytes32(i + 1)) {} catch {}
        }
        vm.prank(trainer);
        try sa.seal(id) {} catch {}
    }

    function submitUpdate(uint256 jobSeed, uint256 ownerSeed, uint64 samples) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        IJobMarket.Job memory j = jobs.jobOf(id);
        address o = owners[ownerSeed % 4];
        vm.prank(o);
        try jobs.submitUpdate(
            id, j.currentRound, keccak256(abi.encode(id, j.currentRound, o)), "u", uint64(bound(samples, 1, 2e6))
        ) {
            IJobMarket.Participant memory p = jobs.participantOf(id, o);
            boundedContribution[id][o] += uint256(p.weightBps) * jobs.CONTRIBUTION_UNIT();
        } catch {}
    }

    function submitAggregate(uint256 jobSeed, uint256 bits) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        IJobMarket.Job memory j = jobs.jobOf(id);
        uint256 r = j.currentRound;
        uint256 submitted = jobs.roundOf(id, r).submittedBits;
        uint256 included = bits & submitted;
        IJobMarket.ExclusionReason[] memory reasons = new IJobMarket.ExclusionReason[](_popcount(submitted & ~included));
        for (uint256 k; k < reasons.length; ++k) reasons[k] = IJobMarket.ExclusionReason(1 + (bits >> k) % 3);
        vm.prank(j.aggregator);
        try jobs.submitAggregate(id, r, keccak256("a"), "a", included, reasons) {
            resultsPerRound[id][r]++;
            if (_popcount(included) < jobs.MIN_AGGREGATE()) thinAggregates++;
            vm.prank(j.aggregator);
            try jobs.submitAggregate(id, r, keccak256("b"), "b", included, reasons) {
                duplicateResults++;
            } catch {}
        } catch {}
    }

    function _popcount(uint256 x) private pure returns (uint256 n) {
        for (; x != 0; x >>= 1) n += x & 1;
    }

    /// @dev ruling % 3: 0 rejected, 1 upheld, 2 left pending (resolved later, or timed out after 30 days).
    function dispute(uint256 jobSeed, uint8 ruling) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        _mint(disputer, 10e18);
        vm.prank(disputer);
        try jobs.raiseDispute(id, jobs.jobOf(id).currentRound, "e") {
            if (ruling % 3 != 2) _resolve(id, ruling % 3 == 1);
        } catch {}
    }

    function resolveLate(uint256 jobSeed, bool upheld) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        if (jobs.jobOf(id).disputed) _resolve(id, upheld);
    }

    function _resolve(uint256 id, bool upheld) private {
        vm.prank(arbiter);
        jobs.resolveDispute(id, upheld);
        if (upheld) voided[id] = true;
    }

    /// @dev Past the arbitration period of any pending dispute.
    function warpPastArbitration() external {
        vm.warp(block.timestamp + 31 days);
    }

    function finalize(uint256 jobSeed) external {
        if (jobIds.length == 0) return;
        vm.prank(trainer);
        try jobs.finalize(_job(jobSeed), "w", keccak256("m"), "m") {} catch {}
    }

    function timeoutOrCancel(uint256 jobSeed, bool cancel) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        if (cancel) {
            vm.prank(trainer);
            try jobs.cancel(id) {} catch {}
        } else {
            try jobs.timeout(id) {} catch {}
        }
    }

    function claim(uint256 jobSeed, uint256 ownerSeed) external {
        if (jobIds.length == 0) return;
        uint256 id = _job(jobSeed);
        address o = owners[ownerSeed % 4];
        vm.prank(o);
        try jobs.claimPayout(id) returns (uint256 share, uint256) {
            _checkFairness(id, o, share);
        } catch {}
    }

    /// @dev Against the job as it ended: the share is bounded by the owner's weight per update, and an owner
    /// included in every aggregated round (at least one) is paid, unless it aggregated a round an upheld
    /// dispute voided.
    function _checkFairness(uint256 id, address o, uint256 share) private {
        IJobMarket.Job memory j = jobs.jobOf(id);
        if (j.status == IJobMarket.Status.Cancelled || j.totalContribution == 0) return;
        fairnessChecks++;
        if (share * j.totalContribution > uint256(j.ownersPool) * boundedContribution[id][o]) sharesAboveBound++;
        if (voided[id] && o == j.aggregator) return;
        uint256 bit = 1 << jobs.participantOf(id, o).index;
        uint256 aggregated;
        for (uint256 r = 1; r <= j.currentRound; ++r) {
            IJobMarket.Round memory round = jobs.roundOf(id, r);
            if (round.aggregateHash == 0) continue;
            if (round.includedBits & bit == 0) return;
            aggregated++;
        }
        if (aggregated != 0 && share == 0) unpaidFullContributors++;
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1 hours, 3 days));
    }
}
