import { HttpEventType } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialogModule } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { filter, finalize, Subscription } from 'rxjs';

import { ImportKind, ImportsApi } from '../../core/api/imports.api';
import { ImportResult, Job } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { isJobEvent } from '../../core/realtime/events';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { saveBlob } from '../../shared/download';
import { FileDrop } from '../../shared/file-drop';
import { BytesPipe, PercentPipe } from '../../shared/format.pipes';
import { StatusBadge } from '../../shared/status-badge';
import { applyJobEvent } from '../jobs/job-progress';
import { IMPORT_ACCEPT, importFileProblem, importTemplate } from './import-files';

/**
 * Many products at once: a ZIP of photos (optionally with mapping.csv inside) or a CSV of
 * image URLs becomes products, photos and one batch job, followed live here.
 */
@Component({
  selector: 'app-import-dialog',
  imports: [
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatDialogModule,
    MatIconModule,
    MatProgressBarModule,
    FileDrop,
    StatusBadge,
    BytesPipe,
    PercentPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './import-dialog.html',
  styleUrl: './import-dialog.scss',
})
export class ImportDialog {
  private readonly imports = inject(ImportsApi);

  protected readonly kind = signal<ImportKind>('zip');
  protected readonly file = signal<File | null>(null);
  protected readonly problem = signal<string | null>(null);
  protected readonly progress = signal<number | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly errorCause = signal<unknown>(null);
  protected readonly result = signal<ImportResult | null>(null);
  protected readonly job = signal<Job | null>(null);
  protected readonly accept = IMPORT_ACCEPT;
  private upload?: Subscription;

  constructor() {
    inject(RealtimeService)
      .events$.pipe(filter(isJobEvent), takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((event) => {
        const job = this.job();
        if (job) {
          this.job.set(applyJobEvent(job, event));
        }
      });
  }

  protected setKind(kind: ImportKind): void {
    this.kind.set(kind);
    this.reset();
  }

  protected pick(files: File[]): void {
    const file = files[0];
    this.error.set(null);
    this.problem.set(file ? importFileProblem(this.kind(), file) : null);
    this.file.set(file && !this.problem() ? file : null);
  }

  protected downloadTemplate(): void {
    const template = importTemplate(this.kind());
    saveBlob(new Blob([template.text], { type: 'text/csv' }), template.name);
  }

  protected start(): void {
    const file = this.file();
    if (!file || this.progress() !== null) {
      return;
    }
    this.error.set(null);
    this.progress.set(0);
    this.upload = this.imports
      .upload(this.kind(), file)
      .pipe(finalize(() => this.progress.set(null)))
      .subscribe({
        next: (event) => {
          if (event.type === HttpEventType.UploadProgress) {
            this.progress.set(event.total ? event.loaded / event.total : 0);
          } else if (event.type === HttpEventType.Response && event.body) {
            this.result.set(event.body);
            this.job.set(event.body.job);
          }
        },
        error: (error: unknown) => {
          this.errorCause.set(error);
          this.error.set(errorMessage(error, 'The import failed.'));
        },
      });
  }

  protected cancel(): void {
    this.upload?.unsubscribe();
    this.progress.set(null);
  }

  protected reset(): void {
    this.cancel();
    this.file.set(null);
    this.problem.set(null);
    this.error.set(null);
    this.result.set(null);
    this.job.set(null);
  }
}
