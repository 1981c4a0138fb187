import { DEFAULT_CONFIG, loadConfig, normalizeConfig, resolveApiUrl, websocketUrl } from './config';

describe('runtime config', () => {
  const page = { protocol: 'http:', host: 'localhost:4200' };

  it('defaults to the page origin when config.json is missing or broken', async () => {
    const missing = vi.fn().mockResolvedValue(new Response('nope', { status: 404 }));
    expect(await loadConfig(missing)).toEqual(DEFAULT_CONFIG);
    const offline = vi.fn().mockRejectedValue(new TypeError('failed'));
    expect(await loadConfig(offline)).toEqual(DEFAULT_CONFIG);
  });

  it('reads the API origin from config.json and drops a trailing slash', async () => {
    const ok = vi.fn().mockResolvedValue(Response.json({ apiBaseUrl: 'http://localhost:8000/' }));
    expect(await loadConfig(ok)).toEqual({ apiBaseUrl: 'http://localhost:8000', wsUrl: '' });
    expect(normalizeConfig({ apiBaseUrl: 42, wsUrl: null })).toEqual(DEFAULT_CONFIG);
  });

  it('derives the WebSocket URL from the page, the API origin or an explicit setting', () => {
    expect(websocketUrl(DEFAULT_CONFIG, page)).toBe('ws://localhost:4200/ws');
    expect(websocketUrl(DEFAULT_CONFIG, { protocol: 'https:', host: 'shop.example' })).toBe(
      'wss://shop.example/ws',
    );
    expect(websocketUrl({ apiBaseUrl: 'https://api.example', wsUrl: '' }, page)).toBe(
      'wss://api.example/ws',
    );
    expect(websocketUrl({ apiBaseUrl: '', wsUrl: 'ws://elsewhere:9/ws' }, page)).toBe(
      'ws://elsewhere:9/ws',
    );
  });

  it('resolves API-relative URLs against the API origin only when one is configured', () => {
    expect(resolveApiUrl(DEFAULT_CONFIG, '/api/v1/storage/x')).toBe('/api/v1/storage/x');
    const remote = { apiBaseUrl: 'http://localhost:8000', wsUrl: '' };
    expect(resolveApiUrl(remote, '/api/v1/storage/x')).toBe(
      'http://localhost:8000/api/v1/storage/x',
    );
    expect(resolveApiUrl(remote, 'https://s3.example/bucket/key?sig=1')).toBe(
      'https://s3.example/bucket/key?sig=1',
    );
  });
});
