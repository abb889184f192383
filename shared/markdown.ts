import MarkdownIt from 'markdown-it';

/**
 * The one markdown renderer, for the browser, the API and email. Raw HTML is off, so anything
 * that looks like a tag is shown as text; markdown-it's link check refuses javascript:, vbscript:,
 * file: and non-image data: URLs. Links open with rel="noopener noreferrer nofollow ugc".
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow ugc');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

const MENTION = /(^|[^\w@])@([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)/g;

/** Finds `@handle` mentions in a text (not their meaning: the caller decides which are members). */
export function mentionedHandles(source: string): string[] {
  return [...new Set([...source.matchAll(MENTION)].map((m) => m[2]!))];
}

// `@handle` of a known member becomes a link; anyone else stays plain text. Text inside links
// and code is left alone.
md.core.ruler.push('mentions', (state) => {
  const mentions = (state.env as RenderOptions | undefined)?.mentions;
  if (!mentions || !Object.keys(mentions).length) return;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children = [];
    let linkDepth = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') linkDepth++;
      if (token.type === 'link_close') linkDepth--;
      if (token.type !== 'text' || linkDepth > 0) {
        children.push(token);
        continue;
      }
      let last = 0;
      for (const match of token.content.matchAll(MENTION)) {
        const handle = match[2]!;
        const href = mentions[handle];
        if (!href) continue;
        const at = match.index! + match[1]!.length;
        if (at > last) children.push(Object.assign(new state.Token('text', '', 0), { content: token.content.slice(last, at) }));
        const open = new state.Token('link_open', 'a', 1);
        open.attrs = [['href', href], ['class', 'mention']];
        children.push(open, Object.assign(new state.Token('text', '', 0), { content: `@${handle}` }), new state.Token('link_close', 'a', -1));
        last = at + handle.length + 1;
      }
      if (last === 0) children.push(token);
      else if (last < token.content.length) children.push(Object.assign(new state.Token('text', '', 0), { content: token.content.slice(last) }));
    }
    block.children = children;
  }
});

// In email an image would be fetched by the mail client when the message opens (a tracking
// pixel), so there an image becomes a link to it, named by its alt text.
const defaultImage = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  if (!(env as RenderOptions | undefined)?.imagesAsLinks) return defaultImage(tokens, idx, options, env, self);
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const label = self.renderInlineAsText(token.children ?? [], options, env) || src;
  return `<a href="${md.utils.escapeHtml(src)}" rel="noopener noreferrer nofollow ugc">${md.utils.escapeHtml(label)}</a>`;
};

export interface RenderOptions {
  /** Handles of members that may be mentioned, and where each links to. */
  mentions?: Record<string, string>;
  /** Email: images are shown as links to them and never loaded. */
  imagesAsLinks?: boolean;
}

export function renderMarkdown(source: string, options: RenderOptions = {}): string {
  return md.render(source ?? '', { ...options });
}
