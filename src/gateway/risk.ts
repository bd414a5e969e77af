/** The risk tiers an action declares: `auto` acts, `notify` acts then tells, `approve` waits for people, `deny` never runs. */
export const risks = ["auto", "notify", "approve", "deny"] as const;
export type Risk = (typeof risks)[number];
