import { Attribute } from '../../core/api/models';
import { conditionGradeOf } from './condition-grade';

const attribute = (name: string, value: string, metadata: Record<string, unknown> = {}) =>
  ({ name, value, confidence: 0.68, metadata }) as Attribute;

describe('condition grade', () => {
  it('reads the grade, its reasons and the defects that cost the most points first', () => {
    const view = conditionGradeOf([
      attribute('color', 'red'),
      attribute('condition_grade', 'fair', {
        label: 'fair',
        points: 5.234,
        reasons: ['Medium stain (confidence 0.72, 5.2% of the product): 2.5 points.'],
        defects: [
          {
            defect_type: 'stain',
            severity: 'low',
            confidence: 0.69,
            area_share: 0.008,
            points: 0.7,
          },
          {
            defect_type: 'stain',
            severity: 'medium',
            confidence: 0.72,
            area_share: 0.05,
            points: 2.5,
          },
        ],
      }),
    ]);
    expect(view?.grade).toBe('fair');
    expect(view?.confidence).toBe(0.68);
    expect(view?.points).toBe(5.234);
    expect(view?.reasons).toHaveLength(1);
    expect(view?.defects.map((defect) => defect.points)).toEqual([2.5, 0.7]);
  });

  it('is absent before grading, and ignores values it does not know', () => {
    expect(conditionGradeOf([attribute('condition', 'damaged')])).toBeNull();
    expect(conditionGradeOf([attribute('condition_grade', 'mint')])).toBeNull();
    expect(conditionGradeOf([attribute('condition_grade', 'new')])?.reasons).toEqual([]);
  });
});
