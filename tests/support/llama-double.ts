export {
  startLlamaDouble,
  type LlamaDouble,
  type LlamaRoute,
  type ReceivedRequest,
  type StartOptions,
} from '../../tools/llama-double/llama-double.js';
export {
  DEFAULT_OPTIONS,
  DEFAULT_ROUTER,
  type ErrorStyle,
  type FailureMode,
  type LlamaDoubleOptions,
  type LlamaMode,
  type PropsStyle,
  type RouterModelOption,
  type RouterOptions,
  type ServerBuild,
  type ServerKind,
  type UsageStyle,
} from '../../tools/llama-double/options.js';
export {
  loggedChat,
  SAMPLING_FIELDS,
  type LoggedChat,
  type SamplingField,
} from '../../tools/llama-double/logged-chat.js';
export { type LoggedEmbedding, type LoggedRerank } from '../../tools/llama-double/logged-embedding.js';
export {
  parseRecording,
  modernRecording,
  modernRequest,
  MODERN_RECORDINGS_DIR,
  recording,
  recordingsAvailable,
  replay,
  RECORDINGS_DIR,
  type Recording,
} from '../../tools/llama-double/recordings.js';
