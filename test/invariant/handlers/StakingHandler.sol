// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../../utils/Test.sol";
import {CapToken} from "../../../contracts/token/CapToken.sol";
import {Staking} from "../../../contracts/staking/Staking.sol";
import {Rewards} from "../../../contracts/staking/Rewards.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";

/// @notice Drives Staking and Rewards with a few actors; the slasher stands in for Governance.
contract StakingHandler is Test {
    CapToken public token;
    Staking public staking;
    Rewards public rewards;
    address public slasher;
    address public treasury;
    address public beneficiary = address(0xBE4E);
    address[] public actors;

    uint256 public ghostMinted;
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostSlashed;
    uint256 public thawingSlashFailures;
    uint256 public ghostBonusCredited;
    uint256 public ghostBonusClaimed;
    uint256 public ghostBaseClaimed;
    mapping(address => uint256) public depositedBy;
    mapping(address => uint256) public withdrawnBy;
    mapping(address => uint256) public slashedFrom;
    mapping(address => uint256) public creditedTo;
    mapping(address => uint256) public bonusClaimedBy;

    constructor(CapToken token_, Staking staking_, Rewards rewards_, address slasher_, address treasury_) {
        token = token_;
        staking = staking_;
        rewards = rewards_;
        slasher = slasher_;
        treasury = treasury_;
        for (uint256 i; i < 4; ++i) {
            address a = address(uint160(0xA000 + i));
            actors.push(a);
            vm.prank(a);
            token.approve(address(staking), type(uint256).max);
        }
        vm.prank(treasury);
        token.approve(address(rewards), type(uint256).max);
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % actors.length];
    }

    function _mint(address to, uint256 amount) private {
        token.mint(to, amount);
        ghostMinted += amount;
    }

    function stake(uint256 seed, uint256 amount) external {
        address a = _actor(seed);
        amount = bound(amount, 1e18, 1_000e18);
        _mint(a, amount);
        vm.prank(a);
        staking.stake(IStaking.Role.Curator, 0, amount);
        ghostDeposited += amount;
        depositedBy[a] += amount;
    }

    function requestUnstake(uint256 seed, uint256 amount) external {
        address a = _actor(seed);
        uint256 active = staking.positionOf(a, IStaking.Role.Curator, 0).active;
        if (active == 0) return;
        amount = bound(amount, 1, active);
        uint256 left = active - amount;
        if (left != 0 && left < staking.minStake()) amount = active;
        vm.prank(a);
        staking.requestUnstake(IStaking.Role.Curator, 0, amount);
    }

    function withdraw(uint256 seed) external {
        address a = _actor(seed);
        IStaking.Position memory p = staking.positionOf(a, IStaking.Role.Curator, 0);
        if (p.thawing == 0 || block.timestamp < p.thawEnd) return;
        vm.prank(a);
        uint256 out = staking.withdraw(IStaking.Role.Curator, 0);
        ghostWithdrawn += out;
        withdrawnBy[a] += out;
    }

    function slash(uint256 seed, uint256 amount, uint256 bps) external {
        address a = _actor(seed);
        IStaking.Position memory p = staking.positionOf(a, IStaking.Role.Curator, 0);
        amount = bound(amount, 1, 2_000e18);
        vm.prank(slasher);
        uint256 s = staking.slash(a, IStaking.Role.Curator, 0, amount, beneficiary, bound(bps, 0, 5_000));
        if (p.thawing != 0 && s < (amount < uint256(p.active) + p.thawing ? amount : uint256(p.active) + p.thawing)) {
            thawingSlashFailures++;
        }
        if (p.thawing != 0 && s == 0) thawingSlashFailures++;
        ghostSlashed += s;
        slashedFrom[a] += s;
    }

    function notify(uint256 amount) external {
        amount = bound(amount, 1_000e18, 100_000e18);
        _mint(treasury, amount);
        vm.prank(treasury);
        rewards.notifyRewardAmount(amount);
    }

    function creditBonus(uint256 seed, uint256 fund, uint256 amount) external {
        fund = bound(fund, 0, 100e18);
        if (fund != 0) {
            _mint(treasury, fund);
            vm.prank(treasury);
            rewards.fundBonus(fund);
        }
        address a = _actor(seed);
        uint256 c = rewards.creditTrainingBonus(a, bound(amount, 0, 200e18));
        ghostBonusCredited += c;
        creditedTo[a] += c;
    }

    function claim(uint256 seed) external {
        address a = _actor(seed);
        vm.prank(a);
        try rewards.claim() returns (uint256 base, uint256 bonus) {
            ghostBaseClaimed += base;
            ghostBonusClaimed += bonus;
            bonusClaimedBy[a] += bonus;
        } catch {}
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 10 days));
    }
}
