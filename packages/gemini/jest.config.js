import { jestConfig } from '../../jest.preset.js';

export default { ...jestConfig(), testEnvironment: '<rootDir>/jest-environment.js' };
