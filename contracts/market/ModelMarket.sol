// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IModelMarket} from "../interfaces/IModelMarket.sol";
import {IModelNFT} from "../interfaces/IModelNFT.sol";
import {IPortfolioNFT} from "../interfaces/IPortfolioNFT.sol";
import {IDataNFT} from "../interfaces/IDataNFT.sol";
import {IUsageHook} from "../interfaces/IUsageHook.sol";

/// @title ModelMarket: pay-per-use of $Model with an O(1) fee split.
/// @dev Trainer, curator and treasury shares are credited to `owed` balances (pull payments). The data
/// owners' share goes into a per-portfolio accumulator `acc` (cumulative data share per bps, scaled by
/// 1e18; exact since 1e18 is a multiple of 10,000). A (portfolio, $Data) pair is entitled to
/// `weight * acc / 1e18` in total and claims that minus what it already claimed, paid to the $Data's
/// current owner. Entitlements are computed from the cumulative accumulator, so rounding never
/// compounds: the unassigned dust of a portfolio stays below its number of datasets, in wei.
/// The first use of a model freezes its portfolio (this contract needs FREEZER_ROLE on PortfolioNFT),
/// so weights never change once anything has accrued.
contract ModelMarket is AccessControl, IModelMarket {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role allowed to change the fee split (governance).
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");
    /// @notice Basis points in a whole.
    uint256 public constant BPS = 10_000;
    /// @notice Scale of the per-bps accumulator.
    uint256 public constant ACC_SCALE = 1e18;

    struct PortfolioAccount {
        uint248 accPerBps; // cumulative data share per bps, scaled by ACC_SCALE
        bool frozen; // this market already froze the portfolio
    }

    IERC20 private immutable _token;
    IModelNFT private immutable _models;
    IPortfolioNFT private immutable _portfolios;
    IDataNFT private immutable _data;

    FeeSplit private _split;
    address private _treasury;
    IUsageHook private _hook;

    mapping(uint256 modelId => uint256) private _prices;
    mapping(address user => mapping(uint256 modelId => uint256)) private _uses;
    mapping(address account => uint256) private _owed;
    // slither-disable-next-line uninitialized-state (written through a storage pointer in _pay/_credit)
    mapping(uint256 portfolioId => PortfolioAccount) private _accounts;
    mapping(uint256 portfolioId => mapping(uint256 dataId => uint256)) private _claimed;

    /// @param token_ the payment token (CapToken, EIP-2612)
    /// @param models the $Model collection
    /// @param portfolios the $Portfolio collection
    /// @param data the $Data collection
    /// @param treasury_ receives the treasury share
    /// @param admin receives DEFAULT_ADMIN_ROLE and PARAMS_ROLE (hand PARAMS_ROLE to governance later)
    constructor(
        IERC20 token_,
        IModelNFT models,
        IPortfolioNFT portfolios,
        IDataNFT data,
        address treasury_,
        address admin
    ) {
        if (treasury_ == address(0) || admin == address(0)) revert ZeroAddress();
        _token = token_;
        _models = models;
        _portfolios = portfolios;
        _data = data;
        _treasury = treasury_;
        _split = FeeSplit({trainerBps: 4000, curatorBps: 1000, dataBps: 4000, treasuryBps: 1000});
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMS_ROLE, admin);
    }

    /// @inheritdoc IModelMarket
    /// @dev Reverts UnknownModel, NotModelOwner.
    function setPrice(uint256 modelId, uint256 price) external {
        if (!_models.exists(modelId)) revert UnknownModel(modelId);
        if (_models.ownerOf(modelId) != msg.sender) revert NotModelOwner(msg.sender, modelId);
        _prices[modelId] = price;
        emit PriceSet(modelId, price);
    }

    /// @inheritdoc IModelMarket
    /// @dev Reverts ModelNotForSale, PriceAboveMax, InsufficientAllowance. Freezes the model's portfolio
    /// on first use. `maxPrice` stops an owner who raises the price in front of a standing allowance.
    function useModel(uint256 modelId, uint256 maxPrice) external {
        _pay(modelId, _priceOrRevert(modelId, maxPrice));
    }

    /// @inheritdoc IModelMarket
    /// @dev The permit is for `maxPrice`. A failing permit (e.g. already used by a front-runner) is
    /// ignored; payment then needs the allowance to be there anyway.
    function useModelWithPermit(uint256 modelId, uint256 maxPrice, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        uint256 price = _priceOrRevert(modelId, maxPrice);
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), maxPrice, deadline, v, r, s) {} catch {}
        _pay(modelId, price);
    }

    /// @inheritdoc IModelMarket
    /// @dev Anyone may trigger it; the tokens always go to the $Data's current owner.
    /// Reverts NotInPortfolio, NothingToClaim.
    function claimDataShare(uint256 portfolioId, uint256 dataId) external returns (uint256 amount) {
        uint16 weight = _portfolios.weightOf(portfolioId, dataId);
        if (weight == 0) revert NotInPortfolio(portfolioId, dataId);
        amount = _claimable(portfolioId, dataId, weight);
        if (amount == 0) revert NothingToClaim(portfolioId, dataId);
        _claimed[portfolioId][dataId] += amount;
        address owner = _data.ownerOf(dataId);
        _token.safeTransfer(owner, amount);
        emit DataShareClaimed(portfolioId, dataId, owner, amount);
    }

    /// @inheritdoc IModelMarket
    /// @dev Reverts NothingToWithdraw.
    function withdraw() external returns (uint256 amount) {
        amount = _owed[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _owed[msg.sender] = 0;
        _token.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @inheritdoc IModelMarket
    /// @dev Only PARAMS_ROLE. Reverts FeeSplitNotNormalized.
    function setFeeSplit(FeeSplit calldata split) external onlyRole(PARAMS_ROLE) {
        uint256 sum = uint256(split.trainerBps) + split.curatorBps + split.dataBps + split.treasuryBps;
        if (sum != BPS) revert FeeSplitNotNormalized(sum);
        _split = split;
        emit FeeSplitUpdated(split);
    }

    /// @inheritdoc IModelMarket
    /// @dev Only DEFAULT_ADMIN_ROLE. The hook is trusted: it runs after each payment and can make it revert.
    function setUsageHook(IUsageHook hook) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _hook = hook;
        emit UsageHookSet(address(hook));
    }

    /// @inheritdoc IModelMarket
    /// @dev Only DEFAULT_ADMIN_ROLE. Balances already owed to the old treasury stay withdrawable by it.
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        _treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    /// @inheritdoc IModelMarket
    function priceOf(uint256 modelId) external view returns (uint256) {
        return _prices[modelId];
    }

    /// @inheritdoc IModelMarket
    function canUse(address user, uint256 modelId) external view returns (bool) {
        return _uses[user][modelId] != 0;
    }

    /// @inheritdoc IModelMarket
    function usesOf(address user, uint256 modelId) external view returns (uint256) {
        return _uses[user][modelId];
    }

    /// @inheritdoc IModelMarket
    function owedOf(address account) external view returns (uint256) {
        return _owed[account];
    }

    /// @inheritdoc IModelMarket
    function claimable(uint256 portfolioId, uint256 dataId) external view returns (uint256) {
        return _claimable(portfolioId, dataId, _portfolios.weightOf(portfolioId, dataId));
    }

    /// @inheritdoc IModelMarket
    function accPerBps(uint256 portfolioId) external view returns (uint256) {
        return _accounts[portfolioId].accPerBps;
    }

    /// @inheritdoc IModelMarket
    function feeSplit() external view returns (FeeSplit memory) {
        return _split;
    }

    /// @inheritdoc IModelMarket
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IModelMarket
    function usageHook() external view returns (IUsageHook) {
        return _hook;
    }

    /// @notice The payment token.
    function token() external view returns (IERC20) {
        return _token;
    }

    function _priceOrRevert(uint256 modelId, uint256 maxPrice) private view returns (uint256 price) {
        price = _prices[modelId];
        if (price == 0) revert ModelNotForSale(modelId);
        if (price > maxPrice) revert PriceAboveMax(price, maxPrice);
    }

    /// @dev O(1): a fixed number of storage writes and external calls whatever the portfolio size.
    /// The payer is always msg.sender, so nobody can spend another account's allowance.
    function _pay(uint256 modelId, uint256 price) private {
        address user = msg.sender;
        uint256 allowed = _token.allowance(user, address(this));
        if (allowed < price) revert InsufficientAllowance(user, price, allowed);
        _token.safeTransferFrom(msg.sender, address(this), price);

        uint256 portfolioId = _models.portfolioOf(modelId);
        PortfolioAccount storage account = _accounts[portfolioId];
        if (!account.frozen) {
            _portfolios.freeze(portfolioId); // idempotent if JobMarket froze it already
            account.frozen = true;
        }
        _uses[user][modelId] += 1;
        _credit(modelId, portfolioId, account, user, price);

        IUsageHook hook = _hook;
        if (address(hook) != address(0)) hook.onModelUsed(modelId, portfolioId, user, price);
    }

    /// @dev Credits the shares of one paid use and emits ModelUsed.
    function _credit(
        uint256 modelId,
        uint256 portfolioId,
        PortfolioAccount storage account,
        address user,
        uint256 price
    ) private {
        address trainer = _models.ownerOf(modelId);
        address curator = _portfolios.ownerOf(portfolioId);
        FeeSplit memory split = _split;
        uint256 trainerShare = price * split.trainerBps / BPS;
        uint256 curatorShare = price * split.curatorBps / BPS;
        uint256 dataShare = price * split.dataBps / BPS;
        _owed[trainer] += trainerShare;
        _owed[curator] += curatorShare;
        // rounding dust of the three shares above goes to the treasury
        _owed[_treasury] += price - trainerShare - curatorShare - dataShare;
        if (dataShare != 0) {
            // exact: ACC_SCALE is a multiple of BPS
            account.accPerBps = SafeCast.toUint248(account.accPerBps + dataShare * (ACC_SCALE / BPS));
        }
        emit ModelUsed(modelId, portfolioId, user, price, trainer, curator, dataShare);
    }

    function _claimable(uint256 portfolioId, uint256 dataId, uint16 weight) private view returns (uint256) {
        // entitled can never fall below claimed: acc only grows and weights are frozen once it is nonzero
        return uint256(weight) * _accounts[portfolioId].accPerBps / ACC_SCALE - _claimed[portfolioId][dataId];
    }
}
