// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "./Test.sol";
import {CapToken} from "../../contracts/token/CapToken.sol";
import {DataNFT} from "../../contracts/assets/DataNFT.sol";
import {PortfolioNFT} from "../../contracts/assets/PortfolioNFT.sol";
import {ModelNFT} from "../../contracts/assets/ModelNFT.sol";
import {ModelMarket} from "../../contracts/market/ModelMarket.sol";
import {Evaluations} from "../../contracts/market/Evaluations.sol";
import {AccessRegistry} from "../../contracts/access/AccessRegistry.sol";
import {IDataNFT} from "../../contracts/interfaces/IDataNFT.sol";
import {IModelNFT} from "../../contracts/interfaces/IModelNFT.sol";

/// @notice Deploys and wires the asset and market contracts the way a deployment script would.
abstract contract AssetsBase is Test {
    CapToken internal token;
    DataNFT internal data;
    PortfolioNFT internal portfolios;
    ModelNFT internal models;
    ModelMarket internal market;
    Evaluations internal evals;
    AccessRegistry internal registry;

    address internal admin;
    address internal treasury;
    address internal minter; // stands in for JobMarket
    address internal curator;
    address internal trainer;
    address internal user;

    uint256 private _salt;

    function _deploy() internal {
        admin = makeAddr("admin");
        treasury = makeAddr("treasury");
        minter = makeAddr("minter");
        curator = makeAddr("curator");
        trainer = makeAddr("trainer");
        user = makeAddr("user");

        token = new CapToken(admin);
        data = new DataNFT();
        portfolios = new PortfolioNFT(data, admin);
        models = new ModelNFT(admin);
        market = new ModelMarket(token, models, portfolios, data, treasury, admin);
        evals = new Evaluations(market, admin);
        registry = new AccessRegistry(data, admin);

        vm.startPrank(admin);
        token.grantRole(token.MINTER_ROLE(), admin);
        models.grantRole(models.MINTER_ROLE(), minter);
        portfolios.grantRole(portfolios.FREEZER_ROLE(), address(market));
        vm.stopPrank();
    }

    function _owner(uint256 i) internal pure returns (address) {
        return address(uint160(0xD000 + i));
    }

    function _mintData(address owner) internal returns (uint256 id) {
        _salt++;
        vm.prank(owner);
        id = data.mint(
            keccak256(abi.encode("dataset", _salt)), 1_000, keccak256(abi.encode("metadata", _salt)), IDataNFT.License(1e18)
        );
    }

    /// @dev n datasets with distinct owners, equal weights, remainder on the first.
    function _portfolio(uint256 n) internal returns (uint256 pid, uint256[] memory ids, uint16[] memory weights) {
        ids = new uint256[](n);
        weights = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _mintData(_owner(i));
            weights[i] = uint16(10_000 / n);
        }
        weights[0] += uint16(10_000 % n);
        vm.prank(curator);
        pid = portfolios.create(ids, weights, "bafkreiportfolio");
    }

    function _model(uint256 pid) internal returns (uint256 modelId) {
        vm.prank(minter);
        modelId = models.mint(
            trainer, IModelNFT.Lineage(1, pid, 3, keccak256("metrics"), "bafkreiweights"), "bafkreimodel"
        );
    }

    function _fund(address who, uint256 amount) internal {
        vm.prank(admin);
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(market), type(uint256).max);
    }

    function _listed(uint256 pid, uint256 price) internal returns (uint256 modelId) {
        modelId = _model(pid);
        vm.prank(trainer);
        market.setPrice(modelId, price);
    }
}
