import { HttpClient, HttpContext } from '@angular/common/http';
import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { Router } from '@angular/router';
import {
  BehaviorSubject,
  catchError,
  distinctUntilChanged,
  finalize,
  map,
  Observable,
  of,
  shareReplay,
  switchMap,
  tap,
  throwError,
} from 'rxjs';

import { ApiUrl } from '../api/api-url';
import { SKIP_AUTH } from '../api/http-context';
import { TokenPair, User } from '../api/models';
import { StoredTokens, TOKEN_STORAGE_KEY, TokenStore } from './token-store';

export interface Credentials {
  email: string;
  password: string;
}

export interface Registration extends Credentials {
  full_name?: string;
}

const withoutAuth = (): { context: HttpContext } => ({
  context: new HttpContext().set(SKIP_AUTH, true),
});

/**
 * The signed-in session: token pair, current user, and the single in-flight refresh that every
 * caller (HTTP interceptor, WebSocket) shares, because each refresh token can be spent once.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);
  private readonly router = inject(Router);
  private readonly store = inject(TokenStore);

  private readonly tokens = signal<StoredTokens | null>(this.store.read());
  private readonly accessTokenSubject = new BehaviorSubject<string | null>(
    this.tokens()?.accessToken ?? null,
  );
  private readonly currentUser = signal<User | null>(null);
  private refreshInFlight: Observable<string> | null = null;

  readonly accessToken = computed(() => this.tokens()?.accessToken ?? null);
  readonly user = this.currentUser.asReadonly();
  readonly isAuthenticated = computed(() => this.tokens() !== null);
  /** The access token as it changes (sign-in, refresh, sign-out), for long-lived connections. */
  readonly accessToken$ = this.accessTokenSubject.pipe(distinctUntilChanged());

  constructor() {
    // Another tab that refreshed or signed out changed the stored pair: follow it.
    const onStorage = (event: StorageEvent): void => {
      if (event.key === TOKEN_STORAGE_KEY) {
        this.setTokens(this.store.read());
        if (!this.tokens()) {
          this.currentUser.set(null);
        }
      }
    };
    globalThis.addEventListener?.('storage', onStorage);
    inject(DestroyRef).onDestroy(() => globalThis.removeEventListener?.('storage', onStorage));
  }

  register(registration: Registration): Observable<User> {
    return this.http
      .post<User>(this.url.to('/auth/register'), registration, withoutAuth())
      .pipe(switchMap(() => this.login(registration)));
  }

  login(credentials: Credentials): Observable<User> {
    const body = { email: credentials.email, password: credentials.password };
    return this.http.post<TokenPair>(this.url.to('/auth/login'), body, withoutAuth()).pipe(
      tap((pair) => this.setTokens(this.store.write(pair))),
      switchMap(() => this.loadUser()),
    );
  }

  /** Loads `/auth/me` for a stored session; a session that cannot be refreshed ends here. */
  loadUser(): Observable<User> {
    return this.http
      .get<User>(this.url.to('/auth/me'))
      .pipe(tap((user) => this.currentUser.set(user)));
  }

  /** Restores the user of a stored session at start-up; never fails the bootstrap. */
  restoreSession(): Observable<unknown> {
    if (!this.tokens()) {
      return of(null);
    }
    return this.loadUser().pipe(catchError(() => of(null)));
  }

  logout(): Observable<void> {
    const refreshToken = this.tokens()?.refreshToken;
    this.clearSession();
    if (!refreshToken) {
      return of(undefined);
    }
    return this.http
      .post<void>(this.url.to('/auth/logout'), { refresh_token: refreshToken }, withoutAuth())
      .pipe(
        map(() => undefined),
        catchError(() => of(undefined)),
      );
  }

  /**
   * Exchanges the refresh token for a new pair and answers the new access token. Concurrent
   * callers share one request; on failure the session is cleared and the error passed on.
   */
  refresh(): Observable<string> {
    if (this.refreshInFlight) {
      return this.refreshInFlight;
    }
    const refreshToken = this.tokens()?.refreshToken;
    if (!refreshToken) {
      return throwError(() => new Error('No session to refresh.'));
    }
    this.refreshInFlight = this.http
      .post<TokenPair>(this.url.to('/auth/refresh'), { refresh_token: refreshToken }, withoutAuth())
      .pipe(
        map((pair) => {
          const stored = this.store.write(pair);
          this.setTokens(stored);
          return stored.accessToken;
        }),
        catchError((error: unknown) => {
          // Another tab may have spent the refresh token first and stored a fresh pair.
          const latest = this.store.read();
          if (latest && latest.refreshToken !== refreshToken) {
            this.setTokens(latest);
            return of(latest.accessToken);
          }
          return throwError(() => error);
        }),
        finalize(() => (this.refreshInFlight = null)),
        shareReplay({ bufferSize: 1, refCount: false }),
      );
    return this.refreshInFlight;
  }

  /** The session is over (refresh refused): forget it and ask the user to sign in again. */
  expireSession(): void {
    const returnUrl = this.router.url;
    this.clearSession();
    if (!returnUrl.startsWith('/login')) {
      void this.router.navigate(['/login'], {
        queryParams: { returnUrl: returnUrl === '/' ? null : returnUrl, expired: 1 },
      });
    }
  }

  private clearSession(): void {
    this.store.clear();
    this.setTokens(null);
    this.currentUser.set(null);
  }

  private setTokens(tokens: StoredTokens | null): void {
    this.tokens.set(tokens);
    this.accessTokenSubject.next(tokens?.accessToken ?? null);
  }
}
