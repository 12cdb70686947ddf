// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {GovernanceHandler} from "./handlers/GovernanceHandler.sol";
import {IGovernance} from "../../contracts/interfaces/IGovernance.sol";

/// @notice Referendum vote accounting.
contract GovernanceInvariants is EconBase {
    GovernanceHandler handler;

    function setUp() public {
        _deployEconomy();
        handler = new GovernanceHandler(token, staking, gov);
        bytes32 minterRole = token.MINTER_ROLE();
        vm.prank(admin);
        token.grantRole(minterRole, address(handler));
        targetContract(address(handler));
    }

    function invariant_oneVotePerVoterPerReferendum() public view {
        assertEq(handler.doubleVotesAccepted(), 0);
        for (uint256 i; i < handler.proposalCount(); ++i) {
            uint256 id = handler.proposals(i);
            IGovernance.Proposal memory p = gov.proposalOf(id);
            assertEq(uint256(p.forVotes) + p.againstVotes, handler.ghostWeight(id));
        }
    }

    function invariant_votesNeverExceedSnapshotStake() public view {
        assertEq(handler.lateStakeVotesAccepted(), 0);
        for (uint256 i; i < handler.proposalCount(); ++i) {
            IGovernance.Proposal memory p = gov.proposalOf(handler.proposals(i));
            assertLe(uint256(p.forVotes) + p.againstVotes, p.totalStakeAtSnapshot);
        }
    }
}
