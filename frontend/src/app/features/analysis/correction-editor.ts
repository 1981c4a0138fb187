import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';
import { catchError, finalize, map, of } from 'rxjs';

import { CorrectionsApi } from '../../core/api/corrections.api';
import { Classification } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { Notifier } from '../../shared/notifier';
import { LabelInput } from '../categories/label-input';
import { labelProblem, normalizeLabel } from '../categories/labels';
import { answererOf } from './classification-source';

/** Who answered the classification, and the seller's way to correct it with their own label. */
@Component({
  selector: 'app-correction-editor',
  imports: [RouterLink, MatButtonModule, MatIconModule, LabelInput],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="answered" data-testid="answered-by" [attr.data-kind]="answerer().kind">
      <span class="muted">Answered by</span> {{ answerer().text }}
    </p>
    @if (editing()) {
      <form class="editor" (submit)="$event.preventDefault(); save()">
        <app-label-input
          label="Correct category"
          [value]="draft()"
          (valueChange)="draft.set($event); error.set(null)"
          [own]="ownLabels.value() ?? []"
          [guesses]="guesses()"
          [serverError]="error()"
        />
        <div class="buttons">
          <button mat-button type="button" (click)="editing.set(false)">Cancel</button>
          <button mat-flat-button type="submit" [disabled]="busy()">Save label</button>
        </div>
      </form>
    } @else {
      <div class="buttons">
        <button mat-stroked-button type="button" (click)="open()">
          <mat-icon>edit</mat-icon> Correct category
        </button>
        @if (classification().source === 'correction') {
          <button mat-button type="button" (click)="remove()" [disabled]="busy()">
            <mat-icon>undo</mat-icon> Remove my label
          </button>
        }
        <a mat-button routerLink="/categories"><mat-icon>category</mat-icon> Your categories</a>
      </div>
    }
  `,
  styles: `
    .answered {
      margin: 12px 0 8px;
    }
    .editor {
      display: grid;
      gap: 8px;
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      justify-content: flex-end;
      gap: 8px;
    }
  `,
})
export class CorrectionEditor {
  private readonly corrections = inject(CorrectionsApi);
  private readonly notifier = inject(Notifier);

  readonly imageId = input.required<string>();
  readonly classification = input.required<Classification>();
  readonly modelVersion = input<string | null>(null);
  /** After a label was saved or removed: the analysis shows it at once. */
  readonly changed = output<void>();

  protected readonly editing = signal(false);
  protected readonly busy = signal(false);
  protected readonly draft = signal('');
  protected readonly error = signal<string | null>(null);
  protected readonly answerer = computed(() =>
    answererOf(this.classification().source, this.modelVersion()),
  );
  protected readonly guesses = computed(() =>
    this.classification().top_k.map((entry) => entry.label),
  );
  protected readonly ownLabels = rxResource({
    params: () => (this.editing() ? true : undefined),
    stream: () =>
      this.corrections.classifier().pipe(
        map((classifier) => classifier.label_counts.map((entry) => entry.label)),
        catchError(() => of([] as string[])),
      ),
  });

  protected open(): void {
    const current = this.classification();
    this.draft.set(current.source === 'correction' ? (current.label ?? '') : '');
    this.error.set(null);
    this.editing.set(true);
  }

  protected save(): void {
    const label = normalizeLabel(this.draft());
    const problem = labelProblem(label);
    if (problem || this.busy()) {
      this.error.set(problem);
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.corrections
      .set(this.imageId(), label)
      .pipe(finalize(() => this.busy.set(false)))
      .subscribe({
        next: (saved) => {
          this.editing.set(false);
          this.notifier.info(`Labelled “${saved.label}”. Your categories learn from it.`);
          this.changed.emit();
        },
        error: (error: unknown) => this.error.set(errorMessage(error, 'Could not save.')),
      });
  }

  protected remove(): void {
    this.busy.set(true);
    this.corrections
      .remove(this.imageId())
      .pipe(finalize(() => this.busy.set(false)))
      .subscribe({
        next: () => {
          this.notifier.info('Label removed; the model’s answer shows again.');
          this.changed.emit();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not remove the label'),
      });
  }
}
