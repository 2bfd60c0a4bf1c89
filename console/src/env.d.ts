/** The build-time settings of an AWS build of the console (Vite replaces them; see console/README.md). */
interface ImportMetaEnv {
  /** `oidc` for an AWS build (authorization code + PKCE); anything else: the local dev sign-in. */
  readonly VITE_AUTH?: string;
  /** The OIDC issuer (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>). */
  readonly VITE_OIDC_ISSUER?: string;
  /** The console's public client id at the identity provider (the API's JWT audience). */
  readonly VITE_OIDC_CLIENT_ID?: string;
  readonly VITE_OIDC_SCOPE?: string;
  /** The claims holding the user and the groups (as infra/targets.ts configures the API). */
  readonly VITE_OIDC_USER_CLAIM?: string;
  readonly VITE_OIDC_GROUP_CLAIM?: string;
  /** The API's base URL when it is not the console's own origin (https://api.example.cn). */
  readonly VITE_API_BASE?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
