/**
 * Saving a plot as SVG or PNG (issue 5 §5: every plot can be saved). A plot on the page is an <svg>
 * element, styled partly by styles.css (the live charts' colours): the saved copy carries those
 * computed styles inline, a white background and explicit pixel size, so it looks the same in any
 * viewer. PNG is drawn from that SVG at `scale` times its size (sharp on a 4K screen or a slide).
 */

import { downloadBlob } from './download.ts';

/** Presentation properties copied from the page's CSS into the saved file. */
const STYLE_PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'visibility'] as const;


/** The plot's pixel size: its width/height attributes, else its viewBox, else its laid-out box. */
function sizeOf(svg: SVGSVGElement): { width: number; height: number } {
  const w = Number(svg.getAttribute('width'));
  const h = Number(svg.getAttribute('height'));
  if (w > 0 && h > 0) return { width: w, height: h };
  const vb = svg.viewBox?.baseVal;
  if (vb && vb.width > 0 && vb.height > 0) return { width: vb.width, height: vb.height };
  const r = svg.getBoundingClientRect();
  return { width: Math.max(1, Math.round(r.width)), height: Math.max(1, Math.round(r.height)) };
}

/** A standalone SVG document of the element, with its computed styles inlined. */
export function svgMarkup(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  // The saved file has a white background: read the light theme's colours even when the page is dark
  // (feel.css sets them under this attribute), so text and lines stay readable.
  svg.setAttribute('data-export-light', '');
  try {
    from.forEach((el, i) => {
      const cs = getComputedStyle(el);
      const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
      (to[i] as SVGElement).setAttribute('style', `${style};${(to[i] as SVGElement).getAttribute('style') ?? ''}`);
    });
  } finally {
    svg.removeAttribute('data-export-light');
  }
  const { width, height } = sizeOf(svg);
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  if (!copy.getAttribute('viewBox')) copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', 'white');
  copy.insertBefore(bg, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

export function saveSvg(svg: SVGSVGElement, name: string): void {
  downloadBlob(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }), name.endsWith('.svg') ? name : `${name}.svg`);
}

/** The plot as a PNG blob, `scale` device pixels per SVG unit. */
export async function pngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = sizeOf(svg);
  const url = URL.createObjectURL(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser gave no 2-D canvas to draw the PNG on; save the SVG instead.');
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded; save the SVG instead.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function savePng(svg: SVGSVGElement, name: string, scale = 2): Promise<void> {
  downloadBlob(await pngBlob(svg, scale), name.endsWith('.png') ? name : `${name}.png`);
}

/** A file name from a plot title: "Token accuracy" → "token-accuracy". */
export function plotFileName(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/gu, '-')
      .replace(/^-+|-+$/gu, '')
      .slice(0, 80) || 'plot'
  );
}
