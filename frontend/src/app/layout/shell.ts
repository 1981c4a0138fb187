import { BreakpointObserver } from '@angular/cdk/layout';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatMenuModule } from '@angular/material/menu';
import { MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map } from 'rxjs';

import { AuthService } from '../core/auth/auth.service';
import { RealtimeService } from '../core/realtime/realtime.service';

const CONNECTION_TEXT = {
  offline: 'Live updates off',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
} as const;

@Component({
  selector: 'app-shell',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatToolbarModule,
    MatSidenavModule,
    MatListModule,
    MatIconModule,
    MatButtonModule,
    MatMenuModule,
    MatTooltipModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
})
export class Shell {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly realtime = inject(RealtimeService);
  private readonly sidenav = viewChild.required(MatSidenav);

  protected readonly user = this.auth.user;
  protected readonly handset = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 900px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly connection = this.realtime.state;
  protected readonly connectionText = computed(() => CONNECTION_TEXT[this.connection()]);
  protected readonly nav = [
    { path: '/dashboard', icon: 'dashboard', label: 'Dashboard' },
    { path: '/products', icon: 'inventory_2', label: 'Products' },
    { path: '/search', icon: 'image_search', label: 'Search by photo' },
    { path: '/duplicates', icon: 'content_copy', label: 'Duplicates' },
    { path: '/categories', icon: 'category', label: 'Categories' },
    { path: '/jobs', icon: 'pending_actions', label: 'Jobs' },
    { path: '/webhooks', icon: 'webhook', label: 'Webhooks' },
  ];

  constructor() {
    const destroyRef = inject(DestroyRef);
    // The shell holds the one live connection open for as long as the user is signed in.
    this.realtime.events$.pipe(takeUntilDestroyed(destroyRef)).subscribe();
    this.router.events
      .pipe(
        filter((event) => event instanceof NavigationEnd),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(() => {
        if (this.handset()) {
          void this.sidenav().close();
        }
      });
  }

  protected logout(): void {
    this.auth.logout().subscribe(() => void this.router.navigate(['/login']));
  }
}
