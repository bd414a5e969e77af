import { describe, expect, it } from "vitest";
import { hideCredentialLines, hideCredentials } from "./credentials.ts";

describe("credentials in a service's output, for an assistant", () => {
  it.each([
    ["connecting with password=hunter2 to db", "connecting with password=[REDACTED] to db"],
    [
      'config: {"db_password": "s3cr3t!", "port": 5432}',
      'config: {"db_password": "[REDACTED]", "port": 5432}',
    ],
    ["API_KEY: abcd1234efgh", "API_KEY: [REDACTED]"],
    ["export GITHUB_TOKEN='ghp_x'", "export GITHUB_TOKEN='[REDACTED]'"],
    ["GET /x Authorization: Bearer eyJhbGciOi.abc.def-long", "GET /x Authorization: Bearer [REDACTED]"],
    ["dsn postgres://app:pa55w0rd@db:5432/app", "dsn postgres://app:[REDACTED]@db:5432/app"],
    ["aws key AKIAIOSFODNN7EXAMPLE loaded", "aws key [REDACTED] loaded"],
    ["slack xoxb-1234567890-abcdefghij ok", "slack [REDACTED] ok"],
    ["SLACK-xoxb-1234567890-abcdefghij ok", "SLACK-[REDACTED] ok"],
    ["?client_secret=abc&x=1", "?client_secret=[REDACTED]&x=1"],
  ])("%s", (line, hidden) => {
    expect(hideCredentials(line)).toBe(hidden);
  });

  it("leaves ordinary lines as they are", () => {
    for (const line of ["GET /health 200 3ms", "listening on 127.0.0.1:8080", "password reset mail sent"])
      expect(hideCredentials(line)).toBe(line);
  });

  it("hides a private key's whole block, also one cut by the window at either end", () => {
    const key = [
      "-----BEGIN PRIVATE KEY-----",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
      "-----END PRIVATE KEY-----",
    ];
    expect(hideCredentialLines(["before", ...key, "after"])).toEqual([
      "before",
      "[REDACTED]",
      "[REDACTED]",
      "[REDACTED]",
      "after",
    ]);
    expect(hideCredentialLines([key[1]!, key[2]!, "after"])).toEqual(["[REDACTED]", "[REDACTED]", "after"]);
    expect(hideCredentialLines(["before", key[0]!, key[1]!])).toEqual(["before", "[REDACTED]", "[REDACTED]"]);
  });

  it("reads a line built to make a backtracking pattern rescan it, in one pass", () => {
    // Each took time quadratic in its length before, with the agent's event loop held: 1 to 5 s at
    // 32 KB, hours at a megabyte. A megabyte now goes through in milliseconds; the bound is the
    // test's timeout, far above what one pass needs and far below what a rescan takes.
    const mb = 1 << 20;
    const lines = [
      "a-".repeat(mb / 2),
      "a.".repeat(mb / 2),
      "a+b.c-".repeat(mb / 6),
      `password${" ".repeat(mb)}`,
      "eyJ-".repeat(mb / 4),
      "-ghp_aaa".repeat(mb / 8),
      "-xoxa-!".repeat(mb / 7),
    ];
    // Compared as booleans: a megabyte in a failure message helps nobody.
    for (const line of lines) expect(hideCredentials(line) === line).toBe(true);
    expect(hideCredentials(`${"a-".repeat(mb / 2)} token=s3cr3t`).endsWith(" token=[REDACTED]")).toBe(true);
  });
});
