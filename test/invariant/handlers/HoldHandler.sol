// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../../utils/Test.sol";
import {CapToken} from "../../../contracts/token/CapToken.sol";
import {Staking} from "../../../contracts/staking/Staking.sol";
import {Governance} from "../../../contracts/governance/Governance.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";

/// @notice Griefers propose slashes of a victim's stake (new or repeated faults), vote, execute (slashes
/// pass), and time passes. The ghost adds up, from Staking alone, how far proposals pushed the victim's
/// hold beyond both now and its previous end, per Governance.HOLD_PERIOD, passed slashes included.
contract HoldHandler is Test {
    CapToken public token;
    Staking public staking;
    Governance public gov;
    address public constant VICTIM = address(0x51C7);
    address[] public griefers;
    uint256[] public proposals;

    mapping(uint256 period => uint256) public ghostHeld;
    uint256 public maxGhostHeld;

    constructor(CapToken t, Staking s, Governance g) {
        token = t;
        staking = s;
        gov = g;
        _join(VICTIM, 500e18);
        for (uint256 i; i < 3; ++i) {
            address a = griefer(i);
            griefers.push(a);
            _join(a, 200e18);
        }
        vm.prank(VICTIM);
        staking.requestUnstake(IStaking.Role.Curator, 0, 500e18); // a thawing stake: any hold bites
    }

    /// @dev `a` must hold `amount` plus deposits (the test funds it before deploying the handler).
    function _join(address a, uint256 amount) private {
        vm.startPrank(a);
        token.approve(address(staking), type(uint256).max);
        token.approve(address(gov), type(uint256).max);
        staking.stake(IStaking.Role.Curator, 0, amount);
        vm.stopPrank();
    }

    /// @dev The i-th griefer's address.
    function griefer(uint256 i) public pure returns (address) {
        return address(uint160(0x6000 + i));
    }

    function proposeSlash(uint256 seed, uint256 faultAgo) external {
        if (proposals.length >= 20) return;
        address a = griefers[seed % griefers.length];
        uint256 fault = block.timestamp - bound(faultAgo, 0, 5); // few faults: repeats are likely
        uint256 before = staking.positionOf(VICTIM, IStaking.Role.Curator, 0).heldUntil;
        vm.prank(a);
        try gov.proposeSlash(VICTIM, IStaking.Role.Curator, 0, 1e18, "bafkreigrief", fault) returns (uint256 id) {
            proposals.push(id);
            uint256 afterHold = staking.positionOf(VICTIM, IStaking.Role.Curator, 0).heldUntil;
            uint256 from = before > block.timestamp ? before : block.timestamp;
            uint256 period = block.timestamp / gov.HOLD_PERIOD();
            if (afterHold > from) ghostHeld[period] += afterHold - from;
            if (ghostHeld[period] > maxGhostHeld) maxGhostHeld = ghostHeld[period];
        } catch {}
    }

    function vote(uint256 pSeed, uint256 seed, bool support) external {
        if (proposals.length == 0) return;
        vm.prank(griefers[seed % griefers.length]);
        try gov.castVote(proposals[pSeed % proposals.length], support) {} catch {}
    }

    function execute(uint256 pSeed) external {
        if (proposals.length == 0) return;
        uint256 id = proposals[pSeed % proposals.length];
        try gov.execute(id) {} catch {}
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1 hours, 10 days));
    }
}
