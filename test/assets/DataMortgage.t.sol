// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {IDataNFT} from "../../contracts/interfaces/IDataNFT.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";

/// @notice Item: mortgages follow the asset. Chosen rule: a $Data is locked while its owner has stake on it.
contract DataMortgageTest is EconBase {
    address seller = address(0x5E11);
    address buyer = address(0xB0B);
    uint256 dataId;

    function setUp() public {
        _deployEconomy();
        dataId = _mintData(seller, 0, 0);
        _fund(seller, 100e18);
        _fund(buyer, 100e18);
    }

    /// @dev Before: the seller sold a staked $Data; a challenge then slashed the buyer's empty position while
    /// the seller's stake backed nothing and kept voting.
    function test_attack_transferWhileMortgaged_reverts() public {
        vm.startPrank(seller);
        staking.stake(IStaking.Role.DataOwner, dataId, 50e18);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.DataMortgaged.selector, dataId, seller));
        data.transferFrom(seller, buyer, dataId);
        staking.requestUnstake(IStaking.Role.DataOwner, dataId, 50e18);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.DataMortgaged.selector, dataId, seller)); // thawing
        data.transferFrom(seller, buyer, dataId);
        vm.warp(block.timestamp + staking.thawingPeriod());
        staking.withdraw(IStaking.Role.DataOwner, dataId);
        data.transferFrom(seller, buyer, dataId);
        vm.stopPrank();
        assertEq(data.ownerOf(dataId), buyer);
        vm.prank(buyer); // the buyer backs its asset with its own stake
        staking.stake(IStaking.Role.DataOwner, dataId, 10e18);
    }

    function test_transfer_unstakedMovesFreely() public {
        vm.prank(seller);
        data.transferFrom(seller, buyer, dataId);
        assertEq(data.ownerOf(dataId), buyer);
    }
}
