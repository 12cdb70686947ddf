// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Evaluations of $Model by paying users, and ratings of those evaluations by other payers.
interface IEvaluations {
    /// @notice One evaluation: an input/output example and a score, with its ratings.
    struct Evaluation {
        address author;
        uint8 score;
        uint32 upVotes;
        uint32 downVotes;
        uint64 postedAt;
        uint256 modelId;
        string exampleCid;
    }

    /// @notice Thrown when the user has not paid for the model.
    error NoPaidUse(address user, uint256 modelId);
    /// @notice Thrown when a score is outside 1..5.
    error ScoreOutOfRange(uint8 score);
    /// @notice Thrown when the user already posted one evaluation per paid use.
    error EvaluationLimitReached(address user, uint256 modelId, uint256 paidUses);
    /// @notice Thrown when an example CID is empty.
    error EmptyCid();
    /// @notice Thrown when an evaluation does not exist.
    error UnknownEvaluation(uint256 evaluationId);
    /// @notice Thrown when the author rates their own evaluation.
    error SelfRating(address rater, uint256 evaluationId);
    /// @notice Thrown when a rater rates the same evaluation twice.
    error AlreadyRated(address rater, uint256 evaluationId);

    /// @notice Emitted when an evaluation is posted.
    /// @param evaluationId the new evaluation id
    /// @param modelId the evaluated $Model
    /// @param author who posted it
    /// @param score the score, 1..5
    /// @param exampleCid CID of the input/output example
    event EvaluationPosted(
        uint256 indexed evaluationId, uint256 indexed modelId, address indexed author, uint8 score, string exampleCid
    );
    /// @notice Emitted when an evaluation is rated.
    /// @param evaluationId the rated evaluation
    /// @param rater who rated it
    /// @param up true for an up vote, false for a down vote
    event EvaluationRated(uint256 indexed evaluationId, address indexed rater, bool up);

    /// @notice Post an evaluation of a model you paid for; one per paid use.
    function postEvaluation(uint256 modelId, string calldata exampleCid, uint8 score)
        external
        returns (uint256 evaluationId);
    /// @notice Rate another user's evaluation of a model you paid for; once per evaluation.
    function rate(uint256 evaluationId, bool up) external;
    /// @notice An evaluation with its up/down counts.
    function evaluation(uint256 evaluationId) external view returns (Evaluation memory);
    /// @notice Average score of a model times 100 (e.g. 425 = 4.25), 0 without evaluations.
    function averageScore(uint256 modelId) external view returns (uint256);
    /// @notice Number of evaluations of a model.
    function evaluationCount(uint256 modelId) external view returns (uint256);
    /// @notice Number of evaluations a user posted for a model.
    function evaluationsBy(address user, uint256 modelId) external view returns (uint256);
    /// @notice Whether a rater has rated an evaluation.
    function hasRated(address rater, uint256 evaluationId) external view returns (bool);
    /// @notice Number of evaluations posted so far (ids run from 1 to this).
    function totalEvaluations() external view returns (uint256);
}
