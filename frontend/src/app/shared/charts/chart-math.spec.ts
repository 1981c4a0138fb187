import {
  areaPath,
  columnSlots,
  linePath,
  niceMax,
  plotPoints,
  ringDash,
  ticks,
} from './chart-math';

describe('chart maths', () => {
  it('rounds axis maxima up to 1, 2, 2.5, 5 or 10 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(180)).toBe(200);
    expect(niceMax(1234)).toBe(2000);
    expect(niceMax(2100)).toBe(2500);
    expect(niceMax(0.42)).toBe(0.5);
    expect(ticks(200)).toEqual([0, 50, 100, 150, 200]);
    expect(ticks(250)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(ticks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ticks(0.5)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(ticks(10, 2)).toEqual([0, 5, 10]);
  });

  it('places values on the plot, skipping missing days', () => {
    const points = plotPoints([0, null, 50, 100], 300, 100, 100);
    expect(points).toEqual([
      { x: 0, y: 100, value: 0, index: 0 },
      { x: 200, y: 50, value: 50, index: 2 },
      { x: 300, y: 0, value: 100, index: 3 },
    ]);
    expect(linePath(points)).toBe('M0,100 L200,50 L300,0');
    expect(areaPath(points, 100)).toBe('M0,100 L200,50 L300,0 L300,100 L0,100 Z');
    expect(plotPoints([5], 300, 100, 10)).toEqual([{ x: 150, y: 50, value: 5, index: 0 }]);
  });

  it('lays out columns with gaps', () => {
    expect(columnSlots([10, 5], 200, 100, 10, 0.5)).toEqual([
      { x: 25, width: 50, y: 0, height: 100 },
      { x: 125, width: 50, y: 50, height: 50 },
    ]);
  });

  it('fills a ring to a clamped fraction', () => {
    const circumference = 2 * Math.PI * 10;
    expect(ringDash(0.25, 10)).toBe(
      `${Math.round(circumference * 25) / 100} ${Math.round(circumference * 75) / 100}`,
    );
    expect(ringDash(2, 10)).toBe(`${Math.round(circumference * 100) / 100} 0`);
  });
});
