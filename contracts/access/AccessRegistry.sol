// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessRegistry} from "../interfaces/IAccessRegistry.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";

/// @title AccessRegistry: data-sharing requests, approvals and credentials for $Data (seed 002).
/// @dev The current owner of a $Data decides; credentials expire and can be revoked. Only the latest
/// credential of a (data, user) pair counts: a new approval supersedes the older ones, and revoking
/// the latest leaves the user without access rather than reviving an older credential.
contract AccessRegistry is AccessControl, IAccessRegistry {
    /// @notice Longest access a single credential may grant.
    uint64 public constant MAX_DURATION = 365 days;

    IDataNFT private immutable _data;
    uint256 private _requestCount;
    uint256 private _credentialCount;
    mapping(uint256 requestId => Request) private _requests;
    mapping(uint256 credentialId => Credential) private _credentials;
    mapping(uint256 dataId => mapping(address user => uint256 credentialId)) private _latest;

    /// @param data the $Data collection
    /// @param admin receives DEFAULT_ADMIN_ROLE (reserved for regulator powers granted by governance)
    constructor(IDataNFT data, address admin) {
        _data = data;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IAccessRegistry
    /// @dev Reverts UnknownData, EmptyCid.
    function requestAccess(uint256 dataId, string calldata purposeCid) external returns (uint256 requestId) {
        if (!_data.exists(dataId)) revert UnknownData(dataId);
        if (bytes(purposeCid).length == 0) revert EmptyCid();
        requestId = ++_requestCount;
        _requests[requestId] =
            Request({requester: msg.sender, status: RequestStatus.Pending, dataId: dataId, purposeCid: purposeCid});
        emit AccessRequested(requestId, dataId, msg.sender, purposeCid);
    }

    /// @inheritdoc IAccessRegistry
    /// @dev Reverts UnknownRequest, NotRequester, RequestNotPending.
    function cancelRequest(uint256 requestId) external {
        Request storage r = _pending(requestId);
        if (r.requester != msg.sender) revert NotRequester(msg.sender, requestId);
        r.status = RequestStatus.Cancelled;
        emit RequestCancelled(requestId);
    }

    /// @inheritdoc IAccessRegistry
    /// @dev Reverts UnknownRequest, RequestNotPending, NotDataOwner, BadDuration.
    function approve(uint256 requestId, uint64 duration) external returns (uint256 credentialId) {
        Request storage r = _pending(requestId);
        uint256 dataId = r.dataId;
        _checkOwner(dataId);
        if (duration == 0 || duration > MAX_DURATION) revert BadDuration(duration, MAX_DURATION);
        r.status = RequestStatus.Approved;
        credentialId = ++_credentialCount;
        uint64 expiresAt = uint64(block.timestamp) + duration;
        address holder = r.requester;
        _credentials[credentialId] = Credential({
            holder: holder,
            issuedAt: uint64(block.timestamp),
            expiresAt: expiresAt,
            revoked: false,
            dataId: dataId,
            requestId: requestId
        });
        _latest[dataId][holder] = credentialId;
        emit AccessApproved(requestId, credentialId, dataId, holder, expiresAt);
    }

    /// @inheritdoc IAccessRegistry
    /// @dev Reverts UnknownRequest, RequestNotPending, NotDataOwner, EmptyCid.
    function deny(uint256 requestId, string calldata reasonCid) external {
        Request storage r = _pending(requestId);
        _checkOwner(r.dataId);
        if (bytes(reasonCid).length == 0) revert EmptyCid();
        r.status = RequestStatus.Denied;
        emit AccessDenied(requestId, r.dataId, msg.sender, reasonCid);
    }

    /// @inheritdoc IAccessRegistry
    /// @dev Reverts UnknownCredential, NotDataOwner, CredentialRevoked (already revoked).
    function revoke(uint256 credentialId) external {
        Credential storage c = _existing(credentialId);
        _checkOwner(c.dataId);
        if (c.revoked) revert CredentialRevoked(credentialId);
        c.revoked = true;
        emit CredentialRevokedBy(credentialId, c.dataId, msg.sender);
    }

    /// @inheritdoc IAccessRegistry
    /// @dev Reverts UnknownCredential, NotCredentialHolder, CredentialRevoked, CredentialExpired.
    function useCredential(uint256 credentialId) external {
        Credential storage c = _existing(credentialId);
        if (c.holder != msg.sender) revert NotCredentialHolder(msg.sender, credentialId);
        _checkValid(credentialId, c);
        emit CredentialUsed(credentialId, c.dataId, msg.sender);
    }

    /// @inheritdoc IAccessRegistry
    function checkCredential(uint256 credentialId)
        external
        view
        returns (uint256 dataId, address holder, uint64 expiresAt)
    {
        Credential storage c = _existing(credentialId);
        _checkValid(credentialId, c);
        return (c.dataId, c.holder, c.expiresAt);
    }

    /// @inheritdoc IAccessRegistry
    function isValid(uint256 credentialId) public view returns (bool) {
        Credential storage c = _credentials[credentialId];
        return c.holder != address(0) && !c.revoked && block.timestamp < c.expiresAt
            && _latest[c.dataId][c.holder] == credentialId;
    }

    /// @inheritdoc IAccessRegistry
    function hasAccess(uint256 dataId, address user) external view returns (bool) {
        return isValid(_latest[dataId][user]);
    }

    /// @inheritdoc IAccessRegistry
    function request(uint256 requestId) external view returns (Request memory) {
        if (_requests[requestId].status == RequestStatus.None) revert UnknownRequest(requestId);
        return _requests[requestId];
    }

    /// @inheritdoc IAccessRegistry
    function credential(uint256 credentialId) external view returns (Credential memory) {
        return _existing(credentialId);
    }

    /// @inheritdoc IAccessRegistry
    function credentialOf(uint256 dataId, address user) external view returns (uint256) {
        return _latest[dataId][user];
    }

    function _pending(uint256 requestId) private view returns (Request storage r) {
        r = _requests[requestId];
        if (r.status == RequestStatus.None) revert UnknownRequest(requestId);
        if (r.status != RequestStatus.Pending) revert RequestNotPending(requestId, r.status);
    }

    function _existing(uint256 credentialId) private view returns (Credential storage c) {
        c = _credentials[credentialId];
        if (c.holder == address(0)) revert UnknownCredential(credentialId);
    }

    function _checkOwner(uint256 dataId) private view {
        if (_data.ownerOf(dataId) != msg.sender) revert NotDataOwner(msg.sender, dataId);
    }

    function _checkValid(uint256 credentialId, Credential storage c) private view {
        if (c.revoked) revert CredentialRevoked(credentialId);
        uint256 latest = _latest[c.dataId][c.holder];
        if (latest != credentialId) revert CredentialSuperseded(credentialId, latest);
        if (block.timestamp >= c.expiresAt) revert CredentialExpired(credentialId, c.expiresAt);
    }
}
