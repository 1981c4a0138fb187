import {
  booleanAttribute,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  numberAttribute,
  signal,
} from '@angular/core';
import { rxResource, takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { debounceTime, filter, finalize, Observable } from 'rxjs';

import { ApiUrl } from '../../core/api/api-url';
import { ImagesApi } from '../../core/api/images.api';
import { DuplicateMember } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { SearchApi } from '../../core/api/search.api';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { Confirmer } from '../../shared/confirm-dialog';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { similarityPercent, similarityText } from '../search/similarity';

/** Near-duplicate photos grouped with their original: delete the copies or keep them. */
@Component({
  selector: 'app-duplicates-page',
  imports: [
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSlideToggleModule,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './duplicates-page.html',
  styleUrl: './duplicates-page.scss',
})
export class DuplicatesPage {
  private readonly search = inject(SearchApi);
  private readonly images = inject(ImagesApi);
  private readonly url = inject(ApiUrl);
  private readonly router = inject(Router);
  private readonly confirmer = inject(Confirmer);
  private readonly notifier = inject(Notifier);

  readonly kept = input(false, {
    transform: (value: unknown) => booleanAttribute(value ?? false),
  });
  readonly page = input(0, { transform: (value: unknown) => numberAttribute(value, 0) });
  readonly size = input(10, { transform: (value: unknown) => numberAttribute(value, 10) });

  protected readonly clusters = rxResource({
    params: () => ({
      include_kept: this.kept(),
      limit: this.size(),
      offset: this.page() * this.size(),
    }),
    stream: ({ params }) => this.search.duplicates(params),
  });
  protected readonly loadError = computed(() =>
    this.clusters.error()
      ? errorMessage(this.clusters.error(), 'Could not load the duplicates.')
      : null,
  );
  protected readonly busy = signal<string | null>(null);
  protected readonly percent = similarityPercent;
  protected readonly words = similarityText;

  constructor() {
    // A newly analysed photo may be a new copy.
    const realtime = inject(RealtimeService);
    realtime
      .on('image.analyzed')
      .pipe(debounceTime(1000), takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(() => this.clusters.reload());
    realtime.reconnected$
      .pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(() => this.clusters.reload());
  }

  protected thumbnail(member: DuplicateMember): string | null {
    return member.image.url ? this.url.resolve(member.image.url) : null;
  }

  protected navigate(params: Record<string, string | number | boolean | null>): void {
    void this.router.navigate([], {
      queryParams: params,
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected onPage(event: PageEvent): void {
    this.navigate({ page: event.pageIndex || null, size: event.pageSize });
  }

  protected keep(member: DuplicateMember): void {
    this.act(member, this.search.keepDuplicate(member.image.id), 'Kept.');
  }

  protected unkeep(member: DuplicateMember): void {
    this.act(member, this.search.unkeepDuplicate(member.image.id), 'Back in the review list.');
  }

  protected remove(member: DuplicateMember): void {
    this.confirmer
      .ask({
        title: 'Delete this copy?',
        message: `“${member.image.original_filename}” of “${member.product.title}” and its analysis will be deleted.`,
        confirmLabel: 'Delete',
        destructive: true,
      })
      .pipe(filter(Boolean))
      .subscribe(() =>
        this.act(member, this.images.delete(member.product.id, member.image.id), 'Copy deleted.'),
      );
  }

  private act(member: DuplicateMember, request: Observable<unknown>, done: string): void {
    this.busy.set(member.image.id);
    request.pipe(finalize(() => this.busy.set(null))).subscribe({
      next: () => {
        this.notifier.info(done);
        this.clusters.reload();
      },
      error: (error: unknown) => this.notifier.error(error, 'Could not change it'),
    });
  }
}
