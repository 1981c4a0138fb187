import { Injectable, signal } from '@angular/core';

const STORAGE_KEY = 'imagineai.readinessPreset';

/**
 * The marketplace whose rules the seller checks photos against: one choice for the analysis
 * page, the product page and the export, remembered on this device. `null` is the server's
 * default preset.
 */
@Injectable({ providedIn: 'root' })
export class PresetStore {
  private readonly chosen = signal<string | null>(read());
  readonly preset = this.chosen.asReadonly();

  set(name: string | null): void {
    this.chosen.set(name);
    try {
      if (name) {
        localStorage.setItem(STORAGE_KEY, name);
      } else {
        localStorage.removeItem(STORAGE_KEY);
      }
    } catch {
      // Private browsing may refuse storage; the choice still holds for this visit.
    }
  }
}

function read(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
