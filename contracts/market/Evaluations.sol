// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEvaluations} from "../interfaces/IEvaluations.sol";
import {IModelMarket} from "../interfaces/IModelMarket.sol";

/// @title Evaluations: paying users score models and rate each other's evaluations.
/// @dev Eligibility is read from ModelMarket.usesOf: one evaluation per paid use; a rating needs at
/// least one paid use of the same model. Per-model score sums keep averageScore O(1).
contract Evaluations is AccessControl, IEvaluations {
    struct ModelScores {
        uint128 count;
        uint128 sum;
    }

    IModelMarket private immutable _market;
    uint256 private _count;
    mapping(uint256 evaluationId => Evaluation) private _evaluations;
    mapping(uint256 modelId => ModelScores) private _scores;
    mapping(address user => mapping(uint256 modelId => uint256)) private _posted;
    mapping(uint256 evaluationId => mapping(address rater => bool)) private _rated;

    /// @param market_ the ModelMarket whose paid uses grant eligibility
    /// @param admin receives DEFAULT_ADMIN_ROLE (reserved for later moderation/reputation parameters)
    constructor(IModelMarket market_, address admin) {
        _market = market_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IEvaluations
    /// @dev Reverts ScoreOutOfRange, EmptyCid, NoPaidUse, EvaluationLimitReached.
    function postEvaluation(uint256 modelId, string calldata exampleCid, uint8 score)
        external
        returns (uint256 evaluationId)
    {
        if (score < 1 || score > 5) revert ScoreOutOfRange(score);
        if (bytes(exampleCid).length == 0) revert EmptyCid();
        uint256 paid = _market.usesOf(msg.sender, modelId);
        if (paid == 0) revert NoPaidUse(msg.sender, modelId);
        uint256 posted = _posted[msg.sender][modelId];
        if (posted >= paid) revert EvaluationLimitReached(msg.sender, modelId, paid);
        _posted[msg.sender][modelId] = posted + 1;
        evaluationId = ++_count;
        _evaluations[evaluationId] = Evaluation({
            author: msg.sender,
            score: score,
            upVotes: 0,
            downVotes: 0,
            postedAt: uint64(block.timestamp),
            modelId: modelId,
            exampleCid: exampleCid
        });
        ModelScores storage s = _scores[modelId];
        s.count += 1;
        s.sum += score;
        emit EvaluationPosted(evaluationId, modelId, msg.sender, score, exampleCid);
    }

    /// @inheritdoc IEvaluations
    /// @dev Reverts UnknownEvaluation, SelfRating, NoPaidUse, AlreadyRated.
    function rate(uint256 evaluationId, bool up) external {
        if (evaluationId == 0 || evaluationId > _count) revert UnknownEvaluation(evaluationId);
        Evaluation storage e = _evaluations[evaluationId];
        if (e.author == msg.sender) revert SelfRating(msg.sender, evaluationId);
        if (_market.usesOf(msg.sender, e.modelId) == 0) revert NoPaidUse(msg.sender, e.modelId);
        if (_rated[evaluationId][msg.sender]) revert AlreadyRated(msg.sender, evaluationId);
        _rated[evaluationId][msg.sender] = true;
        if (up) e.upVotes += 1;
        else e.downVotes += 1;
        emit EvaluationRated(evaluationId, msg.sender, up);
    }

    /// @inheritdoc IEvaluations
    function evaluation(uint256 evaluationId) external view returns (Evaluation memory) {
        if (evaluationId == 0 || evaluationId > _count) revert UnknownEvaluation(evaluationId);
        return _evaluations[evaluationId];
    }

    /// @inheritdoc IEvaluations
    function averageScore(uint256 modelId) external view returns (uint256) {
        ModelScores memory s = _scores[modelId];
        return s.count == 0 ? 0 : uint256(s.sum) * 100 / s.count;
    }

    /// @inheritdoc IEvaluations
    function evaluationCount(uint256 modelId) external view returns (uint256) {
        return _scores[modelId].count;
    }

    /// @inheritdoc IEvaluations
    function evaluationsBy(address user, uint256 modelId) external view returns (uint256) {
        return _posted[user][modelId];
    }

    /// @inheritdoc IEvaluations
    function hasRated(address rater, uint256 evaluationId) external view returns (bool) {
        return _rated[evaluationId][rater];
    }

    /// @inheritdoc IEvaluations
    function totalEvaluations() external view returns (uint256) {
        return _count;
    }

    /// @notice The market whose paid uses grant eligibility.
    function market() external view returns (IModelMarket) {
        return _market;
    }
}
