/** Bad arguments: print the message and the command's usage, exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export const EXIT_USAGE = 2;
