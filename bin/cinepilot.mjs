#!/usr/bin/env node
// Entry point of the `cinepilot` CLI. The sources are TypeScript run through
// tsx's loader, so there is no build step between editing and running.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
