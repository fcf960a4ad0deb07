/**
 * Logos and scheme marks uploaded in the console, kept in the database (issuer_assets) so every
 * process and isolate serves the same file without a shared disk, at /assets/<sha-256>.<ext>.
 * The address names the content, so it is cached for a year and a new upload is a new address.
 * Only images whose first bytes say what they are; an SVG is served with a sandboxing CSP, so
 * a script inside it never runs on this origin (http/security-headers.ts).
 */
import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { issuerAssets } from '../db/schema.ts';
import type { AppEnv } from '../deps.ts';
import { base64ToBytes, bytesToBase64, bytesToHex } from '../encoding.ts';

export const ASSET_MAX_BYTES = 256 * 1024;

const TYPES = [
  { ext: 'png', type: 'image/png', looks: (b: Uint8Array) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { ext: 'jpg', type: 'image/jpeg', looks: (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { ext: 'gif', type: 'image/gif', looks: (b: Uint8Array) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 },
  { ext: 'webp', type: 'image/webp', looks: (b: Uint8Array) => text(b, 0, 4) === 'RIFF' && text(b, 8, 12) === 'WEBP' },
  { ext: 'svg', type: 'image/svg+xml', looks: (b: Uint8Array) => /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text(b, 0, 2048)) },
] as const;

function text(b: Uint8Array, from: number, to: number): string {
  return new TextDecoder().decode(b.subarray(from, to));
}

export type AssetProblem = 'empty' | 'too_large' | 'not_an_image';

/** What the bytes are, or why they cannot be a logo. */
export function checkAsset(bytes: Uint8Array): { ok: true; ext: string; type: string } | { ok: false; problem: AssetProblem } {
  if (bytes.length === 0) return { ok: false, problem: 'empty' };
  if (bytes.length > ASSET_MAX_BYTES) return { ok: false, problem: 'too_large' };
  const kind = TYPES.find((t) => t.looks(bytes));
  return kind ? { ok: true, ext: kind.ext, type: kind.type } : { ok: false, problem: 'not_an_image' };
}

/** Stores the image (once per content) and returns the path it is served at. */
export async function storeAsset(db: Database, issuerId: number, bytes: Uint8Array<ArrayBuffer>, kind: { ext: string; type: string }, now: number): Promise<string> {
  const digest = bytesToHex(await crypto.subtle.digest('SHA-256', bytes));
  await db.insert(issuerAssets).values({ digest, issuerId, contentType: kind.type, body: bytesToBase64(bytes), createdAt: now }).onConflictDoNothing();
  return `/assets/${digest}.${kind.ext}`;
}

/** GET /assets/<digest>.<ext>: the stored image, immutable. */
export const assetRoutes = new Hono<AppEnv>().get('/assets/:name{[0-9a-f]{64}\\.[a-z]{3,4}}', async (c) => {
  const [digest] = c.req.param('name').split('.');
  const row = await c.get('deps').db.select().from(issuerAssets).where(eq(issuerAssets.digest, digest)).get();
  if (!row) return c.notFound();
  c.header('Content-Type', row.contentType);
  c.header('Cache-Control', 'public, max-age=31536000, immutable');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.body(base64ToBytes(row.body));
});
