import { LowerCasePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { Attribute, CONDITION_GRADES } from '../../core/api/models';
import { HumanizePipe, PercentPipe } from '../../shared/format.pipes';
import { conditionGradeOf, GRADE_LABELS } from './condition-grade';

/** The grade to declare for a second-hand item, on the five-step scale, with its reasoning. */
@Component({
  selector: 'app-condition-grade-panel',
  imports: [LowerCasePipe, HumanizePipe, PercentPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="grade-heading" data-testid="condition-grade">
      <h2 id="grade-heading">Condition grade</h2>
      @if (view(); as grade) {
        <p class="grade">
          <span class="grade-value" data-testid="grade-value" [attr.data-grade]="grade.grade">{{
            labels[grade.grade]
          }}</span>
          <span class="muted">confidence {{ grade.confidence | percent1 }}</span>
        </p>
        <ol class="scale" aria-label="Grade scale, best first">
          @for (step of scale; track step) {
            <li
              [class.current]="step === grade.grade"
              [attr.aria-current]="step === grade.grade ? 'true' : null"
            >
              {{ labels[step] }}
            </li>
          }
        </ol>
        @if (grade.reasons.length) {
          <h3>Why</h3>
          <ul class="reasons" data-testid="grade-reasons">
            @for (reason of grade.reasons; track $index) {
              <li>{{ reason }}</li>
            }
          </ul>
        }
        @if (grade.defects.length) {
          <table class="grade-defects">
            <caption class="visually-hidden">
              Defects counted in the grade
            </caption>
            <thead>
              <tr>
                <th scope="col">Defect</th>
                <th scope="col">Area</th>
                <th scope="col">Points</th>
              </tr>
            </thead>
            <tbody>
              @for (defect of grade.defects; track $index) {
                <tr>
                  <th scope="row">
                    {{ defect.severity | humanize }} {{ defect.defect_type | humanize | lowercase }}
                  </th>
                  <td>{{ defect.area_share | percent1: 1 }}</td>
                  <td>{{ defect.points.toFixed(1) }}</td>
                </tr>
              }
            </tbody>
          </table>
        }
      } @else {
        <p class="muted">
          @if (analysed()) {
            This analysis has no grade; analyse the photo again to grade it.
          } @else {
            The grade appears when defect detection finishes.
          }
        </p>
      }
    </section>
  `,
  styles: `
    .grade {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 8px;
      margin: 0 0 12px;
    }
    .grade-value {
      font: var(--mat-sys-title-large);
    }
    .scale {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(5, minmax(0, 1fr));
      gap: 4px;
      li {
        padding: 4px 2px;
        border-radius: 6px;
        text-align: center;
        font: var(--mat-sys-label-small);
        background: var(--mat-sys-surface-container-high);
        color: var(--mat-sys-on-surface-variant);
      }
      li.current {
        background: var(--mat-sys-primary);
        color: var(--mat-sys-on-primary);
        font-weight: 700;
        outline: 2px solid var(--mat-sys-primary);
        outline-offset: 1px;
      }
    }
    h3 {
      font: var(--mat-sys-title-small);
      margin: 16px 0 6px;
    }
    .reasons {
      margin: 0;
      padding-left: 20px;
      line-height: 1.5;
    }
    .grade-defects {
      width: 100%;
      margin-top: 8px;
      border-collapse: collapse;
      th,
      td {
        text-align: left;
        padding: 4px;
        border-bottom: 1px solid var(--mat-sys-outline-variant);
      }
      thead th {
        font: var(--mat-sys-label-medium);
        color: var(--mat-sys-on-surface-variant);
      }
      tbody th {
        font-weight: 400;
      }
      td {
        font-variant-numeric: tabular-nums;
      }
    }
  `,
})
export class ConditionGradePanel {
  readonly attributes = input.required<Attribute[]>();
  readonly analysed = input(false);

  protected readonly view = computed(() => conditionGradeOf(this.attributes()));
  protected readonly scale = CONDITION_GRADES;
  protected readonly labels = GRADE_LABELS;
}
