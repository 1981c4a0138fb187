import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';

import { ApiUrl } from '../../core/api/api-url';
import { SimilarImage } from '../../core/api/models';
import { HumanizePipe } from '../../shared/format.pipes';
import { similarityPercent, similarityText } from './similarity';

/** One search hit: the photo, its product, and how alike it is, linking to its analysis. */
@Component({
  selector: 'app-similar-image-card',
  imports: [RouterLink, MatIconModule, HumanizePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let hit = item();
    <a
      class="card"
      [routerLink]="['/products', hit.product.id, 'images', hit.image.id]"
      [attr.data-image-id]="hit.image.id"
    >
      <span class="thumb">
        @if (src(); as url) {
          <img [src]="url" alt="" loading="lazy" />
        } @else {
          <mat-icon aria-hidden="true">image</mat-icon>
        }
      </span>
      <span class="body">
        <span class="title">{{ hit.product.title }}</span>
        <span class="file muted">{{ hit.image.original_filename }}</span>
        @if (hit.image.analysis?.classification_label; as label) {
          <span class="file muted">{{ label | humanize }}</span>
        }
        <span class="score" data-testid="similarity">
          <strong>{{ percent() }}</strong> · {{ words() }}
        </span>
      </span>
    </a>
  `,
  styles: `
    .card {
      display: flex;
      flex-direction: column;
      height: 100%;
      border-radius: 14px;
      overflow: hidden;
      border: 1px solid var(--mat-sys-outline-variant);
      background: var(--mat-sys-surface-container-low);
      color: inherit;
      text-decoration: none;
    }
    .card:hover {
      background: var(--mat-sys-surface-container);
    }
    .thumb {
      display: flex;
      align-items: center;
      justify-content: center;
      aspect-ratio: 4 / 3;
      background: var(--mat-sys-surface-container);
      img {
        width: 100%;
        height: 100%;
        object-fit: cover;
      }
    }
    .body {
      display: flex;
      flex-direction: column;
      gap: 2px;
      padding: 6px 10px 10px;
      min-width: 0;
    }
    .title {
      font: var(--mat-sys-title-small);
      color: var(--mat-sys-primary);
      text-decoration: underline;
    }
    .file {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font: var(--mat-sys-body-small);
    }
    .score {
      font: var(--mat-sys-body-small);
    }
  `,
})
export class SimilarImageCard {
  private readonly url = inject(ApiUrl);

  readonly item = input.required<SimilarImage>();
  protected readonly src = computed(() => {
    const url = this.item().image.url;
    return url ? this.url.resolve(url) : null;
  });
  protected readonly percent = computed(() => similarityPercent(this.item().similarity));
  protected readonly words = computed(() => similarityText(this.item().similarity));
}
