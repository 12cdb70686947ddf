// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "./Test.sol";

interface IRoles {
    function hasRole(bytes32 role, address account) external view returns (bool);
    function grantRole(bytes32 role, address account) external;
    function renounceRole(bytes32 role, address account) external;
}

interface IGovernanceSetup {
    function setCallAllowed(address target, bytes4 selector, bool allowed) external;
    function renounceSetup() external;
}

/// @notice Deploys and wires the suite from orchestrator/suite.json, step for step as `datacap deploy`
/// does (orchestrator/deploy.py), so the tests run on the wiring users get. `<admin>` is `admin_`,
/// which sends every wiring transaction; contracts come from the `<name>.sol:<name>` artifacts.
abstract contract Suite is Test {
    string internal constant SUITE_FILE = "orchestrator/suite.json";

    string[] internal suiteNames;
    mapping(bytes32 nameHash => address) private _suiteAt;
    address private _suiteAdmin;
    address private _suiteTreasury;

    /// @dev Deploys the whole suite; unless `keepAdmin`, `admin_` then renounces every role it holds.
    function _deploySuite(address admin_, address treasury_, bool keepAdmin) internal {
        _suiteAdmin = admin_;
        _suiteTreasury = treasury_;
        string memory json = vm.readFile(SUITE_FILE);
        vm.startPrank(admin_); // the Python deployer both creates and wires
        for (uint256 i; vm.keyExistsJson(json, _at(".contracts", i)); ++i) {
            string[] memory c = vm.parseJsonStringArray(json, _at(".contracts", i));
            address deployed = vm.deployCode(string.concat(c[0], ".sol:", c[0]), _words(c, 1));
            _suiteAt[keccak256(bytes(c[0]))] = deployed;
            suiteNames.push(c[0]);
            vm.label(deployed, c[0]);
        }
        for (uint256 i; vm.keyExistsJson(json, _at(".roles", i)); ++i) {
            string[] memory r = vm.parseJsonStringArray(json, _at(".roles", i));
            _grant(r[0], r[1], suiteAddress(r[2]));
        }
        for (uint256 i; vm.keyExistsJson(json, _at(".calls", i)); ++i) {
            string[] memory c = vm.parseJsonStringArray(json, _at(".calls", i));
            (bool ok, bytes memory ret) =
                suiteAddress(c[0]).call(bytes.concat(_selector(c[0], c[1]), _words(c, 2)));
            _bubble(ok, ret);
        }
        IGovernanceSetup gov = IGovernanceSetup(suiteAddress("Governance"));
        for (uint256 i; vm.keyExistsJson(json, _at(".governed", i)); ++i) {
            string[] memory g = vm.parseJsonStringArray(json, _at(".governed", i));
            gov.setCallAllowed(suiteAddress(g[0]), _selector(g[0], g[1]), true);
        }
        string[] memory handed = vm.parseJsonStringArray(json, ".governanceRoles");
        for (uint256 i; i < suiteNames.length; ++i) {
            string[] memory roles = _roleConstants(suiteNames[i]);
            for (uint256 j; j < roles.length; ++j) {
                for (uint256 k; k < handed.length; ++k) {
                    if (_eq(roles[j], handed[k])) _grant(suiteNames[i], roles[j], address(gov));
                }
            }
        }
        if (!keepAdmin) _renounceAll();
        vm.stopPrank();
    }

    /// @dev The address of a deployed suite contract.
    function suiteAddress(string memory name) internal view returns (address a) {
        a = _suiteAt[keccak256(bytes(name))];
        require(a != address(0), string.concat("not in the suite: ", name));
    }

    /// @dev The role getters (`*_ROLE()`) of a suite contract, from its artifact.
    function _roleConstants(string memory name) internal view returns (string[] memory roles) {
        string[] memory sigs = _methods(name);
        uint256 n;
        roles = new string[](sigs.length);
        for (uint256 i; i < sigs.length; ++i) {
            bytes memory s = bytes(sigs[i]);
            if (s.length > 7 && _endsWith(s, "_ROLE()")) roles[n++] = string(_slice(s, 0, s.length - 2));
        }
        assembly {
            mstore(roles, n)
        }
    }

    /// @dev The role id behind a role getter.
    function _roleId(string memory name, string memory role) internal view returns (bytes32) {
        (bool ok, bytes memory ret) = suiteAddress(name).staticcall(abi.encodeWithSignature(string.concat(role, "()")));
        _bubble(ok, ret);
        return abi.decode(ret, (bytes32));
    }

    function _renounceAll() private {
        for (uint256 i; i < suiteNames.length; ++i) {
            string[] memory roles = _roleConstants(suiteNames[i]);
            IRoles c = IRoles(suiteAddress(suiteNames[i]));
            for (uint256 j; j < roles.length; ++j) {
                bytes32 id = _roleId(suiteNames[i], roles[j]);
                if (c.hasRole(id, _suiteAdmin)) c.renounceRole(id, _suiteAdmin);
            }
        }
        IGovernanceSetup(suiteAddress("Governance")).renounceSetup();
    }

    function _grant(string memory name, string memory role, address grantee) private {
        bytes32 id = _roleId(name, role);
        IRoles c = IRoles(suiteAddress(name));
        if (!c.hasRole(id, grantee)) c.grantRole(id, grantee);
    }

    /// @dev The selector of `name.fn`, looked up by name in the artifact (suite functions have no overloads).
    function _selector(string memory name, string memory fn) private view returns (bytes4 selector) {
        string[] memory sigs = _methods(name);
        bytes memory prefix = bytes(string.concat(fn, "("));
        uint256 found;
        for (uint256 i; i < sigs.length; ++i) {
            bytes memory s = bytes(sigs[i]);
            if (s.length > prefix.length && keccak256(_slice(s, 0, prefix.length)) == keccak256(prefix)) {
                selector = bytes4(keccak256(s));
                ++found;
            }
        }
        require(found == 1, string.concat("suite.json: no single ", name, ".", fn));
    }

    function _methods(string memory name) private view returns (string[] memory) {
        return this.suiteMethods(name); // an external call: the artifact's memory is freed on return
    }

    /// @dev The function signatures of a suite contract's artifact.
    function suiteMethods(string calldata name) external view returns (string[] memory) {
        string memory artifact = vm.readFile(string.concat("out/", name, ".sol/", name, ".json"));
        return vm.parseJsonKeys(artifact, ".methodIdentifiers");
    }

    /// @dev Static arguments args[from..] as ABI words: a suite name, <admin>, <treasury>, or an integer.
    function _words(string[] memory args, uint256 from) private view returns (bytes memory out) {
        for (uint256 i = from; i < args.length; ++i) {
            bytes32 h = keccak256(bytes(args[i]));
            uint256 w;
            if (h == keccak256("<admin>")) w = uint160(_suiteAdmin);
            else if (h == keccak256("<treasury>")) w = uint160(_suiteTreasury);
            else if (_suiteAt[h] != address(0)) w = uint160(_suiteAt[h]);
            else w = vm.parseUint(args[i]);
            out = bytes.concat(out, bytes32(w));
        }
    }

    function _at(string memory key, uint256 i) private pure returns (string memory) {
        return string.concat(key, "[", vm.toString(i), "]");
    }

    function _bubble(bool ok, bytes memory ret) private pure {
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    function _eq(string memory a, string memory b) private pure returns (bool) {
        return keccak256(bytes(a)) == keccak256(bytes(b));
    }

    function _endsWith(bytes memory s, bytes memory suffix) private pure returns (bool) {
        return keccak256(_slice(s, s.length - suffix.length, s.length)) == keccak256(suffix);
    }

    function _slice(bytes memory s, uint256 from, uint256 to) private pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = s[i];
        }
    }
}
