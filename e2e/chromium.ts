/**
 * How the tests and the benchmark launch Chromium: Debian's /usr/bin/chromium (Playwright's own
 * download is unreachable here; never `npx playwright install`) with the flags from
 * docs/WEBGPU.md: WebGPU on the CPU adapter, no background networking, and no Vulkan/ANGLE
 * switches (with them requestAdapter() can hang).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
