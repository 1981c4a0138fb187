import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
} from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import {
  AbstractControl,
  FormArray,
  FormControl,
  FormGroup,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import { EMPTY, finalize } from 'rxjs';

import { plainMetadata, Product, ProductInput } from '../../core/api/models';
import { errorMessage, fieldErrors } from '../../core/api/problem';
import { ProductsApi } from '../../core/api/products.api';
import { Notifier } from '../../shared/notifier';
import { ErrorState, LoadingState } from '../../shared/states';

export const TITLE_MAX = 300;
export const DESCRIPTION_MAX = 20_000;
export const CATEGORY_MAX = 100;

type MetadataRow = FormGroup<{
  key: FormControl<string>;
  value: FormControl<string>;
}>;

/** Metadata keys must be present and unique. */
export function uniqueKeys(array: AbstractControl): ValidationErrors | null {
  const keys = (array.value as { key: string }[]).map((row) => row.key.trim()).filter(Boolean);
  return new Set(keys).size === keys.length ? null : { duplicateKeys: true };
}

@Component({
  selector: 'app-product-form-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressSpinnerModule,
    LoadingState,
    ErrorState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './product-form-page.html',
  styleUrl: './product-form-page.scss',
})
export class ProductFormPage {
  private readonly api = inject(ProductsApi);
  private readonly router = inject(Router);
  private readonly notifier = inject(Notifier);
  private readonly fb = inject(NonNullableFormBuilder);

  /** Route parameter; absent on /products/new. */
  readonly id = input<string>();

  protected readonly limits = {
    title: TITLE_MAX,
    description: DESCRIPTION_MAX,
    category: CATEGORY_MAX,
  };
  protected readonly form = this.fb.group({
    title: ['', [Validators.required, Validators.maxLength(TITLE_MAX), Validators.pattern(/\S/)]],
    description: ['', [Validators.maxLength(DESCRIPTION_MAX)]],
    category: ['', [Validators.maxLength(CATEGORY_MAX)]],
    subcategory: ['', [Validators.maxLength(CATEGORY_MAX)]],
    metadata: this.fb.array<MetadataRow>([], { validators: uniqueKeys }),
  });
  /** Structured metadata (e.g. `ai_listing`) the form does not edit but must keep. */
  private preserved: Record<string, unknown> = {};
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly serverErrors = signal<Record<string, string>>({});
  protected readonly editing = computed(() => Boolean(this.id()));

  protected readonly existing = rxResource({
    params: () => this.id(),
    stream: ({ params }) => (params ? this.api.get(params) : EMPTY),
  });
  protected readonly loadError = computed(() =>
    this.existing.error()
      ? errorMessage(this.existing.error(), 'Could not load the product.')
      : null,
  );

  constructor() {
    effect(() => {
      const product = this.existing.hasValue() ? this.existing.value() : undefined;
      if (product) {
        this.fill(product);
      }
    });
  }

  protected get metadataRows(): FormArray<MetadataRow> {
    return this.form.controls.metadata;
  }

  protected addMetadata(key = '', value = ''): void {
    this.metadataRows.push(
      this.fb.group({
        key: [key, [Validators.required, Validators.maxLength(100)]],
        value: [value, [Validators.maxLength(1000)]],
      }),
    );
  }

  protected removeMetadata(index: number): void {
    this.metadataRows.removeAt(index);
    this.form.markAsDirty();
  }

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    const body: ProductInput = {
      title: value.title.trim(),
      description: value.description.trim(),
      category: value.category.trim() || null,
      subcategory: value.subcategory.trim() || null,
      metadata: {
        ...this.preserved,
        ...Object.fromEntries(value.metadata.map((row) => [row.key.trim(), row.value])),
      },
    };
    const id = this.id();
    this.saving.set(true);
    this.error.set(null);
    this.serverErrors.set({});
    (id ? this.api.update(id, body) : this.api.create(body))
      .pipe(finalize(() => this.saving.set(false)))
      .subscribe({
        next: (product) => {
          this.form.markAsPristine();
          this.notifier.info(id ? 'Product saved.' : 'Product created. Now add some photos.');
          void this.router.navigate(['/products', product.id]);
        },
        error: (error: unknown) => {
          this.serverErrors.set(fieldErrors(error));
          this.error.set(errorMessage(error, 'Could not save the product.'));
        },
      });
  }

  private fill(product: Product): void {
    this.form.patchValue({
      title: product.title,
      description: product.description ?? '',
      category: product.category ?? '',
      subcategory: product.subcategory ?? '',
    });
    this.metadataRows.clear();
    const plain = plainMetadata(product.metadata);
    for (const [key, value] of plain) {
      this.addMetadata(key, value);
    }
    const plainKeys = new Set(plain.map(([key]) => key));
    this.preserved = Object.fromEntries(
      Object.entries(product.metadata ?? {}).filter(([key]) => !plainKeys.has(key)),
    );
    this.form.markAsPristine();
  }
}
