import { HttpParams } from '@angular/common/http';

/** Query parameters without the empty ones, so "any status" is simply absent. */
export function queryParams(values: object): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') {
      params = params.set(key, String(value));
    }
  }
  return params;
}

/** A query parameter the router bound as undefined (absent) read as "no filter". */
export function orEmpty<T extends string>(value: T | undefined): T | '' {
  return value ?? '';
}
