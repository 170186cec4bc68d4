// `npm run bench:import`: the campaign-import benchmark (issue 14, target 2)
// runs in Jest only to reuse the integration tests' process network; it is not
// a test of `npm test` (the main config's projects never match *.bench.ts).
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('../../tsconfig.json');

const repo = `${__dirname}/../..`;

module.exports = {
  rootDir: repo,
  roots: ['<rootDir>/bench/import'],
  testMatch: ['**/*.bench.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testEnvironment: 'node',
  globalSetup: '<rootDir>/tests/support/global-setup.js',
  globalTeardown: '<rootDir>/tests/support/global-teardown.js',
  testTimeout: 3_600_000,
};
