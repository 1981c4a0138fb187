import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { finalize } from 'rxjs';

import { ExportsApi } from '../../core/api/exports.api';
import { ExportFormat, ProductStatus } from '../../core/api/models';
import { filenameFromDisposition, saveBlob } from '../../shared/download';
import { Notifier } from '../../shared/notifier';
import { PresetStore } from '../readiness/preset-store';

interface ExportChoice {
  readonly format: ExportFormat;
  readonly bom: boolean;
  readonly label: string;
  readonly hint: string;
}

const CHOICES: ExportChoice[] = [
  { format: 'csv', bom: false, label: 'CSV', hint: 'UTF-8, for scripts and most tools' },
  {
    format: 'csv',
    bom: true,
    label: 'CSV for spreadsheets',
    hint: 'UTF-8 with BOM, so Excel shows accents right',
  },
  { format: 'json', bom: false, label: 'JSON', hint: 'One object per product' },
];

/** Downloads every product (with the list's filters) and its analysis, one row each. */
@Component({
  selector: 'app-export-menu',
  imports: [MatButtonModule, MatIconModule, MatMenuModule, MatProgressSpinnerModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button mat-stroked-button type="button" [matMenuTriggerFor]="menu" [disabled]="busy()">
      @if (busy()) {
        <mat-spinner diameter="18" aria-hidden="true" />
      } @else {
        <mat-icon>download</mat-icon>
      }
      Export
    </button>
    <mat-menu #menu="matMenu">
      @for (choice of choices; track choice.label) {
        <button mat-menu-item type="button" (click)="download(choice)">
          <span class="choice">
            <span>{{ choice.label }}</span>
            <span class="hint">{{ choice.hint }}</span>
          </span>
        </button>
      }
    </mat-menu>
    <span class="visually-hidden" role="status">{{ busy() ? 'Preparing the export…' : '' }}</span>
  `,
  styles: `
    .choice {
      display: flex;
      flex-direction: column;
      line-height: 1.3;
    }
    .hint {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    mat-spinner {
      display: inline-block;
      margin-right: 8px;
      vertical-align: middle;
    }
  `,
})
export class ExportMenu {
  private readonly exports = inject(ExportsApi);
  private readonly presets = inject(PresetStore);
  private readonly notifier = inject(Notifier);

  readonly status = input<ProductStatus | ''>('');
  readonly category = input('');

  protected readonly choices = CHOICES;
  protected readonly busy = signal(false);

  protected download(choice: ExportChoice): void {
    this.busy.set(true);
    this.exports
      .products({
        format: choice.format,
        bom: choice.bom,
        preset: this.presets.preset() ?? undefined,
        status: this.status(),
        category: this.category(),
      })
      .pipe(finalize(() => this.busy.set(false)))
      .subscribe({
        next: (response) => {
          const fallback = `imagineai-products.${choice.format}`;
          const name = filenameFromDisposition(
            response.headers.get('Content-Disposition'),
            fallback,
          );
          saveBlob(response.body ?? new Blob([]), name);
          this.notifier.info(`Exported ${name}.`);
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not export'),
      });
  }
}
