import { jestConfig } from '../../jest.preset.js';

// Chaos scenarios start real processes (Redis, PostgreSQL proxy, emulator, workers, API) and
// measure recovery: one file at a time (in band, never competing with each other for the machine),
// long timeouts, and the harness's own scenario files only.
export default {
  ...jestConfig({
    displayName: 'chaos',
    testTimeout: 180_000,
    testMatch: ['<rootDir>/test/**/*.chaos.test.ts', '<rootDir>/src/**/*.test.ts'],
  }),
  maxWorkers: 1,
  // A scenario's afterAll reaps its processes; this bounds a hung teardown.
  openHandlesTimeout: 10_000,
};
