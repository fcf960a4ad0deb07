/**
 * The OpenAPI 3.1 document of the integration API, served at GET /api/v1/openapi.json. It is
 * generated from the routes and zod schemas that validate the requests (routes.ts, schemas.ts,
 * errors.ts), so it describes exactly what the code accepts and answers.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ApiErrorSchema } from './errors.ts';

export const SECURITY_SCHEME = 'ApiKey';
export const OPENAPI_PATH = '/api/v1/openapi.json';

const DESCRIPTION = `For an issuer's core system: push card and cardholder changes to the 3-D Secure appliance as they happen.

- **Authentication**: \`Authorization: Bearer <API key>\`. Keys are made per issuer in the staff console (API keys), shown once, and carry permissions (\`cards.read\`, \`cards.write\`) and optionally the source addresses they may be used from.
- **Idempotency**: every write carries an \`Idempotency-Key\` header (a UUID per intended change). A retry with the same key and body gets the first answer again (\`Idempotent-Replayed: true\`); the same key with another body is refused with \`idempotency_key_reused\`.
- **Card numbers** travel only in request bodies (never in a URL) and are only ever answered masked (first 6, last 4).
- **Errors** are JSON: \`{ "error": { "code", "message", "field" } }\`; \`code\` is stable.
- A card blocked here is answered R/10 (lost, stolen) or R/12 (blocked, closed) by the next AReq.`;

/** Registers the security scheme and the error schema on the API's registry. */
export function describeApi(api: OpenAPIHono<any>): void {
  api.openAPIRegistry.registerComponent('securitySchemes', SECURITY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key of the issuer, made in the staff console (shown once).',
  });
  api.openAPIRegistry.register('Error', ApiErrorSchema);
  api.doc31(OPENAPI_PATH, (c) => ({
    openapi: '3.1.0',
    info: { title: 'Mamori integration API', version: '1.0.0', description: DESCRIPTION },
    servers: [{ url: new URL((c.get('deps') as { config: { PUBLIC_URL: string } }).config.PUBLIC_URL).origin }],
    tags: [
      { name: 'cards', description: 'Cards and their cardholders' },
      { name: 'cardholders', description: 'Cardholders' },
    ],
  }));
}
