import { TestBed } from '@angular/core/testing';

import { Defect } from '../../core/api/models';
import { DefectOverlay } from './defect-overlay';

const scratch: Defect = {
  defect_type: 'scratch',
  severity: 'high',
  confidence: 0.91,
  bounding_box: { x: 2000, y: 1000, width: 400, height: 300 },
  description: null,
};

describe('DefectOverlay', () => {
  it('draws each box at the scaled position, labelled for hover and screen readers', async () => {
    const fixture = TestBed.createComponent(DefectOverlay);
    fixture.componentRef.setInput('src', 'data:image/gif;base64,R0lGODlhAQABAAAAACw=');
    fixture.componentRef.setInput('defects', [scratch, { ...scratch, bounding_box: null }]);
    fixture.componentRef.setInput('originalSize', { width: 4000, height: 3000 });
    await fixture.whenStable();

    // jsdom has no layout: give the picture the size a browser would show it at.
    const img: HTMLImageElement = fixture.nativeElement.querySelector('img');
    Object.defineProperty(img, 'clientWidth', { value: 800 });
    Object.defineProperty(img, 'clientHeight', { value: 600 });
    img.dispatchEvent(new Event('load'));
    await fixture.whenStable();

    const boxes: HTMLButtonElement[] = Array.from(
      fixture.nativeElement.querySelectorAll('button.box'),
    );
    expect(boxes).toHaveLength(1);
    expect(boxes[0].style.left).toBe('400px');
    expect(boxes[0].style.top).toBe('200px');
    expect(boxes[0].style.width).toBe('80px');
    expect(boxes[0].style.height).toBe('60px');
    expect(boxes[0].getAttribute('aria-label')).toBe(
      'Defect 1: Scratch · High severity · 91 % confidence',
    );

    boxes[0].dispatchEvent(new Event('mouseenter'));
    await fixture.whenStable();
    expect(fixture.componentInstance.highlighted()).toBe(0);
  });
});
