"use client";
import { useState } from "react";
import { secondaryButton } from "@/components/styles";

/**
 * Backup codes, shown once: each opens the account once when the phone is
 * not at hand. "Copy" and "Download" so they can be kept somewhere else.
 */
export function BackupCodes({ codes }: { codes: string[] }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const text = `Tasks backup codes (each works once)\n\n${codes.join("\n")}\n`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = "tasks-backup-codes.txt";
    anchor.click();
    // Later: some browsers start the download only after this task ends.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Keep these codes somewhere safe, away from your phone. Each one signs you in once if you cannot use your
        authenticator app. They are shown only now.
      </p>
      <ul aria-label="Backup codes" className="grid grid-cols-2 gap-2 font-mono text-sm sm:grid-cols-5">
        {codes.map((code) => (
          <li key={code} className="rounded bg-slate-100 px-2 py-1 text-center dark:bg-slate-800">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" onClick={copy} className={secondaryButton}>
          Copy
        </button>
        <button type="button" onClick={download} className={secondaryButton}>
          Download
        </button>
        <span role="status" className="text-sm text-slate-700 dark:text-slate-300">
          {copied === "yes" ? "Copied." : copied === "failed" ? "Could not copy: select them instead." : ""}
        </span>
      </div>
    </div>
  );
}
