// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../utils/Test.sol";
import {DataNFT} from "../../contracts/assets/DataNFT.sol";
import {IDataNFT} from "../../contracts/interfaces/IDataNFT.sol";

contract DataNFTTest is Test {
    DataNFT internal data;
    address internal alice;
    address internal bob;
    bytes32 internal constant ROOT = keccak256("root");

    event DataRegistered(
        uint256 indexed tokenId,
        address indexed owner,
        bytes32 indexed commitment,
        string metadataCid,
        IDataNFT.License license
    );
    event DisclosureUpdated(uint256 indexed tokenId, string metadataCid);
    event LicenseUpdated(uint256 indexed tokenId, IDataNFT.License license);

    function setUp() public {
        data = new DataNFT();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
    }

    function _mint(address who, bytes32 root) internal returns (uint256) {
        vm.prank(who);
        return data.mint(root, "bafkreiabc", IDataNFT.License(2e18, 1e18));
    }

    function test_mint_registersDataset() public {
        vm.expectEmit(true, true, true, true, address(data));
        emit DataRegistered(1, alice, ROOT, "bafkreiabc", IDataNFT.License(2e18, 1e18));
        uint256 id = _mint(alice, ROOT);
        vm.assertEq(id, 1);
        vm.assertEq(data.ownerOf(1), alice);
        vm.assertEq(data.commitmentOf(1), ROOT);
        vm.assertEq(data.tokenOfCommitment(ROOT), 1);
        vm.assertEq(uint256(data.licenseOf(1).pricePerUse), 2e18);
        vm.assertEq(uint256(data.licenseOf(1).bonusPerTrainingUse), 1e18);
        vm.assertEq(data.tokenURI(1), "ipfs://bafkreiabc");
        vm.assertEq(data.metadataCidOf(1), "bafkreiabc");
        vm.assertTrue(data.exists(1));
        vm.assertFalse(data.exists(2));
        vm.assertFalse(data.exists(0));
        vm.assertEq(data.totalMinted(), 1);
        vm.assertEq(data.name(), "datacap Data");
        vm.assertEq(data.symbol(), "DATA");
    }

    function test_mint_idsStartAtOne() public {
        vm.assertEq(_mint(alice, ROOT), 1);
        vm.assertEq(_mint(bob, keccak256("other")), 2);
    }

    function test_mint_revertsOnDuplicateCommitment() public {
        _mint(alice, ROOT);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.DuplicateCommitment.selector, ROOT, uint256(1)));
        _mint(bob, ROOT);
    }

    function test_mint_revertsOnEmptyCommitment() public {
        vm.expectRevert(IDataNFT.EmptyCommitment.selector);
        _mint(alice, bytes32(0));
    }

    function test_mint_revertsOnEmptyCid() public {
        vm.expectRevert(IDataNFT.EmptyCid.selector);
        vm.prank(alice);
        data.mint(ROOT, "", IDataNFT.License(0, 0));
    }

    function test_mint_zeroLicense() public {
        vm.prank(alice);
        data.mint(ROOT, "cid", IDataNFT.License(0, 0));
        vm.assertEq(uint256(data.licenseOf(1).pricePerUse), 0);
    }

    function test_updateDisclosure_byOwner() public {
        _mint(alice, ROOT);
        vm.expectEmit(true, false, false, true, address(data));
        emit DisclosureUpdated(1, "bafkreinew");
        vm.prank(alice);
        data.updateDisclosure(1, "bafkreinew");
        vm.assertEq(data.tokenURI(1), "ipfs://bafkreinew");
    }

    function test_updateDisclosure_revertsForNonOwner() public {
        _mint(alice, ROOT);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.NotDataOwner.selector, bob, uint256(1)));
        vm.prank(bob);
        data.updateDisclosure(1, "x");
    }

    function test_updateDisclosure_revertsOnEmptyCid() public {
        _mint(alice, ROOT);
        vm.expectRevert(IDataNFT.EmptyCid.selector);
        vm.prank(alice);
        data.updateDisclosure(1, "");
    }

    function test_updateDisclosure_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(7)));
        data.updateDisclosure(7, "x");
    }

    function test_setLicense_byOwner() public {
        _mint(alice, ROOT);
        vm.expectEmit(true, false, false, true, address(data));
        emit LicenseUpdated(1, IDataNFT.License(9, 8));
        vm.prank(alice);
        data.setLicense(1, IDataNFT.License(9, 8));
        vm.assertEq(uint256(data.licenseOf(1).pricePerUse), 9);
    }

    function test_setLicense_followsTransfer() public {
        _mint(alice, ROOT);
        vm.prank(alice);
        data.transferFrom(alice, bob, 1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.NotDataOwner.selector, alice, uint256(1)));
        vm.prank(alice);
        data.setLicense(1, IDataNFT.License(9, 8));
        vm.prank(bob);
        data.setLicense(1, IDataNFT.License(9, 8));
    }

    function test_views_revertForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.commitmentOf(1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.licenseOf(1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.tokenURI(1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.metadataCidOf(1);
        vm.assertEq(data.tokenOfCommitment(ROOT), 0);
    }

    function testFuzz_mint_oneTokenPerCommitment(bytes32 a, bytes32 b) public {
        vm.assume(a != bytes32(0) && b != bytes32(0));
        _mint(alice, a);
        if (a == b) {
            vm.expectRevert(abi.encodeWithSelector(IDataNFT.DuplicateCommitment.selector, a, uint256(1)));
            _mint(bob, b);
        } else {
            vm.assertEq(_mint(bob, b), 2);
            vm.assertEq(data.tokenOfCommitment(b), 2);
        }
        vm.assertEq(data.tokenOfCommitment(a), 1);
    }
}
