import { BoundingBox } from '../../core/api/models';

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A rectangle in displayed (CSS) pixels, relative to the image's top-left corner. */
export interface ScreenRect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Maps a box given in original-image pixels (after EXIF orientation, as the API stores it)
 * to the size the image is shown at. The box is clipped to the image first, so a detector
 * box that spills over an edge never draws outside the photo.
 */
export function scaleBox(box: BoundingBox, original: Size, displayed: Size): ScreenRect {
  if (original.width <= 0 || original.height <= 0) {
    return { left: 0, top: 0, width: 0, height: 0 };
  }
  const left = clamp(box.x, 0, original.width);
  const top = clamp(box.y, 0, original.height);
  const right = clamp(box.x + box.width, 0, original.width);
  const bottom = clamp(box.y + box.height, 0, original.height);
  const scaleX = displayed.width / original.width;
  const scaleY = displayed.height / original.height;
  return {
    left: round(left * scaleX),
    top: round(top * scaleY),
    width: round(Math.max(0, right - left) * scaleX),
    height: round(Math.max(0, bottom - top) * scaleY),
  };
}

/**
 * The size the browser renders an `object-fit: contain` image at inside a box, for when the
 * element is larger than the picture (letterboxing); plain `<img>` sizing gives it directly.
 */
export function containedSize(natural: Size, box: Size): Size {
  if (natural.width <= 0 || natural.height <= 0) {
    return { width: 0, height: 0 };
  }
  const scale = Math.min(box.width / natural.width, box.height / natural.height);
  return { width: round(natural.width * scale), height: round(natural.height * scale) };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
