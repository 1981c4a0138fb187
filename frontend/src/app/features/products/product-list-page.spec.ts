import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { Page, Product } from '../../core/api/models';
import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { FakeRealtime } from '../../testing/fake-realtime';
import { ProductListPage } from './product-list-page';

const product = (id: string, title: string, status: Product['status']): Product => ({
  id,
  title,
  description: null,
  category: null,
  subcategory: null,
  ai_description: null,
  status,
  metadata: {},
  image_count: 1,
  primary_image: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const page = (...data: Product[]): Page<Product> => ({
  data,
  total: data.length,
  limit: 12,
  offset: 0,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ProductListPage', () => {
  let backend: HttpTestingController;
  let realtime: FakeRealtime;

  beforeEach(() => {
    realtime = new FakeRealtime();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
        { provide: RealtimeService, useValue: realtime },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  async function render(query: Record<string, string> = {}) {
    const fixture = TestBed.createComponent(ProductListPage);
    for (const [name, value] of Object.entries(query)) {
      fixture.componentRef.setInput(name, value);
    }
    // Not whenStable(): it would wait for the very requests the test has to answer.
    fixture.detectChanges();
    TestBed.tick();
    backend
      .expectOne('/api/v1/dashboard/stats')
      .flush({ category_distribution: [{ category: 'drinkware', count: 1 }] });
    return fixture;
  }

  it('asks the API with the filters from the URL and shows the products', async () => {
    const fixture = await render({ q: 'mug', status: 'analyzed', sort: 'title' });
    const request = backend.expectOne((req) => req.url === '/api/v1/products');
    expect(request.request.params.toString()).toBe(
      'q=mug&status=analyzed&sort=title&limit=12&offset=0',
    );
    request.flush(page(product('p1', 'Blue mug', 'analyzed')));
    await fixture.whenStable();

    const text = fixture.nativeElement.textContent as string;
    expect(text).toContain('Blue mug');
    expect(text).toContain('1 product');
  });

  it('explains an empty result and an error, with a way out of each', async () => {
    const fixture = await render({ q: 'zzz' });
    backend.expectOne((req) => req.url === '/api/v1/products').flush(page());
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('No products match');

    fixture.componentRef.setInput('q', 'boom');
    TestBed.tick();
    backend
      .expectOne((req) => req.url === '/api/v1/products')
      .flush(
        { title: 'Server error', detail: 'Database unavailable.' },
        { status: 503, statusText: 'Unavailable' },
      );
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[role=alert]').textContent).toContain(
      'Database unavailable.',
    );
  });

  it('updates a card live when the WebSocket says its image was analysed', async () => {
    const fixture = await render();
    backend
      .expectOne((req) => req.url === '/api/v1/products')
      .flush(page(product('p1', 'Blue mug', 'processing')));
    await fixture.whenStable();
    const badge = () => fixture.nativeElement.querySelector('[data-product-id=p1] [data-status]');
    expect(badge().getAttribute('data-status')).toBe('processing');

    realtime.push({
      type: 'image.analyzed',
      image_id: 'i1',
      product_id: 'p1',
      status: 'completed',
      classification_label: 'coffee_mug',
      ts: '',
    });
    realtime.push({
      type: 'image.analyzed',
      image_id: 'i9',
      product_id: 'not-on-page',
      status: 'completed',
      classification_label: null,
      ts: '',
    });
    await sleep(450);
    backend.expectOne('/api/v1/products/p1').flush(product('p1', 'Blue mug', 'analyzed'));
    backend.expectNone('/api/v1/products/not-on-page');
    await fixture.whenStable();

    expect(badge().getAttribute('data-status')).toBe('analyzed');
    expect(badge().textContent).toContain('Analysed');
  });
});
