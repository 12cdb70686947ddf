// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";
import {IPortfolioNFT} from "../interfaces/IPortfolioNFT.sol";

/// @title $Portfolio: a curator's weighted bundle of $Data (weights in bps, summing to 10,000).
/// @dev The curator is the current owner of the $Portfolio token. Composition checks are O(n): a
/// weight mapping doubles as the duplicate detector. Ids run from 1 and are never burned.
contract PortfolioNFT is ERC721, AccessControl, IPortfolioNFT {
    /// @notice Role allowed to freeze compositions (JobMarket, ModelMarket).
    bytes32 public constant FREEZER_ROLE = keccak256("FREEZER_ROLE");
    /// @notice Largest number of datasets in one portfolio.
    uint256 public constant MAX_DATASETS = 256;
    /// @notice The weights of a portfolio add up to this.
    uint256 public constant BPS = 10_000;

    struct Portfolio {
        uint32 holds; // frozen while > 0: one per approved, uncancelled job, one for ModelMarket

        uint256[] dataIds;
        string metadataCid;
    }

    IDataNFT private immutable _data;
    uint256 private _minted;
    mapping(uint256 portfolioId => Portfolio) private _portfolios;
    mapping(uint256 portfolioId => mapping(uint256 dataId => uint16 weightBps)) private _weights;

    /// @param data the $Data collection portfolios are made of
    /// @param admin receives DEFAULT_ADMIN_ROLE (grants FREEZER_ROLE after deployment)
    constructor(IDataNFT data, address admin) ERC721("datacap Portfolio", "PORT") {
        _data = data;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IPortfolioNFT
    /// @dev Reverts BadComposition, TooManyDatasets, UnknownDataset, ZeroWeight, DuplicateDataset,
    /// WeightsNotNormalized.
    function create(uint256[] calldata dataIds, uint16[] calldata weightsBps, string calldata metadataCid)
        external
        returns (uint256 portfolioId)
    {
        portfolioId = ++_minted;
        _compose(portfolioId, dataIds, weightsBps);
        _portfolios[portfolioId].metadataCid = metadataCid;
        _mint(msg.sender, portfolioId);
        emit PortfolioComposed(portfolioId, msg.sender, dataIds, weightsBps, metadataCid);
    }

    /// @inheritdoc IPortfolioNFT
    /// @dev Only the curator, only while not frozen. Same checks as create.
    function recompose(uint256 portfolioId, uint256[] calldata dataIds, uint16[] calldata weightsBps) external {
        _checkExists(portfolioId);
        if (_ownerOf(portfolioId) != msg.sender) revert NotCurator(msg.sender, portfolioId);
        Portfolio storage p = _portfolios[portfolioId];
        if (p.holds != 0) revert PortfolioFrozen(portfolioId);
        uint256[] storage old = p.dataIds;
        for (uint256 i = old.length; i > 0; --i) {
            delete _weights[portfolioId][old[i - 1]];
            old.pop();
        }
        _compose(portfolioId, dataIds, weightsBps);
        emit PortfolioComposed(portfolioId, msg.sender, dataIds, weightsBps, p.metadataCid);
    }

    /// @inheritdoc IPortfolioNFT
    /// @dev Only FREEZER_ROLE. Each call adds a hold; the composition stays frozen until every hold is released.
    function freeze(uint256 portfolioId) external onlyRole(FREEZER_ROLE) {
        _checkExists(portfolioId);
        _portfolios[portfolioId].holds += 1;
        emit PortfolioFrozenBy(portfolioId, msg.sender);
    }

    /// @inheritdoc IPortfolioNFT
    /// @dev Only FREEZER_ROLE. Reverts NotFrozen without a hold.
    function unfreeze(uint256 portfolioId) external onlyRole(FREEZER_ROLE) {
        Portfolio storage p = _portfolios[portfolioId];
        uint32 holds = p.holds;
        if (holds == 0) revert NotFrozen(portfolioId);
        p.holds = holds - 1;
        emit PortfolioUnfrozenBy(portfolioId, msg.sender, holds - 1);
    }

    /// @inheritdoc IPortfolioNFT
    function isFrozen(uint256 portfolioId) external view returns (bool) {
        return _portfolios[portfolioId].holds != 0;
    }

    /// @inheritdoc IPortfolioNFT
    function weightOf(uint256 portfolioId, uint256 dataId) external view returns (uint16) {
        return _weights[portfolioId][dataId];
    }

    /// @inheritdoc IPortfolioNFT
    function compositionOf(uint256 portfolioId)
        external
        view
        returns (uint256[] memory dataIds, uint16[] memory weightsBps)
    {
        _checkExists(portfolioId);
        dataIds = _portfolios[portfolioId].dataIds;
        weightsBps = new uint16[](dataIds.length);
        for (uint256 i; i < dataIds.length; ++i) {
            weightsBps[i] = _weights[portfolioId][dataIds[i]];
        }
    }

    /// @inheritdoc IPortfolioNFT
    function sizeOf(uint256 portfolioId) external view returns (uint256) {
        return _portfolios[portfolioId].dataIds.length;
    }

    /// @inheritdoc IPortfolioNFT
    function exists(uint256 portfolioId) public view returns (bool) {
        return portfolioId != 0 && portfolioId <= _minted;
    }

    /// @inheritdoc IPortfolioNFT
    function totalMinted() external view returns (uint256) {
        return _minted;
    }

    /// @notice The $Data collection this contract bundles.
    function dataNFT() external view returns (IDataNFT) {
        return _data;
    }

    /// @notice ERC-721 metadata URI: ipfs://<metadataCid>.
    /// @param portfolioId the $Portfolio id
    function tokenURI(uint256 portfolioId) public view override returns (string memory) {
        _checkExists(portfolioId);
        return string.concat("ipfs://", _portfolios[portfolioId].metadataCid);
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl, IERC165) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    /// @dev Writes a composition into empty storage. O(n): the weight mapping detects duplicates.
    function _compose(uint256 portfolioId, uint256[] calldata dataIds, uint16[] calldata weightsBps) private {
        uint256 n = dataIds.length;
        if (n == 0 || n != weightsBps.length) revert BadComposition(n, weightsBps.length);
        if (n > MAX_DATASETS) revert TooManyDatasets(n, MAX_DATASETS);
        uint256 minted = _data.totalMinted(); // $Data ids are 1..minted and never burned
        mapping(uint256 => uint16) storage w = _weights[portfolioId];
        uint256[] storage ids = _portfolios[portfolioId].dataIds;
        uint256 sum = 0;
        for (uint256 i; i < n; ++i) {
            uint256 id = dataIds[i];
            uint16 weight = weightsBps[i];
            if (id == 0 || id > minted) revert UnknownDataset(id);
            if (weight == 0) revert ZeroWeight(id);
            if (w[id] != 0) revert DuplicateDataset(id);
            w[id] = weight;
            ids.push(id);
            sum += weight;
        }
        if (sum != BPS) revert WeightsNotNormalized(sum);
    }

    function _checkExists(uint256 portfolioId) private view {
        if (!exists(portfolioId)) revert UnknownPortfolio(portfolioId);
    }
}
