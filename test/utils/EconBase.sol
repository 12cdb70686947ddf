// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Suite} from "./Suite.sol";
import {CapToken} from "../../contracts/token/CapToken.sol";
import {DataNFT} from "../../contracts/assets/DataNFT.sol";
import {PortfolioNFT} from "../../contracts/assets/PortfolioNFT.sol";
import {ModelNFT} from "../../contracts/assets/ModelNFT.sol";
import {Staking} from "../../contracts/staking/Staking.sol";
import {Rewards} from "../../contracts/staking/Rewards.sol";
import {Governance} from "../../contracts/governance/Governance.sol";
import {Regulator} from "../../contracts/governance/Regulator.sol";
import {JobMarket} from "../../contracts/market/JobMarket.sol";
import {SecureAggregation} from "../../contracts/market/SecureAggregation.sol";
import {PossessionChallenges} from "../../contracts/proofs/PossessionChallenges.sol";
import {PossessionVerifier} from "../../contracts/proofs/PossessionVerifier.sol";
import {IPossessionVerifier} from "../../contracts/interfaces/IPossessionVerifier.sol";
import {IDataNFT} from "../../contracts/interfaces/IDataNFT.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {IRewards} from "../../contracts/interfaces/IRewards.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";
import {IFreezeRegistry} from "../../contracts/interfaces/IFreezeRegistry.sol";
import {IGovernanceClock} from "../../contracts/interfaces/IGovernanceClock.sol";

