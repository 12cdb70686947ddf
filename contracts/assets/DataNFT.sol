// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";

/// @title $Data: one ERC-721 per dataset commitment (Merkle root); tokenURI = ipfs://<metadataCid>.
/// @dev Ids run from 1. There is no burn, so a token exists iff 1 <= id <= totalMinted().
contract DataNFT is ERC721, IDataNFT {
    struct Record {
        bytes32 commitment;
        License license;
        string metadataCid;
    }

    uint256 private _minted;
    mapping(uint256 tokenId => Record) private _records;
    mapping(bytes32 commitment => uint256 tokenId) private _byCommitment;

    constructor() ERC721("datacap Data", "DATA") {}

    /// @inheritdoc IDataNFT
    /// @dev Reverts EmptyCommitment, EmptyCid, DuplicateCommitment.
    function mint(bytes32 commitment, string calldata metadataCid, License calldata license)
        external
        returns (uint256 tokenId)
    {
        if (commitment == bytes32(0)) revert EmptyCommitment();
        if (bytes(metadataCid).length == 0) revert EmptyCid();
        uint256 existing = _byCommitment[commitment];
        if (existing != 0) revert DuplicateCommitment(commitment, existing);
        tokenId = ++_minted;
        _byCommitment[commitment] = tokenId;
        Record storage r = _records[tokenId];
        r.commitment = commitment;
        if (license.pricePerUse != 0 || license.bonusPerTrainingUse != 0) r.license = license;
        r.metadataCid = metadataCid;
        _mint(msg.sender, tokenId);
        emit DataRegistered(tokenId, msg.sender, commitment, metadataCid, license);
    }

    /// @inheritdoc IDataNFT
    /// @dev Only the current owner. Reverts UnknownData, NotDataOwner, EmptyCid.
    function updateDisclosure(uint256 tokenId, string calldata metadataCid) external {
        _checkOwner(tokenId);
        if (bytes(metadataCid).length == 0) revert EmptyCid();
        _records[tokenId].metadataCid = metadataCid;
        emit DisclosureUpdated(tokenId, metadataCid);
    }

    /// @inheritdoc IDataNFT
    /// @dev Only the current owner. Reverts UnknownData, NotDataOwner.
    function setLicense(uint256 tokenId, License calldata license) external {
        _checkOwner(tokenId);
        _records[tokenId].license = license;
        emit LicenseUpdated(tokenId, license);
    }

    /// @inheritdoc IDataNFT
    function commitmentOf(uint256 tokenId) external view returns (bytes32) {
        _checkExists(tokenId);
        return _records[tokenId].commitment;
    }

    /// @inheritdoc IDataNFT
    function licenseOf(uint256 tokenId) external view returns (License memory) {
        _checkExists(tokenId);
        return _records[tokenId].license;
    }

    /// @notice The current metadata (disclosure) CID of a $Data.
    /// @param tokenId the $Data id
    function metadataCidOf(uint256 tokenId) external view returns (string memory) {
        _checkExists(tokenId);
        return _records[tokenId].metadataCid;
    }

    /// @inheritdoc IDataNFT
    function tokenOfCommitment(bytes32 commitment) external view returns (uint256) {
        return _byCommitment[commitment];
    }

    /// @inheritdoc IDataNFT
    function exists(uint256 tokenId) public view returns (bool) {
        return tokenId != 0 && tokenId <= _minted;
    }

    /// @inheritdoc IDataNFT
    function totalMinted() external view returns (uint256) {
        return _minted;
    }

    /// @notice ERC-721 metadata URI: ipfs://<metadataCid>.
    /// @param tokenId the $Data id
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _checkExists(tokenId);
        return string.concat("ipfs://", _records[tokenId].metadataCid);
    }

    function _checkExists(uint256 tokenId) private view {
        if (!exists(tokenId)) revert UnknownData(tokenId);
    }

    function _checkOwner(uint256 tokenId) private view {
        _checkExists(tokenId);
        if (_ownerOf(tokenId) != msg.sender) revert NotDataOwner(msg.sender, tokenId);
    }
}
