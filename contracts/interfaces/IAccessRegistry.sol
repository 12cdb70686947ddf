// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Access to $Data: requests, owner approval, credentials issued by the contract, revocation.
/// @dev Every step emits an event, so the log is the audit trail.
interface IAccessRegistry {
    /// @notice Where a request stands.
    enum RequestStatus {
        None,
        Pending,
        Approved,
        Denied,
        Cancelled
    }

    /// @notice An access request.
    struct Request {
        address requester;
        RequestStatus status;
        uint256 dataId;
        string purposeCid;
    }

    /// @notice An access credential.
    struct Credential {
        address holder;
        uint64 issuedAt;
        uint64 expiresAt;
        bool revoked;
        uint256 dataId;
        uint256 requestId;
    }

    /// @notice Thrown when a $Data does not exist.
    error UnknownData(uint256 dataId);
    /// @notice Thrown when a CID is empty.
    error EmptyCid();
    /// @notice Thrown when a request does not exist.
    error UnknownRequest(uint256 requestId);
    /// @notice Thrown when a request is no longer pending.
    error RequestNotPending(uint256 requestId, RequestStatus status);
    /// @notice Thrown when the caller does not own the $Data.
    error NotDataOwner(address caller, uint256 dataId);
    /// @notice Thrown when the caller is not the requester.
    error NotRequester(address caller, uint256 requestId);
    /// @notice Thrown when an access duration is zero or above the maximum.
    error BadDuration(uint256 duration, uint256 max);
    /// @notice Thrown when a credential does not exist.
    error UnknownCredential(uint256 credentialId);
    /// @notice Thrown when a credential was revoked.
    error CredentialRevoked(uint256 credentialId);
    /// @notice Thrown when a credential has expired.
    error CredentialExpired(uint256 credentialId, uint256 expiredAt);
    /// @notice Thrown when a newer credential for the same (data, user) replaced this one.
    error CredentialSuperseded(uint256 credentialId, uint256 latestId);
    /// @notice Thrown when the caller does not hold the credential.
    error NotCredentialHolder(address caller, uint256 credentialId);

    /// @notice Emitted when access to a $Data is requested.
    /// @param requestId the new request
    /// @param dataId the $Data
    /// @param requester who asks
    /// @param purposeCid CID of the purpose statement
    event AccessRequested(uint256 indexed requestId, uint256 indexed dataId, address indexed requester, string purposeCid);
    /// @notice Emitted when the owner approves a request and a credential is issued.
    /// @param requestId the request
    /// @param credentialId the credential issued
    /// @param dataId the $Data
    /// @param holder the requester, now holder
    /// @param expiresAt when the credential expires (unix seconds)
    event AccessApproved(
        uint256 indexed requestId, uint256 indexed credentialId, uint256 indexed dataId, address holder, uint64 expiresAt
    );
    /// @notice Emitted when the owner denies a request.
    /// @param requestId the request
    /// @param dataId the $Data
    /// @param owner who denied it
    /// @param reasonCid CID of the reason
    event AccessDenied(uint256 indexed requestId, uint256 indexed dataId, address indexed owner, string reasonCid);
    /// @notice Emitted when the requester withdraws a pending request.
    /// @param requestId the request
    event RequestCancelled(uint256 indexed requestId);
    /// @notice Emitted when the owner revokes a credential.
    /// @param credentialId the credential
    /// @param dataId the $Data
    /// @param owner who revoked it
    event CredentialRevokedBy(uint256 indexed credentialId, uint256 indexed dataId, address indexed owner);
    /// @notice Emitted when a holder uses a valid credential (an access to the data).
    /// @param credentialId the credential
    /// @param dataId the $Data
    /// @param holder who used it
    event CredentialUsed(uint256 indexed credentialId, uint256 indexed dataId, address indexed holder);

    /// @notice Ask the owner of a $Data for access, stating a purpose.
    function requestAccess(uint256 dataId, string calldata purposeCid) external returns (uint256 requestId);
    /// @notice Withdraw your own pending request.
    function cancelRequest(uint256 requestId) external;
    /// @notice Approve a pending request and issue a credential valid for `duration` seconds; only the owner.
    function approve(uint256 requestId, uint64 duration) external returns (uint256 credentialId);
    /// @notice Deny a pending request with a reason; only the owner.
    function deny(uint256 requestId, string calldata reasonCid) external;
    /// @notice Revoke a credential; only the current owner of its $Data.
    function revoke(uint256 credentialId) external;
    /// @notice Record a use of a credential; only its holder, only while valid.
    function useCredential(uint256 credentialId) external;
    /// @notice Revert unless a credential is valid (UnknownCredential, CredentialRevoked, CredentialExpired).
    function checkCredential(uint256 credentialId) external view returns (uint256 dataId, address holder, uint64 expiresAt);
    /// @notice Whether a credential is valid now.
    function isValid(uint256 credentialId) external view returns (bool);
    /// @notice Whether a user holds a valid credential for a $Data (the latest one issued).
    function hasAccess(uint256 dataId, address user) external view returns (bool);
    /// @notice A request.
    function request(uint256 requestId) external view returns (Request memory);
    /// @notice A credential.
    function credential(uint256 credentialId) external view returns (Credential memory);
    /// @notice The latest credential issued to a user for a $Data, or 0.
    function credentialOf(uint256 dataId, address user) external view returns (uint256);
}
