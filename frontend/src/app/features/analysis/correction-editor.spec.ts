import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { Classification } from '../../core/api/models';
import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { CorrectionEditor } from './correction-editor';

const classification: Classification = {
  label: 'bags/messenger_bags',
  category: 'bags',
  subcategory: 'messenger_bags',
  confidence: 0.8,
  top_k: [{ label: 'bags/messenger_bags', score: 0.8 }],
  source: 'taxonomy',
};

describe('CorrectionEditor', () => {
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

  afterEach(() => backend.verify());

  async function render(value: Classification, modelVersion = '1.0.0-fp32') {
    const fixture = TestBed.createComponent(CorrectionEditor);
    fixture.componentRef.setInput('imageId', 'i1');
    fixture.componentRef.setInput('classification', value);
    fixture.componentRef.setInput('modelVersion', modelVersion);
    await fixture.whenStable();
    return fixture;
  }

  const button = (root: HTMLElement, text: string) =>
    Array.from(root.querySelectorAll('button')).find((item) =>
      item.textContent?.includes(text),
    ) as HTMLButtonElement;

  async function type(
    fixture: { whenStable(): Promise<unknown> },
    root: HTMLElement,
    text: string,
  ) {
    const input = root.querySelector('[data-testid=label-input]') as HTMLInputElement;
    input.value = text;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }

  it('names who answered, saves a normalised label and says so', async () => {
    const fixture = await render(classification, '1.0.0-fp32+custom-1a2b:fallback');
    const element: HTMLElement = fixture.nativeElement;
    const changed = vi.fn();
    fixture.componentInstance.changed.subscribe(changed);
    expect(element.querySelector('[data-testid=answered-by]')?.getAttribute('data-kind')).toBe(
      'fallback',
    );

    button(element, 'Correct category').click();
    TestBed.tick();
    backend.expectOne('/api/v1/classifiers/me').flush({ label_counts: [{ label: 'travel bags' }] });
    await type(fixture, element, 'Travel   Bags');
    button(element, 'Save label').click();
    const put = backend.expectOne('/api/v1/images/i1/correction');
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toEqual({ label: 'travel bags' });
    put.flush({ image_id: 'i1', label: 'travel bags', created_at: '', updated_at: '' });
    await fixture.whenStable();
    expect(changed).toHaveBeenCalledTimes(1);
    expect(element.querySelector('[data-testid=label-input]')).toBeNull();
  });

  it('refuses a bad label before sending, and shows the server refusal too', async () => {
    const fixture = await render(classification);
    const element: HTMLElement = fixture.nativeElement;
    button(element, 'Correct category').click();
    TestBed.tick();
    backend.expectOne('/api/v1/classifiers/me').flush({ label_counts: [] });

    await type(fixture, element, 'cups!');
    button(element, 'Save label').click();
    await fixture.whenStable();
    backend.expectNone('/api/v1/images/i1/correction');
    expect(element.querySelector('mat-error')?.textContent).toContain('letters, digits');

    await type(fixture, element, 'kitchen/nonsense');
    button(element, 'Save label').click();
    backend
      .expectOne('/api/v1/images/i1/correction')
      .flush(
        { detail: 'Not a category/subcategory of the taxonomy.', code: 'invalid_label' },
        { status: 422, statusText: 'Unprocessable' },
      );
    await fixture.whenStable();
    expect(element.querySelector('mat-error')?.textContent).toContain('Not a category/subcategory');
  });

  it('removes an own label so the model answers again', async () => {
    const fixture = await render({ ...classification, source: 'correction', label: 'red cups' });
    const element: HTMLElement = fixture.nativeElement;
    expect(element.querySelector('[data-testid=answered-by]')?.textContent).toContain(
      'Your correction',
    );
    button(element, 'Remove my label').click();
    const request = backend.expectOne('/api/v1/images/i1/correction');
    expect(request.request.method).toBe('DELETE');
    request.flush(null, { status: 204, statusText: 'No Content' });
  });
});
