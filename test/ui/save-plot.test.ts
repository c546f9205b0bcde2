import { describe, expect, it } from 'vitest';
import { plotFileName } from '../../src/ui/save-plot.ts';

describe('saved plot file names', () => {
  it('come from the title: lower case, words joined by dashes, nothing else', () => {
    expect(plotFileName('Token accuracy')).toBe('token-accuracy');
    expect(plotFileName('protolab H_LM at capacity')).toBe('protolab-h-lm-at-capacity');
    expect(plotFileName('  ../../etc/passwd  ')).toBe('etc-passwd');
    expect(plotFileName('—')).toBe('plot');
    expect(plotFileName('x'.repeat(200))).toHaveLength(80);
  });
});
