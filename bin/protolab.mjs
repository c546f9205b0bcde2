#!/usr/bin/env node
// Runs the TypeScript command line directly from the repository through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
