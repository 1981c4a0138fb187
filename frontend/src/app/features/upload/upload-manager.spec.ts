import { HttpEventType, provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
  TestRequest,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { ProductImage, UploadTicket } from '../../core/api/models';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { TOKEN_STORAGE_KEY } from '../../core/auth/token-store';
import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { PARALLEL_UPLOADS, UploadCompleted, UploadManager } from './upload-manager';

const photo = (name: string, size = 1000, type = 'image/jpeg') =>
  new File([new Uint8Array(size)], name, { type });

const ticket = (imageId: string): UploadTicket => ({
  image_id: imageId,
  upload_url: `https://storage.test/bucket/${imageId}?X-Amz-Signature=abc`,
  method: 'PUT',
  headers: { 'Content-Type': 'image/jpeg', 'x-amz-meta-owner': 'u1' },
  fields: {},
  expires_at: '2030-01-01T00:00:00Z',
});

const image = (id: string): ProductImage =>
  ({ id, product_id: 'p1', upload_status: 'uploaded', analysis: null }) as unknown as ProductImage;

describe('UploadManager', () => {
  let manager: UploadManager;
  let backend: HttpTestingController;
  let completed: UploadCompleted[];

  beforeEach(() => {
    localStorage.setItem(
      TOKEN_STORAGE_KEY,
      JSON.stringify({ accessToken: 'access-1', refreshToken: 'r' }),
    );
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
      ],
    });
    manager = TestBed.inject(UploadManager);
    backend = TestBed.inject(HttpTestingController);
    completed = [];
    manager.completed$.subscribe((done) => completed.push(done));
  });

  afterEach(() => {
    backend.verify();
    localStorage.clear();
  });

  const expectTicketRequest = (): TestRequest =>
    backend.expectOne('/api/v1/products/p1/images/upload-url');
  const expectPut = (imageId: string): TestRequest =>
    backend.expectOne(`https://storage.test/bucket/${imageId}?X-Amz-Signature=abc`);
  const expectConfirm = (imageId: string): TestRequest =>
    backend.expectOne(`/api/v1/products/p1/images/${imageId}/confirm`);

  it('asks for a ticket, PUTs the bytes with its headers and no token, reports progress, confirms', () => {
    const file = photo('mug.jpg', 2048);
    const [item] = manager.add('p1', [file]);

    const ticketRequest = expectTicketRequest();
    expect(ticketRequest.request.body).toEqual({
      filename: 'mug.jpg',
      content_type: 'image/jpeg',
      size_bytes: 2048,
    });
    expect(ticketRequest.request.headers.get('Authorization')).toBe('Bearer access-1');
    ticketRequest.flush(ticket('img-1'));

    const put = expectPut('img-1');
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toBe(file);
    expect(put.request.headers.get('Content-Type')).toBe('image/jpeg');
    expect(put.request.headers.get('x-amz-meta-owner')).toBe('u1');
    expect(put.request.headers.has('Authorization')).toBe(false);
    expect(put.request.reportProgress).toBe(true);

    put.event({ type: HttpEventType.UploadProgress, loaded: 512, total: 2048 });
    expect(manager.items()[0]).toMatchObject({ state: 'uploading', progress: 0.25 });
    put.flush('');

    expect(manager.items()[0].state).toBe('confirming');
    expectConfirm('img-1').flush(image('img-1'));

    expect(manager.items()[0]).toMatchObject({ key: item.key, state: 'done', progress: 1 });
    expect(completed).toEqual([{ productId: 'p1', image: image('img-1') }]);
  });

  it('lists invalid files with the reason and never sends them', () => {
    manager.add('p1', [photo('anim.gif', 10, 'image/gif'), photo('empty.png', 0, 'image/png')]);
    expect(manager.items().map((item) => item.state)).toEqual(['invalid', 'invalid']);
    expect(manager.items()[0].error).toContain('not a supported image');
    backend.expectNone('/api/v1/products/p1/images/upload-url');
  });

  it(`uploads at most ${PARALLEL_UPLOADS} files at a time and starts the next when one finishes`, () => {
    manager.add(
      'p1',
      ['a', 'b', 'c', 'd', 'e'].map((name) => photo(`${name}.jpg`)),
    );
    const first = backend.match('/api/v1/products/p1/images/upload-url');
    expect(first).toHaveLength(PARALLEL_UPLOADS);
    expect(manager.items().filter((item) => item.state === 'queued')).toHaveLength(2);

    first[0].flush(ticket('img-a'));
    expectPut('img-a').flush('');
    expectConfirm('img-a').flush(image('img-a'));
    const next = backend.match('/api/v1/products/p1/images/upload-url');
    expect(next).toHaveLength(1);
    expect(manager.items().filter((item) => item.state === 'queued')).toHaveLength(1);

    // Dismissing the rest cancels their requests and starts nothing new.
    manager
      .items()
      .filter((item) => item.state !== 'done')
      .forEach((item) => manager.dismiss(item.key));
    // (Removing b let e start for a moment; it was cancelled too.)
    const started = [
      ...first.slice(1),
      ...next,
      ...backend.match('/api/v1/products/p1/images/upload-url'),
    ];
    expect(started).toHaveLength(4);
    expect(started.every((request) => request.cancelled)).toBe(true);
    expect(manager.items().map((item) => item.file.name)).toEqual(['a.jpg']);
  });

  it('shows a failed PUT with a retry that uploads again on a fresh ticket', () => {
    manager.add('p1', [photo('mug.jpg')]);
    expectTicketRequest().flush(ticket('img-1'));
    expectPut('img-1').error(new ProgressEvent('error'), { status: 0 });

    const failed = manager.items()[0];
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('Cannot reach the server');

    manager.retry(failed.key);
    // The image row of the spent ticket is removed, a new ticket asked for.
    backend.expectOne({ method: 'DELETE', url: '/api/v1/products/p1/images/img-1' }).flush(null);
    expectTicketRequest().flush(ticket('img-2'));
    expectPut('img-2').flush('');
    expectConfirm('img-2').flush(image('img-2'));
    expect(manager.items()[0].state).toBe('done');
  });

  it('retries only the confirm when the bytes already reached storage', () => {
    manager.add('p1', [photo('mug.jpg')]);
    expectTicketRequest().flush(ticket('img-1'));
    expectPut('img-1').flush('');
    expectConfirm('img-1').flush(
      { title: 'Unavailable' },
      { status: 503, statusText: 'Service Unavailable' },
    );
    expect(manager.items()[0]).toMatchObject({ state: 'failed', stored: true });

    manager.retry(manager.items()[0].key);
    expectConfirm('img-1').flush(image('img-1'));
    expect(manager.items()[0].state).toBe('done');
  });

  it('marks bytes the server refuses on confirm as rejected, without a retry', () => {
    manager.add('p1', [photo('fake.jpg')]);
    expectTicketRequest().flush(ticket('img-1'));
    expectPut('img-1').flush('');
    expectConfirm('img-1').flush(
      {
        title: 'Unsupported media type',
        detail: 'The file is not a JPEG, PNG, WebP or HEIC image.',
      },
      { status: 415, statusText: 'Unsupported Media Type' },
    );
    expect(manager.items()[0]).toMatchObject({
      state: 'rejected',
      error: 'The file is not a JPEG, PNG, WebP or HEIC image.',
    });
    manager.retry(manager.items()[0].key);
    backend.expectNone('/api/v1/products/p1/images/img-1/confirm');
  });

  it('sends a presigned POST ticket as a form with its fields and the file last', () => {
    const file = photo('mug.jpg');
    manager.add('p1', [file]);
    expectTicketRequest().flush({
      ...ticket('img-1'),
      method: 'POST',
      upload_url: 'https://storage.test/bucket',
      headers: {},
      fields: { key: 'images/img-1', policy: 'xyz' },
    });
    const post = backend.expectOne('https://storage.test/bucket');
    const form = post.request.body as FormData;
    expect(post.request.method).toBe('POST');
    expect([...form.keys()]).toEqual(['key', 'policy', 'file']);
    expect(form.get('key')).toBe('images/img-1');
    post.flush('');
    expectConfirm('img-1').flush(image('img-1'));
  });
});
