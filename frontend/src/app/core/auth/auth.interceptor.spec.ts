import { HttpClient, HttpContext, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { SKIP_AUTH } from '../api/http-context';
import { TokenPair } from '../api/models';
import { APP_CONFIG, DEFAULT_CONFIG } from '../config';
import { authInterceptor } from './auth.interceptor';
import { AuthService } from './auth.service';
import { TOKEN_STORAGE_KEY } from './token-store';

const pair = (access: string, refresh: string): TokenPair => ({
  access_token: access,
  refresh_token: refresh,
  token_type: 'bearer',
  expires_in: 1800,
});

describe('authInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  let auth: AuthService;
  let router: Router;

  beforeEach(() => {
    localStorage.setItem(
      TOKEN_STORAGE_KEY,
      JSON.stringify({ accessToken: 'access-1', refreshToken: 'refresh-1' }),
    );
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthService);
    router = TestBed.inject(Router);
  });

  afterEach(() => {
    backend.verify();
    localStorage.clear();
  });

  it('adds the bearer token to API calls only', () => {
    http.get('/api/v1/products').subscribe();
    http.get('https://bucket.s3.example/key').subscribe();
    http.get('/api/v1/auth/me', { context: new HttpContext().set(SKIP_AUTH, true) }).subscribe();

    expect(backend.expectOne('/api/v1/products').request.headers.get('Authorization')).toBe(
      'Bearer access-1',
    );
    expect(
      backend.expectOne('https://bucket.s3.example/key').request.headers.has('Authorization'),
    ).toBe(false);
    expect(backend.expectOne('/api/v1/auth/me').request.headers.has('Authorization')).toBe(false);
  });

  it('refreshes once on 401 and retries the request with the new token', async () => {
    const answer = firstValueFrom(http.get<{ ok: boolean }>('/api/v1/products'));
    backend.expectOne('/api/v1/products').flush(null, { status: 401, statusText: 'Unauthorized' });

    const refresh = backend.expectOne('/api/v1/auth/refresh');
    expect(refresh.request.body).toEqual({ refresh_token: 'refresh-1' });
    expect(refresh.request.headers.has('Authorization')).toBe(false);
    refresh.flush(pair('access-2', 'refresh-2'));

    const retried = backend.expectOne('/api/v1/products');
    expect(retried.request.headers.get('Authorization')).toBe('Bearer access-2');
    retried.flush({ ok: true });

    expect(await answer).toEqual({ ok: true });
    expect(auth.accessToken()).toBe('access-2');
    expect(JSON.parse(localStorage.getItem(TOKEN_STORAGE_KEY)!)).toEqual({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
    });
  });

  it('shares one refresh between calls that fail together (a refresh token is single-use)', () => {
    const results: unknown[] = [];
    http.get('/api/v1/products').subscribe((body) => results.push(body));
    http.get('/api/v1/jobs').subscribe((body) => results.push(body));
    backend.expectOne('/api/v1/products').flush(null, { status: 401, statusText: 'Unauthorized' });
    backend.expectOne('/api/v1/jobs').flush(null, { status: 401, statusText: 'Unauthorized' });

    backend.expectOne('/api/v1/auth/refresh').flush(pair('access-2', 'refresh-2'));

    backend.expectOne('/api/v1/products').flush('p');
    backend.expectOne('/api/v1/jobs').flush('j');
    expect(results.sort()).toEqual(['j', 'p']);
  });

  it('does not refresh a second time when the retried request is refused again', async () => {
    const answer = firstValueFrom(http.get('/api/v1/products')).catch((error: unknown) => error);
    backend.expectOne('/api/v1/products').flush(null, { status: 401, statusText: 'Unauthorized' });
    backend.expectOne('/api/v1/auth/refresh').flush(pair('access-2', 'refresh-2'));
    backend.expectOne('/api/v1/products').flush(null, { status: 401, statusText: 'Unauthorized' });

    expect(await answer).toMatchObject({ status: 401 });
    backend.expectNone('/api/v1/auth/refresh');
  });

  it('sends the user to the login page when the refresh is refused', async () => {
    const navigate = vi.spyOn(router, 'navigate').mockResolvedValue(true);
    const answer = firstValueFrom(http.get('/api/v1/products')).catch((error: unknown) => error);
    backend.expectOne('/api/v1/products').flush(null, { status: 401, statusText: 'Unauthorized' });
    backend
      .expectOne('/api/v1/auth/refresh')
      .flush({ title: 'Invalid token' }, { status: 401, statusText: 'Unauthorized' });

    expect(await answer).toMatchObject({ status: 401 });
    expect(auth.isAuthenticated()).toBe(false);
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    expect(navigate).toHaveBeenCalledWith(
      ['/login'],
      expect.objectContaining({ queryParams: expect.objectContaining({ expired: 1 }) }),
    );
  });

  it('keeps the session when the refresh fails only because the server is unreachable', async () => {
    const answer = firstValueFrom(http.get('/api/v1/products')).catch((error: unknown) => error);
    backend.expectOne('/api/v1/products').flush(null, { status: 401, statusText: 'Unauthorized' });
    backend.expectOne('/api/v1/auth/refresh').error(new ProgressEvent('error'), { status: 0 });

    expect(await answer).toMatchObject({ status: 0 });
    expect(auth.isAuthenticated()).toBe(true);
  });

  it('passes other errors through untouched', async () => {
    const answer = firstValueFrom(http.get('/api/v1/products/x')).catch((error: unknown) => error);
    backend
      .expectOne('/api/v1/products/x')
      .flush({ title: 'Not found' }, { status: 404, statusText: 'Not Found' });
    expect(await answer).toMatchObject({ status: 404 });
    backend.expectNone('/api/v1/auth/refresh');
  });
});
