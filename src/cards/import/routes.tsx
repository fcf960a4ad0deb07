/**
 * /admin/card-data: an issuer's card file imports and its export, in the console. Staff upload a
 * CSV (UTF-8 or Shift_JIS, or a dry run of it), follow its progress on a page htmx polls, read the
 * rejected rows and download the error report; and export cards and registrations as CSV (masked
 * card numbers; fresh TOTP; audited). How the import runs on each runtime is runner.ts's business.
 *
 * Reading the imports needs 'cards.import' or 'cards.export' (an auditor reads them too); an
 * upload needs 'cards.import'. An import of another issuer answers exactly like a missing one.
 */
import { desc, eq } from 'drizzle-orm';
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import {
  CardDataPage,
  ImportPage,
  ImportStatus,
  type ExportFormState,
  type ImportLine,
  type ImportStatusView,
  type UploadFormState,
} from '../../../views/admin/card-data.tsx';
import type { Bi } from '../../../views/i18n.ts';
import { appendAudit } from '../../admin/audit-log.ts';
import { principal, type AdminContext, type AdminEnv } from '../../admin/http.ts';
import { issuerName, pageBase, signedIn, timeZoneOf } from '../../admin/page.ts';
import { needs, refuse } from '../../admin/refuse.tsx';
import { can, inScope } from '../../admin/roles.ts';
import { checkStepUp } from '../../admin/sign-in.ts';
import { cardImports } from '../../db/schema.ts';
import { validated } from '../../http/validate.ts';
import { issuerById, listIssuers, type Issuer } from '../../issuers/issuer-store.ts';
import { exportCardsCsvText } from './export.ts';
import { createImport, errorReportCsv, importErrors, importProgress } from './job.ts';
import { advanceImport, executionContextOf, startImport } from './runner.ts';

/** Imports listed on the overview; rejected rows shown on an import's page (the CSV has them all). */
const LISTED = 50;
const REJECTIONS_SHOWN = 50;
/** A file name as the browser sent it, kept short (it is only shown back). */
const FILE_NAME_MAX = 200;

const UploadForm = z.object({
  file: z.instanceof(File, { error: 'file' }).refine((f) => f.size > 0, { error: 'empty' }),
  encoding: z.enum(['auto', 'utf-8', 'shift_jis']).default('auto'),
  dryRun: z.literal('on').optional(),
  issuerId: z.coerce.number().int().positive().optional(),
});
const ExportForm = z.object({
  code: z.string().max(20).default(''),
  issuerId: z.coerce.number().int().positive().optional(),
});

const MESSAGES = {
  noFile: { ja: 'CSVファイルを選んでください。', en: 'Choose a CSV file.' },
  encoding: { ja: '文字コードを選び直してください。', en: 'Choose an encoding.' },
  issuer: { ja: 'カード会社を選んでください。', en: 'Choose an issuer.' },
  code: { ja: 'コードが正しくありません。', en: 'That code is not right.' },
} satisfies Record<string, Bi>;

/** The overview and an import's pages: anyone who may import or export. */
const readsCardData: MiddlewareHandler<AdminEnv> = async (c, next) => {
  const who = principal(c.get('me'));
  if (!can(who, 'cards.import') && !can(who, 'cards.export')) return refuse(c, 'forbidden');
  await next();
};

