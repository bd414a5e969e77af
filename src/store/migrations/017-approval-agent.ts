import type { Migration } from "./index.ts";

/**
 * Who owns each approval request and where it was decided. Agents of a fleet share the approvals
 * table, and any agent may decide a request: the run happens on the agent that asked for it (its
 * target, its gateway, its capability key), which takes the requests approved elsewhere from here.
 */
const sql = "ALTER TABLE approvals ADD COLUMN agent TEXT; ALTER TABLE approvals ADD COLUMN decided_on TEXT;";

export const m017: Migration = {
  version: 17,
  name: "agent of approvals",
  sqlite: sql,
  postgres: sql,
};
