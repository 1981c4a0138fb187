import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable, InjectionToken, signal } from '@angular/core';
import {
  catchError,
  concatWith,
  defer,
  EMPTY,
  filter,
  NEVER,
  Observable,
  retry,
  share,
  Subject,
  switchMap,
  throwError,
  timeout,
  timer,
} from 'rxjs';
import { webSocket } from 'rxjs/webSocket';

import { AuthService } from '../auth/auth.service';
import { APP_CONFIG, websocketUrl } from '../config';
import { RealtimeEvent } from './events';

/** The WebSocket constructor; tests provide a fake one. */
export const WEBSOCKET_CTOR = new InjectionToken<typeof WebSocket>('WEBSOCKET_CTOR', {
  providedIn: 'root',
  factory: () => WebSocket,
});

/** Server heartbeats come every 20 s; a silent socket past this is treated as dead. */
export const SILENCE_LIMIT_MS = 45_000;
export const UNAUTHORIZED_CLOSE_CODE = 4401;

export type ConnectionState = 'offline' | 'connecting' | 'open' | 'reconnecting';

/** Exponential backoff with up to 20 % jitter: 1 s, 2 s, 4 s ... capped at 30 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

export class SocketClosedError extends Error {
  constructor(readonly code: number | null) {
    super(`WebSocket closed${code === null ? '' : ` (${code})`}`);
  }
}

/**
 * One WebSocket to `/ws` for the whole app, open while someone listens and the user is signed
 * in. It reconnects with backoff; a 4401 close refreshes the session, and every new access
 * token (sign-in, refresh) reconnects with that token.
 */
@Injectable({ providedIn: 'root' })
export class RealtimeService {
  private readonly auth = inject(AuthService);
  private readonly socketCtor = inject(WEBSOCKET_CTOR);
  private readonly url = websocketUrl(inject(APP_CONFIG), globalThis.location);
  private readonly connectionState = signal<ConnectionState>('offline');
  private readonly reconnects = new Subject<void>();

  readonly state = this.connectionState.asReadonly();
  /** Fires when a dropped connection is back: events may have been missed, so reload. */
  readonly reconnected$ = this.reconnects.asObservable();

  readonly events$: Observable<RealtimeEvent> = this.auth.accessToken$.pipe(
    switchMap((token) => {
      if (!token) {
        this.connectionState.set('offline');
        return EMPTY;
      }
      return this.connect(token);
    }),
    share(),
  );

  /** Events of the given types, heartbeats never included. */
  on<T extends RealtimeEvent['type']>(
    ...types: T[]
  ): Observable<Extract<RealtimeEvent, { type: T }>> {
    return this.events$.pipe(
      filter((event): event is Extract<RealtimeEvent, { type: T }> =>
        (types as string[]).includes(event.type),
      ),
    );
  }

  private connect(token: string): Observable<RealtimeEvent> {
    let failures = 0;
    let everOpened = false;
    return defer(() => {
      this.connectionState.set(failures === 0 && !everOpened ? 'connecting' : 'reconnecting');
      let closeCode: number | null = null;
      return webSocket<RealtimeEvent>({
        url: `${this.url}?token=${encodeURIComponent(token)}`,
        WebSocketCtor: this.socketCtor,
        openObserver: {
          next: () => {
            if (everOpened) {
              this.reconnects.next();
            }
            everOpened = true;
            failures = 0;
            this.connectionState.set('open');
          },
        },
        closeObserver: { next: (event: CloseEvent) => (closeCode = event.code) },
      }).pipe(
        timeout({
          each: SILENCE_LIMIT_MS,
          with: () => throwError(() => new SocketClosedError(null)),
        }),
        // A clean close completes the socket stream; make it an error so `retry` reconnects.
        concatWith(defer(() => throwError(() => new SocketClosedError(closeCode)))),
        catchError((error: unknown) =>
          throwError(() =>
            error instanceof SocketClosedError ? error : new SocketClosedError(closeCode),
          ),
        ),
      );
    }).pipe(
      retry({
        delay: (error: SocketClosedError) => {
          failures += 1;
          this.connectionState.set('reconnecting');
          if (error.code === UNAUTHORIZED_CLOSE_CODE) {
            return this.refreshThenWait();
          }
          return timer(backoffDelay(failures));
        },
      }),
    );
  }

  /**
   * The new token arrives through `accessToken$`, which reconnects by itself, so this never
   * retries with the old one. An unreachable API is retried later; a refused refresh ends the
   * session.
   */
  private refreshThenWait(): Observable<unknown> {
    return this.auth.refresh().pipe(
      switchMap(() => NEVER),
      catchError((error: unknown) => {
        if (error instanceof HttpErrorResponse && error.status === 0) {
          return timer(backoffDelay(3));
        }
        this.auth.expireSession();
        return EMPTY;
      }),
    );
  }
}
