import { inject, Injectable } from '@angular/core';

import { APP_CONFIG, apiRoot, resolveApiUrl } from '../config';

@Injectable({ providedIn: 'root' })
export class ApiUrl {
  private readonly config = inject(APP_CONFIG);
  readonly root = apiRoot(this.config);

  to(path: string): string {
    return `${this.root}${path}`;
  }

  isApi(url: string): boolean {
    return url.startsWith(`${this.root}/`) || url === this.root;
  }

  /** An API-issued URL (image, upload) made absolute against the API origin when needed. */
  resolve(url: string): string {
    return resolveApiUrl(this.config, url);
  }
}
