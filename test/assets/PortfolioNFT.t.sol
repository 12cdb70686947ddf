// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetsBase} from "../utils/AssetsBase.sol";
import {IPortfolioNFT} from "../../contracts/interfaces/IPortfolioNFT.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract PortfolioNFTTest is AssetsBase {
    event PortfolioComposed(
        uint256 indexed portfolioId, address indexed curator, uint256[] dataIds, uint16[] weightsBps, string metadataCid
    );
    event PortfolioFrozenBy(uint256 indexed portfolioId, address indexed by);

    address internal freezer;

    function setUp() public {
        _deploy();
        freezer = makeAddr("freezer");
        vm.startPrank(admin);
        portfolios.grantRole(portfolios.FREEZER_ROLE(), freezer);
        vm.stopPrank();
        for (uint256 i; i < 4; ++i) {
            _mintData(_owner(i));
        }
    }

    function _arr(uint256 a, uint256 b) internal pure returns (uint256[] memory x) {
        x = new uint256[](2);
        (x[0], x[1]) = (a, b);
    }

    function _w(uint16 a, uint16 b) internal pure returns (uint16[] memory x) {
        x = new uint16[](2);
        (x[0], x[1]) = (a, b);
    }

    function _create(uint256[] memory ids, uint16[] memory w) internal returns (uint256) {
        vm.prank(curator);
        return portfolios.create(ids, w, "bafkreiport");
    }

    function test_create_storesComposition() public {
        vm.expectEmit(true, true, false, true, address(portfolios));
        emit PortfolioComposed(1, curator, _arr(1, 2), _w(6000, 4000), "bafkreiport");
        uint256 pid = _create(_arr(1, 2), _w(6000, 4000));
        vm.assertEq(pid, 1);
        vm.assertEq(portfolios.ownerOf(1), curator);
        vm.assertEq(uint256(portfolios.weightOf(1, 1)), 6000);
        vm.assertEq(uint256(portfolios.weightOf(1, 2)), 4000);
        vm.assertEq(uint256(portfolios.weightOf(1, 3)), 0);
        vm.assertEq(portfolios.sizeOf(1), 2);
        (uint256[] memory ids, uint16[] memory w) = portfolios.compositionOf(1);
        vm.assertEq(ids[1], 2);
        vm.assertEq(uint256(w[1]), 4000);
        vm.assertEq(portfolios.tokenURI(1), "ipfs://bafkreiport");
        vm.assertTrue(portfolios.exists(1));
        vm.assertFalse(portfolios.exists(2));
        vm.assertEq(portfolios.totalMinted(), 1);
        vm.assertFalse(portfolios.isFrozen(1));
        vm.assertEq(address(portfolios.dataNFT()), address(data));
        vm.assertTrue(portfolios.supportsInterface(0x80ac58cd)); // ERC-721
        vm.assertTrue(portfolios.supportsInterface(0x7965db0b)); // AccessControl
    }

    function test_create_revertsWhenWeightsNotNormalized() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.WeightsNotNormalized.selector, uint256(9999)));
        _create(_arr(1, 2), _w(5000, 4999));
    }

    function test_create_revertsOnDuplicate() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.DuplicateDataset.selector, uint256(1)));
        _create(_arr(1, 1), _w(5000, 5000));
    }

    function test_create_revertsOnZeroWeight() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.ZeroWeight.selector, uint256(2)));
        _create(_arr(1, 2), _w(10_000, 0));
    }

    function test_create_revertsOnUnknownDataset() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.UnknownDataset.selector, uint256(99)));
        _create(_arr(1, 99), _w(5000, 5000));
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.UnknownDataset.selector, uint256(0)));
        _create(_arr(0, 1), _w(5000, 5000));
    }

    function test_create_revertsOnBadComposition() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.BadComposition.selector, uint256(0), uint256(0)));
        _create(new uint256[](0), new uint16[](0));
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.BadComposition.selector, uint256(2), uint256(1)));
        _create(_arr(1, 2), new uint16[](1));
    }

    function test_create_revertsOnTooManyDatasets() public {
        uint256[] memory ids = new uint256[](257);
        uint16[] memory w = new uint16[](257);
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.TooManyDatasets.selector, uint256(257), uint256(256)));
        _create(ids, w);
    }

    function test_create_200datasets() public {
        (uint256 pid, uint256[] memory ids,) = _portfolio(200);
        vm.assertEq(portfolios.sizeOf(pid), 200);
        vm.assertEq(uint256(portfolios.weightOf(pid, ids[199])), 50);
        vm.assertEq(uint256(portfolios.weightOf(pid, ids[0])), 50);
    }

    function test_recompose_byCurator() public {
        uint256 pid = _create(_arr(1, 2), _w(6000, 4000));
        vm.expectEmit(true, true, false, true, address(portfolios));
        emit PortfolioComposed(pid, curator, _arr(3, 1), _w(2500, 7500), "bafkreiport");
        vm.prank(curator);
        portfolios.recompose(pid, _arr(3, 1), _w(2500, 7500));
        vm.assertEq(uint256(portfolios.weightOf(pid, 2)), 0);
        vm.assertEq(uint256(portfolios.weightOf(pid, 1)), 7500);
        vm.assertEq(uint256(portfolios.weightOf(pid, 3)), 2500);
        vm.assertEq(portfolios.sizeOf(pid), 2);
    }

    function test_recompose_revertsForNonCurator() public {
        uint256 pid = _create(_arr(1, 2), _w(6000, 4000));
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.NotCurator.selector, user, pid));
        vm.prank(user);
        portfolios.recompose(pid, _arr(3, 1), _w(2500, 7500));
    }

    function test_recompose_revertsWhenFrozen() public {
        uint256 pid = _create(_arr(1, 2), _w(6000, 4000));
        vm.prank(freezer);
        portfolios.freeze(pid);
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.PortfolioFrozen.selector, pid));
        vm.prank(curator);
        portfolios.recompose(pid, _arr(3, 1), _w(2500, 7500));
    }

    function test_recompose_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.UnknownPortfolio.selector, uint256(5)));
        portfolios.recompose(5, _arr(3, 1), _w(2500, 7500));
    }

    function test_freeze_holdsUntilEveryHoldIsReleased() public {
        uint256 pid = _create(_arr(1, 2), _w(6000, 4000));
        vm.expectEmit(true, true, false, false, address(portfolios));
        emit PortfolioFrozenBy(pid, freezer);
        vm.startPrank(freezer);
        portfolios.freeze(pid);
        portfolios.freeze(pid);
        vm.assertTrue(portfolios.isFrozen(pid));
        vm.expectEmit(true, true, false, true, address(portfolios));
        emit IPortfolioNFT.PortfolioUnfrozenBy(pid, freezer, 1);
        portfolios.unfreeze(pid);
        vm.assertTrue(portfolios.isFrozen(pid));
        portfolios.unfreeze(pid);
        vm.assertFalse(portfolios.isFrozen(pid));
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.NotFrozen.selector, pid));
        portfolios.unfreeze(pid);
        vm.stopPrank();
    }

    function test_freeze_revertsWithoutRole() public {
        uint256 pid = _create(_arr(1, 2), _w(6000, 4000));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, curator, portfolios.FREEZER_ROLE()
            )
        );
        vm.prank(curator);
        portfolios.freeze(pid);
    }

    function test_freeze_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.UnknownPortfolio.selector, uint256(3)));
        vm.prank(freezer);
        portfolios.freeze(3);
    }

    function test_views_revertForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.UnknownPortfolio.selector, uint256(1)));
        portfolios.tokenURI(1);
        vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.UnknownPortfolio.selector, uint256(1)));
        portfolios.compositionOf(1);
    }

    function testFuzz_create_weightsMustSumTo10000(uint16 a, uint16 b) public {
        a = uint16(bound(a, 1, 20_000));
        b = uint16(bound(b, 1, 20_000));
        uint256 sum = uint256(a) + b;
        if (sum != 10_000) {
            vm.expectRevert(abi.encodeWithSelector(IPortfolioNFT.WeightsNotNormalized.selector, sum));
            _create(_arr(1, 2), _w(a, b));
        } else {
            uint256 pid = _create(_arr(1, 2), _w(a, b));
            vm.assertEq(uint256(portfolios.weightOf(pid, 1)) + portfolios.weightOf(pid, 2), 10_000);
        }
    }

    function testFuzz_create_randomSplitsOfFour(uint256 seed) public {
        uint256[] memory ids = new uint256[](4);
        uint16[] memory w = new uint16[](4);
        uint256 left = 10_000;
        for (uint256 i; i < 3; ++i) {
            ids[i] = i + 1;
            w[i] = uint16(bound(uint256(keccak256(abi.encode(seed, i))), 1, left - (3 - i)));
            left -= w[i];
        }
        ids[3] = 4;
        w[3] = uint16(left);
        uint256 pid = _create(ids, w);
        uint256 sum;
        for (uint256 i; i < 4; ++i) {
            sum += portfolios.weightOf(pid, ids[i]);
        }
        vm.assertEq(sum, 10_000);
    }
}
