/**
 * Erro: the error message any 3DS component sends when a message cannot be processed.
 * Table B.12; errorCode is any three digits because receivers must accept codes they
 * do not know (Req 216).
 */
import { z } from 'zod';
import { MESSAGE_TYPES } from './codes.ts';
import { optional, required, text, uuid } from './formats.ts';

export const ERROR_COMPONENTS = {
  C: '3DS SDK',
  S: '3DS Server',
  D: 'Directory Server',
  A: 'ACS',
} as const;
export type ErrorComponent = keyof typeof ERROR_COMPONENTS;

const erroFields = {
  threeDSServerTransID: optional(uuid), // required "if available"
  dsTransID: optional(uuid),
  acsTransID: optional(uuid),
  sdkTransID: optional(uuid),
  errorCode: required(z.string().regex(/^\d{3}$/)),
  errorComponent: required(z.enum(['C', 'S', 'D', 'A'])),
  errorDescription: required(text(2048)),
  errorDetail: required(text(2048)),
  errorMessageType: optional(z.enum(MESSAGE_TYPES)),
  messageType: required(z.literal('Erro')),
};

export const Erro220 = z.object({ ...erroFields, messageVersion: required(z.literal('2.2.0')) });
export const Erro231 = z.object({ ...erroFields, messageVersion: required(z.literal('2.3.1')) });

export const ERRO_SCHEMAS = { '2.2.0': Erro220, '2.3.1': Erro231 } as const;

export type Erro = z.infer<typeof Erro220> | z.infer<typeof Erro231>;