export function cardDataRoutes(): Hono<AdminEnv> {
  const routes = new Hono<AdminEnv>();

  routes.get('/admin/card-data', readsCardData, (c) => overview(c));

  routes.post(
    '/admin/card-data/imports',
    needs('cards.import'),
    validated('form', UploadForm, (c, error, input) => {
      const fields = new Set(error.issues.map((i) => String(i.path[0] ?? 'file')));
      const errors: UploadFormState['errors'] = {};
      if (fields.has('file')) errors.file = MESSAGES.noFile;
      if (fields.has('encoding')) errors.encoding = MESSAGES.encoding;
      if (fields.has('issuerId')) errors.issuerId = MESSAGES.issuer;
      return overview(c as unknown as AdminContext, { upload: { ...typedUpload(input), errors } }, 400);
    }),
    async (c) => {
      const deps = c.get('deps');
      const me = c.get('me');
      const form = c.req.valid('form');
      const typed = { encoding: form.encoding, dryRun: form.dryRun === 'on', issuerId: form.issuerId };
      const issuer = await chosenIssuer(c, form.issuerId);
      if (!issuer) return overview(c, { upload: { ...typed, errors: { issuerId: MESSAGES.issuer } } }, 400);
      const fileName = form.file.name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, FILE_NAME_MAX) || 'cards.csv';
      const { importId } = await createImport(deps, {
        issuerId: issuer.id,
        actorName: me.username,
        staffId: me.id,
        fileName,
        bytes: new Uint8Array(await form.file.arrayBuffer()),
        encoding: form.encoding,
        dryRun: typed.dryRun,
      });
      // The upload itself, with its request (job.ts audits the job's outcome as 'cards.import' when it ends).
      await appendAudit(deps.db, {
        at: deps.clock.now(),
        actor: { type: 'staff', id: me.id, name: me.username },
        issuerId: issuer.id,
        action: 'cards.import_upload',
        target: `card_import:${importId}`,
        detail: { fileName, bytes: form.file.size, encoding: form.encoding, dryRun: typed.dryRun },
        requestId: c.get('requestId'),
      });
      // A file refused as a whole (not decodable, a bad header) has its row, failed, and its audit
      // entry (job.ts); the person sees why beside the file field, on the form again.
      const created = (await importProgress(deps.db, importId))!;
      if (created.state === 'failed' && created.error) {
        return overview(c, { upload: { ...typed, errors: { file: { ja: created.error.messageJa, en: created.error.messageEn } } } }, 400);
      }
      startImport(deps, importId, executionContextOf(c));
      return c.redirect(`/admin/card-data/imports/${importId}`, 303);
    },
  );

  routes.get('/admin/card-data/imports/:id{[0-9]+}', readsCardData, async (c) => {
    const row = await visibleImport(c);
    if (!row) return refuse(c, 'not_found');
    await advanceImport(c.get('deps'), row, executionContextOf(c));
    const { me, issuer } = await signedIn(c);
    const status = await statusOf(c, row.id);
    const of = c.get('me').role === 'platform_admin' ? await issuerById(c.get('deps').db, row.issuerId) : undefined;
    return c.html(<ImportPage {...pageBase(c)} me={me} timeZone={timeZoneOf(issuer)} line={lineOf(row, of)} status={status} />);
  });

  // The polled part of an import's page; the answer that shows it ended also tells the live region.
  routes.get('/admin/card-data/imports/:id{[0-9]+}/progress', readsCardData, async (c) => {
    const row = await visibleImport(c);
    if (!row) return refuse(c, 'not_found');
    await advanceImport(c.get('deps'), row, executionContextOf(c));
    const status = await statusOf(c, row.id);
    return c.html(<ImportStatus lang={c.get('lang')} status={status} announce={status.state === 'done' || status.state === 'failed'} />);
  });

  routes.get('/admin/card-data/imports/:id{[0-9]+}/errors.csv', readsCardData, async (c) => {
    const row = await visibleImport(c);
    if (!row) return refuse(c, 'not_found');
    return c.body(await errorReportCsv(c.get('deps').db, row.id), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="mamori-import-${row.id}-errors.csv"`,
    });
  });

  routes.post(
    '/admin/card-data/export',
    needs('cards.export'),
    validated('form', ExportForm, (c) => overview(c as unknown as AdminContext, { exportForm: { errors: { issuerId: MESSAGES.issuer } } }, 400)),
    async (c) => {
      const deps = c.get('deps');
      const me = c.get('me');
      const form = c.req.valid('form');
      const issuer = await chosenIssuer(c, form.issuerId);
      if (!issuer) return overview(c, { exportForm: { errors: { issuerId: MESSAGES.issuer } } }, 400);
      if (!(await checkStepUp(deps, me, form.code))) return overview(c, { exportForm: { issuerId: issuer.id, errors: { code: MESSAGES.code } } }, 400);
      const exported = await exportCardsCsvText(deps, issuer.id);
      await appendAudit(deps.db, {
        at: deps.clock.now(),
        actor: { type: 'staff', id: me.id, name: me.username },
        issuerId: issuer.id,
        action: 'cards.export',
        target: `issuer:${issuer.code}`,
        detail: { rows: exported.rows },
        requestId: c.get('requestId'),
      });
      const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
      return c.body(exported.csv, 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="mamori-cards-${issuer.code}-${day}.csv"`,
      });
    },
  );

  return routes;
}

