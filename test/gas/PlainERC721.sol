// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @notice Test-only peer for the $Data mint gas target: a plain OpenZeppelin ERC-721 `_mint`, alone or
/// followed by `words` fresh 32-byte storage writes (the storage floor of a mint that must keep them).
contract PlainERC721 is ERC721 {
    mapping(uint256 tokenId => bytes32[3]) private _words;

    constructor() ERC721("Plain", "PLAIN") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function mintWithWords(address to, uint256 tokenId, uint256 words) external {
        _mint(to, tokenId);
        for (uint256 i; i < words; ++i) {
            _words[tokenId][i] = bytes32(tokenId + i);
        }
    }
}
