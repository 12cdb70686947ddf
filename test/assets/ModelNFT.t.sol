// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../utils/Test.sol";
import {ModelNFT} from "../../contracts/assets/ModelNFT.sol";
import {IModelNFT} from "../../contracts/interfaces/IModelNFT.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract ModelNFTTest is Test {
    event ModelMinted(
        uint256 indexed modelId,
        address indexed trainer,
        uint256 indexed jobId,
        uint256 portfolioId,
        string weightsCid,
        bytes32 metricsHash,
        string metadataCid
    );

    ModelNFT internal models;
    address internal admin;
    address internal minter;
    address internal trainer;

    function setUp() public {
        admin = makeAddr("admin");
        minter = makeAddr("minter");
        trainer = makeAddr("trainer");
        models = new ModelNFT(admin);
        vm.startPrank(admin);
        models.grantRole(models.MINTER_ROLE(), minter);
        vm.stopPrank();
    }

    function _lineage() internal pure returns (IModelNFT.Lineage memory) {
        return IModelNFT.Lineage(7, 3, 5, keccak256("metrics"), "bafkreiweights");
    }

    function test_mint_byMinter() public {
        vm.expectEmit(true, true, true, true, address(models));
        emit ModelMinted(1, trainer, 7, 3, "bafkreiweights", keccak256("metrics"), "bafkreimeta");
        vm.prank(minter);
        uint256 id = models.mint(trainer, _lineage(), "bafkreimeta");
        vm.assertEq(id, 1);
        vm.assertEq(models.ownerOf(1), trainer);
        vm.assertEq(models.portfolioOf(1), 3);
        IModelNFT.Lineage memory l = models.lineageOf(1);
        vm.assertEq(l.jobId, 7);
        vm.assertEq(uint256(l.rounds), 5);
        vm.assertEq(l.weightsCid, "bafkreiweights");
        vm.assertEq(models.tokenURI(1), "ipfs://bafkreimeta");
        vm.assertTrue(models.exists(1));
        vm.assertFalse(models.exists(2));
        vm.assertEq(models.totalMinted(), 1);
        vm.assertTrue(models.supportsInterface(0x80ac58cd));
    }

    function test_mint_revertsWithoutRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, trainer, models.MINTER_ROLE()
            )
        );
        vm.prank(trainer);
        models.mint(trainer, _lineage(), "bafkreimeta");
    }

    function test_mint_revertsOnEmptyCid() public {
        vm.expectRevert(IModelNFT.EmptyCid.selector);
        vm.prank(minter);
        models.mint(trainer, _lineage(), "");
        IModelNFT.Lineage memory l = _lineage();
        l.weightsCid = "";
        vm.expectRevert(IModelNFT.EmptyCid.selector);
        vm.prank(minter);
        models.mint(trainer, l, "meta");
    }

    function test_views_revertForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IModelNFT.UnknownModel.selector, uint256(1)));
        models.lineageOf(1);
        vm.expectRevert(abi.encodeWithSelector(IModelNFT.UnknownModel.selector, uint256(1)));
        models.portfolioOf(1);
        vm.expectRevert(abi.encodeWithSelector(IModelNFT.UnknownModel.selector, uint256(1)));
        models.tokenURI(1);
    }
}
