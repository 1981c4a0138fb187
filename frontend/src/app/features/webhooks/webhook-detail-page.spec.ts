import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { Delivery, Page, Webhook } from '../../core/api/models';
import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { PENDING_POLL_MS, WebhookDetailPage } from './webhook-detail-page';

const webhook: Webhook = {
  id: 'w1',
  url: 'https://hooks.example.com/in',
  event_types: ['job.completed'],
  description: 'Orders',
  is_active: true,
  secret_hint: 'a1b2',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

const delivery = (id: string, overrides: Partial<Delivery> = {}): Delivery => ({
  id,
  endpoint_id: 'w1',
  event_id: 'evt_1',
  event_type: 'job.completed',
  status: 'failed',
  attempts: 8,
  next_attempt_at: null,
  last_attempt_at: '2026-01-01T00:00:10Z',
  response_status: 500,
  error_message: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:10Z',
  ...overrides,
});

const page = (...data: Delivery[]): Page<Delivery> => ({
  data,
  total: data.length,
  limit: 20,
  offset: 0,
});

describe('WebhookDetailPage', () => {
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    vi.useRealTimers();
    backend.verify();
  });

  async function render(deliveries: Page<Delivery>) {
    const fixture = TestBed.createComponent(WebhookDetailPage);
    fixture.componentRef.setInput('id', 'w1');
    fixture.detectChanges();
    TestBed.tick();
    backend.expectOne('/api/v1/webhooks/w1').flush(webhook);
    const list = backend.expectOne((req) => req.url === '/api/v1/webhooks/w1/deliveries');
    expect(list.request.params.toString()).toBe('limit=20&offset=0');
    list.flush(deliveries);
    await fixture.whenStable();
    return fixture;
  }

  const button = (root: HTMLElement, text: string) =>
    Array.from(root.querySelectorAll('button')).find((item) =>
      item.textContent?.includes(text),
    ) as HTMLButtonElement;

  it('lists deliveries with status, response and attempts, and opens one with its payload', async () => {
    const fixture = await render(page(delivery('d1')));
    const element: HTMLElement = fixture.nativeElement;
    const row = element.querySelector('tr[data-delivery-id=d1]') as HTMLElement;
    expect(row.getAttribute('data-status')).toBe('failed');
    expect(row.querySelector('[data-testid=delivery-response]')?.textContent?.trim()).toBe(
      'HTTP 500',
    );
    expect(row.querySelector('[data-testid=delivery-attempts]')?.textContent?.trim()).toBe('8');
    expect(element.querySelector('[data-testid=webhook-events]')?.textContent).toContain(
      'Job completed',
    );

    button(row, 'Details').click();
    TestBed.tick();
    backend
      .expectOne('/api/v1/webhooks/w1/deliveries/d1')
      .flush({ ...delivery('d1'), payload: { type: 'job.completed' }, response_body: 'boom' });
    await fixture.whenStable();
    expect(element.querySelector('tr.detail pre')?.textContent).toContain('"job.completed"');
    expect(element.querySelector('[data-testid=response-body]')?.textContent).toBe('boom');
    expect(button(row, 'Hide').getAttribute('aria-expanded')).toBe('true');
  });

  it('replays a delivery and re-reads pending ones until they settle', async () => {
    // Only the polling interval runs on a fake clock; everything else keeps real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const fixture = await render(page(delivery('d1')));
    const element: HTMLElement = fixture.nativeElement;
    button(element.querySelector('tr[data-delivery-id=d1]')!, 'Replay').click();
    backend.expectOne('/api/v1/webhooks/w1/deliveries/d1/replay').flush({
      ...delivery('d2', { status: 'pending', attempts: 0 }),
      payload: {},
      response_body: null,
    });
    TestBed.tick();
    backend
      .expectOne((req) => req.url === '/api/v1/webhooks/w1/deliveries')
      .flush(
        page(
          delivery('d2', { status: 'pending', attempts: 0, response_status: null }),
          delivery('d1'),
        ),
      );
    await fixture.whenStable();
    expect(
      element.querySelector('tr[data-delivery-id=d2] [data-testid=delivery-response]')?.textContent,
    ).toContain('Not sent yet');

    // Deliveries are not pushed: while one is pending the page asks again.
    vi.advanceTimersByTime(PENDING_POLL_MS);
    TestBed.tick();
    backend
      .expectOne((req) => req.url === '/api/v1/webhooks/w1/deliveries')
      .flush(
        page(
          delivery('d2', { status: 'succeeded', attempts: 1, response_status: 200 }),
          delivery('d1'),
        ),
      );
    await fixture.whenStable();
    expect(element.querySelector('tr[data-delivery-id=d2]')?.getAttribute('data-status')).toBe(
      'succeeded',
    );
    vi.advanceTimersByTime(PENDING_POLL_MS * 2);
    backend.expectNone((req) => req.url === '/api/v1/webhooks/w1/deliveries');
  });
});
