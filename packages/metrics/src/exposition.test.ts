import { describe, expect, it } from '@jest/globals';
import { mergeExpositions } from './exposition.ts';

describe('mergeExpositions', () => {
  it('keeps one HELP/TYPE per family and groups its samples', () => {
    const a =
      '# HELP bullmq_job_count n\n# TYPE bullmq_job_count gauge\nbullmq_job_count{queue="a", state="wait"} 1\n# HELP t x\n# TYPE t counter\nt{queue="a"} 3';
    const b =
      '# HELP bullmq_job_count n\n# TYPE bullmq_job_count gauge\nbullmq_job_count{queue="b", state="wait"} 2\n# HELP t x\n# TYPE t counter\nt{queue="b"} 4';
    expect(mergeExpositions([a, b])).toBe(
      [
        '# HELP bullmq_job_count n',
        '# TYPE bullmq_job_count gauge',
        'bullmq_job_count{queue="a", state="wait"} 1',
        'bullmq_job_count{queue="b", state="wait"} 2',
        '# HELP t x',
        '# TYPE t counter',
        't{queue="a"} 3',
        't{queue="b"} 4',
        '',
      ].join('\n'),
    );
    expect(mergeExpositions([])).toBe('');
  });
});
