import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject } from '@angular/core';
import { rxResource, takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { debounceTime, merge } from 'rxjs';

import { DashboardApi } from '../../core/api/dashboard.api';
import { PRODUCT_STATUSES } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { BarList } from '../../shared/charts/bar-list';
import { RingGauge } from '../../shared/charts/ring-gauge';
import { TrendChart } from '../../shared/charts/trend-chart';
import { formatDuration, humanize } from '../../shared/format';
import { DurationPipe, PercentPipe } from '../../shared/format.pipes';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { StatusBadge } from '../../shared/status-badge';

@Component({
  selector: 'app-dashboard-page',
  imports: [
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    BarList,
    RingGauge,
    TrendChart,
    StatusBadge,
    DurationPipe,
    PercentPipe,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard-page.html',
  styleUrl: './dashboard-page.scss',
})
export class DashboardPage {
  private readonly api = inject(DashboardApi);

  protected readonly stats = rxResource({ stream: () => this.api.stats() });
  protected readonly loadError = computed(() =>
    this.stats.error() ? errorMessage(this.stats.error(), 'Could not load the dashboard.') : null,
  );
  protected readonly categories = computed(() =>
    (this.stats.value()?.category_distribution ?? [])
      .slice()
      .sort((a, b) => b.count - a.count)
      .slice(0, 10)
      .map((entry) => ({ label: humanize(entry.category), value: entry.count })),
  );
  protected readonly statusCounts = computed(() => {
    const byStatus = this.stats.value()?.products_by_status ?? {};
    return PRODUCT_STATUSES.map((status) => ({ status, count: byStatus[status] ?? 0 }));
  });
  protected readonly processingTrend = computed(() =>
    (this.stats.value()?.timeseries ?? []).map((day) => ({
      date: day.date,
      value: day.avg_processing_time_ms,
    })),
  );
  protected readonly analysedTrend = computed(() =>
    (this.stats.value()?.timeseries ?? []).map((day) => ({
      date: day.date,
      value: day.images_analyzed,
    })),
  );
  protected readonly defectTrend = computed(() =>
    (this.stats.value()?.timeseries ?? []).map((day) => ({ date: day.date, value: day.defects })),
  );
  protected readonly formatMs = (value: number): string => formatDuration(value);
  protected readonly formatCount = (value: number): string => String(Math.round(value * 10) / 10);

  constructor() {
    const realtime = inject(RealtimeService);
    merge(realtime.on('image.analyzed', 'job.completed', 'job.failed'), realtime.reconnected$)
      .pipe(debounceTime(800), takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(() => this.stats.reload());
  }
}
