/**
 * EMV 3DS protocol: message schemas per version, code lists, Erro building, and the
 * parsers and builders the ACS uses. Pure functions; no I/O.
 */
export * from './versions.ts';
export * from './brands.ts';
export * from './codes.ts';
export * from './iso.ts';
export { findDuplicateKeys } from './json.ts';
export * from './base64url.ts';
export * from './errors.ts';
export * from './erro.ts';
export { isMissing, isUuid, type MessageExtension } from './formats.ts';
export * from './areq.ts';
export * from './ares.ts';
export * from './creq.ts';
export * from './cres.ts';
export * from './rreq.ts';
export * from './rres.ts';
export * from './method.ts';
