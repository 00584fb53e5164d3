// ~/.ssh/config as OpenSSH reads it: keyword and arguments per line, Host blocks, Include
// (expanded in place under the block it appears in), Match blocks skipped with a note.
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * One keyword line, with the Host pattern lists in force where it was written: it applies to a
 * host matching every list (none: every host). An Include inside a Host block adds a level.
 */
export interface ConfigEntry {
  hostPatterns: string[][];
  keyword: string;
  args: string[];
  file: string;
  line: number;
}

export interface ParsedConfig {
  entries: ConfigEntry[];
  /** Things skipped, to log: Match blocks, unreadable Includes, bad lines. */
  notes: string[];
}

export interface ParseOptions {
  /** Where a relative Include path starts (~/.ssh for the user's file). */
  includeBase?: string;
  readFile?: (path: string) => string;
  listDir?: (path: string) => string[];
}

const MAX_INCLUDE_DEPTH = 16;

/** Reads a config file and the files it Includes. A missing top file is an empty config. */
export function parseConfigFile(path: string, options: ParseOptions = {}): ParsedConfig {
  const result: ParsedConfig = { entries: [], notes: [] };
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = read(path);
  } catch {
    return result;
  }
  parseInto(result, text, path, [], options, 0);
  return result;
}

/** Parses config text (pure when it has no Include). */
export function parseConfigText(text: string, file = 'config', options: ParseOptions = {}) {
  const result: ParsedConfig = { entries: [], notes: [] };
  parseInto(result, text, file, [], options, 0);
  return result;
}

function parseInto(
  out: ParsedConfig,
  text: string,
  file: string,
  outer: string[][],
  options: ParseOptions,
  depth: number,
): void {
  let patterns = outer;
  let inMatch = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const words = splitWords(lines[i]);
    if (words === null) {
      out.notes.push(`${file}:${i + 1}: unbalanced quotes, line ignored`);
      continue;
    }
    if (words.length === 0) continue;
    const keyword = words[0].toLowerCase();
    const args = words.slice(1);
    if (keyword === 'host') {
      // A Host inside an Included file still lives under the block that included it.
      patterns = [...outer, args];
      inMatch = false;
      continue;
    }
    if (keyword === 'match') {
      inMatch = true;
      out.notes.push(`${file}:${i + 1}: Match blocks are not supported; its lines are ignored`);
      continue;
    }
    if (inMatch) continue;
    if (keyword === 'include') {
      include(out, args, file, patterns, options, depth, i + 1);
      continue;
    }
    out.entries.push({ hostPatterns: patterns, keyword, args, file, line: i + 1 });
  }
}

function include(
  out: ParsedConfig,
  args: string[],
  file: string,
  patterns: string[][],
  options: ParseOptions,
  depth: number,
  line: number,
): void {
  if (depth >= MAX_INCLUDE_DEPTH) {
    out.notes.push(`${file}:${line}: Include nested too deeply, ignored`);
    return;
  }
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const base = options.includeBase ?? join(homedir(), '.ssh');
  for (const arg of args) {
    let path = arg.startsWith('~/') ? join(homedir(), arg.slice(2)) : arg;
    if (!isAbsolute(path)) path = join(base, path);
    for (const match of expandGlob(path, options.listDir)) {
      let text: string;
      try {
        text = read(match);
      } catch {
        out.notes.push(`${file}:${line}: cannot read Include ${match}`);
        continue;
      }
      parseInto(out, text, match, patterns, options, depth + 1);
    }
  }
}

/** Expands * and ? in any component of an absolute path, in sorted order, as glob(3) does. */
export function expandGlob(path: string, listDir?: (dir: string) => string[]): string[] {
  const list =
    listDir ??
    ((dir: string) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    });
  const parts = path.split('/').filter(Boolean);
  let found = ['/'];
  for (const part of parts) {
    if (!/[*?[]/.test(part)) {
      found = found.map((dir) => join(dir, part));
      continue;
    }
    const re = globToRegExp(part);
    found = found.flatMap((dir) =>
      list(dir)
        .filter((name) => !name.startsWith('.') && re.test(name))
        .sort()
        .map((name) => join(dir, name)),
    );
  }
  // A component without wildcards is kept whether or not it exists; reading it reports that.
  return found.filter((p) => p !== '/');
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|\\\]]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * Splits a config line into words: `Key value`, `Key=value`, double-quoted arguments, comments
 * from a '#' at a word start. Null when a quote is left open.
 */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  const skipSpace = (): void => {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  };
  skipSpace();
  // The keyword may be followed by '=' with optional spaces around it.
  const keyword = /^[^\s=]+/.exec(line.slice(i));
  if (!keyword) return words;
  if (keyword[0].startsWith('#')) return words;
  words.push(keyword[0]);
  i += keyword[0].length;
  skipSpace();
  if (line[i] === '=') {
    i++;
    skipSpace();
  }
  while (i < n) {
    if (line[i] === '#') break;
    let word = '';
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) return null;
      word = line.slice(i + 1, end);
      i = end + 1;
    } else {
      while (i < n && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    words.push(word);
    skipSpace();
  }
  return words;
}
