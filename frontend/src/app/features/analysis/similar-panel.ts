import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { catchError, of, throwError } from 'rxjs';

import { errorMessage } from '../../core/api/problem';
import { SearchApi } from '../../core/api/search.api';
import { ErrorState } from '../../shared/states';
import { SimilarImageCard } from '../search/similar-image-card';

export const SIMILAR_SHOWN = 6;

/** The seller's photos most like this one, most similar first. */
@Component({
  selector: 'app-similar-panel',
  imports: [RouterLink, MatProgressBarModule, ErrorState, SimilarImageCard],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="similar-heading" data-testid="similar-products">
      <div class="head">
        <h2 id="similar-heading">Similar products</h2>
        <a routerLink="/search">Search by photo</a>
      </div>
      @if (similar.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Finding similar photos" />
      }
      @if (loadError(); as message) {
        <app-error
          title="Could not search"
          [message]="message"
          [error]="similar.error()"
          (retry)="similar.reload()"
        />
      } @else if (similar.hasValue()) {
        @let found = similar.value();
        @if (found === null) {
          <p class="muted">Similar photos appear once this photo is analysed.</p>
        } @else if (found.data.length === 0) {
          <p class="muted">No other photos in your catalogue yet.</p>
        } @else {
          <ul class="grid">
            @for (hit of found.data; track hit.image.id) {
              <li><app-similar-image-card [item]="hit" /></li>
            }
          </ul>
        }
      }
    </section>
  `,
  styles: `
    .head {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      justify-content: space-between;
      gap: 8px;
      h2 {
        margin: 0 0 12px;
      }
    }
    .grid {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
      gap: 10px;
    }
    p {
      margin: 0;
    }
  `,
})
export class SimilarPanel {
  private readonly search = inject(SearchApi);

  readonly imageId = input.required<string>();
  /** Changes whenever the analysis does: a re-analysis stores a new embedding. */
  readonly version = input<string | null>(null);

  /** `null` while the photo has no embedding (the API answers 409 `not_analysed`). */
  protected readonly similar = rxResource({
    params: () => ({ id: this.imageId(), version: this.version() }),
    stream: ({ params }) =>
      this.search
        .similar(params.id, SIMILAR_SHOWN)
        .pipe(
          catchError((error: unknown) =>
            error instanceof HttpErrorResponse && error.status === 409
              ? of(null)
              : throwError(() => error),
          ),
        ),
  });
  protected readonly loadError = computed(() =>
    this.similar.error() ? errorMessage(this.similar.error(), 'Could not search.') : null,
  );
}
