import { HttpErrorResponse } from '@angular/common/http';

import { ProblemDetails } from './models';

/** A sentence a person can act on, from whatever an HTTP call failed with. */
export function errorMessage(error: unknown, fallback = 'Something went wrong.'): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) {
      return 'Cannot reach the server. Check your connection and try again.';
    }
    const problem = asProblem(error.error);
    if (error.status === 429) {
      const retryAfter = Number(error.headers?.get('Retry-After'));
      return Number.isFinite(retryAfter) && retryAfter > 0
        ? `Too many attempts. Try again in ${retryAfter} s.`
        : 'Too many attempts. Try again shortly.';
    }
    if (problem?.errors?.length) {
      return problem.errors.map((item) => `${fieldName(item.loc)}${item.msg}`).join(' ');
    }
    if (problem?.detail) {
      return problem.detail;
    }
    if (problem?.title) {
      return problem.title;
    }
    return `${fallback} (HTTP ${error.status})`;
  }
  if (error instanceof Error && error.cause instanceof HttpErrorResponse) {
    return errorMessage(error.cause, fallback);
  }
  if (error instanceof Error && error.message) {
    return error.message;
  }
  return fallback;
}

/** Validation messages keyed by body field name, for showing beside form fields. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof HttpErrorResponse) || error.status !== 422) {
    return {};
  }
  const result: Record<string, string> = {};
  for (const item of asProblem(error.error)?.errors ?? []) {
    const field = item.loc.filter((part) => part !== 'body').at(-1);
    if (typeof field === 'string' && !(field in result)) {
      result[field] = item.msg;
    }
  }
  return result;
}

/** The machine-readable reason (`webhook_url_refused`, `not_enough_examples`, …). */
export function problemCode(error: unknown): string | null {
  if (!(error instanceof HttpErrorResponse)) {
    return null;
  }
  const problem = asProblem(error.error);
  return problem?.code ?? problem?.type?.split('/').pop() ?? null;
}

export function requestIdOf(error: unknown): string | null {
  if (error instanceof HttpErrorResponse) {
    return asProblem(error.error)?.request_id ?? error.headers?.get('X-Request-ID') ?? null;
  }
  return null;
}

function asProblem(body: unknown): ProblemDetails | null {
  if (typeof body === 'string') {
    try {
      return asProblem(JSON.parse(body));
    } catch {
      return null;
    }
  }
  return body && typeof body === 'object' ? (body as ProblemDetails) : null;
}

function fieldName(loc: (string | number)[]): string {
  const field = loc.filter((part) => part !== 'body').at(-1);
  return typeof field === 'string' ? `${field.replace(/_/g, ' ')}: ` : '';
}
