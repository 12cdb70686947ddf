// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IUsageHook} from "./IUsageHook.sol";

/// @title Pay-per-use market for $Model, splitting every fee between trainer, curator, the portfolio's
/// data owners (by weight) and the treasury, in O(1) gas whatever the portfolio size.
interface IModelMarket {
    /// @notice How a fee is split, in basis points summing to 10,000.
    struct FeeSplit {
        uint16 trainerBps;
        uint16 curatorBps;
        uint16 dataBps;
        uint16 treasuryBps;
    }

    /// @notice Thrown when a model does not exist.
    error UnknownModel(uint256 modelId);
    /// @notice Thrown when the caller does not own the $Model.
    error NotModelOwner(address caller, uint256 modelId);
    /// @notice Thrown when a model has no price set (not for sale).
    error ModelNotForSale(uint256 modelId);
    /// @notice Thrown when the price is above the most the user agreed to pay.
    error PriceAboveMax(uint256 price, uint256 maxPrice);
    /// @notice Thrown when the user's allowance to the market does not cover the price.
    error InsufficientAllowance(address user, uint256 needed, uint256 allowance);
    /// @notice Thrown when a fee split does not add up to 10,000.
    error FeeSplitNotNormalized(uint256 sum);
    /// @notice Thrown when an account has no owed balance to withdraw.
    error NothingToWithdraw(address account);
    /// @notice Thrown when a (portfolio, $Data) pair has nothing to claim.
    error NothingToClaim(uint256 portfolioId, uint256 dataId);
    /// @notice Thrown when a $Data is not a member of the portfolio.
    error NotInPortfolio(uint256 portfolioId, uint256 dataId);
    /// @notice Thrown when an address parameter is zero.
    error ZeroAddress();

    /// @notice Emitted when a model's owner sets its price.
    /// @param modelId the $Model id
    /// @param price the price per use in token wei (0: not for sale)
    event PriceSet(uint256 indexed modelId, uint256 price);
    /// @notice Emitted when a user pays for one use of a model.
    /// @param modelId the $Model id
    /// @param portfolioId the portfolio the model was trained on
    /// @param user who paid
    /// @param fee the price paid
    /// @param trainer the $Model owner credited
    /// @param curator the $Portfolio owner credited
    /// @param dataShare the amount credited to the portfolio's data owners
    event ModelUsed(
        uint256 indexed modelId,
        uint256 indexed portfolioId,
        address indexed user,
        uint256 fee,
        address trainer,
        address curator,
        uint256 dataShare
    );
    /// @notice Emitted when the fee split changes.
    /// @param split the new split
    event FeeSplitUpdated(FeeSplit split);
    /// @notice Emitted when a data owner's share is paid out.
    /// @param portfolioId the portfolio
    /// @param dataId the $Data
    /// @param owner the current $Data owner who received it
    /// @param amount the amount paid
    event DataShareClaimed(uint256 indexed portfolioId, uint256 indexed dataId, address indexed owner, uint256 amount);
    /// @notice Emitted when an owed balance is withdrawn.
    /// @param account who withdrew
    /// @param amount the amount
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice Emitted when the usage hook changes.
    /// @param hook the new hook (zero: none)
    event UsageHookSet(address indexed hook);
    /// @notice Emitted when the treasury address changes.
    /// @param treasury the new treasury
    event TreasuryUpdated(address indexed treasury);

    /// @notice Set the price per use of a model; only its owner. 0 takes it off sale.
    function setPrice(uint256 modelId, uint256 price) external;
    /// @notice Pay one use of a model at its price, at most `maxPrice` (the price the user was quoted);
    /// needs an allowance of at least the price.
    function useModel(uint256 modelId, uint256 maxPrice) external;
    /// @notice Pay one use of a model, at most `maxPrice`, with an EIP-2612 permit for `maxPrice`.
    function useModelWithPermit(uint256 modelId, uint256 maxPrice, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;
    /// @notice Pay out the share accrued to a $Data in a portfolio, to the $Data's current owner.
    function claimDataShare(uint256 portfolioId, uint256 dataId) external returns (uint256 amount);
    /// @notice Withdraw the caller's owed balance (trainer, curator, treasury shares).
    function withdraw() external returns (uint256 amount);
    /// @notice Set the fee split; only PARAMS_ROLE (governance).
    function setFeeSplit(FeeSplit calldata split) external;
    /// @notice Set the usage hook; only the admin.
    function setUsageHook(IUsageHook hook) external;
    /// @notice Set the treasury; only the admin.
    function setTreasury(address treasury) external;

    /// @notice The price per use of a model.
    function priceOf(uint256 modelId) external view returns (uint256);
    /// @notice Whether the user has paid for the model at least once.
    function canUse(address user, uint256 modelId) external view returns (bool);
    /// @notice How many uses of the model the user has paid for.
    function usesOf(address user, uint256 modelId) external view returns (uint256);
    /// @notice The balance an account can withdraw.
    function owedOf(address account) external view returns (uint256);
    /// @notice What a (portfolio, $Data) pair can claim now.
    function claimable(uint256 portfolioId, uint256 dataId) external view returns (uint256);
    /// @notice The data-owner accumulator of a portfolio: cumulative data share per bps, scaled by 1e18.
    function accPerBps(uint256 portfolioId) external view returns (uint256);
    /// @notice The current fee split.
    function feeSplit() external view returns (FeeSplit memory);
    /// @notice The current treasury.
    function treasury() external view returns (address);
    /// @notice The current usage hook (zero: none).
    function usageHook() external view returns (IUsageHook);
}
