import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';

import { EmptyState } from '../shared/states';

@Component({
  selector: 'app-not-found-page',
  imports: [EmptyState, MatButtonModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="page">
      <h1 class="visually-hidden">Page not found</h1>
      <app-empty icon="travel_explore" title="Page not found" message="This address leads nowhere.">
        <a mat-flat-button routerLink="/dashboard">Go to the dashboard</a>
      </app-empty>
    </main>
  `,
})
export class NotFoundPage {}
