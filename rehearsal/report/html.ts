/**
 * HTML built from tagged templates that escape every interpolated value unless it is already
 * markup made by `html` itself. Everything in a release result (service names, reasons, alarm
 * messages) is text from outside; it can only reach the page through this escaping.
 */

/** Markup produced by `html`; the only kind of value that is inserted without escaping. */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type Interpolation =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly Interpolation[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  // `false`, null and undefined render nothing, so `cond && html\`…\`` reads naturally.
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let markup = strings[0]!;
  for (let index = 0; index < values.length; index++) {
    markup += render(values[index]!) + strings[index + 1]!;
  }
  return new SafeHtml(markup);
}

/** Trusted markup written in this module's own source (styles, the script): never input. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A coordinate for an SVG attribute: short, and never NaN or exponent notation. */
export function coordinate(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return String(Math.round(value * 10) / 10);
}
