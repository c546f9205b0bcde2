/**
 * Browser side of `npm run bench`: the same suite as Node (bench/suite/run-suite.ts) on navigator.gpu,
 * with stories260k streamed from the dev server's /models/ middleware. bench/run.ts opens
 * /bench/browser/index.html and calls window.protolabBench.run(input) with texts tokenized in Node.
 */
import { createBrowserGpu } from '../../src/gpu/browser.ts';
import { loadModel } from '../../src/model/load.ts';
import { httpSource } from '../../src/model/sources/http.ts';
import type { BenchInput, SuiteResults } from '../suite/results.ts';
import { runSuite } from '../suite/run-suite.ts';
import { pageLog, pageReady } from './page-log.ts';

export interface BrowserBench {
  run(input: BenchInput): Promise<SuiteResults>;
  userAgent: string;
}

declare global {
  interface Window {
    protolabBench?: BrowserBench;
  }
}

const log = pageLog('chromium');

window.protolabBench = {
  userAgent: navigator.userAgent,
  run: (input) =>
    runSuite({
      acquire: () => createBrowserGpu(),
      // No Cache Storage: every run reads the files from the dev server, as a first visit would.
      load: (gpu) => loadModel(gpu, httpSource(new URL(`/models/${input.model}/`, location.origin).href, { cache: null })),
      // The dev server lists assets/fixtures/<name> as /models/fixtures-<name>/.
      loadFixture: (gpu, name) => loadModel(gpu, httpSource(new URL(`/models/fixtures-${name}/`, location.origin).href, { cache: null })),
      input,
      log,
    }),
};
pageReady('ready: call window.protolabBench.run(input) (input: bench/node-bench.ts input)');
