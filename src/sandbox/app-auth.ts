import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { compactVerify } from 'jose';

/** How GitHub words its 401s for App JWTs (auth-app matches some of them to correct clock skew). */
export const JWT_ERRORS = {
  undecodable: 'A JSON web token could not be decoded',
  issuer: "'Issuer' claim ('iss') must be an Integer",
  issuedAt: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
  expired: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  tooFar: "'Expiration time' claim ('exp') is too far in the future",
} as const;

/** GitHub's limit on an App JWT's lifetime. */
const MAX_JWT_LIFETIME_S = 600;
/** Clock skew GitHub tolerates on `iat`. */
const IAT_SKEW_S = 60;
/** Installation tokens live one hour, as on GitHub. */
export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export type JwtCheck = { ok: true } | { ok: false; message: string };

export interface InstallationToken {
  token: string;
  installationId: number;
  /** Repository ids the token may see; `undefined` = every repository of the installation. */
  repositoryIds?: Set<number>;
  expiresAt: number;
}

/** The sandbox app's key pair, JWT checks and installation tokens. */
export class AppAuth {
  private readonly tokens = new Map<string, InstallationToken>();
  private readonly mints = new Map<number, number>();
  private readonly revoked = new Set<number>();

  private constructor(
    readonly appId: number,
    readonly clientId: string,
    /** PEM, PKCS#1 (`BEGIN RSA PRIVATE KEY`) like the file GitHub lets you download. */
    readonly privateKeyPem: string,
    private readonly publicKey: KeyObject,
  ) {}

  static async create(appId: number, clientId: string): Promise<AppAuth> {
    const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    return new AppAuth(appId, clientId, pem, publicKey);
  }

  /** Checks an App JWT the way GitHub does: RS256 by our key, `iss` = app id or client id, ≤ 10 min. */
  async verifyJwt(jwt: string, nowMs = Date.now()): Promise<JwtCheck> {
    let claims: Record<string, unknown>;
    try {
      const { payload, protectedHeader } = await compactVerify(jwt, this.publicKey, { algorithms: ['RS256'] });
      if (protectedHeader.alg !== 'RS256') return { ok: false, message: JWT_ERRORS.undecodable };
      claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    } catch {
      return { ok: false, message: JWT_ERRORS.undecodable };
    }
    const iss = claims.iss;
    const issIsId = (typeof iss === 'number' && Number.isInteger(iss)) || (typeof iss === 'string' && /^\d+$/.test(iss));
    if (!issIsId && iss !== this.clientId) return { ok: false, message: JWT_ERRORS.issuer };
    if (iss !== this.clientId && Number(iss) !== this.appId) return { ok: false, message: JWT_ERRORS.undecodable };
    const now = Math.floor(nowMs / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + IAT_SKEW_S) {
      return { ok: false, message: JWT_ERRORS.issuedAt };
    }
    if (typeof exp !== 'number' || exp <= now) return { ok: false, message: JWT_ERRORS.expired };
    if (exp > now + MAX_JWT_LIFETIME_S || exp - iat > MAX_JWT_LIFETIME_S) return { ok: false, message: JWT_ERRORS.tooFar };
    return { ok: true };
  }

  /** Issues a `ghs_` token for an installation and counts the mint. */
  mintToken(installationId: number, repositoryIds: Set<number> | undefined, nowMs = Date.now()): InstallationToken {
    const token: InstallationToken = {
      token: `ghs_${randomAlnum(36)}`,
      installationId,
      ...(repositoryIds ? { repositoryIds } : {}),
      expiresAt: nowMs + TOKEN_LIFETIME_MS,
    };
    this.tokens.set(token.token, token);
    this.mints.set(installationId, (this.mints.get(installationId) ?? 0) + 1);
    return token;
  }

  /** The live token behind a credential, or `undefined` (unknown, expired or installation removed). */
  resolveToken(credential: string, nowMs = Date.now()): InstallationToken | undefined {
    const token = this.tokens.get(credential);
    if (!token || token.expiresAt <= nowMs || this.revoked.has(token.installationId)) return undefined;
    return token;
  }

  tokenMints(installationId?: number): number {
    if (installationId !== undefined) return this.mints.get(installationId) ?? 0;
    let total = 0;
    for (const count of this.mints.values()) total += count;
    return total;
  }

  revoke(installationId: number): void {
    this.revoked.add(installationId);
  }

  isRevoked(installationId: number): boolean {
    return this.revoked.has(installationId);
  }
}

/** True when a credential has the three dot-separated parts of a JWT. */
export function looksLikeJwt(credential: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential);
}

function randomAlnum(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}
