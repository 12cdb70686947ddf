// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../../utils/Test.sol";
import {CapToken} from "../../../contracts/token/CapToken.sol";
import {DataNFT} from "../../../contracts/assets/DataNFT.sol";
import {PortfolioNFT} from "../../../contracts/assets/PortfolioNFT.sol";
import {ModelNFT} from "../../../contracts/assets/ModelNFT.sol";
import {ModelMarket} from "../../../contracts/market/ModelMarket.sol";
import {IDataNFT} from "../../../contracts/interfaces/IDataNFT.sol";
import {IModelNFT} from "../../../contracts/interfaces/IModelNFT.sol";
import {IModelMarket} from "../../../contracts/interfaces/IModelMarket.sol";

/// @notice Drives ModelMarket: models on portfolios of random sizes and weights, paid uses by random users,
/// fee-split changes, data-share claims and withdrawals. Keeps its own ledger of what every account and
/// every (portfolio, $Data) pair was credited, computed from the split it set, not read from the market.
contract ModelMarketHandler is Test {
    uint256 internal constant _BPS = 10_000;
    uint256 public constant MAX_PORTFOLIOS = 5;
    uint256 public constant MAX_DATASETS = 20;

    CapToken public token;
    DataNFT public data;
    PortfolioNFT public portfolios;
    ModelNFT public models;
    ModelMarket public market;
    address public admin;
    address public treasury;

    address[] public users; // pay only
    address[] public payees; // trainers, curators and the treasury: paid through owed balances
    address[] public dataOwners; // paid through data-share claims
    uint256[] public portfolioIds;
    uint256[] public modelIds;
    mapping(uint256 portfolioId => uint256[]) internal _dataOf;
    IModelMarket.FeeSplit internal _split;

    uint256 public ghostPaid; // sum of prices paid
    uint256 public ghostOut; // sum of withdrawals and claims
    mapping(address account => uint256) public ghostCredited; // owed credits
    mapping(address account => uint256) public ghostWithdrawn;
    mapping(address account => uint256) public ghostReceived; // data-share claims received
    mapping(uint256 portfolioId => uint256) public ghostDataShare; // sum of data shares credited
    mapping(uint256 portfolioId => mapping(uint256 dataId => uint256)) public ghostClaimed;
    mapping(uint256 dataId => address) public ownerOfData;

    constructor(CapToken t, DataNFT d, PortfolioNFT p, ModelNFT m, ModelMarket mm, address admin_, address treasury_) {
        token = t;
        data = d;
        portfolios = p;
        models = m;
        market = mm;
        admin = admin_;
        treasury = treasury_;
        for (uint256 i; i < 4; ++i) users.push(address(uint160(0xB000 + i)));
        for (uint256 i; i < 3; ++i) payees.push(address(uint160(0x7A00 + i))); // trainers
        for (uint256 i; i < 2; ++i) payees.push(address(uint160(0xC000 + i))); // curators
        payees.push(treasury_);
        for (uint256 i; i < 5; ++i) dataOwners.push(address(uint160(0xD000 + i)));
        _split = IModelMarket.FeeSplit(4000, 1000, 4000, 1000);
    }

    // ---------------------------------------------------------------- ledger views

    function portfolioCount() external view returns (uint256) {
        return portfolioIds.length;
    }

    function payeeCount() external view returns (uint256) {
        return payees.length;
    }

    function dataOwnerCount() external view returns (uint256) {
        return dataOwners.length;
    }

    function dataOf(uint256 portfolioId) external view returns (uint256[] memory) {
        return _dataOf[portfolioId];
    }

    /// @dev What a (portfolio, $Data) pair is entitled to in total: its weight's share of the data shares.
    function entitled(uint256 portfolioId, uint256 dataId) public view returns (uint256) {
        return ghostDataShare[portfolioId] * portfolios.weightOf(portfolioId, dataId) / _BPS;
    }

    // ---------------------------------------------------------------- actions

    /// @notice A model on a new portfolio of 1..MAX_DATASETS datasets with random weights, or on an existing one.
    function createModel(uint256 sizeSeed, uint256 weightSeed, uint256 price, uint256 who, bool reuse) external {
        uint256 pid;
        if (reuse && portfolioIds.length != 0) {
            pid = portfolioIds[sizeSeed % portfolioIds.length];
        } else {
            if (portfolioIds.length >= MAX_PORTFOLIOS) return;
            pid = _newPortfolio(bound(sizeSeed, 1, MAX_DATASETS), weightSeed, payees[3 + who % 2]);
        }
        vm.prank(admin);
        uint256 modelId = models.mint(payees[who % 3], IModelNFT.Lineage(1, pid, 1, bytes32(0), "w"), "m");
        vm.prank(payees[who % 3]);
        market.setPrice(modelId, bound(price, 1, 1e24));
        modelIds.push(modelId);
    }

    /// @notice A random user pays one use of a random model.
    function useModel(uint256 userSeed, uint256 modelSeed) external {
        if (modelIds.length == 0) return;
        address user = users[userSeed % users.length];
        uint256 modelId = modelIds[modelSeed % modelIds.length];
        uint256 price = market.priceOf(modelId);
        vm.prank(admin);
        token.mint(user, price);
        vm.startPrank(user);
        token.approve(address(market), price);
        market.useModel(modelId, type(uint256).max);
        vm.stopPrank();
        ghostPaid += price;
        uint256 pid = models.portfolioOf(modelId);
        uint256 trainerShare = price * _split.trainerBps / _BPS;
        uint256 curatorShare = price * _split.curatorBps / _BPS;
        uint256 dataShare = price * _split.dataBps / _BPS;
        ghostCredited[models.ownerOf(modelId)] += trainerShare;
        ghostCredited[portfolios.ownerOf(pid)] += curatorShare;
        ghostCredited[treasury] += price - trainerShare - curatorShare - dataShare;
        ghostDataShare[pid] += dataShare;
    }

    /// @notice Anyone claims the share of a random $Data of a random portfolio for its owner.
    function claimDataShare(uint256 portfolioSeed, uint256 dataSeed) external {
        if (portfolioIds.length == 0) return;
        uint256 pid = portfolioIds[portfolioSeed % portfolioIds.length];
        uint256[] storage ids = _dataOf[pid];
        uint256 dataId = ids[dataSeed % ids.length];
        address owner = ownerOfData[dataId];
        uint256 before = token.balanceOf(owner);
        try market.claimDataShare(pid, dataId) returns (uint256 amount) {
            require(token.balanceOf(owner) == before + amount, "claim paid a different amount");
            ghostClaimed[pid][dataId] += amount;
            ghostReceived[owner] += amount;
            ghostOut += amount;
        } catch {
            require(market.claimable(pid, dataId) == 0, "claim reverted with something claimable");
        }
    }

    /// @notice A random trainer, curator or the treasury withdraws its owed balance.
    function withdraw(uint256 payeeSeed) external {
        address payee = payees[payeeSeed % payees.length];
        vm.prank(payee);
        try market.withdraw() returns (uint256 amount) {
            ghostWithdrawn[payee] += amount;
            ghostOut += amount;
        } catch {
            require(market.owedOf(payee) == 0, "withdraw reverted with something owed");
        }
    }

    /// @notice Governance changes the fee split (any split summing to 10,000).
    function setFeeSplit(uint256 a, uint256 b, uint256 c) external {
        uint16 trainerBps = uint16(bound(a, 0, _BPS));
        uint16 curatorBps = uint16(bound(b, 0, _BPS - trainerBps));
        uint16 dataBps = uint16(bound(c, 0, _BPS - trainerBps - curatorBps));
        IModelMarket.FeeSplit memory split =
            IModelMarket.FeeSplit(trainerBps, curatorBps, dataBps, uint16(_BPS - trainerBps - curatorBps - dataBps));
        vm.prank(admin);
        market.setFeeSplit(split);
        _split = split;
    }

    // ---------------------------------------------------------------- helpers

    /// @dev n fresh datasets owned by random data owners, random nonzero weights summing to 10,000.
    function _newPortfolio(uint256 n, uint256 seed, address curator) private returns (uint256 pid) {
        uint256[] memory ids = new uint256[](n);
        uint16[] memory weights = new uint16[](n);
        uint256 remaining = _BPS;
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            address owner = dataOwners[r % dataOwners.length];
            vm.prank(owner);
            ids[i] = data.mint(keccak256(abi.encode(portfolioIds.length, seed, i)), 1, keccak256("d"), IDataNFT.License(0));
            ownerOfData[ids[i]] = owner;
            // leave at least 1 bps for each dataset still to come
            uint256 w = i == n - 1 ? remaining : 1 + (r >> 8) % (remaining - (n - 1 - i));
            weights[i] = uint16(w);
            remaining -= w;
        }
        vm.prank(curator);
        pid = portfolios.create(ids, weights, "p");
        portfolioIds.push(pid);
        _dataOf[pid] = ids;
    }
}
