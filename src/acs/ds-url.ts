/**
 * Where an RReq goes: the AReq's dsURL when it is on the scheme's allow-list, otherwise the
 * scheme's configured DS URL. The sandbox's own DS receiver is allowed while the sandbox is on.
 */
import type { Config } from '../config.ts';
import { BRANDS, type Brand } from '../protocol/brands.ts';

type DsConfig = Pick<Config, 'SANDBOX' | 'PUBLIC_URL'> & Pick<Config, (typeof BRANDS)[Brand]['settings']['dsUrl' | 'dsAllowList']>;

export function resolveDsUrl(config: DsConfig, brand: Brand, dsURLFromAReq: string | null | undefined): string | undefined {
  const allow = allowListFor(config, brand);
  if (dsURLFromAReq && allow.some((prefix) => isUnder(dsURLFromAReq, prefix))) return dsURLFromAReq;
  return configuredDsUrl(config, brand);
}

/**
 * Same origin and a path under the prefix's path. A plain string prefix would let
 * `https://ds.example.evil` pass for `https://ds.example`, or port 12345 for port 1234.
 */
function isUnder(dsURL: string, prefix: string): boolean {
  try {
    const url = new URL(dsURL);
    const allowed = new URL(prefix);
    if (url.origin !== allowed.origin || url.username || url.password) return false;
    const base = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
    return url.pathname === allowed.pathname || url.pathname.startsWith(base);
  } catch {
    return false;
  }
}

function allowListFor(config: DsConfig, brand: Brand): string[] {
  const list = config[BRANDS[brand].settings.dsAllowList];
  return config.SANDBOX ? [...list, `${config.PUBLIC_URL}/sandbox/ds/`] : list;
}

function configuredDsUrl(config: DsConfig, brand: Brand): string | undefined {
  return config[BRANDS[brand].settings.dsUrl];
}
