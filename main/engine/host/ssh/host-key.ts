// Host key blobs: their type and their SHA256 fingerprint, written as `ssh-keygen -lf` does.
import { createHash } from 'node:crypto';

/** `SHA256:` and the unpadded base64 of the key blob's SHA-256, as OpenSSH prints it. */
export function fingerprint(blob: Buffer): string {
  const digest = createHash('sha256').update(blob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** The key type named at the start of a key blob (its first SSH string), e.g. ssh-ed25519. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length > blob.length - 4 || length > 64) return 'unknown';
  return blob.subarray(4, 4 + length).toString('latin1');
}
