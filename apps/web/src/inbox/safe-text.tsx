import { Fragment } from 'react';

/**
 * Message text as React text nodes, with http(s) links made clickable. Nothing is ever parsed as
 * HTML; a `javascript:` or `data:` "link" stays plain text.
 */
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** The URL when it is a well-formed http(s) address, else null. */
export function safeHttpUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export function LinkifiedText({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index ?? 0;
    // Trailing punctuation is usually the sentence's, not the link's.
    const raw = m[0].replace(/[.,;:!?)\]]+$/, '');
    const href = safeHttpUrl(raw);
    if (!href) continue;
    if (start > last) parts.push(text.slice(last, start));
    parts.push(
      <a key={start} href={href} target="_blank" rel="noopener noreferrer">
        {raw}
      </a>,
    );
    last = start + raw.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>{p}</Fragment>
      ))}
    </>
  );
}