type ImportRow = typeof cardImports.$inferSelect;

async function overview(c: AdminContext, forms: { upload?: UploadFormState; exportForm?: ExportFormState } = {}, status: 200 | 400 = 200): Promise<Response> {
  const db = c.get('deps').db;
  const who = principal(c.get('me'));
  const { me, issuer } = await signedIn(c);
  const platform = who.role === 'platform_admin';
  const all = platform ? await listIssuers(db) : [];
  const names = new Map(all.map((i) => [i.id, i]));
  // A platform administrator sees every issuer's imports; everyone else their issuer's.
  const rows = await db
    .select()
    .from(cardImports)
    .where(platform ? undefined : eq(cardImports.issuerId, who.issuerId ?? -1))
    .orderBy(desc(cardImports.createdAt), desc(cardImports.id))
    .limit(LISTED);
  return c.html(
    <CardDataPage
      {...pageBase(c)}
      me={me}
      timeZone={timeZoneOf(issuer)}
      canImport={can(who, 'cards.import')}
      canExport={can(who, 'cards.export')}
      issuers={platform ? all.map((i) => ({ id: i.id, name: issuerName(i) })) : undefined}
      imports={rows.map((r) => lineOf(r, names.get(r.issuerId)))}
      upload={forms.upload}
      exportForm={forms.exportForm}
    />,
    status,
  );
}

/** The import named in the URL, if this person may see it (else: as if there were none). */
async function visibleImport(c: AdminContext): Promise<ImportRow | undefined> {
  const row = await c.get('deps').db.select().from(cardImports).where(eq(cardImports.id, Number(c.req.param('id')))).get();
  return row && inScope(principal(c.get('me')), row.issuerId) ? row : undefined;
}

/** Whose data: one's own issuer, or the one a platform administrator chose. */
async function chosenIssuer(c: AdminContext, chosen: number | undefined): Promise<Issuer | undefined> {
  const me = c.get('me');
  const id = me.role === 'platform_admin' ? chosen : me.issuerId;
  const issuer = id ? await issuerById(c.get('deps').db, id) : undefined;
  return issuer && inScope(principal(me), issuer.id) ? issuer : undefined;
}

async function statusOf(c: AdminContext, importId: number): Promise<ImportStatusView> {
  const db = c.get('deps').db;
  const p = (await importProgress(db, importId, c.get('deps').clock.now()))!;
  const rejections = p.rejected > 0 && (p.state === 'done' || p.state === 'failed') ? await importErrors(db, importId, { limit: REJECTIONS_SHOWN }) : [];
  return {
    id: importId,
    dryRun: p.dryRun,
    state: p.state,
    totalRows: p.totalRows,
    processedRows: p.processedRows,
    inserted: p.inserted,
    updated: p.updated,
    unchanged: p.unchanged,
    rejected: p.rejected,
    percent: p.percent,
    rowsPerSecond: p.rowsPerSecond,
    secondsLeft: p.secondsLeft,
    error: p.error && { ja: p.error.messageJa, en: p.error.messageEn },
    rejections: rejections.map((e) => ({ line: e.line, field: e.field, message: { ja: e.messageJa, en: e.messageEn } })),
  };
}

function lineOf(r: ImportRow, issuer?: Issuer): ImportLine {
  return {
    id: r.id,
    at: r.createdAt,
    actor: r.actorName,
    fileName: r.fileName,
    digest: r.fileDigest,
    dryRun: r.dryRun,
    state: r.state,
    totalRows: r.totalRows,
    inserted: r.inserted,
    updated: r.updated,
    unchanged: r.unchanged,
    rejected: r.rejected,
    issuer: issuer ? issuerName(issuer) : undefined,
  };
}

/** The upload form as it came, to show it again with its errors (never the file). */
function typedUpload(input: Record<string, unknown>): UploadFormState {
  const encoding = typeof input.encoding === 'string' && ['auto', 'utf-8', 'shift_jis'].includes(input.encoding) ? input.encoding : 'auto';
  const issuerId = Number(input.issuerId);
  return { encoding, dryRun: input.dryRun === 'on', issuerId: Number.isInteger(issuerId) && issuerId > 0 ? issuerId : undefined };
}
