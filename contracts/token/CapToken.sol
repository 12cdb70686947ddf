// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title CapToken: the datacap utility token (fees, stakes, rewards), with EIP-2612 permit.
/// @dev Minting is restricted to MINTER_ROLE (treasury, emission schedule); anyone may burn their own
/// tokens, which is how slashed stake is destroyed.
contract CapToken is ERC20, ERC20Burnable, ERC20Permit, AccessControl {
    /// @notice Role allowed to mint new tokens.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants MINTER_ROLE after deployment)
    constructor(address admin) ERC20("CapToken", "CAP") ERC20Permit("CapToken") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Mint `amount` tokens to `to`.
    /// @dev Only MINTER_ROLE.
    /// @param to receiver
    /// @param amount amount in wei
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }
}
