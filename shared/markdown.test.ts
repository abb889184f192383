import { describe, expect, it } from 'vitest';
import { mentionedHandles, renderMarkdown } from './markdown.ts';

const hostile = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '<a href="javascript:alert(1)">x</a>',
  '<div onmouseover="alert(1)">hover</div>',
  '<iframe src="https://example.org"></iframe>',
  '<svg><script>alert(1)</script></svg>',
  '![x](javascript:alert(1))',
  '<<script>script>alert(1)<</script>/script>',
  '[a](  javascript:alert(1)  )',
  '<style>body{display:none}</style>',
];

describe('renderMarkdown', () => {
  it.each(hostile)('renders %j with no executable content', (source) => {
    const html = renderMarkdown(source);
    // Escaped text may mention anything; no real tag may be dangerous or carry a handler.
    expect(html).not.toMatch(/<(script|iframe|svg|style|object|embed)\b/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+\s*=/i);
    expect(html).not.toMatch(/(href|src)="\s*(javascript|vbscript|data):/i);
  });

  it('renders ordinary markdown: emphasis, lists, links with safe rel', () => {
    const html = renderMarkdown('Hello *world*\n\n- one\n- two\n\n[site](https://example.org)');
    expect(html).toContain('<em>world</em>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<a href="https://example.org" rel="noopener noreferrer nofollow ugc">site</a>');
  });

  it('renders images as links, never as <img>, when asked to (for email)', () => {
    const html = renderMarkdown('Look: ![pixel](https://tracker.example/p.gif?u=1) and ![](https://tracker.example/q.gif)', { imagesAsLinks: true });
    expect(html).not.toMatch(/<img\b/i);
    expect(html).toContain('<a href="https://tracker.example/p.gif?u=1" rel="noopener noreferrer nofollow ugc">pixel</a>');
    expect(html).toContain('<a href="https://tracker.example/q.gif" rel="noopener noreferrer nofollow ugc">https://tracker.example/q.gif</a>');
  });

  it('keeps inline images in the browser rendering', () => {
    expect(renderMarkdown('![chart](/api/attachments/abc)')).toContain('<img src="/api/attachments/abc" alt="chart">');
  });

  it('shows raw HTML as text', () => {
    expect(renderMarkdown('<b>bold</b>')).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });
});

describe('mentions', () => {
  it('links @handle of a member and leaves anyone else as plain text', () => {
    const html = renderMarkdown('Thanks @ada-lovelace and @nobody! mail me@example.org', { mentions: { 'ada-lovelace': '/u/123' } });
    expect(html).toContain('<a href="/u/123" class="mention" rel="noopener noreferrer nofollow ugc">@ada-lovelace</a>');
    expect(html).toContain('@nobody!');
    expect(html).not.toContain('href="/u/nobody"');
    expect(html).toContain('me@example.org');
  });

  it('finds the handles mentioned in a text, once each', () => {
    expect(mentionedHandles('@ada hi @grace-h and @ada again, not a@b.org')).toEqual(['ada', 'grace-h']);
  });

  it('leaves mentions inside code alone', () => {
    expect(renderMarkdown('`@ada`', { mentions: { ada: '/u/1' } })).toBe('<p><code>@ada</code></p>\n');
  });
});
