import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import {
  DescriptionRequest,
  Page,
  Product,
  ProductDetail,
  ProductInput,
  ProductQuery,
} from './models';
import { queryParams } from './params';

@Injectable({ providedIn: 'root' })
export class ProductsApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  list(query: ProductQuery): Observable<Page<Product>> {
    return this.http.get<Page<Product>>(this.url.to('/products'), { params: queryParams(query) });
  }

  get(id: string): Observable<ProductDetail> {
    return this.http.get<ProductDetail>(this.url.to(`/products/${id}`));
  }

  create(input: ProductInput): Observable<Product> {
    return this.http.post<Product>(this.url.to('/products'), input);
  }

  update(id: string, input: Partial<ProductInput>): Observable<Product> {
    return this.http.patch<Product>(this.url.to(`/products/${id}`), input);
  }

  delete(id: string): Observable<void> {
    return this.http.delete<void>(this.url.to(`/products/${id}`));
  }

  regenerateDescription(id: string, request: DescriptionRequest = {}): Observable<Product> {
    return this.http.post<Product>(this.url.to(`/products/${id}/description`), request);
  }
}
