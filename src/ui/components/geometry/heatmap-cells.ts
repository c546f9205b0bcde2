/**
 * The cells of Heatmap.tsx, computed once for both of its renderings (SVG <rect>s for small
 * matrices, one canvas image past RASTER_ABOVE cells): where each cell sits, how big it is drawn
 * and its colour. Pure: no DOM, no d3.
 */

export interface HeatmapCell {
  /** Row and column in the (already display-ordered) matrix. */
  row: number;
  col: number;
  value: number;
  /** Top-left corner inside the plot square, column along x and row along y. */
  x: number;
  y: number;
  /** Width and height: a cell's share of the square plus 0.3, so neighbours overlap and no seams show. */
  size: number;
  fill: string;
}

/** How much wider than its share of the square a cell is drawn. */
export const CELL_OVERLAP = 0.3;

/**
 * Calls `visit` for every cell of a square matrix drawn into a `side` x `side` square, row by row;
 * cells without a value (NaN, infinite) are skipped: drawn empty. One object per cell is passed and
 * not kept, so the paper's 950 x 950 matrix is not held as 900k objects.
 */
export function forEachHeatmapCell(matrix: readonly (readonly number[])[], side: number, colour: (v: number) => string, visit: (c: HeatmapCell) => void): void {
  const n = matrix.length;
  if (n === 0) return;
  const share = side / n;
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const value = matrix[row][col];
      if (!Number.isFinite(value)) continue;
      visit({ row, col, value, x: col * share, y: row * share, size: share + CELL_OVERLAP, fill: colour(value) });
    }
  }
}
