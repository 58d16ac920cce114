/** Names as the terminal shows them: control characters escaped, never sent raw. */

// C0 controls, DEL and C1 controls: a name may hold any of them, and printed raw they
// would move the cursor, recolour or rewrite the user's terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `a\x1bb` for a name holding ESC; printable text unchanged. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
