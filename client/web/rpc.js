// The RPC over nng's WebSocket transport: each SP message is one binary WebSocket
// message, a 4-byte big-endian request id with the top bit set, then the envelope of
// proto/jixiao.proto (Request out, Reply back). Replies are matched by that id, so
// several calls may be in flight at once.

export const Code = {
  OK: 0, INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, INTERNAL: 13,
  UNAVAILABLE: 14, UNAUTHENTICATED: 16,
};

const CALL_TIMEOUT_MS = 30000;

export class RpcError extends Error {
  constructor(code, message, output) {
    super(message || `error ${code}`);
    this.code = code;
    this.output = output;
  }
}

function wsUrl(path) {
  const u = new URL(path, location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

export class Rpc {
  constructor(wire) {
    this.wire = wire;
    this.next = (crypto.getRandomValues(new Uint32Array(1))[0] & 0x3fffffff) + 1;
    this.pending = new Map();
    this.ws = null;
    this.onclose = null;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl('/rpc'), ['rep.sp.nanomsg.org']);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        this.ws = ws;
        resolve();
      };
      ws.onerror = () => reject(new Error('connect'));
      ws.onmessage = (e) => this.received(new Uint8Array(e.data));
      ws.onclose = () => {
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new RpcError(Code.UNAVAILABLE, 'closed'));
        }
        this.pending.clear();
        if (this.ws === ws && this.onclose) this.onclose();
        this.ws = null;
      };
    });
  }

  close() {
    if (this.ws) this.ws.close();
  }

  received(buf) {
    if (buf.length < 4) return;
    const id = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0) & 0x7fffffff;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    let reply;
    try {
      reply = this.wire.decode('Reply', buf.subarray(4));
    } catch (e) {
      p.reject(new RpcError(Code.INTERNAL, 'bad reply'));
      return;
    }
    let output;
    if (reply.payload !== undefined) {
      try {
        output = this.wire.decode(p.output, reply.payload);
      } catch (e) {
        p.reject(new RpcError(Code.INTERNAL, 'bad reply'));
        return;
      }
    }
    if (reply.code !== Code.OK) p.reject(new RpcError(reply.code, reply.message, output));
    else p.resolve(output || {});
  }

  // Calls service.method (e.g. 'jixiao.Tree', 'GetTree') with input (a plain object);
  // resolves with the output, rejects with an RpcError. reason goes in the envelope.
  call(service, method, input, reason) {
    if (!this.ws) return Promise.reject(new RpcError(Code.UNAVAILABLE, 'closed'));
    const m = this.wire.method(service, method);
    const req = {
      protocol: 1,
      service,
      method: m.index,
      payload: this.wire.encode(m.input, input || {}),
    };
    // A call that writes carries a fresh id: resent, it is answered, not applied twice.
    if (m.writes) req.request_id = crypto.getRandomValues(new Uint8Array(16));
    if (reason) req.reason = reason;
    const env = this.wire.encode('Request', req);
    const id = this.next;
    this.next = this.next >= 0x7fffffff ? 1 : this.next + 1;
    const frame = new Uint8Array(4 + env.length);
    new DataView(frame.buffer).setUint32(0, (id | 0x80000000) >>> 0);
    frame.set(env, 4);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError(Code.UNAVAILABLE, 'timeout'));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, output: m.output, timer });
      this.ws.send(frame);
    });
  }
}

// The change feed (ws://…/feed, nng PUB): calls onNotice(workspaceId) for each notice.
// A notice says only that a workspace moved on; what changed is fetched by an
// authenticated call. The first 8 bytes are the workspace id (big-endian, the topic);
// a FeedNotice, when the .proto has one, is read from what follows or from the whole.
export class Feed {
  constructor(wire, onNotice) {
    this.wire = wire;
    this.onNotice = onNotice;
    this.ws = null;
    this.stopped = false;
    this.hasNotice = (() => {
      try {
        wire.type('FeedNotice');
        return true;
      } catch (e) {
        return false;
      }
    })();
  }

  start() {
    const ws = new WebSocket(wsUrl('/feed'), ['pub.sp.nanomsg.org']);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e) => this.received(new Uint8Array(e.data));
    ws.onclose = () => {
      if (!this.stopped) setTimeout(() => this.start(), 1000);
    };
    this.ws = ws;
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close();
  }

  received(buf) {
    const ids = new Set();
    if (buf.length >= 8) {
      const dv = new DataView(buf.buffer, buf.byteOffset, 8);
      ids.add(dv.getUint32(0) * 4294967296 + dv.getUint32(4));
    }
    if (this.hasNotice) {
      for (const part of [buf, buf.subarray(8)]) {
        try {
          const n = this.wire.decode('FeedNotice', part);
          if (n.workspace) ids.add(n.workspace);
        } catch (e) { /* not a notice at this offset */ }
      }
    }
    for (const id of ids) this.onNotice(id);
  }
}
