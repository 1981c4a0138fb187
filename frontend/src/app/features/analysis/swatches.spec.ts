import { Attribute } from '../../core/api/models';
import { swatchesOf } from './swatches';

const known = new Set(['red', 'navy', 'white', 'darkgreen']);
const isCss = (value: string) => known.has(value);
const attribute = (
  name: string,
  value: string,
  metadata: Record<string, unknown> | null = null,
): Attribute => ({
  name,
  value,
  confidence: 0.8,
  metadata,
});

describe('colour swatches', () => {
  it('uses hex codes, RGB triples and palettes from the colour attributes', () => {
    const swatches = swatchesOf(
      [
        attribute('dominant_color', 'red', { hex: '#c0392b', fraction: 0.6 }),
        attribute('color_palette', 'navy', {
          palette: [
            { name: 'blue', shade: 'navy', rgb: [20, 30, 90.4], share: 30 },
            { name: 'white', hex: 'ffffff' },
          ],
        }),
        attribute('material', 'cotton', { hex: '#000000' }),
      ],
      isCss,
    );
    expect(swatches).toEqual([
      { css: '#c0392b', label: 'red', share: 0.6 },
      { css: 'rgb(20 30 90)', label: 'navy', share: 0.3 },
      { css: '#ffffff', label: 'white', share: null },
    ]);
  });

  it('falls back to colour names the browser knows and skips the rest', () => {
    expect(
      swatchesOf([attribute('colour', 'Dark Green'), attribute('color', 'multicolour')], isCss),
    ).toEqual([{ css: 'darkgreen', label: 'Dark Green', share: null }]);
  });

  it('shows each colour once', () => {
    expect(
      swatchesOf([attribute('color', 'red'), attribute('secondary_color', 'red')], isCss),
    ).toHaveLength(1);
  });
});
