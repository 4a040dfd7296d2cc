/**
 * A tiny ONNX model writer for tests: builds ModelProto bytes with protobufjs from an inline subset of
 * onnx.proto3 (field numbers as in onnx/onnx.proto3, IR version 8, opset 17).
 *
 * Usage:
 *   const g = new OnnxGraphBuilder('my-model');
 *   const x = g.input('x', 'float32', ['batch', 3]);
 *   const w = g.constFloat('w', [3, 2], new Float32Array([...]));
 *   const y = g.node('MatMul', [x, w]);
 *   g.output(y, 'y', 'float32', ['batch', 2]);
 *   const bytes = g.toBytes();
 *
 * Other engineers may reuse it for their own stand-in models.
 */
import protobuf from 'protobufjs';

export type OnnxDtype = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64' | 'bool';
export type Dim = number | string;

/** onnx.TensorProto.DataType */
export const ONNX_DTYPE: Record<OnnxDtype, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
};

export const IR_VERSION = 8;
export const OPSET = 17;

const schema = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: {
            dimValue: { type: 'int64', id: 1 },
            dimParam: { type: 'string', id: 2 },
          },
        },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        TensorTypeProto: {
          fields: {
            elemType: { type: 'int32', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 },
          },
        },
        TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
const ModelProto = root.lookupType('onnx.ModelProto');

/** onnx.AttributeProto.AttributeType */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** Integers -> INT, other numbers -> FLOAT, integer arrays -> INTS, strings -> STRING; use `{ float: 1 }`,
 * `{ floats: [...] }`, `{ ints: [...] }` to force a type when the value alone is ambiguous. */
export type AttrValue =
  | number
  | string
  | number[]
  | { ints: number[] }
  | { floats: number[] }
  | { float: number };

interface TensorMsg {
  dims: number[];
  dataType: number;
  name: string;
  rawData: Uint8Array;
}

function tensorBytes(dtype: OnnxDtype, data: ArrayLike<number> | ArrayLike<bigint>): Uint8Array {
  switch (dtype) {
    case 'float32':
      return new Uint8Array(Float32Array.from(data as ArrayLike<number>).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(data as ArrayLike<number>).buffer);
    case 'int64': {
      const arr = new BigInt64Array(data.length);
      for (let i = 0; i < data.length; i++) arr[i] = BigInt(data[i] as number | bigint);
      return new Uint8Array(arr.buffer);
    }
    case 'uint8':
    case 'bool':
      return Uint8Array.from(data as ArrayLike<number>);
    case 'int8':
      return new Uint8Array(Int8Array.from(data as ArrayLike<number>).buffer);
  }
}

function encodeAttr(name: string, v: AttrValue): Record<string, unknown> {
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: ATTR.INT, i: v } : { name, type: ATTR.FLOAT, f: v };
  }
  if (Array.isArray(v)) {
    return v.every(Number.isInteger) ? { name, type: ATTR.INTS, ints: v } : { name, type: ATTR.FLOATS, floats: v };
  }
  if ('ints' in v) return { name, type: ATTR.INTS, ints: v.ints };
  if ('floats' in v) return { name, type: ATTR.FLOATS, floats: v.floats };
  return { name, type: ATTR.FLOAT, f: v.float };
}

export class OnnxGraphBuilder {
  private nodes: Record<string, unknown>[] = [];
  private inits: TensorMsg[] = [];
  private inputs: Record<string, unknown>[] = [];
  private outputs: Record<string, unknown>[] = [];
  private counter = 0;

  constructor(
    readonly name: string,
    private readonly doc = '',
  ) {}

  private valueInfo(name: string, dtype: OnnxDtype, shape: readonly Dim[]): Record<string, unknown> {
    return {
      name,
      type: {
        tensorType: {
          elemType: ONNX_DTYPE[dtype],
          shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    };
  }

  fresh(prefix = 't'): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, dtype: OnnxDtype, shape: readonly Dim[]): string {
    this.inputs.push(this.valueInfo(name, dtype, shape));
    return name;
  }

  /** Declare `value` as a graph output named `name` (an Identity node renames it if needed). */
  output(value: string, name: string, dtype: OnnxDtype, shape: readonly Dim[]): string {
    if (value !== name) this.node('Identity', [value], {}, name);
    this.outputs.push(this.valueInfo(name, dtype, shape));
    return name;
  }

  constant(dtype: OnnxDtype, dims: readonly number[], data: ArrayLike<number> | ArrayLike<bigint>, name?: string): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new Error(`constant ${name ?? ''}: ${data.length} values for dims [${dims}]`);
    const n = name ?? this.fresh('c');
    this.inits.push({ dims: [...dims], dataType: ONNX_DTYPE[dtype], name: n, rawData: tensorBytes(dtype, data) });
    return n;
  }

  constFloat(dims: readonly number[], data: ArrayLike<number>, name?: string): string {
    return this.constant('float32', dims, data, name);
  }

  constInt64(dims: readonly number[], data: ArrayLike<number>, name?: string): string {
    return this.constant('int64', dims, data, name);
  }

  /** Add a node; returns its (first) output name. */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({
      input: inputs,
      output: [out],
      name: this.fresh(`n_${op}`),
      opType: op,
      attribute: Object.entries(attrs).map(([k, v]) => encodeAttr(k, v)),
    });
    return out;
  }

  toBytes(): Uint8Array {
    const msg = ModelProto.fromObject({
      irVersion: IR_VERSION,
      producerName: 'segsplat-xr tests/models/onnx-builder',
      producerVersion: '1',
      modelVersion: 1,
      docString: this.doc,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        docString: this.doc,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return ModelProto.encode(msg).finish();
  }
}
