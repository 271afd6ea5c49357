import * as oidc from 'openid-client';
import { LOOPBACK_HOSTS, type OidcProviderConfig } from '../../../config/config.js';
import { AppError, ErrorCode, notFound } from '../../../shared/errors.js';

/** A provider as configured (`OIDC_PROVIDERS`, `OIDC_<NAME>_*`). */
export type OidcProviderSettings = OidcProviderConfig;

/** Discovery of an unreachable issuer gives up after this long (seconds), so a sign-in click does not hang. */
const DISCOVERY_TIMEOUT_S = 10;

/**
 * The configured OpenID Connect providers. Each one's metadata is discovered at first use and cached;
 * a failed discovery is not cached (the next sign-in tries again) and answers UNAVAILABLE naming the provider.
 */
export class OidcProviders {
  private readonly discovered = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    private readonly settings: readonly OidcProviderSettings[],
    /** Told why a discovery failed (for the operator's log; the client only learns the provider is unreachable). */
    private readonly onDiscoveryError: (providerId: string, err: unknown) => void = () => undefined,
  ) {}

  /** What the web app needs for its "Sign in with …" buttons. */
  list(): { id: string; label: string }[] {
    return this.settings.map((p) => ({ id: p.id, label: p.label }));
  }

  /** NOT_FOUND for a provider that is not configured. */
  get(id: string): OidcProviderSettings {
    const p = this.settings.find((s) => s.id === id);
    if (!p) throw notFound('Sign-in provider');
    return p;
  }

  /** The provider's discovered client configuration; UNAVAILABLE when its issuer cannot be reached. */
  async configuration(id: string): Promise<oidc.Configuration> {
    const p = this.get(id);
    let pending = this.discovered.get(id);
    if (!pending) {
      const issuer = new URL(p.issuer);
      // Config only admits plain http for a provider on this machine (development and tests).
      const insecure = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
      // client_secret_basic: the default of OpenID Connect client registration, which every provider supports
      pending = oidc.discovery(issuer, p.clientId, undefined, oidc.ClientSecretBasic(p.clientSecret), {
        timeout: DISCOVERY_TIMEOUT_S,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      this.discovered.set(id, pending);
    }
    try {
      return await pending;
    } catch (err) {
      this.discovered.delete(id);
      this.onDiscoveryError(id, err);
      throw new AppError(ErrorCode.UNAVAILABLE, `The sign-in provider "${p.label}" cannot be reached; try again later`, {
        provider: id,
      });
    }
  }
}
