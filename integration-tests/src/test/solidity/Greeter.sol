// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Test contract of EthereumDevnetIT: a greeting that anyone may change, with a change counter and an event.
contract Greeter {
    string private greeting;
    uint256 public changes;

    event GreetingChanged(address indexed by, string greeting, uint256 changes);

    constructor(string memory initialGreeting) {
        greeting = initialGreeting;
    }

    function greet() external view returns (string memory) {
        return greeting;
    }

    function setGreeting(string calldata newGreeting) external {
        greeting = newGreeting;
        changes += 1;
        emit GreetingChanged(msg.sender, newGreeting, changes);
    }
}
