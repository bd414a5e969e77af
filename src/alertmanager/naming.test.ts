import { describe, expect, it } from "vitest";
import { alertTarget, isAlertTarget } from "./naming.ts";

describe("an alert's target name", () => {
  it("is its alertname, and its instance when it has one, whatever else its labels say", () => {
    expect(alertTarget({ alertname: "DiskFull" })).toBe("alert/DiskFull");
    expect(alertTarget({ alertname: "DiskFull", instance: "host-1:9100", mountpoint: "/var" })).toBe(
      "alert/DiskFull/host-1:9100",
    );
    expect(alertTarget({ instance: "host-1:9100", alertname: "DiskFull", severity: "critical" })).toBe(
      "alert/DiskFull/host-1:9100",
    );
  });

  it("keeps a slash, a space or a control character out of the name, and bounds it", () => {
    expect(alertTarget({ alertname: "Disk Full/x", instance: "https://a b/\n" })).toBe(
      "alert/Disk_Full_x/https:__a_b__",
    );
    expect(alertTarget({ alertname: "A".repeat(500) })).toBe(`alert/${"A".repeat(100)}`);
    expect(isAlertTarget(alertTarget({ alertname: "X" }))).toBe(true);
    expect(isAlertTarget("alerts")).toBe(false);
  });
});
