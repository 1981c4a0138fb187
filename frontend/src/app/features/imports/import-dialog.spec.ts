import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MatDialogRef } from '@angular/material/dialog';
import { provideRouter } from '@angular/router';

import { ImportResult, Job } from '../../core/api/models';
import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { FakeRealtime } from '../../testing/fake-realtime';
import { ImportDialog } from './import-dialog';

const job: Job = {
  id: 'j1',
  job_type: 'batch',
  status: 'pending',
  total_images: 2,
  processed_images: 0,
  failed_images: 0,
  progress: 0,
  started_at: null,
  completed_at: null,
  error_message: null,
  metadata: { import: { kind: 'zip', name: 'shop.zip' } },
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('ImportDialog', () => {
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
        { provide: MatDialogRef, useValue: { close: () => undefined } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  async function pick(
    fixture: ReturnType<typeof TestBed.createComponent<ImportDialog>>,
    file: File,
  ) {
    const input: HTMLInputElement = fixture.nativeElement.querySelector('input[type=file]');
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change'));
    await fixture.whenStable();
  }

  const importButton = (element: HTMLElement) =>
    Array.from(element.querySelectorAll('button')).find((button) =>
      button.textContent?.trim().endsWith('Import'),
    ) as HTMLButtonElement;

  it('sends the ZIP, lists what it created and skipped, and follows the batch job live', async () => {
    const fixture = TestBed.createComponent(ImportDialog);
    await fixture.whenStable();
    const element: HTMLElement = fixture.nativeElement;
    expect(importButton(element).disabled).toBe(true);

    await pick(fixture, new File(['PK'], 'shop.zip', { type: 'application/zip' }));
    importButton(element).click();
    const request = backend.expectOne('/api/v1/imports/zip');
    expect(request.request.method).toBe('POST');
    expect((request.request.body as FormData).get('file')).toBeInstanceOf(File);
    const result: ImportResult = {
      job,
      products: [{ id: 'p1', title: 'Red cup', image_ids: ['i1', 'i2'] }],
      images_imported: 2,
      skipped: [{ name: 'notes.txt', reason: 'not an image' }],
    };
    request.flush(result, { status: 201, statusText: 'Created' });
    await fixture.whenStable();

    expect(element.querySelector('[data-testid=import-summary]')?.textContent).toContain(
      '2 photos imported into 1 product.',
    );
    expect(element.querySelector('[data-testid=import-products]')?.textContent).toContain(
      'Red cup',
    );
    expect(element.querySelector('[data-testid=import-skipped]')?.textContent).toContain(
      'notes.txt: not an image',
    );
    const status = () =>
      element.querySelector('[data-testid=import-job-status]')?.getAttribute('data-status');
    expect(status()).toBe('pending');

    realtime.push({
      type: 'job.completed',
      job_id: 'j1',
      status: 'completed',
      total_images: 2,
      processed_images: 2,
      failed_images: 0,
      ts: '',
    });
    await fixture.whenStable();
    expect(status()).toBe('completed');
    expect(element.textContent).toContain('2 of 2 done');
  });

  it('refuses the wrong kind of file and shows why the server refused an archive', async () => {
    const fixture = TestBed.createComponent(ImportDialog);
    await fixture.whenStable();
    const element: HTMLElement = fixture.nativeElement;

    await pick(fixture, new File(['a,b'], 'list.csv', { type: 'text/csv' }));
    expect(element.querySelector('[role=alert]')?.textContent).toContain('not a ZIP archive');
    expect(importButton(element).disabled).toBe(true);

    await pick(fixture, new File(['PK'], 'bomb.zip', { type: 'application/zip' }));
    importButton(element).click();
    backend.expectOne('/api/v1/imports/zip').flush(
      {
        title: 'Payload too large',
        detail: 'The archive expands to more than 2048 MB.',
        code: 'archive_too_large',
      },
      { status: 413, statusText: 'Payload Too Large' },
    );
    await fixture.whenStable();
    expect(element.querySelector('[data-testid=import-error]')?.textContent).toContain(
      'The archive expands to more than 2048 MB.',
    );
  });

  it('imports a CSV of image URLs through the URL endpoint', async () => {
    const fixture = TestBed.createComponent(ImportDialog);
    await fixture.whenStable();
    const element: HTMLElement = fixture.nativeElement;
    const urlsToggle = Array.from(element.querySelectorAll('mat-button-toggle button')).find(
      (button) => button.textContent?.includes('CSV of image URLs'),
    ) as HTMLButtonElement;
    urlsToggle.click();
    await fixture.whenStable();

    await pick(fixture, new File(['url\n'], 'urls.csv', { type: 'text/csv' }));
    importButton(element).click();
    backend.expectOne('/api/v1/imports/urls');
  });
});
