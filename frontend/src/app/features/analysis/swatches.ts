import { Attribute } from '../../core/api/models';

export interface Swatch {
  readonly css: string;
  readonly label: string;
  /** Share of the product's pixels, when the extractor reports it (0..1). */
  readonly share: number | null;
}

const COLOUR_NAME = /colou?r/i;
const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * Colour swatches from the colour attributes. The extractor may describe a colour by a hex
 * code, an RGB triple, a palette of either, or only by name; names are used as CSS colours
 * when the browser knows them.
 */
export function swatchesOf(
  attributes: readonly Attribute[],
  isCssColour: (value: string) => boolean = defaultIsCssColour,
): Swatch[] {
  const swatches: Swatch[] = [];
  for (const attribute of attributes) {
    if (!COLOUR_NAME.test(attribute.name)) {
      continue;
    }
    const metadata = attribute.metadata ?? {};
    const palette = metadata['palette'] ?? metadata['colors'] ?? metadata['colours'];
    if (Array.isArray(palette) && palette.length) {
      for (const entry of palette) {
        const swatch = fromEntry(entry, attribute.value, isCssColour);
        if (swatch) {
          swatches.push(swatch);
        }
      }
      continue;
    }
    const swatch = fromEntry(
      { ...metadata, name: metadata['name'] ?? attribute.value },
      attribute.value,
      isCssColour,
    );
    if (swatch) {
      swatches.push(swatch);
    }
  }
  return dedupe(swatches);
}

function fromEntry(
  entry: unknown,
  fallbackLabel: string,
  isCssColour: (value: string) => boolean,
): Swatch | null {
  if (typeof entry === 'string') {
    const css = toCss(entry, isCssColour);
    return css ? { css, label: entry, share: null } : null;
  }
  if (!entry || typeof entry !== 'object') {
    return null;
  }
  const record = entry as Record<string, unknown>;
  // The extractor names a shade ("navy") inside a base colour ("blue"); the shade says more.
  const named = record['shade'] ?? record['named_color'] ?? record['name'];
  const label = typeof named === 'string' && named ? named : fallbackLabel;
  const share = numberOr(
    record['fraction'] ?? record['share'] ?? record['proportion'] ?? record['percentage'],
  );
  const rgb = record['rgb'];
  let css: string | null = null;
  if (typeof record['hex'] === 'string') {
    css = toCss(record['hex'], isCssColour);
  } else if (
    Array.isArray(rgb) &&
    rgb.length >= 3 &&
    rgb.every((part) => typeof part === 'number')
  ) {
    css = `rgb(${rgb
      .slice(0, 3)
      .map((part) => Math.round(part))
      .join(' ')})`;
  } else {
    css = toCss(label, isCssColour);
  }
  return css ? { css, label, share: share !== null && share > 1 ? share / 100 : share } : null;
}

function toCss(value: string, isCssColour: (value: string) => boolean): string | null {
  const trimmed = value.trim();
  if (HEX.test(trimmed)) {
    return trimmed.startsWith('#') ? trimmed : `#${trimmed}`;
  }
  const name = trimmed.toLowerCase().replace(/[\s_-]+/g, '');
  return name && isCssColour(name) ? name : null;
}

function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function dedupe(swatches: Swatch[]): Swatch[] {
  const seen = new Set<string>();
  return swatches.filter((swatch) => {
    const key = swatch.css.toLowerCase();
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

function defaultIsCssColour(value: string): boolean {
  return (
    typeof CSS !== 'undefined' && typeof CSS.supports === 'function' && CSS.supports('color', value)
  );
}
