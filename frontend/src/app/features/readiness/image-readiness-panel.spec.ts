import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';

import { ImageReadiness, ReadinessPresets } from '../../core/api/models';
import { APP_CONFIG, DEFAULT_CONFIG } from '../../core/config';
import { ImageReadinessPanel } from './image-readiness-panel';
import { PresetStore } from './preset-store';

const presets: ReadinessPresets = {
  default: 'generic',
  data: [
    {
      name: 'generic',
      title: 'Generic marketplace',
      description: 'Common ground.',
      sources: [],
      rules: {},
    },
    {
      name: 'amazon',
      title: 'Amazon (main image)',
      description: 'Pure white background.',
      sources: ['https://sellercentral.amazon.com/help'],
      rules: {},
    },
  ],
};

const report = (preset: string): ImageReadiness => ({
  image_id: 'i1',
  product_id: 'p1',
  preset,
  is_main: true,
  status: 'fail',
  counts: { pass: 1, warn: 1, fail: 1 },
  note: null,
  rules: [
    {
      rule: 'resolution',
      label: 'Resolution',
      status: 'warn',
      measured: 600,
      unit: 'px',
      target: '≥ 1000 px',
      message: '',
      fix: 'Use a larger photo: the longest side is 600 px, aim for ≥ 1000 px.',
    },
    {
      rule: 'sharpness',
      label: 'Sharpness',
      status: 'pass',
      measured: 1,
      unit: 'score',
      target: '≥ 0.70',
      message: '',
      fix: null,
    },
    {
      rule: 'fill',
      label: 'Product fills the frame',
      status: 'fail',
      measured: 0.48,
      unit: 'share',
      target: '≥ 85%',
      message: '',
      fix: 'Crop closer: the product spans 48% of the frame, aim for ≥ 85%.',
    },
  ],
});

describe('ImageReadinessPanel', () => {
  beforeEach(() => localStorage.clear());

  it('shows each rule worst first with the measured value and fix, and follows the preset', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: APP_CONFIG, useValue: DEFAULT_CONFIG },
      ],
    });
    const backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ImageReadinessPanel);
    fixture.componentRef.setInput('imageId', 'i1');
    fixture.detectChanges();
    TestBed.tick();
    backend.expectOne('/api/v1/readiness/presets').flush(presets);
    const first = backend.expectOne((req) => req.url === '/api/v1/images/i1/readiness');
    expect(first.request.params.has('preset')).toBe(false);
    first.flush(report('generic'));
    await fixture.whenStable();

    const element: HTMLElement = fixture.nativeElement;
    const rules = Array.from(element.querySelectorAll('li[data-rule]'));
    expect(rules.map((rule) => rule.getAttribute('data-rule'))).toEqual([
      'fill',
      'resolution',
      'sharpness',
    ]);
    expect(rules[0].textContent).toContain('48%');
    expect(rules[0].textContent).toContain('target ≥ 85%');
    expect(rules[0].textContent).toContain('Crop closer');
    expect(rules[2].querySelector('.fix')).toBeNull();
    expect(element.querySelector('.verdict')?.textContent).toContain(
      '1 failing, 1 warning, 1 passing',
    );

    TestBed.inject(PresetStore).set('amazon');
    TestBed.tick();
    const second = backend.expectOne((req) => req.url === '/api/v1/images/i1/readiness');
    expect(second.request.params.get('preset')).toBe('amazon');
    second.flush(report('amazon'));
    await fixture.whenStable();
    expect(element.textContent).toContain('Pure white background.');
    expect(localStorage.getItem('imagineai.readinessPreset')).toBe('amazon');
    backend.verify();
  });
});
