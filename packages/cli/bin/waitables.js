#!/usr/bin/env node
// The `waitables` command (built into ../dist by `npm run build`).
import '../dist/bin.js';
