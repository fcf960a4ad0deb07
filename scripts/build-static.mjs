// Copies browser libraries from their npm packages into static/vendor (never from a CDN):
// htmx for every page, and globalpayments-3ds for the sandbox's test merchant only (a dev
// dependency: production builds, which have no sandbox, may lack it).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
mkdirSync('static/vendor', { recursive: true });

function vendor(pkg, file, target, optional = false) {
  let dir;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch (error) {
    if (optional) return;
    throw error;
  }
  copyFileSync(join(dir, file), join('static/vendor', target));
}

vendor('htmx.org', 'dist/htmx.min.js', 'htmx.min.js');
vendor('globalpayments-3ds', 'dist/globalpayments-3ds.min.js', 'globalpayments-3ds.min.js', true);
