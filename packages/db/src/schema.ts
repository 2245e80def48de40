/**
 * The whole product's database schema: Better Auth's tables (owned by the web
 * app) and the tasks table (owned by the Task API). One schema, one migration
 * history; `npm run db:generate` turns changes here into a new migration.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

// Property names are Better Auth's field names (its Drizzle adapter maps by
// them); column names are snake_case for people reading SQL. With
// `generateId: "uuid"` Better Auth leaves ids to the database: hence the
// gen_random_uuid() defaults on its tables.
const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  /** Set by Better Auth's two-factor plugin once the first authenticator code is verified. */
  twoFactorEnabled: boolean("two_factor_enabled").notNull().default(false),
  ...timestamps,
});

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    token: text("token").notNull().unique(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ...timestamps,
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);

export const accounts = pgTable(
  "accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    ...timestamps,
  },
  (t) => [index("accounts_user_id_idx").on(t.userId)],
);

export const verifications = pgTable(
  "verifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [index("verifications_identifier_idx").on(t.identifier)],
);

/** Signing keys of Better Auth's JWT plugin; private keys are encrypted at rest. */
export const jwks = pgTable("jwks", {
  id: uuid("id").primaryKey().defaultRandom(),
  publicKey: text("public_key").notNull(),
  privateKey: text("private_key").notNull(),
  alg: text("alg"),
  crv: text("crv"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp("expires_at", { withTimezone: true }),
});

/** Better Auth's rate-limit counters, in the database so they hold across web processes. */
export const rateLimits = pgTable("rate_limits", {
  id: uuid("id").primaryKey().defaultRandom(),
  key: text("key").notNull().unique(),
  count: integer("count").notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});

/** PostgreSQL's 64-bit transaction id (never wraps), read and written as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

/**
 * Sessions that ended (signed out, revoked, replaced by a password change or
 * reset, or gone with their user): written by a trigger on `sessions` (see
 * migration 0003), so no way of deleting a session can forget it. Each Task
 * API process reads the new rows every half second and refuses tokens whose
 * `sid` is here, although the token itself has not expired. `revoked_xid`
 * (the writing transaction's id) is how a read knows which rows it has not
 * seen yet, however late their transaction commits (revocation-feed.ts). No
 * foreign keys: the row must outlive the session and the user it names.
 */
export const revokedSessions = pgTable(
  "revoked_sessions",
  {
    sessionId: uuid("session_id").primaryKey(),
    userId: uuid("user_id").notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }).notNull().defaultNow(),
    revokedXid: xid8("revoked_xid").notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index("revoked_sessions_revoked_at_idx").on(t.revokedAt),
    index("revoked_sessions_revoked_xid_idx").on(t.revokedXid, t.sessionId),
  ],
);

/**
 * A person's authenticator secret and backup codes (Better Auth's two-factor
 * plugin), both encrypted with BETTER_AUTH_SECRET. At most one per person;
 * `verified` stays false until the first code is typed, and the row goes when
 * two-factor sign-in is turned off.
 */
export const twoFactors = pgTable(
  "two_factors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    secret: text("secret").notNull(),
    backupCodes: text("backup_codes").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    verified: boolean("verified").notNull().default(true),
    failedVerificationCount: integer("failed_verification_count").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
  },
  (t) => [uniqueIndex("two_factors_user_id_idx").on(t.userId)],
);

/**
 * Requests to the Task API per user in the current minute, summed over every
 * API process (apps/api/src/shared-rate-limit.ts): each process adds what it
 * counted about once a second and reads the sum back, so `API_RATE_LIMIT`
 * holds for a user however many processes serve them. The minute starts with
 * the user's first request in it, as PostgreSQL's clock has it. No foreign
 * key: rows of a minute gone by are deleted by the next processes' rounds.
 */
export const apiRequestCounts = pgTable("api_request_counts", {
  userId: text("user_id").primaryKey(),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull(),
  requests: integer("requests").notNull(),
});

/**
 * Authenticator codes being checked or accepted lately (RFC 6238 §5.2: a code
 * is accepted once). Claimed by the web app before Better Auth checks a code
 * (apps/web/src/lib/authenticator-codes.ts); an accepted one is kept for two
 * minutes, a refused one given back, and lapsed rows go with the next claim.
 */
export const usedAuthenticatorCodes = pgTable(
  "used_authenticator_codes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    usedUntil: timestamp("used_until", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.code] })],
);

/**
 * Password attempts by account email address (known or not, so a pause tells
 * nobody who has an account): the wrong ones lately, and those under way
 * (counted as each starts). Ten wrong pause password checks for that address
 * for 15 minutes (apps/web/src/lib/password-guesses.ts); a new password ends
 * the count and the pause.
 */
export const passwordAttempts = pgTable(
  "password_attempts",
  {
    email: text("email").primaryKey(),
    wrong: integer("wrong").notNull(),
    underWay: integer("under_way").notNull(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }).notNull(),
    pausedUntil: timestamp("paused_until", { withTimezone: true }),
  },
  (t) => [index("password_attempts_last_attempt_at_idx").on(t.lastAttemptAt)],
);

/**
 * A person's passkeys (the `@better-auth/passkey` plugin): WebAuthn public keys,
 * nothing secret. `last_used_at` is ours, set by a trigger whenever a sign-in
 * updates the signature counter (migration 0007).
 */
