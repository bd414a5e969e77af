import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load.ts";
import { formatProblem } from "./result.ts";

const file = "/etc/vigil/vigil.yaml";
const channels = `notify:
  channels:
    mail: { webhook: { url: "http://127.0.0.1:9/mail" } }
    chat: { webhook: { url: "http://127.0.0.1:9/chat" } }
`;

function load(digest: string) {
  return loadConfigText(`${channels}  digest: ${digest}\n`, file, {});
}

const problems = (digest: string): string[] => {
  const r = load(digest);
  return r.ok ? [] : r.problems.map(formatProblem);
};

describe("config: notify.digest", () => {
  it("loads, the time zone UTC unless named", () => {
    const r = load('{ at: "08:00", timezone: Europe/Berlin, to: [mail, chat] }');
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(r.config.notify.digest).toEqual({ at: "08:00", timezone: "Europe/Berlin", to: ["mail", "chat"] });
    const utc = load('{ at: "23:59", to: [mail] }');
    expect(utc.ok && utc.config.notify.digest?.timezone).toBe("UTC");
  });

  it("refuses a time that is not HH:MM, naming the field and the fix", () => {
    for (const at of ['"8:00"', '"24:00"', '"08:60"', '"8am"']) {
      const [p] = problems(`{ at: ${at}, to: [mail] }`);
      expect(p, at).toMatch(/notify\.digest\.at: .*HH:MM on the 24-hour clock, such as "08:00"/);
    }
  });

  it("refuses a time zone Intl does not know", () => {
    expect(problems('{ at: "08:00", timezone: Europe/Berlln, to: [mail] }')).toEqual([
      expect.stringMatching(
        /notify\.digest\.timezone: "Europe\/Berlln" is not a time zone; write an IANA name/,
      ),
    ]);
  });

  it("refuses a channel that does not exist, listing the ones that do, and an empty list", () => {
    expect(problems('{ at: "08:00", to: [mail, pager] }')).toEqual([
      expect.stringMatching(
        /notify\.digest\.to\[1\]: the digest goes to "pager", which is not a channel under notify\.channels \(channels: mail, chat\)/,
      ),
    ]);
    expect(problems('{ at: "08:00", to: [] }')).toEqual([
      expect.stringMatching(/notify\.digest\.to: name at least one channel/),
    ]);
    expect(problems('{ at: "08:00", to: [mail], when: daily }')).toEqual([
      expect.stringMatching(/notify\.digest.*when/),
    ]);
  });
});
