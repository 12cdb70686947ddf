// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Suite, IRoles} from "../utils/Suite.sol";
import {Vm} from "../utils/Test.sol";
import {Governance} from "../../contracts/governance/Governance.sol";
import {JobMarket} from "../../contracts/market/JobMarket.sol";
import {SecureAggregation} from "../../contracts/market/SecureAggregation.sol";

/// @notice The default deployment leaves no externally owned account with a role, and prints the
/// wiring digest tests/orchestrator/test_deploy.py compares with `datacap deploy`'s.
contract SuiteWiringTest is Suite {
    address internal constant ADMIN = address(0xAD);
    address internal constant TREASURY = address(0x7EA);
    bytes32 internal constant ROLE_GRANTED = keccak256("RoleGranted(bytes32,address,address)");

    function test_defaultDeploy_noEoaHoldsAnyRole() public {
        vm.recordLogs();
        _deploySuite(ADMIN, TREASURY, false);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 checked;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length != 4 || logs[i].topics[0] != ROLE_GRANTED) continue;
            bytes32 role = logs[i].topics[1];
            address account = address(uint160(uint256(logs[i].topics[2])));
            if (IRoles(logs[i].emitter).hasRole(role, account)) {
                vm.assertTrue(account.code.length != 0, vm.toString(account));
                ++checked;
            }
        }
        vm.assertTrue(checked > 10);
        address gov = suiteAddress("Governance");
        for (uint256 i; i < suiteNames.length; ++i) {
            string[] memory roles = _roleConstants(suiteNames[i]);
            for (uint256 j; j < roles.length; ++j) {
                vm.assertFalse(IRoles(suiteAddress(suiteNames[i])).hasRole(_roleId(suiteNames[i], roles[j]), ADMIN));
            }
            if (roles.length != 0) vm.assertTrue(IRoles(suiteAddress(suiteNames[i])).hasRole(0, gov));
        }
        vm.assertEq(Governance(gov).setupAdmin(), address(0));
    }

    function test_keepAdmin_deployerKeepsItsRoles() public {
        _deploySuite(ADMIN, TREASURY, true);
        vm.assertTrue(IRoles(suiteAddress("Staking")).hasRole(0, ADMIN));
        vm.assertEq(Governance(suiteAddress("Governance")).setupAdmin(), ADMIN);
    }

    /// @dev JobMarket's round 1 consults the suite's SecureAggregation, which follows that JobMarket (the set-once
    /// setter does not check it: JobMarket is at the code size limit).
    function test_secureAggregation_followsTheJobMarketThatConsultsIt() public {
        _deploySuite(ADMIN, TREASURY, false);
        JobMarket jobs = JobMarket(suiteAddress("JobMarket"));
        SecureAggregation sa = SecureAggregation(suiteAddress("SecureAggregation"));
        vm.assertEq(address(jobs.secureAggregation()), address(sa));
        vm.assertEq(address(sa.jobMarket()), address(jobs));
        vm.assertLe(address(jobs).code.length, 24_576); // EIP-170: forge does not enforce it, Anvil does
    }

    /// @dev One line per event of the default deployment, sorted by the Python side: the emitter's
    /// name, then topics and data as 32-byte hex words, suite addresses replaced by their names.
    function test_printSuiteWiring() public {
        vm.recordLogs();
        _deploySuite(ADMIN, TREASURY, false);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            string memory name = _nameOf(logs[i].emitter);
            if (bytes(name).length == 0) continue;
            string memory line = name;
            for (uint256 t; t < logs[i].topics.length; ++t) {
                line = string.concat(line, " ", _word(logs[i].topics[t]));
            }
            bytes memory d = logs[i].data;
            for (uint256 o; o < d.length; o += 32) {
                bytes32 w;
                assembly {
                    w := mload(add(add(d, 32), o))
                }
                line = string.concat(line, " ", _word(w));
            }
            _log(line);
        }
    }

    function _nameOf(address a) private view returns (string memory) {
        if (a == ADMIN || a == address(this)) return "<admin>"; // the Python deployer both creates and wires
        if (a == TREASURY) return "<treasury>";
        for (uint256 i; i < suiteNames.length; ++i) {
            if (suiteAddress(suiteNames[i]) == a) return suiteNames[i];
        }
        return "";
    }

    function _word(bytes32 w) private view returns (string memory) {
        if (uint256(w) >> 160 == 0 && w != 0) {
            string memory name = _nameOf(address(uint160(uint256(w))));
            if (bytes(name).length != 0) return name;
        }
        bytes memory hexed = bytes(vm.toString(w));
        return string(_drop0x(hexed));
    }

    function _drop0x(bytes memory s) private pure returns (bytes memory out) {
        out = new bytes(s.length - 2);
        for (uint256 i = 2; i < s.length; ++i) {
            out[i - 2] = s[i];
        }
    }

    function _log(string memory s) private view {
        address console = 0x000000000000000000636F6e736F6c652e6c6f67;
        bytes memory payload = abi.encodeWithSignature("log(string)", s);
        assembly {
            pop(staticcall(gas(), console, add(payload, 32), mload(payload), 0, 0))
        }
    }
}
