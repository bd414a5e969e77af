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
});
