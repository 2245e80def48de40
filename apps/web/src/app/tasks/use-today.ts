import { useEffect, useState } from "react";

/**
 * Today's date in the browser's time zone (YYYY-MM-DD), which changes while the page is open: a task
 * due today is overdue from the person's own midnight, on a page left open overnight too.
 */
export function useToday(): string {
  const [today, setToday] = useState(() => localDate(new Date()));
  useEffect(() => {
    // Looked at every minute and whenever the tab is shown again, rather than one timer set for
    // midnight: timers stand still while the computer sleeps, and the clock or zone can change.
    // The same date again redraws nothing.
    const lookAgain = () => setToday(localDate(new Date()));
    const everyMinute = setInterval(lookAgain, 60_000);
    document.addEventListener("visibilitychange", lookAgain);
    return () => {
      clearInterval(everyMinute);
      document.removeEventListener("visibilitychange", lookAgain);
    };
  }, []);
  return today;
}

/** `date` as YYYY-MM-DD in the browser's time zone (a task's due date is a calendar date). */
function localDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}
