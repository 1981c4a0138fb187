import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';

import { ReadinessApi } from '../../core/api/readiness.api';
import { PresetStore } from './preset-store';

/** Picks the marketplace rules (shared by every readiness panel and the export). */
@Component({
  selector: 'app-preset-select',
  imports: [MatFormFieldModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-form-field subscriptSizing="dynamic" class="preset">
      <mat-label>Marketplace rules</mat-label>
      <mat-select
        [value]="selected()"
        (selectionChange)="store.set($event.value)"
        [disabled]="!presets.hasValue()"
        data-testid="preset-select"
      >
        @for (preset of presets.value()?.data ?? []; track preset.name) {
          <mat-option [value]="preset.name">{{ preset.title }}</mat-option>
        }
        @if (!presets.hasValue()) {
          <mat-option [value]="selected()">{{ selected() }}</mat-option>
        }
      </mat-select>
    </mat-form-field>
    @if (current(); as preset) {
      <p class="about">
        {{ preset.description }}
        @for (source of preset.sources; track source; let first = $first) {
          @if (first) {
            <br />
          }
          <a [href]="source" target="_blank" rel="noopener">Rules source</a>
        }
      </p>
    } @else if (presets.error()) {
      <p class="about" role="alert">Could not load the rule presets; the default applies.</p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .preset {
      width: 100%;
      max-width: 320px;
    }
    .about {
      margin: 6px 0 0;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class PresetSelect {
  protected readonly store = inject(PresetStore);
  private readonly api = inject(ReadinessApi);

  protected readonly presets = rxResource({ stream: () => this.api.presets() });
  protected readonly selected = computed(
    () => this.store.preset() ?? this.presets.value()?.default ?? 'generic',
  );
  protected readonly current = computed(
    () => this.presets.value()?.data.find((preset) => preset.name === this.selected()) ?? null,
  );
}
