/**
 * The EMV 3DS protocol versions this ACS answers. 2.1.0 was sunset by the brands
 * in September 2024, so an AReq carrying it gets Erro 102 like any unknown version.
 */
export const SUPPORTED_VERSIONS = ['2.2.0', '2.3.1'] as const;

export type MessageVersion = (typeof SUPPORTED_VERSIONS)[number];

/** The version an Erro falls back to when the incoming messageVersion is unusable. */
export const FALLBACK_VERSION: MessageVersion = '2.2.0';

export function isSupportedVersion(value: unknown): value is MessageVersion {
  return typeof value === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(value);
}
