// Exception fingerprints: one stable id per kind of failure, whatever the message text, line
// numbers, build or proxy classes. The scanner counts fingerprints per app to report new ones
// and surges; the miner's templates cannot do it, as a stack trace is many lines.

import { hashText } from './hash.js';

export interface ExceptionFingerprint {
  /** The root cause's type: the innermost `Caused by:` (Java) or the first traceback (Python). */
  type: string;
  /** The exception types from the outermost to the root cause. */
  chain: string[];
  /** The root cause's top frames, normalised (innermost call first). */
  frames: string[];
  fingerprint: string;
}

interface Section {
  type: string;
  frames: string[];
}

const JAVA_FRAME = /^\s*at\s+([^\s(]+)\(/;
const JAVA_CAUSE = /^Caused by:\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)/;
const JAVA_HEADER = /^\s*((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*)(?::|\s*$)/;
const JAVA_THROWABLE = /((?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*(?:Exception|Error|Throwable|Fault))\b/;
const PY_START = /^Traceback \(most recent call last\):/;
const PY_FRAME = /^\s+File "([^"]+)", line \d+, in (\S+)/;
const PY_RAISED = /^([A-Za-z_][\w.]*)(?::|$)/;

/** Fingerprints a Java-style stack trace or a Python traceback; undefined for other text. */
export function fingerprintException(text: string, topFrames = 5): ExceptionFingerprint | undefined {
  const lines = text.split(/\r?\n/);
  const sections = lines.some((l) => PY_START.test(l)) ? pythonSections(lines) : javaSections(lines);
  if (sections.length === 0) return undefined;
  // Sections run from the outermost exception to the root cause. Take the root's own frames,
  // or the nearest wrapper's when the cause was printed without any (`... 12 more`).
  const root = sections[sections.length - 1]!;
  const withFrames = [...sections].reverse().find((s) => s.frames.length > 0);
  if (!withFrames) return undefined;
  const frames = withFrames.frames.slice(0, topFrames);
  const chain = sections.map((s) => s.type);
  return { type: root.type, chain, frames, fingerprint: 'f' + hashText(chain.join('>') + '|' + frames.join('|')) };
}

function javaSections(lines: readonly string[]): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  let skipping = false; // inside a `Suppressed:` block, which is indented, causes and all
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const frame = JAVA_FRAME.exec(line);
    if (frame) {
      if (!current && !skipping) {
        // The header is the line just above the first frame.
        const type = javaHeaderType(lines[i - 1] ?? '');
        if (!type) return [];
        current = { type, frames: [] };
        sections.push(current);
      }
      if (current && !skipping) {
        const f = normaliseJavaFrame(frame[1]!);
        if (f !== undefined) current.frames.push(f);
      }
      continue;
    }
    const cause = JAVA_CAUSE.exec(line);
    if (cause && sections.length > 0) {
      current = { type: cause[1]!, frames: [] };
      sections.push(current);
      skipping = false;
    } else if (/^\s+Suppressed:/.test(line)) skipping = true;
  }
  return sections;
}

function javaHeaderType(line: string): string | undefined {
  const body = line.replace(/^Exception in thread "[^"]*"\s+/, '');
  // `pkg.Type: message`, or a log line that names a throwable somewhere in its text.
  return JAVA_HEADER.exec(body)?.[1] ?? JAVA_THROWABLE.exec(body)?.[1];
}

// Frames whose names change between runs or builds are brought to one spelling; reflection
// frames are dropped, since the JVM swaps native accessors for generated ones after warm-up.
function normaliseJavaFrame(name: string): string | undefined {
  let f = name.replace(/\$\$Lambda(?:\$\d+)?(?:\/0x[0-9a-fA-F]+)?/g, '$$$$Lambda');
  f = f.slice(f.lastIndexOf('/') + 1); // module prefix: java.base/, app//
  if (/^(?:sun\.reflect|jdk\.internal\.reflect)\./.test(f)) return undefined;
  return f
    .replace(/\$\$(?:EnhancerBy|FastClassBy)\w*?CGLIB\$\$\w+/g, '')
    .replace(/\$\$SpringCGLIB\$\$\w+/g, '')
    .replace(/\$HibernateProxy\$\w+/g, '')
    .replace(/_?\$\$_?(?:javassist|jvst)\w*/g, '')
    .replace(/\$ByteBuddy\$\w+/g, '')
    .replace(/\$Proxy\d+/g, '$$Proxy')
    .replace(/(Generated(?:Serialization)?(?:Method|Constructor)Accessor)\d+/g, '$1')
    .replace(/lambda\$(\w+?)\$\d+/g, 'lambda$$$1')
    .replace(/\$\d+/g, '$$');
}

function pythonSections(lines: readonly string[]): Section[] {
  const sections: Section[] = [];
  let frames: string[] | undefined;
  for (const line of lines) {
    if (PY_START.test(line)) {
      frames = [];
      continue;
    }
    if (!frames) continue;
    const frame = PY_FRAME.exec(line);
    if (frame) {
      const file = frame[1]!.replace(/\\/g, '/');
      const site = file.lastIndexOf('site-packages/');
      const path = site >= 0 ? file.slice(site + 'site-packages/'.length) : file.slice(file.lastIndexOf('/') + 1);
      frames.push(`${path}:${frame[2]}`);
      continue;
    }
    const raised = /^\S/.test(line) ? PY_RAISED.exec(line) : null;
    if (raised) {
      // Innermost call first, as in a Java trace.
      sections.push({ type: raised[1]!, frames: frames.reverse() });
      frames = undefined;
    }
  }
  // Python prints the root cause first; order the chain outermost first, as for Java.
  return sections.reverse();
}
