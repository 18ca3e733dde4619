/** Names Windows keeps for devices, whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
const STEM_LENGTH = 60;

/**
 * A file name stem every file system takes: letters and digits of any script, words joined by `-`, lower case, at
 * most 60 characters; `fallback` when nothing of the title is left. No path separator, dot or control character.
 */
export function fileStem(title: string | null, fallback: string): string {
  const words = (title ?? '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const stem = [...words].slice(0, STEM_LENGTH).join('').replace(/-+$/, '') || fallback;
  return RESERVED.test(stem) ? `${stem}-file` : stem;
}

/** The stems as file names with `extension`, made unique (ignoring case) by -2, -3, … in order of appearance. */
export function uniqueFileNames(stems: readonly string[], extension: string): string[] {
  const taken = new Set<string>();
  return stems.map((stem) => {
    let name = `${stem}.${extension}`;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}-${n}.${extension}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** `name` when it is plain printable ASCII a quoted `filename=` carries as it is, `asciiFallback` otherwise. */
export function asciiFileName(name: string, asciiFallback: string): string {
  return /^[\x20-\x7e]+$/.test(name) && !/["\\]/.test(name) ? name : asciiFallback;
}
