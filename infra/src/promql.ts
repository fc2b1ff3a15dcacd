import { parser } from '@prometheus-io/lezer-promql';

// Grafana's built-in variables, replaced by a representative value before parsing.
const GRAFANA_VARIABLES: Record<string, string> = {
  __rate_interval: '5m',
  __interval: '1m',
  __range: '1h',
};

/** Replaces Grafana variables (`$__rate_interval`, `${x}`, `$x`) so the text is plain PromQL. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    return GRAFANA_VARIABLES[name] ?? 'grafana_var';
  });
}

export interface ParsedQuery {
  /** Metric names the query selects (vector selectors and `__name__` matchers). */
  metrics: string[];
  /** Syntax errors: text of the nodes lezer could not parse. */
  errors: string[];
}

/** Parses PromQL with Prometheus' own lezer grammar and lists the metric names it selects. */
export function parsePromQL(expr: string): ParsedQuery {
  const text = withoutGrafanaVariables(expr);
  const tree = parser.parse(text);
  const metrics = new Set<string>();
  const errors: string[] = [];
  const cursor = tree.cursor();
  do {
    const node = cursor.node;
    if (cursor.type.isError) errors.push(`at ${cursor.from}: "${text.slice(cursor.from, cursor.to + 10)}"`);
    if (cursor.name === 'Identifier' && node.parent?.name === 'VectorSelector') {
      metrics.add(text.slice(cursor.from, cursor.to));
    }
    if (cursor.name === 'LabelName' && text.slice(cursor.from, cursor.to) === '__name__') {
      const value = /^__name__\s*=\s*"([^"]+)"/.exec(text.slice(cursor.from));
      if (value?.[1]) metrics.add(value[1]);
    }
  } while (cursor.next());
  return { metrics: [...metrics].sort(), errors };
}

export interface Selector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** Every vector selector of a query with its label matchers (`{queue="recs-user", state=~"a|b"}`). */
export function selectors(expr: string): Selector[] {
  const text = withoutGrafanaVariables(expr);
  const out: Selector[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const ident = node.getChild('Identifier');
    if (!ident) continue;
    const sel: Selector = { metric: text.slice(ident.from, ident.to), matchers: [] };
    for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const name = m.getChild('LabelName');
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      if (!name || !op || !value) continue;
      sel.matchers.push({
        label: text.slice(name.from, name.to),
        op: text.slice(op.from, op.to),
        value: text.slice(value.from + 1, value.to - 1),
      });
    }
    out.push(sel);
  } while (cursor.next());
  return out;
}
