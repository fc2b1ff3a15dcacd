export * from './harness/index.ts';
export type { ScenarioRow } from './report.ts';
export { DOC_FILE, RESULTS_FILE, recordScenario, renderMarkdown } from './report.ts';
