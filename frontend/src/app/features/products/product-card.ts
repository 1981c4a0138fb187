import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { RouterLink } from '@angular/router';

import { ApiUrl } from '../../core/api/api-url';
import { Product } from '../../core/api/models';
import { HumanizePipe } from '../../shared/format.pipes';
import { StatusBadge } from '../../shared/status-badge';

@Component({
  selector: 'app-product-card',
  imports: [
    RouterLink,
    MatCheckboxModule,
    MatButtonModule,
    MatIconModule,
    MatMenuModule,
    StatusBadge,
    HumanizePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './product-card.html',
  styleUrl: './product-card.scss',
})
export class ProductCard {
  private readonly url = inject(ApiUrl);

  readonly product = input.required<Product>();
  readonly selected = input(false);
  readonly selectedChange = output<boolean>();
  readonly remove = output<Product>();

  protected readonly thumbnail = computed(() => {
    const url = this.product().primary_image?.url;
    return url ? this.url.resolve(url) : null;
  });
  protected readonly label = computed(
    () => this.product().primary_image?.analysis?.classification_label ?? null,
  );
}
