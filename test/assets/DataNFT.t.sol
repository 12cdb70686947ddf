// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../utils/Test.sol";
import {DataNFT} from "../../contracts/assets/DataNFT.sol";
import {IDataNFT} from "../../contracts/interfaces/IDataNFT.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";

contract DataNFTTest is Test {
    DataNFT internal data;
    address internal alice;
    address internal bob;
    bytes32 internal constant ROOT = keccak256("root");
    /// @dev sha256("hello"); `ipfs add --cid-version 1` of a file holding "hello" gives HELLO_CID.
    bytes32 internal constant HELLO = 0x2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824;
    string internal constant HELLO_CID = "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq";
    /// @dev sha256("{}")
    bytes32 internal constant BRACES = 0x44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a;
    string internal constant BRACES_CID = "bafkreicecnx2gvntm6fbcrvnc336qze6st5u7qq7457igegamd3bzkx7ri";

    event DataRegistered(
        uint256 indexed tokenId,
        address indexed owner,
        bytes32 indexed commitment,
        uint64 leafCount,
        bytes32 metadataDigest,
        IDataNFT.License license
    );
    event DisclosureUpdated(uint256 indexed tokenId, bytes32 metadataDigest);
    event LicenseUpdated(uint256 indexed tokenId, IDataNFT.License license);

    function setUp() public {
        data = new DataNFT();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
    }

    function _mint(address who, bytes32 root) internal returns (uint256) {
        vm.prank(who);
        return data.mint(root, 64, HELLO, IDataNFT.License(2e18));
    }

    function test_mint_registersDataset() public {
        vm.expectEmit(true, true, true, true, address(data));
        emit DataRegistered(1, alice, ROOT, 64, HELLO, IDataNFT.License(2e18));
        uint256 id = _mint(alice, ROOT);
        vm.assertEq(id, 1);
        vm.assertEq(data.ownerOf(1), alice);
        vm.assertEq(data.commitmentOf(1), ROOT);
        vm.assertEq(data.tokenOfCommitment(ROOT), 1);
        vm.assertEq(uint256(data.leafCountOf(1)), 64);
        vm.assertEq(uint256(data.licenseOf(1).pricePerUse), 2e18);
        vm.assertEq(data.tokenURI(1), string.concat("ipfs://", HELLO_CID));
        vm.assertEq(data.metadataCidOf(1), HELLO_CID);
        vm.assertTrue(data.exists(1));
        vm.assertFalse(data.exists(2));
        vm.assertFalse(data.exists(0));
        vm.assertEq(data.totalMinted(), 1);
        vm.assertEq(data.name(), "datacap Data");
        vm.assertEq(data.symbol(), "DATA");
    }

    /// @dev Extreme digests: every base32 position and the zero-padded last character.
    function test_metadataCid_rebuildsKuboCids() public {
        vm.startPrank(alice);
        data.mint(keccak256("a"), 1, bytes32(type(uint256).max), IDataNFT.License(0));
        data.mint(keccak256("b"), 1, bytes32(uint256(1)), IDataNFT.License(0));
        data.mint(keccak256("c"), 1, BRACES, IDataNFT.License(0));
        vm.stopPrank();
        vm.assertEq(data.metadataCidOf(1), "bafkreih777777777777777777777777777777777777777777777777774");
        vm.assertEq(data.metadataCidOf(2), "bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaae");
        vm.assertEq(data.metadataCidOf(3), BRACES_CID);
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

    function test_mint_revertsOnEmptyDigest() public {
        vm.expectRevert(IDataNFT.EmptyCommitment.selector);
        vm.prank(alice);
        data.mint(ROOT, 1, 0, IDataNFT.License(0));
    }

    /// @dev A dataset of no records could be challenged nowhere and would bound no sample count.
    function test_mint_revertsOnZeroLeafCount() public {
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.EmptyDataset.selector, ROOT));
        vm.prank(alice);
        data.mint(ROOT, 0, HELLO, IDataNFT.License(0));
    }

    /// @dev A self-declared 2^64-1 records would be unprovable by the depth-20 circuit and would outweigh
    /// every real dataset in a job; the largest provable count still mints.
    function test_attack_hugeLeafCountDataset_reverts() public {
        uint64 max = data.MAX_LEAF_COUNT();
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.DatasetTooLarge.selector, type(uint64).max, uint256(max)));
        vm.prank(alice);
        data.mint(ROOT, type(uint64).max, HELLO, IDataNFT.License(0));
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.DatasetTooLarge.selector, max + 1, uint256(max)));
        vm.prank(alice);
        data.mint(ROOT, max + 1, HELLO, IDataNFT.License(0));
        vm.prank(alice);
        data.mint(ROOT, max, HELLO, IDataNFT.License(0));
        vm.assertEq(uint256(data.leafCountOf(1)), uint256(max));
    }

    function test_mint_zeroLicense() public {
        vm.prank(alice);
        data.mint(ROOT, 1, HELLO, IDataNFT.License(0));
        vm.assertEq(uint256(data.licenseOf(1).pricePerUse), 0);
    }

    function test_updateDisclosure_byOwner() public {
        _mint(alice, ROOT);
        vm.expectEmit(true, false, false, true, address(data));
        emit DisclosureUpdated(1, BRACES);
        vm.prank(alice);
        data.updateDisclosure(1, BRACES);
        vm.assertEq(data.tokenURI(1), string.concat("ipfs://", BRACES_CID));
    }

    function test_updateDisclosure_revertsForNonOwner() public {
        _mint(alice, ROOT);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.NotDataOwner.selector, bob, uint256(1)));
        vm.prank(bob);
        data.updateDisclosure(1, BRACES);
    }

    function test_updateDisclosure_revertsOnEmptyDigest() public {
        _mint(alice, ROOT);
        vm.expectRevert(IDataNFT.EmptyCommitment.selector);
        vm.prank(alice);
        data.updateDisclosure(1, 0);
    }

    function test_updateDisclosure_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(7)));
        data.updateDisclosure(7, BRACES);
    }

    function test_setLicense_byOwner() public {
        _mint(alice, ROOT);
        vm.expectEmit(true, false, false, true, address(data));
        emit LicenseUpdated(1, IDataNFT.License(9));
        vm.prank(alice);
        data.setLicense(1, IDataNFT.License(9));
        vm.assertEq(uint256(data.licenseOf(1).pricePerUse), 9);
    }

    function test_setLicense_followsTransfer() public {
        _mint(alice, ROOT);
        vm.prank(alice);
        data.transferFrom(alice, bob, 1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.NotDataOwner.selector, alice, uint256(1)));
        vm.prank(alice);
        data.setLicense(1, IDataNFT.License(9));
        vm.prank(bob);
        data.setLicense(1, IDataNFT.License(9));
    }

    function test_views_revertForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.commitmentOf(1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.licenseOf(1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.leafCountOf(1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.tokenURI(1);
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.UnknownData.selector, uint256(1)));
        data.metadataCidOf(1);
        vm.assertEq(data.tokenOfCommitment(ROOT), 0);
    }

    function test_setStaking_onlyDeployerOnce() public {
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.StakingAlreadySet.selector, alice));
        vm.prank(alice);
        data.setStaking(IStaking(address(0x5)));
        data.setStaking(IStaking(address(0x5)));
        vm.assertEq(address(data.staking()), address(0x5));
        vm.expectRevert(abi.encodeWithSelector(IDataNFT.StakingAlreadySet.selector, address(this)));
        data.setStaking(IStaking(address(0x6)));
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
