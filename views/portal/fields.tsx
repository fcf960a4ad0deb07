/**
 * The portal's form parts: a labelled input with its hint and its error tied to it
 * (aria-describedby, aria-invalid), the error summary above a form, and the hidden session token.
 * Every portal page builds its forms from these, so every field behaves the same.
 */
import type { Bi, Lang } from '../i18n.ts';

export interface FieldProps {
  lang: Lang;
  name: string;
  label: Bi;
  type?: 'text' | 'password' | 'email' | 'tel' | 'date';
  value?: string;
  hint?: Bi;
  /** The problem with what was entered, beside the field. */
  error?: Bi;
  autocomplete?: string;
  inputmode?: 'numeric' | 'tel' | 'email' | 'text';
  maxlength?: number;
  autofocus?: boolean;
  required?: boolean;
}

export function Field(p: FieldProps) {
  const hintId = p.hint ? `${p.name}-hint` : '';
  const errorId = p.error ? `${p.name}-error` : '';
  return (
    <div class="field">
      <label for={p.name}>{p.label[p.lang]}</label>
      {p.hint && (
        <p id={hintId} class="muted small">
          {p.hint[p.lang]}
        </p>
      )}
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.type === 'password' ? undefined : p.value}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        maxlength={p.maxlength}
        required={p.required ?? true}
        autofocus={p.autofocus || !!p.error}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
      />
      {p.error && (
        <p id={errorId} class="field-error">
          {p.error[p.lang]}
        </p>
      )}
    </div>
  );
}

/** "Please check what you entered" above a form with errors (the live region says the same). */
export function ErrorSummary({ lang, errors }: { lang: Lang; errors: (Bi | undefined)[] }) {
  const list = errors.filter((e): e is Bi => !!e);
  if (list.length === 0) return null;
  return (
    <div class="alert" id="error-summary">
      <p>{FIX[lang]}</p>
    </div>
  );
}

const FIX: Bi = { ja: '入力内容をご確認ください。', en: 'Please check what you entered.' };

/** The live region's text for a page whose form has errors: the summary and each field's problem. */
export function announceErrors(lang: Lang, errors: (Bi | undefined)[]): string {
  const list = errors.filter((e): e is Bi => !!e);
  return list.length ? [FIX[lang], ...list.map((e) => e[lang])].join(' ') : '';
}

/** The session's form token (hono/csrf checks the Origin; this binds the form to the session). */
export function CsrfField({ token }: { token?: string }) {
  return <input type="hidden" name="_csrf" value={token ?? ''} />;
}
