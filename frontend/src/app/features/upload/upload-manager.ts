import { HttpErrorResponse, HttpEventType } from '@angular/common/http';
import { inject, Injectable, signal } from '@angular/core';
import {
  catchError,
  concatMap,
  filter,
  map,
  Observable,
  of,
  Subject,
  Subscription,
  tap,
} from 'rxjs';

import { ImagesApi } from '../../core/api/images.api';
import { ProductImage, UploadTicket } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { checkFile } from './upload-validation';

export type UploadState =
  'invalid' | 'queued' | 'requesting' | 'uploading' | 'confirming' | 'done' | 'rejected' | 'failed';

export interface UploadItem {
  readonly key: number;
  readonly productId: string;
  readonly file: File;
  readonly contentType: string | null;
  readonly state: UploadState;
  /** 0..1 of the bytes sent to storage. */
  readonly progress: number;
  readonly error: string | null;
  readonly ticket: UploadTicket | null;
  /** True once storage accepted the bytes: a retry then only repeats the confirm. */
  readonly stored: boolean;
  readonly image: ProductImage | null;
}

export interface UploadCompleted {
  readonly productId: string;
  readonly image: ProductImage;
}

/** Uploads at once; more would only split the same bandwidth. */
export const PARALLEL_UPLOADS = 3;
const ACTIVE: readonly UploadState[] = ['requesting', 'uploading', 'confirming'];

/**
 * Uploads photos straight to storage: ask the API for a presigned ticket, PUT the bytes to
 * its URL with its headers (progress reported), then confirm so the API checks the bytes and
 * queues analysis. Lives at the root so uploads go on while the user moves around the app.
 */
@Injectable({ providedIn: 'root' })
export class UploadManager {
  private readonly images = inject(ImagesApi);
  private readonly state = signal<readonly UploadItem[]>([]);
  private readonly running = new Map<number, Subscription>();
  private readonly completedSubject = new Subject<UploadCompleted>();
  private nextKey = 1;

  readonly items = this.state.asReadonly();
  /** Each confirmed image, as soon as the API accepted it. */
  readonly completed$: Observable<UploadCompleted> = this.completedSubject.asObservable();

  /** Adds files for a product: invalid ones are listed with the reason, the rest queued. */
  add(productId: string, files: Iterable<File>): UploadItem[] {
    const added = [...files].map((file): UploadItem => {
      const check = checkFile(file);
      return {
        key: this.nextKey++,
        productId,
        file,
        contentType: check.ok ? check.contentType : null,
        state: check.ok ? 'queued' : 'invalid',
        progress: 0,
        error: check.ok ? null : check.reason,
        ticket: null,
        stored: false,
        image: null,
      };
    });
    this.state.update((items) => [...items, ...added]);
    this.pump();
    return added;
  }

  forProduct(productId: string): UploadItem[] {
    return this.state().filter((item) => item.productId === productId);
  }

  retry(key: number): void {
    const item = this.find(key);
    if (item?.state !== 'failed') {
      return;
    }
    this.patch(key, { state: 'queued', error: null, progress: item.stored ? 1 : 0 });
    this.pump();
  }

  /** Stops an upload (if running) and removes it from the list. */
  dismiss(key: number): void {
    this.running.get(key)?.unsubscribe();
    this.running.delete(key);
    const item = this.find(key);
    if (item?.ticket && item.state !== 'done') {
      // The image row the ticket created would stay "pending" forever.
      this.images
        .delete(item.productId, item.ticket.image_id)
        .pipe(catchError(() => of(null)))
        .subscribe();
    }
    this.state.update((items) => items.filter((entry) => entry.key !== key));
    this.pump();
  }

  /** Removes finished and invalid entries of a product from the list. */
  clearFinished(productId: string): void {
    this.state.update((items) =>
      items.filter(
        (item) =>
          item.productId !== productId || !['done', 'invalid', 'rejected'].includes(item.state),
      ),
    );
  }

  private pump(): void {
    const active = this.state().filter((item) => ACTIVE.includes(item.state)).length;
    const waiting = this.state().filter((item) => item.state === 'queued');
    for (const item of waiting.slice(0, Math.max(0, PARALLEL_UPLOADS - active))) {
      this.start(item);
    }
  }

  private start(item: UploadItem): void {
    const key = item.key;
    const steps = item.stored && item.ticket ? this.confirm(item, item.ticket) : this.sendAll(item);
    this.patch(key, { state: item.stored ? 'confirming' : 'requesting' });
    const subscription = steps.subscribe({
      next: (image) => {
        this.patch(key, { state: 'done', progress: 1, image });
        this.completedSubject.next({ productId: item.productId, image });
      },
      error: (error: unknown) => {
        // Bad bytes will not get better on a retry; anything else might.
        const rejected =
          error instanceof HttpErrorResponse &&
          [413, 415, 422].includes(error.status) &&
          this.find(key)?.stored;
        this.patch(key, {
          state: rejected ? 'rejected' : 'failed',
          error: errorMessage(error, 'Upload failed.'),
        });
        this.running.delete(key);
        this.pump();
      },
      complete: () => {
        this.running.delete(key);
        this.pump();
      },
    });
    if (!subscription.closed) {
      this.running.set(key, subscription);
    }
  }

  private sendAll(item: UploadItem): Observable<ProductImage> {
    const stale = item.ticket;
    if (stale) {
      // A new ticket replaces the old one, whose image row never got its bytes.
      this.images
        .delete(item.productId, stale.image_id)
        .pipe(catchError(() => of(null)))
        .subscribe();
    }
    return this.images
      .requestUpload(item.productId, item.file, item.contentType ?? item.file.type)
      .pipe(
        tap((ticket) =>
          this.patch(item.key, { ticket, stored: false, state: 'uploading', progress: 0 }),
        ),
        concatMap((ticket) =>
          this.images.putToStorage(ticket, item.file).pipe(
            tap((event) => {
              if (event.type === HttpEventType.UploadProgress) {
                const total = event.total ?? item.file.size;
                this.patch(item.key, { progress: total ? Math.min(1, event.loaded / total) : 0 });
              }
            }),
            filter((event) => event.type === HttpEventType.Response),
            map(() => ticket),
          ),
        ),
        tap(() => this.patch(item.key, { stored: true, progress: 1, state: 'confirming' })),
        concatMap((ticket) => this.confirm(item, ticket)),
      );
  }

  private confirm(item: UploadItem, ticket: UploadTicket): Observable<ProductImage> {
    return this.images.confirm(item.productId, ticket.image_id).pipe(
      catchError((error: unknown) => {
        if (error instanceof HttpErrorResponse && error.status === 409) {
          // Storage has no bytes for this ticket after all: the next retry uploads again.
          this.patch(item.key, { stored: false });
        }
        throw error;
      }),
    );
  }

  private find(key: number): UploadItem | undefined {
    return this.state().find((item) => item.key === key);
  }

  private patch(key: number, changes: Partial<UploadItem>): void {
    this.state.update((items) =>
      items.map((item) => (item.key === key ? { ...item, ...changes } : item)),
    );
  }
}
