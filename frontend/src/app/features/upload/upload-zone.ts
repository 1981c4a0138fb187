import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTooltipModule } from '@angular/material/tooltip';

import { BytesPipe } from '../../shared/format.pipes';
import { UploadItem, UploadManager, UploadState } from './upload-manager';
import { ACCEPT_ATTRIBUTE, MAX_UPLOAD_BYTES } from './upload-validation';

const STATE_TEXT: Record<UploadState, string> = {
  invalid: 'Not uploaded',
  queued: 'Waiting…',
  requesting: 'Preparing…',
  uploading: 'Uploading',
  confirming: 'Checking…',
  done: 'Uploaded, analysis queued',
  rejected: 'Rejected',
  failed: 'Failed',
};

/** Drop or pick many photos for one product; lists each file with progress and retry. */
@Component({
  selector: 'app-upload-zone',
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule, MatTooltipModule, BytesPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './upload-zone.html',
  styleUrl: './upload-zone.scss',
})
export class UploadZone {
  private readonly manager = inject(UploadManager);

  readonly productId = input.required<string>();

  protected readonly accept = ACCEPT_ATTRIBUTE;
  protected readonly maxBytes = MAX_UPLOAD_BYTES;
  protected readonly dragging = signal(false);
  protected readonly items = computed(() =>
    this.manager.items().filter((item) => item.productId === this.productId()),
  );
  protected readonly finished = computed(() =>
    this.items().some((item) => ['done', 'invalid', 'rejected'].includes(item.state)),
  );
  protected readonly summary = computed(() => {
    const items = this.items();
    const done = items.filter((item) => item.state === 'done').length;
    const failed = items.filter((item) =>
      ['failed', 'rejected', 'invalid'].includes(item.state),
    ).length;
    return items.length
      ? `${done} of ${items.length} uploaded${failed ? `, ${failed} with problems` : ''}`
      : '';
  });

  protected stateText(item: UploadItem): string {
    return item.state === 'uploading'
      ? `Uploading ${Math.round(item.progress * 100)} %`
      : STATE_TEXT[item.state];
  }

  protected onPicked(input: HTMLInputElement): void {
    if (input.files?.length) {
      this.manager.add(this.productId(), Array.from(input.files));
    }
    input.value = '';
  }

  protected onDragOver(event: DragEvent): void {
    if (event.dataTransfer?.types.includes('Files')) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      this.dragging.set(true);
    }
  }

  protected onDragLeave(event: DragEvent): void {
    const zone = event.currentTarget as HTMLElement;
    if (!zone.contains(event.relatedTarget as Node | null)) {
      this.dragging.set(false);
    }
  }

  protected onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    const files = event.dataTransfer?.files;
    if (files?.length) {
      this.manager.add(this.productId(), Array.from(files));
    }
  }

  protected retry(item: UploadItem): void {
    this.manager.retry(item.key);
  }

  protected dismiss(item: UploadItem): void {
    this.manager.dismiss(item.key);
  }

  protected clearFinished(): void {
    this.manager.clearFinished(this.productId());
  }
}
