/**
 * AReqs as a Directory Server sends them: a realistic browser AReq built from options, and the
 * public samples with their PAN moved into a demo range and the DS's own fields added.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The public sample messages (origins in test/fixtures/README.md). */
const SAMPLES = fileURLToPath(new URL('../fixtures/samples', import.meta.url));

export { browserAReq, type AReqOptions } from '../../src/sandbox/areq-builder.ts';

/** A public sample AReq with the PAN in a demo range, as a DS forwards it (dsTransID, dsReferenceNumber, dsURL added). */
export function sampleAReq(file: string, pan: string): Record<string, unknown> {
  const areq = JSON.parse(readFileSync(`${SAMPLES}/${file}`, 'utf8'));
  areq.acctNumber = pan;
  areq.dsTransID ??= crypto.randomUUID();
  areq.dsReferenceNumber ??= 'DS-REF-TEST-0001';
  areq.dsURL ??= 'https://ds.example.test/rreq';
  return areq;
}

export function readSample(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${SAMPLES}/${file}`, 'utf8'));
}

export async function postAReq(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, areq: unknown): Promise<Response> {
  return app.request('/3ds/areq', {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: typeof areq === 'string' ? areq : JSON.stringify(areq),
  });
}
