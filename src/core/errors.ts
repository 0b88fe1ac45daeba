// Every error hebb raises on purpose is a HebbError with a stable code.
// Bad input is a ModelError (or UsageError) and carries the JSON path
// (a JSON Pointer, e.g. /populations/1/params/tau_m) of each offending value.

export class HebbError extends Error {
  override name = 'HebbError';
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface Issue {
  /** JSON Pointer to the offending value ('' is the whole document). */
  path: string;
  message: string;
  /** 'limit' when the model is valid but larger than allowed. */
  rule?: 'limit';
}

export function formatIssue(issue: Issue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

/** A model (or option) that breaks a rule; every broken rule is an issue. */
export class ModelError extends HebbError {
  override name = 'ModelError';
  readonly issues: Issue[];
  constructor(issues: Issue[], source?: string) {
    const first = issues[0] ? formatIssue(issues[0]) : 'invalid model';
    const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
    super('HEBB_ERR_MODEL', `${source ? `${source}: ` : ''}${first}${more}`);
    // A hostile model can have millions of issues: the first hundred say enough.
    this.issues = issues.length <= 100 ? issues : [...issues.slice(0, 100), { path: '', message: `and ${issues.length - 100} more issues` }];
  }
}

/** A command-line or API argument that breaks a rule. */
export class UsageError extends HebbError {
  override name = 'UsageError';
  readonly option: string | undefined;
  constructor(message: string, option?: string) {
    super('HEBB_ERR_USAGE', option ? `${option}: ${message}` : message);
    this.option = option;
  }
}

/** The kernel refused a call or trapped: a bug, or a limit it enforces. */
export class KernelError extends HebbError {
  override name = 'KernelError';
  readonly step: number | undefined;
  constructor(message: string, step?: number, options?: { cause?: unknown }) {
    super('HEBB_ERR_KERNEL', step === undefined ? message : `${message} (at step ${step})`, options);
    this.step = step;
  }
}

/** A file hebb reads (model, checkpoint) that is unreadable or not what it claims. */
export class FileFormatError extends HebbError {
  override name = 'FileFormatError';
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('HEBB_ERR_FILE', `${file}: ${message}`, options);
    this.file = file;
  }
}

/** True for errors caused by the user's input (exit code 2). */
export function isInputError(e: unknown): e is ModelError | UsageError | FileFormatError {
  return e instanceof ModelError || e instanceof UsageError || e instanceof FileFormatError;
}
