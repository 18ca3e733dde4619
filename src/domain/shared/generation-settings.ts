import type { JsonObject } from './decider.js';

export type ReasoningEffort = 'low' | 'medium' | 'high';

/**
 * How answers are generated, as a project's defaults or a conversation's overrides: only the fields that are set.
 * The sampling fields carry llama.cpp's names.
 */
export type GenerationSettings = {
  model?: string;
  reasoning_effort?: ReasoningEffort;
  system_prompt?: string;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  max_tokens?: number;
  stop?: string[];
  /** Whether answers draw on the project's documents (retrieval); on unless set to false. */
  knowledge?: boolean;
};

export type SettingName = keyof GenerationSettings;

/** What one chat request may set: every setting but the system prompt. */
export type GenerationOptions = Omit<GenerationSettings, 'system_prompt'>;

/** A change of settings: an absent field stays as it is, null clears it. */
export type SettingsChange = { [K in SettingName]?: GenerationSettings[K] | null };

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The part of `change` that changes `current`: a value it already has, or a clear of a field unset, is left out. */
export function changedSettings(current: GenerationSettings, change: SettingsChange): SettingsChange {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(change)) {
    if (value === undefined) continue;
    const now = current[name as SettingName];
    if (value === null ? now !== undefined : !sameValue(value, now)) changed[name] = value;
  }
  return changed as SettingsChange;
}

/** `current` with `change` applied: its values set, its nulls cleared. */
export function applySettings(current: GenerationSettings, change: SettingsChange): GenerationSettings {
  const next: Record<string, unknown> = { ...current };
  for (const [name, value] of Object.entries(change)) {
    if (value === null) delete next[name];
    else if (value !== undefined) next[name] = value;
  }
  return next as GenerationSettings;
}

/**
 * `{ settings }` when some are set, else nothing: a created or imported event without settings is then the same as
 * one recorded before settings existed.
 */
export const settingsIfAny = (settings: GenerationSettings): { settings?: GenerationSettings } =>
  Object.keys(settings).length > 0 ? { settings } : {};

/** Settings as JSON, for metadata: only the fields set. */
export const settingsJson = (settings: GenerationOptions): JsonObject =>
  Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as JsonObject;
