/**
 * The ONNX Runtime module as an injected dependency. onnxruntime-web and onnxruntime-node share the
 * InferenceSession/Tensor API (both re-export onnxruntime-common), so lib/ never imports either package
 * at runtime: Node tests and the CLI pass onnxruntime-node (see ./node-ort), the browser worker passes
 * onnxruntime-web (see ./web-ort). Only types are imported here, and they are erased at build time.
 */
import type * as OrtWeb from 'onnxruntime-web';

export type OrtModule = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor' | 'env'>;
export type OrtSession = OrtWeb.InferenceSession;
export type OrtTensor = OrtWeb.Tensor;
export type OrtSessionOptions = OrtWeb.InferenceSession.SessionOptions;
export type OrtTensorType = OrtWeb.Tensor.Type;

/** Where the code runs; decides which execution providers are worth trying. */
export type RuntimeHost = 'browser' | 'node';

/** Execution providers this app uses, in the names ORT expects. */
export type ExecutionProvider = 'webgpu' | 'wasm' | 'cpu';
