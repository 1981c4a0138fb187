import { HttpClient, HttpContext, HttpEvent } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import { SKIP_AUTH } from './http-context';
import { Analysis, Job, Page, ProductImage, UploadTicket } from './models';

@Injectable({ providedIn: 'root' })
export class ImagesApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  list(productId: string): Observable<Page<ProductImage>> {
    return this.http.get<Page<ProductImage>>(this.url.to(`/products/${productId}/images`));
  }

  requestUpload(productId: string, file: File, contentType: string): Observable<UploadTicket> {
    return this.http.post<UploadTicket>(this.url.to(`/products/${productId}/images/upload-url`), {
      filename: file.name,
      content_type: contentType,
      size_bytes: file.size,
    });
  }

  /**
   * The bytes straight to storage with progress events: a PUT of the raw file with the
   * ticket's headers, or, for a presigned POST ticket, a form with its fields and the file last.
   */
  putToStorage(ticket: UploadTicket, file: File): Observable<HttpEvent<unknown>> {
    const method = (ticket.method ?? 'PUT').toUpperCase();
    let body: File | FormData = file;
    if (method === 'POST') {
      const form = new FormData();
      for (const [name, value] of Object.entries(ticket.fields ?? {})) {
        form.append(name, value);
      }
      form.append('file', file);
      body = form;
    }
    return this.http.request(method, this.url.resolve(ticket.upload_url), {
      body,
      headers: ticket.headers ?? {},
      reportProgress: true,
      observe: 'events',
      responseType: 'text',
      context: new HttpContext().set(SKIP_AUTH, true),
    });
  }

  confirm(productId: string, imageId: string): Observable<ProductImage> {
    return this.http.post<ProductImage>(
      this.url.to(`/products/${productId}/images/${imageId}/confirm`),
      {},
    );
  }

  makePrimary(productId: string, imageId: string): Observable<ProductImage> {
    return this.http.post<ProductImage>(
      this.url.to(`/products/${productId}/images/${imageId}/primary`),
      {},
    );
  }

  delete(productId: string, imageId: string): Observable<void> {
    return this.http.delete<void>(this.url.to(`/products/${productId}/images/${imageId}`));
  }

  analysis(imageId: string): Observable<Analysis> {
    return this.http.get<Analysis>(this.url.to(`/images/${imageId}/analysis`));
  }

  reanalyze(imageId: string): Observable<Job> {
    return this.http.post<Job>(this.url.to(`/images/${imageId}/analysis`), {});
  }
}