export const passkeys = pgTable(
  "passkeys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name"),
    publicKey: text("public_key").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    credentialID: text("credential_id").notNull(),
    // WebAuthn's signature counter is an unsigned 32-bit number.
    counter: bigint("counter", { mode: "number" }).notNull(),
    deviceType: text("device_type").notNull(),
    backedUp: boolean("backed_up").notNull(),
    transports: text("transports"),
    aaguid: text("aaguid"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [index("passkeys_user_id_idx").on(t.userId), uniqueIndex("passkeys_credential_id_idx").on(t.credentialID)],
);

/** Better Auth's model names mapped to our tables, for its Drizzle adapter. */
export const authSchema = {
  user: users,
  session: sessions,
  account: accounts,
  verification: verifications,
  jwks,
  rateLimit: rateLimits,
  twoFactor: twoFactors,
  passkey: passkeys,
};

/** A Postgres enum sorts in declaration order, so ORDER BY priority ranks low < medium < high. */
export const taskPriority = pgEnum("task_priority", ["low", "medium", "high"]);

export const tasks = pgTable(
  "tasks",
  {
    /** UUIDv7 made by the API: time-ordered, and it leaks no count. */
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    completed: boolean("completed").notNull().default(false),
    priority: taskPriority("priority").notNull().default("medium"),
    dueDate: date("due_date", { mode: "string" }),
    ...timestamps,
    /** Bumped by every write; the ETag is made from it. */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    // A page costs the page: each sort's order (after the user, ties by creation, then id) is an
    // index, so PostgreSQL walks a person's tasks in list order and stops at the page's end,
    // however many tasks they have. (`created` is also the tie-break of the others.) That is each
    // sort's default direction. The other one reads the index backwards and sorts runs of equal
    // keys, a few rows for `created`, `updated`, `title` and the dated tasks of `due`. Two orders
    // are not one stretch of their index but a few, read as such (list-query.ts, `orderRuns`):
    // `sort=due&order=desc` (no-date tasks stay last, where a backward read finds them first) and
    // `sort=priority&order=asc` (ties newest first, where a backward read gives oldest first), with
    // no index of their own, which every write would pay for. Lists filtered by status or priority
    // read the same indexes and skip the rows the filter drops.
    index("tasks_user_created_idx").on(t.userId, t.createdAt.desc().nullsFirst(), t.id),
    index("tasks_user_updated_idx").on(
      t.userId,
      t.updatedAt.desc().nullsFirst(),
      t.createdAt.desc().nullsFirst(),
      t.id,
    ),
    index("tasks_user_priority_idx").on(
      t.userId,
      t.priority.desc().nullsFirst(),
      t.createdAt.desc().nullsFirst(),
      t.id,
    ),
    index("tasks_user_due_idx").on(t.userId, t.dueDate.asc().nullsLast(), t.createdAt.desc().nullsFirst(), t.id),
    index("tasks_user_title_idx").on(t.userId, sql`lower(${t.title})`, t.title, t.createdAt.desc().nullsFirst(), t.id),
    // A status-filtered page (the dashboard's tabs) in creation order.
    index("tasks_user_completed_created_idx").on(t.userId, t.completed, t.createdAt.desc().nullsFirst()),
    // `q` (ILIKE '%text%') within one person's tasks: btree_gin puts the user in the same GIN index
    // as the trigrams, so only that person's matching rows are read from the table (the entries of
    // a trigram common across the table are still read from the index).
    index("tasks_user_title_trgm_idx").using("gin", t.userId, sql`${t.title} gin_trgm_ops`),
    index("tasks_user_description_trgm_idx").using("gin", t.userId, sql`${t.description} gin_trgm_ops`),
    // The API validates these too; the database is the last line.
    check("tasks_title_length", sql`char_length(${t.title}) between 1 and 200`),
    check("tasks_description_length", sql`char_length(${t.description}) <= 1000`),
  ],
);

/**
 * How many tasks each person has, and how many of them are completed: one
 * row a person, kept by triggers on `tasks` (migrations 0005, 0009) in the
 * same transaction as every insert, delete and change of completion, so that
 * an unfiltered or status-filtered list's X-Total-Count costs one row to read
 * however many tasks the person has. One row, so each of the API's writes
 * (one statement, one task) locks one counts row after the task's, and two
 * of them never wait on each other in a circle.
 *
 * `version` takes a new number (from the sequence `task_counts_versions`, so
 * none comes back) with every write that can change what a search or a
 * priority filter matches: create, delete, change of completion, title,
 * description or priority (migration 0009). It names what a snapshot sees of
 * the person's tasks, so the API can keep the total it counted for a search
 * and reuse it while it stands.
 */
export const taskCounts = pgTable("task_counts", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  tasks: integer("tasks").notNull(),
  completedTasks: integer("completed_tasks").notNull(),
  version: bigint("version", { mode: "number" }).notNull().default(sql`nextval('task_counts_versions')`),
});

/**
 * The `Idempotency-Key` of a create, while a repeat of it may still come:
 * a client that got no answer (the network dropped, a 503) sends the same
 * create with the same key, and gets the task the first one made instead
 * of a second one. Written in the same statement as the task; goes with the
 * task, and a person's keys older than a day go after their next keyed create.
 * `request_hash` is the SHA-256 of the create's validated body, so the same
 * key with another body is refused rather than answered with the wrong task.
 */
export const taskCreateKeys = pgTable(
  "task_create_keys",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    requestHash: text("request_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.key] }),
    index("task_create_keys_task_id_idx").on(t.taskId),
    // The sweep of a person's keys older than a day (forgetOldCreateKeys) reads only those: by the
    // key alone it read all the person's keys after every keyed create, a day's worth at least.
    index("task_create_keys_user_created_idx").on(t.userId, t.createdAt),
  ],
);
