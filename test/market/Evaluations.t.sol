// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetsBase} from "../utils/AssetsBase.sol";
import {IEvaluations} from "../../contracts/interfaces/IEvaluations.sol";

contract EvaluationsTest is AssetsBase {
    event EvaluationPosted(
        uint256 indexed evaluationId, uint256 indexed modelId, address indexed author, uint8 score, string exampleCid
    );
    event EvaluationRated(uint256 indexed evaluationId, address indexed rater, bool up);

    uint256 internal modelId;
    address internal rater;

    function setUp() public {
        _deploy();
        (uint256 pid,,) = _portfolio(2);
        modelId = _listed(pid, 1e18);
        rater = makeAddr("rater");
        _fund(user, 10e18);
        _fund(rater, 10e18);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
    }

    function _post(address who, uint8 score) internal returns (uint256) {
        vm.prank(who);
        return evals.postEvaluation(modelId, "bafkreiexample", score);
    }

    function test_postEvaluation_byPayer() public {
        vm.expectEmit(true, true, true, true, address(evals));
        emit EvaluationPosted(1, modelId, user, 4, "bafkreiexample");
        uint256 id = _post(user, 4);
        vm.assertEq(id, 1);
        IEvaluations.Evaluation memory e = evals.evaluation(1);
        vm.assertEq(e.author, user);
        vm.assertEq(uint256(e.score), 4);
        vm.assertEq(e.modelId, modelId);
        vm.assertEq(e.exampleCid, "bafkreiexample");
        vm.assertEq(evals.averageScore(modelId), 400);
        vm.assertEq(evals.evaluationCount(modelId), 1);
        vm.assertEq(evals.evaluationsBy(user, modelId), 1);
        vm.assertEq(evals.totalEvaluations(), 1);
        vm.assertEq(address(evals.market()), address(market));
    }

    function test_postEvaluation_revertsWithoutPaidUse() public {
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.NoPaidUse.selector, rater, modelId));
        _post(rater, 3);
    }

    function test_postEvaluation_onePerPaidUse() public {
        _post(user, 4);
        vm.expectRevert(
            abi.encodeWithSelector(IEvaluations.EvaluationLimitReached.selector, user, modelId, uint256(1))
        );
        _post(user, 5);
        vm.prank(user);
        market.useModel(modelId, type(uint256).max);
        _post(user, 5);
        vm.assertEq(evals.averageScore(modelId), 450);
    }

    function test_postEvaluation_revertsOnScoreOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.ScoreOutOfRange.selector, uint8(0)));
        _post(user, 0);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.ScoreOutOfRange.selector, uint8(6)));
        _post(user, 6);
    }

    function test_postEvaluation_revertsOnEmptyCid() public {
        vm.expectRevert(IEvaluations.EmptyCid.selector);
        vm.prank(user);
        evals.postEvaluation(modelId, "", 3);
    }

    function test_rate_byOtherPayer() public {
        uint256 id = _post(user, 4);
        vm.prank(rater);
        market.useModel(modelId, type(uint256).max);
        vm.expectEmit(true, true, false, true, address(evals));
        emit EvaluationRated(id, rater, true);
        vm.prank(rater);
        evals.rate(id, true);
        vm.assertEq(uint256(evals.evaluation(id).upVotes), 1);
        vm.assertEq(uint256(evals.evaluation(id).downVotes), 0);
        vm.assertTrue(evals.hasRated(rater, id));
    }

    function test_rate_downVote() public {
        uint256 id = _post(user, 4);
        vm.prank(rater);
        market.useModel(modelId, type(uint256).max);
        vm.prank(rater);
        evals.rate(id, false);
        vm.assertEq(uint256(evals.evaluation(id).downVotes), 1);
    }

    function test_rate_revertsWhenRatingTwice() public {
        uint256 id = _post(user, 4);
        vm.prank(rater);
        market.useModel(modelId, type(uint256).max);
        vm.prank(rater);
        evals.rate(id, true);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.AlreadyRated.selector, rater, id));
        vm.prank(rater);
        evals.rate(id, false);
    }

    function test_rate_revertsWithoutPaidUse() public {
        uint256 id = _post(user, 4);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.NoPaidUse.selector, rater, modelId));
        vm.prank(rater);
        evals.rate(id, true);
    }

    function test_rate_revertsForAuthor() public {
        uint256 id = _post(user, 4);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.SelfRating.selector, user, id));
        vm.prank(user);
        evals.rate(id, true);
    }

    function test_rate_revertsForUnknownEvaluation() public {
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.UnknownEvaluation.selector, uint256(3)));
        vm.prank(user);
        evals.rate(3, true);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.UnknownEvaluation.selector, uint256(0)));
        evals.evaluation(0);
    }

    function test_averageScore_zeroWithoutEvaluations() public view {
        vm.assertEq(evals.averageScore(modelId), 0);
    }

    function testFuzz_averageScore_matchesMean(uint8[5] memory scores) public {
        vm.prank(admin);
        token.mint(user, 10e18);
        uint256 sum;
        for (uint256 i; i < 5; ++i) {
            uint8 s = uint8(bound(scores[i], 1, 5));
            if (i > 0) {
                vm.prank(user);
                market.useModel(modelId, type(uint256).max);
            }
            _post(user, s);
            sum += s;
        }
        vm.assertEq(evals.averageScore(modelId), sum * 100 / 5);
        vm.assertEq(evals.evaluationsBy(user, modelId), market.usesOf(user, modelId));
    }
}
