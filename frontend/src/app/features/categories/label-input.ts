import { ChangeDetectionStrategy, Component, computed, input, model } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { ErrorStateMatcher } from '@angular/material/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';

import { HumanizePipe } from '../../shared/format.pipes';
import { labelProblem, labelSuggestions } from './labels';

/** A category name field (inside a form: Enter submits it) that suggests the seller's own labels and the model's guesses. */
@Component({
  selector: 'app-label-input',
  imports: [FormsModule, MatAutocompleteModule, MatFormFieldModule, MatInputModule, HumanizePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-form-field class="field" subscriptSizing="dynamic">
      <mat-label>{{ label() }}</mat-label>
      <input
        matInput
        [ngModel]="value()"
        (ngModelChange)="value.set($event)"
        [matAutocomplete]="options"
        maxlength="200"
        autocomplete="off"
        [errorStateMatcher]="errorState"
        data-testid="label-input"
      />
      <mat-autocomplete #options="matAutocomplete">
        @for (option of suggestions(); track option) {
          <mat-option [value]="option">
            {{ option }}
            @if (option.includes('/')) {
              <span class="muted">· {{ option | humanize }}</span>
            }
          </mat-option>
        }
      </mat-autocomplete>
      @if (shownError(); as message) {
        <mat-error>{{ message }}</mat-error>
      } @else {
        <mat-hint>Your own name (e.g. “vintage cameras”) or a category/subcategory</mat-hint>
      }
    </mat-form-field>
  `,
  styles: `
    :host {
      display: block;
    }
    .field {
      width: 100%;
    }
  `,
})
export class LabelInput {
  readonly value = model('');
  readonly label = input('Category');
  readonly own = input<string[]>([]);
  readonly guesses = input<string[]>([]);
  /** The API's refusal of the last attempt, shown under the field. */
  readonly serverError = input<string | null>(null);

  protected readonly suggestions = computed(() =>
    labelSuggestions(this.own(), this.guesses(), this.value()),
  );
  readonly problem = computed(() => labelProblem(this.value()));
  /** Local problems only once something was typed; an empty field is not yet an error. */
  protected readonly shownError = computed(
    () => this.serverError() ?? (this.value().trim() ? this.problem() : null),
  );

  /** mat-error shows only in an error state; ours comes from the checks above, not a form. */
  protected readonly errorState: ErrorStateMatcher = {
    isErrorState: () => Boolean(this.shownError()),
  };
}
