// Hardhat 2 configuration of the devnet's Ethereum node. devnet/ethereum/ctl.sh copies it into $RUN_DIR/ethereum
// next to a link to the cached node_modules, and runs `hardhat node` there.
// Offline: hardhat's own compile would download a native solc; it is pointed at npm's solc-js instead.
const { subtask } = require('hardhat/config');
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require('hardhat/builtin-tasks/task-names');

const SOLC_VERSION = require('solc/package.json').version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }) => {
  if (solcVersion !== SOLC_VERSION) {
    throw new Error(`only solc ${SOLC_VERSION} (solc-js from npm) is available offline; a contract asked for ${solcVersion}`);
  }
  return {
    compilerPath: require.resolve('solc/soljson.js'),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: require('solc').version(),
  };
});

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: SOLC_VERSION,
  networks: {
    hardhat: {
      chainId: 31337,
    },
  },
  paths: {
    sources: './contracts',
    cache: './cache',
    artifacts: './artifacts',
  },
};
