/** A caller passed a bad argument (tgid, days, minOrders, pageSize, after): never reaches SQL. */
export class InvalidStatsInputError extends Error {
  readonly code = 'INVALID_INPUT';
  /** The argument at fault, e.g. `days`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.field = field;
  }
}

/** getUserStats for a tgid that is not in `users` (an API maps it to 404, the CLI to exit 1). */
export class UserNotFoundError extends Error {
  readonly code = 'USER_NOT_FOUND';
  readonly tgid: number;
  constructor(tgid: number) {
    super(`no user with tgid ${tgid}`);
    this.name = new.target.name;
    this.tgid = tgid;
  }
}
