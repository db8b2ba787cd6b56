// The wire contract, learnt at run time from the .proto jixiaod serves: protobufjs parses
// it, and this file encodes and decodes by walking the parsed types. protobufjs' own
// encoders are generated code (new Function), which the page's Content-Security-Policy
// forbids; its parser, Reader and Writer are not, and the message definitions stay the
// .proto's, never a copy here.
/* global protobuf */

const VARINT = 0, FIXED64 = 1, BYTES = 2, FIXED32 = 5;

const SCALAR = {
  int32: VARINT, int64: VARINT, uint32: VARINT, uint64: VARINT, sint32: VARINT,
  sint64: VARINT, bool: VARINT, fixed64: FIXED64, sfixed64: FIXED64, double: FIXED64,
  fixed32: FIXED32, sfixed32: FIXED32, float: FIXED32, string: BYTES, bytes: BYTES,
};

export function toNumber(v) {
  if (typeof v === 'number') return v;
  if (v && typeof v.toNumber === 'function') return v.toNumber();
  return Number(v);
}

// A field's message or enum type, looked up once (null for scalars).
function resolved(f) {
  if (f.jxType === undefined) {
    f.jxType = SCALAR[f.type] !== undefined ? null : f.parent.lookupTypeOrEnum(f.type);
  }
  return f.jxType;
}

export class Wire {
  constructor(root, table) {
    this.root = root;
    this.table = table;
  }

  // The .proto (messages, and methods by index) and the server's method table (which
  // calls write, who may make them), both as this jixiaod serves them.
  static async load() {
    const [proto, table] = await Promise.all(['/jixiao.proto', '/methods.json'].map(async (url) => {
      const res = await fetch(url, { cache: 'no-cache' });
      if (!res.ok) throw new Error(`${url}: ${res.status}`);
      return url.endsWith('.json') ? res.json() : res.text();
    }));
    // No resolveAll: it builds constructors with generated code. Names are looked up here.
    const parsed = protobuf.parse(proto, { keepCase: true });
    return new Wire(parsed.root, table);
  }

  type(name) {
    return this.root.lookupType(name.startsWith('jixiao.') ? name : 'jixiao.' + name);
  }

  enumValues(name) {
    return this.root.lookupEnum('jixiao.' + name).values;
  }

  // The method's index in its service (how the envelope names it), with its types.
  method(service, name) {
    const svc = this.root.lookupService(service);
    const i = svc.methodsArray.findIndex((m) => m.name === name);
    if (i < 0) throw new Error(`${service}.${name} is not in the .proto`);
    const m = svc.methodsArray[i];
    const row = (this.table[service] || [])[i];
    if (!row || row.name !== name) throw new Error(`${service}.${name} is not in the method table`);
    return {
      index: i, writes: row.writes, need: row.need,
      input: svc.lookupType(m.requestType), output: svc.lookupType(m.responseType),
    };
  }

  encode(type, obj) {
    if (typeof type === 'string') type = this.type(type);
    const w = protobuf.Writer.create();
    this.write(w, type, obj);
    return w.finish();
  }

  write(w, type, obj) {
    for (const f of type.fieldsArray) {
      const v = obj[f.name];
      if (v === undefined || v === null) continue;
      const values = f.repeated ? v : [v];
      for (const x of values) this.writeOne(w, f, x);
    }
  }

  writeOne(w, f, x) {
    const wt = SCALAR[f.type];
    if (wt === undefined) {
      if (resolved(f) instanceof protobuf.Enum) {
        w.uint32((f.id << 3) | VARINT).int32(x);
      } else {
        w.uint32((f.id << 3) | BYTES).fork();
        this.write(w, resolved(f), x);
        w.ldelim();
      }
      return;
    }
    w.uint32((f.id << 3) | wt)[f.type](x);
  }

  decode(type, bytes) {
    if (typeof type === 'string') type = this.type(type);
    return this.read(protobuf.Reader.create(bytes), type, bytes.length);
  }

  read(r, type, len) {
    const end = r.pos + len, obj = {};
    for (const f of type.fieldsArray) if (f.repeated) obj[f.name] = [];
    while (r.pos < end) {
      const tag = r.uint32(), id = tag >>> 3, wt = tag & 7;
      const f = type.fieldsById[id];
      if (!f) {
        r.skipType(wt);
        continue;
      }
      const scalar = SCALAR[f.type];
      const isEnum = scalar === undefined && resolved(f) instanceof protobuf.Enum;
      if (f.repeated && wt === BYTES && (isEnum || (scalar !== undefined && scalar !== BYTES))) {
        const stop = r.uint32() + r.pos;
        while (r.pos < stop) obj[f.name].push(this.readOne(r, f, isEnum));
        continue;
      }
      const v = this.readOne(r, f, isEnum);
      if (f.repeated) obj[f.name].push(v);
      else obj[f.name] = v;
    }
    return obj;
  }

  readOne(r, f, isEnum) {
    if (isEnum) return r.int32();
    if (SCALAR[f.type] === undefined) return this.read(r, resolved(f), r.uint32());
    const v = r[f.type]();
    return typeof v === 'object' && !(v instanceof Uint8Array) ? toNumber(v) : v;
  }
}
