import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every relative link of README.md and docs/ names a file of this repository, and every `#anchor` a heading of
// the page it points into, slugged as GitHub slugs headings (so a moved or renamed section breaks this test).
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The page's lines outside fenced code blocks, where headings and links mean something. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** A heading's text as GitHub renders it: code spans keep their text, links their label, emphasis markers go. */
function headingText(raw: string): string {
  return raw
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*{1,3}|_{1,3})(\S(?:.*?\S)?)\1/g, '$2');
}

/** GitHub's anchor for a heading (github-slugger): lowercase, punctuation dropped, each space a hyphen. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map<string, Set<string>>();

/** The anchors of a page: one per heading, repeats numbered `-1`, `-2`… as GitHub numbers them. */
function anchorsOf(file: string): Set<string> {
  const cached = anchorCache.get(file);
  if (cached) return cached;
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(headingText(heading));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/** Link targets of a page: inline links and images, and reference definitions; code spans are not links. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    const text = line.replace(/`[^`]*`/g, '');
    for (const [, target = ''] of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(target);
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text)?.[1];
    if (definition !== undefined) targets.push(definition);
  }
  return targets;
}

/** Why a relative link of `file` does not resolve, or undefined when it does. */
function brokenLink(file: string, target: string): string | undefined {
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
  const destination = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
  if (!destination.startsWith(ROOT)) return 'points outside the repository';
  if (!existsSync(destination)) return 'no such file';
  if (anchor === undefined || anchor === '') return undefined;
  if (!destination.endsWith('.md')) return `an anchor into a file that is not markdown`;
  if (!anchorsOf(destination).has(decodeURIComponent(anchor).toLowerCase())) return `no heading with anchor #${anchor}`;
  return undefined;
}

const pages = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];

describe('links in README.md and docs/', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug(headingText('Declarative config (`CONFIG_FILE`)'))).toBe('declarative-config-config_file');
    expect(slug(headingText("GitHub's request budget"))).toBe('githubs-request-budget');
    expect(slug(headingText('How to add…'))).toBe('how-to-add');
    expect(slug(headingText('`base_url`: with or without `/api`'))).toBe('base_url-with-or-without-api');
    expect(slug(headingText('Results: one full run (2026-12-02)'))).toBe('results-one-full-run-2026-12-02');
  });

  it('finds links outside code, and none inside it', () => {
    const page = ['See [a](a.md#x) and ![b](b.png).', '`[not](c.md)`', '```', '[not](d.md)', '```', '[e]: e.md'].join('\n');
    expect(linkTargets(page)).toEqual(['a.md#x', 'b.png', 'e.md']);
  });

  it.each(pages.map((page) => [relative(ROOT, page), page]))('%s: every relative link and anchor resolves', (_name, page) => {
    const broken = linkTargets(readFileSync(page, 'utf8'))
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ target, problem: brokenLink(page, target) }))
      .filter((link) => link.problem !== undefined);
    expect(broken).toEqual([]);
  });
});
