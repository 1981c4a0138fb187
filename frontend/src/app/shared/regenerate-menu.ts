import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDividerModule } from '@angular/material/divider';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatTooltipModule } from '@angular/material/tooltip';

import { DESCRIPTION_LENGTHS, DESCRIPTION_TONES, DescriptionRequest } from '../core/api/models';
import { HumanizePipe } from './format.pipes';

/** "Regenerate" with a choice of tone and length for the new description. */
@Component({
  selector: 'app-regenerate-menu',
  imports: [
    MatButtonModule,
    MatDividerModule,
    MatIconModule,
    MatMenuModule,
    MatTooltipModule,
    HumanizePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button
      mat-icon-button
      type="button"
      [matMenuTriggerFor]="menu"
      [disabled]="disabled()"
      aria-label="Regenerate description"
      matTooltip="Regenerate"
    >
      <mat-icon>autorenew</mat-icon>
    </button>
    <mat-menu #menu="matMenu">
      <span class="menu-label" role="presentation">Length</span>
      @for (option of lengths; track option) {
        <button
          mat-menu-item
          type="button"
          role="menuitemradio"
          [attr.aria-checked]="length() === option"
          (click)="$event.stopPropagation(); length.set(option)"
        >
          <mat-icon>{{
            length() === option ? 'radio_button_checked' : 'radio_button_unchecked'
          }}</mat-icon>
          <span>{{ option | humanize }}</span>
        </button>
      }
      <mat-divider />
      <span class="menu-label" role="presentation">Write it in a tone</span>
      @for (tone of tones; track tone) {
        <button mat-menu-item type="button" (click)="regenerate.emit({ tone, length: length() })">
          <mat-icon>edit_note</mat-icon>
          <span>{{ tone | humanize }}</span>
        </button>
      }
    </mat-menu>
  `,
  styles: `
    .menu-label {
      display: block;
      padding: 8px 16px 4px;
      font: var(--mat-sys-label-medium);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class RegenerateMenu {
  readonly disabled = input(false);
  readonly regenerate = output<DescriptionRequest>();

  protected readonly tones = DESCRIPTION_TONES;
  protected readonly lengths = DESCRIPTION_LENGTHS;
  protected readonly length = signal<(typeof DESCRIPTION_LENGTHS)[number]>('medium');
}
