// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title $Data: one NFT per dataset commitment; the data itself stays with its owner.
interface IDataNFT is IERC721 {
    /// @notice Licence terms a data owner sets for a dataset, in CapToken wei.
    struct License {
        uint128 pricePerUse;
        uint128 bonusPerTrainingUse;
    }

    /// @notice Thrown when a dataset commitment is already registered.
    error DuplicateCommitment(bytes32 commitment, uint256 existingTokenId);
    /// @notice Thrown when a commitment is zero.
    error EmptyCommitment();
    /// @notice Thrown when a CID is empty.
    error EmptyCid();
    /// @notice Thrown when a token id does not exist.
    error UnknownData(uint256 tokenId);
    /// @notice Thrown when the caller does not own the $Data.
    error NotDataOwner(address caller, uint256 tokenId);

    /// @notice Emitted when a dataset is registered.
    /// @param tokenId the new $Data id
    /// @param owner the data owner
    /// @param commitment Merkle root of the dataset's records
    /// @param metadataCid CID of the ERC-721 metadata JSON
    /// @param license the licence terms
    event DataRegistered(
        uint256 indexed tokenId, address indexed owner, bytes32 indexed commitment, string metadataCid, License license
    );
    /// @notice Emitted when the owner publishes new disclosure metadata.
    /// @param tokenId the $Data id
    /// @param metadataCid CID of the new metadata JSON
    event DisclosureUpdated(uint256 indexed tokenId, string metadataCid);
    /// @notice Emitted when the owner changes licence terms.
    /// @param tokenId the $Data id
    /// @param license the new terms
    event LicenseUpdated(uint256 indexed tokenId, License license);

    /// @notice Register a dataset; the caller becomes its owner.
    function mint(bytes32 commitment, string calldata metadataCid, License calldata license)
        external
        returns (uint256 tokenId);
    /// @notice Replace the disclosure metadata (abstract, schema, samples, usage stats).
    function updateDisclosure(uint256 tokenId, string calldata metadataCid) external;
    /// @notice Replace the licence terms.
    function setLicense(uint256 tokenId, License calldata license) external;
    /// @notice The dataset commitment (Merkle root) of a $Data.
    function commitmentOf(uint256 tokenId) external view returns (bytes32);
    /// @notice The licence terms of a $Data.
    function licenseOf(uint256 tokenId) external view returns (License memory);
    /// @notice The $Data registered for a commitment, or 0.
    function tokenOfCommitment(bytes32 commitment) external view returns (uint256);
    /// @notice Whether a $Data exists.
    function exists(uint256 tokenId) external view returns (bool);
    /// @notice Number of $Data minted so far (ids run from 1 to this).
    function totalMinted() external view returns (uint256);
}
