import { containedSize, scaleBox } from './box-geometry';

describe('defect box scaling', () => {
  const original = { width: 4000, height: 3000 };

  it('scales original-image pixels to the displayed size', () => {
    const box = { x: 1000, y: 600, width: 400, height: 300 };
    expect(scaleBox(box, original, { width: 800, height: 600 })).toEqual({
      left: 200,
      top: 120,
      width: 80,
      height: 60,
    });
    expect(scaleBox(box, original, original)).toEqual({
      left: 1000,
      top: 600,
      width: 400,
      height: 300,
    });
  });

  it('scales each axis on its own (the element may be stretched)', () => {
    const box = { x: 2000, y: 1500, width: 1000, height: 1500 };
    expect(scaleBox(box, original, { width: 400, height: 600 })).toEqual({
      left: 200,
      top: 300,
      width: 100,
      height: 300,
    });
  });

  it('clips boxes that spill over the edges of the photo', () => {
    const box = { x: -100, y: 2900, width: 600, height: 500 };
    expect(scaleBox(box, original, { width: 400, height: 300 })).toEqual({
      left: 0,
      top: 290,
      width: 50,
      height: 10,
    });
  });

  it('draws nothing for an unknown original size', () => {
    expect(
      scaleBox(
        { x: 1, y: 1, width: 1, height: 1 },
        { width: 0, height: 0 },
        { width: 10, height: 10 },
      ),
    ).toEqual({
      left: 0,
      top: 0,
      width: 0,
      height: 0,
    });
  });

  it('computes the letterboxed size of a contained image', () => {
    expect(containedSize({ width: 4000, height: 3000 }, { width: 800, height: 800 })).toEqual({
      width: 800,
      height: 600,
    });
    expect(containedSize({ width: 1000, height: 2000 }, { width: 800, height: 800 })).toEqual({
      width: 400,
      height: 800,
    });
  });
});
