// Who holds a followed file: follow-file sees bytes appear, not who wrote them, so it names
// the other possible writers rather than guess; and how the followed fd was opened.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { parseFdinfo, parseStat } from '../discovery/proc-parse';

/** A process holding the file, with its name. */
export interface FileHolder {
  pid: number;
  comm: string;
}

/**
 * The processes other than `self` with an fd open for writing on the file (dev, ino) whose
 * link text is `link`. Only fds whose link reads the same are stat'ed, so a scan costs a
 * readlink per fd; processes this user may not look into are skipped.
 */
export function otherWriters(self: number, link: string, dev: number, ino: number): FileHolder[] {
  const found: FileHolder[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === self) continue;
    if (holdsForWriting(pid, link, dev, ino)) found.push({ pid, comm: commOf(pid) });
  }
  return found;
}

/**
 * The notice naming the other writers of a followed file not named before (they are added to
 * `known`), or null when there are none new.
 */
export function otherWritersNotice(
  self: number,
  link: string,
  file: { dev: number; ino: number },
  known: Set<number>,
): string | null {
  const others = otherWriters(self, link, file.dev, file.ino).filter((o) => !known.has(o.pid));
  if (others.length === 0) return null;
  for (const o of others) known.add(o.pid);
  const names = others.map((o) => `pid ${o.pid} (${o.comm})`).join(', ');
  return (
    `${names} also ${others.length === 1 ? 'has' : 'have'} this file open for writing; ` +
    `follow-file sees bytes appear, not who wrote them, so every read is shown as pid ${self}'s`
  );
}

/** Whether fd N of a process was opened with O_APPEND; null when fdinfo cannot be read. */
export function fdAppends(pid: number, fd: number): boolean | null {
  try {
    return parseFdinfo(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.append ?? null;
  } catch {
    return null;
  }
}

function holdsForWriting(pid: number, link: string, dev: number, ino: number): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to read
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== link) continue;
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      if (st.dev !== dev || st.ino !== ino) continue;
      const info = parseFdinfo(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (info && info.access !== 'read') return true;
    } catch {
      // closed while we looked
    }
  }
  return false;
}

function commOf(pid: number): string {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.comm ?? '?';
  } catch {
    return '?';
  }
}
