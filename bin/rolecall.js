#!/usr/bin/env node
// The `rolecall` command. The TypeScript sources are compiled to dist/ by `npm ci` (the prepare script).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('rolecall: the build is missing; run `npm run build` (npm ci does it for you)');
    process.exit(1);
  }
  throw err;
});
