/**
 * Who may do what: access tokens, each with a role (viewer < dp < pilot) and
 * a name for the audit log. Tokens live in `<configDir>/access.json`
 * (default `.cinepilot/` in the working directory, git-ignored):
 *
 *   { "tokens": [ { "name": "local pilot", "role": "pilot", "token": "…" } ] }
 *
 * On first start, when the file has no pilot token, one is generated and
 * written (mode 0600) so the printed URL logs the pilot in.
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CinePilotError } from '../../core/errors.ts';
import { ROLES, type Role } from '../protocol/commands.ts';
import { GroundStationError } from '../protocol/errors.ts';

export const ACCESS_FILE_NAME = 'access.json';
/** Tokens shorter than this are refused in config: they could be guessed. */
export const MIN_TOKEN_LENGTH = 16;
const GENERATED_TOKEN_BYTES = 24;

const TokenEntrySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    token: Type.String({ minLength: MIN_TOKEN_LENGTH, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export const AccessFileSchema = Type.Object({ tokens: Type.Array(TokenEntrySchema) }, { additionalProperties: false });
export type TokenEntry = Static<typeof TokenEntrySchema>;
export type AccessFile = Static<typeof AccessFileSchema>;
const accessFileCheck = TypeCompiler.Compile(AccessFileSchema);

/** An authenticated client. */
export interface Principal {
  role: Role;
  /** the token's name, for the audit log */
  name: string;
}

export function generateToken(): string {
  return randomBytes(GENERATED_TOKEN_BYTES).toString('base64url');
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Looks tokens up in constant time per entry (digests compared with timingSafeEqual). */
export class AccessControl {
  private readonly entries: Array<{ digest: Buffer; principal: Principal }>;

  constructor(tokens: TokenEntry[]) {
    this.entries = tokens.map((t) => ({ digest: digest(t.token), principal: { role: t.role, name: t.name } }));
  }

  /** The principal for a token, or a catalogued AUTH_MISSING / AUTH_INVALID error. */
  authenticate(token: string | undefined | null): Principal {
    if (!token) throw new GroundStationError('AUTH_MISSING', 'no access token: open the URL printed by `cinepilot start` (it ends in ?token=…)');
    const d = digest(token);
    let found: Principal | null = null;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest)) found = e.principal;
    if (!found) throw new GroundStationError('AUTH_INVALID', 'access token not recognised: ask the pilot for a current URL');
    return found;
  }
}

export interface LoadedAccess {
  file: string;
  tokens: TokenEntry[];
  /** the pilot token generated on this start, if one was */
  generatedPilotToken: string | null;
}

/**
 * Read `<configDir>/access.json`, creating it (with a fresh pilot token) when
 * it is missing or has no pilot. A malformed file is an error that names the
 * problem — it is never silently replaced.
 */
export function loadOrCreateAccess(configDir: string): LoadedAccess {
  const file = join(configDir, ACCESS_FILE_NAME);
  let doc: AccessFile = { tokens: [] };
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CinePilotError('ACCESS_FILE_INVALID', `${file}: not valid JSON (${(err as Error).message}); fix it or delete it to get a new pilot token.`);
    }
    if (!accessFileCheck.Check(parsed)) {
      const problems = [...accessFileCheck.Errors(parsed)].slice(0, 5).map((e) => `  ${e.path || '/'}: ${e.message}`).join('\n');
      throw new CinePilotError('ACCESS_FILE_INVALID', `${file}: not a valid access file:\n${problems}\nExpected {"tokens":[{"name","role":"viewer|dp|pilot","token" (≥ ${MIN_TOKEN_LENGTH} chars)}]}.`);
    }
    doc = parsed;
  }
  let generatedPilotToken: string | null = null;
  if (!doc.tokens.some((t) => t.role === 'pilot')) {
    generatedPilotToken = generateToken();
    doc = { tokens: [...doc.tokens, { name: 'local pilot', role: 'pilot', token: generatedPilotToken }] };
    mkdirSync(configDir, { recursive: true });
    writeFileSync(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { file, tokens: doc.tokens, generatedPilotToken };
}

/** The first token with exactly this role (for printing the start URL). */
export function tokenFor(tokens: TokenEntry[], role: Role): string | null {
  return tokens.find((t) => t.role === role)?.token ?? null;
}
