// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {CidV1} from "../libraries/CidV1.sol";

/// @title $Data: one ERC-721 per dataset commitment; tokenURI = ipfs://<CIDv1 of the metadata digest>.
/// @notice A $Data does not change hands while its owner holds a data mortgage on it (active or thawing
/// stake in Staking): a challenge must slash the party that staked, and a stake must back the asset its
/// staker owns. Unstake and withdraw first, then transfer; the buyer stakes anew.
/// @dev Ids run from 1. There is no burn, so a token exists iff 1 <= id <= totalMinted().
/// Storage per token, beyond ERC-721's owner and balance: the commitment index (token id, leaf count and
/// licence packed in one slot), and the two 32-byte values a view must return (commitment, metadata digest).
contract DataNFT is ERC721, IDataNFT {
    /// @dev One slot, keyed by commitment: the duplicate check and everything fixed-size about the token.
    struct Entry {
        uint64 tokenId;
        uint64 leafCount;
        uint128 pricePerUse;
    }

    /// @dev Two slots, keyed by token id.
    struct Record {
        bytes32 commitment;
        bytes32 metadataDigest;
    }

    /// @notice The most records a $Data may commit: the leaves of the possession circuit's depth-20 tree
    /// (D = 20 in circuits/possession_main.circom, `DEPTH` in orchestrator/merkle.py). Beyond it, challenged indices
    /// could not be proven, and a declared count could outweigh real ones.
    uint64 public constant MAX_LEAF_COUNT = 2 ** 20;

    address private immutable _deployer;
    IStaking private _staking;
    uint256 private _minted;
    mapping(bytes32 commitment => Entry) private _entries;
    mapping(uint256 tokenId => Record) private _records;

    constructor() ERC721("datacap Data", "DATA") {
        _deployer = msg.sender;
    }

    /// @inheritdoc IDataNFT
    /// @dev Reverts EmptyCommitment, EmptyDataset, DatasetTooLarge, DuplicateCommitment.
    function mint(bytes32 commitment, uint64 leafCount, bytes32 metadataDigest, License calldata license)
        external
        returns (uint256 tokenId)
    {
        if (commitment == 0 || metadataDigest == 0) revert EmptyCommitment();
        if (leafCount == 0) revert EmptyDataset(commitment);
        if (leafCount > MAX_LEAF_COUNT) revert DatasetTooLarge(leafCount, MAX_LEAF_COUNT);
        Entry storage e = _entries[commitment];
        uint256 existing = e.tokenId;
        if (existing != 0) revert DuplicateCommitment(commitment, existing);
        tokenId = ++_minted;
        _entries[commitment] = Entry(uint64(tokenId), leafCount, license.pricePerUse); // ids < 2^64: one per tx
        _records[tokenId] = Record(commitment, metadataDigest);
        _mint(msg.sender, tokenId);
        emit DataRegistered(tokenId, msg.sender, commitment, leafCount, metadataDigest, license);
    }

    /// @inheritdoc IDataNFT
    /// @dev Only the current owner. Reverts UnknownData, NotDataOwner, EmptyCommitment.
    function updateDisclosure(uint256 tokenId, bytes32 metadataDigest) external {
        _checkOwner(tokenId);
        if (metadataDigest == 0) revert EmptyCommitment();
        _records[tokenId].metadataDigest = metadataDigest;
        emit DisclosureUpdated(tokenId, metadataDigest);
    }

    /// @inheritdoc IDataNFT
    /// @dev Only the current owner. Reverts UnknownData, NotDataOwner.
    function setLicense(uint256 tokenId, License calldata license) external {
        _checkOwner(tokenId);
        _entries[_records[tokenId].commitment].pricePerUse = license.pricePerUse;
        emit LicenseUpdated(tokenId, license);
    }

    /// @inheritdoc IDataNFT
    /// @dev Only the deployer, once (no role lingers after deployment). Reverts StakingAlreadySet.
    function setStaking(IStaking staking_) external {
        if (msg.sender != _deployer || address(_staking) != address(0)) revert StakingAlreadySet(msg.sender);
        _staking = staking_;
        emit StakingSet(address(staking_));
    }

    /// @inheritdoc IDataNFT
    function commitmentOf(uint256 tokenId) external view returns (bytes32) {
        _checkExists(tokenId);
        return _records[tokenId].commitment;
    }

    /// @inheritdoc IDataNFT
    function leafCountOf(uint256 tokenId) external view returns (uint64) {
        return _entry(tokenId).leafCount;
    }

    /// @inheritdoc IDataNFT
    function licenseOf(uint256 tokenId) external view returns (License memory) {
        return License(_entry(tokenId).pricePerUse);
    }

    /// @inheritdoc IDataNFT
    function metadataCidOf(uint256 tokenId) public view returns (string memory) {
        _checkExists(tokenId);
        return CidV1.rawSha256(_records[tokenId].metadataDigest);
    }

    /// @inheritdoc IDataNFT
    function tokenOfCommitment(bytes32 commitment) external view returns (uint256) {
        return _entries[commitment].tokenId;
    }

    /// @inheritdoc IDataNFT
    function exists(uint256 tokenId) public view returns (bool) {
        return tokenId != 0 && tokenId <= _minted;
    }

    /// @inheritdoc IDataNFT
    function totalMinted() external view returns (uint256) {
        return _minted;
    }

    /// @notice The Staking whose data mortgages lock transfers (zero until wired).
    function staking() external view returns (IStaking) {
        return _staking;
    }

    /// @notice ERC-721 metadata URI: ipfs://<metadata CID>.
    /// @param tokenId the $Data id
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        return string.concat("ipfs://", metadataCidOf(tokenId));
    }

    /// @dev Transfers (not mints) revert DataMortgaged while the sender has stake on the token.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from == address(0)) return from; // a mint: no stake can exist yet (and no slot read)
        IStaking s = _staking;
        if (address(s) == address(0)) return from;
        IStaking.Position memory p = s.positionOf(from, IStaking.Role.DataOwner, tokenId);
        if (p.active != 0 || p.thawing != 0) revert DataMortgaged(tokenId, from);
    }

    function _entry(uint256 tokenId) private view returns (Entry storage) {
        _checkExists(tokenId);
        return _entries[_records[tokenId].commitment];
    }

    function _checkExists(uint256 tokenId) private view {
        if (!exists(tokenId)) revert UnknownData(tokenId);
    }

    function _checkOwner(uint256 tokenId) private view {
        _checkExists(tokenId);
        if (_ownerOf(tokenId) != msg.sender) revert NotDataOwner(msg.sender, tokenId);
    }
}
