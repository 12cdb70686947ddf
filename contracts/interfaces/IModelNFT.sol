// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title $Model: a trained model with its lineage; minted only by an authorised minter (JobMarket).
interface IModelNFT is IERC721 {
    /// @notice Where a model comes from.
    struct Lineage {
        uint256 jobId;
        uint256 portfolioId;
        uint32 rounds;
        bytes32 metricsHash;
        string weightsCid;
    }

    /// @notice Thrown when a model does not exist.
    error UnknownModel(uint256 modelId);
    /// @notice Thrown when a CID is empty.
    error EmptyCid();

    /// @notice Emitted when a model is minted.
    /// @param modelId the $Model id
    /// @param trainer who receives it
    /// @param jobId the training job
    /// @param portfolioId the portfolio it was trained on
    /// @param weightsCid CID of the weights
    /// @param metricsHash hash of the metrics JSON
    /// @param metadataCid CID of the metadata JSON
    event ModelMinted(
        uint256 indexed modelId,
        address indexed trainer,
        uint256 indexed jobId,
        uint256 portfolioId,
        string weightsCid,
        bytes32 metricsHash,
        string metadataCid
    );

    /// @notice Mint a model; only MINTER_ROLE.
    function mint(address trainer, Lineage calldata lineage, string calldata metadataCid)
        external
        returns (uint256 modelId);
    /// @notice The lineage of a model.
    function lineageOf(uint256 modelId) external view returns (Lineage memory);
    /// @notice The portfolio a model was trained on. O(1).
    function portfolioOf(uint256 modelId) external view returns (uint256);
    /// @notice Whether a model exists.
    function exists(uint256 modelId) external view returns (bool);
    /// @notice Number of models minted so far (ids run from 1 to this).
    function totalMinted() external view returns (uint256);
}
