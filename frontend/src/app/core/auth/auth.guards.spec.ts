import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import {
  ActivatedRouteSnapshot,
  provideRouter,
  RouterStateSnapshot,
  UrlTree,
} from '@angular/router';

import { APP_CONFIG, DEFAULT_CONFIG } from '../config';
import { authGuard, guestGuard, safeReturnUrl } from './auth.guards';
import { TOKEN_STORAGE_KEY } from './token-store';

describe('route guards', () => {
  const run = (guard: typeof authGuard, url: string) =>
    TestBed.runInInjectionContext(() =>
      guard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot),
    );

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
      ],
    });
  });

  afterEach(() => localStorage.clear());

  it('sends signed-out visitors to login, remembering where they wanted to go', () => {
    const result = run(authGuard, '/products?q=mug') as UrlTree;
    expect(result.toString()).toBe('/login?returnUrl=%2Fproducts%3Fq%3Dmug');
    expect(run(guestGuard, '/login')).toBe(true);
  });

  it('lets signed-in users in and keeps them off the login page', () => {
    localStorage.setItem(
      TOKEN_STORAGE_KEY,
      JSON.stringify({ accessToken: 'a', refreshToken: 'r' }),
    );
    expect(run(authGuard, '/products')).toBe(true);
    expect((run(guestGuard, '/login') as UrlTree).toString()).toBe('/dashboard');
  });

  it('only follows same-app return paths', () => {
    expect(safeReturnUrl('/jobs/1')).toBe('/jobs/1');
    expect(safeReturnUrl('//evil.example')).toBe('/dashboard');
    expect(safeReturnUrl('https://evil.example')).toBe('/dashboard');
    expect(safeReturnUrl(undefined)).toBe('/dashboard');
  });
});
