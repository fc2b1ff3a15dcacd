// Shared Jest setup for every package: ESM TypeScript compiled by SWC (no type checks here —
// `pnpm typecheck` runs tsc separately), sources resolved through the `@mealwise/source`
// export condition so tests never need a build of the packages they import.

/** @param {{ displayName?: string, testTimeout?: number, testMatch?: string[] }} [overrides] */
export function jestConfig(overrides = {}) {
  return {
    // Node's environment plus the host's undici dispatcher, so the real @google/genai SDK can
    // reach real sockets from inside Jest (see jest.environment.js).
    testEnvironment: new URL('./jest.environment.js', import.meta.url).pathname,
    testEnvironmentOptions: {
      customExportConditions: ['@mealwise/source', 'node', 'node-addons'],
    },
    extensionsToTreatAsEsm: ['.ts'],
    moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript' },
            target: 'es2023',
          },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    testTimeout: 30_000,
    // Integration tests share one PostgreSQL and one Redis: a worker per core is plenty.
    maxWorkers: '50%',
    ...overrides,
  };
}
