import { InjectionToken } from '@angular/core';

/**
 * Where the API lives, read at start-up from `config.json` so one build serves every deployment:
 * an empty `apiBaseUrl` means the page's own origin (served behind a proxy), a full origin such as
 * `http://localhost:8000` talks to the API directly (the API then allows this origin by CORS).
 */
export interface AppConfig {
  /** Origin (and optional path prefix) in front of `/api/v1`; empty for the page's origin. */
  readonly apiBaseUrl: string;
  /** Full `ws://` or `wss://` URL of the WebSocket endpoint; empty to derive it from the API. */
  readonly wsUrl: string;
}

export const APP_CONFIG = new InjectionToken<AppConfig>('APP_CONFIG');

export const DEFAULT_CONFIG: AppConfig = { apiBaseUrl: '', wsUrl: '' };

export function normalizeConfig(raw: unknown): AppConfig {
  const source = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
  return {
    apiBaseUrl: text(source['apiBaseUrl']).replace(/\/+$/, ''),
    wsUrl: text(source['wsUrl']),
  };
}

/** Fetches `config.json` beside `index.html`; a missing or broken file falls back to same-origin. */
export async function loadConfig(fetchFn: typeof fetch = fetch): Promise<AppConfig> {
  try {
    const response = await fetchFn('config.json', { cache: 'no-cache' });
    if (!response.ok) {
      return DEFAULT_CONFIG;
    }
    return normalizeConfig(await response.json());
  } catch {
    return DEFAULT_CONFIG;
  }
}

export function apiRoot(config: AppConfig): string {
  return `${config.apiBaseUrl}/api/v1`;
}

/**
 * The WebSocket URL: explicit when configured, else the API origin with ws(s)://, else the
 * page's own origin.
 */
export function websocketUrl(
  config: AppConfig,
  location: Pick<Location, 'protocol' | 'host'>,
): string {
  if (config.wsUrl) {
    return config.wsUrl;
  }
  if (config.apiBaseUrl) {
    return `${config.apiBaseUrl.replace(/^http/, 'ws')}/ws`;
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}

/**
 * URLs the API hands out (image `url`, `upload_url`) may be absolute or relative to the API
 * origin; relative ones are resolved against it so they also work when the API is elsewhere.
 */
export function resolveApiUrl(config: AppConfig, url: string): string {
  if (/^(https?:|blob:|data:)/.test(url) || !config.apiBaseUrl) {
    return url;
  }
  const origin = new URL(config.apiBaseUrl).origin;
  return url.startsWith('/') ? `${origin}${url}` : `${origin}/${url}`;
}
