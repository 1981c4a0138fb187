import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';

export interface SecretDialogData {
  readonly secret: string;
  readonly url: string;
  readonly rotated: boolean;
}

/** The signing secret, shown this once: after closing only its last four characters remain. */
@Component({
  selector: 'app-secret-dialog',
  imports: [MatButtonModule, MatDialogModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.rotated ? 'New signing secret' : 'Endpoint added' }}</h2>
    <mat-dialog-content>
      <p>
        Deliveries to <strong class="url">{{ data.url }}</strong> are signed with this secret.
        <strong>Copy it now: it is shown only this once.</strong>
        @if (data.rotated) {
          The old secret no longer signs anything.
        }
      </p>
      <div class="secret">
        <code data-testid="webhook-secret">{{ data.secret }}</code>
        <button mat-stroked-button type="button" (click)="copy()">
          <mat-icon>{{ copied() ? 'check' : 'content_copy' }}</mat-icon>
          {{ copied() ? 'Copied' : 'Copy' }}
        </button>
      </div>
      <p class="muted small">
        Each request carries <code>ImagineAI-Signature: t=&lt;unix time&gt;,v1=&lt;hex&gt;</code>,
        the HMAC-SHA256 of <code>&lt;t&gt;.&lt;raw body&gt;</code> with this secret. Compare it in
        constant time and refuse old timestamps.
      </p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-flat-button type="button" mat-dialog-close cdkFocusInitial>I saved it</button>
    </mat-dialog-actions>
  `,
  styles: `
    .url {
      overflow-wrap: anywhere;
    }
    .secret {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      padding: 10px 12px;
      border-radius: 12px;
      background: var(--mat-sys-surface-container-high);
      code {
        flex: 1 1 200px;
        overflow-wrap: anywhere;
        font-size: 15px;
        user-select: all;
      }
    }
    .small {
      font: var(--mat-sys-body-small);
    }
  `,
})
export class SecretDialog {
  protected readonly data = inject<SecretDialogData>(MAT_DIALOG_DATA);
  private readonly clipboard = inject(Clipboard);
  protected readonly copied = signal(false);

  protected copy(): void {
    this.copied.set(this.clipboard.copy(this.data.secret));
  }
}
