/**
 * Which paths are files of the built web app; every other path is an app route and gets the SPA
 * shell. Extensions decide, not a dot: app routes carry ids with dots (`/d/<group>.<thread>`).
 * The local server and the CloudFront function both use this list.
 */
export const assetExtensions = ['js', 'mjs', 'css', 'map', 'svg', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'ico', 'txt', 'json', 'webmanifest', 'woff', 'woff2', 'html'];

export function isAssetPath(path: string): boolean {
  const last = path.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot > 0 && assetExtensions.includes(last.slice(dot + 1).toLowerCase());
}
