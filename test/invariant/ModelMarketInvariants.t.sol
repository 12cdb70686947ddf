// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetsBase} from "../utils/AssetsBase.sol";
import {ModelMarketHandler} from "./handlers/ModelMarketHandler.sol";

/// @notice Token conservation of ModelMarket: what it holds is exactly what it owes, up to rounding dust.
contract ModelMarketInvariants is AssetsBase {
    ModelMarketHandler handler;

    function setUp() public {
        _deploy();
        handler = new ModelMarketHandler(token, data, portfolios, models, market, admin, treasury);
        vm.startPrank(admin);
        models.grantRole(models.MINTER_ROLE(), admin);
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// @dev balance == owed balances + unclaimed data shares + dust, dust < number of datasets; and the
    /// balance is exactly what was paid in minus what went out.
    function invariant_modelMarket_conservation() public view {
        uint256 balance = token.balanceOf(address(market));
        vm.assertEq(balance, handler.ghostPaid() - handler.ghostOut());
        uint256 owed;
        for (uint256 i; i < handler.payeeCount(); ++i) owed += market.owedOf(handler.payees(i));
        uint256 unclaimed;
        uint256 datasets;
        for (uint256 k; k < handler.portfolioCount(); ++k) {
            uint256 pid = handler.portfolioIds(k);
            uint256[] memory ids = handler.dataOf(pid);
            datasets += ids.length;
            uint256 assigned;
            for (uint256 i; i < ids.length; ++i) {
                uint256 c = market.claimable(pid, ids[i]);
                unclaimed += c;
                assigned += c + handler.ghostClaimed(pid, ids[i]);
            }
            // per portfolio: the unassigned part of its data shares is below its number of datasets
            uint256 shares = handler.ghostDataShare(pid);
            vm.assertLe(assigned, shares);
            vm.assertLt(shares - assigned, ids.length);
        }
        vm.assertGe(balance, owed + unclaimed);
        vm.assertLt(balance - owed - unclaimed, datasets == 0 ? 1 : datasets);
    }

    /// @dev Nobody gets more than it was credited: payees by owed credit, (portfolio, $Data) pairs and
    /// data owners by weight x cumulative data share; balances are exactly what was paid out.
    function invariant_modelMarket_claimsNeverExceedCredit() public view {
        for (uint256 i; i < handler.payeeCount(); ++i) {
            address a = handler.payees(i);
            uint256 credited = handler.ghostCredited(a);
            uint256 withdrawn = handler.ghostWithdrawn(a);
            vm.assertLe(withdrawn, credited);
            vm.assertEq(market.owedOf(a), credited - withdrawn);
            vm.assertEq(token.balanceOf(a), withdrawn);
        }
        uint256 owners = handler.dataOwnerCount();
        uint256[] memory ownerCredit = new uint256[](owners);
        for (uint256 k; k < handler.portfolioCount(); ++k) {
            uint256 pid = handler.portfolioIds(k);
            uint256[] memory ids = handler.dataOf(pid);
            for (uint256 i; i < ids.length; ++i) {
                uint256 entitled = handler.entitled(pid, ids[i]);
                uint256 claimed = handler.ghostClaimed(pid, ids[i]);
                vm.assertLe(claimed, entitled);
                vm.assertEq(market.claimable(pid, ids[i]), entitled - claimed);
                address o = handler.ownerOfData(ids[i]);
                for (uint256 j; j < owners; ++j) {
                    if (handler.dataOwners(j) == o) ownerCredit[j] += entitled;
                }
            }
        }
        for (uint256 j; j < owners; ++j) {
            address o = handler.dataOwners(j);
            uint256 received = handler.ghostReceived(o);
            vm.assertLe(received, ownerCredit[j]);
            vm.assertEq(token.balanceOf(o), received);
        }
    }
}
