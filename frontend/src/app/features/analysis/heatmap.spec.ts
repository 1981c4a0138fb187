import { JobStep } from '../../core/api/models';
import { heatmapOf, hotCells } from './heatmap';

const step = (name: string, result: Record<string, unknown> | null): JobStep => ({
  id: name,
  step_name: name,
  status: 'completed',
  product_image_id: 'i',
  started_at: null,
  completed_at: null,
  duration_ms: 1,
  error_message: null,
  result_data: result,
});

describe('anomaly heatmap', () => {
  const region = { x: 33, y: 0, width: 533, height: 400 };

  it('reads the grid the defect step recorded', () => {
    const values = [
      [0, 0.5],
      [1.2, 0.01],
    ];
    const heatmap = heatmapOf([
      step('classify', { label: 'mug' }),
      step('detect_defects', { heatmap: { values, region } }),
    ]);
    expect(heatmap).toEqual({ values, region });
    expect(hotCells(heatmap!)).toEqual([
      { x: 1, y: 0, value: 0.5 },
      { x: 0, y: 1, value: 1 },
    ]);
  });

  it('ignores missing or malformed maps', () => {
    expect(heatmapOf([])).toBeNull();
    expect(heatmapOf([step('detect_defects', { defects: 0 })])).toBeNull();
    expect(
      heatmapOf([step('detect_defects', { heatmap: { values: [[0], [0, 1]], region } })]),
    ).toBeNull();
    expect(
      heatmapOf([step('detect_defects', { heatmap: { values: [['x']], region } })]),
    ).toBeNull();
    expect(heatmapOf([step('detect_defects', { heatmap: { values: [[0.2]] } })])).toBeNull();
  });
});
