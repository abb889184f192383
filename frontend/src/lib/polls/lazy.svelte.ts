import type { Component } from 'svelte';

/**
 * A component fetched the first time a page needs it, so the parts most visitors never see (the
 * anonymous-ballot receipt screens) stay out of the page's first load. Not an `{#await}` block:
 * that would add Svelte's await runtime to the chunk every page shares.
 */
export function lazy<C extends Component<any>>(load: () => Promise<{ default: C }>) {
  let component = $state<C | null>(null);
  let failed = $state(false);
  let started = false;
  return {
    get component() {
      return component;
    },
    /** The import failed (offline, or a new release replaced the file): the page says to reload. */
    get failed() {
      return failed;
    },
    load() {
      if (started) return;
      started = true;
      failed = false;
      load().then(
        (module) => (component = module.default),
        () => {
          failed = true;
          started = false;
        },
      );
    },
  };
}
