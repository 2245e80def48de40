"use client";
import qrcode from "qrcode-generator";
import { useMemo } from "react";

/**
 * A QR code drawn in the page as SVG from `value` (e.g. an otpauth:// URI), so
 * the secret never leaves the browser for an image service. One path of dark
 * modules, no inline styles or scripts: nothing the page's CSP must allow.
 */
export function QrCode({ value, label, size = 192 }: { value: string; label: string; size?: number }) {
  const { path, modules } = useMemo(() => {
    const code = qrcode(0, "M");
    code.addData(value);
    code.make();
    const count = code.getModuleCount();
    let d = "";
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) if (code.isDark(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
    }
    return { path: d, modules: count + 8 }; // 4 modules of quiet zone on each side
  }, [value]);
  return (
    <svg
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shapeRendering="crispEdges"
      className="rounded-md bg-white"
    >
      <path d={path} fill="#000" />
    </svg>
  );
}
