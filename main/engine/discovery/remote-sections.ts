// Pure parsers of the discovery script's sections (remote-script.ts): each turns the text one
// tool printed (cat, grep -H, ls -l, stat -c, head | od) into maps keyed by pid.
import { parseStat, type ProcStat } from './proc-parse';
import { SECTIONS, type SectionName } from './remote-script';

/** The script's output cut at its marker lines; a section the script never reached is absent. */
export function splitSections(text: string, nonce: string): Map<SectionName, string> {
  const marker = `@@${nonce} `;
  const sections = new Map<SectionName, string>();
  let name: SectionName | null = null;
  let body: string[] = [];
  for (const line of text.split('\n')) {
    const found = line.startsWith(marker) ? line.slice(marker.length) : null;
    if (found !== null && (SECTIONS as readonly string[]).includes(found)) {
      if (name) sections.set(name, body.join('\n'));
      name = found as SectionName;
      body = [];
    } else if (name) {
      body.push(line);
    }
  }
  if (name) sections.set(name, body.join('\n'));
  return sections;
}

/** `cat /proc/[0-9]*\/stat`: one line per process, though a comm may hold a newline. */
export function parseStats(text: string): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  let pending = '';
  for (const line of text.split('\n')) {
    pending = pending ? `${pending}\n${line}` : line;
    if (!/^\d+ \(/.test(pending)) {
      pending = '';
      continue;
    }
    const stat = parseStat(pending);
    // A comm with a newline leaves the line without its ')' and fields: wait for the rest.
    if (!stat) continue;
    stats.set(stat.pid, stat);
    pending = '';
  }
  return stats;
}

/** `grep -H PATTERN /proc/[0-9]*\/FILE`: the matched lines of each pid's file, joined. */
export function parseGrepByPid(text: string, file: RegExp): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  for (const line of text.split('\n')) {
    const match = /^\/proc\/(\d+)\/([^:]+):(.*)$/.exec(line);
    if (!match) continue;
    const sub = file.exec(match[2]);
    if (!sub) continue;
    const pid = Number(match[1]);
    const key = sub[1] ?? '';
    const files = out.get(pid) ?? new Map<string, string>();
    files.set(key, (files.has(key) ? files.get(key) + '\n' : '') + match[3]);
    out.set(pid, files);
  }
  return out;
}

/** `ls -l /proc/[0-9]*\/exe`: pid → the executable's path. */
export function parseExeLinks(text: string): Map<number, string> {
  const exes = new Map<number, string>();
  for (const line of text.split('\n')) {
    const match = / \/proc\/(\d+)\/exe -> (.*)$/.exec(line);
    if (match) exes.set(Number(match[1]), match[2]);
  }
  return exes;
}

/** One fd as `ls -l` showed it: its link (null when unreadable) and its open mode. */
export interface ListedFd {
  link: string | null;
  /** The link's mode bits mirror the open mode: lr-x is read-only, l-wx write-only. */
  read: boolean;
  write: boolean;
}

// "lr-x------ 1 root root 64 Dec  4 15:17 0 -> pipe:[41205]", GNU and busybox alike; the name
// is the fd number, the link text runs to the end of the line.
const FD_ENTRY = /^l([r-])([w-])\S*\s.*? (\d+)(?: -> (.*))?$/;
const FD_HEADER = /^\/proc\/(\d+)\/fd:$/;

/** `ls -l /proc/[0-9]*\/fd`: pid → fd → link; a pid is present only when its fds were listed. */
export function parseFdListing(text: string): Map<number, Map<number, ListedFd>> {
  const out = new Map<number, Map<number, ListedFd>>();
  let current: Map<number, ListedFd> | null = null;
  let last: ListedFd | null = null;
  for (const line of text.split('\n')) {
    const header = FD_HEADER.exec(line);
    if (header) {
      current = new Map();
      out.set(Number(header[1]), current);
      last = null;
      continue;
    }
    if (!current || line === '' || /^total \d+$/.test(line)) continue;
    const entry = FD_ENTRY.exec(line);
    if (entry) {
      last = { link: entry[4] ?? null, read: entry[1] === 'r', write: entry[2] === 'w' };
      current.set(Number(entry[3]), last);
    } else if (last && last.link !== null) {
      // A link target holding a newline goes on over the next line.
      last.link += `\n${line}`;
    }
  }
  return out;
}

/** What `stat -L -c '%n %d %i %s %f'` says of an fd's target. */
export interface TargetStat {
  dev: number;
  ino: number;
  size: number;
  /** st_mode, from the hex %f. */
  mode: number;
}

/** The stats section: "pid/fd" → the target's stat. */
export function parseTargetStats(text: string): Map<string, TargetStat> {
  const out = new Map<string, TargetStat>();
  for (const line of text.split('\n')) {
    const match = /^\/proc\/(\d+)\/fd\/(\d+) (\d+) (\d+) (\d+) ([0-9a-f]+)$/.exec(line);
    if (!match) continue;
    out.set(`${match[1]}/${match[2]}`, {
      dev: Number(match[3]),
      ino: Number(match[4]),
      size: Number(match[5]),
      mode: parseInt(match[6], 16),
    });
  }
  return out;
}

/** The readable section: the "pid/fd" pairs this user may open. */
export function parseReadable(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^\/proc\/(\d+)\/fd\/(\d+)$/.exec(line);
    if (match) out.add(`${match[1]}/${match[2]}`);
  }
  return out;
}

/** Hex pairs as od -An -tx1 prints them, back to bytes. */
export function decodeOdHex(text: string): Buffer {
  return Buffer.from(text.replace(/[^0-9a-f]/gi, ''), 'hex');
}

/**
 * `head -c N /proc/[0-9]*\/cmdline` (decoded): pid → cmdline bytes. head puts a header before
 * each file and a newline between files; the files come in glob order (pids sorted as strings).
 * A header is taken only at a line start and for a pid not before the last one taken, and a
 * later header for the same pid wins: a command line that prints a header can only cut itself
 * short, never replace another process's.
 */
export function splitCmdlines(bytes: Buffer): Map<number, Buffer> {
  const text = bytes.toString('latin1');
  const headers: { pid: number; start: number; end: number }[] = [];
  const pattern = /==> \/proc\/(\d+)\/cmdline <==\n/g;
  let last = '';
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const atLineStart = m.index === 0 || text[m.index - 1] === '\n';
    if (!atLineStart || m[1] < last) continue;
    last = m[1];
    headers.push({ pid: Number(m[1]), start: m.index, end: m.index + m[0].length });
  }
  const out = new Map<number, Buffer>();
  headers.forEach((h, i) => {
    // The newline head prints between files belongs to neither.
    const next = headers[i + 1];
    const stop = next ? next.start - (text[next.start - 1] === '\n' ? 1 : 0) : bytes.length;
    out.set(h.pid, bytes.subarray(h.end, Math.max(h.end, stop)));
  });
  return out;
}
