import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { UploadZone } from './upload-zone';

describe('UploadZone', () => {
  it('takes dropped files, refuses the wrong ones with a reason, and starts the rest', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
      ],
    });
    const backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(UploadZone);
    fixture.componentRef.setInput('productId', 'p1');
    await fixture.whenStable();

    const zone: HTMLElement = fixture.nativeElement.querySelector('.zone');
    const drop = new Event('drop', { cancelable: true }) as Event & { dataTransfer: unknown };
    drop.dataTransfer = {
      files: [
        new File(['x'], 'mug.jpg', { type: 'image/jpeg' }),
        new File(['x'], 'manual.pdf', { type: 'application/pdf' }),
      ],
      types: ['Files'],
    };
    zone.dispatchEvent(drop);
    await fixture.whenStable();

    expect(drop.defaultPrevented).toBe(true);
    const rows: HTMLElement[] = Array.from(fixture.nativeElement.querySelectorAll('.uploads li'));
    expect(rows.map((row) => row.getAttribute('data-state'))).toEqual(['requesting', 'invalid']);
    expect(rows[1].textContent).toContain('manual.pdf (application/pdf) is not a supported image');
    backend.expectOne('/api/v1/products/p1/images/upload-url');
  });
});
