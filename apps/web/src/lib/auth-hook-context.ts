/** The types of what Better Auth hands its hooks, for the modules that the hooks of auth-hooks.ts call. */
import type { createAuthMiddleware } from "better-auth/api";

/** A request as a before or after hook of Better Auth's sees it. */
export type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];
/** A signed-in person's session and user, as Better Auth reads them. */
export type SessionOf = NonNullable<HookContext["context"]["session"]>;
