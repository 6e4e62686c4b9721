/**
 * Optional fallback to an OpenAI-compatible chat-completions endpoint for
 * free text the grammar does not cover. Off unless configured; used only
 * when the grammar did not understand the words (never to overrule a
 * refusal or an ambiguity question), and its answer is used only when it
 * passes the same schema, subject and safety checks as the grammar's.
 */
import { SHOT_KINDS, FRAMINGS, SIDES, ANGLES, DIRECTIONS, type ShotSpec } from '../../core/shot-spec.ts';
import { parseShot, normaliseSubjects } from './parser.ts';
import { checkSpec, fail, type ParseContext, type ParseResult } from './validate.ts';

export interface LlmConfig {
  /** base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1 (POST {url}/chat/completions) */
  url: string;
  model: string;
  apiKey?: string;
  /** give up after this long, ms */
  timeoutMs?: number;
}

export const DEFAULT_LLM_TIMEOUT_MS = 8000;

/** Grammar errors the LLM may try to fix: words not understood. Refusals and questions stay. */
const LLM_RETRY_CODES = new Set(['NOT_UNDERSTOOD', 'NO_SHOT']);

/** CINEPILOT_LLM_URL + CINEPILOT_LLM_MODEL (+ CINEPILOT_LLM_API_KEY, CINEPILOT_LLM_TIMEOUT_MS); undefined when not set. */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LlmConfig | undefined {
  const url = env.CINEPILOT_LLM_URL?.trim();
  const model = env.CINEPILOT_LLM_MODEL?.trim();
  if (!url || !model) return undefined;
  const timeoutMs = Number(env.CINEPILOT_LLM_TIMEOUT_MS);
  return { url, model, ...(env.CINEPILOT_LLM_API_KEY ? { apiKey: env.CINEPILOT_LLM_API_KEY } : {}), ...(Number.isFinite(timeoutMs) && timeoutMs > 0 ? { timeoutMs } : {}) };
}

export function systemPrompt(subjects: readonly string[]): string {
  return [
    'You turn a film director of photography\'s instruction for a camera drone into one JSON object, a ShotSpec. Reply with the JSON only.',
    `Fields: kind (one of ${SHOT_KINDS.join(', ')}); subjects (array of names from: ${subjects.join(', ') || 'none'}; lower-case, in the order spoken);`,
    `optional framing (${FRAMINGS.join(', ')}), side (${SIDES.join(', ')}), angle (${ANGLES.join(', ')}), direction (${DIRECTIONS.join(', ')}),`,
    'distanceM, heightM, durationS, speedMps (numbers, SI units), focalLengthMm (number or {"fromMm","toMm"}), fNumber, depthOfField ("shallow"|"deep"), focusOn, focusFrom.',
    'If the instruction is not a camera shot, reply {"error": "why"}.',
  ].join('\n');
}

/** Ask the endpoint; returns the validated spec or an LLM_FAILED error saying why it was not used. */
export async function parseWithLlm(text: string, context: ParseContext, config: LlmConfig): Promise<ParseResult> {
  const known = normaliseSubjects(context.subjects);
  let content: string;
  try {
    const res = await fetch(`${config.url.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
      body: JSON.stringify({
        model: config.model,
        temperature: 0,
        messages: [{ role: 'system', content: systemPrompt(known) }, { role: 'user', content: text }],
      }),
      signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS),
    });
    if (!res.ok) return fail('LLM_FAILED', `the language model endpoint answered HTTP ${res.status}; the grammar's error stands.`);
    const body = (await res.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
    const c = body.choices?.[0]?.message?.content;
    if (typeof c !== 'string') return fail('LLM_FAILED', 'the language model endpoint did not return choices[0].message.content.');
    content = c;
  } catch (err) {
    return fail('LLM_FAILED', `the language model endpoint at ${config.url} did not answer (${(err as Error).message}).`);
  }
  const json = content.replace(/^\s*```(?:json)?/i, '').replace(/```\s*$/, '').trim();
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return fail('LLM_FAILED', 'the language model did not answer with JSON; nothing was used.');
  }
  if (doc && typeof doc === 'object' && 'error' in doc) {
    return fail('LLM_FAILED', `the language model could not map it either: ${String((doc as { error: unknown }).error)}`);
  }
  const spec = doc as ShotSpec;
  const names = [...(Array.isArray(spec?.subjects) ? spec.subjects : []), spec?.focusOn, spec?.focusFrom].filter((n): n is string => typeof n === 'string');
  const stranger = names.find((n) => !known.includes(n));
  if (stranger !== undefined) {
    return fail('LLM_FAILED', `the language model named "${stranger}", who is not in the scene (known: ${known.join(', ') || 'none'}); nothing was used.`, known);
  }
  const checked = checkSpec(spec, context, ['interpreted by the language model']);
  if (!checked.ok) return fail('LLM_FAILED', `the language model's answer was not used: ${checked.error.message}`, checked.error.allowed);
  return checked;
}

/** The grammar first; the LLM only for words the grammar did not understand. */
export async function parseWithFallback(text: string, context: ParseContext, config: LlmConfig | undefined): Promise<ParseResult> {
  const first = parseShot(text, context);
  if (first.ok || !config || !LLM_RETRY_CODES.has(first.error.code)) return first;
  const second = await parseWithLlm(text, context, config);
  if (second.ok) return second;
  return { ok: false, error: { ...first.error, message: `${first.error.message} (${second.error.message})` } };
}
