import type { Child } from 'hono/jsx';

/** tel: address of a number as printed (0120-000-000 → tel:0120000000): digits and a leading +. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/(?!^\+)[^\d]/g, '')}`;
}

/** A phone number a person can tap to call. */
export function Tel({ phone }: { phone: string }) {
  return (
    <a href={telHref(phone)} class="tel">
      {phone}
    </a>
  );
}

/** A sentence that names the phone number, with each mention of it made a tel: link. */
export function WithTel({ text, phone }: { text: string; phone: string }) {
  const parts = phone ? text.split(phone) : [text];
  const out: Child[] = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(<Tel phone={phone} />);
    if (part) out.push(part);
  });
  return <>{out}</>;
}
