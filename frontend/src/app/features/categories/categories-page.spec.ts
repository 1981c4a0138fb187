import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { Classifier, Page, Product } from '../../core/api/models';
import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { CategoriesPage, TRAINING_POLL_MS } from './categories-page';

const untrained: Classifier = {
  trained: false,
  version: null,
  labels: [],
  example_count: 0,
  trained_at: null,
  metrics: {},
  label_counts: [{ label: 'red cups', examples: 1, in_head: false }],
  trainable_labels: [],
  min_examples_per_label: 3,
  corrections_since_training: 1,
  training_queued: false,
};

const product = (id: string, title: string): Product => ({
  id,
  title,
  description: null,
  category: null,
  subcategory: null,
  ai_description: null,
  status: 'analyzed',
  metadata: {},
  image_count: 1,
  primary_image: {
    id: `img-${id}`,
    product_id: id,
    original_filename: `${id}.jpg`,
    content_type: 'image/jpeg',
    file_size_bytes: 1,
    width: 10,
    height: 10,
    is_primary: true,
    upload_status: 'uploaded',
    url: null,
    created_at: '',
    analysis: null,
    job_id: null,
  },
  created_at: '',
  updated_at: '',
});

const page = <T>(...data: T[]): Page<T> => ({ data, total: data.length, limit: 24, offset: 0 });

describe('CategoriesPage', () => {
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

  async function render() {
    const fixture = TestBed.createComponent(CategoriesPage);
    fixture.detectChanges();
    TestBed.tick();
    backend.expectOne('/api/v1/classifiers/me').flush(untrained);
    backend
      .expectOne((req) => req.url === '/api/v1/products')
      .flush(page(product('p1', 'Red cup'), product('p2', 'Red cup copy')));
    backend.expectOne((req) => req.url === '/api/v1/corrections').flush(page());
    await fixture.whenStable();
    return fixture;
  }

  const button = (root: HTMLElement, text: string) =>
    Array.from(root.querySelectorAll('button')).find((item) =>
      item.textContent?.includes(text),
    ) as HTMLButtonElement;

  it('labels the ticked photos with one name and shows how far each label is', async () => {
    const fixture = await render();
    const element: HTMLElement = fixture.nativeElement;
    expect(element.querySelector('[data-label="red cups"]')?.textContent).toContain(
      'Label 2 more analysed photos',
    );
    expect(button(element, 'Train now').disabled).toBe(true);

    for (const box of Array.from(element.querySelectorAll<HTMLInputElement>('.photos input'))) {
      box.click();
    }
    const input = element.querySelector('[data-testid=label-input]') as HTMLInputElement;
    input.value = 'Red Cups';
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    button(element, 'Label 2 photos').click();
    TestBed.tick();
    const puts = backend.match((req) => req.method === 'PUT');
    expect(puts.map((req) => req.request.url).sort()).toEqual([
      '/api/v1/images/img-p1/correction',
      '/api/v1/images/img-p2/correction',
    ]);
    expect(puts.every((req) => req.request.body.label === 'red cups')).toBe(true);
    for (const put of puts) {
      put.flush({ image_id: '', label: 'red cups', created_at: '', updated_at: '' });
    }
    TestBed.tick();
    backend.expectOne('/api/v1/classifiers/me').flush({
      ...untrained,
      label_counts: [{ label: 'red cups', examples: 3, in_head: false }],
      trainable_labels: ['red cups'],
    });
    backend.expectOne((req) => req.url === '/api/v1/products').flush(page());
    backend.expectOne((req) => req.url === '/api/v1/corrections').flush(page());
    await fixture.whenStable();
    expect(element.querySelector('[data-label="red cups"]')?.getAttribute('data-state')).toBe(
      'ready',
    );
    expect(button(element, 'Train now').disabled).toBe(false);
  });

  it('trains, polls until the new head is there, and shows its version', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const fixture = await render();
    const element: HTMLElement = fixture.nativeElement;
    fixture.componentInstance['classifier'].set({ ...untrained, trainable_labels: ['red cups'] });
    await fixture.whenStable();

    button(element, 'Train now').click();
    backend
      .expectOne('/api/v1/classifiers/train')
      .flush({ ...untrained, training_queued: true }, { status: 202, statusText: 'Accepted' });
    fixture.detectChanges();
    expect(element.textContent).toContain('Training…');

    vi.advanceTimersByTime(TRAINING_POLL_MS);
    backend.expectOne('/api/v1/classifiers/me').flush(untrained);
    vi.advanceTimersByTime(TRAINING_POLL_MS);
    backend.expectOne('/api/v1/classifiers/me').flush({
      ...untrained,
      trained: true,
      version: 'custom-1a2b3c4d',
      labels: ['red cups'],
      trained_at: '2026-01-01T00:00:00Z',
      metrics: { examples: 3, leave_one_out_accuracy: 1 },
      label_counts: [{ label: 'red cups', examples: 3, in_head: true }],
    });
    await fixture.whenStable();
    vi.advanceTimersByTime(TRAINING_POLL_MS * 3);
    backend.expectNone('/api/v1/classifiers/me');

    expect(element.querySelector('[data-testid=classifier-version]')?.textContent).toBe(
      'custom-1a2b3c4d',
    );
    expect(element.textContent).toContain('100 %');
    expect(element.querySelector('[data-label="red cups"]')?.getAttribute('data-state')).toBe(
      'learnt',
    );
  });
});
