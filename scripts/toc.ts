/** README's table of contents, from its `##` and `###` headings as GitHub anchors them. */
export function tableOfContents(markdown: string): string {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = !fenced && /^(##|###) (.+)$/.exec(line);
    if (!m || m[2] === "Contents") continue;
    const title = m[2]!;
    const anchor = title
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    lines.push(`${m[1] === "###" ? "  " : ""}- [${title}](#${anchor})`);
  }
  return `${lines.join("\n")}\n`;
}
