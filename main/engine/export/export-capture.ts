// Writes a capture to a file: the exact bytes of one stream, text with a
// timestamp at each line, JSON Lines of every write, or a CSV of the timeline.
import { copyFileSync, existsSync, renameSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ExportRequest, ExportResult } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import type { CaptureReader } from '../store/capture-reader';
import { FILES } from '../store/records';
import { BufferedFile } from './buffered-file';
import { isoMicros } from './time-format';

const LINE_BATCH = 512;
const WRITE_BATCH = 8192;
/** Long lines are copied in pieces of this size, so a 10 MB line costs no 10 MB buffer. */
const PIECE = 1024 * 1024;

const STREAM = (fd: number) => (fd === 1 ? 'stdout' : fd === 2 ? 'stderr' : `fd${fd}`);

/** Exports a capture; the file appears whole or not at all. */
export function exportCapture(reader: CaptureReader, req: ExportRequest): ExportResult {
  checkPath(req.path, req.overwrite === true);
  const missing = req.fds.filter((fd) => !reader.streamFds.includes(fd));
  if (missing.length) {
    throw unable(
      req,
      `fd ${missing.join(', ')} is not part of this capture`,
      `choose fd ${reader.streamFds.join(' or ')}`,
    );
  }
  if (req.format === 'raw') {
    try {
      return exportRaw(reader, req);
    } catch (error) {
      if (error instanceof FdscopeError) throw error;
      throw new FdscopeError('io', `unable to export raw bytes to ${req.path}`, {
        reason: error instanceof Error ? error.message : String(error),
        cause: error,
      });
    }
  }
  const out = new BufferedFile(req.path);
  try {
    if (req.format === 'text') writeText(reader, req.fds, out);
    else writeWrites(reader, req.fds, out, req.format);
    return { path: req.path, bytes: out.commit() };
  } catch (error) {
    out.abort();
    throw unable(req, error instanceof Error ? error.message : String(error));
  }
}

function exportRaw(reader: CaptureReader, req: ExportRequest): ExportResult {
  if (req.fds.length !== 1) {
    throw unable(req, 'raw bytes are exported one stream at a time', 'choose fd 1 or fd 2');
  }
  const source = join(reader.dir, FILES.stream(req.fds[0]));
  const temp = `${req.path}.fdscope-part`;
  // The stream file is the exact bytes in order: the export is a copy of it.
  if (existsSync(source)) copyFileSync(source, temp);
  else new BufferedFile(req.path).commit();
  if (existsSync(temp)) renameSync(temp, req.path);
  return { path: req.path, bytes: statSync(req.path).size };
}

function writeText(reader: CaptureReader, fds: readonly number[], out: BufferedFile): void {
  const total = reader.lineCount();
  for (let at = 0; at < total; at += LINE_BATCH) {
    for (const line of reader.lineRecords(at, LINE_BATCH)) {
      if (!fds.includes(line.fd)) continue;
      out.write(`${isoMicros(line.t)} ${STREAM(line.fd)} `);
      for (let done = 0; done < line.length; done += PIECE) {
        out.write(reader.bytes(line.fd, line.offset + done, Math.min(PIECE, line.length - done)));
      }
      if (!line.complete) out.write('\n');
    }
  }
}

function writeWrites(
  reader: CaptureReader,
  fds: readonly number[],
  out: BufferedFile,
  format: 'jsonl' | 'csv',
): void {
  if (format === 'csv') out.write('time,t_us,pid,fd,stream,bytes,captured\n');
  const total = reader.writeCount();
  for (let at = 0; at < total; at += WRITE_BATCH) {
    for (const w of reader.writes(at, WRITE_BATCH)) {
      if (!fds.includes(w.fd)) continue;
      const common = {
        time: isoMicros(w.t),
        t_us: w.t,
        pid: w.pid,
        fd: w.fd,
        stream: STREAM(w.fd),
      };
      if (format === 'csv') {
        out.write(
          `${common.time},${w.t},${w.pid},${w.fd},${common.stream},${w.full},${w.length}\n`,
        );
        continue;
      }
      const bytes = Buffer.from(reader.bytes(w.fd, w.offset, w.length));
      const text = decodeStrict(bytes);
      const data = text === null ? { base64: bytes.toString('base64') } : { text };
      out.write(JSON.stringify({ ...common, bytes: w.full, captured: w.length, ...data }) + '\n');
    }
  }
}

const strict = new TextDecoder('utf-8', { fatal: true });

function decodeStrict(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

function checkPath(path: string, overwrite: boolean): void {
  if (!isAbsolute(path)) {
    throw new FdscopeError('bad-request', 'unable to export', {
      reason: `"${path}" is not an absolute path`,
      help: 'give the full path of the file to write',
    });
  }
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new FdscopeError('io', 'unable to export', {
      reason: `the folder ${folder} does not exist`,
      help: 'choose an existing folder',
    });
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new FdscopeError('io', 'unable to export', {
      reason: `${path} is a folder`,
      help: 'give a file name',
    });
  }
  // An export never replaces a file the user did not choose to replace.
  if (!overwrite && existsSync(path)) {
    throw new FdscopeError('file-exists', 'unable to export', {
      reason: `${path} already exists`,
      help: 'choose another name, or replace it',
    });
  }
}

function unable(req: ExportRequest, reason: string, help?: string): FdscopeError {
  return new FdscopeError('bad-request', `unable to export ${req.format} to ${req.path}`, {
    reason,
    help,
  });
}
