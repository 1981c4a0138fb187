import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { RuleResult } from '../../core/api/models';
import { StatusBadge } from '../../shared/status-badge';
import { formatMeasured, worstFirst } from './readiness-format';

/** Each rule with its verdict, the measured value against the target, and the fix. */
@Component({
  selector: 'app-readiness-rules',
  imports: [StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ul class="rules" [attr.aria-label]="label()">
      @for (rule of ordered(); track rule.rule) {
        <li [attr.data-rule]="rule.rule" [attr.data-status]="rule.status">
          <div class="rule-line">
            <app-status-badge [status]="rule.status" />
            <span class="rule-name">{{ rule.label }}</span>
            <span class="measure">
              <span class="value">{{ measured(rule) }}</span>
              <span class="muted"> · target {{ rule.target }}</span>
            </span>
          </div>
          @if (rule.fix) {
            <p class="fix">{{ rule.fix }}</p>
          }
        </li>
      }
    </ul>
  `,
  styles: `
    .rules {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 6px;
    }
    li {
      padding: 8px 10px;
      border-radius: 10px;
      background: var(--mat-sys-surface-container-low);
    }
    .rule-line {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 8px;
    }
    .rule-name {
      font: var(--mat-sys-title-small);
      flex: 1 1 auto;
    }
    .measure {
      font-variant-numeric: tabular-nums;
    }
    .value {
      font-weight: 500;
    }
    .fix {
      margin: 4px 0 0;
      font: var(--mat-sys-body-small);
    }
  `,
})
export class ReadinessRules {
  readonly rules = input.required<RuleResult[]>();
  readonly label = input('Rules');
  protected readonly ordered = computed(() => worstFirst(this.rules()));
  protected readonly measured = formatMeasured;
}
