import { Routes } from '@angular/router';

import { authGuard, guestGuard } from './core/auth/auth.guards';
import { Shell } from './layout/shell';

export const routes: Routes = [
  {
    path: 'login',
    canActivate: [guestGuard],
    title: 'Sign in · ImagineAI',
    loadComponent: () => import('./features/auth/login-page').then((m) => m.LoginPage),
  },
  {
    path: 'register',
    canActivate: [guestGuard],
    title: 'Create account · ImagineAI',
    loadComponent: () => import('./features/auth/register-page').then((m) => m.RegisterPage),
  },
  {
    path: '',
    component: Shell,
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
      {
        path: 'dashboard',
        title: 'Dashboard · ImagineAI',
        loadComponent: () =>
          import('./features/dashboard/dashboard-page').then((m) => m.DashboardPage),
      },
      {
        path: 'products',
        title: 'Products · ImagineAI',
        loadComponent: () =>
          import('./features/products/product-list-page').then((m) => m.ProductListPage),
      },
      {
        path: 'products/new',
        title: 'New product · ImagineAI',
        loadComponent: () =>
          import('./features/products/product-form-page').then((m) => m.ProductFormPage),
      },
      {
        path: 'products/:id/edit',
        title: 'Edit product · ImagineAI',
        loadComponent: () =>
          import('./features/products/product-form-page').then((m) => m.ProductFormPage),
      },
      {
        path: 'products/:id',
        title: 'Product · ImagineAI',
        loadComponent: () =>
          import('./features/products/product-detail-page').then((m) => m.ProductDetailPage),
      },
      {
        path: 'products/:productId/images/:imageId',
        title: 'Analysis · ImagineAI',
        loadComponent: () =>
          import('./features/analysis/analysis-page').then((m) => m.AnalysisPage),
      },
      {
        path: 'search',
        title: 'Search by photo · ImagineAI',
        loadComponent: () => import('./features/search/search-page').then((m) => m.SearchPage),
      },
      {
        path: 'duplicates',
        title: 'Duplicates · ImagineAI',
        loadComponent: () =>
          import('./features/duplicates/duplicates-page').then((m) => m.DuplicatesPage),
      },
      {
        path: 'categories',
        title: 'Custom categories · ImagineAI',
        loadComponent: () =>
          import('./features/categories/categories-page').then((m) => m.CategoriesPage),
      },
      {
        path: 'webhooks',
        title: 'Webhooks · ImagineAI',
        loadComponent: () =>
          import('./features/webhooks/webhook-list-page').then((m) => m.WebhookListPage),
      },
      {
        path: 'webhooks/:id',
        title: 'Webhook · ImagineAI',
        loadComponent: () =>
          import('./features/webhooks/webhook-detail-page').then((m) => m.WebhookDetailPage),
      },
      {
        path: 'jobs',
        title: 'Jobs · ImagineAI',
        loadComponent: () => import('./features/jobs/job-list-page').then((m) => m.JobListPage),
      },
      {
        path: 'jobs/:id',
        title: 'Job · ImagineAI',
        loadComponent: () => import('./features/jobs/job-detail-page').then((m) => m.JobDetailPage),
      },
    ],
  },
  {
    path: '**',
    title: 'Not found · ImagineAI',
    loadComponent: () => import('./layout/not-found-page').then((m) => m.NotFoundPage),
  },
];
