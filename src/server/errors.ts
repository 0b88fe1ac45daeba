// Errors of the HTTP layer: a status and a stable code beside the message.

import { STATUS_CODES } from 'node:http';
import { HebbError, type Issue } from '../core/errors.js';

export class HttpError extends HebbError {
  /** The issues of a request body that breaks its schema. */
  issues?: Issue[];
  constructor(readonly statusCode: number, code: string, message: string) {
    super(code, message);
  }
}

export function httpError(status: number, code: string, message: string): HttpError {
  return new HttpError(status, code, message);
}

export function errorName(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
