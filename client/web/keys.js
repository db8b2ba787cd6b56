// The user's Ed25519 key in the browser (WebCrypto): made here, non-extractable, and
// kept in IndexedDB, or imported from the secret key file jx keygen wrote. The private
// key never leaves the browser; an admin registers the public key line it shows
// (jx user add NAME 'jixiao-ed25519 …'). The statements signed are those of
// common/key.h (login) and common/digest.h (submit, sign-off).

const DB = 'jixiao', STORE = 'keys', SLOT = 'default';
const enc = new TextEncoder();

function b64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// "text" and its NUL, as the C side writes a context string.
export function cstr(text) {
  return concat(enc.encode(text), new Uint8Array([0]));
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function fingerprint(pk) {
  const { blake2b } = await import('./vendor/noble-hashes/blake2.js');
  return hex(blake2b(pk, { dkLen: 32 }).subarray(0, 8));
}

function db() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function put(value) {
  const d = await db();
  await new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(value, SLOT);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  d.close();
}

export async function loadKey() {
  const d = await db();
  const v = await new Promise((resolve, reject) => {
    const r = d.transaction(STORE).objectStore(STORE).get(SLOT);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  d.close();
  return v || null;
}

export async function forgetKey() {
  const d = await db();
  await new Promise((resolve) => {
    const tx = d.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(SLOT);
    tx.oncomplete = resolve;
  });
  d.close();
}

export function supported() {
  return window.isSecureContext && crypto.subtle !== undefined;
}

// A new key pair; the private half cannot be exported, even by this page.
export async function createKey(name) {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const pk = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const key = { privateKey: pair.privateKey, publicKey: pk, name };
  await put(key);
  return key;
}

// The key file jx keygen wrote: "jixiao-ed25519-secret BASE64" of seed ‖ public key.
export async function importKeyFile(text, name) {
  const m = /^jixiao-ed25519-secret ([A-Za-z0-9+/=]+)\s*$/.exec(text.trim());
  if (!m) throw new Error('not-a-key');
  const sk = unb64(m[1]);
  if (sk.length !== 64) throw new Error('not-a-key');
  // PKCS#8 of an Ed25519 private key (RFC 8410) is this prefix and the 32-byte seed.
  const pkcs8 = concat(new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03,
    0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]), sk.subarray(0, 32));
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false,
    ['sign']);
  sk.fill(0, 0, 32);
  pkcs8.fill(0);
  const pk = sk.slice(32);
  // The seed and the public half must agree, or every signature would be refused.
  const probe = enc.encode('jixiao-key-check');
  const sig = await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, probe);
  if (!(await verify(pk, new Uint8Array(sig), probe))) throw new Error('damaged-key');
  const key = { privateKey, publicKey: pk, name };
  await put(key);
  return key;
}

export function publicLine(key) {
  return `jixiao-ed25519 ${b64(key.publicKey)} ${key.name || 'web'}`;
}

export async function sign(key, message) {
  return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, message));
}

export async function verify(pk, sig, message) {
  const k = await crypto.subtle.importKey('raw', pk, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, k, sig, message);
}

// Challenge-response (common/key.h): the server proves its key over ("jixiao-challenge-v1",
// nonce); the user answers over ("jixiao-login-v1", server key, nonce).
export async function login(rpc, key, pinned) {
  const ch = await rpc.call('jixiao.Auth', 'Challenge', {});
  if (ch.server_key.length !== 32 || ch.nonce.length !== 32 ||
      !(await verify(ch.server_key, ch.server_signature,
        concat(cstr('jixiao-challenge-v1'), ch.nonce)))) {
    throw new Error('server-unproven');
  }
  if (pinned && hex(pinned) !== hex(ch.server_key)) throw new Error('server-changed');
  const sig = await sign(key, concat(cstr('jixiao-login-v1'), ch.server_key, ch.nonce));
  const r = await rpc.call('jixiao.Auth', 'Login', { public_key: key.publicKey, signature: sig });
  return { user: r.user, admin: !!r.admin, serverKey: ch.server_key };
}
