// Errors of the HTTP layer: a status and a stable code beside the message.

import { HebbError } from '../core/errors.js';

export class HttpError extends HebbError {
  constructor(readonly statusCode: number, code: string, message: string) {
    super(code, message);
  }
}

export function httpError(status: number, code: string, message: string): HttpError {
  return new HttpError(status, code, message);
}

export function errorName(status: number): string {
  return { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 429: 'Too Many Requests' }[status] ?? 'Internal Server Error';
}
