// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IStaking} from "./IStaking.sol";

/// @title $Data: one NFT per dataset commitment; the data itself stays with its owner.
interface IDataNFT is IERC721 {
    /// @notice Licence terms a data owner sets for a dataset, in CapToken wei. Training bonuses are not the
    /// owner's to set: Rewards' governed `trainingBonusBps` of the job share, snapshotted at join.
    struct License {
        uint128 pricePerUse;
    }

    /// @notice Thrown when a dataset commitment is already registered.
    error DuplicateCommitment(bytes32 commitment, uint256 existingTokenId);
    /// @notice Thrown when a commitment or metadata digest is zero.
    error EmptyCommitment();
    /// @notice Thrown when a dataset's leaf (record) count is zero.
    error EmptyDataset(bytes32 commitment);
    /// @notice The leaf count is beyond what a possession proof can open (a depth-20 tree).
    error DatasetTooLarge(uint64 leafCount, uint256 maxLeafCount);
    /// @notice Thrown when a token id does not exist.
    error UnknownData(uint256 tokenId);
    /// @notice Thrown when the caller does not own the $Data.
    error NotDataOwner(address caller, uint256 tokenId);
    /// @notice Thrown when a $Data whose owner still has a data mortgage (active or thawing) on it changes hands.
    error DataMortgaged(uint256 tokenId, address owner);
    /// @notice Thrown when anyone but the deployer wires Staking, or when it is wired twice.
    error StakingAlreadySet(address caller);

    /// @notice Emitted when a dataset is registered.
    /// @param tokenId the new $Data id
    /// @param owner the data owner
    /// @param commitment the dataset commitment (binds the leaf count and the records' tree)
    /// @param leafCount the number of records (leaves) the commitment covers
    /// @param metadataDigest sha2-256 digest of the metadata JSON (its CIDv1, raw codec, is tokenURI)
    /// @param license the licence terms
    event DataRegistered(
        uint256 indexed tokenId,
        address indexed owner,
        bytes32 indexed commitment,
        uint64 leafCount,
        bytes32 metadataDigest,
        License license
    );
    /// @notice Emitted when the owner publishes new disclosure metadata.
    /// @param tokenId the $Data id
    /// @param metadataDigest sha2-256 digest of the new metadata JSON
    event DisclosureUpdated(uint256 indexed tokenId, bytes32 metadataDigest);
    /// @notice Emitted when the owner changes licence terms.
    /// @param tokenId the $Data id
    /// @param license the new terms
    event LicenseUpdated(uint256 indexed tokenId, License license);
    /// @notice Emitted once, when the deployer wires the Staking whose data mortgages lock transfers.
    /// @param staking the Staking contract
    event StakingSet(address staking);

    /// @notice Register a dataset of `leafCount` records; the caller becomes its owner.
    /// @param commitment the dataset commitment (opaque here; off chain it binds leafCount and the tree root)
    /// @param leafCount the number of records: bounds the samples a training update may claim and the
    /// leaves a possession challenge may ask for
    /// @param metadataDigest sha2-256 digest of the metadata JSON, a single raw block (< 256 KiB)
    /// @param license the licence terms
    function mint(bytes32 commitment, uint64 leafCount, bytes32 metadataDigest, License calldata license)
        external
        returns (uint256 tokenId);
    /// @notice Replace the disclosure metadata (abstract, schema, samples, usage stats).
    function updateDisclosure(uint256 tokenId, bytes32 metadataDigest) external;
    /// @notice Replace the licence terms.
    function setLicense(uint256 tokenId, License calldata license) external;
    /// @notice Wire the Staking whose data mortgages lock transfers; once, by the deployer.
    function setStaking(IStaking staking_) external;
    /// @notice The dataset commitment of a $Data.
    function commitmentOf(uint256 tokenId) external view returns (bytes32);
    /// @notice The number of records (leaves) of a $Data, fixed at mint.
    function leafCountOf(uint256 tokenId) external view returns (uint64);
    /// @notice The licence terms of a $Data.
    function licenseOf(uint256 tokenId) external view returns (License memory);
    /// @notice The metadata CID ("bafkrei..."), rebuilt from its digest.
    function metadataCidOf(uint256 tokenId) external view returns (string memory);
    /// @notice The $Data registered for a commitment, or 0.
    function tokenOfCommitment(bytes32 commitment) external view returns (uint256);
    /// @notice Whether a $Data exists.
    function exists(uint256 tokenId) external view returns (bool);
    /// @notice Number of $Data minted so far (ids run from 1 to this).
    function totalMinted() external view returns (uint256);
}
