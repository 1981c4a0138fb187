import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';
import { catchError, filter, finalize, mergeMap, of } from 'rxjs';

import { ApiUrl } from '../../core/api/api-url';
import { ImagesApi } from '../../core/api/images.api';
import { DuplicateOf } from '../../core/api/models';
import { ProductsApi } from '../../core/api/products.api';
import { SearchApi } from '../../core/api/search.api';
import { Confirmer } from '../../shared/confirm-dialog';
import { Notifier } from '../../shared/notifier';

/** "This photo looks like one you already have": skip it (delete) or keep both. */
@Component({
  selector: 'app-duplicate-notice',
  imports: [RouterLink, MatButtonModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let original = duplicateOf();
    <section
      class="notice"
      [class.kept]="original.kept"
      aria-labelledby="duplicate-heading"
      data-testid="duplicate-notice"
      [attr.data-kept]="original.kept"
    >
      @if (other(); as photo) {
        @if (photo.url) {
          <img [src]="photo.url" alt="" />
        }
      }
      <div class="text">
        <h2 id="duplicate-heading">
          <mat-icon aria-hidden="true">{{
            original.kept ? 'check_circle' : 'content_copy'
          }}</mat-icon>
          {{
            original.kept
              ? 'Kept although it looks like a copy'
              : 'Looks like a photo you already have'
          }}
        </h2>
        <p>
          It nearly duplicates
          <a [routerLink]="['/products', original.product_id, 'images', original.image_id]">{{
            other()?.name ?? 'an older photo'
          }}</a>
          @if (other()?.title; as title) {
            in “{{ title }}”
          }
          (mirrored, resized, recompressed or cropped copies count too).
        </p>
      </div>
      <div class="actions">
        @if (original.kept) {
          <button mat-stroked-button type="button" (click)="unkeep()" [disabled]="busy()">
            <mat-icon>undo</mat-icon> Review again
          </button>
        } @else {
          <button mat-stroked-button type="button" (click)="keep()" [disabled]="busy()">
            <mat-icon>done_all</mat-icon> Keep both
          </button>
          <button
            mat-flat-button
            type="button"
            class="destructive"
            (click)="skip()"
            [disabled]="busy()"
          >
            <mat-icon>delete</mat-icon> Delete this copy
          </button>
        }
      </div>
    </section>
  `,
  styles: `
    .notice {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px 16px;
      padding: 12px 16px;
      margin-bottom: 16px;
      border-radius: 16px;
      background: #fdebc8;
      color: #4a2e00;
      a {
        color: inherit;
        font-weight: 500;
      }
    }
    .notice.kept {
      background: var(--mat-sys-surface-container-high);
      color: var(--mat-sys-on-surface);
    }
    img {
      width: 72px;
      height: 54px;
      object-fit: cover;
      border-radius: 8px;
    }
    .text {
      flex: 1 1 260px;
      min-width: 0;
      h2 {
        display: flex;
        align-items: center;
        gap: 6px;
        margin: 0 0 4px;
        font: var(--mat-sys-title-medium);
      }
      p {
        margin: 0;
      }
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    .destructive {
      --mat-button-filled-container-color: var(--mat-sys-error);
      --mat-button-filled-label-text-color: var(--mat-sys-on-error);
    }
  `,
})
export class DuplicateNotice {
  private readonly products = inject(ProductsApi);
  private readonly images = inject(ImagesApi);
  private readonly search = inject(SearchApi);
  private readonly confirmer = inject(Confirmer);
  private readonly notifier = inject(Notifier);
  private readonly url = inject(ApiUrl);

  readonly imageId = input.required<string>();
  readonly productId = input.required<string>();
  readonly filename = input('this photo');
  readonly duplicateOf = input.required<DuplicateOf>();
  /** After keep / review again: the analysis has a new `kept`. */
  readonly changed = output<void>();
  /** After the copy was deleted. */
  readonly deleted = output<void>();

  protected readonly busy = signal(false);
  private readonly otherProduct = rxResource({
    params: () => this.duplicateOf().product_id,
    stream: ({ params }) => this.products.get(params).pipe(catchError(() => of(null))),
  });
  protected readonly other = computed(() => {
    const product = this.otherProduct.value();
    const image = product?.images.find((item) => item.id === this.duplicateOf().image_id);
    return product && image
      ? {
          title: product.title,
          name: image.original_filename,
          url: image.url ? this.url.resolve(image.url) : null,
        }
      : null;
  });

  protected keep(): void {
    this.busy.set(true);
    this.search
      .keepDuplicate(this.imageId())
      .pipe(finalize(() => this.busy.set(false)))
      .subscribe({
        next: () => {
          this.notifier.info('Kept both photos.');
          this.changed.emit();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not keep the photo'),
      });
  }

  protected unkeep(): void {
    this.busy.set(true);
    this.search
      .unkeepDuplicate(this.imageId())
      .pipe(finalize(() => this.busy.set(false)))
      .subscribe({
        next: () => this.changed.emit(),
        error: (error: unknown) => this.notifier.error(error, 'Could not change it'),
      });
  }

  protected skip(): void {
    this.confirmer
      .ask({
        title: 'Delete this copy?',
        message: `“${this.filename()}” and its analysis will be deleted; the original stays.`,
        confirmLabel: 'Delete',
        destructive: true,
      })
      .pipe(
        filter(Boolean),
        mergeMap(() => {
          this.busy.set(true);
          return this.images.delete(this.productId(), this.imageId());
        }),
        finalize(() => this.busy.set(false)),
      )
      .subscribe({
        next: () => {
          this.notifier.info('Copy deleted.');
          this.deleted.emit();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not delete the photo'),
      });
  }
}
