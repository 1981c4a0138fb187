import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';

import { errorMessage, fieldErrors, problemCode, requestIdOf } from './problem';

const problem = (status: number, body: unknown, headers = new HttpHeaders()) =>
  new HttpErrorResponse({ status, error: body, headers, url: '/api/v1/x' });

describe('problem details', () => {
  it('shows the detail, else the title, of an RFC 9457 answer', () => {
    expect(
      errorMessage(problem(404, { title: 'Not found', detail: 'No product with this id.' })),
    ).toBe('No product with this id.');
    expect(errorMessage(problem(409, { title: 'Conflict' }))).toBe('Conflict');
    expect(errorMessage(problem(500, null), 'Could not save.')).toBe('Could not save. (HTTP 500)');
  });

  it('lists validation errors with their fields', () => {
    const invalid = problem(422, {
      title: 'Validation failed',
      errors: [
        { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' },
        { loc: ['body', 'password'], msg: 'too short', type: 'string_too_short' },
      ],
    });
    expect(errorMessage(invalid)).toBe(
      'email: value is not a valid email address password: too short',
    );
    expect(fieldErrors(invalid)).toEqual({
      email: 'value is not a valid email address',
      password: 'too short',
    });
  });

  it('explains rate limits and lost connections', () => {
    const limited = problem(
      429,
      { title: 'Too many requests' },
      new HttpHeaders({ 'Retry-After': '30' }),
    );
    expect(errorMessage(limited)).toBe('Too many attempts. Try again in 30 s.');
    expect(errorMessage(problem(0, new ProgressEvent('error')))).toContain(
      'Cannot reach the server',
    );
  });

  it('finds the request id for support', () => {
    expect(requestIdOf(problem(500, { request_id: 'abc' }))).toBe('abc');
    expect(requestIdOf(problem(500, null, new HttpHeaders({ 'X-Request-ID': 'def' })))).toBe('def');
  });

  it('reads the problem code from the body or the type', () => {
    expect(problemCode(problem(409, { code: 'not_enough_examples' }))).toBe('not_enough_examples');
    expect(
      problemCode(problem(422, { type: 'https://imagineai.dev/problems/webhook_url_refused' })),
    ).toBe('webhook_url_refused');
    expect(problemCode(new Error('x'))).toBeNull();
  });
});
