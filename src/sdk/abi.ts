/**
 * The ABI of `HedgeSwapEscrow` (every function, event and error, including those it inherits),
 * generated from the compiled artifact by `scripts/make-abi.ts`. Do not edit by hand.
 */
export const escrowAbi = [
  {
    "inputs": [],
    "stateMutability": "nonpayable",
    "type": "constructor"
  },
  {
    "inputs": [],
    "name": "BatchEmpty",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "legs",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "secrets",
        "type": "uint256"
      }
    ],
    "name": "BatchLengthMismatch",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "InvalidShortString",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "caller",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "escrower",
        "type": "address"
      }
    ],
    "name": "LegCallerNotEscrower",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "caller",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      }
    ],
    "name": "LegCallerNotRedeemer",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "deadline",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "currentTime",
        "type": "uint256"
      }
    ],
    "name": "LegDeadlinePassed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "premiumDeadline",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "escrowDeadline",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "timeout",
        "type": "uint256"
      }
    ],
    "name": "LegDeadlinesUnordered",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      }
    ],
    "name": "LegEscrowerIsRedeemer",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      }
    ],
    "name": "LegInvalidAbortSignature",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      }
    ],
    "name": "LegInvalidParty",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "LegMalformedTimelocks",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "LegNoPremium",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "deadline",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "currentTime",
        "type": "uint256"
      }
    ],
    "name": "LegNotExpired",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "LegPermitForNativeCoin",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "premiumToken",
        "type": "address"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "LegPremiumTermsWithoutPremium",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "timeout",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "latestTimeout",
        "type": "uint256"
      }
    ],
    "name": "LegTimeoutTooFar",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "enum IHedgeSwapEscrow.LegState",
        "name": "current",
        "type": "uint8"
      }
    ],
    "name": "LegUnexpectedState",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "secretHash",
        "type": "bytes32"
      }
    ],
    "name": "LegWrongSecret",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "LegZeroAmount",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "expected",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "received",
        "type": "uint256"
      }
    ],
    "name": "NativeValueMismatch",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      }
    ],
    "name": "NothingToWithdraw",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      }
    ],
    "name": "SafeERC20FailedOperation",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "str",
        "type": "string"
      }
    ],
    "name": "StringTooLong",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "expected",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "received",
        "type": "uint256"
      }
    ],
    "name": "TokenAmountMismatch",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      }
    ],
    "name": "TokenCallFailed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "credit",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "WithdrawExceedsCredit",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "WithdrawFailed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      }
    ],
    "name": "WithdrawZeroAmount",
    "type": "error"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "CreditWithdrawn",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [],
    "name": "EIP712DomainChanged",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "LegAborted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "LegEscrowed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "escrower",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "LegLocked",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "escrower",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "premiumToken",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "premiumAmount",
        "type": "uint256"
      }
    ],
    "name": "LegPremiumDeposited",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "LegPremiumRefunded",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "secret",
        "type": "bytes32"
      }
    ],
    "name": "LegRedeemed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "LegRefunded",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "escrower",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "NativeLegLocked",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "PayoutCredited",
    "type": "event"
  },
  {
    "inputs": [],
    "name": "MAX_TIMELOCK_HORIZON",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "VERSION",
    "outputs": [
      {
        "internalType": "string",
        "name": "",
        "type": "string"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      },
      {
        "internalType": "bytes",
        "name": "redeemerSignature",
        "type": "bytes"
      }
    ],
    "name": "abort",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "escrower",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      },
      {
        "internalType": "bytes32",
        "name": "secret",
        "type": "bytes32"
      }
    ],
    "name": "claim",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "bytes32",
            "name": "secret",
            "type": "bytes32"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.PlainClaim[]",
        "name": "claims",
        "type": "tuple[]"
      }
    ],
    "name": "claimBatch",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "escrower",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      },
      {
        "internalType": "bytes32",
        "name": "secret",
        "type": "bytes32"
      }
    ],
    "name": "claimToken",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      }
    ],
    "name": "credits",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      }
    ],
    "name": "depositPremium",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg[]",
        "name": "legs",
        "type": "tuple[]"
      }
    ],
    "name": "depositPremiumBatch",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      },
      {
        "internalType": "uint256",
        "name": "permitDeadline",
        "type": "uint256"
      },
      {
        "internalType": "uint8",
        "name": "v",
        "type": "uint8"
      },
      {
        "internalType": "bytes32",
        "name": "r",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "s",
        "type": "bytes32"
      }
    ],
    "name": "depositPremiumWithPermit",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "eip712Domain",
    "outputs": [
      {
        "internalType": "bytes1",
        "name": "fields",
        "type": "bytes1"
      },
      {
        "internalType": "string",
        "name": "name",
        "type": "string"
      },
      {
        "internalType": "string",
        "name": "version",
        "type": "string"
      },
      {
        "internalType": "uint256",
        "name": "chainId",
        "type": "uint256"
      },
      {
        "internalType": "address",
        "name": "verifyingContract",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "salt",
        "type": "bytes32"
      },
      {
        "internalType": "uint256[]",
        "name": "extensions",
        "type": "uint256[]"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      }
    ],
    "name": "escrow",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg[]",
        "name": "legs",
        "type": "tuple[]"
      }
    ],
    "name": "escrowBatch",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      },
      {
        "internalType": "uint256",
        "name": "permitDeadline",
        "type": "uint256"
      },
      {
        "internalType": "uint8",
        "name": "v",
        "type": "uint8"
      },
      {
        "internalType": "bytes32",
        "name": "r",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "s",
        "type": "bytes32"
      }
    ],
    "name": "escrowWithPermit",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      }
    ],
    "name": "hashAbort",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      }
    ],
    "name": "hashLeg",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "legId",
        "type": "bytes32"
      }
    ],
    "name": "legState",
    "outputs": [
      {
        "internalType": "enum IHedgeSwapEscrow.LegState",
        "name": "",
        "type": "uint8"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32[]",
        "name": "legIds",
        "type": "bytes32[]"
      }
    ],
    "name": "legStatesOf",
    "outputs": [
      {
        "internalType": "enum IHedgeSwapEscrow.LegState[]",
        "name": "states",
        "type": "uint8[]"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "lock",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "lockToken",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      },
      {
        "internalType": "bytes32",
        "name": "secret",
        "type": "bytes32"
      }
    ],
    "name": "redeem",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg[]",
        "name": "legs",
        "type": "tuple[]"
      },
      {
        "internalType": "bytes32[]",
        "name": "secrets",
        "type": "bytes32[]"
      }
    ],
    "name": "redeemBatch",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "refund",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "redeemer",
        "type": "address"
      },
      {
        "internalType": "bytes32",
        "name": "hashlock",
        "type": "bytes32"
      },
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "internalType": "Timelocks",
        "name": "timelocks",
        "type": "uint256"
      }
    ],
    "name": "refundToken",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg",
        "name": "leg",
        "type": "tuple"
      }
    ],
    "name": "settle",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "escrower",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "redeemer",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "hashlock",
            "type": "bytes32"
          },
          {
            "internalType": "address",
            "name": "token",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "amount",
            "type": "uint256"
          },
          {
            "internalType": "Timelocks",
            "name": "timelocks",
            "type": "uint256"
          },
          {
            "internalType": "address",
            "name": "premiumToken",
            "type": "address"
          },
          {
            "internalType": "uint256",
            "name": "premiumAmount",
            "type": "uint256"
          }
        ],
        "internalType": "struct IHedgeSwapEscrow.Leg[]",
        "name": "legs",
        "type": "tuple[]"
      }
    ],
    "name": "settleBatch",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "withdraw",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      },
      {
        "internalType": "address",
        "name": "to",
        "type": "address"
      }
    ],
    "name": "withdraw",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  }
] as const;
