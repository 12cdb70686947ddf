// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title $Portfolio: a curator's weighted bundle of $Data.
interface IPortfolioNFT is IERC721 {
    /// @notice Thrown when the weights of a portfolio do not add up to 10,000.
    error WeightsNotNormalized(uint256 sum);
    /// @notice Thrown when dataset and weight arrays differ in length or are empty.
    error BadComposition(uint256 datasets, uint256 weights);
    /// @notice Thrown when a dataset appears twice.
    error DuplicateDataset(uint256 dataId);
    /// @notice Thrown when a weight is zero.
    error ZeroWeight(uint256 dataId);
    /// @notice Thrown when a $Data does not exist.
    error UnknownDataset(uint256 dataId);
    /// @notice Thrown when a portfolio does not exist.
    error UnknownPortfolio(uint256 portfolioId);
    /// @notice Thrown when a hold is released from a portfolio that has none.
    error NotFrozen(uint256 portfolioId);
    /// @notice Thrown when a frozen portfolio's composition would change.
    error PortfolioFrozen(uint256 portfolioId);
    /// @notice Thrown when the caller is not the portfolio's curator.
    error NotCurator(address caller, uint256 portfolioId);
    /// @notice Thrown when a portfolio has more datasets than supported.
    error TooManyDatasets(uint256 count, uint256 max);

    /// @notice Emitted when a portfolio is created or its composition replaced.
    /// @param portfolioId the $Portfolio id
    /// @param curator its curator
    /// @param dataIds the $Data ids
    /// @param weightsBps their weights in basis points (sum 10,000)
    /// @param metadataCid CID of the metadata JSON
    event PortfolioComposed(
        uint256 indexed portfolioId, address indexed curator, uint256[] dataIds, uint16[] weightsBps, string metadataCid
    );
    /// @notice Emitted when a portfolio's composition is frozen (first used by a job or a model).
    /// @param portfolioId the $Portfolio id
    /// @param by the contract that froze it
    event PortfolioFrozenBy(uint256 indexed portfolioId, address indexed by);
    /// @notice Emitted when a freezer releases one of its holds (a cancelled job).
    /// @param portfolioId the $Portfolio id
    /// @param by the contract that released it
    /// @param holdsLeft the holds that still freeze it (0: the curator may recompose again)
    event PortfolioUnfrozenBy(uint256 indexed portfolioId, address indexed by, uint256 holdsLeft);

    /// @notice Create a portfolio; the caller becomes its curator.
    function create(uint256[] calldata dataIds, uint16[] calldata weightsBps, string calldata metadataCid)
        external
        returns (uint256 portfolioId);
    /// @notice Replace the composition of a portfolio that is not frozen yet.
    function recompose(uint256 portfolioId, uint256[] calldata dataIds, uint16[] calldata weightsBps) external;
    /// @notice Add a hold that freezes the composition; only FREEZER_ROLE (JobMarket for a job the curator
    /// approved, ModelMarket on a model's first use).
    function freeze(uint256 portfolioId) external;
    /// @notice Release one hold (JobMarket, when an approved job is cancelled); only FREEZER_ROLE.
    function unfreeze(uint256 portfolioId) external;
    /// @notice Whether the composition is frozen.
    function isFrozen(uint256 portfolioId) external view returns (bool);
    /// @notice The weight (bps) of a $Data in a portfolio, 0 when it is not a member. O(1).
    function weightOf(uint256 portfolioId, uint256 dataId) external view returns (uint16);
    /// @notice The composition of a portfolio.
    function compositionOf(uint256 portfolioId)
        external
        view
        returns (uint256[] memory dataIds, uint16[] memory weightsBps);
    /// @notice Number of datasets in a portfolio.
    function sizeOf(uint256 portfolioId) external view returns (uint256);
    /// @notice Whether a portfolio exists.
    function exists(uint256 portfolioId) external view returns (bool);
    /// @notice Number of portfolios minted so far (ids run from 1 to this).
    function totalMinted() external view returns (uint256);
}
