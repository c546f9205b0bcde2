/**
 * The heatmap's cells (src/ui/components/geometry/heatmap-cells.ts), shared by its SVG and canvas
 * renderings: position by row and column, size, colour from the value, empty cells skipped.
 */
import { describe, expect, it } from 'vitest';
import { CELL_OVERLAP, forEachHeatmapCell, type HeatmapCell } from '../../src/ui/components/geometry/heatmap-cells.ts';

const cellsOf = (matrix: number[][], side: number, colour = (v: number) => `c${v}`): HeatmapCell[] => {
  const out: HeatmapCell[] = [];
  forEachHeatmapCell(matrix, side, colour, (c) => out.push({ ...c }));
  return out;
};

describe('heatmap cells', () => {
  it('place row i at y and column j at x, a third of the square each, overlapping by 0.3', () => {
    const cells = cellsOf(
      [
        [0, 0.1, 0.2],
        [0.3, 0.4, 0.5],
        [0.6, 0.7, 0.8],
      ],
      300,
    );
    expect(CELL_OVERLAP).toBe(0.3);
    expect(cells).toHaveLength(9);
    expect(cells[1]).toEqual({ row: 0, col: 1, value: 0.1, x: 100, y: 0, size: 100.3, fill: 'c0.1' });
    expect(cells[5]).toEqual({ row: 1, col: 2, value: 0.5, x: 200, y: 100, size: 100.3, fill: 'c0.5' });
    expect(cells[6]).toEqual({ row: 2, col: 0, value: 0.6, x: 0, y: 200, size: 100.3, fill: 'c0.6' });
    // Row by row, and the last cell reaches the square's far corner.
    expect(cells.map((c) => `${c.row}${c.col}`)).toEqual(['00', '01', '02', '10', '11', '12', '20', '21', '22']);
    const last = cells[8];
    expect(last.x + last.size - CELL_OVERLAP).toBeCloseTo(300, 10);
  });

  it('skip cells without a value (drawn empty) and colour the others by their value', () => {
    const seen: number[] = [];
    const cells = cellsOf(
      [
        [NaN, 2],
        [Infinity, -1],
      ],
      380,
      (v) => {
        seen.push(v);
        return v > 0 ? 'red' : 'blue';
      },
    );
    expect(cells.map((c) => [c.row, c.col, c.fill])).toEqual([
      [0, 1, 'red'],
      [1, 1, 'blue'],
    ]);
    expect(seen).toEqual([2, -1]); // the colour is asked for drawn cells only
    expect(cells[1]).toMatchObject({ x: 190, y: 190, size: 190.3 });
  });

  it('an empty matrix has no cells', () => {
    expect(cellsOf([], 380)).toEqual([]);
  });
});
