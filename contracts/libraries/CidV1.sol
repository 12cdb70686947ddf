// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CidV1: the base32 text of a CIDv1 (raw codec, sha2-256) from its 32-byte digest.
/// @notice `ipfs add --cid-version 1` gives such a CID for any file of at most one 256 KiB chunk:
/// "b" (multibase base32) + base32-lower-unpadded(0x01 version, 0x55 raw, 0x12 sha2-256, 0x20 length, digest),
/// always 59 characters starting "bafkrei". Storing the digest instead of the text saves two slots per token.
library CidV1 {
    bytes32 private constant _ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    /// @dev The four header bytes: CIDv1, raw codec, sha2-256 multihash of 32 bytes.
    bytes4 private constant _RAW_SHA256_PREFIX = 0x01551220;

    /// @notice The CID string ("bafkrei...") of a raw block whose sha2-256 digest is `digest`.
    /// @param digest the sha2-256 digest of the block
    function rawSha256(bytes32 digest) internal pure returns (string memory) {
        bytes memory input = abi.encodePacked(_RAW_SHA256_PREFIX, digest);
        bytes memory out = new bytes(59); // 1 + ceil(36 * 8 / 5)
        out[0] = "b";
        uint256 o = 1;
        uint256 buffer = 0;
        uint256 bits = 0;
        for (uint256 i; i < input.length; ++i) {
            buffer = (buffer << 8) | uint8(input[i]); // only the low `bits` + 8 bits are ever read
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[o++] = _ALPHABET[(buffer >> bits) & 31];
            }
        }
        out[o] = _ALPHABET[(buffer << (5 - bits)) & 31]; // 288 bits leave 3: one final, zero-padded character
        return string(out);
    }
}
