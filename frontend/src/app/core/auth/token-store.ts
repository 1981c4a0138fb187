import { Injectable } from '@angular/core';

import { TokenPair } from '../api/models';

export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export const TOKEN_STORAGE_KEY = 'imagineai.tokens';

/** Keeps the token pair in localStorage so a reload or a second tab stays signed in. */
@Injectable({ providedIn: 'root' })
export class TokenStore {
  read(): StoredTokens | null {
    try {
      const raw = localStorage.getItem(TOKEN_STORAGE_KEY);
      const parsed = raw ? (JSON.parse(raw) as Partial<StoredTokens>) : null;
      return parsed?.accessToken && parsed.refreshToken
        ? { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken }
        : null;
    } catch {
      return null;
    }
  }

  write(pair: TokenPair): StoredTokens {
    const tokens = { accessToken: pair.access_token, refreshToken: pair.refresh_token };
    localStorage.setItem(TOKEN_STORAGE_KEY, JSON.stringify(tokens));
    return tokens;
  }

  clear(): void {
    localStorage.removeItem(TOKEN_STORAGE_KEY);
  }
}
