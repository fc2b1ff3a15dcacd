export interface ConfigIssue {
  /** The environment variable at fault, e.g. `GEMINI_MAX_REQUESTS_PER_MINUTE`. */
  variable: string;
  message: string;
}

/** Invalid configuration: the process must not start. The message names every bad variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(
      issues.length === 1
        ? `Invalid configuration: ${issues[0]!.variable} ${issues[0]!.message}`
        : `Invalid configuration:\n${issues.map((i) => `  - ${i.variable} ${i.message}`).join('\n')}`,
    );
    this.name = new.target.name;
    this.issues = issues;
  }
}
