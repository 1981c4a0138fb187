import { HttpErrorResponse, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, switchMap, throwError } from 'rxjs';

import { ApiUrl } from '../api/api-url';
import { SKIP_AUTH } from '../api/http-context';
import { AuthService } from './auth.service';

const withToken = <T>(request: HttpRequest<T>, token: string | null): HttpRequest<T> =>
  token ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : request;

/**
 * Adds the bearer token to API calls. On a 401 it refreshes the session once and retries the
 * request once; when the refresh is refused the user is sent to the login page.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  const url = inject(ApiUrl);
  if (request.context.get(SKIP_AUTH) || !url.isApi(request.url)) {
    return next(request);
  }
  const auth = inject(AuthService);
  const sentToken = auth.accessToken();
  return next(withToken(request, sentToken)).pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || error.status !== 401 || !sentToken) {
        return throwError(() => error);
      }
      const current = auth.accessToken();
      if (current && current !== sentToken) {
        // Another call already refreshed while this one was in flight.
        return next(withToken(request, current));
      }
      return auth.refresh().pipe(
        catchError((refreshError: unknown) => {
          // Unreachable server: the refresh token was not spent, so the session stays.
          const offline = refreshError instanceof HttpErrorResponse && refreshError.status === 0;
          if (!offline) {
            auth.expireSession();
          }
          return throwError(() => (offline ? refreshError : error));
        }),
        switchMap((token) => next(withToken(request, token))),
      );
    }),
  );
};
