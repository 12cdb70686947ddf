// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IJobMarket} from "../../contracts/interfaces/IJobMarket.sol";

/// @notice The suite with a funded training-bonus pool, and the helpers JobMarket's tests share.
abstract contract JobMarketBase is EconBase {
    uint128 constant BUDGET = 1_000e18;

    function setUp() public {
        _deployEconomy();
        _fund(treasury, 1_000e18);
        vm.prank(treasury);
        rewards.fundBonus(1_000e18);
    }

    function _reasons(IJobMarket.ExclusionReason r) internal pure returns (IJobMarket.ExclusionReason[] memory a) {
        a = new IJobMarket.ExclusionReason[](1);
        a[0] = r;
    }
}
