// Evidence files (佐证材料), as jx moves them: the file's BLAKE2b-256 first, then chunks of
// 1 MiB at multiples of it (Files.PutChunk), then Files.AddEvidence links the whole to an
// indicator; downloads come back chunk by chunk and are checked against the hash.
import { blake2b } from './vendor/noble-hashes/blake2.js';
import { hex } from './keys.js';

const CHUNK = 1 << 20;

async function slice(file, off) {
  return new Uint8Array(await file.slice(off, Math.min(off + CHUNK, file.size)).arrayBuffer());
}

// progress(fraction) is called as the file is hashed (first half) and sent (second).
export async function upload(rpc, ws, nodeId, file, progress, reason) {
  const h = blake2b.create({ dkLen: 32 });
  for (let off = 0; off < file.size; off += CHUNK) {
    h.update(await slice(file, off));
    progress((off + CHUNK) / file.size / 2);
  }
  const hash = h.digest();
  for (let off = 0; off < file.size; off += CHUNK) {
    await rpc.call('jixiao.Files', 'PutChunk', { hash, offset: off, data: await slice(file, off) });
    progress(0.5 + Math.min(1, (off + CHUNK) / file.size) / 2);
  }
  return rpc.call('jixiao.Files', 'AddEvidence',
    { workspace: ws, node: { id: nodeId }, name: file.name, hash, size: file.size }, reason);
}

// The file's bytes, checked against its hash; a Blob for the browser to save.
export async function download(rpc, ws, ev, progress) {
  const parts = [];
  const h = blake2b.create({ dkLen: 32 });
  for (let off = 0; off < ev.size; off += CHUNK) {
    const r = await rpc.call('jixiao.Files', 'GetChunk', { hash: ev.hash, offset: off, workspace: ws });
    if (!r.data || r.data.length === 0) throw new Error('short');
    parts.push(r.data);
    h.update(r.data);
    progress(Math.min(1, (off + CHUNK) / ev.size));
  }
  if (hex(h.digest()) !== hex(ev.hash)) throw new Error('hash');
  return new Blob(parts);
}

export function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
