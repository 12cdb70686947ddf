// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IModelNFT} from "../interfaces/IModelNFT.sol";

/// @title $Model: a trained model and its lineage (job, portfolio, rounds, metrics, weights CID).
/// @dev Minted only by MINTER_ROLE (JobMarket). Ids run from 1 and are never burned.
contract ModelNFT is ERC721, AccessControl, IModelNFT {
    /// @notice Role allowed to mint models.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    uint256 private _minted;
    mapping(uint256 modelId => Lineage) private _lineages;
    mapping(uint256 modelId => string) private _metadataCids;

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants MINTER_ROLE after deployment)
    constructor(address admin) ERC721("datacap Model", "MODEL") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IModelNFT
    /// @dev Only MINTER_ROLE. Reverts EmptyCid when the weights or metadata CID is empty.
    function mint(address trainer, Lineage calldata lineage, string calldata metadataCid)
        external
        onlyRole(MINTER_ROLE)
        returns (uint256 modelId)
    {
        if (bytes(lineage.weightsCid).length == 0 || bytes(metadataCid).length == 0) revert EmptyCid();
        modelId = ++_minted;
        _lineages[modelId] = lineage;
        _metadataCids[modelId] = metadataCid;
        _mint(trainer, modelId);
        emit ModelMinted(
            modelId, trainer, lineage.jobId, lineage.portfolioId, lineage.weightsCid, lineage.metricsHash, metadataCid
        );
    }

    /// @inheritdoc IModelNFT
    function lineageOf(uint256 modelId) external view returns (Lineage memory) {
        _checkExists(modelId);
        return _lineages[modelId];
    }

    /// @inheritdoc IModelNFT
    function portfolioOf(uint256 modelId) external view returns (uint256) {
        _checkExists(modelId);
        return _lineages[modelId].portfolioId;
    }

    /// @inheritdoc IModelNFT
    function exists(uint256 modelId) public view returns (bool) {
        return modelId != 0 && modelId <= _minted;
    }

    /// @inheritdoc IModelNFT
    function totalMinted() external view returns (uint256) {
        return _minted;
    }

    /// @notice ERC-721 metadata URI: ipfs://<metadataCid>.
    /// @param modelId the $Model id
    function tokenURI(uint256 modelId) public view override returns (string memory) {
        _checkExists(modelId);
        return string.concat("ipfs://", _metadataCids[modelId]);
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl, IERC165) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _checkExists(uint256 modelId) private view {
        if (!exists(modelId)) revert UnknownModel(modelId);
    }
}
