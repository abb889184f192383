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

export function renderMarkdown(source: string): string {
  return md.render(source ?? '');
}
