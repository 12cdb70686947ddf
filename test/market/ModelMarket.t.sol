// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetsBase} from "../utils/AssetsBase.sol";
import {IModelMarket} from "../../contracts/interfaces/IModelMarket.sol";
import {IUsageHook} from "../../contracts/interfaces/IUsageHook.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract RecordingHook is IUsageHook {
    uint256 public calls;
    uint256 public lastModel;
    uint256 public lastPortfolio;
    address public lastUser;
    uint256 public lastFee;

    function onModelUsed(uint256 modelId, uint256 portfolioId, address user_, uint256 fee) external {
        calls++;
        (lastModel, lastPortfolio, lastUser, lastFee) = (modelId, portfolioId, user_, fee);
    }
}

contract ModelMarketTest is AssetsBase {
    event PriceSet(uint256 indexed modelId, uint256 price);
    event ModelUsed(
        uint256 indexed modelId,
        uint256 indexed portfolioId,
        address indexed user,
        uint256 fee,
        address trainer,
        address curator,
        uint256 dataShare
    );
    event FeeSplitUpdated(IModelMarket.FeeSplit split);
    event DataShareClaimed(uint256 indexed portfolioId, uint256 indexed dataId, address indexed owner, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event UsageHookSet(address indexed hook);
    event TreasuryUpdated(address indexed treasury);
    event PortfolioFrozenBy(uint256 indexed portfolioId, address indexed by);

    uint256 internal constant PRICE = 100e18;
    uint256 internal pid;
    uint256[] internal ids;
    uint256 internal modelId;

    function setUp() public {
        _deploy();
        uint16[] memory w;
        (pid, ids, w) = _portfolio(3); // weights 3334, 3333, 3333
        modelId = _listed(pid, PRICE);
    }

    // ---- setPrice ----

    function test_setPrice_byOwner() public {
        vm.expectEmit(true, false, false, true, address(market));
        emit PriceSet(modelId, 7);
        vm.prank(trainer);
        market.setPrice(modelId, 7);
        vm.assertEq(market.priceOf(modelId), 7);
    }

    function test_setPrice_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.NotModelOwner.selector, user, modelId));
        vm.prank(user);
        market.setPrice(modelId, 7);
    }

    function test_setPrice_revertsForUnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.UnknownModel.selector, uint256(9)));
        market.setPrice(9, 7);
    }

    // ---- useModel ----

    function test_useModel_splitsFee() public {
        _fund(user, PRICE);
        vm.expectEmit(true, true, false, false, address(portfolios));
        emit PortfolioFrozenBy(pid, address(market));
        vm.expectEmit(true, true, true, true, address(market));
        emit ModelUsed(modelId, pid, user, PRICE, trainer, curator, 40e18);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);

        vm.assertEq(token.balanceOf(address(market)), PRICE);
        vm.assertEq(market.owedOf(trainer), 40e18);
        vm.assertEq(market.owedOf(curator), 10e18);
        vm.assertEq(market.owedOf(treasury), 10e18);
        vm.assertEq(market.claimable(pid, ids[0]), 40e18 * 3334 / 10_000);
        vm.assertEq(market.claimable(pid, ids[1]), 40e18 * 3333 / 10_000);
        vm.assertEq(market.accPerBps(pid), 40e18 * 1e14);
        vm.assertTrue(market.canUse(user, modelId));
        vm.assertEq(market.usesOf(user, modelId), 1);
        vm.assertTrue(portfolios.isFrozen(pid));
    }

    function test_attack_priceRaisedInFrontOfStandingAllowance_fails() public {
        _fund(user, 1_000 * PRICE); // a standing, generous allowance
        vm.prank(trainer);
        market.setPrice(modelId, 500 * PRICE); // the owner front-runs the user's quoted use
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.PriceAboveMax.selector, 500 * PRICE, PRICE));
        vm.prank(user);
        market.useModel(modelId, PRICE);
        vm.assertEq(token.balanceOf(user), 1_000 * PRICE);
        vm.prank(user);
        market.useModel(modelId, 500 * PRICE); // an informed user may still pay the new price
        vm.assertEq(market.usesOf(user, modelId), 1);
    }

    function test_attack_priceRaisedInFrontOfPermit_fails() public {
        uint256 pk = 0xB0B;
        address payer = vm.addr(pk);
        vm.prank(admin);
        token.mint(payer, 1_000 * PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(pk, PRICE, deadline);
        vm.prank(trainer);
        market.setPrice(modelId, 500 * PRICE);
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.PriceAboveMax.selector, 500 * PRICE, PRICE));
        vm.prank(payer);
        market.useModelWithPermit(modelId, PRICE, deadline, v, r, s);
    }

    function test_useModel_revertsWithoutAllowance() public {
        vm.prank(admin);
        token.mint(user, PRICE);
        vm.prank(user);
        token.approve(address(market), PRICE - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IModelMarket.InsufficientAllowance.selector, user, PRICE, PRICE - 1)
        );
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        vm.assertFalse(market.canUse(user, modelId));
    }

    function test_useModel_revertsWhenNotForSale() public {
        uint256 unlisted = _model(pid);
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.ModelNotForSale.selector, unlisted));
        vm.prank(user);
        market.useModel(unlisted, type(uint256).max);
    }

    function test_useModel_worksWhenPortfolioAlreadyFrozen() public {
        vm.startPrank(admin);
        portfolios.grantRole(portfolios.FREEZER_ROLE(), admin);
        portfolios.freeze(pid); // e.g. JobMarket froze it when the job was posted
        vm.stopPrank();
        _fund(user, PRICE);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        vm.assertEq(market.usesOf(user, modelId), 1);
    }

    function test_useModel_paysCurrentTrainer() public {
        address buyer = makeAddr("buyer");
        vm.prank(trainer);
        models.transferFrom(trainer, buyer, modelId);
        _fund(user, PRICE);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        vm.assertEq(market.owedOf(buyer), 40e18);
        vm.assertEq(market.owedOf(trainer), 0);
    }

    function test_useModel_countsUses() public {
        _fund(user, 3 * PRICE);
        for (uint256 i; i < 3; ++i) {
            vm.prank(user);
            market.useModel(modelId, type(uint256).max);
        }
        vm.assertEq(market.usesOf(user, modelId), 3);
        vm.assertEq(market.owedOf(trainer), 120e18);
    }

    // ---- permit ----

    function _permitSig(uint256 pk, uint256 value, uint256 deadline) internal view returns (uint8, bytes32, bytes32) {
        address owner = vm.addr(pk);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                address(market),
                value,
                token.nonces(owner),
                deadline
            )
        );
        return vm.sign(pk, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }

    function test_useModelWithPermit_pays() public {
        uint256 pk = 0xB0B;
        address payer = vm.addr(pk);
        vm.prank(admin);
        token.mint(payer, PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(pk, PRICE, deadline);
        vm.prank(payer);
        market.useModelWithPermit(modelId, PRICE, deadline, v, r, s);
        vm.assertEq(market.usesOf(payer, modelId), 1);
        vm.assertEq(token.balanceOf(payer), 0);
        vm.assertEq(token.allowance(payer, address(market)), 0);
    }

    function test_useModelWithPermit_survivesFrontRunPermit() public {
        uint256 pk = 0xB0B;
        address payer = vm.addr(pk);
        vm.prank(admin);
        token.mint(payer, PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(pk, PRICE, deadline);
        token.permit(payer, address(market), PRICE, deadline, v, r, s); // someone submits it first
        vm.prank(payer);
        market.useModelWithPermit(modelId, PRICE, deadline, v, r, s);
        vm.assertEq(market.usesOf(payer, modelId), 1);
    }

    function test_useModelWithPermit_revertsOnBadSignature() public {
        uint256 pk = 0xB0B;
        address payer = vm.addr(pk);
        vm.prank(admin);
        token.mint(payer, PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(pk, PRICE - 1, deadline); // signed for the wrong value
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.InsufficientAllowance.selector, payer, PRICE, 0));
        vm.prank(payer);
        market.useModelWithPermit(modelId, PRICE, deadline, v, r, s);
    }

    function test_useModelWithPermit_revertsWhenNotForSale() public {
        uint256 unlisted = _model(pid);
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.ModelNotForSale.selector, unlisted));
        market.useModelWithPermit(unlisted, PRICE, 0, 0, bytes32(0), bytes32(0));
    }

    // ---- claims and withdrawals ----

    function test_claimDataShare_paysCurrentOwnerByWeight() public {
        _fund(user, PRICE);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        address newOwner = makeAddr("newOwner");
        vm.prank(_owner(1));
        data.transferFrom(_owner(1), newOwner, ids[1]);

        uint256 expected = 40e18 * 3333 / 10_000;
        vm.expectEmit(true, true, true, true, address(market));
        emit DataShareClaimed(pid, ids[1], newOwner, expected);
        uint256 paid = market.claimDataShare(pid, ids[1]); // anyone may trigger
        vm.assertEq(paid, expected);
        vm.assertEq(token.balanceOf(newOwner), expected);
        vm.assertEq(market.claimable(pid, ids[1]), 0);
    }

    function test_claimDataShare_accruesAcrossUses() public {
        _fund(user, 2 * PRICE);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        market.claimDataShare(pid, ids[0]);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        market.claimDataShare(pid, ids[0]);
        vm.assertEq(token.balanceOf(_owner(0)), 80e18 * 3334 / 10_000);
    }

    function test_claimDataShare_revertsWhenNothingToClaim() public {
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.NothingToClaim.selector, pid, ids[0]));
        market.claimDataShare(pid, ids[0]);
    }

    function test_claimDataShare_revertsWhenNotInPortfolio() public {
        uint256 outsider = _mintData(user);
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.NotInPortfolio.selector, pid, outsider));
        market.claimDataShare(pid, outsider);
    }

    function test_withdraw_paysOwed() public {
        _fund(user, PRICE);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        vm.expectEmit(true, false, false, true, address(market));
        emit Withdrawn(trainer, 40e18);
        vm.prank(trainer);
        vm.assertEq(market.withdraw(), 40e18);
        vm.assertEq(token.balanceOf(trainer), 40e18);
        vm.assertEq(market.owedOf(trainer), 0);
    }

    function test_withdraw_revertsWhenNothingOwed() public {
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.NothingToWithdraw.selector, user));
        vm.prank(user);
        market.withdraw();
    }

    // ---- parameters ----

    function test_setFeeSplit_byParamsRole() public {
        IModelMarket.FeeSplit memory s = IModelMarket.FeeSplit(5000, 500, 4000, 500);
        vm.expectEmit(false, false, false, true, address(market));
        emit FeeSplitUpdated(s);
        vm.prank(admin);
        market.setFeeSplit(s);
        vm.assertEq(uint256(market.feeSplit().trainerBps), 5000);
        vm.assertEq(uint256(market.feeSplit().treasuryBps), 500);
    }

    function test_setFeeSplit_revertsWhenNotNormalized() public {
        vm.expectRevert(abi.encodeWithSelector(IModelMarket.FeeSplitNotNormalized.selector, uint256(10_001)));
        vm.prank(admin);
        market.setFeeSplit(IModelMarket.FeeSplit(5001, 500, 4000, 500));
    }

    function test_setFeeSplit_revertsWithoutRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, user, market.PARAMS_ROLE()
            )
        );
        vm.prank(user);
        market.setFeeSplit(IModelMarket.FeeSplit(5000, 500, 4000, 500));
    }

    function test_setUsageHook_calledAfterUse() public {
        RecordingHook hook = new RecordingHook();
        vm.expectEmit(true, false, false, false, address(market));
        emit UsageHookSet(address(hook));
        vm.prank(admin);
        market.setUsageHook(hook);
        vm.assertEq(address(market.usageHook()), address(hook));
        _fund(user, PRICE);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        vm.assertEq(hook.calls(), 1);
        vm.assertEq(hook.lastModel(), modelId);
        vm.assertEq(hook.lastPortfolio(), pid);
        vm.assertEq(hook.lastUser(), user);
        vm.assertEq(hook.lastFee(), PRICE);
    }

    function test_setUsageHook_revertsWithoutRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, user, bytes32(0))
        );
        vm.prank(user);
        market.setUsageHook(IUsageHook(address(1)));
    }

    function test_setTreasury_byAdmin() public {
        address t2 = makeAddr("t2");
        vm.expectEmit(true, false, false, false, address(market));
        emit TreasuryUpdated(t2);
        vm.prank(admin);
        market.setTreasury(t2);
        vm.assertEq(market.treasury(), t2);
        _fund(user, PRICE);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        vm.assertEq(market.owedOf(t2), 10e18);
    }

    function test_setTreasury_revertsOnZero() public {
        vm.expectRevert(IModelMarket.ZeroAddress.selector);
        vm.prank(admin);
        market.setTreasury(address(0));
    }

    function test_setTreasury_revertsWithoutRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, user, bytes32(0))
        );
        vm.prank(user);
        market.setTreasury(user);
    }

    function test_views_defaults() public view {
        IModelMarket.FeeSplit memory s = market.feeSplit();
        vm.assertEq(uint256(s.trainerBps) + s.curatorBps + s.dataBps + s.treasuryBps, 10_000);
        vm.assertEq(market.treasury(), treasury);
        vm.assertEq(address(market.token()), address(token));
        vm.assertEq(address(market.usageHook()), address(0));
        vm.assertFalse(market.canUse(user, modelId));
        vm.assertEq(market.claimable(pid, 999), 0);
    }

    // ---- conservation ----

    /// @dev balance == owed + claimable + dust, dust < number of datasets (one wei of floor per pair).
    function _assertConserved(uint256[] memory members) internal view {
        uint256 accounted = market.owedOf(trainer) + market.owedOf(curator) + market.owedOf(treasury);
        for (uint256 i; i < members.length; ++i) {
            accounted += market.claimable(pid, members[i]);
        }
        uint256 held = token.balanceOf(address(market));
        vm.assertLe(accounted, held, "over-credited");
        vm.assertLe(held - accounted, members.length, "dust above bound");
    }

    function testFuzz_feeSplit_conservation(uint96 price, uint16 t, uint16 c, uint16 d, uint8 uses) public {
        price = uint96(bound(price, 1, type(uint96).max));
        t = uint16(bound(t, 0, 10_000));
        c = uint16(bound(c, 0, 10_000 - t));
        d = uint16(bound(d, 0, 10_000 - t - c));
        uses = uint8(bound(uses, 1, 5));
        vm.prank(admin);
        market.setFeeSplit(IModelMarket.FeeSplit(t, c, d, 10_000 - t - c - d));
        vm.prank(trainer);
        market.setPrice(modelId, price);
        _fund(user, uint256(price) * uses);
        for (uint256 i; i < uses; ++i) {
            vm.prank(user);
            market.useModel(modelId, type(uint256).max);
            _assertConserved(ids);
        }
        // pay everything out; what remains is bounded dust
        for (uint256 i; i < ids.length; ++i) {
            if (market.claimable(pid, ids[i]) != 0) market.claimDataShare(pid, ids[i]);
        }
        address[3] memory accts = [trainer, curator, treasury];
        for (uint256 i; i < 3; ++i) {
            if (market.owedOf(accts[i]) != 0) {
                vm.prank(accts[i]);
                market.withdraw();
            }
        }
        vm.assertLe(token.balanceOf(address(market)), ids.length);
    }

    function testFuzz_claim_neverExceedsCredit(uint96 price, uint8 claimsBetween) public {
        price = uint96(bound(price, 1, type(uint96).max / 8));
        claimsBetween = uint8(bound(claimsBetween, 1, 6));
        vm.prank(trainer);
        market.setPrice(modelId, price);
        _fund(user, uint256(price) * claimsBetween);
        uint256 paidOut;
        for (uint256 i; i < claimsBetween; ++i) {
            vm.prank(user);
            market.useModel(modelId, type(uint256).max);
            uint256 c0 = market.claimable(pid, ids[0]);
            if (c0 != 0) paidOut += market.claimDataShare(pid, ids[0]);
        }
        uint256 dataTotal = uint256(price) * 4000 / 10_000 * claimsBetween;
        vm.assertLe(paidOut, dataTotal * 3334 / 10_000);
        vm.assertEq(paidOut, dataTotal * 3334 / 10_000); // cumulative accounting loses nothing
    }
}
