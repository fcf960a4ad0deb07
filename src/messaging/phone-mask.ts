/**
 * The one way a phone number is shown or logged: what the cardholder recognises and no more.
 * +819011110001 → 090-****-0001; other numbers keep only their last 4 digits (****0001).
 */
export function maskPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  const jp = /^\+81(\d{1,2})(\d+)(\d{4})$/.exec(e164);
  if (jp) return `0${jp[1]}-****-${jp[3]}`;
  return `****${e164.slice(-4)}`;
}
