export {
  startLlamaDouble,
  type LlamaDouble,
  type LlamaRoute,
  type ReceivedRequest,
  type StartOptions,
} from '../../tools/llama-double/llama-double.js';
export {
  DEFAULT_OPTIONS,
  type ErrorStyle,
  type FailureMode,
  type LlamaDoubleOptions,
  type LlamaMode,
  type PropsStyle,
  type UsageStyle,
} from '../../tools/llama-double/options.js';
export {
  parseRecording,
  recording,
  recordingsAvailable,
  replay,
  RECORDINGS_DIR,
  type Recording,
} from '../../tools/llama-double/recordings.js';
