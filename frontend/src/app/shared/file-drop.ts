import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';

/** A drop zone with a "choose" button for pages that take a file (search, imports). */
@Component({
  selector: 'app-file-drop',
  imports: [MatButtonModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div
      class="zone"
      [class.dragging]="dragging()"
      [class.compact]="compact()"
      (dragover)="onDragOver($event)"
      (dragleave)="onDragLeave($event)"
      (drop)="onDrop($event)"
    >
      <mat-icon class="zone-icon" aria-hidden="true">{{ icon() }}</mat-icon>
      <p class="zone-title">{{ title() }}</p>
      @if (hint()) {
        <p class="muted">{{ hint() }}</p>
      }
      <input
        #picker
        class="visually-hidden"
        type="file"
        [accept]="accept()"
        [multiple]="multiple()"
        (change)="onPicked(picker)"
        aria-hidden="true"
        [attr.data-testid]="testId()"
        tabindex="-1"
      />
      <button
        mat-flat-button
        type="button"
        (click)="picker.click()"
        [disabled]="disabled()"
        [attr.aria-describedby]="describedBy()"
      >
        <mat-icon>{{ buttonIcon() }}</mat-icon> {{ buttonLabel() }}
      </button>
    </div>
  `,
  styles: `
    .zone {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 6px;
      padding: 28px 16px;
      border: 2px dashed var(--mat-sys-outline-variant);
      border-radius: 16px;
      text-align: center;
      background: var(--mat-sys-surface-container-lowest);
      transition:
        background 120ms ease,
        border-color 120ms ease;
    }
    .zone.compact {
      padding: 16px;
    }
    .zone.dragging {
      border-color: var(--mat-sys-primary);
      background: var(--mat-sys-primary-container);
    }
    p {
      margin: 0;
    }
    button {
      margin-top: 8px;
    }
    .zone-icon {
      width: 40px;
      height: 40px;
      font-size: 40px;
      color: var(--mat-sys-primary);
    }
    .zone-title {
      font: var(--mat-sys-title-medium);
    }
  `,
})
export class FileDrop {
  readonly accept = input('');
  readonly multiple = input(false);
  readonly disabled = input(false);
  readonly compact = input(false);
  readonly icon = input('upload_file');
  readonly title = input('Drag a file here');
  readonly hint = input('');
  readonly buttonLabel = input('Choose a file');
  readonly buttonIcon = input('folder_open');
  readonly testId = input<string | null>(null);
  readonly describedBy = input<string | null>(null);
  readonly picked = output<File[]>();

  protected readonly dragging = signal(false);

  protected onPicked(picker: HTMLInputElement): void {
    if (picker.files?.length) {
      this.picked.emit(Array.from(picker.files));
    }
    picker.value = '';
  }

  protected onDragOver(event: DragEvent): void {
    if (!this.disabled() && event.dataTransfer?.types.includes('Files')) {
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
    if (!this.disabled() && files?.length) {
      this.picked.emit(this.multiple() ? Array.from(files) : [files[0]]);
    }
  }
}
