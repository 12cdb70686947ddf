// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetsBase} from "../utils/AssetsBase.sol";
import {IAccessRegistry} from "../../contracts/interfaces/IAccessRegistry.sol";

contract AccessRegistryTest is AssetsBase {
    event AccessRequested(uint256 indexed requestId, uint256 indexed dataId, address indexed requester, string purposeCid);
    event AccessApproved(
        uint256 indexed requestId, uint256 indexed credentialId, uint256 indexed dataId, address holder, uint64 expiresAt
    );
    event AccessDenied(uint256 indexed requestId, uint256 indexed dataId, address indexed owner, string reasonCid);
    event RequestCancelled(uint256 indexed requestId);
    event CredentialRevokedBy(uint256 indexed credentialId, uint256 indexed dataId, address indexed owner);
    event CredentialUsed(uint256 indexed credentialId, uint256 indexed dataId, address indexed holder);

    address internal owner;
    address internal requester;
    uint256 internal dataId;

    function setUp() public {
        _deploy();
        owner = makeAddr("owner");
        requester = makeAddr("requester");
        dataId = _mintData(owner);
        vm.warp(1_000_000);
    }

    function _request() internal returns (uint256) {
        vm.prank(requester);
        return registry.requestAccess(dataId, "bafkreipurpose");
    }

    function _approved(uint64 duration) internal returns (uint256 credentialId) {
        uint256 rid = _request();
        vm.prank(owner);
        credentialId = registry.approve(rid, duration);
    }

    function test_requestAccess_recordsRequest() public {
        vm.expectEmit(true, true, true, true, address(registry));
        emit AccessRequested(1, dataId, requester, "bafkreipurpose");
        uint256 rid = _request();
        IAccessRegistry.Request memory r = registry.request(rid);
        vm.assertEq(r.requester, requester);
        vm.assertEq(r.dataId, dataId);
        vm.assertTrue(r.status == IAccessRegistry.RequestStatus.Pending);
    }

    function test_requestAccess_revertsForUnknownData() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.UnknownData.selector, uint256(42)));
        registry.requestAccess(42, "p");
    }

    function test_requestAccess_revertsOnEmptyCid() public {
        vm.expectRevert(IAccessRegistry.EmptyCid.selector);
        registry.requestAccess(dataId, "");
    }

    function test_approve_issuesCredential() public {
        uint256 rid = _request();
        vm.expectEmit(true, true, true, true, address(registry));
        emit AccessApproved(rid, 1, dataId, requester, uint64(block.timestamp + 1 days));
        vm.prank(owner);
        uint256 cid = registry.approve(rid, 1 days);
        vm.assertTrue(registry.isValid(cid));
        vm.assertTrue(registry.hasAccess(dataId, requester));
        vm.assertEq(registry.credentialOf(dataId, requester), cid);
        IAccessRegistry.Credential memory c = registry.credential(cid);
        vm.assertEq(c.holder, requester);
        vm.assertEq(uint256(c.expiresAt), block.timestamp + 1 days);
        vm.assertEq(c.requestId, rid);
        (uint256 d, address h, uint64 exp) = registry.checkCredential(cid);
        vm.assertEq(d, dataId);
        vm.assertEq(h, requester);
        vm.assertEq(uint256(exp), block.timestamp + 1 days);
        vm.assertTrue(registry.request(rid).status == IAccessRegistry.RequestStatus.Approved);
    }

    function test_approve_revertsForNonOwner() public {
        uint256 rid = _request();
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.NotDataOwner.selector, requester, dataId));
        vm.prank(requester);
        registry.approve(rid, 1 days);
    }

    function test_approve_revertsOnBadDuration() public {
        uint256 rid = _request();
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.BadDuration.selector, uint256(0), uint256(365 days)));
        vm.prank(owner);
        registry.approve(rid, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessRegistry.BadDuration.selector, uint256(366 days), uint256(365 days))
        );
        vm.prank(owner);
        registry.approve(rid, 366 days);
    }

    function test_approve_revertsWhenNotPending() public {
        _approved(1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessRegistry.RequestNotPending.selector, uint256(1), IAccessRegistry.RequestStatus.Approved
            )
        );
        vm.prank(owner);
        registry.approve(1, 1 days);
    }

    function test_approve_revertsForUnknownRequest() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.UnknownRequest.selector, uint256(9)));
        vm.prank(owner);
        registry.approve(9, 1 days);
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.UnknownRequest.selector, uint256(9)));
        registry.request(9);
    }

    function test_deny_recordsReason() public {
        uint256 rid = _request();
        vm.expectEmit(true, true, true, true, address(registry));
        emit AccessDenied(rid, dataId, owner, "bafkreireason");
        vm.prank(owner);
        registry.deny(rid, "bafkreireason");
        vm.assertTrue(registry.request(rid).status == IAccessRegistry.RequestStatus.Denied);
        vm.assertFalse(registry.hasAccess(dataId, requester));
    }

    function test_deny_revertsForNonOwner() public {
        uint256 rid = _request();
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.NotDataOwner.selector, user, dataId));
        vm.prank(user);
        registry.deny(rid, "r");
    }

    function test_deny_revertsOnEmptyCid() public {
        uint256 rid = _request();
        vm.expectRevert(IAccessRegistry.EmptyCid.selector);
        vm.prank(owner);
        registry.deny(rid, "");
    }

    function test_cancelRequest_byRequester() public {
        uint256 rid = _request();
        vm.expectEmit(true, false, false, false, address(registry));
        emit RequestCancelled(rid);
        vm.prank(requester);
        registry.cancelRequest(rid);
        vm.assertTrue(registry.request(rid).status == IAccessRegistry.RequestStatus.Cancelled);
    }

    function test_cancelRequest_revertsForOthers() public {
        uint256 rid = _request();
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.NotRequester.selector, owner, rid));
        vm.prank(owner);
        registry.cancelRequest(rid);
    }

    function test_revoke_byOwner() public {
        uint256 cid = _approved(1 days);
        vm.expectEmit(true, true, true, false, address(registry));
        emit CredentialRevokedBy(cid, dataId, owner);
        vm.prank(owner);
        registry.revoke(cid);
        vm.assertFalse(registry.isValid(cid));
        vm.assertFalse(registry.hasAccess(dataId, requester));
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.CredentialRevoked.selector, cid));
        registry.checkCredential(cid);
    }

    function test_revoke_revertsTwice() public {
        uint256 cid = _approved(1 days);
        vm.prank(owner);
        registry.revoke(cid);
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.CredentialRevoked.selector, cid));
        vm.prank(owner);
        registry.revoke(cid);
    }

    function test_revoke_revertsForNonOwner() public {
        uint256 cid = _approved(1 days);
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.NotDataOwner.selector, requester, dataId));
        vm.prank(requester);
        registry.revoke(cid);
    }

    function test_revoke_revertsForUnknownCredential() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.UnknownCredential.selector, uint256(5)));
        registry.revoke(5);
    }

    function test_attack_revokeLatestLeavesOlderCredentialValid_fails() public {
        uint256 old = _approved(365 days);
        uint256 latest = _approved(1 days);
        vm.prank(owner);
        registry.revoke(latest);
        vm.assertFalse(registry.hasAccess(dataId, requester));
        vm.assertFalse(registry.isValid(old));
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.CredentialSuperseded.selector, old, latest));
        vm.prank(requester);
        registry.useCredential(old);
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.CredentialSuperseded.selector, old, latest));
        registry.checkCredential(old);
    }

    function test_newApproval_supersedesOlderCredential() public {
        uint256 old = _approved(365 days);
        uint256 latest = _approved(1 days);
        vm.assertFalse(registry.isValid(old));
        vm.assertTrue(registry.isValid(latest));
        vm.warp(block.timestamp + 1 days);
        vm.assertFalse(registry.hasAccess(dataId, requester)); // the short new term replaced the long one
    }

    function test_useCredential_byHolder() public {
        uint256 cid = _approved(1 days);
        vm.expectEmit(true, true, true, false, address(registry));
        emit CredentialUsed(cid, dataId, requester);
        vm.prank(requester);
        registry.useCredential(cid);
    }

    function test_useCredential_revertsForNonHolder() public {
        uint256 cid = _approved(1 days);
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.NotCredentialHolder.selector, owner, cid));
        vm.prank(owner);
        registry.useCredential(cid);
    }

    function test_useCredential_revertsWhenExpired() public {
        uint256 cid = _approved(1 days);
        uint256 expiresAt = block.timestamp + 1 days;
        vm.warp(expiresAt);
        vm.assertFalse(registry.isValid(cid));
        vm.assertFalse(registry.hasAccess(dataId, requester));
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.CredentialExpired.selector, cid, expiresAt));
        vm.prank(requester);
        registry.useCredential(cid);
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.CredentialExpired.selector, cid, expiresAt));
        registry.checkCredential(cid);
    }

    function test_credential_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.UnknownCredential.selector, uint256(1)));
        registry.credential(1);
        vm.assertFalse(registry.isValid(1));
    }

    function test_ownerTransfer_movesAuthority() public {
        uint256 cid = _approved(1 days);
        address newOwner = makeAddr("newOwner");
        vm.prank(owner);
        data.transferFrom(owner, newOwner, dataId);
        vm.expectRevert(abi.encodeWithSelector(IAccessRegistry.NotDataOwner.selector, owner, dataId));
        vm.prank(owner);
        registry.revoke(cid);
        vm.prank(newOwner);
        registry.revoke(cid);
    }

    function testFuzz_hasAccess_untilExpiry(uint64 duration, uint64 elapsed) public {
        duration = uint64(bound(duration, 1, 365 days));
        elapsed = uint64(bound(elapsed, 0, 2 * 365 days));
        uint256 cid = _approved(duration);
        vm.warp(block.timestamp + elapsed);
        vm.assertEq(registry.hasAccess(dataId, requester), elapsed < duration);
        vm.assertEq(registry.isValid(cid), elapsed < duration);
    }
}
