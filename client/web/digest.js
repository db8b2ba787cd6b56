// What a submission or sign-off signs, computed in the page (common/digest.h): BLAKE2b-256
// over "jixiao-content-v1" NUL, u64 workspace, u64 revision, the 32-byte chain head, and
// each part as u64 big-endian length + its bytes. The parts are the exact bytes the
// server stores (Workflow.Content): the page decodes those same bytes to show what is
// signed, and never re-encodes protobuf itself.
import { blake2b } from './vendor/noble-hashes/blake2.js';
import { concat, cstr } from './keys.js';

function u64(n) {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, Math.floor(n / 4294967296));
  dv.setUint32(4, n >>> 0);
  return b;
}

export function contentParts(content) {
  const parts = [content.header, ...content.nodes];
  if (content.budget !== undefined) parts.push(content.budget);
  parts.push(...content.findings);
  return parts;
}

export function contentDigest(content) {
  const h = blake2b.create({ dkLen: 32 });
  h.update(cstr('jixiao-content-v1'));
  h.update(u64(content.workspace));
  h.update(u64(content.revision));
  h.update(content.head);
  for (const p of contentParts(content)) {
    h.update(u64(p.length));
    h.update(p);
  }
  return h.digest();
}

// The statement signed: ("jixiao-sign-v1", kind, digest), each text with its NUL.
export function statement(kind, digest) {
  return concat(cstr('jixiao-sign-v1'), cstr(kind), digest);
}

// The signed content decoded for display: the workspace header, its indicators (by
// id), budget and findings — from the very bytes hashed.
export function decodeContent(wire, content) {
  return {
    header: wire.decode('Workspace', content.header),
    nodes: content.nodes.map((b) => wire.decode('Node', b)),
    budget: content.budget !== undefined ? wire.decode('Budget', content.budget) : null,
    findings: content.findings.map((b) => wire.decode('Finding', b)),
  };
}
