// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EconBase} from "../utils/EconBase.sol";
import {HoldHandler} from "./handlers/HoldHandler.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";

/// @notice Fairness: slash proposals hold no one's stake longer than the cap per hold period, whether or
/// not a slash passes (a passed dust slash does not renew the budget).
contract HoldFairnessInvariants is EconBase {
    HoldHandler handler;

    function setUp() public {
        _deployEconomy();
        _mint(address(0x51C7), 500e18);
        for (uint256 i; i < 3; ++i) {
            _mint(address(uint160(0x6000 + i)), 100_200e18); // stake + proposal deposits
        }
        handler = new HoldHandler(token, staking, gov);
        targetContract(address(handler));
    }

    function invariant_noHoldBeyondCapPerPeriod() public view {
        assertLe(handler.maxGhostHeld(), gov.MAX_UNPASSED_HOLD());
        bytes32 key = keccak256(abi.encode(handler.VICTIM(), IStaking.Role.Curator, uint256(0)));
        assertLe(gov.holdUsed(key, block.timestamp / gov.HOLD_PERIOD()), gov.MAX_UNPASSED_HOLD());
    }
}
