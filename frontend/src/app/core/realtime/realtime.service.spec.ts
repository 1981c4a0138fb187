import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subscription } from 'rxjs';

import { AuthService } from '../auth/auth.service';
import { TOKEN_STORAGE_KEY } from '../auth/token-store';
import { APP_CONFIG } from '../config';
import { RealtimeEvent } from './events';
import {
  backoffDelay,
  RealtimeService,
  SILENCE_LIMIT_MS,
  WEBSOCKET_CTOR,
} from './realtime.service';

/** Just enough of a browser WebSocket for RxJS's webSocket subject. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: Partial<CloseEvent>) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closedByClient = false;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  static latest(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }

  send(): void {}

  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }

  serverOpens(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  serverSends(event: RealtimeEvent): void {
    this.onmessage?.({ data: JSON.stringify(event) });
  }

  serverCloses(code: number, wasClean = true): void {
    this.readyState = 3;
    this.onclose?.({ code, wasClean, reason: '' });
  }
}

const heartbeat: RealtimeEvent = { type: 'heartbeat', ts: '2026-01-01T00:00:00Z' };
const analysed: RealtimeEvent = {
  type: 'image.analyzed',
  image_id: 'img-1',
  product_id: 'prod-1',
  status: 'completed',
  classification_label: 'mug',
  ts: '2026-01-01T00:00:01Z',
};

describe('RealtimeService', () => {
  let service: RealtimeService;
  let backend: HttpTestingController;
  let subscription: Subscription;
  let received: RealtimeEvent[];

  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    FakeSocket.instances = [];
    localStorage.setItem(
      TOKEN_STORAGE_KEY,
      JSON.stringify({ accessToken: 'access-1', refreshToken: 'refresh-1' }),
    );
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: 'login', children: [] }]),
        { provide: APP_CONFIG, useValue: { apiBaseUrl: 'http://api.test', wsUrl: '' } },
        { provide: WEBSOCKET_CTOR, useValue: FakeSocket },
      ],
    });
    service = TestBed.inject(RealtimeService);
    backend = TestBed.inject(HttpTestingController);
    received = [];
    subscription = service.events$.subscribe((event) => received.push(event));
  });

  afterEach(() => {
    subscription.unsubscribe();
    backend.verify();
    localStorage.clear();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('connects with the access token on the query string and passes events on', () => {
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.latest().url).toBe('ws://api.test/ws?token=access-1');
    expect(service.state()).toBe('connecting');

    FakeSocket.latest().serverOpens();
    FakeSocket.latest().serverSends(heartbeat);
    FakeSocket.latest().serverSends(analysed);

    expect(service.state()).toBe('open');
    expect(received).toEqual([heartbeat, analysed]);
  });

  it('reconnects with exponential backoff after the connection drops', () => {
    const reconnected = vi.fn();
    service.reconnected$.subscribe(reconnected);
    FakeSocket.latest().serverOpens();

    FakeSocket.latest().serverCloses(1006, false);
    expect(service.state()).toBe('reconnecting');
    vi.advanceTimersByTime(backoffDelay(1) - 1);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);

    // Still down: the next wait doubles.
    FakeSocket.latest().serverCloses(1006, false);
    vi.advanceTimersByTime(backoffDelay(2) - 1);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);

    FakeSocket.latest().serverOpens();
    expect(service.state()).toBe('open');
    expect(reconnected).toHaveBeenCalledTimes(1);

    // A clean close from the server (restart) reconnects too, from the first delay again.
    FakeSocket.latest().serverCloses(1001);
    vi.advanceTimersByTime(backoffDelay(1));
    expect(FakeSocket.instances).toHaveLength(4);
    FakeSocket.latest().serverOpens();
    FakeSocket.latest().serverSends(analysed);
    expect(received).toEqual([analysed]);
  });

  it('treats a silent socket as dead and reconnects', () => {
    FakeSocket.latest().serverOpens();
    vi.advanceTimersByTime(SILENCE_LIMIT_MS + backoffDelay(1));
    expect(FakeSocket.instances[0].closedByClient).toBe(true);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('refreshes the session on a 4401 close and reconnects with the new token', () => {
    FakeSocket.latest().serverOpens();
    FakeSocket.latest().serverCloses(4401);

    const refresh = backend.expectOne('http://api.test/api/v1/auth/refresh');
    expect(refresh.request.body).toEqual({ refresh_token: 'refresh-1' });
    refresh.flush({
      access_token: 'access-2',
      refresh_token: 'refresh-2',
      token_type: 'bearer',
      expires_in: 1800,
    });

    expect(FakeSocket.instances).toHaveLength(2);
    expect(FakeSocket.latest().url).toBe('ws://api.test/ws?token=access-2');
    // No stray reconnect with the old token later.
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances.filter((socket) => socket.url.endsWith('access-1'))).toHaveLength(
      1,
    );
  });

  it('re-authenticates when the HTTP side refreshed the token', () => {
    FakeSocket.latest().serverOpens();
    const auth = TestBed.inject(AuthService);
    auth.refresh().subscribe();
    backend.expectOne('http://api.test/api/v1/auth/refresh').flush({
      access_token: 'access-3',
      refresh_token: 'refresh-3',
      token_type: 'bearer',
      expires_in: 1800,
    });

    expect(FakeSocket.instances[0].closedByClient).toBe(true);
    expect(FakeSocket.latest().url).toBe('ws://api.test/ws?token=access-3');
  });

  it('closes when the user signs out and stays closed', () => {
    FakeSocket.latest().serverOpens();
    TestBed.inject(AuthService).logout().subscribe();
    backend
      .expectOne('http://api.test/api/v1/auth/logout')
      .flush(null, { status: 204, statusText: 'No Content' });

    expect(FakeSocket.instances[0].closedByClient).toBe(true);
    expect(service.state()).toBe('offline');
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('ends the session when a 4401 cannot be fixed by a refresh', () => {
    FakeSocket.latest().serverCloses(4401);
    backend
      .expectOne('http://api.test/api/v1/auth/refresh')
      .flush({ title: 'Invalid refresh token' }, { status: 401, statusText: 'Unauthorized' });

    expect(TestBed.inject(AuthService).isAuthenticated()).toBe(false);
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('caps the backoff at 30 s with at most 20 % jitter', () => {
    expect(backoffDelay(1, () => 0)).toBe(1000);
    expect(backoffDelay(4, () => 0)).toBe(8000);
    expect(backoffDelay(20, () => 0)).toBe(30_000);
    expect(backoffDelay(20, () => 1)).toBe(36_000);
  });
});
