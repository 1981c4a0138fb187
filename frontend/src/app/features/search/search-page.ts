import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  signal,
} from '@angular/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { finalize, Subscription } from 'rxjs';

import { PhotoSearch } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { SearchApi } from '../../core/api/search.api';
import { FileDrop } from '../../shared/file-drop';
import { HumanizePipe, PercentPipe } from '../../shared/format.pipes';
import { EmptyState, ErrorState } from '../../shared/states';
import { ACCEPT_ATTRIBUTE, checkFile } from '../upload/upload-validation';
import { SimilarImageCard } from './similar-image-card';

/** Search the seller's own catalogue with a photo; the photo itself is never stored. */
@Component({
  selector: 'app-search-page',
  imports: [
    MatFormFieldModule,
    MatIconModule,
    MatProgressBarModule,
    MatSelectModule,
    FileDrop,
    SimilarImageCard,
    EmptyState,
    ErrorState,
    HumanizePipe,
    PercentPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './search-page.html',
  styleUrl: './search-page.scss',
})
export class SearchPage {
  private readonly search = inject(SearchApi);

  protected readonly accept = ACCEPT_ATTRIBUTE;
  protected readonly limits = [10, 20, 50];
  protected readonly limit = signal(10);
  protected readonly file = signal<File | null>(null);
  protected readonly preview = signal<string | null>(null);
  protected readonly searching = signal(false);
  protected readonly result = signal<PhotoSearch | null>(null);
  protected readonly problem = signal<string | null>(null);
  protected readonly failure = signal<unknown>(null);
  protected readonly failureText = computed(() =>
    this.failure() ? errorMessage(this.failure(), 'The search failed.') : null,
  );
  private running?: Subscription;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.setPreview(null));
  }

  protected pick(files: File[]): void {
    const file = files[0];
    if (!file) {
      return;
    }
    const check = checkFile(file);
    if (!check.ok) {
      this.problem.set(check.reason);
      return;
    }
    this.problem.set(null);
    this.file.set(file);
    this.setPreview(file);
    this.run();
  }

  protected setLimit(limit: number): void {
    this.limit.set(limit);
    if (this.file()) {
      this.run();
    }
  }

  protected run(): void {
    const file = this.file();
    if (!file) {
      return;
    }
    this.running?.unsubscribe();
    this.searching.set(true);
    this.failure.set(null);
    this.running = this.search
      .byImage(file, this.limit())
      .pipe(finalize(() => this.searching.set(false)))
      .subscribe({
        next: (result) => this.result.set(result),
        error: (error: unknown) => {
          this.result.set(null);
          this.failure.set(error);
        },
      });
  }

  private setPreview(file: File | null): void {
    const old = this.preview();
    if (old) {
      URL.revokeObjectURL(old);
    }
    this.preview.set(file ? URL.createObjectURL(file) : null);
  }
}
