// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "../utils/Test.sol";
import {CapToken} from "../../contracts/token/CapToken.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract CapTokenTest is Test {
    CapToken internal token;
    address internal admin;
    address internal alice;

    function setUp() public {
        admin = makeAddr("admin");
        alice = makeAddr("alice");
        token = new CapToken(admin);
        vm.startPrank(admin);
        token.grantRole(token.MINTER_ROLE(), admin);
        vm.stopPrank();
    }

    function test_metadata() public view {
        vm.assertEq(token.name(), "CapToken");
        vm.assertEq(token.symbol(), "CAP");
        vm.assertEq(uint256(token.decimals()), 18);
        vm.assertTrue(token.hasRole(token.DEFAULT_ADMIN_ROLE(), admin));
    }

    function test_mint_byMinter() public {
        vm.prank(admin);
        token.mint(alice, 5e18);
        vm.assertEq(token.balanceOf(alice), 5e18);
        vm.assertEq(token.totalSupply(), 5e18);
    }

    function test_mint_revertsWithoutRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, token.MINTER_ROLE()
            )
        );
        vm.prank(alice);
        token.mint(alice, 1);
    }

    function test_burn_reducesSupply() public {
        vm.prank(admin);
        token.mint(alice, 10);
        vm.prank(alice);
        token.burn(4);
        vm.assertEq(token.totalSupply(), 6);
    }

    function test_permit_setsAllowance() public {
        uint256 pk = 0xA11CE;
        address owner = vm.addr(pk);
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                uint256(123),
                token.nonces(owner),
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(pk, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        token.permit(owner, spender, 123, deadline, v, r, s);
        vm.assertEq(token.allowance(owner, spender), 123);
        vm.assertEq(token.nonces(owner), 1);
    }

    function testFuzz_mintBurn_conservesSupply(uint96 minted, uint96 burned) public {
        burned = uint96(bound(burned, 0, minted));
        vm.prank(admin);
        token.mint(alice, minted);
        vm.prank(alice);
        token.burn(burned);
        vm.assertEq(token.totalSupply(), uint256(minted) - burned);
        vm.assertEq(token.balanceOf(alice), token.totalSupply());
    }
}
