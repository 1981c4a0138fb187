import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { of } from 'rxjs';

import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { Confirmer } from '../../shared/confirm-dialog';
import { DuplicateNotice } from './duplicate-notice';

describe('DuplicateNotice', () => {
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
        { provide: Confirmer, useValue: { ask: () => of(true) } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  async function render(kept: boolean) {
    const fixture = TestBed.createComponent(DuplicateNotice);
    fixture.componentRef.setInput('imageId', 'copy');
    fixture.componentRef.setInput('productId', 'p2');
    fixture.componentRef.setInput('filename', 'cup.png');
    fixture.componentRef.setInput('duplicateOf', { image_id: 'orig', product_id: 'p1', kept });
    fixture.detectChanges();
    TestBed.tick();
    backend.expectOne('/api/v1/products/p1').flush({
      id: 'p1',
      title: 'Red cup',
      images: [{ id: 'orig', original_filename: 'cup.jpg', url: null }],
    });
    await fixture.whenStable();
    return fixture;
  }

  const button = (root: HTMLElement, text: string) =>
    Array.from(root.querySelectorAll('button')).find((item) =>
      item.textContent?.includes(text),
    ) as HTMLButtonElement;

  it('names the original and keeps both on request', async () => {
    const fixture = await render(false);
    const element: HTMLElement = fixture.nativeElement;
    const changed = vi.fn();
    fixture.componentInstance.changed.subscribe(changed);
    expect(element.textContent).toContain('It nearly duplicates cup.jpg in “Red cup”');
    expect(element.querySelector('a')?.getAttribute('href')).toBe('/products/p1/images/orig');

    button(element, 'Keep both').click();
    const keep = backend.expectOne('/api/v1/images/copy/duplicate/keep');
    expect(keep.request.method).toBe('POST');
    keep.flush({ image_id: 'copy', duplicate_of: 'orig', kept: true, kept_at: '' });
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('deletes the copy, never the original, after asking', async () => {
    const fixture = await render(false);
    const deleted = vi.fn();
    fixture.componentInstance.deleted.subscribe(deleted);
    button(fixture.nativeElement, 'Delete this copy').click();
    const request = backend.expectOne('/api/v1/products/p2/images/copy');
    expect(request.request.method).toBe('DELETE');
    request.flush(null, { status: 204, statusText: 'No Content' });
    expect(deleted).toHaveBeenCalledTimes(1);
  });

  it('puts a kept copy back for review', async () => {
    const fixture = await render(true);
    button(fixture.nativeElement, 'Review again').click();
    const request = backend.expectOne('/api/v1/images/copy/duplicate/keep');
    expect(request.request.method).toBe('DELETE');
    request.flush({ image_id: 'copy', duplicate_of: 'orig', kept: false, kept_at: null });
  });
});