/// @notice Deploys the economy (real CapToken and NFTs) and wires the roles as the deploy script must.
abstract contract EconBase is Suite {
    CapToken internal token;
    DataNFT internal data;
    PortfolioNFT internal portfolios;
    ModelNFT internal models;
    Staking internal staking;
    Rewards internal rewards;
    Regulator internal regulator;
    Governance internal gov;
    JobMarket internal jobs;
    SecureAggregation internal sa;
    PossessionChallenges internal challenges;

    address internal admin = address(0xAD);
    address internal treasury = address(0x7EA);
    address internal trainer = address(0x7A1);
    address internal curator = address(0xC0);
    address internal modelMarket = address(0x3A);

    uint64 internal constant DEFAULT_LEAVES = 1_000;
    uint256 private _salt;

    function assertEq(uint256 a, uint256 b) internal pure {
        vm.assertEq(a, b);
    }

    function assertEq(address a, address b) internal pure {
        vm.assertEq(a, b);
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        vm.assertEq(a, b);
    }

    function assertEq(bool a, bool b) internal pure {
        vm.assertEq(a, b);
    }

    function assertTrue(bool c) internal pure {
        vm.assertTrue(c);
    }

    function assertLe(uint256 a, uint256 b) internal pure {
        vm.assertLe(a, b);
    }

    function assertGe(uint256 a, uint256 b) internal pure {
        vm.assertGe(a, b);
    }

    /// @dev The suite as `datacap deploy --keep-admin` wires it (orchestrator/suite.json), plus test-only
    /// roles: `admin` mints CAP, the treasury funds rewards, `modelMarket` reports uses to Rewards.
    function _deployEconomy() internal {
        vm.warp(100_000_000);
        vm.roll(100);
        _deploySuite(admin, treasury, true);
        token = CapToken(suiteAddress("CapToken"));
        data = DataNFT(suiteAddress("DataNFT"));
        portfolios = PortfolioNFT(suiteAddress("PortfolioNFT"));
        models = ModelNFT(suiteAddress("ModelNFT"));
        staking = Staking(suiteAddress("Staking"));
        rewards = Rewards(suiteAddress("Rewards"));
        regulator = Regulator(suiteAddress("Regulator"));
        gov = Governance(suiteAddress("Governance"));
        jobs = JobMarket(suiteAddress("JobMarket"));
        sa = SecureAggregation(suiteAddress("SecureAggregation"));
        challenges = PossessionChallenges(suiteAddress("PossessionChallenges"));

        vm.startPrank(admin);
        token.grantRole(token.MINTER_ROLE(), admin);
        rewards.grantRole(rewards.FUNDER_ROLE(), treasury);
        rewards.grantRole(rewards.MODEL_MARKET_ROLE(), modelMarket);
        vm.stopPrank();
    }

    function _noReasons() internal pure returns (IJobMarket.ExclusionReason[] memory) {
        return new IJobMarket.ExclusionReason[](0);
    }

    function _mint(address to, uint256 amount) internal {
        vm.prank(admin);
        token.mint(to, amount);
    }

    /// @dev Mints and approves every economy contract.
    function _fund(address who, uint256 amount) internal {
        _mint(who, amount);
        vm.startPrank(who);
        token.approve(address(staking), type(uint256).max);
        token.approve(address(rewards), type(uint256).max);
        token.approve(address(gov), type(uint256).max);
        token.approve(address(jobs), type(uint256).max);
        token.approve(address(challenges), type(uint256).max);
        vm.stopPrank();
    }

    function _stake(address who, uint256 amount) internal {
        _fund(who, amount);
        vm.prank(who);
        staking.stake(IStaking.Role.Curator, 0, amount);
    }

    function _owner(uint256 i) internal pure returns (address) {
        return address(uint160(0xD000 + i));
    }

    /// @dev A $Data of `leafCount` records (0: DEFAULT_LEAVES) under `commitment` (0: a fresh one).
    function _mintData(address owner, bytes32 commitment, uint64 leafCount) internal returns (uint256 id) {
        _salt++;
        if (commitment == 0) commitment = keccak256(abi.encode("dataset", _salt));
        if (leafCount == 0) leafCount = DEFAULT_LEAVES;
        vm.prank(owner);
        id = data.mint(commitment, leafCount, keccak256(abi.encode("metadata", _salt)), IDataNFT.License(1e18));
    }

    /// @dev n datasets owned by _owner(0.._n-1), equal weights with the remainder on the first.
    function _portfolio(uint256 n) internal returns (uint256 pid, uint256[] memory ids) {
        ids = new uint256[](n);
        uint16[] memory weights = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _mintData(_owner(i), 0, 0);
            weights[i] = uint16(10_000 / n);
        }
        weights[0] += uint16(10_000 % n);
        vm.prank(curator);
        pid = portfolios.create(ids, weights, "bafkreiportfolio");
    }

    /// @dev A job on a new n-dataset portfolio, approved by its curator, all n owners joined, owner 0 the
    /// aggregator: Open.
    function _openJob(uint256 n, uint32 rounds, uint128 budget) internal returns (uint256 jobId, uint256[] memory ids) {
        uint256 pid;
        (pid, ids) = _portfolio(n);
        _fund(trainer, budget);
        vm.prank(trainer);
        jobId = jobs.createJob(
            pid, "bafkreispec", "bafkreihe", rounds, uint16(n), uint64(block.timestamp + 1 days), 1 days, budget, 1_000
        );
        vm.prank(curator);
        jobs.approveJob(jobId);
        for (uint256 i; i < n; ++i) {
            _fund(_owner(i), 1_000e18);
            vm.prank(_owner(i));
            jobs.join(jobId, ids[i]);
        }
        vm.prank(_owner(0));
        jobs.volunteer(jobId);
        vm.prank(trainer);
        jobs.selectAggregator(jobId, _owner(0));
    }

    /// @dev Every participant of `jobId` commits keys (one per round) and a share root, and the trainer seals
    /// them: what round 1 needs. The values are placeholders; test/market/SecureAggregation.t.sol checks them.
    function _seal(uint256 jobId) internal {
        IJobMarket.Job memory j = jobs.jobOf(jobId);
        bytes32[] memory keys = new bytes32[](j.rounds);
        for (uint256 r; r < keys.length; ++r) {
            keys[r] = bytes32(r + 1);
        }
        for (uint256 i; i < j.participantCount; ++i) {
            vm.prank(jobs.participantAt(jobId, i));
            sa.commitKeys(jobId, bytes32(i + 1), keys, keys);
        }
        vm.prank(j.trainer);
        sa.closeKeys(jobId);
        for (uint256 i; i < j.participantCount; ++i) {
            vm.prank(jobs.participantAt(jobId, i));
            sa.commitShares(jobId, bytes32(i + 1), "bafkreibundle", bytes32(i + 1));
        }
        vm.prank(j.trainer);
        sa.seal(jobId);
    }

    /// @dev Seals the members and starts round 1 as the trainer.
    function _start(uint256 jobId) internal {
        _seal(jobId);
        vm.prank(trainer);
        jobs.startRound(jobId, 1, "g");
    }

    /// @dev Runs the current round: everyone submits `samples`, the aggregator aggregates all.
    function _runRound(uint256 jobId, uint256 round, uint256 n) internal {
        for (uint256 i; i < n; ++i) {
            vm.prank(_owner(i));
            jobs.submitUpdate(jobId, round, keccak256(abi.encode(jobId, round, i)), "bafkreiupdate", 100);
        }
        vm.prank(_owner(0));
        jobs.submitAggregate(
            jobId, round, keccak256(abi.encode("agg", jobId, round)), "bafkreiagg", (1 << n) - 1, _noReasons()
        );
    }
}
