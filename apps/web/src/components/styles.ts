/** Class names shared by every form in the app, so sign-in and the dashboard look alike. */
/**
 * A field. Its placeholder at 4.5:1 or more (Tailwind's own, half the text's colour, is 3.4:1): for
 * the new task's title and the search it is the only label seen.
 */
export const field =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-500 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-400 aria-invalid:border-red-600 dark:aria-invalid:border-red-400";

export const primaryButton =
  "rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 disabled:opacity-60 aria-disabled:opacity-60";

export const secondaryButton =
  "rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100 disabled:opacity-60 aria-disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800";

export const dangerButton =
  "rounded-md bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800 disabled:opacity-60 aria-disabled:opacity-60";

/**
 * A failure's box: ErrorMessage's, and the dashboard's banner with its Retry. It wraps anywhere: a
 * message may quote an address or a name with no spaces, wider than a phone.
 */
export const errorBox =
  "rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 [overflow-wrap:anywhere] dark:bg-red-950 dark:text-red-200";

export const link = "font-medium text-indigo-700 underline dark:text-indigo-300";

export const label = "block text-sm font-medium";
