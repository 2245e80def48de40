import type { ReactNode, Ref } from "react";

/**
 * One titled part of the account page; its heading names it for screen readers too.
 * `headingRef`: a section whose forms change in place focuses its heading when they do
 * (the heading can then take the focus, though not by Tab).
 */
export function Section({
  id,
  title,
  headingRef,
  children,
}: {
  id: string;
  title: string;
  headingRef?: Ref<HTMLHeadingElement>;
  children: ReactNode;
}) {
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2
        id={`${id}-heading`}
        ref={headingRef}
        tabIndex={headingRef ? -1 : undefined}
        className="text-lg font-semibold focus-visible:outline-2 focus-visible:outline-indigo-500"
      >
        {title}
      </h2>
      {children}
    </section>
  );
}
