/**
 * The metric families a Prometheus text exposition declares (`# TYPE name kind`), and whether a
 * series name a query selects belongs to one of them (histograms expose `_bucket`, `_sum`,
 * `_count`; summaries `_sum`, `_count`).
 */
export function metricFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (m) families.set(m[1] as string, m[2] as string);
  }
  return families;
}

export function seriesIsExported(name: string, families: Map<string, string>): boolean {
  if (families.has(name)) return true;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const kind = families.get(name.slice(0, -suffix.length));
    if (kind === 'histogram' || (kind === 'summary' && suffix !== '_bucket')) return true;
  }
  return false;
}
