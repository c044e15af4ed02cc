// A pattern template with its masked variables (`<*>`) set apart, so the constant words read first.

export function Template({ text }: { text: string }) {
  const parts = text.split('<*>');
  return (
    <>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 && <span class="var">&lt;*&gt;</span>}
        </span>
      ))}
    </>
  );
}
