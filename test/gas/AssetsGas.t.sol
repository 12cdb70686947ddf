// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetsBase} from "../utils/AssetsBase.sol";
import {PlainERC721} from "./PlainERC721.sol";
import {IDataNFT} from "../../contracts/interfaces/IDataNFT.sol";

/// @notice Gas figures recorded in .gas-snapshot (`forge snapshot --match-test test_gas_`).
/// Each test body is the measured operation alone; everything else happens in setUp.
contract AssetsGasTest is AssetsBase {
    string internal constant CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    PlainERC721 internal plain;
    address internal alice;
    uint256[] internal ids10;
    uint16[] internal weights10;
    uint256 internal model1;
    uint256 internal model50;
    uint256 internal pid1;
    uint256 internal claimData;

    function setUp() public {
        _deploy();
        plain = new PlainERC721();
        alice = makeAddr("alice");

        for (uint256 i; i < 10; ++i) {
            ids10.push(_mintData(_owner(i)));
            weights10.push(1000);
        }

        (pid1,,) = _portfolio(1);
        (uint256 pid50,,) = _portfolio(50);
        model1 = _listed(pid1, 1e18);
        model50 = _listed(pid50, 1e18);
        _fund(user, 100e18);
        // first use of each model in setUp (it freezes the portfolio and opens the balances), so the
        // measured use is the steady-state one and both sizes run the very same code path
        vm.startPrank(user);
        market.useModel(model1, type(uint256).max);
        market.useModel(model50, type(uint256).max);
        vm.stopPrank();
        (uint256[] memory members,) = portfolios.compositionOf(pid1);
        claimData = members[0];
    }

    function test_gas_mintPlainERC721() public {
        plain.mint(alice, 1);
    }

    /// @dev The storage floor of a $Data mint, one fresh slot at a time on top of OZ's `_mint` (owner and
    /// balance). Each slot is read on chain, so none can go: (1) the commitment index, keyed by commitment,
    /// packing token id, leaf count and licence (the duplicate check, `leafCountOf` for joins and
    /// challenges, `licenseOf` for payouts); (2) the commitment by token id (`commitmentOf`, the possession
    /// proofs' public input; ids are sequential, so it is not the id); (3) the metadata CID's 32-byte
    /// digest (`tokenURI`). Two 32-byte values cannot share a slot, so 1.6x (one slot beyond OZ's two) is
    /// below this floor. test_gas_mintData minus the 3-slot floor is the counter, the checks and the event.
    function test_gas_mintPlainERC721_plus1Slot_commitmentIndex() public {
        plain.mintWithWords(alice, 1, 1);
    }

    function test_gas_mintPlainERC721_plus2Slots_commitmentOf() public {
        plain.mintWithWords(alice, 1, 2);
    }

    function test_gas_mintPlainERC721_plus3Slots_metadataDigest() public {
        plain.mintWithWords(alice, 1, 3);
    }

    function test_gas_mintData() public {
        vm.prank(alice);
        data.mint(keccak256("gas dataset"), 1_000, keccak256("gas metadata"), IDataNFT.License(1e18));
    }

    function test_gas_createPortfolio10() public {
        vm.prank(curator);
        portfolios.create(ids10, weights10, CID);
    }

    function test_gas_useModel_portfolio1() public {
        vm.prank(user);
        market.useModel(model1, type(uint256).max);
    }

    function test_gas_useModel_portfolio50() public {
        vm.prank(user);
        market.useModel(model50, type(uint256).max);
    }

    function test_gas_claim() public {
        market.claimDataShare(pid1, claimData);
    }
}
