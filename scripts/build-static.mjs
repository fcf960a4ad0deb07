// Copies htmx from the htmx.org package into static/vendor (never from a CDN).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const htmxDir = dirname(require.resolve('htmx.org/package.json'));
mkdirSync('static/vendor', { recursive: true });
copyFileSync(join(htmxDir, 'dist', 'htmx.min.js'), 'static/vendor/htmx.min.js');
