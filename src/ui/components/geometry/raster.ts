/**
 * Big plots as one image inside the SVG: tens of thousands of <rect>s or <circle>s make a page
 * crawl, so past a size the cells or points are drawn on a canvas and embedded as a PNG data URL
 * (it stays inside the SVG, so Save SVG/PNG still holds them). `scale` pixels per SVG unit keep it sharp.
 */
import type * as d3 from 'd3';

/** Above this many marks a plot is rasterised. */
export const RASTER_ABOVE = 20_000;

export function rasterLayer(
  parent: d3.Selection<SVGGElement, unknown, null, undefined>,
  x: number,
  y: number,
  width: number,
  height: number,
  draw: (ctx: CanvasRenderingContext2D) => void,
  scale = 2,
): void {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.scale(scale, scale);
  ctx.translate(-x, -y);
  draw(ctx);
  parent.append('image').attr('class', 'raster').attr('x', x).attr('y', y).attr('width', width).attr('height', height).attr('href', canvas.toDataURL('image/png'));
}
