import { inject, Injectable } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';

import { errorMessage } from '../core/api/problem';

@Injectable({ providedIn: 'root' })
export class Notifier {
  private readonly snackBar = inject(MatSnackBar);

  info(message: string): void {
    this.snackBar.open(message, 'Dismiss', { duration: 4000 });
  }

  error(error: unknown, prefix?: string): void {
    const text = errorMessage(error);
    this.snackBar.open(prefix ? `${prefix}: ${text}` : text, 'Dismiss', {
      duration: 8000,
      panelClass: 'snack-error',
    });
  }
}
