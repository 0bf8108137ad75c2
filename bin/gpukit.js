#!/usr/bin/env node
// The CLI is compiled from src/cli (npm run build, run by npm install/ci through "prepare").
await import('../dist/cli/main.js');
